"""Move order validation (R4): a move takes a product and everything under it to one new location."""

from __future__ import annotations

from collections import Counter

from rules.model import ErrorCode, InventoryState, LineAction, Order, OrderLine, RuleViolation
from rules.order_lines import TreeView, describe_items

MOVE_LINE_ACTIONS = frozenset({LineAction.CHANGE, LineAction.ADD, LineAction.DISCONNECT})
"""The actions a line of a moved product may have: keep it (CHANGE), gain items (ADD) or drop them."""


def validate_move(order: Order, view: TreeView) -> list[RuleViolation]:
    """Every failed move rule of `order`, each naming the offending lines or items.

    Each top-level line is a moved product. (a) It and every line below it carry the move flag and
    an action of CHANGE, ADD or DISCONNECT; (b) they all carry the same target location, the top
    line's (or, when it has none, the one most of them carry); (c) every non-INACTIVE inventory item
    under the moved product has a line. `view` must hold each moved product's complete subtree.
    """
    line_ids = {line.id for line in order.lines}
    below: dict[str, list[OrderLine]] = {}
    tops: list[OrderLine] = []
    for line in order.lines:
        if line.parent_line_id is not None and line.parent_line_id in line_ids:
            below.setdefault(line.parent_line_id, []).append(line)
        else:
            tops.append(line)
    items_in_order = {line.inventory_id for line in order.lines if line.inventory_id is not None}

    unflagged: list[str] = []
    mismatched: list[str] = []
    missing: list[str] = []
    for top in tops:
        product_lines = _subtree_lines(top, below)
        unflagged.extend(
            line.id for line in product_lines if not line.move or line.action not in MOVE_LINE_ACTIONS
        )
        target = top.target_location_id or _most_common_target(product_lines)
        mismatched.extend(
            line.id
            for line in product_lines
            if line.target_location_id is None or line.target_location_id != target
        )
        if top.inventory_id is not None and top.inventory_id in view.items:
            for item_id in view.descendants(top.inventory_id):
                item = view.items.get(item_id)
                if (
                    item is not None
                    and item.state is not InventoryState.INACTIVE
                    and item_id not in items_in_order
                ):
                    missing.append(item_id)

    violations: list[RuleViolation] = []
    if unflagged:
        violations.append(
            RuleViolation(
                ErrorCode.MOVE_FLAG_MISSING,
                f"{describe_items(unflagged, 'Line')} of move order {order.id} need the move "
                "flag and an action of CHANGE, ADD or DISCONNECT",
                "lines",
                tuple(unflagged),
            )
        )
    if mismatched:
        violations.append(
            RuleViolation(
                ErrorCode.MOVE_LOCATION_MISMATCH,
                f"{describe_items(mismatched, 'Line')} of move order {order.id} do not carry "
                "the target location of the product they move with",
                "lines",
                tuple(mismatched),
            )
        )
    if missing:
        violations.append(
            RuleViolation(
                ErrorCode.MOVE_INCOMPLETE,
                f"{describe_items(missing, 'Item')} under a moved product of order {order.id} "
                "have no line; everything under a moved product moves with it",
                "lines",
                tuple(missing),
            )
        )
    return violations


def _subtree_lines(top: OrderLine, below: dict[str, list[OrderLine]]) -> list[OrderLine]:
    out: list[OrderLine] = []
    seen: set[str] = set()
    stack = [top]
    while stack:
        line = stack.pop()
        if line.id in seen:
            continue
        seen.add(line.id)
        out.append(line)
        stack.extend(reversed(below.get(line.id, ())))
    return out


def _most_common_target(lines: list[OrderLine]) -> str | None:
    counts = Counter(line.target_location_id for line in lines if line.target_location_id is not None)
    # Counter keeps first-seen order among equal counts, so ties go to the line nearest the top
    return counts.most_common(1)[0][0] if counts else None
