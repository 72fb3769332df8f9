"""Reading orders: one order, an account's orders, the open order on an item."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import orders as order_graph
from graph import revisions
from rules.model import OPEN_ORDER_STATES, Order
from schema.context import Context, authorize
from schema.orders import CustomerOrder
from schema.revisions import OrderRevision

Ctx = Info[Context, Any]


def order_loader(info: Ctx) -> Any:
    """Orders with their lines."""
    return info.context.loaders.named("order", info.context.graph, order_graph.orders_by_ids, None)


def order_properties_loader(info: Ctx) -> Any:
    """Orders' stored properties without their lines; `CustomerOrder.lines` reads those when asked."""
    return info.context.loaders.named("order_meta", info.context.graph, order_graph.order_meta, None)


def _view(props: Any) -> CustomerOrder:
    return CustomerOrder.of(order_graph.order_from(props), lines_loaded=False)


async def customer_order(info: Ctx, order_id: str) -> CustomerOrder | None:
    """The order as GraphQL shows it, read without its lines."""
    props = await order_properties_loader(info).load(order_id)
    return _view(props) if props else None


async def saved_order(info: Ctx, order_id: str, committed: dict[str, Any] | None = None) -> CustomerOrder | None:
    """The order as a mutation just left it: `committed`, the properties its transaction returned,
    or else read afresh; what this request had loaded is replaced."""
    props = committed if committed is not None else (
        (await order_graph.order_meta(info.context.graph, [order_id])).get(order_id)
    )
    order_loader(info).clear_all()
    if props is None:
        return None
    order_properties_loader(info).prime(order_id, props, force=True)
    return _view(props)


async def order(
    info: Ctx,
    id: Annotated[strawberry.ID, strawberry.argument(description="Order id.")],
) -> CustomerOrder | None:
    authorize(info, "order.read")
    found = await customer_order(info, str(id))
    if found is None:
        return None
    authorize(info, "order.read", found.order.account_id)
    return found


async def orders_of_account(info: Ctx, account_id: str) -> list[CustomerOrder]:
    authorize(info, "order.read")
    ids_loader = info.context.loaders.named(
        "account_orders", info.context.graph, order_graph.order_ids_of_accounts, list
    )
    ids = await ids_loader.load(account_id)
    found = await order_properties_loader(info).load_many(ids)
    return [_view(props) for props in found if props]


async def revisions_of(info: Ctx, order: Order) -> list[OrderRevision]:
    loader = info.context.loaders.named("order_revisions", info.context.graph, revisions.revisions_of_orders, list)
    return [OrderRevision.of(r, order) for r in await loader.load(order.id)]


async def follow_on_orders_of(info: Ctx, order_id: str) -> list[CustomerOrder]:
    ids_loader = info.context.loaders.named(
        "follow_on_orders", info.context.graph, order_graph.follow_on_ids_of_orders, list
    )
    ids = await ids_loader.load(order_id)
    found = await order_properties_loader(info).load_many(ids)
    return [_view(props) for props in found if props]


async def open_order_of_item(info: Ctx, item_id: str) -> CustomerOrder | None:
    loader = info.context.loaders.named(
        "item_open_order", info.context.graph, order_graph.open_order_ids_of_items, None
    )
    order_id = await loader.load(item_id)
    if order_id is None:
        return None
    found = await customer_order(info, order_id)
    return found if found is not None and found.order.state in OPEN_ORDER_STATES else None

