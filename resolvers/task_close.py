"""closeOrderTask: a ready task is done. Closing the last task of a domain order closes it; closing the
last domain order completes the order, and its whole effect lands in the same transaction (R7).
skipOrderTask shares the path: a skipped task counts as done."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, task_transitions
from graph import orders as order_graph
from graph.driver import Graph
from resolvers.order_lifecycle import complete_order
from resolvers.order_mutation import Saved, run_order_mutation
from resolvers.task_start import find_task, lock_task, order_flow, task_event
from rules.fulfillment import DomainOrder, TaskClosure, close_task
from rules.model import Order
from rules.task_flow import require_ready
from schema.context import Context, now_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]
Tx = AsyncManagedTransaction


async def apply_closure(
    tx: Tx, graph: Graph, info: Ctx, order: Order, domain_orders: list[DomainOrder], closure: TaskClosure,
    activation: bool, event: dict[str, Any],
) -> dict[str, Any] | None:
    """Write what closing (or skipping) a task decided, in one statement with the task's own state
    and history row `event`: its domain order, the milestones; then the point of no return, and the
    order's completion when it was the last task. Returns the order's committed properties when the
    order did not complete (None when it did: completion moved it after)."""
    owner = next(d for d in domain_orders if d.id == closure.domain_order_id)
    milestones = []
    if closure.point_of_no_return_passed:
        milestones.append("POINT_OF_NO_RETURN_PASSED")
    if activation:
        milestones.append("FIRST_ACTIVATION")
    saved = await task_transitions.write_task_transition(
        tx, graph, order_id=order.id, task_id=closure.task_id, task_state=closure.task_state.value, event=event,
        domain_order_id=owner.id,
        domain_order_state=None if owner.state is closure.domain_order_state else closure.domain_order_state.value,
        milestones=milestones, at=now_of(info), touch=not closure.order_completes,
    )
    if closure.point_of_no_return_passed:
        await fulfillment.mark_point_of_no_return(tx, graph, closure.line_ids_past_point_of_no_return, closure.task_id)
    if closure.order_completes:  # completion needs the lines: read them now, under the lock taken
        await complete_order(tx, graph, await order_graph.order_in(tx, graph, order.id) or order, now_of(info))
        return None
    return saved


async def close_order_task(
    info: Ctx,
    task_id: Annotated[strawberry.ID, strawberry.argument(description="An IN_PROGRESS task.")],
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str | Saved:
        order, stored = await lock_task(tx, graph, info, str(task_id), "task.close")
        _, task = find_task(stored, str(task_id))
        flow = order_flow(info, order, stored)
        rule_task = require_ready(flow, task.id)
        domain_orders = list(flow.domain_orders)
        closure = close_task(domain_orders, task.id)
        saved = await apply_closure(tx, graph, info, order, domain_orders, closure, rule_task.activation,
                                    task_event(info, task, closure.task_state.value))
        return order.id if saved is None else Saved(order.id, saved)

    return await run_order_mutation(info, work)
