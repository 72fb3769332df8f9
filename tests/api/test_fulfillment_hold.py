"""R13 over GraphQL: an order on hold moves no task, can still be cancelled, and resumes."""

from __future__ import annotations

from graph.driver import Graph
from tests.api.fulfillment_steps import hold, resume, skip
from tests.api.lifecycle_steps import (
    approve,
    cancel,
    close_all_tasks,
    close_task,
    codes,
    create_order,
    four_g_to_five_g,
    load_demo_data,
    ok,
    order,
    snapshot,
    start_task,
    task_named,
)
from tests.conftest import Api


async def test_a_held_order_moves_no_task_until_it_is_resumed(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    validate = task_named(approved, "PRODUCT", "Validate order")

    held = ok(await hold(api, order_id, "  Customer is travelling "))

    assert (held["onHold"], held["holdReason"], held["state"]) == (True, "Customer is travelling", "IN_PROGRESS")
    assert task_named(held, "PRODUCT", "Validate order")["ready"] is False
    before = await snapshot(clean_graph)
    for refused in (await start_task(api, validate["id"]), await close_task(api, validate["id"]),
                    await skip(api, validate["id"])):
        assert codes(refused) == ["ORDER_ON_HOLD"] and refused["errors"][0]["ids"] == [order_id]
    assert codes(await hold(api, order_id)) == ["ORDER_ON_HOLD"]
    assert await snapshot(clean_graph) == before

    resumed = ok(await resume(api, order_id))

    assert (resumed["onHold"], resumed["holdReason"]) == (False, None)
    assert codes(await resume(api, order_id)) == ["INVALID_STATE"]
    assert (await close_all_tasks(api, order_id))["state"] == "COMPLETED"
    history = (await order(api, order_id))["history"]
    kinds = await api("query ($o: ID!) { order(id: $o) { history { kind toState reason } } }", o=order_id)
    assert [(e["kind"], e["reason"]) for e in kinds["order"]["history"] if e["kind"] != "STATE_CHANGE"] == [
        ("HOLD", "Customer is travelling"), ("RESUME", None)
    ]
    assert [e["toState"] for e in history][-1] == "COMPLETED"


async def test_a_held_order_can_still_be_cancelled_before_its_point_of_no_return(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    ok(await approve(api, order_id))
    ok(await hold(api, order_id))

    cancelled = ok(await cancel(api, order_id, "Customer changed their mind"))

    assert (cancelled["state"], cancelled["onHold"]) == ("CANCELLED", False)


async def test_only_an_order_in_progress_can_be_held_and_a_hold_needs_a_reason(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    draft = await create_order(api, "acc-northwind", "CHANGE")
    assert codes(await hold(api, draft)) == ["INVALID_STATE"]
    assert codes(await hold(api, "ord-nope")) == ["NOT_FOUND"]
    order_id, _ = await four_g_to_five_g(api)
    ok(await approve(api, order_id))
    blank = await hold(api, order_id, " ")
    assert codes(blank) == ["INVALID_INPUT"] and blank["errors"][0]["field"] == "reason"
