"""orderPreview (and the deprecated previewOrder): the lines an action on a selection would create;
nothing is written.

The preview decides over what capture would decide over (`resolvers.order_mutation.workspace_for`):
with `followsOrderId`, the items as they will be when that order completes (R15); with `orderId`,
the lines that order already has, or the lines of its open revision over the items as they were
before it ran (R14). The lines shown are those the selection would add or change.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import orders as order_graph
from graph.driver import Graph
from resolvers.order_mutation import not_found, workspace_for
from rules.capture import plan_selection
from rules.follow_on import check_followable
from rules.model import ErrorCode, Order, OrderAction, OrderState, RuleError, RuleViolation
from schema.context import Context, authorize
from schema.enums import OrderAction as OrderActionEnum
from schema.errors import ArgumentError, OrderError
from schema.orders import OrderLinePreview

Ctx = Info[Context, Any]

# The arguments both preview fields take.
AccountArg = Annotated[strawberry.ID, strawberry.argument(description="The account the items belong to.")]
ActionArg = Annotated[OrderActionEnum, strawberry.argument(description="The order action to preview.")]
ItemsArg = Annotated[list[strawberry.ID], strawberry.argument(description="The items that would be selected.")]
TargetArg = Annotated[strawberry.ID | None, strawberry.argument(description="For MOVE: where the items would go.")]
FOLLOWS_ORDER_ID = (
    "Preview for a follow-on order (R15) of this open order: the selection is planned against the items "
    "as they will be when it completes, as capture plans a follow-on's lines."
)
ORDER_ID = (
    "Preview adding the selection to this order of the account: its draft lines, or for an order under "
    "revision (R14) the lines of its open revision over the items as they were before it ran, are taken "
    "into account as addInventoryToOrder would; only the lines it would add or change are returned."
)

FollowsArg = Annotated[strawberry.ID | None, strawberry.argument(description=FOLLOWS_ORDER_ID)]
OrderArg = Annotated[strawberry.ID | None, strawberry.argument(description=ORDER_ID)]


@strawberry.type(description="The lines an action would create, or why it would be refused.")
class OrderPreview:
    lines: list[OrderLinePreview] = strawberry.field(description="The lines the action would create, parents before children.")
    errors: list[OrderError] = strawberry.field(description="Why the action would be refused; empty when it would be accepted.")


async def _joined_order(
    tx: AsyncManagedTransaction, graph: Graph, account_id: str, action: OrderAction, order_id: str | None,
    follows: str | None,
) -> Order:
    """The order the selection would join: a stored one (`order_id`) or a new draft, maybe a follow-on."""
    if order_id is None:
        if follows is not None:
            check_followable(account_id, await order_graph.order_in(tx, graph, follows), follows)
        return Order(id="preview", account_id=account_id, action=action, state=OrderState.DRAFT,
                     follows_order_id=follows)
    order = await order_graph.order_in(tx, graph, order_id)
    if order is None or order.account_id != account_id:
        raise not_found("orderId", order_id)
    problems: list[RuleViolation] = []
    if order.action is not action:
        problems.append(RuleViolation(
            ErrorCode.INVALID_INPUT, f"Order {order_id} is a {order.action} order, not {action}", "action", (order_id,),
        ))
    if follows is not None and follows != order.follows_order_id:
        problems.append(RuleViolation(
            ErrorCode.INVALID_INPUT, f"Order {order_id} does not follow order {follows}", "followsOrderId",
            (order_id, follows),
        ))
    if problems:
        raise RuleError(*problems)
    return order


async def preview_lines(
    info: Ctx,
    account_id: AccountArg,
    action: ActionArg,
    inventory_ids: ItemsArg,
    target_location_id: TargetArg = None,
    follows_order_id: FollowsArg = None,
    order_id: OrderArg = None,
) -> OrderPreview:
    authorize(info, "order.preview")
    try:
        authorize(info, "order.preview", str(account_id))
    except RuleError as hidden:
        return OrderPreview(lines=[], errors=[OrderError.of(v) for v in hidden.violations])
    graph = info.context.graph
    selected = [str(i) for i in inventory_ids]
    counter = iter(range(1, 10**9))

    async def work(tx: AsyncManagedTransaction) -> OrderPreview:
        try:
            joined = await _joined_order(
                tx, graph, str(account_id), OrderAction(action), str(order_id) if order_id else None,
                str(follows_order_id) if follows_order_id else None,
            )
            ws = await workspace_for(tx, graph, joined, selected, lock=False)
            lines = plan_selection(
                ws.order,
                ws.view,
                ws.specs,
                selected,
                target_location_id=str(target_location_id) if target_location_id else None,
                new_line_id=lambda: f"preview-{next(counter)}",
            )
        except RuleError as refused:
            return OrderPreview(lines=[], errors=[OrderError.of(v) for v in refused.violations])
        before = {ln.id: ln for ln in ws.order.lines}
        by_id = {ln.id: ln for ln in lines}
        return OrderPreview(
            lines=[
                OrderLinePreview(
                    action=ln.action,
                    move_operation=ln.move,
                    line=ln,
                    parent_inventory_id=strawberry.ID(by_id[ln.parent_line_id].inventory_id or "")
                    if ln.parent_line_id in by_id
                    else None,
                )
                for ln in lines
                if before.get(ln.id) != ln
            ],
            errors=[],
        )

    return await graph.read(work)


async def preview_order(
    info: Ctx,
    account_id: AccountArg,
    action: ActionArg,
    inventory_ids: ItemsArg,
    target_location_id: TargetArg = None,
    follows_order_id: FollowsArg = None,
    order_id: OrderArg = None,
) -> list[OrderLinePreview]:
    """The contract's list form: refusals come back as GraphQL errors naming the rule."""
    preview = await preview_lines(
        info, account_id, action, inventory_ids, target_location_id, follows_order_id, order_id
    )
    if preview.errors:
        first = preview.errors[0]
        raise ArgumentError(first.field or "inventoryIds", f"{first.code.value}: " + "; ".join(
            e.message for e in preview.errors))
    return preview.lines
