"""Every top-level query and mutation × every role: allowed or FORBIDDEN, as `PERMISSIONS` says.

The list of operations comes from the schema itself, so an operation added without a row here
fails `test_the_matrix_covers_every_operation_of_the_schema`. Unknown ids are used on purpose: an
allowed caller gets NOT_FOUND or null, a refused one FORBIDDEN, and the role check comes first.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from schema.context import ADMIN, PERMISSIONS, ROLES, Caller, Forbidden, authorize, roles_for
from schema.root import schema
from service.live import LiveServer
from tests.conftest import ApiFactory

PAYLOAD = "errors { code }"
NONE = "-"  # a verified caller with no role at all

# operation -> (action authorize checks first, document, variables)
QUERIES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "account": ("account.read", "query ($id: ID!) { account(id: $id) { id } }", {"id": "acc-x"}),
    "accounts": ("account.list", "{ accounts { totalCount } }", {}),
    "node": ("node.read", "query ($id: ID!) { node(id: $id) { id } }", {"id": "pi-x"}),
    "searchInventory": ("inventory.search", 'query { searchInventory(accountId: "acc-1", text: "x") { totalCount } }',
                        {}),
    "inventoryItem": ("inventory.read", "query ($id: ID!) { inventoryItem(id: $id) { id } }", {"id": "pi-x"}),
    "inventoryTree": ("inventory.read", "query ($id: ID!) { inventoryTree(rootId: $id) { nodes { id } } }",
                      {"id": "pi-x"}),
    "productSpecification": ("catalog.read", "query ($id: ID!) { productSpecification(id: $id) { id } }",
                             {"id": "spec-x"}),
    "productSpecifications": ("catalog.read", "{ productSpecifications { id } }", {}),
    "order": ("order.read", "query ($id: ID!) { order(id: $id) { id } }", {"id": "ord-x"}),
    "inventoryHistory": ("inventory.history", "query ($id: ID!) { inventoryHistory(id: $id) { id } }",
                         {"id": "pi-x"}),
    "previewOrder": ("order.preview", 'query { previewOrder(accountId: "acc-1", action: CHANGE, inventoryIds: []) '
                     "{ action } }", {}),
    "orderPreview": ("order.preview", 'query { orderPreview(accountId: "acc-1", action: CHANGE, inventoryIds: []) '
                     "{ errors { code } } }", {}),
    "openTasks": ("task.read", "{ openTasks { totalCount } }", {}),
    "falloutTasks": ("task.read", "{ falloutTasks { totalCount } }", {}),
    "openWorkOrders": ("workorder.read", '{ openWorkOrders(locationId: "loc-x") { id } }', {}),
    "returnAuthorization": ("return.read", "query ($id: ID!) { returnAuthorization(id: $id) { id } }",
                            {"id": "rma-x"}),
}


def _order_mutation(name: str, argument: str = "orderId", extra: str = "") -> str:
    return f'mutation {{ {name}({argument}: "x-unknown"{extra}) {{ {PAYLOAD} }} }}'


MUTATIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "createOrder": ("order.create", 'mutation { createOrder(input: {accountId: "acc-1", action: CHANGE}) '
                    f"{{ {PAYLOAD} }} }}", {}),
    "addInventoryToOrder": ("order.edit", 'mutation { addInventoryToOrder(input: {orderId: "x", inventoryIds: []}) '
                            f"{{ {PAYLOAD} }} }}", {}),
    "addProductToOrder": ("order.edit", 'mutation { addProductToOrder(input: {orderId: "x", specificationId: "s"}) '
                          f"{{ {PAYLOAD} }} }}", {}),
    "updateOrderLine": ("order.edit", f'mutation {{ updateOrderLine(input: {{lineId: "x"}}) {{ {PAYLOAD} }} }}', {}),
    "removeOrderLine": ("order.edit", _order_mutation("removeOrderLine", "lineId"), {}),
    "submitOrder": ("order.submit", _order_mutation("submitOrder"), {}),
    "approveOrder": ("order.approve", _order_mutation("approveOrder"), {}),
    "rejectOrder": ("order.reject", _order_mutation("rejectOrder", extra=', reason: "no"'), {}),
    "cancelOrder": ("order.cancel", _order_mutation("cancelOrder"), {}),
    "startOrderTask": ("task.start", _order_mutation("startOrderTask", "taskId"), {}),
    "closeOrderTask": ("task.close", _order_mutation("closeOrderTask", "taskId"), {}),
    "suspendEntitlement": ("entitlement.suspend", _order_mutation("suspendEntitlement", "entitlementId"), {}),
    "resumeEntitlement": ("entitlement.resume", _order_mutation("resumeEntitlement", "entitlementId"), {}),
    "cancelContract": ("contract.cancel", _order_mutation("cancelContract", "contractId"), {}),
    "holdOrder": ("order.hold", _order_mutation("holdOrder", extra=', reason: "wait"'), {}),
    "resumeOrder": ("order.resume", _order_mutation("resumeOrder"), {}),
    "failOrderTask": ("task.fail", _order_mutation("failOrderTask", "taskId", ', reason: "broke", category: OTHER'),
                      {}),
    "retryOrderTask": ("task.retry", _order_mutation("retryOrderTask", "taskId"), {}),
    "skipOrderTask": ("task.skip", _order_mutation("skipOrderTask", "taskId", ', reason: "not needed"'), {}),
    "scheduleWorkOrder": ("workorder.schedule", _order_mutation("scheduleWorkOrder", "workOrderId",
                                                                ', date: "2026-01-05", window: "AM"'), {}),
    "startWorkOrder": ("workorder.start", _order_mutation("startWorkOrder", "workOrderId"), {}),
    "completeWorkOrder": ("workorder.complete", _order_mutation("completeWorkOrder", "workOrderId"), {}),
    "failWorkOrder": ("workorder.fail", _order_mutation("failWorkOrder", "workOrderId", ', reason: "no access"'),
                      {}),
    "reviseOrder": ("order.revise", _order_mutation("reviseOrder", extra=', reason: "customer asked"'), {}),
    "cancelRevision": ("revision.cancel", _order_mutation("cancelRevision"), {}),
    "createLocation": ("location.create", 'mutation { createLocation(input: {accountId: "acc-x", name: "Depot"}) '
                       f"{{ {PAYLOAD} }} }}", {}),
    "receiveReturn": ("return.receive", _order_mutation("receiveReturn", "returnId"), {}),
    "closeReturn": ("return.close", _order_mutation("closeReturn", "returnId"), {}),
}

OPERATIONS = {**QUERIES, **MUTATIONS}
CALLERS = (*ROLES, NONE)


def schema_operations(kind: str) -> set[str]:
    root = schema._schema.query_type if kind == "query" else schema._schema.mutation_type
    assert root is not None
    return set(root.fields)


def test_the_matrix_covers_every_operation_of_the_schema() -> None:
    assert set(QUERIES) == schema_operations("query"), "add the query to QUERIES (and its action to PERMISSIONS)"
    assert set(MUTATIONS) == schema_operations("mutation"), "add the mutation to MUTATIONS (and to PERMISSIONS)"
    unknown = {action for action, _, _ in OPERATIONS.values()} - set(PERMISSIONS)
    assert unknown == set(), f"actions missing from PERMISSIONS: {unknown}"


def expected_allowed(action: str, role: str) -> bool:
    return role == ADMIN or role in roles_for(action)


@pytest.mark.parametrize("role", CALLERS)
async def test_each_role_may_do_exactly_what_the_table_says(
    live_server: LiveServer, api_as: ApiFactory, role: str
) -> None:
    client = (api_as(role, accounts=["acc-1"]) if role != NONE else api_as())
    before = live_server.round_trips
    outcome: dict[str, bool] = {}
    for name, (_, document, variables) in OPERATIONS.items():
        body = await client.raw(document, **variables)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert set(codes) <= {"FORBIDDEN", "INVALID_INPUT", "NOT_FOUND"}, (name, body)
        outcome[name] = "FORBIDDEN" not in codes
    expected = {name: expected_allowed(action, role) for name, (action, _, _) in OPERATIONS.items()}
    assert outcome == expected
    if not any(expected.values()):
        assert live_server.round_trips == before, "a caller with no role must be refused before any Cypher"


def info_for(caller: Caller) -> Any:
    return SimpleNamespace(context=SimpleNamespace(caller=caller))


@pytest.mark.parametrize("action", ["task.fail", "task.retry", "task.skip", "order.hold", "order.resume",
                                    "workorder.schedule", "workorder.start", "workorder.complete",
                                    "workorder.fail", "order.revise", "revision.cancel", "location.create",
                                    "inventory.search"])
def test_actions_of_the_coming_mutations_are_mapped(action: str) -> None:
    assert action in PERMISSIONS


@pytest.mark.parametrize(("action", "roles"), [
    ("task.fail", {"fulfillment"}), ("task.retry", {"fulfillment"}), ("task.skip", set()),
    ("workorder.complete", {"fulfillment"}), ("order.hold", {"agent"}), ("order.revise", {"agent"}),
    ("revision.cancel", {"agent"}), ("location.create", {"agent"}), ("inventory.search", set(ROLES)),
])
def test_the_coming_actions_go_to_the_roles_the_issue_names(action: str, roles: set[str]) -> None:
    for role in ROLES:
        caller = Caller("someone", frozenset({role}))
        if role == ADMIN or role in roles:
            assert authorize(info_for(caller), action) is caller
        else:
            with pytest.raises(Forbidden):
                authorize(info_for(caller), action)


@pytest.mark.parametrize("role", ROLES)
def test_an_unknown_action_is_refused_to_every_role_but_admin(role: str) -> None:
    caller = Caller("someone", frozenset({role}))
    if role == ADMIN:
        assert authorize(info_for(caller), "something.nobody.mapped") is caller
    else:
        with pytest.raises(Forbidden) as refused:
            authorize(info_for(caller), "something.nobody.mapped")
        assert refused.value.extensions == {"code": "FORBIDDEN", "action": "something.nobody.mapped"}


def test_docs_security_lists_every_action_and_role() -> None:
    from service.settings import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    missing = [a for a in PERMISSIONS if f"`{a}`" not in text] + [r for r in ROLES if f"| `{r}` |" not in text]
    assert missing == [], f"docs/security.md does not mention {missing}"
