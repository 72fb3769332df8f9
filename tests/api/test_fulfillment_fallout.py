"""R13 over GraphQL: a task fails, the order is in fallout, the team retries or skips it; races between
failing and closing the same task have exactly one winner."""

from __future__ import annotations

import asyncio
from typing import Any

from graph.driver import Graph
from tests.api.fulfillment_steps import fail, fallout_queue, retry, skip, task
from tests.api.lifecycle_steps import (
    approve,
    cancel,
    close_all_tasks,
    close_task,
    close_through,
    codes,
    four_g_to_five_g,
    load_demo_data,
    ok,
    snapshot,
    start_task,
    task_named,
)
from tests.conftest import Api


async def test_a_failed_task_stops_what_depends_on_it_until_it_is_retried(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    validate = task_named(approved, "PRODUCT", "Validate order")
    ok(await start_task(api, validate["id"]))

    failed = ok(await fail(api, validate["id"], "  Credit check unavailable ", "OTHER"))

    assert failed["fallout"] is True and failed["state"] == "IN_PROGRESS"
    shown = await task(api, order_id, "PRODUCT", "Validate order")
    assert (shown["state"], shown["failureReason"], shown["failureCategory"]) == (
        "FAILED", "Credit check unavailable", "OTHER"
    )
    assert shown["ready"] is False and shown["order"]["fallout"] is True
    assert [(e["fromState"], e["toState"]) for e in shown["history"]] == [
        ("OPEN", "IN_PROGRESS"), ("IN_PROGRESS", "FAILED")
    ]
    design = task_named(failed, "SERVICE", "Design service")
    blocked = await start_task(api, design["id"])
    assert codes(blocked) == ["TASK_NOT_READY"] and blocked["errors"][0]["ids"] == [validate["id"]]
    assert codes(await close_task(api, validate["id"])) == ["TASK_NOT_OPEN"]

    retried = ok(await retry(api, validate["id"]))

    assert retried["fallout"] is False
    shown = await task(api, order_id, "PRODUCT", "Validate order")
    assert (shown["state"], shown["attempt"], shown["ready"]) == ("OPEN", 2, True)
    assert shown["history"][-1]["toState"] == "OPEN" and shown["history"][-1]["attempt"] == 2
    assert codes(await retry(api, validate["id"])) == ["INVALID_STATE"]
    ok(await close_task(api, validate["id"]))
    assert (await task(api, order_id, "SERVICE", "Design service"))["ready"] is True


async def test_refusals_of_fail_retry_and_skip_write_nothing(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    validate = task_named(approved, "PRODUCT", "Validate order")
    before = await snapshot(clean_graph)

    blank = await fail(api, validate["id"], "   ")
    assert codes(blank) == ["INVALID_INPUT"] and blank["errors"][0]["field"] == "reason"
    assert codes(await skip(api, validate["id"], "")) == ["INVALID_INPUT"]
    assert codes(await retry(api, validate["id"])) == ["INVALID_STATE"]
    for refused in (await fail(api, "task-nope"), await retry(api, "task-nope"), await skip(api, "task-nope")):
        assert codes(refused) == ["NOT_FOUND"] and refused["errors"][0]["ids"] == ["task-nope"]
    assert await snapshot(clean_graph) == before

    ok(await close_task(api, validate["id"]))
    assert codes(await fail(api, validate["id"])) == ["TASK_NOT_OPEN"]
    assert codes(await skip(api, validate["id"])) == ["TASK_NOT_OPEN"]


async def test_an_order_in_fallout_never_completes_and_a_skip_lets_it(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    ok(await approve(api, order_id))
    current = await close_all_tasks(api, order_id, keep=1)
    (last,) = [t for d in current["domainOrders"] for t in d["tasks"] if t["state"] in ("OPEN", "IN_PROGRESS")]

    failed = ok(await fail(api, last["id"], "Billing system rejected the rate plan", "BILLING"))
    assert failed["state"] == "IN_PROGRESS" and failed["fallout"] is True
    assert codes(await close_task(api, last["id"])) == ["TASK_NOT_OPEN"]

    skipped = ok(await skip(api, last["id"], "Rate plan set by hand in billing"))

    assert skipped["state"] == "COMPLETED" and skipped["fallout"] is False
    kind = next(d["kind"] for d in current["domainOrders"] if last["id"] in {t["id"] for t in d["tasks"]})
    shown = await task(api, order_id, kind, last["name"])
    assert (shown["state"], shown["skipReason"]) == ("SKIPPED", "Rate plan set by hand in billing")
    assert [(e["fromState"], e["toState"], e["reason"]) for e in shown["history"][-2:]] == [
        ("OPEN", "FAILED", "Billing system rejected the rate plan"),
        ("FAILED", "SKIPPED", "Rate plan set by hand in billing"),
    ]
    assert {d["state"] for d in skipped["domainOrders"]} == {"CLOSED_COMPLETE"}


async def test_an_order_in_fallout_is_cancelled_with_compensation_before_its_point_of_no_return(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    ok(await fail(api, task_named(approved, "PRODUCT", "Validate order")["id"], "Fraud check failed", "OTHER"))

    cancelled = ok(await cancel(api, order_id, "Customer withdrew"))

    assert cancelled["state"] == "CANCELLED" and cancelled["fallout"] is False
    assert {t["state"] for d in cancelled["domainOrders"] for t in d["tasks"]} == {"CANCELLED"}


async def test_after_its_point_of_no_return_an_order_in_fallout_can_only_be_retried_or_skipped(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    ok(await approve(api, order_id))
    current = await close_through(api, order_id, "SERVICE", "Activate service")
    deactivate = task_named(current, "SERVICE", "Deactivate service")
    ok(await fail(api, deactivate["id"], "Network element unreachable"))

    refused = await cancel(api, order_id)

    assert codes(refused) == ["PAST_POINT_OF_NO_RETURN"]
    ok(await retry(api, deactivate["id"]))
    assert (await close_all_tasks(api, order_id))["state"] == "COMPLETED"


async def test_the_fallout_queue_lists_failed_tasks_across_orders_oldest_first(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    first_order, _ = await four_g_to_five_g(api)
    first = ok(await approve(api, first_order))
    second_order = await _second_order(api)
    second = ok(await approve(api, second_order))

    ok(await fail(api, task_named(second, "PRODUCT", "Validate order")["id"], "No credit", "BILLING"))
    ok(await fail(api, task_named(first, "PRODUCT", "Validate order")["id"], "Timeout", "PROVISIONING"))

    queue = await fallout_queue(api, first=1)
    assert queue["totalCount"] == 2 and queue["pageInfo"]["hasNextPage"] is True
    rest = await fallout_queue(api, first=5, after=queue["pageInfo"]["endCursor"])
    orders = [e["node"]["order"]["id"] for e in queue["edges"] + rest["edges"]]
    assert orders == [second_order, first_order]  # oldest failure first
    billing = await fallout_queue(api, category="BILLING")
    assert [e["node"]["order"]["id"] for e in billing["edges"]] == [second_order]
    assert billing["edges"][0]["node"]["failureCategory"] == "BILLING"


async def _second_order(api: Api) -> str:
    """A suspension on another account, submitted."""
    from tests.api.lifecycle_steps import add_inventory, create_order, submit

    order_id = await create_order(api, "acc-contoso", "SUSPEND")
    ok(await add_inventory(api, order_id, ["pi-contoso-internet"]))
    ok(await submit(api, order_id))
    return order_id


async def test_failing_and_closing_the_same_task_at_once_has_exactly_one_winner(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    validate = task_named(approved, "PRODUCT", "Validate order")

    failed, closed = await asyncio.gather(fail(api, validate["id"]), close_task(api, validate["id"]))

    winners = [p for p in (failed, closed) if p["errors"] == []]
    losers = [p for p in (failed, closed) if p["errors"] != []]
    assert len(winners) == 1 and len(losers) == 1
    assert codes(losers[0]) == ["TASK_NOT_OPEN"]
    shown = await task(api, order_id, "PRODUCT", "Validate order")
    expected: dict[str, Any] = {"state": "FAILED"} if winners[0] is failed else {"state": "CLOSED_COMPLETE"}
    assert shown["state"] == expected["state"]
    assert len(shown["history"]) == 1  # one transition recorded, the winner's
