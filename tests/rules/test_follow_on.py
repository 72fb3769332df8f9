"""Follow-on decisions (R15) without a database: the projected future, stale values, and settling."""

from __future__ import annotations

import pytest

from rules.effects import ApprovalRecord
from rules.follow_on import (
    check_followable,
    orphaned_additions,
    project_completion,
    settle_follow_on,
    stale_expectations,
)
from rules.model import (
    CharacteristicChange,
    CharacteristicSpec,
    ErrorCode,
    InventoryItem,
    InventoryState,
    LineAction,
    Order,
    OrderAction,
    OrderLine,
    OrderState,
    ProductSpec,
    RuleError,
)
from rules.order_lines import TreeView

ACCOUNT = "A-1"
SPEC = ProductSpec("S", "S", characteristics=(CharacteristicSpec("speed", ("100", "500", "1000")),))
SPECS = {"S": SPEC}


def item(item_id: str, state: InventoryState = InventoryState.ACTIVE, claim: str | None = "FIRST",
         follow_on: str | None = None, **chars: str) -> InventoryItem:
    return InventoryItem(item_id, item_id, state, "S", ACCOUNT, "root" if item_id != "root" else None, "LOC",
                         dict(chars), claim, follow_on)


def first_order(state: OrderState = OrderState.IN_PROGRESS) -> Order:
    return Order("FIRST", ACCOUNT, OrderAction.CHANGE, state, lines=[
        OrderLine("L-1", LineAction.CHANGE, "a", "S", characteristic_changes=(CharacteristicChange("speed", "100", "500"),)),
        OrderLine("L-2", LineAction.DISCONNECT, "b", "S"),
        OrderLine("L-3", LineAction.ADD, "c", "S"),
    ])


def view() -> TreeView:
    return TreeView(
        {
            "root": item("root", claim=None),
            "a": item("a", InventoryState.CHANGE_PENDING, follow_on="NEXT", speed="100"),
            "b": item("b", InventoryState.DISCONNECT_PENDING),
            "c": item("c", InventoryState.INSTALLATION_PENDING, speed="100"),
            "d": item("d", claim="OTHER"),
        },
        {"root": ["a", "b", "c", "d"]},
    )


def test_the_future_is_what_the_first_order_leaves() -> None:
    future = project_completion(view(), first_order(), ApprovalRecord())
    a, b, c, d = (future.items[i] for i in "abcd")
    assert (a.state, a.characteristics["speed"], a.open_order_id) == (InventoryState.ACTIVE, "500", "NEXT")
    assert (b.state, b.open_order_id) == (InventoryState.INACTIVE, None)
    assert (c.state, c.open_order_id) == (InventoryState.ACTIVE, None)
    assert d.open_order_id == "OTHER"  # a third order's claim stays: R6 holds for everything else


def follow_on(*changes: tuple[str, str | None, str], target: str = "a") -> Order:
    return Order("NEXT", ACCOUNT, OrderAction.CHANGE, OrderState.QUEUED, follows_order_id="FIRST", lines=[
        OrderLine("N-1", LineAction.CHANGE, target, "S",
                  characteristic_changes=tuple(CharacteristicChange(*c) for c in changes)),
    ])


def test_a_change_captured_from_a_value_that_will_not_be_there_is_stale() -> None:
    future = project_completion(view(), first_order(), ApprovalRecord())
    assert stale_expectations(follow_on(("speed", "500", "1000")), future) == []
    (stale,) = stale_expectations(follow_on(("speed", "500", "1000")), view())
    assert stale.code is ErrorCode.INVALID_STATE and stale.ids == ("a",)
    assert "'speed' of item a will be '100', not '500'" in stale.message


def test_settling_submits_when_the_first_order_is_done_and_drafts_what_no_longer_applies() -> None:
    done = first_order(OrderState.COMPLETED)
    completed = project_completion(view(), first_order(), ApprovalRecord())
    outcome = settle_follow_on(follow_on(("speed", "500", "1000")), done, completed, SPECS, "completed")
    assert (outcome.state, outcome.notes) == (OrderState.SUBMITTED, ())

    running = project_completion(view(), first_order(), ApprovalRecord())
    waiting = settle_follow_on(follow_on(("speed", "500", "1000")), first_order(), running, SPECS, "was revised")
    assert waiting.state is OrderState.QUEUED

    gone = settle_follow_on(
        follow_on(("speed", "100", "1000"), target="b"), first_order(OrderState.CANCELLED),
        project_completion(view(), first_order(), ApprovalRecord()), SPECS, "was cancelled",
    )
    assert gone.state is OrderState.DRAFT
    assert gone.notes and all(n.startswith("Order FIRST was cancelled: ") for n in gone.notes)


def test_only_open_orders_past_draft_of_the_same_account_can_be_followed() -> None:
    check_followable(ACCOUNT, first_order(), "FIRST")
    for first, code in (
        (None, ErrorCode.NOT_FOUND),
        (Order("X", "A-2", OrderAction.CHANGE, OrderState.IN_PROGRESS), ErrorCode.NOT_FOUND),
        (Order("X", ACCOUNT, OrderAction.CHANGE, OrderState.DRAFT), ErrorCode.INVALID_STATE),
        (Order("X", ACCOUNT, OrderAction.CHANGE, OrderState.COMPLETED), ErrorCode.INVALID_STATE),
        (Order("X", ACCOUNT, OrderAction.CHANGE, OrderState.QUEUED, follows_order_id="Y"), ErrorCode.INVALID_STATE),
        (Order("X", ACCOUNT, OrderAction.CHANGE, OrderState.SUBMITTED, follows_order_id="Y"), ErrorCode.INVALID_INPUT),
    ):
        with pytest.raises(RuleError) as refused:
            check_followable(ACCOUNT, first, "X")
        assert [v.code for v in refused.value.violations] == [code]


def test_products_a_follow_on_adds_under_an_item_that_is_gone_retire_with_it() -> None:
    parent = item("p", InventoryState.INACTIVE)
    child = InventoryItem("n", "n", InventoryState.INSTALLATION_PENDING, "S", ACCOUNT, "p", "LOC", {}, "NEXT")
    kept = InventoryItem("k", "k", InventoryState.INSTALLATION_PENDING, "S", ACCOUNT, "root", "LOC", {}, "NEXT")
    lines = [OrderLine("N-1", LineAction.ADD, "n", "S"), OrderLine("N-2", LineAction.ADD, "k", "S")]
    order = Order("NEXT", ACCOUNT, OrderAction.CHANGE, OrderState.DRAFT, lines=lines)
    view = TreeView({"p": parent, "n": child, "k": kept, "root": item("root", claim=None)})
    assert [(c.item_id, c.to_state) for c in orphaned_additions(order, view)] == [("n", InventoryState.INACTIVE)]
