"""submitOrder: validate (including the move rules, R4) and move a draft to SUBMITTED."""

from __future__ import annotations

from typing import Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from graph import task_flow
from resolvers.order_mutation import open_workspace, run_order_mutation
from rules.model import OrderState, RuleError
from rules.submission import validate_submission
from schema.context import Context, now_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def submit_order(info: Ctx, order_id: strawberry.ID) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        ws = await open_workspace(tx, graph, info, str(order_id), action="order.submit")
        problems = validate_submission(ws.order, ws.view, ws.specs)
        if problems:
            raise RuleError(*problems)
        await order_graph.set_order_state(tx, graph, ws.order.id, OrderState.SUBMITTED)
        await task_flow.stamp_milestones(tx, graph, ws.order.id, ["ACCEPTED"], now_of(info))
        return ws.order.id

    return await run_order_mutation(info, work)
