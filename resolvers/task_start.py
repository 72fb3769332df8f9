"""startOrderTask: a ready OPEN task goes IN_PROGRESS, and its domain order with it."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, task_transitions
from graph.driver import Graph
from graph.records import DomainOrderRecord, TaskRecord
from resolvers.order_mutation import Saved, not_found, run_order_mutation
from rules.fulfillment import start_task
from rules.lifecycle_model import TaskState
from rules.model import Order
from rules.schedule import start_of
from rules.task_flow import OrderFlow, require_ready
from schema.context import Context, authorize, caller_of, now_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]
Tx = AsyncManagedTransaction


async def lock_task(
    tx: Tx, graph: Graph, info: Ctx, task_id: str, action: str
) -> tuple[Order, fulfillment.Fulfillment]:
    """Lock the header of the order the task belongs to (so concurrent closes and cancellations
    queue) and read, in the same statement, the header (no lines), its domain orders with their
    tasks and its work orders as they now are. NOT_FOUND when there is no such task. The cost does
    not grow with the number of lines."""
    authorize(info, action)
    found = await task_transitions.lock_task_order(tx, graph, task_id)
    if found is None:
        raise not_found("taskId", task_id, what="task")
    order, stored = found
    authorize(info, action, order.account_id)
    return order, stored


def find_task(stored: fulfillment.Fulfillment, task_id: str) -> tuple[DomainOrderRecord, TaskRecord]:
    for domain_order in stored.domain_orders:
        for task in domain_order.tasks:
            if task.id == task_id:
                return domain_order, task
    raise not_found("taskId", task_id, what="task")


def order_flow(info: Ctx, order: Order, stored: fulfillment.Fulfillment) -> OrderFlow:
    """The order's fulfillment as the readiness rules see it, at the request's instant."""
    return OrderFlow(
        order_id=order.id,
        domain_orders=[fulfillment.as_rule_domain_order(d) for d in stored.domain_orders],
        work_orders=[fulfillment.as_rule_work_order(w) for w in stored.work_orders],
        on_hold=order.on_hold,
        starts_at=start_of(order.requested_start) if order.requested_start else None,
        now=now_of(info),
    )


def task_event(info: Ctx, task: TaskRecord, to_state: str, **extra: Any) -> dict[str, Any]:
    """One task history row for `graph.task_flow.record_task_events`."""
    return {
        "taskId": task.id, "fromState": task.state, "toState": to_state, "reason": extra.get("reason"),
        "category": extra.get("category"), "attempt": extra.get("attempt", task.attempt),
        "by": caller_of(info).id, "at": now_of(info),
    }


async def start_order_task(
    info: Ctx,
    task_id: Annotated[strawberry.ID, strawberry.argument(description="An OPEN task whose earlier tasks are closed.")],
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: Tx) -> Saved:
        order, stored = await lock_task(tx, graph, info, str(task_id), "task.start")
        owner, task = find_task(stored, str(task_id))
        rule_task = require_ready(order_flow(info, order, stored), task.id)
        state = start_task(rule_task)
        saved = await task_transitions.write_task_transition(
            tx, graph, order_id=order.id, task_id=task.id, task_state=state.value,
            event=task_event(info, task, state.value), domain_order_id=owner.id,
            domain_order_state=TaskState.IN_PROGRESS.value if owner.state == TaskState.OPEN.value else None,
            at=now_of(info),
        )
        return Saved(order.id, saved)

    return await run_order_mutation(info, work)
