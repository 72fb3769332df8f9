"""R4 at submission: every move rule is checked and each failure names its offending lines or items."""

from __future__ import annotations

from dataclasses import replace

from rules.model import ErrorCode, InventoryState, LineAction, OrderAction, OrderLine
from rules.move import validate_move
from tests.rules.builders import NEW_HOME, Tree, codes, draft, only, site_tree

C, A, D = LineAction.CHANGE, LineAction.ADD, LineAction.DISCONNECT


def moved(item_id: str, parent: str | None = None, action: LineAction = C, **fields: object) -> OrderLine:
    line = OrderLine(
        f"L-{item_id}",
        action,
        item_id,
        "SPEC",
        parent_line_id=f"L-{parent}" if parent else None,
        move=True,
        target_location_id=NEW_HOME,
    )
    return replace(line, **fields)  # type: ignore[arg-type]


def site_move(**overrides: dict[str, object]) -> list[OrderLine]:
    """A valid move of the whole site; `overrides` replace fields of single lines by item id."""
    lines = [
        moved("site"),
        moved("acc1", "site"),
        moved("p11", "acc1"),
        moved("p12", "acc1"),
        moved("acc2", "site"),
        moved("p21", "acc2"),
        moved("p22", "acc2"),
        moved("cpe", "site"),
        moved("addon", "site", D),
    ]
    return [replace(x, **overrides.get(x.inventory_id or "", {})) for x in lines]  # type: ignore[arg-type]


def test_a_complete_move_is_valid() -> None:
    assert validate_move(draft(OrderAction.MOVE, *site_move()), site_tree().view()) == []


def test_add_and_disconnect_lines_may_move_with_the_product() -> None:
    tree = site_tree().add("p13", "PORT", under="acc1", state=InventoryState.INSTALLATION_PENDING)
    lines = [*site_move(), moved("p13", "acc1", A)]

    assert validate_move(draft(OrderAction.MOVE, *lines), tree.view()) == []


def test_a_line_without_the_move_flag_is_named() -> None:
    lines = site_move(p12={"move": False})

    problems = validate_move(draft(OrderAction.MOVE, *lines), site_tree().view())

    assert codes(problems) == [ErrorCode.MOVE_FLAG_MISSING]
    assert problems[0].ids == ("L-p12",)


def test_the_top_line_needs_the_move_flag_too() -> None:
    problems = validate_move(draft(OrderAction.MOVE, *site_move(site={"move": False})), site_tree().view())

    assert only(problems, ErrorCode.MOVE_FLAG_MISSING).ids == ("L-site",)


def test_a_line_with_an_action_a_move_cannot_carry_is_named() -> None:
    lines = site_move(p21={"action": LineAction.SUSPEND}, cpe={"action": LineAction.NO_CHANGE})

    problems = validate_move(draft(OrderAction.MOVE, *lines), site_tree().view())

    assert codes(problems) == [ErrorCode.MOVE_FLAG_MISSING]
    assert problems[0].ids == ("L-p21", "L-cpe")


def test_a_line_going_elsewhere_is_named() -> None:
    lines = site_move(p22={"target_location_id": "LOC-ELSEWHERE"})

    problems = validate_move(draft(OrderAction.MOVE, *lines), site_tree().view())

    assert codes(problems) == [ErrorCode.MOVE_LOCATION_MISMATCH]
    assert problems[0].ids == ("L-p22",)


def test_a_line_without_a_target_is_named() -> None:
    problems = validate_move(
        draft(OrderAction.MOVE, *site_move(acc1={"target_location_id": None})), site_tree().view()
    )

    assert only(problems, ErrorCode.MOVE_LOCATION_MISMATCH).ids == ("L-acc1",)


def test_when_the_top_line_has_no_target_the_lines_disagreeing_with_the_most_are_named() -> None:
    lines = site_move(site={"target_location_id": None}, p11={"target_location_id": "LOC-ELSEWHERE"})

    problems = validate_move(draft(OrderAction.MOVE, *lines), site_tree().view())

    assert only(problems, ErrorCode.MOVE_LOCATION_MISMATCH).ids == ("L-site", "L-p11")


def test_an_item_under_the_moved_product_without_a_line_is_named() -> None:
    lines = [x for x in site_move() if x.inventory_id != "p21"]

    problems = validate_move(draft(OrderAction.MOVE, *lines), site_tree().view())

    assert codes(problems) == [ErrorCode.MOVE_INCOMPLETE]
    assert problems[0].ids == ("p21",)
    assert "p21" in problems[0].message


def test_inactive_items_need_no_line() -> None:
    tree = site_tree().set("p21", state=InventoryState.INACTIVE)
    lines = [x for x in site_move() if x.inventory_id != "p21"]

    assert validate_move(draft(OrderAction.MOVE, *lines), tree.view()) == []


def test_a_missing_item_deep_down_is_found() -> None:
    tree = Tree().chain("n", 12, "PORT")
    lines = [moved(f"n-{level}", f"n-{level - 1}" if level > 1 else None) for level in range(1, 12)]

    problems = validate_move(draft(OrderAction.MOVE, *lines), tree.view())

    assert only(problems, ErrorCode.MOVE_INCOMPLETE).ids == ("n-12",)


def test_each_moved_product_may_go_to_its_own_location() -> None:
    tree = site_tree()
    lines = [moved("acc1"), moved("p11", "acc1"), moved("p12", "acc1")] + [
        moved(i, p, target_location_id="LOC-B") for i, p in (("acc2", None), ("p21", "acc2"), ("p22", "acc2"))
    ]

    assert validate_move(draft(OrderAction.MOVE, *lines), tree.view()) == []


def test_moved_products_are_checked_each_against_their_own_target() -> None:
    lines = [moved("acc1"), moved("p11", "acc1", target_location_id="LOC-B"), moved("p12", "acc1")] + [
        moved(i, p, target_location_id="LOC-B") for i, p in (("acc2", None), ("p21", "acc2"), ("p22", "acc2"))
    ]

    problems = validate_move(draft(OrderAction.MOVE, *lines), site_tree().view())

    assert only(problems, ErrorCode.MOVE_LOCATION_MISMATCH).ids == ("L-p11",)


def test_every_failed_rule_is_reported_together() -> None:
    lines = [
        x
        for x in site_move(
            p11={"move": False},
            acc2={"target_location_id": "LOC-ELSEWHERE"},
            cpe={"action": LineAction.SUSPEND, "target_location_id": None},
        )
        if x.inventory_id not in ("p22", "addon")
    ]

    problems = validate_move(draft(OrderAction.MOVE, *lines), site_tree().view())

    assert codes(problems) == [
        ErrorCode.MOVE_FLAG_MISSING,
        ErrorCode.MOVE_LOCATION_MISMATCH,
        ErrorCode.MOVE_INCOMPLETE,
    ]
    assert problems[0].ids == ("L-p11", "L-cpe")
    assert problems[1].ids == ("L-acc2", "L-cpe")
    assert problems[2].ids == ("p22", "addon")
    assert all(p.field == "lines" for p in problems)
