"""updateOrderLine: edit a line's action, move flag, target location or characteristics."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from resolvers.order_mutation import (
    Saved,
    new_id,
    not_found,
    open_workspace,
    order_of_line,
    run_order_mutation,
    save_lines,
)
from rules.capture import plan_line_update
from rules.model import LineAction
from schema.context import Context, authorize
from schema.order_inputs import UpdateOrderLineInput
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def update_order_line(
    info: Ctx,
    input: Annotated[UpdateOrderLineInput, strawberry.argument(description="The line and what to change on it.")],
) -> OrderPayload:
    graph = info.context.graph
    authorize(info, "order.edit")
    line_id = str(input.line_id)
    target = str(input.target_location_id) if input.target_location_id else None

    async def work(tx: AsyncManagedTransaction) -> Saved:
        order_id = await order_of_line(tx, graph, line_id)
        ws = await open_workspace(tx, graph, info, order_id)
        if target is not None and target not in await order_graph.location_ids_of_account(
            tx, graph, ws.order.account_id
        ):
            raise not_found("targetLocationId", target, what="location of this account")
        after = plan_line_update(
            ws.order,
            ws.view,
            ws.specs,
            line_id,
            action=LineAction(input.action) if input.action else None,
            move=input.move_operation,
            target_location_id=target,
            characteristics=None
            if input.characteristics is None
            else [(c.name, c.value) for c in input.characteristics],
            specification_version=input.specification_version,
            new_line_id=lambda: new_id("line"),
        )
        return Saved(ws.order.id, await save_lines(ws, after))

    return await run_order_mutation(info, work)
