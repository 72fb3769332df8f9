"""closeOrderTask: a ready task is done. Closing the last task of a domain order closes it; closing the
last domain order completes the order, and its whole effect lands in the same transaction (R7).
skipOrderTask shares the path: a skipped task counts as done."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, task_flow
from graph import orders as order_graph
from graph.driver import Graph
from resolvers.order_lifecycle import complete_order
from resolvers.order_mutation import run_order_mutation
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
    activation: bool,
) -> None:
    """Write what closing (or skipping) a task decided: its domain order, the point of no return,
    the milestones, and the order's completion when it was the last task."""
    owner = next(d for d in domain_orders if d.id == closure.domain_order_id)
    if owner.state is not closure.domain_order_state:
        await fulfillment.set_domain_order_states(
            tx, graph, [{"id": owner.id, "state": closure.domain_order_state.value}]
        )
    milestones = []
    if closure.point_of_no_return_passed:
        await fulfillment.mark_point_of_no_return(tx, graph, closure.line_ids_past_point_of_no_return, closure.task_id)
        milestones.append("POINT_OF_NO_RETURN_PASSED")
    if activation:
        milestones.append("FIRST_ACTIVATION")
    await task_flow.stamp_milestones(tx, graph, order.id, milestones, now_of(info))
    if closure.order_completes:  # completion needs the lines: read them now, under the lock taken
        await complete_order(tx, graph, await order_graph.order_in(tx, graph, order.id) or order, now_of(info))
    else:
        await order_graph.touch_order(tx, graph, order.id)


async def close_order_task(
    info: Ctx, task_id: Annotated[strawberry.ID, strawberry.argument(description="The task.")]
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        order, stored = await lock_task(tx, graph, info, str(task_id), "task.close")
        _, task = find_task(stored, str(task_id))
        flow = order_flow(info, order, stored)
        rule_task = require_ready(flow, task.id)
        domain_orders = list(flow.domain_orders)
        closure = close_task(domain_orders, task.id)
        await fulfillment.set_task_states(tx, graph, [{"id": closure.task_id, "state": closure.task_state.value}])
        await task_flow.record_task_events(tx, graph, [task_event(info, task, closure.task_state.value)])
        await apply_closure(tx, graph, info, order, domain_orders, closure, rule_task.activation)
        return order.id

    return await run_order_mutation(info, work)
