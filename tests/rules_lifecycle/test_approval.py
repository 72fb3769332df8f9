"""R8: what approval does to the inventory; only submitted orders are approved or rejected."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rules.effects import approvable, approval_effects, rejectable
from rules.model import ErrorCode, InventoryState, LineAction, OrderAction, OrderState, RuleError

from .builders import Ids, by_id, item, line, order

PENDING = InventoryState.INSTALLATION_PENDING


def test_only_a_submitted_order_is_approved_or_rejected() -> None:
    assert approvable("ORD-1", OrderState.SUBMITTED) is OrderState.IN_PROGRESS
    assert rejectable("ORD-1", OrderState.SUBMITTED) is OrderState.REJECTED


@pytest.mark.parametrize("state", [s for s in OrderState if s is not OrderState.SUBMITTED])
@pytest.mark.parametrize("decision", [approvable, rejectable])
def test_any_other_order_state_is_not_approvable(
    decision: Callable[[str, OrderState], OrderState], state: OrderState
) -> None:
    with pytest.raises(RuleError) as raised:
        decision("ORD-7", state)

    (violation,) = raised.value.violations
    assert violation.code is ErrorCode.NOT_APPROVABLE
    assert violation.ids == ("ORD-7",)
    assert state.value in violation.message


def test_approving_a_draft_is_refused_before_anything_changes() -> None:
    plan_item = item("p", "PLAN")

    with pytest.raises(RuleError) as raised:
        approval_effects(
            order(line("L1", LineAction.CHANGE, plan_item), state=OrderState.DRAFT), by_id(plan_item), Ids()
        )

    assert raised.value.violations[0].code is ErrorCode.NOT_APPROVABLE


def test_changes_and_disconnects_go_pending_and_record_the_state_they_left() -> None:
    bundle = item("b", "BUNDLE")
    plan_item = item("p", "PLAN", parent="b")
    addon = item("a", "ADDON", parent="b", state=InventoryState.SUSPENDED)
    extra = item("x", "ADDON", parent="b", state=PENDING)

    plan = approval_effects(
        order(
            line("L0", LineAction.NO_CHANGE, bundle),
            line("L1", LineAction.CHANGE, plan_item, parent="L0", changes={"speed": "100"}),
            line("L2", LineAction.DISCONNECT, addon, parent="L0"),
            line("L3", LineAction.ADD, extra, parent="L0"),
        ),
        by_id(bundle, plan_item, addon, extra),
        Ids(),
    )

    assert [(c.item_id, c.from_state, c.to_state) for c in plan.state_changes] == [
        ("p", InventoryState.ACTIVE, InventoryState.CHANGE_PENDING),
        ("a", InventoryState.SUSPENDED, InventoryState.DISCONNECT_PENDING),
    ]
    assert plan.record.previous_states == {"p": InventoryState.ACTIVE, "a": InventoryState.SUSPENDED}
    assert plan.copies == ()
    assert plan.relinks == ()
    assert plan.order_state is OrderState.IN_PROGRESS


@pytest.mark.parametrize(
    ("action", "state"),
    [(LineAction.SUSPEND, InventoryState.ACTIVE), (LineAction.RESUME, InventoryState.SUSPENDED)],
)
def test_suspend_and_resume_keep_their_state_until_completion(
    action: LineAction, state: InventoryState
) -> None:
    target = item("p", "PLAN", state=state)

    plan = approval_effects(
        order(line("L1", action, target), action=OrderAction(action.value)), by_id(target), Ids()
    )

    assert plan.state_changes == ()


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (LineAction.CHANGE, InventoryState.SUSPENDED),
        (LineAction.CHANGE, InventoryState.CHANGE_PENDING),
        (LineAction.DISCONNECT, InventoryState.INACTIVE),
        (LineAction.DISCONNECT, InventoryState.DISCONNECT_PENDING),
        (LineAction.SUSPEND, InventoryState.SUSPENDED),
        (LineAction.RESUME, InventoryState.ACTIVE),
        (LineAction.ADD, InventoryState.ACTIVE),
    ],
)
def test_an_item_no_longer_in_the_state_its_line_needs_is_refused(
    action: LineAction, state: InventoryState
) -> None:
    target = item("p", "PLAN", state=state)

    with pytest.raises(RuleError) as raised:
        approval_effects(order(line("L1", action, target)), by_id(target), Ids())

    (violation,) = raised.value.violations
    assert violation.code is ErrorCode.INVALID_STATE
    assert violation.ids == ("p",)
    assert state.value in violation.message


def test_every_offending_item_is_reported_at_once() -> None:
    first = item("p1", "PLAN", state=InventoryState.INACTIVE)
    second = item("p2", "PLAN", state=InventoryState.SUSPENDED)

    with pytest.raises(RuleError) as raised:
        approval_effects(
            order(line("L1", LineAction.CHANGE, first), line("L2", LineAction.CHANGE, second)),
            by_id(first, second),
            Ids(),
        )

    assert [v.ids for v in raised.value.violations] == [("p1",), ("p2",)]


def test_a_line_whose_item_was_not_loaded_is_not_found() -> None:
    target = item("p", "PLAN")

    with pytest.raises(RuleError) as raised:
        approval_effects(order(line("L1", LineAction.CHANGE, target)), {}, Ids())

    (violation,) = raised.value.violations
    assert violation.code is ErrorCode.NOT_FOUND
    assert violation.ids == ("p",)
