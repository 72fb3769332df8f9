"""The shape every order mutation shares: one write transaction that locks the order, reads the
trees it touches, lets the rules decide, writes the difference, and leaves no trace on refusal."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import catalog
from graph import orders as order_graph
from graph.driver import Graph
from resolvers.order_read import saved_order
from rules.capture import TreeView, diff_lines
from rules.model import ErrorCode, Order, OrderLine, ProductSpec, RuleError, RuleViolation
from schema.context import Context, authorize
from schema.errors import OrderError
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def not_found(field: str, *ids: str, what: str = "order") -> RuleError:
    return RuleError(RuleViolation(ErrorCode.NOT_FOUND, f"No {what} with id {', '.join(ids)}", field, ids))


@dataclass
class Workspace:
    """What a mutation decides over: the locked order, the trees it touches and their specs."""

    tx: AsyncManagedTransaction
    graph: Graph
    order: Order
    view: TreeView
    specs: dict[str, ProductSpec]


async def open_workspace(
    tx: AsyncManagedTransaction,
    graph: Graph,
    info: Ctx,
    order_id: str,
    item_ids: Sequence[str] = (),
    spec_ids: Sequence[str] = (),
    action: str = "order.edit",
) -> Workspace:
    authorize(info, action)
    order = await order_graph.lock_order(tx, graph, order_id)
    if order is None:
        raise not_found("orderId", order_id)
    authorize(info, action, order.account_id)
    wanted = [*item_ids, *(ln.inventory_id for ln in order.lines if ln.inventory_id)]
    await order_graph.lock_parents(tx, graph, wanted)
    items, children = await order_graph.load_trees(tx, graph, wanted) if wanted else ({}, {})
    all_spec_ids = {i.spec_id for i in items.values()} | set(spec_ids) | {ln.spec_id for ln in order.lines}
    records = await catalog.specs_in(tx, graph, sorted(all_spec_ids))
    records.update(await catalog.spec_versions_in(tx, graph, sorted(all_spec_ids)))
    specs = {sid: r.as_rule_spec() for sid, r in records.items()}  # newest by id, every version by id@version
    return Workspace(tx, graph, order, TreeView(items=items, children=children), specs)


async def save_lines(ws: Workspace, after: list[OrderLine]) -> None:
    """Claim newly targeted items (R6, race-safe) and write the line difference."""
    diff = diff_lines(ws.order.lines, after)
    before_targets = {ln.inventory_id for ln in ws.order.lines if ln.inventory_id}
    new_targets = sorted({ln.inventory_id for ln in after if ln.inventory_id} - before_targets)
    held = await order_graph.claim_items(ws.tx, ws.graph, ws.order.id, new_targets)
    if held:
        raise already_in_open_order(held)
    ws.order.lines = after
    await order_graph.write_lines(ws.tx, ws.graph, ws.order, diff.created, diff.updated, list(diff.removed_ids))
    kept_targets = {ln.inventory_id for ln in after if ln.inventory_id}
    released = sorted(before_targets - kept_targets)
    if released:
        await order_graph.release_items(ws.tx, ws.graph, ws.order.id, released)


def already_in_open_order(held: dict[str, str]) -> RuleError:
    by_order: dict[str, list[str]] = {}
    for item_id, order_id in sorted(held.items()):
        by_order.setdefault(order_id, []).append(item_id)
    return RuleError(
        *(
            RuleViolation(
                ErrorCode.ALREADY_IN_OPEN_ORDER,
                f"Items {', '.join(items)} are already in open order {order_id}",
                "inventoryIds",
                (order_id, *items),
            )
            for order_id, items in by_order.items()
        )
    )


async def run_order_mutation(
    info: Ctx, work: Callable[[AsyncManagedTransaction], Awaitable[str]]
) -> OrderPayload:
    """Run `work` as one write transaction; a RuleError rolls it back and becomes payload errors."""
    graph = info.context.graph
    try:
        order_id = await graph.write(work)
    except RuleError as refused:
        return OrderPayload(order=None, errors=[OrderError.of(v) for v in refused.violations])
    return OrderPayload(order=await saved_order(info, order_id), errors=[])
