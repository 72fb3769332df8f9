"""failOrderTask: an OPEN or IN_PROGRESS task failed (R13). It is FAILED with its reason and category,
its order is in fallout, and nothing that depends on it can move until it is retried or skipped."""

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
from rules.lifecycle_model import FailureCategory, TaskState
from rules.task_flow import fail_task
from schema.context import Context, now_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def fail_order_task(
    info: Ctx,
    task_id: Annotated[strawberry.ID, strawberry.argument(description="The task that failed.")],
    reason: Annotated[str, strawberry.argument(description="What went wrong, for the people who fix it.")],
    category: Annotated[
        FailureCategory, strawberry.argument(description="Which team's fallout it is.")
    ] = FailureCategory.OTHER,
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        order, stored = await lock_task(tx, graph, info, str(task_id), "task.fail")
        _, task = find_task(stored, str(task_id))
        _, rule_task = find_rule_task(order_flow(info, order, stored).domain_orders, task.id)
        why = fail_task(rule_task, reason, FailureCategory(category))
        await task_flow.fail_task(tx, graph, task.id, why, FailureCategory(category).value, now_of(info))
        await task_flow.record_task_events(
            tx, graph, [task_event(info, task, TaskState.FAILED.value, reason=why, category=FailureCategory(category).value)]
        )
        await order_graph.touch_order(tx, graph, order.id)
        return order.id

    return await run_order_mutation(info, work)
