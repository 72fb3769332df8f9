"""Editing one line of a draft order, removing lines, and the difference a write must apply."""

from __future__ import annotations

import pytest

from rules.capture import diff_lines, plan_added_product, plan_line_removal, plan_line_update, plan_selection
from rules.editing import LineDiff
from rules.model import (
    CharacteristicChange,
    ErrorCode,
    InventoryState,
    LineAction,
    OrderAction,
    OrderLine,
    OrderState,
    RuleError,
)
from tests.rules.builders import (
    NEW_HOME,
    ORDER,
    OTHER_ORDER,
    LineIds,
    Tree,
    codes,
    draft,
    line_of,
    mobile_broadband_catalog,
    mobile_broadband_tree,
    only,
    parent_item,
    site_tree,
    with_lines,
)

SPECS = mobile_broadband_catalog()


def lines_for(action: OrderAction, tree: Tree, *ids: str, **kwargs: object) -> list[OrderLine]:
    return plan_selection(draft(action), tree.view(), SPECS, list(ids), new_line_id=LineIds(), **kwargs)  # type: ignore[arg-type]


# --- plan_line_update ---------------------------------------------------------------------------


def test_a_change_line_can_become_a_disconnect() -> None:
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.CHANGE, "addon", "ADDON"))

    lines = plan_line_update(order, site_tree().view(), SPECS, "L-1", action=LineAction.DISCONNECT)

    assert [(x.id, x.action) for x in lines] == [("L-1", LineAction.DISCONNECT)]


def test_an_update_checks_the_new_action_against_the_items_state() -> None:
    tree = site_tree().set("addon", state=InventoryState.SUSPENDED)
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.DISCONNECT, "addon", "ADDON"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, tree.view(), SPECS, "L-1", action=LineAction.CHANGE)

    violation = only(caught.value, ErrorCode.INVALID_STATE)
    assert violation.ids == ("addon",) and "SUSPENDED" in violation.message


def test_an_update_to_disconnect_respects_required_children() -> None:
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.CHANGE, "cpe", "CPE"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, site_tree().view(), SPECS, "L-1", action=LineAction.DISCONNECT)

    assert only(caught.value, ErrorCode.REQUIRED_CHILD).ids == ("cpe", "site")


def test_an_update_rechecks_other_open_orders() -> None:
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.CHANGE, "addon", "ADDON"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(
            order,
            site_tree().in_order(OTHER_ORDER, "addon").view(),
            SPECS,
            "L-1",
            action=LineAction.DISCONNECT,
        )

    assert only(caught.value, ErrorCode.ALREADY_IN_OPEN_ORDER).ids == (OTHER_ORDER, "addon")


@pytest.mark.parametrize(
    ("order_action", "line_action", "new_action"),
    [
        (OrderAction.CHANGE, LineAction.CHANGE, LineAction.SUSPEND),
        (OrderAction.DISCONNECT, LineAction.DISCONNECT, LineAction.CHANGE),
        (OrderAction.MOVE, LineAction.CHANGE, LineAction.NO_CHANGE),
        (OrderAction.SUSPEND, LineAction.SUSPEND, LineAction.RESUME),
    ],
)
def test_an_update_cannot_give_a_line_an_action_its_order_does_not_carry(
    order_action: OrderAction, line_action: LineAction, new_action: LineAction
) -> None:
    order = draft(order_action, OrderLine("L-1", line_action, "addon", "ADDON"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, site_tree().view(), SPECS, "L-1", action=new_action)

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "action"


def test_add_lines_keep_their_action() -> None:
    tree = site_tree().add("new", "ADDON", under="site", state=InventoryState.INSTALLATION_PENDING)
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.ADD, "new", "ADDON"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, tree.view(), SPECS, "L-1", action=LineAction.CHANGE)

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "action"


def test_no_line_becomes_an_add() -> None:
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.NO_CHANGE, "site", "SITE"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, site_tree().view(), SPECS, "L-1", action=LineAction.ADD)

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "action"


def test_a_line_that_products_are_added_under_cannot_become_a_disconnect() -> None:
    tree = site_tree().add("new", "ADDON", under="site", state=InventoryState.INSTALLATION_PENDING)
    order = draft(
        OrderAction.CHANGE,
        OrderLine("L-1", LineAction.NO_CHANGE, "site", "SITE"),
        OrderLine("L-2", LineAction.ADD, "new", "ADDON", parent_line_id="L-1"),
    )

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, tree.view(), SPECS, "L-1", action=LineAction.DISCONNECT)

    assert only(caught.value, ErrorCode.INVALID_INPUT).ids == ("L-1", "L-2")


def test_a_no_change_line_can_become_a_change_with_characteristics() -> None:
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.NO_CHANGE, "mbb", "MBB"))

    lines = plan_line_update(
        order,
        mobile_broadband_tree().view(),
        SPECS,
        "L-1",
        action=LineAction.CHANGE,
        characteristics=[("plan", "pro")],
    )

    assert lines[0].action is LineAction.CHANGE
    assert lines[0].characteristic_changes == (CharacteristicChange("plan", "basic", "pro"),)


def test_characteristics_merge_and_a_return_to_the_current_value_drops_the_change() -> None:
    tree = Tree().add("c5", "CONN5G", characteristics={"speed": "500"})
    order = draft(
        OrderAction.CHANGE,
        OrderLine(
            "L-1",
            LineAction.CHANGE,
            "c5",
            "CONN5G",
            characteristic_changes=(CharacteristicChange("speed", "500", "1000"),),
        ),
    )

    lines = plan_line_update(
        order, tree.view(), SPECS, "L-1", characteristics=[("speed", "500"), ("label", "x")]
    )

    assert lines[0].characteristic_changes == (CharacteristicChange("label", None, "x"),)


def test_updated_characteristics_are_validated() -> None:
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.CHANGE, "conn4g", "CONN4G"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(
            order, mobile_broadband_tree().view(), SPECS, "L-1", characteristics=[("speed", "7")]
        )

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert (violation.field, violation.ids) == ("characteristics", ("conn4g",))


def test_an_add_lines_characteristics_are_the_new_products_values() -> None:
    tree = mobile_broadband_tree()
    added = plan_added_product(
        draft(OrderAction.CHANGE),
        tree.view(),
        SPECS,
        parent_inventory_id="mbb",
        spec_id="CONN5G",
        characteristics=[],
        location_id=None,
        new_line_id=LineIds(),
        new_item_id=lambda: "c5",
    )
    tree.add(
        "c5",
        "CONN5G",
        under="mbb",
        state=InventoryState.INSTALLATION_PENDING,
        characteristics={"speed": "500"},
    )

    lines = plan_line_update(
        with_lines(draft(OrderAction.CHANGE), added.lines),
        tree.view(),
        SPECS,
        added.line.id,
        characteristics=[("speed", "1000"), ("label", "home")],
    )

    assert line_of(lines, "c5").characteristic_changes == (
        CharacteristicChange("speed", None, "1000"),
        CharacteristicChange("label", None, "home"),
    )


def test_characteristics_belong_to_change_and_add_lines() -> None:
    order = draft(OrderAction.DISCONNECT, OrderLine("L-1", LineAction.DISCONNECT, "conn4g", "CONN4G"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(
            order, mobile_broadband_tree().view(), SPECS, "L-1", characteristics=[("speed", "100")]
        )

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "characteristics"


def test_becoming_a_disconnect_drops_characteristic_changes() -> None:
    order = draft(
        OrderAction.CHANGE,
        OrderLine(
            "L-1",
            LineAction.CHANGE,
            "conn4g",
            "CONN4G",
            characteristic_changes=(CharacteristicChange("speed", "50", "100"),),
        ),
    )

    lines = plan_line_update(
        order, mobile_broadband_tree().view(), SPECS, "L-1", action=LineAction.DISCONNECT
    )

    assert lines[0].characteristic_changes == ()


def test_the_move_flag_and_target_can_be_set_in_a_move_order() -> None:
    order = draft(OrderAction.MOVE, OrderLine("L-1", LineAction.CHANGE, "addon", "ADDON"))

    lines = plan_line_update(order, site_tree().view(), SPECS, "L-1", move=True, target_location_id=NEW_HOME)

    assert (lines[0].move, lines[0].target_location_id) == (True, NEW_HOME)


def test_only_move_orders_set_the_move_flag() -> None:
    order = draft(OrderAction.CHANGE, OrderLine("L-1", LineAction.CHANGE, "addon", "ADDON"))

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, site_tree().view(), SPECS, "L-1", move=True)

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "move"


def test_a_change_line_of_a_change_order_may_relocate_but_a_disconnect_may_not() -> None:
    order = draft(
        OrderAction.CHANGE,
        OrderLine("L-1", LineAction.CHANGE, "addon", "ADDON"),
        OrderLine("L-2", LineAction.DISCONNECT, "cpe", "CPE"),
    )

    lines = plan_line_update(order, site_tree().view(), SPECS, "L-1", target_location_id=NEW_HOME)
    with pytest.raises(RuleError) as caught:
        plan_line_update(order, site_tree().view(), SPECS, "L-2", target_location_id=NEW_HOME)

    assert lines[0].target_location_id == NEW_HOME
    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "targetLocationId"


def test_an_update_leaves_other_lines_as_they_are() -> None:
    lines = lines_for(OrderAction.DISCONNECT, site_tree(), "acc1")
    order = with_lines(draft(OrderAction.DISCONNECT), lines)

    after = plan_line_update(order, site_tree().view(), SPECS, lines[1].id)

    assert after == lines
    assert all(a is b for a, b in zip(after[:1] + after[2:], lines[:1] + lines[2:], strict=True))


def test_updating_an_unknown_line_is_not_found() -> None:
    with pytest.raises(RuleError) as caught:
        plan_line_update(
            draft(OrderAction.CHANGE), site_tree().view(), SPECS, "L-404", action=LineAction.CHANGE
        )

    violation = only(caught.value, ErrorCode.NOT_FOUND)
    assert (violation.field, violation.ids) == ("lineId", ("L-404",))


def test_a_submitted_order_cannot_be_edited() -> None:
    order = draft(
        OrderAction.CHANGE, OrderLine("L-1", LineAction.CHANGE, "addon", "ADDON"), state=OrderState.SUBMITTED
    )

    with pytest.raises(RuleError) as caught:
        plan_line_update(order, site_tree().view(), SPECS, "L-1", action=LineAction.DISCONNECT)
    with pytest.raises(RuleError) as removal:
        plan_line_removal(order, site_tree().view(), "L-1")

    assert codes(caught.value) == [ErrorCode.ORDER_NOT_EDITABLE]
    assert codes(removal.value) == [ErrorCode.ORDER_NOT_EDITABLE]


# --- plan_line_removal --------------------------------------------------------------------------


def test_removing_a_line_moves_its_children_up_to_its_parent_line() -> None:
    lines = lines_for(OrderAction.CHANGE, site_tree(), "site", "acc1", "p11", "p12")
    order = with_lines(draft(OrderAction.CHANGE), lines)

    removal = plan_line_removal(order, site_tree().view(), line_of(lines, "acc1").id)

    assert [x.inventory_id for x in removal.lines] == ["site", "p11", "p12"]
    assert parent_item(removal.lines, "p11") == "site"
    assert parent_item(removal.lines, "p12") == "site"
    assert removal.removed_line_ids == (line_of(lines, "acc1").id,)
    assert removal.removed_item_ids == ()


def test_removing_a_top_line_makes_its_children_top_lines() -> None:
    lines = lines_for(OrderAction.CHANGE, site_tree(), "site", "acc1")
    order = with_lines(draft(OrderAction.CHANGE), lines)

    removal = plan_line_removal(order, site_tree().view(), line_of(lines, "site").id)

    assert [(x.inventory_id, x.parent_line_id) for x in removal.lines] == [("acc1", None)]


def test_removing_the_top_of_a_disconnect_cascade_keeps_the_rest_as_lines() -> None:
    lines = lines_for(OrderAction.DISCONNECT, site_tree(), "acc1")
    order = with_lines(draft(OrderAction.DISCONNECT), lines)

    removal = plan_line_removal(order, site_tree().view(), line_of(lines, "acc1").id)

    assert [(x.inventory_id, x.parent_line_id) for x in removal.lines] == [("p11", None), ("p12", None)]


def test_a_line_the_parents_disconnect_covers_cannot_be_removed_alone() -> None:
    lines = lines_for(OrderAction.DISCONNECT, site_tree(), "acc1")
    order = with_lines(draft(OrderAction.DISCONNECT), lines)

    with pytest.raises(RuleError) as caught:
        plan_line_removal(order, site_tree().view(), line_of(lines, "p11").id)

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert violation.ids == (line_of(lines, "p11").id, line_of(lines, "acc1").id)


def test_a_line_the_parents_suspend_covers_cannot_be_removed_alone() -> None:
    lines = lines_for(OrderAction.SUSPEND, site_tree(), "site")
    order = with_lines(draft(OrderAction.SUSPEND), lines)

    with pytest.raises(RuleError) as caught:
        plan_line_removal(order, site_tree().view(), line_of(lines, "cpe").id)

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "lineId"


def test_a_selected_child_line_under_a_change_can_be_removed() -> None:
    lines = lines_for(OrderAction.CHANGE, site_tree(), "site", "cpe")
    order = with_lines(draft(OrderAction.CHANGE), lines)

    removal = plan_line_removal(order, site_tree().view(), line_of(lines, "cpe").id)

    assert [x.inventory_id for x in removal.lines] == ["site"]


def four_g_to_five_g_order() -> tuple[list[OrderLine], Tree]:
    tree = mobile_broadband_tree()
    ids = LineIds()
    lines: list[OrderLine] = []
    for spec_id, item_id in (("ROUTER5G", "r5"), ("CONN5G", "c5")):
        added = plan_added_product(
            with_lines(draft(OrderAction.CHANGE), lines),
            tree.view(),
            SPECS,
            parent_inventory_id="mbb",
            spec_id=spec_id,
            characteristics=[],
            location_id=None,
            new_line_id=ids,
            new_item_id=lambda item_id=item_id: item_id,  # type: ignore[misc]
        )
        lines = added.lines
        tree.add(item_id, spec_id, under="mbb", state=InventoryState.INSTALLATION_PENDING, open_order=ORDER)
    sim = plan_added_product(
        with_lines(draft(OrderAction.CHANGE), lines),
        tree.view(),
        SPECS,
        parent_inventory_id="r5",
        spec_id="SIM",
        characteristics=[],
        location_id=None,
        new_line_id=ids,
        new_item_id=lambda: "sim",
    )
    tree.add("sim", "SIM", under="r5", state=InventoryState.INSTALLATION_PENDING, open_order=ORDER)
    return sim.lines, tree


def test_removing_an_add_line_removes_the_adds_below_it_and_reports_their_items() -> None:
    lines, tree = four_g_to_five_g_order()
    order = with_lines(draft(OrderAction.CHANGE), lines)

    removal = plan_line_removal(order, tree.view(), line_of(lines, "r5").id)

    assert [(x.inventory_id, x.action) for x in removal.lines] == [
        ("mbb", LineAction.NO_CHANGE),
        ("c5", LineAction.ADD),
    ]
    assert set(removal.removed_item_ids) == {"r5", "sim"}
    assert set(removal.removed_line_ids) == {line_of(lines, "r5").id, line_of(lines, "sim").id}


def test_removing_the_last_added_product_removes_the_no_change_line_it_brought() -> None:
    lines, tree = four_g_to_five_g_order()
    order = with_lines(draft(OrderAction.CHANGE), lines)
    order = with_lines(order, plan_line_removal(order, tree.view(), line_of(lines, "r5").id).lines)

    removal = plan_line_removal(order, tree.view(), line_of(lines, "c5").id)

    assert removal.lines == []
    assert removal.removed_item_ids == ("c5",)
    assert set(removal.removed_line_ids) == {line_of(lines, "c5").id, line_of(lines, "mbb").id}


def test_a_no_change_line_with_other_lines_below_stays() -> None:
    lines, tree = four_g_to_five_g_order()
    lines = plan_selection(
        with_lines(draft(OrderAction.CHANGE), lines),
        tree.view(),
        SPECS,
        ["conn4g"],
        line_action=LineAction.DISCONNECT,
        new_line_id=LineIds("X"),
    )
    order = with_lines(draft(OrderAction.CHANGE), [x for x in lines if x.inventory_id not in ("r5", "sim")])

    removal = plan_line_removal(order, tree.view(), line_of(lines, "c5").id)

    assert [(x.inventory_id, x.action) for x in removal.lines] == [
        ("mbb", LineAction.NO_CHANGE),
        ("conn4g", LineAction.DISCONNECT),
    ]


def test_a_line_products_are_added_under_cannot_be_removed() -> None:
    lines, tree = four_g_to_five_g_order()
    order = with_lines(draft(OrderAction.CHANGE), lines)

    with pytest.raises(RuleError) as caught:
        plan_line_removal(order, tree.view(), line_of(lines, "mbb").id)

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert violation.ids == (line_of(lines, "mbb").id, line_of(lines, "r5").id, line_of(lines, "c5").id)


def test_removing_an_unknown_line_is_not_found() -> None:
    with pytest.raises(RuleError) as caught:
        plan_line_removal(draft(OrderAction.CHANGE), site_tree().view(), "L-404")

    assert only(caught.value, ErrorCode.NOT_FOUND).field == "lineId"


# --- diff_lines ---------------------------------------------------------------------------------


def test_the_diff_names_created_updated_and_removed_lines() -> None:
    kept = OrderLine("L-1", LineAction.CHANGE, "a", "S")
    changed = OrderLine("L-2", LineAction.CHANGE, "b", "S")
    gone = OrderLine("L-3", LineAction.CHANGE, "c", "S")
    new = OrderLine("L-4", LineAction.CHANGE, "d", "S", parent_line_id="L-1")
    relinked = OrderLine("L-2", LineAction.CHANGE, "b", "S", parent_line_id="L-1")

    diff = diff_lines([kept, changed, gone], [kept, relinked, new])

    assert diff == LineDiff(created=[new], updated=[relinked], removed_ids=["L-3"])


def test_no_difference_means_nothing_to_write() -> None:
    lines = lines_for(OrderAction.DISCONNECT, site_tree(), "site")

    assert diff_lines(lines, list(lines)) == LineDiff(created=[], updated=[], removed_ids=[])


def test_the_diff_of_a_capture_is_what_it_added_and_relinked() -> None:
    tree = site_tree()
    before = lines_for(OrderAction.CHANGE, tree, "p11")
    after = plan_selection(
        with_lines(draft(OrderAction.CHANGE), before), tree.view(), SPECS, ["site"], new_line_id=LineIds("N")
    )

    diff = diff_lines(before, after)

    assert [x.inventory_id for x in diff.created] == ["site"]
    assert [(x.id, x.parent_line_id) for x in diff.updated] == [(before[0].id, line_of(after, "site").id)]
    assert diff.removed_ids == []
