"""Applying a revision (R14) is one transaction whose statement count does not grow with the lines it
adds, and a failure in the middle leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest

from graph import revisions
from graph.driver import Graph
from service.live import LiveServer
from tests.api.lifecycle_steps import approve, close_all_tasks, ok, snapshot
from tests.api.revision_steps import mutate, revise
from tests.api.test_lifecycle_concurrency import plans_account, submitted_change
from tests.conftest import Api


def plans(start: int, size: int) -> list[str]:
    return [f"plan-{i:05d}" for i in range(start, start + size)]


async def revision_adding(api: Api, running: list[str], added: list[str]) -> str:
    order_id = await submitted_change(api, running)
    ok(await approve(api, order_id))
    ok(await revise(api, order_id, "more plans"))
    ok(await mutate(api, "addInventoryToOrder", **{"in": {
        "orderId": order_id, "inventoryIds": added, "characteristics": [{"name": "speed", "value": "500"}]}}))
    ok(await mutate(api, "submitOrder", o=order_id))
    return order_id


async def test_approving_a_revision_costs_the_same_statements_for_3_or_30_added_lines(
    clean_graph: Graph, api: Api, live_server: LiveServer
) -> None:
    await plans_account(clean_graph, 40)
    costs = []
    for running, added in ((plans(0, 3), plans(3, 3)), (plans(6, 3), plans(9, 30))):
        order_id = await revision_adding(api, running, added)
        before = live_server.round_trips
        applied = ok(await mutate(api, "approveOrder", o=order_id))
        costs.append(live_server.round_trips - before)
        assert len(applied["lines"]) == len(running) + len(added)
        assert (await close_all_tasks(api, order_id))["state"] == "COMPLETED"
    assert costs[0] == costs[1], costs


async def test_a_failure_in_the_middle_of_applying_a_revision_leaves_nothing_half_applied(
    clean_graph: Graph, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    await plans_account(clean_graph, 6)
    order_id = await revision_adding(api, plans(0, 3), plans(3, 3))
    before = await snapshot(clean_graph)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away while the revision's tasks joined")

    monkeypatch.setattr(revisions, "append_tasks", broken)
    body = await api.raw("mutation ($o: ID!) { approveOrder(orderId: $o) { errors { code } } }", o=order_id)
    assert body["errors"] and "went away" not in str(body)
    assert await snapshot(clean_graph) == before

    monkeypatch.undo()
    applied = ok(await mutate(api, "approveOrder", o=order_id))
    assert (applied["state"], applied["version"]) == ("IN_PROGRESS", 2)
