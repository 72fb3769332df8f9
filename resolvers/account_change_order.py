"""Orders that start from the account rather than the inventory tree (R10): the rules of
`rules.account_changes` decide the action and the items, and the selection then goes through the
same capture path as addInventoryToOrder, so the new DRAFT order has exactly the lines a user
selecting those items would get, ready to submit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment
from graph import orders as order_graph
from graph.driver import Graph
from resolvers.order_mutation import new_id, open_workspace, save_lines
from rules.capture import plan_selection
from rules.model import Order, OrderAction, OrderState
from schema.context import Context, authorize

Ctx = Info[Context, Any]


async def create_change_order(
    tx: AsyncManagedTransaction,
    graph: Graph,
    info: Ctx,
    account_id: str,
    action: OrderAction,
    selected: Sequence[str],
    *,
    entitlement_id: str | None = None,
    contract_id: str | None = None,
) -> str:
    """A DRAFT `action` order for `account_id` with the lines selecting `selected` brings."""
    caller = authorize(info, "order.create", account_id)
    order = Order(id=new_id("ord"), account_id=account_id, action=action, state=OrderState.DRAFT)
    await order_graph.create_order(tx, graph, order, None, caller.id)
    await fulfillment.record_origin(tx, graph, order.id, entitlement_id=entitlement_id, contract_id=contract_id)
    ws = await open_workspace(tx, graph, info, order.id, list(selected))
    after = plan_selection(ws.order, ws.view, ws.specs, list(selected), new_line_id=lambda: new_id("line"))
    await save_lines(ws, after)
    return order.id
