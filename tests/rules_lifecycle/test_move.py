"""R4, R8-R10 for a move: copies at the new location, old items inactive on completion."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rules.effects import (
    ApprovalPlan,
    ApprovalRecord,
    approval_effects,
    cancellation_effects,
    completion_effects,
)
from rules.model import ErrorCode, InventoryState, LineAction, OrderAction, OrderState, RuleError

from .builders import HOME, NEW_HOME, TODAY, Ids, by_id, item, line, order
from .scenarios import Scenario, home_move, targets


def _approve(scenario: Scenario, ids: Ids) -> ApprovalPlan:
    plan = approval_effects(scenario.order, targets(scenario), ids)
    scenario.account.apply_approval(plan)
    return plan


def test_approval_keeps_the_old_items_pending_and_copies_them_to_the_new_location() -> None:
    scenario = home_move()

    plan = _approve(scenario, Ids())

    account = scenario.account
    assert account.state("mbb") is InventoryState.CHANGE_PENDING
    assert account.state("conn5g") is InventoryState.CHANGE_PENDING
    assert account.state("router5g") is InventoryState.DISCONNECT_PENDING
    copies = {c.replaces: c for c in plan.copies}
    assert set(copies) == {"mbb", "conn5g"}  # the router left behind gets no copy
    bundle_copy, conn_copy = copies["mbb"].item, copies["conn5g"].item
    assert (bundle_copy.state, bundle_copy.location_id, bundle_copy.parent_id) == (
        InventoryState.INSTALLATION_PENDING,
        NEW_HOME,
        None,
    )
    assert (conn_copy.location_id, conn_copy.parent_id) == (NEW_HOME, bundle_copy.id)
    assert (conn_copy.name, conn_copy.spec_id) == ("Conn5G", "CONN-5G")
    assert conn_copy.characteristics == {"speed": "1000"}
    assert account.items["conn5g"].characteristics == {"speed": "500"}
    assert copies["conn5g"].line_id == "L-conn"
    assert conn_copy.open_order_id == "ORD-1"
    assert plan.record.copies == {"mbb": bundle_copy.id, "conn5g": conn_copy.id}


def test_a_product_added_in_the_move_hangs_under_the_copy_of_its_parent() -> None:
    scenario = home_move()

    plan = _approve(scenario, Ids())

    bundle_copy = plan.record.copies["mbb"]
    assert [(r.item_id, r.from_parent_id, r.to_parent_id, r.location_id) for r in plan.relinks] == [
        ("router5g-new", "mbb", bundle_copy, NEW_HOME)
    ]
    assert scenario.account.items["router5g-new"].state is InventoryState.INSTALLATION_PENDING


def test_copies_find_their_parent_copy_whatever_the_line_order() -> None:
    bundle = item("b", "BUNDLE")
    child = item("c", "PLAN", parent="b")
    grandchild = item("g", "ADDON", parent="c")

    plan = approval_effects(
        order(
            line("L3", LineAction.CHANGE, grandchild, move=True, to=NEW_HOME),
            line("L2", LineAction.CHANGE, child, move=True, to=NEW_HOME),
            line("L1", LineAction.CHANGE, bundle, move=True, to=NEW_HOME),
            action=OrderAction.MOVE,
        ),
        by_id(bundle, child, grandchild),
        Ids(),
    )

    copy_of = plan.record.copies
    parents = {c.replaces: c.item.parent_id for c in plan.copies}
    assert parents == {"g": copy_of["c"], "c": copy_of["b"], "b": None}


def test_moving_a_child_alone_keeps_its_copy_under_the_parent_that_stays() -> None:
    bundle = item("b", "BUNDLE")
    child = item("c", "PLAN", parent="b")

    plan = approval_effects(
        order(line("L1", LineAction.CHANGE, child, move=True, to=NEW_HOME), action=OrderAction.MOVE),
        by_id(bundle, child),
        Ids(),
    )

    (copy,) = plan.copies
    assert copy.item.parent_id == "b"


def test_a_move_root_line_marked_no_change_is_copied_too() -> None:
    bundle = item("b", "BUNDLE")

    plan = approval_effects(
        order(line("L1", LineAction.NO_CHANGE, bundle, move=True, to=NEW_HOME), action=OrderAction.MOVE),
        by_id(bundle),
        Ids(),
    )

    assert [c.replaces for c in plan.copies] == ["b"]
    assert [(c.item_id, c.to_state) for c in plan.state_changes] == [("b", InventoryState.CHANGE_PENDING)]


def test_a_move_line_without_a_target_location_is_refused() -> None:
    bundle = item("b", "BUNDLE")

    with pytest.raises(RuleError) as raised:
        approval_effects(
            order(line("L1", LineAction.CHANGE, bundle, move=True), action=OrderAction.MOVE),
            by_id(bundle),
            Ids(),
        )

    (violation,) = raised.value.violations
    assert (violation.code, violation.field, violation.ids) == (
        ErrorCode.INVALID_INPUT,
        "targetLocationId",
        ("L1",),
    )


def test_completion_retires_the_old_items_activates_the_copies_and_moves_the_root() -> None:
    scenario = home_move()
    ids = Ids()
    approval = _approve(scenario, ids)
    copy_of = approval.record.copies

    plan = completion_effects(
        replace(scenario.order, state=OrderState.IN_PROGRESS),
        targets(scenario),
        approval.record,
        scenario.services(),
        scenario.entitlements(),
        scenario.specs,
        scenario.service_specs_of,
        "CON-1",
        TODAY,
        ids,
    )
    scenario.account.apply_completion(plan)
    account = scenario.account

    assert account.state("mbb") is InventoryState.INACTIVE
    assert account.state("conn5g") is InventoryState.INACTIVE
    assert account.state("router5g") is InventoryState.INACTIVE
    assert account.state(copy_of["mbb"]) is InventoryState.ACTIVE
    assert account.state(copy_of["conn5g"]) is InventoryState.ACTIVE
    assert account.state("router5g-new") is InventoryState.ACTIVE
    assert account.items["mbb"].location_id == HOME
    assert [(r.account_id, r.old_root_id, r.new_root_id) for r in plan.root_links] == [
        ("ACC-1", "mbb", copy_of["mbb"])
    ]
    assert account.roots == [copy_of["mbb"]]

    assert account.services["svc-conn5g"].state.value == "TERMINATED"
    assert [(s.product_id, s.spec_id, s.state.value) for s in plan.new_services] == [
        (copy_of["conn5g"], "SVC-CONN-5G", "ACTIVE")
    ]

    assert {(r.entitlement_id, r.from_product_id, r.to_product_id) for r in plan.entitlement_repoints} == {
        ("ent-mbb", "mbb", copy_of["mbb"]),
        ("ent-conn5g", "conn5g", copy_of["conn5g"]),
    }
    assert [(u.entitlement_id, u.product_id) for u in plan.entitlement_updates] == [
        ("ent-conn5g", copy_of["conn5g"])
    ]
    assert account.entitlements["ent-router5g"].state.value == "CANCELLED"
    assert [e.product_id for e in plan.new_entitlements] == ["router5g-new"]
    assert len(account.items) == 6  # four originals plus two copies, nothing deleted


def test_completion_without_the_recorded_copies_is_refused() -> None:
    scenario = home_move()
    approval = _approve(scenario, Ids())

    with pytest.raises(RuleError) as raised:
        completion_effects(
            replace(scenario.order, state=OrderState.IN_PROGRESS),
            targets(scenario),
            ApprovalRecord(previous_states=approval.record.previous_states),
            {},
            {},
            scenario.specs,
            scenario.service_specs_of,
            "CON-1",
            TODAY,
            Ids(),
        )

    (violation,) = raised.value.violations
    assert violation.code is ErrorCode.INVALID_STATE
    assert set(violation.ids) == {"mbb", "conn5g"}


def test_cancelling_the_move_before_its_point_of_no_return_restores_the_old_home() -> None:
    scenario = home_move()
    approval = _approve(scenario, Ids())
    loaded = dict(scenario.account.items)

    plan = cancellation_effects(
        replace(scenario.order, state=OrderState.IN_PROGRESS), loaded, (), (), approval.record
    )
    scenario.account.apply_cancellation(plan)
    account = scenario.account

    assert account.state("mbb") is InventoryState.ACTIVE
    assert account.state("conn5g") is InventoryState.ACTIVE
    assert account.state("router5g") is InventoryState.ACTIVE
    assert account.state(approval.record.copies["mbb"]) is InventoryState.INACTIVE
    assert account.state(approval.record.copies["conn5g"]) is InventoryState.INACTIVE
    assert account.state("router5g-new") is InventoryState.INACTIVE
    assert plan.order_state is OrderState.CANCELLED
