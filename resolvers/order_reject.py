"""rejectOrder: the approver refuses a SUBMITTED order, with a reason; nothing was fulfilled, so the
products the order had added are retired (INACTIVE) and its items are free again (R6)."""

from __future__ import annotations

from typing import Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, history
from graph import orders as order_graph
from resolvers.follow_on_settle import settle_follow_ons
from resolvers.order_lifecycle import apply_item_states, line_of_items, lock_order_for, target_ids
from resolvers.order_mutation import run_order_mutation
from rules.effects import cancellation_effects, rejectable
from rules.model import ErrorCode, RuleError, RuleViolation
from schema.context import Context
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def reject_order(info: Ctx, order_id: strawberry.ID, reason: str) -> OrderPayload:
    graph = info.context.graph
    why = reason.strip()

    async def work(tx: AsyncManagedTransaction) -> str:
        order = await lock_order_for(tx, graph, info, str(order_id), "order.reject")
        to_state = rejectable(order.id, order.state)
        if not why:
            raise RuleError(
                RuleViolation(ErrorCode.INVALID_INPUT, "Say why the order is rejected", "reason", (order.id,))
            )
        items = await fulfillment.items_in(tx, graph, target_ids(order))
        # A submitted order has done nothing yet: what cancelling it outright retires, rejecting retires too.
        retired = cancellation_effects(order, items, (), ()).state_changes
        events = await apply_item_states(tx, graph, order.id, retired, line_of_items(order))
        await history.record_events(tx, graph, events)
        await order_graph.set_order_state(tx, graph, order.id, to_state, why)
        await order_graph.release_items(tx, graph, order.id)
        await settle_follow_ons(tx, graph, order.id, "was rejected")
        return order.id

    return await run_order_mutation(info, work)
