"""Reading orders: one order, an account's orders, the open order on an item."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import orders as order_graph
from schema.context import Context, authorize
from schema.orders import CustomerOrder

Ctx = Info[Context, Any]


def order_loader(info: Ctx) -> Any:
    """Orders with their lines."""
    return info.context.loaders.named("order", info.context.graph, order_graph.orders_by_ids, None)


def order_header_loader(info: Ctx) -> Any:
    """Orders without their lines; `CustomerOrder.lines` reads them when a query asks."""
    return info.context.loaders.named("order_header", info.context.graph, order_graph.order_headers_by_ids, None)


async def order(info: Ctx, id: strawberry.ID) -> CustomerOrder | None:
    found = await order_header_loader(info).load(str(id))
    if found is None:
        return None
    authorize(info, "order.read", found.account_id)
    return CustomerOrder.of(found, lines_loaded=False)


async def orders_of_account(info: Ctx, account_id: str) -> list[CustomerOrder]:
    authorize(info, "order.read", account_id)
    ids_loader = info.context.loaders.named(
        "account_orders", info.context.graph, order_graph.order_ids_of_accounts, list
    )
    ids = await ids_loader.load(account_id)
    found = await order_header_loader(info).load_many(ids)
    return [CustomerOrder.of(o, lines_loaded=False) for o in found if o is not None]


async def open_order_of_item(info: Ctx, item_id: str) -> CustomerOrder | None:
    loader = info.context.loaders.named(
        "item_open_order", info.context.graph, order_graph.open_order_ids_of_items, None
    )
    order_id = await loader.load(item_id)
    if order_id is None:
        return None
    found = await order_header_loader(info).load(order_id)
    if found is None or found.state not in _open():
        return None
    return CustomerOrder.of(found, lines_loaded=False)


def _open() -> frozenset[Any]:
    from rules.model import OPEN_ORDER_STATES

    return OPEN_ORDER_STATES
