"""holdOrder and resumeOrder (R13, TMF622 `held`): while an order is on hold none of its tasks can be
started, closed or skipped (ORDER_ON_HOLD); it can still fail work in flight and be cancelled
before its point of no return. Both are recorded in the order's history (kind HOLD / RESUME)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import task_flow
from resolvers.order_lifecycle import lock_order_for
from resolvers.order_mutation import run_order_mutation
from rules.task_flow import hold_order as hold_rule
from rules.task_flow import resume_order as resume_rule
from schema.context import Context, now_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def hold_order(
    info: Ctx,
    order_id: Annotated[strawberry.ID, strawberry.argument(description="The order to hold (IN_PROGRESS).")],
    reason: Annotated[str, strawberry.argument(description="Why it waits; kept in the order's history.")],
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        order = await lock_order_for(tx, graph, info, str(order_id), "order.hold")
        why = hold_rule(order.id, order.state, order.on_hold, reason)
        await task_flow.set_hold(tx, graph, order.id, True, why, now_of(info))
        return order.id

    return await run_order_mutation(info, work)


async def resume_order(
    info: Ctx, order_id: Annotated[strawberry.ID, strawberry.argument(description="The held order.")]
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        order = await lock_order_for(tx, graph, info, str(order_id), "order.resume")
        resume_rule(order.id, order.on_hold)
        await task_flow.set_hold(tx, graph, order.id, False, None, now_of(info))
        return order.id

    return await run_order_mutation(info, work)
