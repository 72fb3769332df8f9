"""addInventoryToOrder: select items; rules R1, R3, R4, R5 and R6 decide the lines."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from resolvers.order_mutation import Saved, new_id, not_found, open_workspace, run_order_mutation, save_lines
from rules.capture import plan_selection
from rules.model import LineAction
from schema.context import Context
from schema.order_inputs import AddInventoryInput
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def add_inventory_to_order(
    info: Ctx,
    input: Annotated[AddInventoryInput, strawberry.argument(description="The order and the items to select.")],
) -> OrderPayload:
    graph = info.context.graph
    selected = [str(i) for i in input.inventory_ids]
    target = str(input.target_location_id) if input.target_location_id else None
    characteristics = [(c.name, c.value) for c in input.characteristics or []]

    async def work(tx: AsyncManagedTransaction) -> Saved:
        ws = await open_workspace(tx, graph, info, str(input.order_id), selected)
        if target is not None and target not in await order_graph.location_ids_of_account(
            tx, graph, ws.order.account_id
        ):
            raise not_found("targetLocationId", target, what="location of this account")
        after = plan_selection(
            ws.order,
            ws.view,
            ws.specs,
            selected,
            line_action=LineAction(input.line_action) if input.line_action else None,
            characteristics=characteristics,
            target_location_id=target,
            specification_version=input.specification_version,
            new_line_id=lambda: new_id("line"),
        )
        return Saved(ws.order.id, await save_lines(ws, after))

    return await run_order_mutation(info, work)
