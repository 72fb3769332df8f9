"""A customer sees nothing of other accounts through any path, and another account's id answers as
if it did not exist (null, empty, NOT_FOUND), never FORBIDDEN.

Northwind's 4G-to-5G order is captured, approved (tasks, a return, history) by an admin; the
customer here acts for Contoso only.
"""

from __future__ import annotations

from typing import Any

from graph.driver import Graph
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    NORTHWIND,
    ROUTER_4G,
    approve,
    four_g_to_five_g,
    load_demo_data,
    ok,
)
from tests.conftest import Api, ApiFactory

CONTOSO = "acc-contoso"
CONTOSO_ROOT = "pi-contoso-internet"


async def northwind_in_progress(graph: Graph, api: Api) -> dict[str, Any]:
    await load_demo_data(graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    return approved


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_customer_reads_only_its_own_accounts(clean_graph: Graph, api: Api, api_as: ApiFactory) -> None:
    approved = await northwind_in_progress(clean_graph, api)
    order_id = approved["id"]
    rma_id = approved["returns"][0]["id"]
    line_id = approved["lines"][0]["id"]
    customer = api_as("customer", accounts=[CONTOSO])

    listed = await customer("{ accounts(first: 100) { totalCount edges { node { id } } } }")
    assert listed["accounts"]["totalCount"] == 1
    assert [e["node"]["id"] for e in listed["accounts"]["edges"]] == [CONTOSO]
    searched = await customer('{ accounts(search: "northwind") { totalCount edges { node { id } } } }')
    assert searched["accounts"] == {"totalCount": 0, "edges": []}

    hidden = await customer(
        """query ($acc: ID!, $item: ID!, $order: ID!, $rma: ID!) {
          account(id: $acc) { id }
          inventoryItem(id: $item) { id }
          inventoryTree(rootId: $item) { nodes { id } edges { parentId } export(format: MERMAID) }
          inventoryHistory(id: $item) { id }
          order(id: $order) { id }
          openTasks(first: 100) { totalCount edges { node { id } } }
          ofOrder: openTasks(orderId: $order) { totalCount }
          returnAuthorization(id: $rma) { id }
        }""",
        acc=NORTHWIND, item=ROUTER_4G, order=order_id, rma=rma_id,
    )
    assert hidden["account"] is None
    assert hidden["inventoryItem"] is None
    assert hidden["inventoryTree"]["nodes"] == [] and hidden["inventoryTree"]["edges"] == []
    assert "pi-northwind" not in hidden["inventoryTree"]["export"]
    assert hidden["inventoryHistory"] == []
    assert hidden["order"] is None
    assert hidden["openTasks"] == {"totalCount": 0, "edges": []}
    assert hidden["ofOrder"]["totalCount"] == 0
    assert hidden["returnAuthorization"] is None

    preview = await customer(
        "query ($acc: ID!, $ids: [ID!]!) { orderPreview(accountId: $acc, action: DISCONNECT, inventoryIds: $ids) "
        "{ lines { action } errors { code field ids } } }",
        acc=NORTHWIND, ids=[MBB],
    )
    assert preview["orderPreview"]["lines"] == []
    assert [e["code"] for e in preview["orderPreview"]["errors"]] == ["NOT_FOUND"]
    # Its own account id with another account's items: those items are unknown to it.
    mixed = await customer(
        "query ($acc: ID!, $ids: [ID!]!) { orderPreview(accountId: $acc, action: DISCONNECT, inventoryIds: $ids) "
        "{ lines { action } errors { code ids } } }",
        acc=CONTOSO, ids=[MBB],
    )
    assert mixed["orderPreview"]["lines"] == []
    assert mixed["orderPreview"]["errors"] and all(e["code"] == "NOT_FOUND" for e in mixed["orderPreview"]["errors"])
    listed_preview = await customer.raw(
        "query ($acc: ID!) { previewOrder(accountId: $acc, action: CHANGE, inventoryIds: []) { action } }",
        acc=NORTHWIND,
    )
    assert error_codes(listed_preview) == ["INVALID_INPUT"] and "FORBIDDEN" not in str(listed_preview)
    assert line_id  # the line ids leak nothing either: see the mutation test

    # What the same customer may see of its own account.
    own = await customer(
        "query ($acc: ID!, $root: ID!) { account(id: $acc) { id roots { id } orders { id } } "
        "inventoryItem(id: $root) { id } inventoryTree(rootId: $root) { nodes { id } } }",
        acc=CONTOSO, root=CONTOSO_ROOT,
    )
    assert own["account"]["id"] == CONTOSO and CONTOSO_ROOT in {r["id"] for r in own["account"]["roots"]}
    assert own["inventoryItem"]["id"] == CONTOSO_ROOT and own["inventoryTree"]["nodes"]

    # The admin sees what the customer could not.
    assert (await api("query ($o: ID!) { order(id: $o) { id } }", o=order_id))["order"]["id"] == order_id


async def test_another_accounts_ids_answer_not_found_to_every_customer_mutation(
    clean_graph: Graph, api: Api, api_as: ApiFactory
) -> None:
    approved = await northwind_in_progress(clean_graph, api)
    draft = await api('mutation { createOrder(input: {accountId: "acc-northwind", action: CHANGE, '
                      'idempotencyKey: "northwind-key"}) { order { id lines { id } } errors { code } } }')
    draft_id = draft["createOrder"]["order"]["id"]
    line_id = approved["lines"][0]["id"]
    customer = api_as("customer", accounts=[CONTOSO])
    errors = "errors { code field ids message }"

    async def refused(document: str, **variables: Any) -> list[dict[str, Any]]:
        body = await customer.raw(document, **variables)
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        assert payload["errors"], payload
        return payload["errors"]  # type: ignore[no-any-return]

    created = await refused(f'mutation {{ createOrder(input: {{accountId: "{NORTHWIND}", action: CHANGE}}) {{ {errors} }} }}')
    assert [(e["code"], e["field"]) for e in created] == [("NOT_FOUND", "accountId")]
    for document in (
        f'mutation ($o: ID!) {{ addInventoryToOrder(input: {{orderId: $o, inventoryIds: ["{CONN_4G}"]}}) {{ {errors} }} }}',
        f"mutation ($o: ID!) {{ submitOrder(orderId: $o) {{ {errors} }} }}",
        f"mutation ($o: ID!) {{ cancelOrder(orderId: $o) {{ {errors} }} }}",
    ):
        found = await refused(document, o=draft_id)
        assert [(e["code"], e["field"], e["ids"]) for e in found] == [("NOT_FOUND", "orderId", [draft_id])]
    removed = await refused(f"mutation ($l: ID!) {{ removeOrderLine(lineId: $l) {{ {errors} }} }}", l=line_id)
    assert [(e["code"], e["field"], e["ids"]) for e in removed] == [("NOT_FOUND", "lineId", [line_id])]
    suspended = await refused(f'mutation {{ suspendEntitlement(entitlementId: "ent-northwind-mbb") {{ {errors} }} }}')
    assert [e["code"] for e in suspended] == ["NOT_FOUND"]
    contract = await refused(f'mutation {{ cancelContract(contractId: "ctr-northwind-2024") {{ {errors} }} }}')
    assert [e["code"] for e in contract] == ["NOT_FOUND"]
    key = await refused(f'mutation {{ createOrder(input: {{accountId: "{CONTOSO}", action: CHANGE, '
                        f'idempotencyKey: "northwind-key"}}) {{ {errors} }} }}')
    assert [(e["code"], e["field"], e["ids"]) for e in key] == [("INVALID_INPUT", "idempotencyKey", [])]
    assert draft_id not in str(key) and NORTHWIND not in str(key)

    # Nothing of Northwind changed, and the customer can work on its own account.
    assert (await api("query ($o: ID!) { order(id: $o) { state lines { id } } }", o=draft_id))["order"] == {
        "state": "DRAFT", "lines": []}
    own = await customer(f'mutation {{ createOrder(input: {{accountId: "{CONTOSO}", action: CHANGE}}) '
                         f"{{ order {{ id state }} {errors} }} }}")
    assert own["createOrder"]["errors"] == [] and own["createOrder"]["order"]["state"] == "DRAFT"


async def test_planned_reads_are_scoped_too(clean_graph: Graph, api: Api, api_as: ApiFactory) -> None:
    """`inventoryItem` and `inventoryTree` asked alone are answered by the read planner's own statement."""
    await load_demo_data(clean_graph)
    customer = api_as("customer", accounts=[CONTOSO])
    for planned in ("query ($id: ID!) { inventoryItem(id: $id) { id name children { id } } }",
                    "query ($id: ID!) { inventoryTree(rootId: $id) { nodes { id } edges { childId } } }"):
        other = await customer(planned, id=MBB)
        own = await customer(planned, id=CONTOSO_ROOT)
        admin = await api(planned, id=MBB)
        (name,) = other
        assert other[name] in (None, {"nodes": [], "edges": []})
        assert own[name] not in (None, {"nodes": [], "edges": []})
        assert admin[name] not in (None, {"nodes": [], "edges": []})
