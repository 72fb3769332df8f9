"""The installed base stays true: edits cascade like selections, and submission refuses any tree
that would leave live items under what the order ends or a bundle below its minimum."""

from __future__ import annotations

import pytest

from rules.capture import plan_added_product, plan_line_update, plan_selection
from rules.invariants import cardinality_violations, resulting_tree_violations
from rules.model import ErrorCode, LineAction, OrderAction, OrderLine, RuleError
from rules.submission import validate_submission
from tests.rules.builders import (
    NEW_HOME,
    OTHER_ORDER,
    Catalog,
    LineIds,
    Tree,
    codes,
    draft,
    line_of,
    mobile_broadband_catalog,
    only,
    site_tree,
    with_lines,
)

SPECS = mobile_broadband_catalog()


def selected(action: OrderAction, tree: Tree, *ids: str, **kwargs: object) -> list[OrderLine]:
    return plan_selection(draft(action), tree.view(), SPECS, list(ids), new_line_id=LineIds("S"), **kwargs)  # type: ignore[arg-type]


# --- editing a line to DISCONNECT cascades (R3) -------------------------------------------------------


@pytest.mark.parametrize("order_action", [OrderAction.CHANGE, OrderAction.MOVE])
def test_editing_a_line_to_disconnect_gives_every_live_descendant_a_disconnect_line(
    order_action: OrderAction,
) -> None:
    tree = site_tree()
    target = {"target_location_id": NEW_HOME} if order_action is OrderAction.MOVE else {}
    lines = selected(order_action, tree, "acc2", **target)
    order = with_lines(draft(order_action), lines)

    edited = plan_line_update(
        order, tree.view(), SPECS, line_of(lines, "acc2").id, action=LineAction.DISCONNECT,
        new_line_id=LineIds("E"),
    )

    actions = {x.inventory_id: x.action for x in edited}
    assert actions == {"acc2": LineAction.DISCONNECT, "p21": LineAction.DISCONNECT, "p22": LineAction.DISCONNECT}
    if order_action is OrderAction.MOVE:
        assert all(x.move and x.target_location_id == NEW_HOME for x in edited)
    assert resulting_tree_violations(with_lines(order, edited), tree.view()) == []


def test_editing_a_required_child_to_disconnect_is_refused_like_selecting_it() -> None:
    tree = site_tree()
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.CHANGE, "cpe", "CPE"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, tree.view(), SPECS, "L-1", action=LineAction.DISCONNECT)

    assert only(caught.value, ErrorCode.REQUIRED_CHILD).ids == ("cpe", "site")


def test_a_line_covered_by_an_ancestors_disconnect_keeps_its_action() -> None:
    tree = site_tree()
    lines = selected(OrderAction.CHANGE, tree, "acc2", line_action=LineAction.DISCONNECT)
    order = with_lines(draft(OrderAction.CHANGE), lines)
    port = line_of(lines, "p21")

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, tree.view(), SPECS, port.id, action=LineAction.CHANGE)

    violation = only(caught.value, ErrorCode.COVERED_BY_ANCESTOR)
    assert violation.ids == (port.id, line_of(lines, "acc2").id)


def test_a_covered_line_in_a_move_order_keeps_its_action_too() -> None:
    tree = site_tree()
    lines = selected(OrderAction.MOVE, tree, "site", target_location_id=NEW_HOME)
    order = with_lines(draft(OrderAction.MOVE), lines)
    order = with_lines(order, plan_line_update(order, tree.view(), SPECS, line_of(lines, "acc2").id,
                                               action=LineAction.DISCONNECT, new_line_id=LineIds("E")))

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, tree.view(), SPECS, line_of(order.lines, "p22").id, action=LineAction.CHANGE)

    assert codes(caught.value) == [ErrorCode.COVERED_BY_ANCESTOR]


# --- the resulting tree at submission ------------------------------------------------------------------


def test_a_disconnect_without_its_subtree_is_refused_at_submission_naming_every_live_child() -> None:
    tree = site_tree()
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.DISCONNECT, "acc2", "ACCESS"))

    violation = only(validate_submission(order, tree.view(), SPECS), ErrorCode.LIVE_UNDER_INACTIVE)

    assert violation.ids == ("p21", "p22")


def test_a_move_copy_left_under_a_disconnected_parent_is_refused() -> None:
    tree = site_tree()
    order = draft(
        OrderAction.MOVE,
        OrderLine("L-1", LineAction.DISCONNECT, "acc2", "ACCESS", move=True, target_location_id=NEW_HOME),
        OrderLine("L-2", LineAction.CHANGE, "p21", "PORT", "L-1", move=True, target_location_id=NEW_HOME),
        OrderLine("L-3", LineAction.DISCONNECT, "p22", "PORT", "L-1", move=True, target_location_id=NEW_HOME),
    )

    assert only(resulting_tree_violations(order, tree.view()), ErrorCode.LIVE_UNDER_INACTIVE).ids == ("p21",)


def test_a_whole_moved_tree_and_a_full_disconnect_pass() -> None:
    tree = site_tree()
    moved = with_lines(draft(OrderAction.MOVE), selected(OrderAction.MOVE, tree, "site", target_location_id=NEW_HOME))
    ended = with_lines(draft(OrderAction.CHANGE), selected(OrderAction.CHANGE, tree, "site", line_action=LineAction.DISCONNECT))

    assert resulting_tree_violations(moved, tree.view()) == []
    assert resulting_tree_violations(ended, tree.view()) == []


# --- minimum cardinality across open orders (R3) ----------------------------------------------------------


def two_required() -> tuple[Tree, dict]:
    specs = Catalog().spec("HUB", bundles={"LINK": (1, 2)}).spec("LINK").build()
    tree = Tree().add("hub", "HUB").add("link-1", "LINK", under="hub").add("link-2", "LINK", under="hub")
    return tree, specs


def test_another_orders_pending_removal_counts_against_the_minimum() -> None:
    tree, specs = two_required()
    first = plan_selection(draft(OrderAction.DISCONNECT), tree.view(), specs, ["link-1"], new_line_id=LineIds())
    assert [x.inventory_id for x in first] == ["link-1"]

    tree.in_order(OTHER_ORDER, "link-1").set("link-1", pending_removal=True)
    with pytest.raises(RuleError) as caught:
        plan_selection(draft(OrderAction.DISCONNECT), tree.view(), specs, ["link-2"], new_line_id=LineIds())

    assert only(caught.value, ErrorCode.REQUIRED_CHILD).ids == ("link-2", "hub")


def test_approval_rechecks_the_minimum_against_what_changed_since_capture() -> None:
    tree, specs = two_required()
    order = draft(OrderAction.DISCONNECT, OrderLine("L-1", LineAction.DISCONNECT, "link-1", "LINK"))
    assert cardinality_violations(order, tree.view(), specs) == []

    tree.in_order(OTHER_ORDER, "link-2").set("link-2", pending_removal=True)

    assert codes(cardinality_violations(order, tree.view(), specs)) == [ErrorCode.REQUIRED_CHILD]


def test_a_new_bundle_without_its_required_children_is_refused_at_submission() -> None:
    tree = Tree().add("acct-root", "ADDON")
    specs = (
        Catalog().spec("ADDON", bundles={"SITE": (0, 1)})
        .spec("SITE", bundles={"ACCESS": (1, 2), "CPE": (1, 1), "ADDON": (0, 3)})
        .spec("ACCESS").spec("CPE").build()
    )
    order = draft(OrderAction.CHANGE)
    added = plan_added_product(order, tree.view(), specs, parent_inventory_id="acct-root", spec_id="SITE",
                               new_line_id=LineIds(), new_item_id=lambda: "new-site")
    order = with_lines(order, added.lines)
    view = tree.view()
    view.items["new-site"] = added.item

    violation = only(validate_submission(order, view, specs), ErrorCode.REQUIRED_CHILD)
    assert violation.ids == (added.line.id, "ACCESS", "CPE")

    for spec_id, item_id in (("ACCESS", "new-access"), ("CPE", "new-cpe")):
        more = plan_added_product(order, view, specs, parent_inventory_id="new-site", spec_id=spec_id,
                                  new_line_id=LineIds(spec_id), new_item_id=lambda i=item_id: i)
        order = with_lines(order, more.lines)
        view.items[item_id] = more.item
        view.children.setdefault("new-site", []).append(item_id)
    assert validate_submission(order, view, specs) == []
