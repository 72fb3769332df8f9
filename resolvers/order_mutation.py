"""The shape every order mutation shares: one write transaction that locks the order, reads the
trees it touches, lets the rules decide, writes the difference, and leaves no trace on refusal."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import catalog, fulfillment, revisions
from graph import orders as order_graph
from graph.driver import Graph
from graph.revisions import RevisionRecord
from resolvers.order_read import saved_order
from rules.capture import TreeView, diff_lines
from rules.effects import ApprovalRecord
from rules.follow_on import project_for
from rules.model import (
    FOLLOWABLE_ORDER_STATES,
    ErrorCode,
    InventoryItem,
    Order,
    OrderLine,
    OrderState,
    ProductSpec,
    RuleError,
    RuleViolation,
)
from rules.revision import (
    RevisionState,
    check_point_of_no_return,
    frozen_lines,
    line_delta,
    revision_view,
)
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
    """What a mutation decides over: the locked order, the trees it touches and their specs.

    For a follow-on order (R15) `first` is the order it follows, locked too, and `view` shows the
    items as they will be once `first` completes.
    """

    tx: AsyncManagedTransaction
    graph: Graph
    order: Order
    view: TreeView
    specs: dict[str, ProductSpec]
    first: Order | None = None
    revision: RevisionRecord | None = None
    running: Order | None = None
    """For a revision (R14): the open revision, whose lines `order` holds, and the order as it runs."""

    @property
    def waits_for(self) -> str | None:
        """The id of the open order this follow-on still waits for, if any."""
        if self.first is not None and self.first.state in FOLLOWABLE_ORDER_STATES:
            return self.first.id
        return None


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
    return await workspace_for(tx, graph, order, item_ids, spec_ids)


async def workspace_for(
    tx: AsyncManagedTransaction,
    graph: Graph,
    order: Order,
    item_ids: Sequence[str] = (),
    spec_ids: Sequence[str] = (),
    *,
    lock: bool = True,
) -> Workspace:
    """What the capture rules decide over for `order` and the items `item_ids`: its open revision over
    the items as they were before it ran (R14), a follow-on over the items as they will be (R15), or
    the items as they are. With `lock` (every mutation) the trees' parents and a followed order are
    write-locked; without it (a preview) nothing is written."""
    if order.state is OrderState.REVISION_IN_PROGRESS:
        return await _revision_workspace(tx, graph, order, item_ids, spec_ids, lock)
    first, record = await followed_order(tx, graph, order, lock=lock)
    wanted = [*item_ids, *(ln.inventory_id for ln in order.lines if ln.inventory_id)]
    items, children, specs = await _trees_and_specs(tx, graph, wanted, {*spec_ids, *(ln.spec_id for ln in order.lines)}, lock)
    view = project_for(TreeView(items=items, children=children), first, record)
    return Workspace(tx, graph, order, view, specs, first)


async def _trees_and_specs(
    tx: AsyncManagedTransaction, graph: Graph, wanted: list[str], spec_ids: set[str], lock: bool
) -> tuple[dict[str, InventoryItem], dict[str, list[str]], dict[str, ProductSpec]]:
    """The trees of `wanted` (parents locked with `lock`) and every specification they and `spec_ids` use."""
    if lock:
        items, children = await order_graph.lock_and_load_trees(tx, graph, wanted)
    else:
        items, children = await order_graph.load_trees(tx, graph, wanted) if wanted else ({}, {})
    all_spec_ids = {i.spec_id for i in items.values()} | spec_ids
    records = await catalog.specs_with_versions_in(tx, graph, sorted(all_spec_ids))
    specs = {sid: r.as_rule_spec() for sid, r in records.items()}  # newest by id, every version by id@version
    return items, children, specs


async def _revision_workspace(
    tx: AsyncManagedTransaction,
    graph: Graph,
    running: Order,
    item_ids: Sequence[str],
    spec_ids: Sequence[str],
    lock: bool,
) -> Workspace:
    """The open revision as a draft: its lines, over the items as they were before the running order."""
    revision = await revisions.open_revision(tx, graph, running.id)
    if revision is None:
        raise RuleError(
            RuleViolation(
                ErrorCode.ORDER_NOT_EDITABLE, f"Order {running.id} has no open revision", "orderId", (running.id,)
            )
        )
    state = OrderState.DRAFT if revision.state == RevisionState.DRAFT else OrderState.SUBMITTED
    draft = replace(running, state=state, lines=list(revision.lines))
    both = [*running.lines, *draft.lines]
    wanted = [*item_ids, *(ln.inventory_id for ln in both if ln.inventory_id)]
    items, children, specs = await _trees_and_specs(tx, graph, wanted, {*spec_ids, *(ln.spec_id for ln in both)}, lock)
    record = await fulfillment.approval_record(tx, graph, running.id)
    view = revision_view(TreeView(items=items, children=children), running, record)
    return Workspace(tx, graph, draft, view, specs, revision=revision, running=running)


async def followed_order(
    tx: AsyncManagedTransaction, graph: Graph, order: Order, *, lock: bool = True
) -> tuple[Order | None, ApprovalRecord]:
    """The order a follow-on follows, write-locked (with `lock`) so it cannot complete while the
    follow-on is decided, with what its approval recorded (empty while it is not approved)."""
    if order.follows_order_id is None:
        return None, ApprovalRecord()
    first = await order_graph.order_in(tx, graph, order.follows_order_id, lock=lock)
    if first is None or first.state not in FOLLOWABLE_ORDER_STATES:
        return first, ApprovalRecord()
    return first, await fulfillment.approval_record(tx, graph, first.id)


async def save_lines(ws: Workspace, after: list[OrderLine]) -> dict[str, Any]:
    """Claim newly targeted items (R6, race-safe) and write the line difference; returns the order's
    properties afterwards (for `Saved`)."""
    if ws.revision is not None:
        return await _save_revision_lines(ws, after)
    diff = diff_lines(ws.order.lines, after)
    before_targets = {ln.inventory_id for ln in ws.order.lines if ln.inventory_id}
    new_targets = sorted({ln.inventory_id for ln in after if ln.inventory_id} - before_targets)
    held = await order_graph.claim_items(ws.tx, ws.graph, ws.order.id, new_targets, ws.waits_for)
    if held:
        raise already_in_open_order(held)
    ws.order.lines = after
    saved = await order_graph.write_lines(
        ws.tx, ws.graph, ws.order, diff.created, diff.updated, list(diff.removed_ids)
    )
    kept_targets = {ln.inventory_id for ln in after if ln.inventory_id}
    released = sorted(before_targets - kept_targets)
    if released:
        await order_graph.release_items(ws.tx, ws.graph, ws.order.id, released)
    return saved


async def _save_revision_lines(ws: Workspace, after: list[OrderLine]) -> dict[str, Any]:
    """A revision's edit: refused when it touches a line past its point of no return; claims are
    taken and let go relative to both the running and the revised lines."""
    assert ws.revision is not None and ws.running is not None
    await check_revision_against_ponr(ws, after)
    running_targets = {ln.inventory_id for ln in ws.running.lines if ln.inventory_id}
    before_targets = {ln.inventory_id for ln in ws.order.lines if ln.inventory_id}
    after_targets = {ln.inventory_id for ln in after if ln.inventory_id}
    held = await order_graph.claim_items(
        ws.tx, ws.graph, ws.order.id, sorted(after_targets - before_targets - running_targets)
    )
    if held:
        raise already_in_open_order(held)
    released = sorted(before_targets - after_targets - running_targets)
    if released:
        await order_graph.release_items(ws.tx, ws.graph, ws.order.id, released)
    ws.order.lines = after
    await revisions.save_revision_lines(ws.tx, ws.graph, ws.revision.id, after)
    return await order_graph.touch_order(ws.tx, ws.graph, ws.order.id)


async def check_revision_against_ponr(ws: Workspace, revised: Sequence[OrderLine]) -> None:
    """PAST_POINT_OF_NO_RETURN when the revised tree removes or changes a line of a frozen bundle."""
    assert ws.running is not None
    passed = await revisions.points_of_no_return(ws.tx, ws.graph, ws.running.id)
    if passed:
        check_point_of_no_return(line_delta(ws.running.lines, revised), frozen_lines(ws.running.lines, passed))


async def order_of_line(tx: AsyncManagedTransaction, graph: Graph, line_id: str) -> str:
    """The order a line belongs to: a stored line, or a line an open revision added (R14)."""
    order_id = await order_graph.order_id_of_line(tx, graph, line_id)
    if order_id is None:
        order_id = await revisions.order_id_of_revision_line(tx, graph, line_id)
    if order_id is None:
        raise not_found("lineId", line_id, what="order line")
    return order_id


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


@dataclass(frozen=True)
class Saved:
    """What a mutation's transaction left: the order's id and, when its last statement returned them,
    the order's properties as committed (the payload is then built without reading the order again)."""

    order_id: str
    properties: dict[str, Any]


async def run_order_mutation(
    info: Ctx, work: Callable[[AsyncManagedTransaction], Awaitable[str | Saved]]
) -> OrderPayload:
    """Run `work` as one write transaction; a RuleError rolls it back and becomes payload errors."""
    graph = info.context.graph
    try:
        done = await graph.write(work)
    except RuleError as refused:
        return OrderPayload(order=None, errors=[OrderError.of(v) for v in refused.violations])
    if isinstance(done, Saved):
        return OrderPayload(order=await saved_order(info, done.order_id, done.properties or None), errors=[])
    return OrderPayload(order=await saved_order(info, done), errors=[])
