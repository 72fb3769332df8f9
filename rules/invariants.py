"""What an order's resulting tree must satisfy, checked at submission and again at approval.

Capture keeps these true line by line; these checks are the last line of defence whatever path
built the lines: no item stays live under an item the order makes INACTIVE (R3, R4), every parent
the order takes children from keeps its bundle minimum counting every open order's removals, and
every bundle the order adds comes with its required children (R2).
"""

from __future__ import annotations

from collections.abc import Mapping

from rules.model import (
    ErrorCode,
    InventoryItem,
    InventoryState,
    LineAction,
    Order,
    OrderLine,
    ProductSpec,
    RuleViolation,
)
from rules.order_lines import (
    DraftLines,
    Findings,
    TreeView,
    check_required_children,
    describe_items,
    spec_of,
)


def _relocates(line: OrderLine | None) -> bool:
    """A move line that carries its item to the new location (a copy replaces the item)."""
    return line is not None and line.move and line.action in (LineAction.CHANGE, LineAction.NO_CHANGE)


def resulting_tree_violations(order: Order, view: TreeView) -> list[RuleViolation]:
    """LIVE_UNDER_INACTIVE naming every item that would stay live under an item the order ends.

    After completion a DISCONNECT line's item is INACTIVE, a moved item's original is INACTIVE and
    its copy hangs under the copy of its parent when the parent moves too (else under the parent);
    an item a move adds hangs under its parent's copy. `view` must hold the complete trees of the
    items the lines target.
    """
    line_of: dict[str, OrderLine] = {ln.inventory_id: ln for ln in order.lines if ln.inventory_id}

    def ends(item_id: str) -> bool:
        """Whether the item is INACTIVE once the order completes (moved originals included)."""
        line = line_of.get(item_id)
        if line is not None and (line.action is LineAction.DISCONNECT or _relocates(line)):
            return True
        item = view.items.get(item_id)
        return item is not None and item.state is InventoryState.INACTIVE and line is None

    offenders: list[str] = []
    parents: dict[str, None] = {}
    for item in view.items.values():
        if item.parent_id is None or item.parent_id not in view.items:
            continue
        line = line_of.get(item.id)
        relocates = _relocates(line)
        if not relocates and ends(item.id):
            continue  # dead itself: nothing lives on under its parent
        parent_moves = _relocates(line_of.get(item.parent_id))
        follows_parent = relocates or (line is not None and line.move and line.action is LineAction.ADD)
        if parent_moves and follows_parent:
            continue  # it (or its copy) goes under the parent's copy, which lives
        if ends(item.parent_id):
            offenders.append(item.id)
            parents[item.parent_id] = None
    if not offenders:
        return []
    return [
        RuleViolation(
            ErrorCode.LIVE_UNDER_INACTIVE,
            f"{describe_items(offenders, 'Item')} would stay live under "
            f"{describe_items(list(parents))} that order {order.id} makes INACTIVE; give them lines "
            "(disconnect or move them with their parent) or remove the parent's line",
            "lines",
            tuple(offenders),
        )
    ]


def cardinality_violations(
    order: Order, view: TreeView, specs: Mapping[str, ProductSpec]
) -> list[RuleViolation]:
    """REQUIRED_CHILD for every DISCONNECT line that leaves its parent below the bundle minimum
    (other open orders' removals included), and for every added bundle missing required children."""
    findings = Findings()
    draft = DraftLines(order.lines)
    disconnected: list[InventoryItem] = [
        view.items[ln.inventory_id]
        for ln in order.lines
        if ln.action is LineAction.DISCONNECT and ln.inventory_id in view.items
    ]
    check_required_children(findings, view, specs, draft, disconnected, field="lines")
    for violation in missing_required_children(order, view, specs):
        findings.add(violation)
    return findings.violations()


def missing_required_children(
    order: Order, view: TreeView, specs: Mapping[str, ProductSpec]
) -> list[RuleViolation]:
    """REQUIRED_CHILD per ADD line whose specification needs children the order does not add (R2)."""
    below: dict[str, list[OrderLine]] = {}
    for line in order.lines:
        if line.parent_line_id is not None:
            below.setdefault(line.parent_line_id, []).append(line)
    violations: list[RuleViolation] = []
    for line in order.lines:
        if line.action is not LineAction.ADD:
            continue
        item = view.items.get(line.inventory_id or "")
        spec = spec_of(specs, item) if item is not None else specs.get(line.spec_id)
        if spec is None:
            continue
        missing: list[str] = []
        for rule in spec.bundles:
            if rule.min <= 0:
                continue
            added = sum(
                1 for x in below.get(line.id, ()) if x.action is LineAction.ADD and x.spec_id == rule.child_spec_id
            )
            if added < rule.min:
                missing.append(rule.child_spec_id)
        if missing:
            violations.append(
                RuleViolation(
                    ErrorCode.REQUIRED_CHILD,
                    f"Line {line.id} adds a {spec.name} without its required "
                    f"{describe_items(missing, 'specification')}; add them under it",
                    "lines",
                    (line.id, *missing),
                )
            )
    return violations


def order_tree_violations(order: Order, view: TreeView, specs: Mapping[str, ProductSpec]) -> list[RuleViolation]:
    """Everything `order`'s resulting tree breaks; submission and approval refuse on any."""
    return [*resulting_tree_violations(order, view), *cardinality_violations(order, view, specs)]
