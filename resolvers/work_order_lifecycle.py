"""scheduleWorkOrder, startWorkOrder, completeWorkOrder and failWorkOrder: field work on its own (R13).

Each is one transaction that locks the work order's order first (so it queues with the order's
task mutations and cancellation), lets `rules.work_orders` decide, and writes the new state.
A failed visit puts the order in fallout until it is scheduled again; completing the visit makes
the task that waits for it ready.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, work_orders
from graph import orders as order_graph
from graph.records import WorkOrderRecord
from resolvers.order_lifecycle import lock_order_for
from resolvers.order_mutation import not_found
from rules import work_orders as rules
from rules.fulfillment import WorkOrder as RuleWorkOrder
from rules.lifecycle_model import WorkOrderState
from rules.model import ErrorCode, Order, RuleError, RuleViolation
from schema.context import Context, authorize, now_of
from schema.errors import ArgumentError, OrderError
from schema.fulfillment import WorkOrder, WorkOrderPayload

Ctx = Info[Context, Any]
Tx = AsyncManagedTransaction
Step = Callable[[Tx, Order, WorkOrderRecord, RuleWorkOrder], Awaitable[None]]

WorkOrderId = Annotated[strawberry.ID | None, strawberry.argument(description="The work order (required, or `id`).")]
WorkOrderAlias = Annotated[strawberry.ID | None, strawberry.argument(description="The work order: the same as `workOrderId`.")]


def _one_id(work_order_id: strawberry.ID | None, id: strawberry.ID | None) -> str:
    """The work order named by `workOrderId` or its short form `id` (one of them, or both alike)."""
    named = {str(v) for v in (work_order_id, id) if v is not None}
    if len(named) != 1:
        said = "both, with different ids" if named else "neither"
        raise RuleError(RuleViolation(ErrorCode.INVALID_INPUT, f"Name the work order in workOrderId (or id); got {said}",
                                      "workOrderId", tuple(sorted(named))))
    return named.pop()


async def _advance(info: Ctx, named: tuple[strawberry.ID | None, strawberry.ID | None], action: str,
                   step: Step) -> WorkOrderPayload:
    graph = info.context.graph
    authorize(info, action)
    try:
        work_order_id = _one_id(*named)
    except RuleError as refused:
        return WorkOrderPayload(work_order=None, errors=[OrderError.of(v) for v in refused.violations])

    async def work(tx: Tx) -> str:
        found = await work_orders.lock_order_of_work_order(tx, graph, work_order_id)
        if found is None:
            raise not_found("workOrderId", work_order_id, what="work order")
        order_id, record = found
        order = await lock_order_for(tx, graph, info, order_id, action)
        await step(tx, order, record, fulfillment.as_rule_work_order(record))
        await order_graph.touch_order(tx, graph, order.id)
        return record.id

    try:
        saved = await graph.write(work)
    except RuleError as refused:
        return WorkOrderPayload(work_order=None, errors=[OrderError.of(v) for v in refused.violations])
    record = await work_orders.work_order_by_id(graph, saved)
    return WorkOrderPayload(work_order=WorkOrder.of(record) if record else None, errors=[])


async def schedule_work_order(
    info: Ctx,
    date: Annotated[date, strawberry.argument(description="The day of the visit (not in the past).")],
    window: Annotated[str, strawberry.argument(description="The time window of the visit, e.g. 08:00-12:00.")],
    work_order_id: WorkOrderId = None,
    id: WorkOrderAlias = None,
) -> WorkOrderPayload:
    graph = info.context.graph
    day = date

    async def step(tx: Tx, order: Order, record: WorkOrderRecord, current: RuleWorkOrder) -> None:
        booking = rules.schedule(current, record.attempt, day, window, now_of(info).date())
        await work_orders.schedule(tx, graph, record.id, booking.day, booking.window, booking.attempt)

    return await _advance(info, (work_order_id, id), "workorder.schedule", step)


async def start_work_order(info: Ctx, work_order_id: WorkOrderId = None, id: WorkOrderAlias = None) -> WorkOrderPayload:
    graph = info.context.graph

    async def step(tx: Tx, order: Order, record: WorkOrderRecord, current: RuleWorkOrder) -> None:
        state = rules.start(current, order.id, order.on_hold)
        await work_orders.set_state(tx, graph, record.id, state.value, now_of(info))

    return await _advance(info, (work_order_id, id), "workorder.start", step)


async def complete_work_order(
    info: Ctx, work_order_id: WorkOrderId = None, id: WorkOrderAlias = None
) -> WorkOrderPayload:
    graph = info.context.graph

    async def step(tx: Tx, order: Order, record: WorkOrderRecord, current: RuleWorkOrder) -> None:
        state = rules.complete(current, order.id, order.on_hold)
        await work_orders.set_state(tx, graph, record.id, state.value, now_of(info))

    return await _advance(info, (work_order_id, id), "workorder.complete", step)


async def fail_work_order(
    info: Ctx,
    reason: Annotated[str, strawberry.argument(description="Why the visit failed (no access, wrong device, ...).")],
    work_order_id: WorkOrderId = None,
    id: WorkOrderAlias = None,
) -> WorkOrderPayload:
    graph = info.context.graph

    async def step(tx: Tx, order: Order, record: WorkOrderRecord, current: RuleWorkOrder) -> None:
        why = rules.fail(current, reason)
        await work_orders.set_state(tx, graph, record.id, WorkOrderState.FAILED.value, now_of(info), why)

    return await _advance(info, (work_order_id, id), "workorder.fail", step)


async def open_work_orders(
    info: Ctx,
    location_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="The service address (required, or `location`).")
    ] = None,
    date: Annotated[
        date | None,
        strawberry.argument(description="The day; without it every unfinished visit at the location."),
    ] = None,
    location: Annotated[
        strawberry.ID | None, strawberry.argument(description="The service address: the same as `locationId`.")
    ] = None,
) -> list[WorkOrder]:
    """A technician's day: visits booked at a location on a day (SCHEDULED or IN_PROGRESS), by window."""
    authorize(info, "workorder.read")
    named = {str(v) for v in (location_id, location) if v is not None}
    if len(named) != 1:
        raise ArgumentError("locationId", "name the service address in locationId (or location), once")
    found = await work_orders.open_at_location(info.context.graph, named.pop(), date)
    return [WorkOrder.of(w) for w in found]
