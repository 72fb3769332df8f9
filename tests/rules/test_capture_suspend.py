"""R5: suspend and resume follow the parent; R6 for the items a cascade reaches."""

from __future__ import annotations

import pytest

from rules.capture import plan_selection
from rules.model import ErrorCode, InventoryState, LineAction, OrderAction, OrderLine, RuleError
from tests.rules.builders import (
    OTHER_ORDER,
    LineIds,
    Tree,
    codes,
    draft,
    mobile_broadband_catalog,
    only,
    parent_item,
    site_tree,
    with_lines,
)

SPECS = mobile_broadband_catalog()
SUSPENDED = InventoryState.SUSPENDED


def select(order, tree, *ids, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("new_line_id", LineIds())
    return plan_selection(order, tree.view(), SPECS, list(ids), **kwargs)


def suspended_site() -> Tree:
    return site_tree().set(*site_tree().items, state=SUSPENDED)


def test_suspending_the_root_suspends_the_whole_subtree() -> None:
    lines = select(draft(OrderAction.SUSPEND), site_tree(), "site")

    assert len(lines) == 9
    assert {x.action for x in lines} == {LineAction.SUSPEND}
    assert parent_item(lines, "p12") == "acc1"


def test_suspending_skips_items_already_suspended_and_inactive_ones() -> None:
    tree = site_tree().set("acc2", "p21", state=SUSPENDED).set("addon", state=InventoryState.INACTIVE)

    lines = select(draft(OrderAction.SUSPEND), tree, "site")

    assert [x.inventory_id for x in lines] == ["site", "acc1", "p11", "p12", "p22", "cpe"]
    assert parent_item(lines, "p22") == "site"  # its own parent has no line


@pytest.mark.parametrize(
    "state",
    [SUSPENDED, InventoryState.INSTALLATION_PENDING, InventoryState.CHANGE_PENDING, InventoryState.INACTIVE],
)
def test_suspend_needs_an_active_item(state: InventoryState) -> None:
    tree = site_tree().set("acc1", state=state)

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.SUSPEND), tree, "acc1")

    violation = only(caught.value, ErrorCode.INVALID_STATE)
    assert (violation.ids, violation.field) == (("acc1",), "inventoryIds")
    assert state.value in violation.message


def test_an_installation_pending_descendant_stops_a_suspend() -> None:
    tree = site_tree().add("p13", "PORT", under="acc1", state=InventoryState.INSTALLATION_PENDING)

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.SUSPEND), tree, "site")

    violation = only(caught.value, ErrorCode.INVALID_STATE)
    assert violation.ids == ("p13",)
    assert "INSTALLATION_PENDING" in violation.message


def test_a_pending_descendant_in_another_order_is_reported_under_both_rules() -> None:
    tree = site_tree().set("p21", state=InventoryState.CHANGE_PENDING).in_order(OTHER_ORDER, "p21")

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.SUSPEND), tree, "site")

    assert codes(caught.value) == [ErrorCode.INVALID_STATE, ErrorCode.ALREADY_IN_OPEN_ORDER]
    assert only(caught.value, ErrorCode.ALREADY_IN_OPEN_ORDER).ids == (OTHER_ORDER, "p21")


def test_resuming_the_root_resumes_the_suspended_subtree() -> None:
    tree = suspended_site().set("cpe", state=InventoryState.ACTIVE)

    lines = select(draft(OrderAction.RESUME), tree, "site")

    assert [x.inventory_id for x in lines] == ["site", "acc1", "p11", "p12", "acc2", "p21", "p22", "addon"]
    assert {x.action for x in lines} == {LineAction.RESUME}


@pytest.mark.parametrize("state", [InventoryState.ACTIVE, InventoryState.INSTALLATION_PENDING])
def test_resume_needs_a_suspended_item(state: InventoryState) -> None:
    tree = site_tree().set("site", state=state)

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.RESUME), tree, "site")

    violation = only(caught.value, ErrorCode.INVALID_STATE)
    assert violation.ids == ("site",) and state.value in violation.message


def test_an_installation_pending_descendant_stops_a_resume() -> None:
    tree = suspended_site().add("p13", "PORT", under="acc1", state=InventoryState.INSTALLATION_PENDING)

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.RESUME), tree, "site")

    assert only(caught.value, ErrorCode.INVALID_STATE).ids == ("p13",)


def test_a_child_cannot_be_resumed_while_its_parent_stays_suspended() -> None:
    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.RESUME), suspended_site(), "p11")

    violation = only(caught.value, ErrorCode.ANCESTOR_SUSPENDED)
    assert violation.ids == ("p11", "acc1")
    assert violation.field == "inventoryIds"


def test_the_nearest_ancestor_that_stays_suspended_is_named() -> None:
    tree = Tree().chain("n", 12, "PORT").set("n-2", state=SUSPENDED).set("n-11", "n-12", state=SUSPENDED)

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.RESUME), tree, "n-11")

    assert only(caught.value, ErrorCode.ANCESTOR_SUSPENDED).ids == ("n-11", "n-2")


def test_a_child_may_be_resumed_with_its_parent_in_the_same_selection() -> None:
    lines = select(
        draft(OrderAction.RESUME), suspended_site().set("site", state=InventoryState.ACTIVE), "p11", "acc1"
    )

    assert [x.inventory_id for x in lines] == ["acc1", "p11", "p12"]


def test_a_child_may_be_resumed_once_its_parent_is_resumed_in_the_order() -> None:
    # site stays SUSPENDED in the inventory until the order completes; acc1 between them is ACTIVE
    tree = suspended_site().set("acc1", "p11", state=InventoryState.ACTIVE)
    resumed_site = OrderLine("L-site", LineAction.RESUME, "site", "SITE")

    lines = select(draft(OrderAction.RESUME, resumed_site), tree, "p12")

    assert parent_item(lines, "p12") == "site"


def test_resuming_an_item_under_an_active_parent_is_fine() -> None:
    tree = site_tree().set("p21", state=SUSPENDED)

    lines = select(draft(OrderAction.RESUME), tree, "p21")

    assert [x.inventory_id for x in lines] == ["p21"]


def test_overlapping_resume_selections_merge() -> None:
    tree = suspended_site()
    ids = LineIds()
    first = select(draft(OrderAction.RESUME), tree, "site", new_line_id=ids)

    lines = select(with_lines(draft(OrderAction.RESUME), first), tree, "acc1", "site", new_line_id=ids)

    assert lines == first


def test_suspending_an_item_already_suspended_by_the_cascade_is_refused() -> None:
    tree = site_tree().set("acc1", state=SUSPENDED)

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.SUSPEND), tree, "site", "acc1")

    assert only(caught.value, ErrorCode.INVALID_STATE).ids == ("acc1",)


def test_suspending_an_item_the_order_resumes_is_refused() -> None:
    existing = OrderLine("L-1", LineAction.RESUME, "acc1", "ACCESS")
    order = draft(OrderAction.SUSPEND, existing)

    with pytest.raises(RuleError) as caught:
        select(order, site_tree(), "acc1")

    assert only(caught.value, ErrorCode.INVALID_INPUT).ids == ("acc1",)
