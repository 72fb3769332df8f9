"""The order lifecycle as a user drives it over GraphQL: capture, submit, approve, work the tasks.

Each step returns the mutation's payload (`order` and `errors`), so tests assert on what a client sees.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graph.driver import Graph
from graph.importer import import_installed_base
from installed_base.demo import load_demo
from tests.conftest import Api

Payload = dict[str, Any]

ORDER = """
  id action state version reason notes pastPointOfNoReturn
  lines { id action state moveOperation inventoryItem { id state } parentLine { id } }
  domainOrders { id kind state lines { id } tasks { id name sequence state pointOfNoReturn ready attempt
                                                    dependsOn { id } blockedByWorkOrders { id state } } }
  fallout onHold holdReason
  workOrders { id kind state item { id } location { id } lines { id } }
  returns { id state reason device { id state } line { id action } }
  history { fromState toState reason }
"""
ERRORS = "errors { code message field ids }"
PAYLOAD = f"order {{ {ORDER} }} {ERRORS}"

NORTHWIND = "acc-northwind"
MBB = "pi-northwind-mbb"
CONN_4G = "pi-northwind-4g-connectivity"
ROUTER_4G = "pi-northwind-4g-router"


async def load_demo_data(graph: Graph) -> None:
    await import_installed_base(graph.driver, graph.database, load_demo())


async def create_order(api: Api, account_id: str, action: str) -> str:
    data = await api(
        f"mutation ($a: ID!, $action: OrderAction!) {{ createOrder(input: {{accountId: $a, action: $action}}) "
        f"{{ {PAYLOAD} }} }}",
        a=account_id,
        action=action,
    )
    payload = data["createOrder"]
    assert payload["errors"] == [], payload["errors"]
    return str(payload["order"]["id"])


async def add_inventory(api: Api, order_id: str, ids: list[str], **extra: Any) -> Payload:
    data = await api(
        f"mutation ($input: AddInventoryInput!) {{ addInventoryToOrder(input: $input) {{ {PAYLOAD} }} }}",
        input={"orderId": order_id, "inventoryIds": ids, **extra},
    )
    return data["addInventoryToOrder"]  # type: ignore[no-any-return]


async def add_product(api: Api, order_id: str, parent_id: str, spec_id: str, **extra: Any) -> Payload:
    data = await api(
        f"mutation ($input: AddProductInput!) {{ addProductToOrder(input: $input) {{ {PAYLOAD} }} }}",
        input={"orderId": order_id, "parentInventoryId": parent_id, "specificationId": spec_id, **extra},
    )
    return data["addProductToOrder"]  # type: ignore[no-any-return]


async def order_mutation(api: Api, name: str, argument: str, value: str) -> Payload:
    """Run `name(argument: value)`, a mutation answering an OrderPayload."""
    data = await api(f"mutation ($v: ID!) {{ {name}({argument}: $v) {{ {PAYLOAD} }} }}", v=value)
    return data[name]  # type: ignore[no-any-return]


async def submit(api: Api, order_id: str) -> Payload:
    return await order_mutation(api, "submitOrder", "orderId", order_id)


async def approve(api: Api, order_id: str) -> Payload:
    return await order_mutation(api, "approveOrder", "orderId", order_id)


async def reject(api: Api, order_id: str, reason: str) -> Payload:
    data = await api(
        f"mutation ($o: ID!, $r: String!) {{ rejectOrder(orderId: $o, reason: $r) {{ {PAYLOAD} }} }}",
        o=order_id,
        r=reason,
    )
    return data["rejectOrder"]  # type: ignore[no-any-return]


async def cancel(api: Api, order_id: str, reason: str | None = None) -> Payload:
    data = await api(
        f"mutation ($o: ID!, $r: String) {{ cancelOrder(orderId: $o, reason: $r) {{ {PAYLOAD} }} }}",
        o=order_id,
        r=reason,
    )
    return data["cancelOrder"]  # type: ignore[no-any-return]


async def start_task(api: Api, task_id: str) -> Payload:
    return await order_mutation(api, "startOrderTask", "taskId", task_id)


async def close_task(api: Api, task_id: str) -> Payload:
    return await order_mutation(api, "closeOrderTask", "taskId", task_id)


async def order(api: Api, order_id: str) -> dict[str, Any]:
    data = await api(f"query ($id: ID!) {{ order(id: $id) {{ {ORDER} }} }}", id=order_id)
    return data["order"]  # type: ignore[no-any-return]


def ok(payload: Payload) -> dict[str, Any]:
    """The payload's order, failing the test with the errors when there are any."""
    assert payload["errors"] == [], payload["errors"]
    assert payload["order"] is not None
    return payload["order"]  # type: ignore[no-any-return]


def codes(payload: Payload) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def tasks_of(order_data: dict[str, Any], *states: str) -> list[dict[str, Any]]:
    """The order's tasks (optionally only those in `states`), product domain first, in sequence."""
    found = [t for d in order_data["domainOrders"] for t in d["tasks"]]
    return [t for t in found if not states or t["state"] in states]


def task_named(order_data: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    domain = next(d for d in order_data["domainOrders"] if d["kind"] == kind)
    return next(t for t in domain["tasks"] if t["name"] == name)


WORK_ORDER = "workOrder { id kind state scheduledDate window attempt failureReason } errors { code message field ids }"


async def work_order_mutation(api: Api, name: str, work_order_id: str, **arguments: Any) -> Payload:
    """Run `name(workOrderId: ..., **arguments)`, a mutation answering a WorkOrderPayload."""
    declared = "".join(f", ${k}: {'Date!' if k == 'date' else 'String!'}" for k in arguments)
    passed = "".join(f", {k}: ${k}" for k in arguments)
    data = await api(
        f"mutation ($w: ID!{declared}) {{ {name}(workOrderId: $w{passed}) {{ {WORK_ORDER} }} }}",
        w=work_order_id,
        **arguments,
    )
    return data[name]  # type: ignore[no-any-return]


async def do_field_work(api: Api, work_order_id: str) -> None:
    """The technician's visit: booked for today, started and completed."""
    today = datetime.now(UTC).date().isoformat()
    for name, arguments in (
        ("scheduleWorkOrder", {"date": today, "window": "08:00-12:00"}),
        ("startWorkOrder", {}),
        ("completeWorkOrder", {}),
    ):
        payload = await work_order_mutation(api, name, work_order_id, **arguments)
        assert payload["errors"] == [], payload["errors"]


async def _advance(api: Api, order_id: str, current: dict[str, Any], target: dict[str, Any] | None) -> dict[str, Any]:
    """One step of fulfillment: close `target` (or the first ready task) or, when only field work
    holds everything up, do that visit."""
    unfinished = tasks_of(current, "OPEN", "IN_PROGRESS")
    ready = [t for t in unfinished if t["ready"]]
    if target is not None and target["ready"]:
        return ok(await close_task(api, target["id"]))
    if ready:
        return ok(await close_task(api, ready[0]["id"]))
    visits = [w for t in unfinished for w in t["blockedByWorkOrders"]]
    assert visits, f"no task is ready: {tasks_of(current, 'OPEN', 'IN_PROGRESS', 'FAILED')}"
    await do_field_work(api, visits[0]["id"])
    return await order(api, order_id)


async def close_all_tasks(api: Api, order_id: str, keep: int = 0) -> dict[str, Any]:
    """Close the order's unfinished tasks one by one as they become ready (doing the field work they
    wait for), leaving the last `keep` open."""
    current = await order(api, order_id)
    while len(tasks_of(current, "OPEN", "IN_PROGRESS")) > keep:
        current = await _advance(api, order_id, current, None)
    return current


async def close_through(api: Api, order_id: str, kind: str, name: str) -> dict[str, Any]:
    """Close ready tasks, first in queue first, until the task `name` of domain order `kind` is closed."""
    current = await order(api, order_id)
    while task_named(current, kind, name)["state"] != "CLOSED_COMPLETE":
        current = await _advance(api, order_id, current, task_named(current, kind, name))
    return current


ITEM = """
  id name state openOrder { id }
  parent { id } location { id }
  characteristics { name value }
  services { id state specification { id } }
  entitlement { id state contract { id } }
"""


async def items(api: Api, *ids: str) -> dict[str, dict[str, Any]]:
    """Items by id as the read API shows them (None for unknown ids)."""
    found: dict[str, dict[str, Any]] = {}
    for item_id in ids:
        data = await api(f"query ($id: ID!) {{ inventoryItem(id: $id) {{ {ITEM} }} }}", id=item_id)
        found[item_id] = data["inventoryItem"]
    return found


async def four_g_to_five_g(api: Api) -> tuple[str, dict[str, str]]:
    """DOMAIN.md section 5 captured and submitted: returns the order id and the ids of the new 5G items."""
    order_id = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, order_id, [CONN_4G, ROUTER_4G], lineAction="DISCONNECT"))
    added: dict[str, str] = {}
    for spec_id in ("spec-5g-connectivity", "spec-5g-router"):
        lines = ok(await add_product(api, order_id, MBB, spec_id))["lines"]
        known = set(added.values()) | {MBB, CONN_4G, ROUTER_4G}
        new = [ln["inventoryItem"]["id"] for ln in lines if ln["action"] == "ADD"]
        added[spec_id] = next(i for i in new if i not in known)
    ok(await submit(api, order_id))
    return order_id, added


async def write(graph: Graph, cypher: str, **params: Any) -> None:
    """Change the graph behind the API's back (what another system might do)."""
    async with graph.driver.session(database=graph.database) as session:
        await (await session.run(cypher, params)).consume()


async def snapshot(graph: Graph) -> list[tuple[Any, ...]]:
    """Every node with its labels, id, state and version, and every relationship: equal snapshots
    mean nothing was written in between."""
    nodes = await graph.fetch(
        "MATCH (n) RETURN labels(n) AS labels, n.id AS id, n.state AS state, n.version AS version, "
        "n.characteristics AS characteristics, n.openOrderId AS claim ORDER BY id"
    )
    rels = await graph.fetch(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b ORDER BY a, type, b"
    )
    return [tuple(r.values()) for r in nodes] + [tuple(r.values()) for r in rels]
