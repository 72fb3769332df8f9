"""R13 over GraphQL: tasks run in the catalog's order, and the 4G to 5G upgrade makes before it breaks."""

from __future__ import annotations

import json
from typing import Any

from graph.driver import Graph
from graph.importer import import_installed_base
from installed_base.demo import demo_text
from installed_base.validate import parse
from tests.api.fulfillment_steps import task
from tests.api.lifecycle_steps import (
    approve,
    close_task,
    codes,
    do_field_work,
    four_g_to_five_g,
    load_demo_data,
    ok,
    order,
    snapshot,
    start_task,
    task_named,
    tasks_of,
)
from tests.conftest import Api


def _closed(current: dict[str, Any], kind: str, name: str) -> bool:
    return bool(task_named(current, kind, name)["state"] == "CLOSED_COMPLETE")


async def test_the_customer_never_has_neither_4g_nor_5g_service(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    current = ok(await approve(api, order_id))
    deactivate = task_named(current, "SERVICE", "Deactivate service")
    activate = task_named(current, "SERVICE", "Activate service")
    assert deactivate["pointOfNoReturn"] is True
    assert activate["id"] in {t["id"] for t in deactivate["dependsOn"]}

    # Deactivating 4G before 5G is active is refused, naming the activation.
    too_early = await close_task(api, deactivate["id"])
    assert codes(too_early) == ["TASK_NOT_READY"]
    assert activate["id"] in too_early["errors"][0]["ids"]
    assert "Activate service" in too_early["errors"][0]["message"]

    steps = 0
    while current["state"] != "COMPLETED":
        open_tasks = tasks_of(current, "OPEN", "IN_PROGRESS")
        ready = [t for t in open_tasks if t["ready"]]
        for waiting in (t for t in open_tasks if not t["ready"]):
            refused = await start_task(api, waiting["id"])
            assert codes(refused) == ["TASK_NOT_READY"], waiting
        if not ready:  # only field work holds everything up: the technician goes
            visits = [w for t in open_tasks for w in t["blockedByWorkOrders"]]
            assert visits, open_tasks
            await do_field_work(api, visits[0]["id"])
            current = await order(api, order_id)
            continue
        current = ok(await close_task(api, ready[0]["id"]))
        steps += 1
        # After every step: 4G is still on (not deactivated) or 5G is already on (activated).
        four_g_on = not _closed(current, "SERVICE", "Deactivate service")
        five_g_on = _closed(current, "SERVICE", "Activate service")
        assert four_g_on or five_g_on, f"the customer has no service after step {steps}"

    assert steps == len(tasks_of(current))
    billing = await task(api, order_id, "PRODUCT", "Update billing")
    assert {"Activate service", "Deactivate service"} <= {t["name"] for t in billing["dependsOn"]}


async def test_ready_and_blocked_by_show_what_a_task_waits_for(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))

    validate = await task(api, order_id, "PRODUCT", "Validate order")
    design = await task(api, order_id, "SERVICE", "Design service")
    assert validate["ready"] is True and validate["dependsOn"] == [] and validate["blockedBy"] == []
    assert design["ready"] is False and [t["name"] for t in design["blockedBy"]] == ["Validate order"]

    ok(await close_task(api, task_named(approved, "PRODUCT", "Validate order")["id"]))

    design = await task(api, order_id, "SERVICE", "Design service")
    assert design["ready"] is True and design["blockedBy"] == []
    assert [t["name"] for t in design["dependsOn"]] == ["Validate order"]
    # Sequence inside a domain order: the activation waits for the design.
    activate = await task(api, order_id, "SERVICE", "Activate service")
    assert "Design service" in {t["name"] for t in activate["blockedBy"]}
    closed = (await order(api, order_id))["domainOrders"]
    assert all(t["ready"] is False for d in closed for t in d["tasks"] if t["state"] == "CLOSED_COMPLETE")


async def test_dependencies_are_catalog_data_changed_through_import(clean_graph: Graph, api: Api) -> None:
    document = json.loads(demo_text())
    for spec in document["catalog"]["serviceSpecifications"]:
        for step in spec["fulfillment"]:
            if step["name"] == "Deactivate service":
                step["after"] = [d for d in step["after"] if not d.get("makeBeforeBreak")]
    await import_installed_base(clean_graph.driver, clean_graph.database, parse(document))
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))

    deactivate = task_named(approved, "SERVICE", "Deactivate service")
    activate = task_named(approved, "SERVICE", "Activate service")
    assert activate["id"] not in {t["id"] for t in deactivate["dependsOn"]}
    # Without the make-before-break entry the removal comes first in its domain order again.
    assert deactivate["sequence"] < activate["sequence"]


async def test_a_catalog_whose_dependencies_loop_refuses_the_approval_and_writes_nothing(
    clean_graph: Graph, api: Api
) -> None:
    document = json.loads(demo_text())
    for spec in document["catalog"]["productSpecifications"]:
        for step in spec["fulfillment"]:
            if step["name"] == "Ship device":  # the activation waits for the shipment: now the other way round too
                step["after"] = [{"domain": "SERVICE", "name": "Activate service"}]
    await import_installed_base(clean_graph.driver, clean_graph.database, parse(document))
    order_id, _ = await four_g_to_five_g(api)
    before = await snapshot(clean_graph)

    refused = await approve(api, order_id)

    assert codes(refused) == ["DEPENDENCY_CYCLE"]
    assert {"Ship device", "Activate service"} <= set(refused["errors"][0]["ids"])
    assert await snapshot(clean_graph) == before
