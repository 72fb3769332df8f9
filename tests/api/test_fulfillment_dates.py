"""R13 over GraphQL: requested dates, due dates from catalog durations, jeopardy at a chosen instant
(the test clock, no sleeping), the queues sorted and filtered by it, and the order's milestones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from graph.driver import Graph
from service.clock import NOW_HEADER, TOKEN_HEADER
from tests.api.clock import at
from tests.api.fulfillment_steps import fail
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    NORTHWIND,
    PAYLOAD,
    ROUTER_4G,
    add_inventory,
    add_product,
    close_task,
    codes,
    do_field_work,
    load_demo_data,
    ok,
    order,
    submit,
    task_named,
)
from tests.conftest import Api

START = datetime(2031, 5, 5, tzinfo=UTC)  # a Monday, far from the real clock
TASKS = "domainOrders { kind tasks { id name state ready plannedStartAt dueAt jeopardy } }"


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _upgrade_with_dates(api: Api, start: str | None, completion: str | None) -> dict[str, Any]:
    data = await api(
        f"mutation ($in: CreateOrderInput!) {{ createOrder(input: $in) {{ {PAYLOAD} }} }}",
        **{"in": {"accountId": NORTHWIND, "action": "CHANGE", "requestedStartDate": start,
                  "requestedCompletionDate": completion}},
    )
    return data["createOrder"]  # type: ignore[no-any-return]


async def _captured(api: Api, start: str | None, completion: str | None) -> str:
    order_id = str(ok(await _upgrade_with_dates(api, start, completion))["id"])
    ok(await add_inventory(api, order_id, [CONN_4G, ROUTER_4G], lineAction="DISCONNECT"))
    for spec_id in ("spec-5g-connectivity", "spec-5g-router"):
        ok(await add_product(api, order_id, MBB, spec_id))
    return order_id


async def _mutate(api: Api, when: datetime, name: str, argument: str, value: str) -> dict[str, Any]:
    data = await at(api, when, f"mutation ($v: ID!) {{ {name}({argument}: $v) {{ order {{ id state {TASKS} }} "
                    "errors { code message field ids } } }", v=value)
    return data[name]  # type: ignore[no-any-return]


async def _order_at(api: Api, when: datetime, order_id: str) -> dict[str, Any]:
    data = await at(
        api, when,
        f"query ($o: ID!) {{ order(id: $o) {{ state dueAt jeopardy requestedStartDate requestedCompletionDate "
        f"milestones {{ kind at }} {TASKS} }} }}",
        o=order_id,
    )
    return data["order"]  # type: ignore[no-any-return]


async def test_no_task_is_ready_before_the_requested_start_date(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await _captured(api, "2031-05-12", "2031-05-30")
    ok(await submit(api, order_id))
    approved = ok(await _mutate(api, START, "approveOrder", "orderId", order_id))
    validate = task_named(approved, "PRODUCT", "Validate order")

    assert validate["ready"] is False
    assert _when(validate["plannedStartAt"]) == datetime(2031, 5, 12, tzinfo=UTC)
    early = await _mutate(api, START + timedelta(days=6), "startOrderTask", "taskId", validate["id"])
    assert codes(early) == ["TASK_NOT_READY"] and early["errors"][0]["ids"] == [order_id]
    assert "2031-05-12" in early["errors"][0]["message"]

    on_the_day = datetime(2031, 5, 12, 9, tzinfo=UTC)
    assert task_named(await _order_at(api, on_the_day, order_id), "PRODUCT", "Validate order")["ready"] is True
    assert (await _mutate(api, on_the_day, "startOrderTask", "taskId", validate["id"]))["errors"] == []

    shown = await _order_at(api, on_the_day, order_id)
    assert (shown["requestedStartDate"], shown["requestedCompletionDate"]) == ("2031-05-12", "2031-05-30")
    assert _when(shown["dueAt"]) == datetime(2031, 5, 31, tzinfo=UTC)  # the end of the requested day


async def test_a_completion_date_before_the_start_date_is_refused(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    refused = await _upgrade_with_dates(api, "2031-05-12", "2031-05-11")
    assert codes(refused) == ["INVALID_INPUT"] and refused["errors"][0]["field"] == "requestedCompletionDate"


async def test_due_dates_follow_catalog_durations_and_jeopardy_grows_with_the_time_used(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id = await _captured(api, None, "2031-05-06")
    ok(await submit(api, order_id))
    approved = ok(await _mutate(api, START, "approveOrder", "orderId", order_id))
    validate = task_named(approved, "PRODUCT", "Validate order")
    design = task_named(approved, "SERVICE", "Design service")

    # Validate order is allowed 4 hours from approval; the design (8 hours) starts when it is due.
    assert (_when(validate["plannedStartAt"]), _when(validate["dueAt"])) == (START, START + timedelta(hours=4))
    assert (_when(design["plannedStartAt"]), _when(design["dueAt"])) == (
        START + timedelta(hours=4), START + timedelta(hours=12)
    )
    levels = {}
    for hours in (1, 2.5, 3.1, 3.7, 4, 30):
        shown = await _order_at(api, START + timedelta(hours=hours), order_id)
        levels[hours] = (task_named(shown, "PRODUCT", "Validate order")["jeopardy"], shown["jeopardy"])
    assert levels == {
        1: ("NONE", "NONE"), 2.5: ("LOW", "LOW"), 3.1: ("MEDIUM", "MEDIUM"), 3.7: ("HIGH", "HIGH"),
        4: ("CRITICAL", "CRITICAL"), 30: ("CRITICAL", "CRITICAL"),
    }
    # A finished task is in no jeopardy; the order's own dates still count.
    ok(await _mutate(api, START + timedelta(hours=1), "closeOrderTask", "taskId", validate["id"]))
    later = await _order_at(api, START + timedelta(hours=30), order_id)
    assert task_named(later, "PRODUCT", "Validate order")["jeopardy"] == "NONE"
    assert later["jeopardy"] == "CRITICAL"  # due at the end of 6 May: 30 of 48 hours used, but tasks are late


async def test_the_queues_sort_by_due_date_and_filter_by_jeopardy(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await _captured(api, None, None)
    ok(await submit(api, order_id))
    approved = ok(await _mutate(api, START, "approveOrder", "orderId", order_id))

    queue = await at(
        api, START + timedelta(hours=5),
        "query ($o: ID, $j: [Jeopardy!]) { openTasks(orderId: $o, orderBy: DUE_DATE, jeopardy: $j, first: 100) "
        "{ totalCount edges { node { name dueAt jeopardy } } } }",
        o=order_id, j=None,
    )
    dues = [_when(e["node"]["dueAt"]) for e in queue["openTasks"]["edges"]]
    assert dues == sorted(dues) and len(dues) == queue["openTasks"]["totalCount"] > 3
    critical = await at(
        api, START + timedelta(hours=5),
        "query ($o: ID, $j: [Jeopardy!]) { openTasks(orderId: $o, jeopardy: $j) { edges { node { name jeopardy } } } }",
        o=order_id, j=["CRITICAL"],
    )
    assert [e["node"]["name"] for e in critical["openTasks"]["edges"]] == ["Validate order"]

    ok(await fail(api, task_named(approved, "PRODUCT", "Validate order")["id"], "Timeout", "PROVISIONING"))
    fallout = await at(
        api, START + timedelta(hours=1),
        "query ($j: [Jeopardy!]) { falloutTasks(jeopardy: $j, orderBy: DUE_DATE) { totalCount } }", j=["NONE"],
    )
    assert fallout["falloutTasks"]["totalCount"] == 1
    late = await at(
        api, START + timedelta(hours=1),
        "query ($j: [Jeopardy!]) { falloutTasks(jeopardy: $j) { totalCount } }", j=["HIGH", "CRITICAL"],
    )
    assert late["falloutTasks"]["totalCount"] == 0


async def test_milestones_are_stamped_when_first_reached(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await _captured(api, None, None)
    submitted_at, approved_at = START, START + timedelta(hours=1)
    assert (await _mutate(api, submitted_at, "submitOrder", "orderId", order_id))["errors"] == []
    current = ok(await _mutate(api, approved_at, "approveOrder", "orderId", order_id))

    clock = approved_at
    while current["state"] != "COMPLETED":
        clock += timedelta(minutes=10)
        ready = [t for d in current["domainOrders"] for t in d["tasks"] if t["ready"]]
        if not ready:
            waiting = await order(api, order_id)
            visits = [w for d in waiting["domainOrders"] for t in d["tasks"] for w in t["blockedByWorkOrders"]]
            await do_field_work(api, visits[0]["id"])
            current = await _order_at(api, clock, order_id)
            continue
        step = ready[0]
        current = ok(await _mutate(api, clock, "closeOrderTask", "taskId", step["id"]))
        if step["name"] == "Activate service":
            activated_at = clock

    milestones = {m["kind"]: m["at"] and _when(m["at"]) for m in (await _order_at(api, clock, order_id))["milestones"]}
    assert milestones == {
        "ACCEPTED": submitted_at,
        "APPROVED": approved_at,
        "FIRST_ACTIVATION": activated_at,
        "POINT_OF_NO_RETURN_PASSED": activated_at,  # the activation is the first point of no return
        "COMPLETED": clock,
    }
    draft = str(ok(await _upgrade_with_dates(api, None, None))["id"])
    assert all(m["at"] is None for m in (await _order_at(api, clock, draft))["milestones"])


async def test_the_system_clock_decides_unless_the_test_clock_token_matches(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await _captured(api, "2031-05-12", None)
    ok(await submit(api, order_id))
    approved = ok(await _mutate(api, START, "approveOrder", "orderId", order_id))
    validate = task_named(approved, "PRODUCT", "Validate order")["id"]

    # Today is long before the requested start: the real clock says not ready.
    assert codes(await close_task(api, validate)) == ["TASK_NOT_READY"]
    # A forged instant with a wrong token is ignored.
    forged = await api.raw(
        "mutation ($t: ID!) { closeOrderTask(taskId: $t) { errors { code } } }",
        headers={TOKEN_HEADER: "not-the-token", NOW_HEADER: "2031-06-01T00:00:00+00:00"},
        t=validate,
    )
    assert [e["code"] for e in forged["data"]["closeOrderTask"]["errors"]] == ["TASK_NOT_READY"]
    assert (await _mutate(api, datetime(2031, 6, 1, tzinfo=UTC), "closeOrderTask", "taskId", validate))["errors"] == []
