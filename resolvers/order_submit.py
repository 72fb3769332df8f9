"""submitOrder: validate (including the move rules, R4) and move a draft to SUBMITTED, or a follow-on
order whose first order is still open to QUEUED (R15)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from graph import revisions
from resolvers.order_mutation import Saved, check_revision_against_ponr, open_workspace, run_order_mutation
from rules.follow_on import stale_expectations
from rules.model import OrderState, RuleError
from rules.revision import RevisionState
from rules.submission import validate_submission
from schema.context import Context, now_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def submit_order(
    info: Ctx,
    order_id: Annotated[strawberry.ID, strawberry.argument(description="A DRAFT order.")],
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str | Saved:
        ws = await open_workspace(tx, graph, info, str(order_id), action="order.submit")
        problems = validate_submission(ws.order, ws.view, ws.specs)
        if ws.revision is not None:
            # A revision (R14) is submitted on its own; the order keeps running (held) until approval.
            if problems:
                raise RuleError(*problems)
            await check_revision_against_ponr(ws, ws.order.lines)
            await revisions.set_revision_state(tx, graph, ws.revision.id, RevisionState.SUBMITTED)
            await order_graph.touch_order(tx, graph, ws.order.id)
            return ws.order.id
        if ws.first is not None:
            problems.extend(stale_expectations(ws.order, ws.view))
        if problems:
            raise RuleError(*problems)
        # A follow-on waits in QUEUED until the order it follows completes (R15).
        state = OrderState.QUEUED if ws.waits_for else OrderState.SUBMITTED
        saved = await order_graph.set_order_state(tx, graph, ws.order.id, state, milestones=["ACCEPTED"],
                                                  at=now_of(info))
        return Saved(ws.order.id, saved)

    return await run_order_mutation(info, work)
