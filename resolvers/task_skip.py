"""skipOrderTask: someone allowed to (the `task.skip` action) declares a task done without doing it,
saying why (R13). A skipped task counts as done: its dependants may move, its domain order may
close and its order complete, in the same transaction."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import task_flow
from resolvers.order_mutation import Saved, run_order_mutation
from resolvers.task_close import apply_closure
from resolvers.task_start import find_task, lock_task, order_flow, task_event
from rules.fulfillment import close_task
from rules.fulfillment import find_task as find_rule_task
from rules.task_flow import skip_reason
from schema.context import Context
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def skip_order_task(
    info: Ctx,
    task_id: Annotated[strawberry.ID, strawberry.argument(description="The task to declare done.")],
    reason: Annotated[str, strawberry.argument(description="Why it may be skipped; kept in the task's history.")],
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str | Saved:
        order, stored = await lock_task(tx, graph, info, str(task_id), "task.skip")
        _, task = find_task(stored, str(task_id))
        flow = order_flow(info, order, stored)
        why = skip_reason(flow, reason)
        domain_orders = list(flow.domain_orders)
        _, rule_task = find_rule_task(domain_orders, task.id)
        closure = close_task(domain_orders, task.id, skip=True)
        await task_flow.skip_task(tx, graph, task.id, why)
        saved = await apply_closure(tx, graph, info, order, domain_orders, closure, rule_task.activation,
                                    task_event(info, task, closure.task_state.value, reason=why))
        return order.id if saved is None else Saved(order.id, saved)

    return await run_order_mutation(info, work)
