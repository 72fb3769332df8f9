"""DOMAIN.md section 5 with R13: the 4G to 5G upgrade runs in the catalog's order, its activation fails
once (provisioning), sits in the fallout queue, is retried and the order completes."""

from __future__ import annotations

from graph.driver import Graph
from tests.api.fulfillment_steps import fail, fallout_queue, retry, task
from tests.api.lifecycle_steps import (
    CONN_4G,
    approve,
    close_all_tasks,
    close_task,
    close_through,
    codes,
    four_g_to_five_g,
    items,
    load_demo_data,
    ok,
    task_named,
)
from tests.conftest import Api


async def test_the_upgrade_survives_a_provisioning_failure_and_completes(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, added = await four_g_to_five_g(api)
    ok(await approve(api, order_id))
    current = await close_through(api, order_id, "SERVICE", "Design service")
    current = await close_through(api, order_id, "RESOURCE", "Ship device")
    activate = task_named(current, "SERVICE", "Activate service")
    assert activate["ready"] is True

    failed = ok(await fail(api, activate["id"], "5G core did not confirm the attach", "PROVISIONING"))

    assert failed["fallout"] is True and failed["pastPointOfNoReturn"] is False
    queue = await fallout_queue(api, category="PROVISIONING")
    assert [e["node"]["id"] for e in queue["edges"]] == [activate["id"]]
    deactivate = task_named(failed, "SERVICE", "Deactivate service")
    assert codes(await close_task(api, deactivate["id"])) == ["TASK_NOT_READY"]  # 4G stays on
    assert (await items(api, CONN_4G))[CONN_4G]["state"] == "DISCONNECT_PENDING"

    ok(await retry(api, activate["id"]))
    assert (await fallout_queue(api))["totalCount"] == 0
    done = await close_all_tasks(api, order_id)

    assert done["state"] == "COMPLETED" and done["fallout"] is False
    shown = await task(api, order_id, "SERVICE", "Activate service")
    assert (shown["state"], shown["attempt"]) == ("CLOSED_COMPLETE", 2)
    assert [(e["toState"], e["attempt"]) for e in shown["history"]] == [
        ("FAILED", 1), ("OPEN", 2), ("CLOSED_COMPLETE", 2)
    ]
    assert shown["history"][0]["category"] == "PROVISIONING"
    found = await items(api, CONN_4G, added["spec-5g-connectivity"])
    assert found[CONN_4G]["state"] == "INACTIVE"
    assert found[added["spec-5g-connectivity"]]["state"] == "ACTIVE"
    assert {w["state"] for w in done["workOrders"]} == {"CLOSED_COMPLETE"}
