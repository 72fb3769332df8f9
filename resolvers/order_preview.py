"""previewOrder: the lines an action on a selection would create; nothing is written."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import catalog
from graph import orders as order_graph
from rules.capture import TreeView, plan_selection
from rules.model import Order, OrderAction, OrderState, RuleError
from schema.context import Context, authorize
from schema.enums import OrderAction as OrderActionEnum
from schema.errors import OrderError
from schema.orders import OrderLinePreview

Ctx = Info[Context, Any]


@strawberry.type(description="The lines an action would create, or why it would be refused.")
class OrderPreview:
    lines: list[OrderLinePreview] = strawberry.field(description="The lines the action would create, parents before children.")
    errors: list[OrderError] = strawberry.field(description="Why the action would be refused; empty when it would be accepted.")


async def preview_lines(
    info: Ctx,
    account_id: Annotated[strawberry.ID, strawberry.argument(description="The account the items belong to.")],
    action: Annotated[OrderActionEnum, strawberry.argument(description="The order action to preview.")],
    inventory_ids: Annotated[list[strawberry.ID], strawberry.argument(description="The items that would be selected.")],
    target_location_id: Annotated[strawberry.ID | None, strawberry.argument(description="For MOVE: where the items would go.")] = None,
) -> OrderPreview:
    authorize(info, "order.preview")
    try:
        authorize(info, "order.preview", str(account_id))
    except RuleError as hidden:
        return OrderPreview(lines=[], errors=[OrderError.of(v) for v in hidden.violations])
    graph = info.context.graph
    selected = [str(i) for i in inventory_ids]
    draft = Order(id="preview", account_id=str(account_id), action=OrderAction(action), state=OrderState.DRAFT)
    counter = iter(range(1, 10**9))

    async def work(tx: AsyncManagedTransaction) -> OrderPreview:
        items, children = await order_graph.load_trees(tx, graph, selected)
        records = await catalog.specs_in(tx, graph, sorted({i.spec_id for i in items.values()}))
        specs = {sid: r.as_rule_spec() for sid, r in records.items()}
        try:
            lines = plan_selection(
                draft,
                TreeView(items=items, children=children),
                specs,
                selected,
                target_location_id=str(target_location_id) if target_location_id else None,
                new_line_id=lambda: f"preview-{next(counter)}",
            )
        except RuleError as refused:
            return OrderPreview(lines=[], errors=[OrderError.of(v) for v in refused.violations])
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
            ],
            errors=[],
        )

    return await graph.read(work)


async def preview_order(
    info: Ctx,
    account_id: Annotated[strawberry.ID, strawberry.argument(description="The account the items belong to.")],
    action: Annotated[OrderActionEnum, strawberry.argument(description="The order action to preview.")],
    inventory_ids: Annotated[list[strawberry.ID], strawberry.argument(description="The items that would be selected.")],
    target_location_id: Annotated[strawberry.ID | None, strawberry.argument(description="For MOVE: where the items would go.")] = None,
) -> list[OrderLinePreview]:
    """The contract's list form: refusals come back as GraphQL errors naming the rule."""
    preview = await preview_lines(info, account_id, action, inventory_ids, target_location_id)
    if preview.errors:
        from schema.errors import ArgumentError

        first = preview.errors[0]
        raise ArgumentError(first.field or "inventoryIds", f"{first.code.value}: " + "; ".join(
            e.message for e in preview.errors))
    return preview.lines
