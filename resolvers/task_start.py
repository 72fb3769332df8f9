"""startOrderTask: an OPEN task goes IN_PROGRESS, and its domain order with it."""

from __future__ import annotations

from typing import Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment
from graph import orders as order_graph
from graph.driver import Graph
from graph.records import DomainOrderRecord, TaskRecord
from resolvers.order_lifecycle import lock_order_for
from resolvers.order_mutation import not_found, run_order_mutation
from rules.fulfillment import start_task
from rules.lifecycle_model import TaskState
from rules.model import Order
from schema.context import Context, authorize
from schema.orders import OrderPayload

Ctx = Info[Context, Any]
Tx = AsyncManagedTransaction


async def lock_task(
    tx: Tx, graph: Graph, info: Ctx, task_id: str, action: str
) -> tuple[Order, fulfillment.Fulfillment]:
    """Lock the order the task belongs to (so concurrent closes and cancellations queue), then read
    the order's fulfillment as it now is. NOT_FOUND when there is no such task."""
    authorize(info, action)
    order_id = await fulfillment.lock_order_of_task(tx, graph, task_id)
    if order_id is None:
        raise not_found("taskId", task_id, what="task")
    order = await lock_order_for(tx, graph, info, order_id, action)
    return order, await fulfillment.fulfillment_in(tx, graph, order_id)


def find_task(stored: fulfillment.Fulfillment, task_id: str) -> tuple[DomainOrderRecord, TaskRecord]:
    for domain_order in stored.domain_orders:
        for task in domain_order.tasks:
            if task.id == task_id:
                return domain_order, task
    raise not_found("taskId", task_id, what="task")


async def start_order_task(info: Ctx, task_id: strawberry.ID) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: Tx) -> str:
        order, stored = await lock_task(tx, graph, info, str(task_id), "task.start")
        owner, task = find_task(stored, str(task_id))
        rule_task = next(t for t in fulfillment.as_rule_domain_order(owner).tasks if t.id == task.id)
        state = start_task(rule_task)
        await fulfillment.set_task_states(tx, graph, [{"id": task.id, "state": state.value}])
        if owner.state == TaskState.OPEN.value:
            await fulfillment.set_domain_order_states(
                tx, graph, [{"id": owner.id, "state": TaskState.IN_PROGRESS.value}]
            )
        await order_graph.touch_order(tx, graph, order.id)
        return order.id

    return await run_order_mutation(info, work)
