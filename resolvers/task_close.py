"""closeOrderTask: a task is done. Closing the last task of a domain order closes it; closing the
last domain order completes the order, and its whole effect lands in the same transaction (R7)."""

from __future__ import annotations

from typing import Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment
from graph import orders as order_graph
from resolvers.order_lifecycle import complete_order
from resolvers.order_mutation import run_order_mutation
from resolvers.task_start import lock_task
from rules.fulfillment import close_task
from schema.context import Context
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def close_order_task(info: Ctx, task_id: strawberry.ID) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        order, stored = await lock_task(tx, graph, info, str(task_id), "task.close")
        domain_orders = [fulfillment.as_rule_domain_order(d) for d in stored.domain_orders]
        closure = close_task(domain_orders, str(task_id))
        await fulfillment.set_task_states(tx, graph, [{"id": closure.task_id, "state": closure.task_state.value}])
        owner = next(d for d in domain_orders if d.id == closure.domain_order_id)
        if owner.state is not closure.domain_order_state:
            await fulfillment.set_domain_order_states(
                tx, graph, [{"id": owner.id, "state": closure.domain_order_state.value}]
            )
        if closure.point_of_no_return_passed:
            await fulfillment.mark_point_of_no_return(
                tx, graph, closure.line_ids_past_point_of_no_return, closure.task_id
            )
        if closure.order_completes:  # completion needs the lines: read them now, under the lock taken
            await complete_order(tx, graph, await order_graph.order_in(tx, graph, order.id) or order)
        else:
            await order_graph.touch_order(tx, graph, order.id)
        return order.id

    return await run_order_mutation(info, work)
