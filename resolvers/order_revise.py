"""reviseOrder (R14): an order in progress goes REVISION_IN_PROGRESS; its unfinished tasks are held
and a revision (version + 1), a copy of its line tree, opens for editing with the capture mutations."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from graph import revisions
from resolvers.order_lifecycle import lock_order_for
from resolvers.order_mutation import new_id, run_order_mutation
from rules.model import OrderState
from rules.revision import check_revisable
from schema.context import Context, caller_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def revise_order(
    info: Ctx,
    order_id: Annotated[strawberry.ID, strawberry.argument(description="The order in progress to revise.")],
    reason: Annotated[str, strawberry.argument(description="Why it is revised (required, kept on the revision).")],
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        order = await lock_order_for(tx, graph, info, str(order_id), "order.revise")
        check_revisable(order, reason)
        revision_id = new_id("rev")
        await revisions.create_revision(
            tx, graph, order.id, revision_id, order.order_version + 1, reason.strip(), caller_of(info).id,
            order.lines,
        )
        await revisions.hold_tasks(tx, graph, order.id, revision_id)
        await order_graph.set_order_state(tx, graph, order.id, OrderState.REVISION_IN_PROGRESS)
        return order.id

    return await run_order_mutation(info, work)
