"""R10: post-sale changes started from an entitlement or a contract."""

from __future__ import annotations

import pytest

from rules.account_changes import order_for_contract_cancellation, order_for_entitlement
from rules.lifecycle_model import ContractItem, ContractState, EntitlementState
from rules.model import ErrorCode, InventoryState, OrderAction, RuleError

from .builders import ACCOUNT, by_id, entitlement, item

CONTRACT = ContractItem("CON-1", ACCOUNT, ContractState.ACTIVE)


def test_suspending_an_active_entitlement_suspends_the_item_it_covers() -> None:
    plan_item = item("p", "PLAN")

    assert order_for_entitlement(OrderAction.SUSPEND, entitlement("e", plan_item), plan_item) == (
        OrderAction.SUSPEND,
        ("p",),
    )


def test_resuming_a_suspended_entitlement_resumes_the_item_it_covers() -> None:
    plan_item = item("p", "PLAN", state=InventoryState.SUSPENDED)
    suspended = entitlement("e", plan_item, EntitlementState.SUSPENDED)

    assert order_for_entitlement(OrderAction.RESUME, suspended, plan_item) == (OrderAction.RESUME, ("p",))


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (OrderAction.SUSPEND, EntitlementState.SUSPENDED),
        (OrderAction.SUSPEND, EntitlementState.CANCELLED),
        (OrderAction.RESUME, EntitlementState.ACTIVE),
        (OrderAction.RESUME, EntitlementState.EXPIRED),
    ],
)
def test_an_entitlement_in_the_wrong_state_is_named(action: OrderAction, state: EntitlementState) -> None:
    plan_item = item("p", "PLAN")

    with pytest.raises(RuleError) as raised:
        order_for_entitlement(action, entitlement("e-9", plan_item, state), plan_item)

    (violation,) = raised.value.violations
    assert (violation.code, violation.ids) == (ErrorCode.INVALID_STATE, ("e-9",))
    assert state.value in violation.message


def test_an_entitlement_starts_only_suspend_or_resume_orders_for_the_item_it_covers() -> None:
    plan_item = item("p", "PLAN")
    other = item("q", "PLAN")

    with pytest.raises(RuleError) as wrong_action:
        order_for_entitlement(OrderAction.DISCONNECT, entitlement("e", plan_item), plan_item)
    with pytest.raises(RuleError) as wrong_item:
        order_for_entitlement(OrderAction.SUSPEND, entitlement("e", plan_item), other)

    assert wrong_action.value.violations[0].code is ErrorCode.INVALID_INPUT
    assert wrong_item.value.violations[0].code is ErrorCode.INVALID_INPUT


def test_cancelling_a_contract_disconnects_only_the_topmost_covered_items() -> None:
    bundle = item("b", "BUNDLE")
    plan_item = item("p", "PLAN", parent="b")
    router = item("r", "ROUTER", parent="b")
    other_root = item("o", "BUNDLE")
    addon = item("a", "ADDON", parent="o")
    deep = item("d", "ADDON", parent="a")
    items = by_id(bundle, plan_item, router, other_root, addon, deep)
    entitlements = [
        entitlement("e-p", plan_item),
        entitlement("e-b", bundle),
        entitlement("e-r", router),
        entitlement("e-d", deep),  # under an uncovered parent and an uncovered root
        entitlement("e-a", addon, contract="CON-2"),
    ]

    assert order_for_contract_cancellation(CONTRACT, entitlements, items) == (
        OrderAction.DISCONNECT,
        ("b", "d"),
    )


def test_a_covered_item_under_a_covered_grandparent_is_left_to_the_cascade() -> None:
    root = item("root", "BUNDLE")
    middle = item("mid", "PLAN", parent="root")
    leaf = item("leaf", "ADDON", parent="mid")

    selected = order_for_contract_cancellation(
        CONTRACT, [entitlement("e-leaf", leaf), entitlement("e-root", root)], by_id(root, middle, leaf)
    )

    assert selected == (OrderAction.DISCONNECT, ("root",))


def test_inactive_covered_items_are_skipped_and_their_covered_children_selected() -> None:
    old = item("old", "BUNDLE", state=InventoryState.INACTIVE)
    survivor = item("s", "PLAN", parent="old")
    gone = item("g", "PLAN", state=InventoryState.INACTIVE)

    selected = order_for_contract_cancellation(
        CONTRACT,
        [entitlement("e-old", old), entitlement("e-s", survivor), entitlement("e-g", gone)],
        by_id(old, survivor, gone),
    )

    assert selected == (OrderAction.DISCONNECT, ("s",))


def test_a_contract_with_nothing_left_gives_an_empty_selection() -> None:
    gone = item("g", "PLAN", state=InventoryState.INACTIVE)

    assert order_for_contract_cancellation(CONTRACT, [entitlement("e", gone)], by_id(gone)) == (
        OrderAction.DISCONNECT,
        (),
    )


def test_a_cancelled_contract_cannot_be_cancelled_again() -> None:
    cancelled = ContractItem("CON-1", ACCOUNT, ContractState.CANCELLED)

    with pytest.raises(RuleError) as raised:
        order_for_contract_cancellation(cancelled, [], {})

    (violation,) = raised.value.violations
    assert (violation.code, violation.ids) == (ErrorCode.INVALID_STATE, ("CON-1",))


def test_selection_stays_linear_on_a_deep_chain_with_many_covered_leaves() -> None:
    depth, leaves = 10_000, 10_000
    chain = [item("n0", "BUNDLE")] + [item(f"n{i}", "PLAN", parent=f"n{i - 1}") for i in range(1, depth)]
    hanging = [item(f"leaf{i}", "ADDON", parent=f"n{depth - 1}") for i in range(leaves)]
    items = by_id(*chain, *hanging)
    entitlements = [entitlement(f"e{i}", leaf) for i, leaf in enumerate(hanging)]

    _, selected = order_for_contract_cancellation(CONTRACT, entitlements, items)

    assert len(selected) == leaves
