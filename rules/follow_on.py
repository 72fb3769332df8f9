"""Follow-on orders (R15): capture against the future, wait, and settle when the first order ends.

A follow-on order targets items an open order (the "first" order) is still working on. It is
captured against the items as they will be once the first order completes (`project_completion`),
so every capture rule sees that future state. Submitted, it waits in QUEUED; when the first order
completes it is checked again against the real result and becomes SUBMITTED. When the first order is
cancelled, rejected or revised instead, the follow-on is checked against what is now expected and,
if anything it relied on no longer holds, goes back to DRAFT with notes naming what changed
(`settle_follow_on`).

Decisions worth knowing:

- Only an order that has left DRAFT and has not ended can be followed (SUBMITTED, IN_PROGRESS,
  REVISION_IN_PROGRESS), by an order of the same account; a follow-on cannot itself be followed.
- In the projected view the first order's claim on an item is replaced by the follow-on claim on it
  (`follow_on_order_id`), so R6 holds between follow-ons: one follow-on per item of a first order.
- Besides the submission checks, a follow-on's CHANGE lines must still start from the values the
  first order will leave (`stale_expectations`): a change captured "from 1 Gbps" no longer applies
  when the first order, cancelled, leaves the item at 500 Mbps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from rules.effects import ApprovalRecord, ItemStateChange
from rules.fulfillment import effective_action
from rules.model import (
    FOLLOWABLE_ORDER_STATES,
    ErrorCode,
    InventoryState,
    LineAction,
    Order,
    OrderState,
    ProductSpec,
    RuleError,
    RuleViolation,
)
from rules.order_lines import TreeView
from rules.submission import validate_submission


def check_followable(follow_on_account_id: str, first: Order | None, first_id: str) -> None:
    """Refuse to follow an unknown order, another account's, one that is not open past DRAFT, or a follow-on."""
    if first is None or first.account_id != follow_on_account_id:
        raise RuleError(
            RuleViolation(
                ErrorCode.NOT_FOUND,
                f"No order {first_id} on account {follow_on_account_id} to follow",
                "followsOrderId",
                (first_id,),
            )
        )
    if first.state not in FOLLOWABLE_ORDER_STATES:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Order {first.id} is {first.state}; only a submitted or running order can be followed",
                "followsOrderId",
                (first.id,),
            )
        )
    if first.follows_order_id is not None:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Order {first.id} is itself a follow-on of {first.follows_order_id}; follow that order "
                "or wait for it",
                "followsOrderId",
                (first.id, first.follows_order_id),
            )
        )


_LANDED_STATE: dict[LineAction, InventoryState] = {
    LineAction.ADD: InventoryState.ACTIVE,
    LineAction.CHANGE: InventoryState.ACTIVE,
    LineAction.DISCONNECT: InventoryState.INACTIVE,
    LineAction.SUSPEND: InventoryState.SUSPENDED,
    LineAction.RESUME: InventoryState.ACTIVE,
}


def project_completion(view: TreeView, first: Order, record: ApprovalRecord) -> TreeView:
    """The items of `view` as they will be once `first` completes (R8): added products ACTIVE,
    disconnected ones INACTIVE, changed ones ACTIVE with their new values (and location), suspended
    SUSPENDED, resumed ACTIVE; moved items INACTIVE and their copies ACTIVE at the new location.

    The first order's claim on an item gives way to the follow-on claim on it, if any.
    """
    items = dict(view.items)
    for line in first.lines:
        action = effective_action(line)
        if line.inventory_id is None or action is LineAction.NO_CHANGE:
            continue
        item = items.get(line.inventory_id)
        if item is None:
            continue
        values = dict(item.characteristics)
        location = item.location_id
        state = _LANDED_STATE[action]
        if action is LineAction.CHANGE:
            values.update({c.name: c.new for c in line.characteristic_changes})
            if line.move:
                state = InventoryState.INACTIVE
                copy_id = record.copies.get(item.id)
                copy = items.get(copy_id) if copy_id else None
                if copy is not None:
                    items[copy.id] = replace(
                        copy, state=InventoryState.ACTIVE, open_order_id=copy.follow_on_order_id
                    )
            elif line.target_location_id is not None:
                location = line.target_location_id
        items[item.id] = replace(
            item,
            state=state,
            characteristics=values,
            location_id=location,
            open_order_id=item.follow_on_order_id if item.open_order_id == first.id else item.open_order_id,
        )
    for item_id, item in list(items.items()):
        if item.open_order_id == first.id:  # claimed by the first order without a line (move copies)
            items[item_id] = replace(item, open_order_id=item.follow_on_order_id)
    return TreeView(items=items, children=view.children)


def stale_expectations(order: Order, view: TreeView) -> list[RuleViolation]:
    """CHANGE lines whose starting values are not what the item will have: the follow-on no longer applies."""
    stale: list[str] = []
    details: list[str] = []
    for line in order.lines:
        if line.action is not LineAction.CHANGE or line.inventory_id is None:
            continue
        item = view.items.get(line.inventory_id)
        if item is None:
            continue
        for change in line.characteristic_changes:
            now = item.characteristics.get(change.name)
            if change.old is not None and now != change.old:
                stale.append(item.id)
                details.append(f"'{change.name}' of item {item.id} will be {now!r}, not {change.old!r}")
    if not stale:
        return []
    return [
        RuleViolation(
            ErrorCode.INVALID_STATE,
            f"Captured against values that no longer hold: {'; '.join(details)}",
            "lines",
            tuple(dict.fromkeys(stale)),
        )
    ]


@dataclass(frozen=True)
class FollowOnOutcome:
    """Where a queued follow-on goes when its first order moves on, and the notes that say why."""

    order_id: str
    state: OrderState
    notes: tuple[str, ...]


def settle_follow_on(
    follow_on: Order,
    first: Order,
    view: TreeView,
    specs: Mapping[str, ProductSpec],
    what_happened: str,
) -> FollowOnOutcome:
    """Decide a QUEUED follow-on's fate after `first` completed, ended or was revised.

    `view` holds the follow-on's items as they now stand (projected with `project_completion` while
    `first` is still open). Still valid: SUBMITTED once `first` is no longer open (it waits no more),
    QUEUED while it runs. Invalid: DRAFT, with a note naming what changed and every problem found.
    """
    as_draft = replace(follow_on, state=OrderState.DRAFT)
    problems = [*validate_submission(as_draft, view, specs), *stale_expectations(follow_on, view)]
    waiting = first.state in FOLLOWABLE_ORDER_STATES
    if not problems:
        return FollowOnOutcome(follow_on.id, OrderState.QUEUED if waiting else OrderState.SUBMITTED, ())
    notes = tuple(f"Order {first.id} {what_happened}: {p.message}" for p in problems)
    return FollowOnOutcome(follow_on.id, OrderState.DRAFT, notes)


def project_for(
    view: TreeView, first: Order | None, record: ApprovalRecord
) -> TreeView:
    """The view a follow-on decides over: the projected future while `first` is open, else as it is."""
    if first is None or first.state not in FOLLOWABLE_ORDER_STATES:
        return view
    return project_completion(view, first, record)


def orphaned_additions(follow_on: Order, view: TreeView) -> list[ItemStateChange]:
    """Products `follow_on` adds under an item that is now INACTIVE: they retire with their parent."""
    out: list[ItemStateChange] = []
    for line in follow_on.lines:
        item = view.items.get(line.inventory_id) if line.inventory_id else None
        if line.action is not LineAction.ADD or item is None or item.state is InventoryState.INACTIVE:
            continue
        parent = view.items.get(item.parent_id) if item.parent_id else None
        if parent is not None and parent.state is InventoryState.INACTIVE:
            out.append(ItemStateChange(item.id, item.state, InventoryState.INACTIVE))
    return out
