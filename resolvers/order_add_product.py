"""addProductToOrder: a new product joins the hierarchy under an item of the order (rule R2)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from resolvers.order_mutation import Saved, new_id, not_found, open_workspace, run_order_mutation, save_lines
from rules.capture import plan_added_product
from schema.context import Context
from schema.order_inputs import AddProductInput
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def add_product_to_order(
    info: Ctx,
    input: Annotated[AddProductInput, strawberry.argument(description="The order, the specification and where the new product goes.")],
) -> OrderPayload:
    graph = info.context.graph
    parent_id = str(input.parent_inventory_id) if input.parent_inventory_id else None
    spec_id = str(input.specification_id)
    location_id = str(input.location_id) if input.location_id else None
    characteristics = [(c.name, c.value) for c in input.characteristics or []]

    async def work(tx: AsyncManagedTransaction) -> Saved:
        ws = await open_workspace(tx, graph, info, str(input.order_id), [parent_id] if parent_id else [], [spec_id])
        if spec_id not in ws.specs:
            raise not_found("specificationId", spec_id, what="product specification")
        if location_id is not None and location_id not in await order_graph.location_ids_of_account(
            tx, graph, ws.order.account_id
        ):
            raise not_found("locationId", location_id, what="location of this account")
        added = plan_added_product(
            ws.order,
            ws.view,
            ws.specs,
            parent_inventory_id=parent_id,
            spec_id=spec_id,
            characteristics=characteristics,
            location_id=location_id,
            name=input.name,
            new_line_id=lambda: new_id("line"),
            new_item_id=lambda: new_id("pi"),
            max_depth=graph.max_depth,
        )
        revision_id = ws.revision.id if ws.revision is not None else None
        await order_graph.create_items(tx, graph, ws.order.id, [added.item], revision_id)
        return Saved(ws.order.id, await save_lines(ws, added.lines))

    return await run_order_mutation(info, work)
