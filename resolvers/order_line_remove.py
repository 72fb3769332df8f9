"""removeOrderLine: drop a line; items it had added are removed with it."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from graph import revisions
from resolvers.order_mutation import Saved, open_workspace, order_of_line, run_order_mutation, save_lines
from rules.capture import plan_line_removal
from schema.context import Context, authorize
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def remove_order_line(
    info: Ctx,
    line_id: Annotated[strawberry.ID, strawberry.argument(description="The line to remove from its DRAFT order.")],
) -> OrderPayload:
    graph = info.context.graph
    authorize(info, "order.edit")

    async def work(tx: AsyncManagedTransaction) -> Saved:
        order_id = await order_of_line(tx, graph, str(line_id))
        ws = await open_workspace(tx, graph, info, order_id)
        removal = plan_line_removal(ws.order, ws.view, str(line_id))
        saved = await save_lines(ws, removal.lines)
        if ws.revision is not None:
            # Products the running order added stay until the revision is approved (then INACTIVE).
            await revisions.delete_revision_items(tx, graph, ws.revision.id, list(removal.removed_item_ids))
        else:
            await order_graph.delete_draft_items(tx, graph, ws.order.id, list(removal.removed_item_ids))
        return Saved(ws.order.id, saved)

    return await run_order_mutation(info, work)
