"""cancelRevision (R14): the open revision is dropped; what it added is removed, what it claimed is
released, the held tasks move again and the order is IN_PROGRESS as before."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from graph import revisions
from resolvers.order_lifecycle import lock_order_for
from resolvers.order_mutation import run_order_mutation
from rules.model import ErrorCode, OrderState, RuleError, RuleViolation
from rules.revision import RevisionState
from schema.context import Context, caller_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def cancel_revision(
    info: Ctx,
    order_id: Annotated[strawberry.ID, strawberry.argument(description="The order whose open revision to drop.")],
    reason: Annotated[str | None, strawberry.argument(description="Why it is dropped (kept on the revision).")] = None,
) -> OrderPayload:
    graph = info.context.graph
    why = (reason or "").strip() or None

    async def work(tx: AsyncManagedTransaction) -> str:
        order = await lock_order_for(tx, graph, info, str(order_id), "revision.cancel")
        revision = await revisions.open_revision(tx, graph, order.id)
        if order.state is not OrderState.REVISION_IN_PROGRESS or revision is None:
            raise RuleError(
                RuleViolation(
                    ErrorCode.INVALID_STATE,
                    f"Order {order.id} is {order.state}; it has no revision to cancel",
                    "orderId",
                    (order.id,),
                )
            )
        running = {ln.inventory_id for ln in order.lines if ln.inventory_id}
        claimed = {ln.inventory_id for ln in revision.lines if ln.inventory_id} - running
        if claimed:
            await order_graph.release_items(tx, graph, order.id, sorted(claimed))
        await revisions.delete_revision_items(tx, graph, revision.id, None)
        await revisions.release_holds(tx, graph, order.id, revision.id)
        await revisions.set_revision_state(
            tx, graph, revision.id, RevisionState.CANCELLED, caller_of(info).id, reason=why
        )
        await order_graph.set_order_state(tx, graph, order.id, OrderState.IN_PROGRESS)
        return order.id

    return await run_order_mutation(info, work)
