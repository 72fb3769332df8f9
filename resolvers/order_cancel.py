"""cancelOrder (R12): a DRAFT or SUBMITTED order is cancelled outright; an order in progress is
cancelled with compensation while no point-of-no-return task is closed, and refused after
(PAST_POINT_OF_NO_RETURN naming the task). Compensation, in the same transaction: pending items
go back to their previous state, items the order created become INACTIVE, unfinished tasks,
domain orders and work orders are CANCELLED, authorized returns are CANCELLED."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, history, task_flow
from graph import orders as order_graph
from resolvers.approval_writes import write_fulfillment_states
from resolvers.follow_on_settle import settle_follow_ons
from resolvers.order_lifecycle import apply_item_states, line_of_items, lock_order_for, target_ids
from resolvers.order_mutation import run_order_mutation
from rules.effects import cancellation_effects
from rules.model import OrderState
from schema.context import Context, authorize, cancel_action
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def cancel_order(
    info: Ctx,
    order_id: Annotated[strawberry.ID, strawberry.argument(description="The order to cancel.")],
    reason: Annotated[str | None, strawberry.argument(description="Why, recorded in the order's history.")] = None,
) -> OrderPayload:
    graph = info.context.graph
    why = (reason or "").strip() or None

    async def work(tx: AsyncManagedTransaction) -> str:
        order = await lock_order_for(tx, graph, info, str(order_id), "order.cancel")
        authorize(info, cancel_action(order.state.value), order.account_id)
        stored = await fulfillment.fulfillment_in(tx, graph, order.id)
        record = await fulfillment.approval_record(tx, graph, order.id)
        items = await fulfillment.items_in(tx, graph, [*target_ids(order), *record.copies.values()])
        plan = cancellation_effects(
            order,
            items,
            [fulfillment.as_rule_domain_order(d) for d in stored.domain_orders],
            [fulfillment.as_rule_return(r) for r in stored.returns],
            record,
            [fulfillment.as_rule_work_order(w) for w in stored.work_orders],
        )
        if order.state is OrderState.IN_PROGRESS:
            await order_graph.set_order_state(tx, graph, order.id, OrderState.CANCELLATION_IN_PROGRESS, why)
        events = await apply_item_states(tx, graph, order.id, plan.state_changes, line_of_items(order, record))
        await write_fulfillment_states(
            tx, graph, plan.task_changes, plan.domain_order_changes, plan.work_order_changes, plan.return_changes
        )
        await fulfillment.add_notes(tx, graph, order.id, plan.notes)
        await history.record_events(tx, graph, events)
        await order_graph.set_order_state(tx, graph, order.id, plan.order_state, why)
        await order_graph.release_items(tx, graph, order.id)
        if order.on_hold:
            await task_flow.clear_hold(tx, graph, order.id)
        await settle_follow_ons(tx, graph, order.id, "was cancelled")
        return order.id

    return await run_order_mutation(info, work)
