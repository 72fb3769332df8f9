"""What must hold before a draft order goes to approval."""

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
    OrderState,
)
from rules.submission import validate_submission
from tests.rules.builders import (
    NEW_HOME,
    ORDER,
    OTHER_ACCOUNT,
    OTHER_ORDER,
    Catalog,
    LineIds,
    Tree,
    codes,
    draft,
    mobile_broadband_catalog,
    only,
    site_tree,
    with_lines,
)

SPECS = mobile_broadband_catalog()


def captured(action: OrderAction, tree: Tree, *ids: str, **kwargs: object) -> list[OrderLine]:
    lines = plan_selection(draft(action), tree.view(), SPECS, list(ids), new_line_id=LineIds(), **kwargs)  # type: ignore[arg-type]
    tree.in_order(ORDER, *(x.inventory_id for x in lines if x.inventory_id))
    return lines


def test_a_captured_change_order_can_be_submitted() -> None:
    tree = site_tree()
    lines = captured(OrderAction.CHANGE, tree, "acc1", characteristics=[("speed", "1000")])

    assert validate_submission(with_lines(draft(OrderAction.CHANGE), lines), tree.view(), SPECS) == []


@pytest.mark.parametrize("state", [OrderState.SUBMITTED, OrderState.COMPLETED, OrderState.CANCELLED])
def test_only_a_draft_can_be_submitted(state: OrderState) -> None:
    tree = site_tree()
    lines = captured(OrderAction.CHANGE, tree, "acc1")

    problems = validate_submission(draft(OrderAction.CHANGE, *lines, state=state), tree.view(), SPECS)

    assert codes(problems) == [ErrorCode.ORDER_NOT_EDITABLE]


def test_an_order_without_lines_cannot_be_submitted() -> None:
    problems = validate_submission(draft(OrderAction.CHANGE), site_tree().view(), SPECS)

    violation = only(problems, ErrorCode.INVALID_INPUT)
    assert violation.field == "lines"


def test_a_complete_move_can_be_submitted() -> None:
    tree = site_tree()
    lines = captured(OrderAction.MOVE, tree, "site", target_location_id=NEW_HOME)

    assert validate_submission(with_lines(draft(OrderAction.MOVE), lines), tree.view(), SPECS) == []


def test_a_move_order_runs_the_move_rules() -> None:
    tree = site_tree()
    lines = [
        x
        for x in captured(OrderAction.MOVE, tree, "site", target_location_id=NEW_HOME)
        if x.inventory_id != "p12"
    ]

    problems = validate_submission(with_lines(draft(OrderAction.MOVE), lines), tree.view(), SPECS)

    assert only(problems, ErrorCode.MOVE_INCOMPLETE).ids == ("p12",)


def test_the_same_lines_in_a_change_order_skip_the_move_rules() -> None:
    tree = site_tree()
    lines = [OrderLine("L-1", LineAction.CHANGE, "acc1", "ACCESS")]
    tree.in_order(ORDER, "acc1")

    assert validate_submission(draft(OrderAction.CHANGE, *lines), tree.view(), SPECS) == []


def test_an_item_claimed_by_another_open_order_since_capture_is_reported() -> None:
    tree = site_tree()
    lines = captured(OrderAction.DISCONNECT, tree, "acc1")
    tree.in_order(OTHER_ORDER, "p12")

    problems = validate_submission(with_lines(draft(OrderAction.DISCONNECT), lines), tree.view(), SPECS)

    violation = only(problems, ErrorCode.ALREADY_IN_OPEN_ORDER)
    assert violation.ids == (OTHER_ORDER, "p12") and OTHER_ORDER in violation.message


def test_an_item_whose_state_changed_since_capture_is_reported() -> None:
    tree = site_tree()
    lines = captured(OrderAction.CHANGE, tree, "acc1")
    tree.set("acc1", state=InventoryState.SUSPENDED)

    problems = validate_submission(with_lines(draft(OrderAction.CHANGE), lines), tree.view(), SPECS)

    violation = only(problems, ErrorCode.INVALID_STATE)
    assert violation.ids == ("acc1",) and "SUSPENDED" in violation.message


def test_a_characteristic_the_catalog_no_longer_allows_is_reported() -> None:
    tree = site_tree()
    lines = captured(OrderAction.CHANGE, tree, "acc1", characteristics=[("speed", "1000")])
    specs = {**SPECS, **Catalog().spec("ACCESS", characteristics={"speed": ("100",)}).build()}

    problems = validate_submission(with_lines(draft(OrderAction.CHANGE), lines), tree.view(), specs)

    violation = only(problems, ErrorCode.INVALID_INPUT)
    assert violation.field == "characteristics" and violation.ids == ("acc1",)


def test_add_lines_are_checked_as_installation_pending_products() -> None:
    tree = site_tree().add(
        "new", "ADDON", under="site", state=InventoryState.INSTALLATION_PENDING, open_order=ORDER
    )
    tree.in_order(ORDER, "site")
    lines = [
        OrderLine("L-1", LineAction.NO_CHANGE, "site", "SITE"),
        OrderLine(
            "L-2",
            LineAction.ADD,
            "new",
            "ADDON",
            parent_line_id="L-1",
            characteristic_changes=(CharacteristicChange("x", None, "y"),),
        ),
    ]

    problems = validate_submission(draft(OrderAction.CHANGE, *lines), tree.view(), SPECS)

    assert codes(problems) == [ErrorCode.INVALID_INPUT]  # ADDON has no characteristic "x"


def test_an_item_gone_from_the_account_is_not_found() -> None:
    tree = site_tree().set("addon", account_id=OTHER_ACCOUNT)
    lines = [
        OrderLine("L-1", LineAction.CHANGE, "addon", "ADDON"),
        OrderLine("L-2", LineAction.CHANGE, "ghost", "ADDON"),
    ]

    problems = validate_submission(draft(OrderAction.CHANGE, *lines), tree.view(), SPECS)

    violation = only(problems, ErrorCode.NOT_FOUND)
    assert violation.ids == ("addon", "ghost") and violation.field == "lines"


def test_every_reason_is_reported_together() -> None:
    tree = site_tree()
    lines = [
        x
        for x in captured(OrderAction.MOVE, tree, "site", target_location_id=NEW_HOME)
        if x.inventory_id != "p21"
    ]
    lines = [
        x if x.inventory_id != "p22" else OrderLine(x.id, x.action, "p22", "PORT", x.parent_line_id)
        for x in lines
    ]
    tree.in_order(OTHER_ORDER, "cpe").set("acc1", state=InventoryState.SUSPENDED)

    problems = validate_submission(
        draft(OrderAction.MOVE, *lines, state=OrderState.SUBMITTED), tree.view(), SPECS
    )

    assert codes(problems) == [
        ErrorCode.ORDER_NOT_EDITABLE,
        ErrorCode.MOVE_FLAG_MISSING,
        ErrorCode.MOVE_LOCATION_MISMATCH,
        ErrorCode.MOVE_INCOMPLETE,
        ErrorCode.INVALID_STATE,
        ErrorCode.ALREADY_IN_OPEN_ORDER,
    ]
