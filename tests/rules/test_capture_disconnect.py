"""R3: cancelling inventory cascades down, never up, and never below a bundle's minimum."""

from __future__ import annotations

import pytest

from rules.capture import plan_selection
from rules.model import ErrorCode, InventoryState, LineAction, OrderAction, OrderLine, RuleError
from tests.rules.builders import (
    OTHER_ORDER,
    LineIds,
    Tree,
    assert_parents_first,
    codes,
    draft,
    line_of,
    mobile_broadband_catalog,
    only,
    parent_item,
    site_tree,
    with_lines,
)

SPECS = mobile_broadband_catalog()


def disconnect(order, tree, *ids, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("new_line_id", LineIds())
    return plan_selection(order, tree.view(), SPECS, list(ids), **kwargs)


def test_disconnecting_the_root_gives_every_item_a_line_mirroring_the_tree() -> None:
    tree = site_tree()

    lines = disconnect(draft(OrderAction.DISCONNECT), tree, "site")

    assert [x.inventory_id for x in lines] == [
        "site",
        "acc1",
        "p11",
        "p12",
        "acc2",
        "p21",
        "p22",
        "cpe",
        "addon",
    ]
    assert {x.action for x in lines} == {LineAction.DISCONNECT}
    for item_id in tree.items:
        expected = tree.items[item_id].parent_id
        assert parent_item(lines, item_id) == expected
    assert_parents_first(lines)


def test_disconnecting_a_child_covers_its_subtree_and_no_ancestor() -> None:
    lines = disconnect(draft(OrderAction.DISCONNECT), site_tree().add("p111", "PORT", under="p11"), "p11")

    assert [x.inventory_id for x in lines] == ["p11", "p111"]
    assert line_of(lines, "p11").parent_line_id is None
    assert parent_item(lines, "p111") == "p11"


def test_inactive_descendants_get_no_line() -> None:
    tree = site_tree().set("p12", "addon", state=InventoryState.INACTIVE)

    lines = disconnect(draft(OrderAction.DISCONNECT), tree, "site")

    assert {x.inventory_id for x in lines} == {"site", "acc1", "p11", "acc2", "p21", "p22", "cpe"}


def test_items_below_an_inactive_item_still_cascade() -> None:
    tree = Tree().add("r", "PORT").add("gone", "PORT", under="r", state=InventoryState.INACTIVE)
    tree.add("stray", "PORT", under="gone")

    lines = disconnect(draft(OrderAction.DISCONNECT), tree, "r")

    assert [x.inventory_id for x in lines] == ["r", "stray"]
    assert parent_item(lines, "stray") == "r"  # nearest ancestor with a line


def test_a_deep_tree_cascades_from_the_selected_level_to_the_bottom() -> None:
    tree = Tree().chain("n", 14, "PORT")

    lines = disconnect(draft(OrderAction.DISCONNECT), tree, "n-4")

    assert [x.inventory_id for x in lines] == [f"n-{level}" for level in range(4, 15)]
    for level in range(5, 15):
        assert parent_item(lines, f"n-{level}") == f"n-{level - 1}"


def test_a_wide_tree_cascades_to_every_child_in_order() -> None:
    tree = Tree().add("r", "PORT").fan("c", 500, "PORT", under="r")

    lines = disconnect(draft(OrderAction.DISCONNECT), tree, "r")

    assert [x.inventory_id for x in lines] == ["r", *(f"c-{n}" for n in range(1, 501))]
    assert {x.parent_line_id for x in lines[1:]} == {lines[0].id}


def test_a_suspended_item_can_be_disconnected_with_its_subtree() -> None:
    tree = site_tree().set("acc1", "p11", "p12", state=InventoryState.SUSPENDED)

    lines = disconnect(draft(OrderAction.DISCONNECT), tree, "acc1", "addon")

    assert [x.inventory_id for x in lines] == ["acc1", "p11", "p12", "addon"]


@pytest.mark.parametrize(
    "state",
    [InventoryState.INSTALLATION_PENDING, InventoryState.CHANGE_PENDING, InventoryState.DISCONNECT_PENDING],
)
def test_a_pending_item_cannot_be_disconnected(state: InventoryState) -> None:
    tree = site_tree().set("addon", state=state)

    with pytest.raises(RuleError) as caught:
        disconnect(draft(OrderAction.DISCONNECT), tree, "addon")

    violation = only(caught.value, ErrorCode.INVALID_STATE)
    assert violation.ids == ("addon",) and state.value in violation.message


def test_a_pending_descendant_stops_the_cascade_naming_the_descendant() -> None:
    tree = site_tree().set("p21", "p12", state=InventoryState.CHANGE_PENDING)

    with pytest.raises(RuleError) as caught:
        disconnect(draft(OrderAction.DISCONNECT), tree, "site")

    assert only(caught.value, ErrorCode.INVALID_STATE).ids == ("p12", "p21")


def test_a_descendant_in_another_open_order_is_reported_when_the_cascade_reaches_it() -> None:
    tree = site_tree().in_order(OTHER_ORDER, "p22")

    with pytest.raises(RuleError) as caught:
        disconnect(draft(OrderAction.DISCONNECT), tree, "site")

    violation = only(caught.value, ErrorCode.ALREADY_IN_OPEN_ORDER)
    assert violation.ids == (OTHER_ORDER, "p22")
    assert OTHER_ORDER in violation.message


def test_a_descendant_in_another_order_does_not_matter_outside_the_cascade() -> None:
    tree = site_tree().in_order(OTHER_ORDER, "p22")

    lines = disconnect(draft(OrderAction.DISCONNECT), tree, "acc1")

    assert [x.inventory_id for x in lines] == ["acc1", "p11", "p12"]


def test_a_required_child_cannot_be_disconnected_alone() -> None:
    with pytest.raises(RuleError) as caught:
        disconnect(draft(OrderAction.DISCONNECT), site_tree(), "cpe")

    violation = only(caught.value, ErrorCode.REQUIRED_CHILD)
    assert violation.ids == ("cpe", "site")
    assert "cancel the parent site instead" in violation.message
    assert codes(caught.value) == [ErrorCode.REQUIRED_CHILD]


def test_one_of_two_children_above_the_minimum_may_go() -> None:
    lines = disconnect(draft(OrderAction.DISCONNECT), site_tree(), "acc1")

    assert line_of(lines, "acc1").action is LineAction.DISCONNECT


def test_both_children_going_at_once_drops_below_the_minimum() -> None:
    with pytest.raises(RuleError) as caught:
        disconnect(draft(OrderAction.DISCONNECT), site_tree(), "acc1", "acc2")

    assert [v.ids for v in caught.value.violations] == [("acc1", "site"), ("acc2", "site")]
    assert codes(caught.value) == [ErrorCode.REQUIRED_CHILD, ErrorCode.REQUIRED_CHILD]


def test_a_sibling_disconnected_earlier_in_the_order_no_longer_counts() -> None:
    tree = site_tree()
    ids = LineIds()
    first = disconnect(draft(OrderAction.DISCONNECT), tree, "acc1", new_line_id=ids)

    with pytest.raises(RuleError) as caught:
        disconnect(with_lines(draft(OrderAction.DISCONNECT), first), tree, "acc2", new_line_id=ids)

    assert only(caught.value, ErrorCode.REQUIRED_CHILD).ids == ("acc2", "site")


def test_an_inactive_sibling_does_not_count_towards_the_minimum() -> None:
    tree = site_tree().set("acc2", "p21", "p22", state=InventoryState.INACTIVE)

    with pytest.raises(RuleError) as caught:
        disconnect(draft(OrderAction.DISCONNECT), tree, "acc1")

    assert only(caught.value, ErrorCode.REQUIRED_CHILD).ids == ("acc1", "site")


def test_a_required_child_may_go_with_its_parent_in_the_same_selection() -> None:
    lines = disconnect(draft(OrderAction.DISCONNECT), site_tree(), "cpe", "site")

    assert len(lines) == 9
    assert parent_item(lines, "cpe") == "site"


def test_a_required_child_may_go_once_its_parent_is_disconnected_in_the_order() -> None:
    tree = site_tree()
    ids = LineIds()
    first = disconnect(draft(OrderAction.DISCONNECT), tree, "site", new_line_id=ids)

    lines = disconnect(with_lines(draft(OrderAction.DISCONNECT), first), tree, "cpe", new_line_id=ids)

    assert lines == first
    assert ids.calls == 9


def test_a_replacement_of_the_same_spec_added_in_this_order_keeps_the_minimum() -> None:
    tree = site_tree().add("cpe-new", "CPE", under="site", state=InventoryState.INSTALLATION_PENDING)
    tree.in_order("ORD-1", "cpe-new", "site")
    existing = [
        OrderLine("L-site", LineAction.NO_CHANGE, "site", "SITE"),
        OrderLine("L-new", LineAction.ADD, "cpe-new", "CPE", parent_line_id="L-site"),
    ]

    lines = disconnect(draft(OrderAction.CHANGE, *existing), tree, "cpe", line_action=LineAction.DISCONNECT)

    assert [(x.inventory_id, x.action) for x in lines] == [
        ("site", LineAction.NO_CHANGE),
        ("cpe-new", LineAction.ADD),
        ("cpe", LineAction.DISCONNECT),
    ]
    assert parent_item(lines, "cpe") == "site"


def test_an_added_replacement_counts_even_when_the_view_lacks_it_under_the_parent() -> None:
    tree = site_tree()
    view = tree.view()
    view.items["cpe-new"] = tree.add("cpe-new", "CPE", under="site").items["cpe-new"]
    view.children["site"] = [c for c in view.children["site"] if c != "cpe-new"]
    existing = [
        OrderLine("L-site", LineAction.NO_CHANGE, "site", "SITE"),
        OrderLine("L-new", LineAction.ADD, "cpe-new", "CPE", parent_line_id="L-site"),
    ]

    lines = plan_selection(
        draft(OrderAction.CHANGE, *existing),
        view,
        SPECS,
        ["cpe"],
        line_action=LineAction.DISCONNECT,
        new_line_id=LineIds(),
    )

    assert len(lines) == 3


def test_a_replacement_of_another_spec_does_not_keep_the_minimum() -> None:
    tree = site_tree().add("extra", "ADDON", under="site", state=InventoryState.INSTALLATION_PENDING)
    existing = [
        OrderLine("L-site", LineAction.NO_CHANGE, "site", "SITE"),
        OrderLine("L-new", LineAction.ADD, "extra", "ADDON", parent_line_id="L-site"),
    ]

    with pytest.raises(RuleError) as caught:
        disconnect(draft(OrderAction.CHANGE, *existing), tree, "cpe", line_action=LineAction.DISCONNECT)

    assert only(caught.value, ErrorCode.REQUIRED_CHILD).ids == ("cpe", "site")


def test_a_child_the_bundle_does_not_require_can_always_go() -> None:
    lines = disconnect(draft(OrderAction.DISCONNECT), site_tree(), "addon")

    assert [x.inventory_id for x in lines] == ["addon"]


def test_selecting_a_child_then_its_root_merges_without_duplicates() -> None:
    tree = site_tree()
    ids = LineIds()
    first = disconnect(draft(OrderAction.DISCONNECT), tree, "acc1", new_line_id=ids)

    lines = disconnect(with_lines(draft(OrderAction.DISCONNECT), first), tree, "site", new_line_id=ids)

    assert len(lines) == 9 and len({x.inventory_id for x in lines}) == 9
    assert line_of(lines, "acc1").id == line_of(first, "acc1").id
    assert parent_item(lines, "acc1") == "site"
    assert lines[0].inventory_id == "site"
    assert_parents_first(lines)


def test_selecting_the_root_then_a_child_changes_nothing() -> None:
    tree = site_tree()
    ids = LineIds()
    first = disconnect(draft(OrderAction.DISCONNECT), tree, "site", new_line_id=ids)

    lines = disconnect(
        with_lines(draft(OrderAction.DISCONNECT), first), tree, "acc2", "acc2", new_line_id=ids
    )

    assert lines == first


def test_overlapping_items_in_one_selection_merge() -> None:
    lines = disconnect(draft(OrderAction.DISCONNECT), site_tree(), "p11", "acc1", "p11", "site", "acc2")

    assert len(lines) == 9
    assert [x.inventory_id for x in lines][:4] == ["site", "acc1", "p11", "p12"]
    assert_parents_first(lines)


def test_a_change_order_may_carry_disconnect_lines() -> None:
    lines = disconnect(draft(OrderAction.CHANGE), site_tree(), "acc1", line_action=LineAction.DISCONNECT)

    assert [(x.inventory_id, x.action) for x in lines] == [
        ("acc1", LineAction.DISCONNECT),
        ("p11", LineAction.DISCONNECT),
        ("p12", LineAction.DISCONNECT),
    ]


def test_a_cascade_reaching_a_changed_item_turns_it_into_a_disconnect() -> None:
    existing = OrderLine("L-7", LineAction.CHANGE, "p11", "PORT")

    lines = disconnect(
        draft(OrderAction.CHANGE, existing), site_tree(), "acc1", line_action=LineAction.DISCONNECT
    )

    assert line_of(lines, "p11").id == "L-7"
    assert line_of(lines, "p11").action is LineAction.DISCONNECT
    assert parent_item(lines, "p11") == "acc1"


def test_a_cascade_cannot_disconnect_a_product_this_order_adds() -> None:
    tree = site_tree().add("p13", "PORT", under="acc1", state=InventoryState.INSTALLATION_PENDING)
    tree.in_order("ORD-1", "p13", "acc1")
    existing = [
        OrderLine("L-acc1", LineAction.NO_CHANGE, "acc1", "ACCESS"),
        OrderLine("L-p13", LineAction.ADD, "p13", "PORT", parent_line_id="L-acc1"),
    ]

    with pytest.raises(RuleError) as caught:
        disconnect(draft(OrderAction.CHANGE, *existing), tree, "acc1", line_action=LineAction.DISCONNECT)

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert violation.ids == ("p13",)
    assert "ADD" in violation.message
