"""R4 at capture: a move gives the product and everything under it a move line to one location."""

from __future__ import annotations

import pytest

from rules.capture import plan_selection
from rules.model import (
    CharacteristicChange,
    ErrorCode,
    InventoryState,
    LineAction,
    OrderAction,
    OrderLine,
    RuleError,
)
from rules.move import validate_move
from tests.rules.builders import (
    HOME,
    NEW_HOME,
    OTHER_ORDER,
    LineIds,
    assert_parents_first,
    draft,
    line_of,
    mobile_broadband_catalog,
    only,
    parent_item,
    site_tree,
    with_lines,
)

SPECS = mobile_broadband_catalog()


def move(order, tree, *ids, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("new_line_id", LineIds())
    return plan_selection(order, tree.view(), SPECS, list(ids), **kwargs)


def test_moving_the_root_moves_every_item_under_it() -> None:
    lines = move(draft(OrderAction.MOVE), site_tree(), "site", target_location_id=NEW_HOME)

    assert len(lines) == 9
    assert {(x.action, x.move, x.target_location_id) for x in lines} == {(LineAction.CHANGE, True, NEW_HOME)}
    assert parent_item(lines, "p22") == "acc2"
    assert_parents_first(lines)
    assert validate_move(draft(OrderAction.MOVE, *lines), site_tree().view()) == []


def test_moving_a_child_moves_its_subtree_only() -> None:
    lines = move(draft(OrderAction.MOVE), site_tree(), "acc2", target_location_id=NEW_HOME)

    assert [x.inventory_id for x in lines] == ["acc2", "p21", "p22"]


def test_inactive_items_do_not_move() -> None:
    tree = site_tree().set("p21", state=InventoryState.INACTIVE)

    lines = move(draft(OrderAction.MOVE), tree, "acc2", target_location_id=NEW_HOME)

    assert [x.inventory_id for x in lines] == ["acc2", "p22"]


def test_a_move_needs_a_target_location() -> None:
    with pytest.raises(RuleError) as caught:
        move(draft(OrderAction.MOVE), site_tree(), "site")

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert violation.field == "targetLocationId"


def test_moving_to_where_the_item_already_is_is_invalid() -> None:
    with pytest.raises(RuleError) as caught:
        move(draft(OrderAction.MOVE), site_tree(), "site", target_location_id=HOME)

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert (violation.field, violation.ids) == ("targetLocationId", ("site",))


def test_a_move_needs_active_items_all_the_way_down() -> None:
    tree = site_tree().set("p12", state=InventoryState.SUSPENDED)

    with pytest.raises(RuleError) as caught:
        move(draft(OrderAction.MOVE), tree, "site", target_location_id=NEW_HOME)

    violation = only(caught.value, ErrorCode.INVALID_STATE)
    assert violation.ids == ("p12",)
    assert "move" in violation.message and "SUSPENDED" in violation.message


def test_an_item_under_the_moved_product_in_another_order_is_refused() -> None:
    tree = site_tree().in_order(OTHER_ORDER, "p11")

    with pytest.raises(RuleError) as caught:
        move(draft(OrderAction.MOVE), tree, "site", target_location_id=NEW_HOME)

    assert only(caught.value, ErrorCode.ALREADY_IN_OPEN_ORDER).ids == (OTHER_ORDER, "p11")


def test_characteristics_of_a_move_apply_to_the_selected_item_only() -> None:
    lines = move(
        draft(OrderAction.MOVE),
        site_tree(),
        "acc1",
        target_location_id=NEW_HOME,
        characteristics=[("speed", "1000")],
    )

    assert line_of(lines, "acc1").characteristic_changes == (CharacteristicChange("speed", "100", "1000"),)
    assert line_of(lines, "p11").characteristic_changes == ()


def test_a_product_dropped_in_a_move_keeps_its_disconnect_line_and_moves_with_the_rest() -> None:
    tree = site_tree()
    ids = LineIds()
    dropped = move(draft(OrderAction.MOVE), tree, "addon", line_action=LineAction.DISCONNECT, new_line_id=ids)
    assert [(x.action, x.move, x.target_location_id) for x in dropped] == [
        (LineAction.DISCONNECT, True, None)
    ]

    lines = move(
        with_lines(draft(OrderAction.MOVE), dropped),
        tree,
        "site",
        target_location_id=NEW_HOME,
        new_line_id=ids,
    )

    addon = line_of(lines, "addon")
    assert (addon.id, addon.action, addon.move, addon.target_location_id) == (
        dropped[0].id,
        LineAction.DISCONNECT,
        True,
        NEW_HOME,
    )
    assert parent_item(lines, "addon") == "site"
    assert validate_move(draft(OrderAction.MOVE, *lines), tree.view()) == []


def test_a_product_dropped_after_the_move_was_captured_turns_its_lines_into_disconnects() -> None:
    tree = site_tree()
    ids = LineIds()
    moved = move(draft(OrderAction.MOVE), tree, "site", target_location_id=NEW_HOME, new_line_id=ids)

    lines = move(
        with_lines(draft(OrderAction.MOVE), moved),
        tree,
        "acc2",
        line_action=LineAction.DISCONNECT,
        new_line_id=ids,
    )

    assert [(x.inventory_id, x.action) for x in lines if x.action is LineAction.DISCONNECT] == [
        ("acc2", LineAction.DISCONNECT),
        ("p21", LineAction.DISCONNECT),
        ("p22", LineAction.DISCONNECT),
    ]
    assert {(x.move, x.target_location_id) for x in lines} == {(True, NEW_HOME)}
    assert ids.calls == 9


def test_a_later_move_of_the_root_takes_earlier_moved_children_along() -> None:
    tree = site_tree()
    ids = LineIds()
    first = move(draft(OrderAction.MOVE), tree, "acc1", target_location_id="LOC-A", new_line_id=ids)

    lines = move(
        with_lines(draft(OrderAction.MOVE), first), tree, "site", target_location_id="LOC-B", new_line_id=ids
    )

    assert {x.target_location_id for x in lines} == {"LOC-B"}
    assert line_of(lines, "acc1").id == line_of(first, "acc1").id
    assert len(lines) == 9


def test_a_move_order_cannot_suspend() -> None:
    with pytest.raises(RuleError) as caught:
        move(
            draft(OrderAction.MOVE),
            site_tree(),
            "site",
            line_action=LineAction.SUSPEND,
            target_location_id=NEW_HOME,
        )

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "lineAction"


def test_only_change_lines_outside_a_move_take_a_target_location() -> None:
    with pytest.raises(RuleError) as caught:
        move(draft(OrderAction.DISCONNECT), site_tree(), "addon", target_location_id=NEW_HOME)

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "targetLocationId"


def test_a_move_line_already_in_the_order_is_kept_when_selected_again() -> None:
    existing = OrderLine("L-7", LineAction.CHANGE, "addon", "ADDON", move=True, target_location_id=NEW_HOME)

    lines = move(draft(OrderAction.MOVE, existing), site_tree(), "addon", target_location_id=NEW_HOME)

    assert lines == [existing]
