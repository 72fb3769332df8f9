"""Two clients acting on the same order at the same moment: exactly one wins, the other gets a typed
error, and the graph is as if only the winner ran. A failure in the middle leaves nothing behind.
The number of statements a step costs does not grow with the order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph import fulfillment
from graph.driver import Graph
from service.live import LiveServer
from tests.api.lifecycle_steps import (
    add_inventory,
    approve,
    cancel,
    close_all_tasks,
    close_task,
    codes,
    create_order,
    items,
    ok,
    order,
    snapshot,
    submit,
    tasks_of,
)
from tests.builders import account, document, item, load, spec
from tests.conftest import Api

ACCOUNT = "acc-race"
ROUNDS = 3


async def plans_account(graph: Graph, plans: int) -> None:
    """One bundle with `plans` speed plans; no services, so every order has one PRODUCT domain order
    with the default tasks 'Validate order' and 'Update billing' (neither a point of no return)."""
    specs = [
        spec("s-bundle", bundles=[("s-plan", 0, plans)]),
        spec("s-plan", characteristics={"speed": ["100", "500"]}),
    ]
    plan_items = [item(f"plan-{i:05d}", "s-plan", speed="100") for i in range(plans)]
    await load(graph, document(specs, account(ACCOUNT, item("bundle", "s-bundle", *plan_items))))


async def submitted_change(api: Api, plan_ids: list[str]) -> str:
    order_id = await create_order(api, ACCOUNT, "CHANGE")
    ok(await add_inventory(api, order_id, plan_ids, characteristics=[{"name": "speed", "value": "500"}]))
    ok(await submit(api, order_id))
    return order_id


def plan_ids(round_no: int, size: int = 3) -> list[str]:
    return [f"plan-{i:05d}" for i in range(round_no * size, (round_no + 1) * size)]


async def count(graph: Graph, cypher: str, **params: Any) -> int:
    rows = await graph.fetch(cypher + " RETURN count(*) AS n", **params)
    return int(rows[0]["n"])


async def events_to(graph: Graph, order_id: str, state: str) -> int:
    return await count(
        graph, "MATCH (:CustomerOrder {id: $id})-[:HAS_EVENT]->(:OrderEvent {toState: $state})", id=order_id,
        state=state,
    )


def one_winner(first: dict[str, Any], second: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(winner, loser) of two payloads; fails unless exactly one succeeded."""
    won = [p for p in (first, second) if not p["errors"]]
    lost = [p for p in (first, second) if p["errors"]]
    assert len(won) == 1 and len(lost) == 1, (first["errors"], second["errors"])
    return won[0], lost[0]


async def test_two_approvals_at_once(clean_graph: Graph, api: Api) -> None:
    await plans_account(clean_graph, ROUNDS * 3)
    for round_no in range(ROUNDS):
        order_id = await submitted_change(api, plan_ids(round_no))

        winner, loser = one_winner(*await asyncio.gather(approve(api, order_id), approve(api, order_id)))

        assert winner["order"]["state"] == "IN_PROGRESS"
        assert codes(loser) == ["NOT_APPROVABLE"]
        assert await count(clean_graph, "MATCH (:CustomerOrder {id: $id})-[:DECOMPOSED_INTO]->()", id=order_id) == 1
        assert await count(clean_graph, "MATCH (t:OrderTask {orderId: $id})", id=order_id) == 2
        assert await events_to(clean_graph, order_id, "IN_PROGRESS") == 1
        assert await count(
            clean_graph, "MATCH (e:InventoryEvent {orderId: $id, toValue: 'CHANGE_PENDING'})", id=order_id
        ) == 3


async def test_two_cancellations_at_once(clean_graph: Graph, api: Api) -> None:
    await plans_account(clean_graph, ROUNDS * 3)
    for round_no in range(ROUNDS):
        order_id = await submitted_change(api, plan_ids(round_no))
        ok(await approve(api, order_id))

        winner, loser = one_winner(*await asyncio.gather(cancel(api, order_id), cancel(api, order_id)))

        assert winner["order"]["state"] == "CANCELLED"
        assert codes(loser) == ["INVALID_STATE"]
        assert await events_to(clean_graph, order_id, "CANCELLATION_IN_PROGRESS") == 1
        assert await events_to(clean_graph, order_id, "CANCELLED") == 1
        found = await items(api, *plan_ids(round_no))
        assert {i["state"] for i in found.values()} == {"ACTIVE"}
        assert await count(
            clean_graph, "MATCH (e:InventoryEvent {orderId: $id, toValue: 'ACTIVE'})", id=order_id
        ) == 3


async def test_two_clients_closing_the_last_task(clean_graph: Graph, api: Api) -> None:
    await plans_account(clean_graph, ROUNDS * 3)
    for round_no in range(ROUNDS):
        order_id = await submitted_change(api, plan_ids(round_no))
        ok(await approve(api, order_id))
        current = await close_all_tasks(api, order_id, keep=1)
        (last,) = tasks_of(current, "OPEN", "IN_PROGRESS")

        winner, loser = one_winner(*await asyncio.gather(close_task(api, last["id"]), close_task(api, last["id"])))

        assert winner["order"]["state"] == "COMPLETED"
        assert codes(loser) == ["TASK_NOT_OPEN"]
        assert await events_to(clean_graph, order_id, "COMPLETED") == 1
        found = await items(api, *plan_ids(round_no))
        assert {i["state"] for i in found.values()} == {"ACTIVE"}
        assert all(i["characteristics"] == [{"name": "speed", "value": "500"}] for i in found.values())
        assert await count(
            clean_graph, "MATCH (e:InventoryEvent {orderId: $id, field: 'characteristics'})", id=order_id
        ) == 3


async def test_closing_the_last_task_while_another_client_cancels(clean_graph: Graph, api: Api) -> None:
    await plans_account(clean_graph, ROUNDS * 3)
    for round_no in range(ROUNDS):
        order_id = await submitted_change(api, plan_ids(round_no))
        ok(await approve(api, order_id))
        current = await close_all_tasks(api, order_id, keep=1)
        (last,) = tasks_of(current, "OPEN", "IN_PROGRESS")

        closed, cancelled = await asyncio.gather(close_task(api, last["id"]), cancel(api, order_id))

        one_winner(closed, cancelled)
        final = await order(api, order_id)
        found = await items(api, *plan_ids(round_no))
        if not closed["errors"]:
            assert final["state"] == "COMPLETED" and codes(cancelled) == ["INVALID_STATE"]
            assert await events_to(clean_graph, order_id, "CANCELLED") == 0
            assert {c["value"] for i in found.values() for c in i["characteristics"]} == {"500"}
        else:
            assert final["state"] == "CANCELLED" and codes(closed) == ["TASK_NOT_OPEN"]
            assert await events_to(clean_graph, order_id, "COMPLETED") == 0
            assert {c["value"] for i in found.values() for c in i["characteristics"]} == {"100"}
        assert {i["state"] for i in found.values()} == {"ACTIVE"}
        assert all(i["openOrder"] is None for i in found.values())


async def test_a_failure_in_the_middle_of_completion_leaves_nothing_half_applied(
    clean_graph: Graph, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    await plans_account(clean_graph, 3)
    order_id = await submitted_change(api, plan_ids(0))
    ok(await approve(api, order_id))
    current = await close_all_tasks(api, order_id, keep=1)
    (last,) = tasks_of(current, "OPEN", "IN_PROGRESS")
    before = await snapshot(clean_graph)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away while granting entitlements")

    # Granting entitlements runs after item states, characteristics and services are written.
    monkeypatch.setattr(fulfillment, "grant_entitlements", broken)
    body = await api.raw(
        "mutation ($t: ID!) { closeOrderTask(taskId: $t) { order { state } errors { code } } }", t=last["id"]
    )

    assert body["errors"] and "Traceback" not in str(body) and "database went away" not in str(body)
    assert await snapshot(clean_graph) == before
    still = await order(api, order_id)
    assert still["state"] == "IN_PROGRESS" and tasks_of(still, "OPEN") == [last]

    monkeypatch.undo()
    assert ok(await close_task(api, last["id"]))["state"] == "COMPLETED"


async def test_a_failure_in_the_middle_of_approval_leaves_nothing_half_applied(
    clean_graph: Graph, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    await plans_account(clean_graph, 3)
    order_id = await submitted_change(api, plan_ids(0))
    before = await snapshot(clean_graph)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("decomposition failed")

    monkeypatch.setattr(fulfillment, "write_decomposition", broken)
    body = await api.raw("mutation ($o: ID!) { approveOrder(orderId: $o) { errors { code } } }", o=order_id)

    assert body["errors"]
    assert await snapshot(clean_graph) == before
    monkeypatch.undo()
    assert ok(await approve(api, order_id))["state"] == "IN_PROGRESS"


async def test_approval_and_completion_cost_the_same_statements_for_3_or_60_lines(
    clean_graph: Graph, api: Api, live_server: LiveServer
) -> None:
    await plans_account(clean_graph, 63)
    costs = []
    for ids in (plan_ids(0), [f"plan-{i:05d}" for i in range(3, 63)]):
        order_id = await submitted_change(api, ids)
        before = live_server.round_trips
        ok(await approve(api, order_id))
        approval = live_server.round_trips - before
        current = await close_all_tasks(api, order_id, keep=1)
        (last,) = tasks_of(current, "OPEN", "IN_PROGRESS")
        before = live_server.round_trips
        assert ok(await close_task(api, last["id"]))["state"] == "COMPLETED"
        costs.append((approval, live_server.round_trips - before))
    assert costs[0] == costs[1], costs
