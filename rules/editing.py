"""Editing a draft order's lines one at a time: update, removal, and what changed between two line lists."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from rules.model import (
    EDITABLE_ORDER_STATES,
    ErrorCode,
    LineAction,
    Order,
    OrderAction,
    OrderLine,
    ProductSpec,
    RuleError,
    RuleViolation,
)
from rules.move import MOVE_LINE_ACTIONS
from rules.order_lines import (
    LINE_ACTIONS_BY_ORDER,
    SUBTREE_LINE_ACTIONS,
    DraftLines,
    Findings,
    TreeView,
    check_characteristics,
    check_open_order,
    check_state,
    check_unique_characteristics,
    merge_characteristic_changes,
    not_editable,
    spec_after,
)


@dataclass(frozen=True)
class Removal:
    """The outcome of removing a line: the order's remaining lines, what went, and items to delete.

    `removed_item_ids` are the INSTALLATION_PENDING items the removed ADD lines had created.
    """

    lines: list[OrderLine]
    removed_line_ids: tuple[str, ...]
    removed_item_ids: tuple[str, ...]


@dataclass(frozen=True)
class LineDiff:
    """How a line list differs from the one before: lines to create, lines to update, ids to delete."""

    created: list[OrderLine]
    updated: list[OrderLine]
    removed_ids: list[str]


def _find_line(order: Order, line_id: str) -> OrderLine:
    line = next((x for x in order.lines if x.id == line_id), None)
    if line is None:
        raise RuleError(
            RuleViolation(
                ErrorCode.NOT_FOUND, f"Order {order.id} has no line {line_id}", "lineId", (line_id,)
            )
        )
    return line


def plan_line_update(
    order: Order,
    view: TreeView,
    specs: Mapping[str, ProductSpec],
    line_id: str,
    *,
    action: LineAction | None = None,
    move: bool | None = None,
    target_location_id: str | None = None,
    characteristics: Sequence[tuple[str, str]] | None = None,
    specification_version: str | None = None,
    new_line_id: Callable[[], str] = lambda: f"line-{uuid.uuid4().hex[:12]}",
) -> list[OrderLine]:
    """The order's lines after editing one line; arguments left as None keep what the line has.

    Turning a line into DISCONNECT cascades like a selection for DISCONNECT: every live item below
    gets a DISCONNECT line (new ids from `new_line_id`) and required children are checked (R3). A
    line its ancestor's DISCONNECT covers keeps its action (COVERED_BY_ANCESTOR).

    A new action is checked against the item's state as a selection would be (R3, R5, R6); ADD lines
    keep their action. Characteristics merge into the line's changes; setting one back to the item's
    current value drops it. An ADD line's changes are the values its new product is created with.
    """
    if order.state not in EDITABLE_ORDER_STATES:
        raise RuleError(not_editable(order))
    line = _find_line(order, line_id)
    item = view.items.get(line.inventory_id) if line.inventory_id is not None else None
    if item is None:
        raise RuleError(
            RuleViolation(
                ErrorCode.NOT_FOUND,
                f"The inventory item of line {line_id} is not available",
                "lineId",
                (line_id,),
            )
        )

    findings = Findings()
    draft = DraftLines(order.lines)
    new_action = action if action is not None else line.action
    is_move_order = order.action is OrderAction.MOVE
    if new_action is not line.action:
        covering = _covering_disconnect(view, draft, item.id)
        if covering is not None:
            findings.add(
                RuleViolation(
                    ErrorCode.COVERED_BY_ANCESTOR,
                    f"Line {line_id} follows the DISCONNECT of line {covering.id} (item "
                    f"{covering.inventory_id}) above it; edit or remove line {covering.id} instead",
                    "action",
                    (line_id, covering.id),
                )
            )
        if line.action is LineAction.ADD or new_action is LineAction.ADD:
            findings.add(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    f"Line {line_id} is {line.action}; ADD lines come only from added products and "
                    "keep their action",
                    "action",
                    (line_id,),
                )
            )
        elif new_action not in LINE_ACTIONS_BY_ORDER[order.action]:
            findings.add(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    f"A {order.action} order cannot carry {new_action} lines",
                    "action",
                    (line_id,),
                )
            )
        else:
            check_state(findings, item, new_action, move=line.move, field="action")
            check_open_order(findings, item, order, field="action")
            if new_action in SUBTREE_LINE_ACTIONS:
                added_below = [
                    x.id for x in order.lines if x.parent_line_id == line_id and x.action is LineAction.ADD
                ]
                if added_below:
                    findings.add(
                        RuleViolation(
                            ErrorCode.INVALID_INPUT,
                            f"Products are added under item {item.id} in this order; remove them before "
                            f"making line {line_id} {new_action}",
                            "action",
                            (line_id, *added_below),
                        )
                    )

    new_move = move if move is not None else line.move
    if move and not is_move_order:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Only move orders set the move flag; order {order.id} is {order.action}",
                "move",
                (line_id,),
            )
        )
    target = target_location_id if target_location_id is not None else line.target_location_id
    located = MOVE_LINE_ACTIONS if is_move_order else frozenset({LineAction.CHANGE})
    if target_location_id is not None and new_action not in located:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"{new_action} lines of a {order.action} order take no target location",
                "targetLocationId",
                (line_id,),
            )
        )
    if new_action not in located:
        target = None

    version = line.specification_version if new_action is LineAction.CHANGE else None
    if specification_version is not None:
        if new_action is not LineAction.CHANGE:
            findings.add(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    f"Only change lines move an item to another specification version, not {new_action} lines",
                    "specificationVersion",
                    (line_id,),
                )
            )
        else:
            from rules.capture import check_specification_version  # capture re-exports this module

            check_specification_version(findings, view, specs, draft, item, specification_version,
                                        "specificationVersion")
            version = None if specification_version == item.spec_version else specification_version

    changes = line.characteristic_changes if new_action in (LineAction.CHANGE, LineAction.ADD) else ()
    if characteristics is None and specification_version is not None and changes:
        # the values the line already sets must exist in the version it now moves to
        check_characteristics(findings, spec_after(specs, item, version), line.spec_id,
                              {c.name: c.new for c in changes}, item.id)
    if characteristics is not None:
        check_unique_characteristics(findings, characteristics)
        values = dict(characteristics)
        if new_action not in (LineAction.CHANGE, LineAction.ADD):
            findings.add(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    f"Only change and add lines set characteristics, not {new_action} lines",
                    "characteristics",
                    (line_id,),
                )
            )
        else:
            check_characteristics(findings, spec_after(specs, item, version), line.spec_id, values, item.id)
            added = new_action is LineAction.ADD
            changes = merge_characteristic_changes(
                changes, {} if added else item.characteristics, values, keep_unchanged=added
            )
    findings.raise_if_any()

    updated = replace(
        line,
        action=new_action,
        move=new_move,
        target_location_id=target,
        characteristic_changes=changes,
        specification_version=version,
    )
    lines = [updated if x.id == line_id else x for x in order.lines]
    if new_action is LineAction.DISCONNECT and line.action is not LineAction.DISCONNECT:
        # Editing to DISCONNECT cascades exactly as selecting the item for DISCONNECT does (R3).
        from rules.capture import plan_selection  # capture re-exports this module

        return plan_selection(
            replace(order, lines=lines),
            view,
            specs,
            [item.id],
            line_action=LineAction.DISCONNECT,
            target_location_id=target if is_move_order else None,
            new_line_id=new_line_id,
        )
    return lines


def _covering_disconnect(view: TreeView, draft: DraftLines, item_id: str) -> OrderLine | None:
    """The DISCONNECT line of the nearest ancestor that has one: it covers `item_id` (R3)."""
    for ancestor in view.ancestors(item_id):
        found = draft.for_item(ancestor.id)
        if found is not None and found.action is LineAction.DISCONNECT:
            return found
    return None


def plan_line_removal(order: Order, view: TreeView, line_id: str) -> Removal:
    """The order's lines without `line_id`; its child lines move up to the removed line's parent line.

    Removing an ADD line also removes the ADD lines below it and reports the items they created, and a
    NO_CHANGE line left without child lines goes with it. A line that products are added under, or
    that a disconnect, suspend or resume of its parent's line covers, cannot be removed on its own.
    """
    if order.state not in EDITABLE_ORDER_STATES:
        raise RuleError(not_editable(order))
    line = _find_line(order, line_id)
    below: dict[str, list[OrderLine]] = {}
    for x in order.lines:
        if x.parent_line_id is not None:
            below.setdefault(x.parent_line_id, []).append(x)
    by_id = {x.id: x for x in order.lines}

    removed: dict[str, OrderLine] = {}
    if line.action is LineAction.ADD:
        stack = [line]
        while stack:
            current = stack.pop()
            removed[current.id] = current
            stack.extend(below.get(current.id, ()))
        parent = by_id.get(line.parent_line_id or "")
        while (
            parent is not None
            and parent.action is LineAction.NO_CHANGE
            and all(x.id in removed for x in below.get(parent.id, ()))
        ):
            removed[parent.id] = parent
            parent = by_id.get(parent.parent_line_id or "")
    else:
        _check_removable(order, view, line, below.get(line.id, []))
        removed[line.id] = line

    relinked: list[OrderLine] = []
    for x in order.lines:
        if x.id in removed:
            continue
        if x.parent_line_id in removed:
            # walk up past every removed line to the nearest kept one
            new_parent: str | None = x.parent_line_id
            while new_parent is not None and new_parent in removed:
                new_parent = removed[new_parent].parent_line_id
            x = replace(x, parent_line_id=new_parent)
        relinked.append(x)
    item_ids = tuple(
        x.inventory_id for x in removed.values() if x.action is LineAction.ADD and x.inventory_id is not None
    )
    return Removal(lines=relinked, removed_line_ids=tuple(removed), removed_item_ids=item_ids)


def _check_removable(order: Order, view: TreeView, line: OrderLine, children: list[OrderLine]) -> None:
    findings = Findings()
    added_below = [x.id for x in children if x.action is LineAction.ADD]
    if added_below:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Products are added under line {line.id}; remove them first or make the line NO_CHANGE",
                "lineId",
                (line.id, *added_below),
            )
        )
    item = view.items.get(line.inventory_id) if line.inventory_id is not None else None
    if item is not None and item.parent_id is not None and line.action in SUBTREE_LINE_ACTIONS:
        parent_line = next((x for x in order.lines if x.inventory_id == item.parent_id), None)
        if parent_line is not None and parent_line.action is line.action:
            findings.add(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    f"Line {line.id} follows the {line.action} of the parent item {item.parent_id}; "
                    f"remove line {parent_line.id} instead",
                    "lineId",
                    (line.id, parent_line.id),
                )
            )
    findings.raise_if_any()


def diff_lines(before: Sequence[OrderLine], after: Sequence[OrderLine]) -> LineDiff:
    """Which lines a write must create, update and delete to turn `before` into `after`."""
    old = {x.id: x for x in before}
    new_ids = {x.id for x in after}
    created = [x for x in after if x.id not in old]
    updated = [x for x in after if x.id in old and old[x.id] != x]
    removed = [x.id for x in before if x.id not in new_ids]
    return LineDiff(created=created, updated=updated, removed_ids=removed)
