"""Revisions of an order in progress (R14): the revised line tree, the point of no return, and the delta.

`reviseOrder` opens a revision: a copy of the running order's line tree that the capture mutations
edit like a draft. The capture rules decide over the items as they were before the running order
touched them (`revision_view`), so changing a CHANGE line into a DISCONNECT line is checked against
ACTIVE, not CHANGE_PENDING. On approval `line_delta` compares the revised tree with the running one
and `rules.revision_plan.revision_effects` plans the change of course in one go.

Decisions worth knowing:

- Lines are matched by the inventory item they act on (an ADD line by the item it created), so a
  line removed and selected again in the same revision is one changed (or unchanged) line, keeping
  the running line's id. A line is changed when its action, move flag, target location or
  characteristic changes differ; a new parent line alone does not change it.
- A line past its point of no return freezes its whole bundle: every line under the same top line
  of the running tree (`frozen_lines`). Frozen lines cannot be removed or changed; new lines may
  still join. PAST_POINT_OF_NO_RETURN names the lines (and their items) and the closed tasks.
- Applying the delta is `rules.revision_plan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from rules.effects import ApprovalRecord
from rules.model import (
    ErrorCode,
    InventoryState,
    LineAction,
    Order,
    OrderLine,
    OrderState,
    RuleError,
    RuleViolation,
)
from rules.order_lines import TreeView

_PENDING = frozenset({InventoryState.CHANGE_PENDING, InventoryState.DISCONNECT_PENDING})


class RevisionState(StrEnum):
    """States of a revision: DRAFT (being edited) -> SUBMITTED -> APPROVED, or CANCELLED."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    CANCELLED = "CANCELLED"


OPEN_REVISION_STATES = (RevisionState.DRAFT.value, RevisionState.SUBMITTED.value)


# ---------------------------------------------------------------------------------------------------
# Opening a revision


def check_revisable(order: Order, reason: str) -> None:
    """Only an IN_PROGRESS order, with a reason; REVISION_PENDING while one is open."""
    if order.state is OrderState.REVISION_IN_PROGRESS:
        raise RuleError(
            RuleViolation(
                ErrorCode.REVISION_PENDING,
                f"Order {order.id} already has a revision in progress; submit, approve or cancel it first",
                "orderId",
                (order.id,),
            )
        )
    violations: list[RuleViolation] = []
    if order.state is not OrderState.IN_PROGRESS:
        violations.append(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Order {order.id} is {order.state}; only an order in progress can be revised"
                + ("; edit the draft instead" if order.state is OrderState.DRAFT else ""),
                "orderId",
                (order.id,),
            )
        )
    if not reason.strip():
        violations.append(
            RuleViolation(ErrorCode.INVALID_INPUT, "Say why the order is revised", "reason", (order.id,))
        )
    if violations:
        raise RuleError(*violations)


def revision_view(view: TreeView, running: Order, record: ApprovalRecord) -> TreeView:
    """The items as the capture rules see them in a revision: as they were before the running order.

    Items the running order made CHANGE_PENDING or DISCONNECT_PENDING show the state recorded at
    approval; products it adds stay INSTALLATION_PENDING (their ADD lines expect that).
    """
    items = dict(view.items)
    for line in running.lines:
        item = items.get(line.inventory_id) if line.inventory_id else None
        if item is None or item.state not in _PENDING:
            continue
        items[item.id] = replace(item, state=record.previous_states.get(item.id, InventoryState.ACTIVE))
    return TreeView(items=items, children=view.children)


# ---------------------------------------------------------------------------------------------------
# The delta


@dataclass(frozen=True)
class ChangedLine:
    """A line both trees hold, with a different content: `before` runs, `after` is the revision's."""

    before: OrderLine
    after: OrderLine


@dataclass(frozen=True)
class LineDelta:
    """How a revised line tree differs from the running one.

    `lines` is the revised tree with matched lines carrying the running line's id (and parent links
    mapped the same way); `added`, `changed` and `unchanged` are taken from it.
    """

    lines: tuple[OrderLine, ...]
    added: tuple[OrderLine, ...]
    removed: tuple[OrderLine, ...]
    changed: tuple[ChangedLine, ...]
    unchanged: tuple[OrderLine, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _substance(line: OrderLine) -> tuple[object, ...]:
    return (
        line.action,
        line.inventory_id,
        line.spec_id,
        line.move,
        line.target_location_id,
        tuple(sorted((c.name, c.old, c.new) for c in line.characteristic_changes)),
    )


def line_delta(running: Sequence[OrderLine], revised: Sequence[OrderLine]) -> LineDelta:
    """Compare the revised line tree with the running one (see the module's decisions)."""
    running_by_item = {ln.inventory_id: ln for ln in running if ln.inventory_id is not None}
    running_ids = {ln.id for ln in running}
    id_map: dict[str, str] = {}
    for line in revised:
        match = running_by_item.get(line.inventory_id) if line.inventory_id is not None else None
        if match is None and line.id in running_ids:
            match = next(r for r in running if r.id == line.id)
        if match is not None:
            id_map[line.id] = match.id
    mapped = [
        replace(
            ln,
            id=id_map.get(ln.id, ln.id),
            parent_line_id=id_map.get(ln.parent_line_id, ln.parent_line_id) if ln.parent_line_id else None,
        )
        for ln in revised
    ]
    before = {ln.id: ln for ln in running}
    added: list[OrderLine] = []
    changed: list[ChangedLine] = []
    unchanged: list[OrderLine] = []
    for line in mapped:
        old = before.get(line.id)
        if old is None:
            added.append(line)
        elif _substance(old) != _substance(line):
            changed.append(ChangedLine(old, line))
        else:
            unchanged.append(line)
    kept = {ln.id for ln in mapped}
    removed = [ln for ln in running if ln.id not in kept]
    return LineDelta(tuple(mapped), tuple(added), tuple(removed), tuple(changed), tuple(unchanged))


@dataclass(frozen=True)
class PointOfNoReturn:
    """A running line past its point of no return, and the closed task that put it there."""

    line_id: str
    task_id: str
    task_name: str


def frozen_lines(running: Sequence[OrderLine], passed: Sequence[PointOfNoReturn]) -> dict[str, PointOfNoReturn]:
    """Every running line whose bundle (the tree under its top line) has a line past its PONR."""
    by_id = {ln.id: ln for ln in running}

    def top(line_id: str) -> str:
        seen: set[str] = set()
        current = by_id[line_id]
        while current.parent_line_id in by_id and current.id not in seen:
            seen.add(current.id)
            current = by_id[current.parent_line_id]
        return current.id

    reason_of_top: dict[str, PointOfNoReturn] = {}
    for mark in passed:
        if mark.line_id in by_id:
            reason_of_top.setdefault(top(mark.line_id), mark)
    return {ln.id: reason_of_top[top(ln.id)] for ln in running if top(ln.id) in reason_of_top}


def check_point_of_no_return(delta: LineDelta, frozen: Mapping[str, PointOfNoReturn]) -> None:
    """PAST_POINT_OF_NO_RETURN naming every removed or changed line of a frozen bundle, and the tasks."""
    touched = [*delta.removed, *(c.before for c in delta.changed)]
    offending = [ln for ln in touched if ln.id in frozen]
    if not offending:
        return
    tasks = {frozen[ln.id].task_id: frozen[ln.id].task_name for ln in offending}
    lines = ", ".join(f"{ln.id} ({ln.action} of item {ln.inventory_id})" for ln in offending[:5])
    more = f" and {len(offending) - 5} more" if len(offending) > 5 else ""
    named_tasks = ", ".join(f"'{name}' ({task_id})" for task_id, name in tasks.items())
    raise RuleError(
        RuleViolation(
            ErrorCode.PAST_POINT_OF_NO_RETURN,
            f"Lines {lines}{more} are past their point of no return (closed: {named_tasks}); "
            "they cannot be removed or changed, and neither can the rest of their bundle",
            "lines",
            (*(ln.id for ln in offending), *tasks),
        )
    )


# ---------------------------------------------------------------------------------------------------
# What the revision changed, for people


@dataclass(frozen=True)
class FieldChange:
    """One value a revision changed on a line: `field` is `action`, `moveOperation`,
    `targetLocationId` or `characteristics.<name>`."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class LineSummary:
    """A line a revision added, removed or changed, with the values concerned."""

    line_id: str
    inventory_id: str | None
    spec_id: str
    action: LineAction
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class RevisionSummary:
    """What one revision changed: lines added, removed and changed (with old and new values)."""

    added: tuple[LineSummary, ...] = ()
    removed: tuple[LineSummary, ...] = ()
    changed: tuple[LineSummary, ...] = ()


def _values(line: OrderLine) -> dict[str, str | None]:
    out: dict[str, str | None] = {
        "action": line.action.value,
        "moveOperation": "true" if line.move else "false",
        "targetLocationId": line.target_location_id,
    }
    for c in line.characteristic_changes:
        out[f"characteristics.{c.name}"] = c.new
    return out


def summarize(delta: LineDelta) -> RevisionSummary:
    """The delta as people read it."""

    def plain(line: OrderLine, new: bool) -> LineSummary:
        changes = tuple(
            FieldChange(f"characteristics.{c.name}", c.old, c.new) if new else FieldChange(
                f"characteristics.{c.name}", c.new, c.old
            )
            for c in line.characteristic_changes
        )
        return LineSummary(line.id, line.inventory_id, line.spec_id, line.action, changes)

    changed: list[LineSummary] = []
    for pair in delta.changed:
        old, new = _values(pair.before), _values(pair.after)
        fields: list[FieldChange] = []
        for name in dict.fromkeys([*old, *new]):
            before_value = old.get(name)
            after_value = new.get(name)
            if name.startswith("characteristics."):
                # A line that does not set a characteristic leaves the value the other version started from.
                char = name.split(".", 1)[1]
                before_value = old[name] if name in old else _start(pair.after, char)
                after_value = new[name] if name in new else _start(pair.before, char)
            if before_value != after_value:
                fields.append(FieldChange(name, before_value, after_value))
        changed.append(LineSummary(pair.after.id, pair.after.inventory_id, pair.after.spec_id, pair.after.action,
                                   tuple(fields)))
    return RevisionSummary(
        added=tuple(plain(ln, True) for ln in delta.added),
        removed=tuple(plain(ln, False) for ln in delta.removed),
        changed=tuple(changed),
    )


def _start(line: OrderLine, name: str) -> str | None:
    """The value a characteristic starts from on a line that does not change it (None when unknown)."""
    return next((c.old for c in line.characteristic_changes if c.name == name), None)
