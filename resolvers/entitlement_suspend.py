"""suspendEntitlement: "suspend this entitlement" creates a DRAFT SUSPEND order for the product it
covers (and, by R5, everything under it)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment
from graph import orders as order_graph
from resolvers.account_change_order import create_change_order
from resolvers.order_mutation import not_found, run_order_mutation
from rules.account_changes import order_for_entitlement
from rules.model import OrderAction
from schema.context import Context, authorize
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def order_for(info: Ctx, entitlement_id: str, action: OrderAction) -> OrderPayload:
    """The SUSPEND or RESUME order an entitlement asks for."""
    graph = info.context.graph
    authorize(info, "entitlement.suspend" if action is OrderAction.SUSPEND else "entitlement.resume")

    async def work(tx: AsyncManagedTransaction) -> str:
        entitlement = await fulfillment.entitlement_in(tx, graph, entitlement_id)
        if entitlement is None or entitlement.product_id is None:
            raise not_found("entitlementId", entitlement_id, what="entitlement")
        items, _ = await order_graph.load_trees(tx, graph, [entitlement.product_id])
        covered = items.get(entitlement.product_id)
        if covered is None:
            raise not_found("entitlementId", entitlement_id, what="entitlement")
        chosen, selected = order_for_entitlement(action, entitlement, covered)
        return await create_change_order(
            tx, graph, info, covered.account_id, chosen, selected, entitlement_id=entitlement.id
        )

    return await run_order_mutation(info, work)


async def suspend_entitlement(
    info: Ctx,
    entitlement_id: Annotated[strawberry.ID, strawberry.argument(description="An ACTIVE entitlement.")],
) -> OrderPayload:
    return await order_for(info, str(entitlement_id), OrderAction.SUSPEND)
