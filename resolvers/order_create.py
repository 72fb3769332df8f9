"""createOrder: a draft order for an account, idempotent on its key; optionally a follow-on order of
an open order (R15)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError
from strawberry.types import Info

from graph import orders as order_graph
from resolvers.order_mutation import new_id, not_found, run_order_mutation
from rules.follow_on import check_followable
from rules.model import ErrorCode, Order, OrderAction, OrderState, RuleError, RuleViolation
from rules.schedule import check_requested_dates
from schema.context import Context, authorize
from schema.order_inputs import CreateOrderInput
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def create_order(
    info: Ctx,
    input: Annotated[CreateOrderInput, strawberry.argument(description="Account, action and an optional idempotency key.")],
) -> OrderPayload:
    account_id = str(input.account_id)
    caller = authorize(info, "order.create")
    action = OrderAction(input.action)
    key = input.idempotency_key or None
    follows = str(input.follows_order_id) if input.follows_order_id else None
    graph = info.context.graph

    async def work(tx: AsyncManagedTransaction) -> str:
        authorize(info, "order.create", account_id)
        if key is not None:
            existing = await order_graph.find_by_idempotency_key(tx, graph, key)
            if existing is not None:
                scope = caller.account_scope
                return same_request(existing, account_id, action, key, scope is None or existing.account_id in scope)
        if not await order_graph.account_exists(tx, graph, account_id):
            raise not_found("accountId", account_id, what="account")
        check_requested_dates(input.requested_start_date, input.requested_completion_date)
        if follows is not None:
            first = await order_graph.order_in(tx, graph, follows, lock=True)
            check_followable(account_id, first, follows)
        order = Order(
            id=new_id("ord"), account_id=account_id, action=action, state=OrderState.DRAFT,
            requested_start=input.requested_start_date, requested_completion=input.requested_completion_date,
            follows_order_id=follows,
        )
        await order_graph.create_order(tx, graph, order, key, caller.id)
        return order.id

    try:
        return await run_order_mutation(info, work)
    except ConstraintError:
        # A concurrent request with the same key won the race; answer with its order.
        return await run_order_mutation(info, work)


def same_request(existing: Order, account_id: str, action: OrderAction, key: str, visible: bool = True) -> str:
    if not visible:
        # An order of an account the caller may not see: say no more than that the key is taken.
        raise RuleError(
            RuleViolation(ErrorCode.INVALID_INPUT, f"Idempotency key {key} is already used; choose another",
                          "idempotencyKey")
        )
    if existing.account_id != account_id or existing.action != action:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Idempotency key {key} was used for order {existing.id} of account {existing.account_id} "
                f"with action {existing.action}",
                "idempotencyKey",
                (existing.id,),
            )
        )
    return existing.id
