"""Tasks a revision adds (R14 with R13) are planned as an approval plans them: the catalog's
dependencies (make before break across old and new lines), durations, due dates and readiness are
those of the same tasks in a fresh order with the same lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graph.consistency import check_graph
from graph.driver import Graph
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    NORTHWIND,
    add_inventory,
    add_product,
    approve,
    cancel,
    create_order,
    load_demo_data,
    ok,
    submit,
)
from tests.api.revision_steps import mutate, revise
from tests.conftest import Api

TASKS = """
  domainOrders { kind tasks { id name state ready plannedStartAt dueAt dependsOn { id } } }
"""
Key = tuple[str, str]


async def planned_tasks(api: Api, order_id: str) -> dict[Key, dict[str, Any]]:
    """(domain, name) of each task still to do -> what it waits for (by domain and name), how long it
    is allowed, when it may start and whether it is ready."""
    data = await api(f"query ($id: ID!) {{ order(id: $id) {{ {TASKS} }} }}", id=order_id)
    tasks = {t["id"]: (d["kind"], t) for d in data["order"]["domainOrders"] for t in d["tasks"]}
    out: dict[Key, dict[str, Any]] = {}
    for kind, t in tasks.values():
        if t["state"] not in ("OPEN", "IN_PROGRESS"):
            continue
        start, due = datetime.fromisoformat(t["plannedStartAt"]), datetime.fromisoformat(t["dueAt"])
        out[(kind, t["name"])] = {
            "id": t["id"],
            "dependsOn": {(tasks[d["id"]][0], tasks[d["id"]][1]["name"]) for d in t["dependsOn"]},
            "hours": (due - start).total_seconds() / 3600,
            "start": start,
            "due": due,
            "ready": t["ready"],
        }
    return out


def relative(tasks: dict[Key, dict[str, Any]], key: Key) -> list[tuple[Key, float]]:
    """When each task it waits for is due, in hours before the task may start."""
    start = tasks[key]["start"]
    return sorted((dep, (start - tasks[dep]["due"]).total_seconds() / 3600) for dep in tasks[key]["dependsOn"])


async def test_tasks_a_revision_adds_wait_and_are_due_like_a_fresh_orders(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    # A fresh order with both lines: 4G connectivity goes, 5G connectivity comes (make before break).
    fresh_id = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, fresh_id, [CONN_4G], lineAction="DISCONNECT"))
    ok(await add_product(api, fresh_id, MBB, "spec-5g-connectivity"))
    ok(await submit(api, fresh_id))
    ok(await approve(api, fresh_id))
    fresh = await planned_tasks(api, fresh_id)
    ok(await cancel(api, fresh_id, "only to compare"))

    # The same lines in two steps: the disconnect runs, a revision adds the 5G product.
    order_id = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, order_id, [CONN_4G], lineAction="DISCONNECT"))
    ok(await submit(api, order_id))
    ok(await approve(api, order_id))
    before = await planned_tasks(api, order_id)
    ok(await revise(api, order_id, "add 5G before 4G goes"))
    ok(await mutate(api, "addProductToOrder", **{"in": {
        "orderId": order_id, "parentInventoryId": MBB, "specificationId": "spec-5g-connectivity"}}))
    ok(await mutate(api, "submitOrder", o=order_id))
    ok(await mutate(api, "approveOrder", o=order_id))
    report = await check_graph(clean_graph)
    assert report.ok, [str(v) for v in report.violations]
    revised = await planned_tasks(api, order_id)

    new = set(revised) - set(before)
    assert new, "the 5G product brings tasks of its own"
    assert set(revised) == set(fresh)
    for key in new:
        assert revised[key]["dependsOn"] == fresh[key]["dependsOn"], key
        assert revised[key]["hours"] == fresh[key]["hours"], key
        assert revised[key]["ready"] == fresh[key]["ready"], key
        assert relative(revised, key) == relative(fresh, key), key
    # Make before break holds across the running and the added lines: 4G is deactivated only once
    # 5G is active, and every task waits for exactly what it would wait for in the fresh order.
    assert ("SERVICE", "Activate service") in revised[("SERVICE", "Deactivate service")]["dependsOn"]
    assert {k: v["dependsOn"] for k, v in revised.items()} == {k: v["dependsOn"] for k, v in fresh.items()}
    assert not revised[("SERVICE", "Deactivate service")]["ready"]
    # Running tasks that now wait for new ones are planned after them, keeping their allowed time.
    for key in set(revised) - new:
        assert revised[key]["hours"] == before[key]["hours"], key
        assert relative(revised, key) == relative(fresh, key), key
    deactivate = revised[("SERVICE", "Deactivate service")]
    assert deactivate["start"] == revised[("SERVICE", "Activate service")]["due"] > before[("SERVICE", "Deactivate service")]["start"]
