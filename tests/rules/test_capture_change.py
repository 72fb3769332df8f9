"""R1: a change order creates lines only for the items selected; plus the checks every selection runs."""

from __future__ import annotations

import copy

import pytest

from rules.capture import plan_selection
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
    OTHER_ACCOUNT,
    OTHER_ORDER,
    LineIds,
    Tree,
    assert_parents_first,
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


def select(order, tree, *ids, **kwargs):  # type: ignore[no-untyped-def]
    view = tree.view() if isinstance(tree, Tree) else tree
    kwargs.setdefault("new_line_id", LineIds())
    return plan_selection(order, view, SPECS, list(ids), **kwargs)


def test_selecting_the_root_creates_a_line_for_the_root_alone() -> None:
    lines = select(draft(OrderAction.CHANGE), mobile_broadband_tree(), "mbb")

    assert [(x.inventory_id, x.action, x.parent_line_id) for x in lines] == [("mbb", LineAction.CHANGE, None)]
    assert lines[0].spec_id == "MBB"
    assert lines[0].move is False and lines[0].target_location_id is None


def test_selecting_a_child_creates_a_line_for_that_child_alone() -> None:
    lines = select(draft(OrderAction.CHANGE), site_tree(), "acc1")

    assert [(x.inventory_id, x.action, x.parent_line_id) for x in lines] == [
        ("acc1", LineAction.CHANGE, None)
    ]


def test_selecting_a_deep_item_creates_no_line_for_its_ancestors_or_descendants() -> None:
    tree = Tree().chain("n", 12, "PORT")

    lines = select(draft(OrderAction.CHANGE), tree, "n-7")

    assert [x.inventory_id for x in lines] == ["n-7"]


def test_characteristics_record_the_current_value_as_old() -> None:
    lines = select(
        draft(OrderAction.CHANGE), mobile_broadband_tree(), "conn4g", characteristics=[("speed", "100")]
    )

    assert line_of(lines, "conn4g").characteristic_changes == (CharacteristicChange("speed", "50", "100"),)


def test_a_characteristic_the_item_does_not_have_yet_has_no_old_value() -> None:
    tree = Tree().add("c5", "CONN5G")

    lines = select(draft(OrderAction.CHANGE), tree, "c5", characteristics=[("label", "anything goes")])

    assert lines[0].characteristic_changes == (CharacteristicChange("label", None, "anything goes"),)


def test_setting_a_characteristic_to_its_current_value_changes_nothing() -> None:
    lines = select(
        draft(OrderAction.CHANGE), mobile_broadband_tree(), "conn4g", characteristics=[("speed", "50")]
    )

    assert line_of(lines, "conn4g").characteristic_changes == ()


def test_an_unknown_characteristic_and_a_disallowed_value_are_both_reported() -> None:
    with pytest.raises(RuleError) as caught:
        select(
            draft(OrderAction.CHANGE),
            mobile_broadband_tree(),
            "conn4g",
            characteristics=[("colour", "red"), ("speed", "9000")],
        )

    assert codes(caught.value) == [ErrorCode.INVALID_INPUT, ErrorCode.INVALID_INPUT]
    assert {v.field for v in caught.value.violations} == {"characteristics"}
    assert all(v.ids == ("conn4g",) for v in caught.value.violations)
    messages = " ".join(v.message for v in caught.value.violations)
    assert "colour" in messages and "9000" in messages


def test_characteristics_are_checked_against_each_selected_items_own_spec() -> None:
    with pytest.raises(RuleError) as caught:
        select(
            draft(OrderAction.CHANGE),
            mobile_broadband_tree(),
            "mbb",
            "conn4g",
            characteristics=[("plan", "pro")],
        )

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert violation.ids == ("conn4g",)  # MBB defines "plan", CONN4G does not


@pytest.mark.parametrize(
    "state",
    [
        InventoryState.SUSPENDED,
        InventoryState.INSTALLATION_PENDING,
        InventoryState.CHANGE_PENDING,
        InventoryState.DISCONNECT_PENDING,
        InventoryState.INACTIVE,
    ],
)
def test_change_needs_an_active_item(state: InventoryState) -> None:
    tree = mobile_broadband_tree().set("conn4g", state=state)

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.CHANGE), tree, "conn4g")

    violation = only(caught.value, ErrorCode.INVALID_STATE)
    assert violation.ids == ("conn4g",)
    assert violation.field == "inventoryIds"
    assert state.value in violation.message


def test_unknown_ids_and_items_of_another_account_are_not_found() -> None:
    tree = mobile_broadband_tree().add("theirs", "MBB", account=OTHER_ACCOUNT)

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.CHANGE), tree, "mbb", "nope", "theirs")

    violation = only(caught.value, ErrorCode.NOT_FOUND)
    assert violation.field == "inventoryIds"
    assert violation.ids == ("nope", "theirs")
    assert codes(caught.value) == [ErrorCode.NOT_FOUND]


def test_an_empty_selection_is_invalid_input() -> None:
    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.CHANGE), mobile_broadband_tree())

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "inventoryIds"


@pytest.mark.parametrize(
    "state", [OrderState.SUBMITTED, OrderState.IN_PROGRESS, OrderState.COMPLETED, OrderState.CANCELLED]
)
def test_only_draft_orders_take_selections(state: OrderState) -> None:
    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.CHANGE, state=state), mobile_broadband_tree(), "mbb")

    assert codes(caught.value) == [ErrorCode.ORDER_NOT_EDITABLE]
    assert caught.value.violations[0].ids == (ORDER,)


def test_an_add_order_cannot_select_inventory() -> None:
    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.ADD), mobile_broadband_tree(), "mbb")

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert violation.field == "inventoryIds"


@pytest.mark.parametrize(
    ("order_action", "line_action"),
    [
        (OrderAction.CHANGE, LineAction.SUSPEND),
        (OrderAction.CHANGE, LineAction.ADD),
        (OrderAction.CHANGE, LineAction.NO_CHANGE),
        (OrderAction.DISCONNECT, LineAction.CHANGE),
        (OrderAction.SUSPEND, LineAction.RESUME),
        (OrderAction.RESUME, LineAction.DISCONNECT),
    ],
)
def test_a_line_action_the_order_cannot_carry_is_refused(
    order_action: OrderAction, line_action: LineAction
) -> None:
    with pytest.raises(RuleError) as caught:
        select(draft(order_action), mobile_broadband_tree(), "conn4g", line_action=line_action)

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "lineAction"


def test_characteristics_belong_to_change_lines_only() -> None:
    with pytest.raises(RuleError) as caught:
        select(
            draft(OrderAction.CHANGE),
            mobile_broadband_tree(),
            "conn4g",
            line_action=LineAction.DISCONNECT,
            characteristics=[("speed", "100")],
        )

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "characteristics"


def test_an_item_in_another_open_order_is_refused_naming_that_order() -> None:
    tree = mobile_broadband_tree().in_order(OTHER_ORDER, "conn4g", "router4g")

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.CHANGE), tree, "conn4g", "router4g", "mbb")

    violation = only(caught.value, ErrorCode.ALREADY_IN_OPEN_ORDER)
    assert violation.ids == (OTHER_ORDER, "conn4g", "router4g")
    assert OTHER_ORDER in violation.message and "conn4g" in violation.message


def test_items_in_two_other_orders_give_one_violation_per_order() -> None:
    tree = mobile_broadband_tree().in_order(OTHER_ORDER, "conn4g").in_order("ORD-8", "router4g")

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.CHANGE), tree, "conn4g", "router4g")

    assert [v.ids for v in caught.value.violations] == [(OTHER_ORDER, "conn4g"), ("ORD-8", "router4g")]


def test_an_item_this_order_already_targets_is_not_in_another_order() -> None:
    tree = mobile_broadband_tree().in_order(ORDER, "conn4g")

    lines = select(draft(OrderAction.CHANGE), tree, "conn4g")

    assert [x.inventory_id for x in lines] == ["conn4g"]


def test_every_violation_is_reported_at_once() -> None:
    tree = (
        mobile_broadband_tree().set("router4g", state=InventoryState.SUSPENDED).in_order(OTHER_ORDER, "mbb")
    )

    with pytest.raises(RuleError) as caught:
        select(
            draft(OrderAction.CHANGE),
            tree,
            "ghost",
            "router4g",
            "mbb",
            "conn4g",
            characteristics=[("speed", "1")],
        )

    assert sorted(codes(caught.value)) == sorted(
        [
            ErrorCode.NOT_FOUND,
            ErrorCode.INVALID_STATE,
            ErrorCode.ALREADY_IN_OPEN_ORDER,
            ErrorCode.INVALID_INPUT,  # speed "1" on conn4g
            ErrorCode.INVALID_INPUT,  # speed is no characteristic of MBB
            ErrorCode.INVALID_INPUT,  # ... nor of ROUTER4G
        ]
    )


def test_the_same_item_twice_gets_one_line() -> None:
    lines = select(draft(OrderAction.CHANGE), site_tree(), "acc1", "acc1")

    assert [x.inventory_id for x in lines] == ["acc1"]


def test_selecting_a_child_then_its_root_links_the_childs_line_under_the_roots() -> None:
    tree = site_tree()
    ids = LineIds()
    first = select(draft(OrderAction.CHANGE), tree, "p11", new_line_id=ids)

    lines = select(with_lines(draft(OrderAction.CHANGE), first), tree, "site", new_line_id=ids)

    assert [x.inventory_id for x in lines] == ["site", "p11"]
    assert parent_item(lines, "p11") == "site"
    assert line_of(lines, "p11").id == first[0].id
    assert_parents_first(lines)


def test_selecting_the_root_then_a_child_gives_the_child_its_own_line_under_the_root() -> None:
    tree = site_tree()
    ids = LineIds()
    first = select(draft(OrderAction.CHANGE), tree, "site", new_line_id=ids)

    lines = select(with_lines(draft(OrderAction.CHANGE), first), tree, "acc2", new_line_id=ids)

    assert [x.inventory_id for x in lines] == ["site", "acc2"]
    assert parent_item(lines, "acc2") == "site"


def test_child_and_root_in_one_selection_come_out_parent_first() -> None:
    lines = select(draft(OrderAction.CHANGE), site_tree(), "p22", "acc2", "site")

    assert [x.inventory_id for x in lines] == ["site", "acc2", "p22"]
    assert parent_item(lines, "p22") == "acc2"
    assert parent_item(lines, "acc2") == "site"


def test_selecting_a_changed_item_again_merges_characteristics() -> None:
    tree = Tree().add("c5", "CONN5G", characteristics={"speed": "500"})
    first = select(draft(OrderAction.CHANGE), tree, "c5", characteristics=[("speed", "1000")])

    lines = select(
        with_lines(draft(OrderAction.CHANGE), first), tree, "c5", characteristics=[("label", "home")]
    )

    assert len(lines) == 1 and lines[0].id == first[0].id
    assert set(lines[0].characteristic_changes) == {
        CharacteristicChange("speed", "500", "1000"),
        CharacteristicChange("label", None, "home"),
    }


def test_a_later_value_for_the_same_characteristic_replaces_the_earlier_one() -> None:
    tree = Tree().add("c5", "CONN5G", characteristics={"speed": "500"})
    first = select(draft(OrderAction.CHANGE), tree, "c5", characteristics=[("speed", "1000")])

    lines = select(
        with_lines(draft(OrderAction.CHANGE), first), tree, "c5", characteristics=[("speed", "500")]
    )

    assert lines[0].characteristic_changes == ()  # back to what the item has: nothing to change


def test_a_no_change_line_selected_for_change_becomes_change() -> None:
    existing = OrderLine("L-7", LineAction.NO_CHANGE, "mbb", "MBB")

    lines = select(
        draft(OrderAction.CHANGE, existing), mobile_broadband_tree(), "mbb", characteristics=[("plan", "pro")]
    )

    assert [(x.id, x.action) for x in lines] == [("L-7", LineAction.CHANGE)]
    assert lines[0].characteristic_changes == (CharacteristicChange("plan", "basic", "pro"),)


def test_disconnecting_a_changed_item_turns_its_line_into_a_disconnect() -> None:
    existing = OrderLine(
        "L-7",
        LineAction.CHANGE,
        "conn4g",
        "CONN4G",
        characteristic_changes=(CharacteristicChange("speed", "50", "100"),),
    )

    lines = select(
        draft(OrderAction.CHANGE, existing),
        mobile_broadband_tree(),
        "conn4g",
        line_action=LineAction.DISCONNECT,
    )

    assert [(x.id, x.action, x.characteristic_changes) for x in lines] == [("L-7", LineAction.DISCONNECT, ())]


def test_changing_an_item_this_order_disconnects_is_refused() -> None:
    existing = OrderLine("L-7", LineAction.DISCONNECT, "conn4g", "CONN4G")

    with pytest.raises(RuleError) as caught:
        select(draft(OrderAction.CHANGE, existing), mobile_broadband_tree(), "conn4g")

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert violation.ids == ("conn4g",)
    assert "DISCONNECT" in violation.message


def test_new_line_ids_are_drawn_only_for_new_lines() -> None:
    ids = LineIds()
    existing = OrderLine("L-7", LineAction.CHANGE, "acc1", "ACCESS")

    lines = select(draft(OrderAction.CHANGE, existing), site_tree(), "acc1", "acc2", new_line_id=ids)

    assert ids.calls == 1
    assert [x.id for x in lines] == ["L-7", "L-1"]


def test_the_input_order_is_left_untouched() -> None:
    existing = OrderLine("L-7", LineAction.CHANGE, "p11", "PORT")
    order = draft(OrderAction.CHANGE, existing)
    before = copy.deepcopy(order)

    lines = select(order, site_tree(), "site", characteristics=[])

    assert order == before
    assert line_of(lines, "p11").parent_line_id is not None
    assert existing.parent_line_id is None


def test_lines_of_other_items_keep_their_place_and_content() -> None:
    tree = site_tree()
    existing = [
        OrderLine("L-a", LineAction.CHANGE, "acc1", "ACCESS"),
        OrderLine("L-b", LineAction.CHANGE, "cpe", "CPE"),
    ]

    lines = select(draft(OrderAction.CHANGE, *existing), tree, "addon")

    assert lines[:2] == existing
    assert lines[2].inventory_id == "addon"


def test_a_change_order_may_relocate_one_item() -> None:
    lines = select(draft(OrderAction.CHANGE), site_tree(), "cpe", target_location_id=NEW_HOME)

    assert [(x.inventory_id, x.move, x.target_location_id) for x in lines] == [("cpe", False, NEW_HOME)]


def test_relocating_to_the_current_location_is_invalid() -> None:
    with pytest.raises(RuleError) as caught:
        select(
            draft(OrderAction.CHANGE),
            site_tree(),
            "cpe",
            target_location_id=site_tree().items["cpe"].location_id,
        )

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert (violation.field, violation.ids) == ("targetLocationId", ("cpe",))
