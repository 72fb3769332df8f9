"""retryOrderTask: a FAILED task is OPEN again as its next attempt (the count is kept, R13)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from graph import task_flow
from resolvers.order_mutation import run_order_mutation
from resolvers.task_start import find_task, lock_task, order_flow, task_event
from rules.fulfillment import find_task as find_rule_task
from rules.lifecycle_model import TaskState
from rules.task_flow import retry_task
from schema.context import Context
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def retry_order_task(
    info: Ctx, task_id: Annotated[strawberry.ID, strawberry.argument(description="The FAILED task to retry.")]
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        order, stored = await lock_task(tx, graph, info, str(task_id), "task.retry")
        _, task = find_task(stored, str(task_id))
        _, rule_task = find_rule_task(order_flow(info, order, stored).domain_orders, task.id)
        attempt = retry_task(rule_task)
        await task_flow.retry_task(tx, graph, task.id, attempt)
        await task_flow.record_task_events(tx, graph, [task_event(info, task, TaskState.OPEN.value, attempt=attempt)])
        await order_graph.touch_order(tx, graph, order.id)
        return order.id

    return await run_order_mutation(info, work)
