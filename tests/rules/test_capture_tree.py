"""The line tree capture builds, and how capture scales with big installed bases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rules.capture import TreeView, plan_added_product, plan_selection
from rules.model import InventoryState, LineAction, OrderAction, OrderLine, RuleError
from rules.move import validate_move
from rules.order_lines import parents_first, relink_lines
from rules.submission import validate_submission
from tests.rules.builders import (
    NEW_HOME,
    ORDER,
    Catalog,
    LineIds,
    Tree,
    assert_parents_first,
    draft,
    line_of,
    parent_item,
    with_lines,
)

SPECS = (
    Catalog()
    .spec("NODE", bundles={"NODE": (0, 20_000), "LEAF": (0, 20_000)})
    .spec("LEAF", characteristics={"speed": ("1", "2")})
    .build()
)
T = TypeVar("T")


def run_large(work: Callable[[], T]) -> tuple[T, None]:
    """Large inputs run here for their results; speed is measured by the benchmarks."""
    return work(), None


def wide_and_deep(fanout: int = 100, depth_per_branch: int = 100) -> Tree:
    """A root with `fanout` branches, each a chain of `depth_per_branch` nodes: 10,000 descendants."""
    tree = Tree().add("root", "NODE")
    for branch in range(fanout):
        tree.chain(f"b{branch}", depth_per_branch, "NODE", under="root")
    return tree


def test_an_existing_child_line_moves_under_a_newly_selected_ancestor_across_a_gap() -> None:
    tree = Tree().chain("n", 6, "NODE")
    existing = OrderLine("L-5", LineAction.CHANGE, "n-5", "NODE")

    lines = plan_selection(
        draft(OrderAction.CHANGE, existing), tree.view(), SPECS, ["n-2"], new_line_id=LineIds()
    )

    assert [x.inventory_id for x in lines] == ["n-2", "n-5"]
    assert parent_item(lines, "n-5") == "n-2"


def test_a_line_between_two_lines_takes_the_lower_one_as_its_child() -> None:
    tree = Tree().chain("n", 6, "NODE")
    existing = [
        OrderLine("E-1", LineAction.CHANGE, "n-1", "NODE"),
        OrderLine("E-6", LineAction.CHANGE, "n-6", "NODE", parent_line_id="E-1"),
    ]

    lines = plan_selection(
        draft(OrderAction.CHANGE, *existing), tree.view(), SPECS, ["n-3"], new_line_id=LineIds()
    )

    assert [x.inventory_id for x in lines] == ["n-1", "n-3", "n-6"]
    assert parent_item(lines, "n-3") == "n-1"
    assert parent_item(lines, "n-6") == "n-3"


def test_a_line_whose_ancestors_are_not_in_the_view_keeps_its_link() -> None:
    tree = Tree().chain("n", 6, "NODE").add("other", "NODE")
    existing = [
        OrderLine("E-1", LineAction.CHANGE, "n-1", "NODE"),
        OrderLine("E-6", LineAction.CHANGE, "n-6", "NODE", parent_line_id="E-1"),
    ]
    view = tree.without("n-3", "n-4")

    lines = plan_selection(
        draft(OrderAction.CHANGE, *existing), view, SPECS, ["other"], new_line_id=LineIds()
    )

    assert line_of(lines, "n-6").parent_line_id == "E-1"


def test_parents_first_keeps_sibling_order_and_moves_children_after_parents() -> None:
    lines = [
        OrderLine("c2", LineAction.CHANGE, "c2", "LEAF", parent_line_id="p"),
        OrderLine("x", LineAction.CHANGE, "x", "LEAF"),
        OrderLine("c1", LineAction.CHANGE, "c1", "LEAF", parent_line_id="p"),
        OrderLine("p", LineAction.CHANGE, "p", "NODE"),
    ]

    assert [x.id for x in parents_first(lines)] == ["x", "p", "c2", "c1"]


def test_relinking_drops_links_to_lines_that_no_longer_exist() -> None:
    lines = [OrderLine("a", LineAction.CHANGE, None, "LEAF", parent_line_id="gone")]

    assert relink_lines(lines, TreeView(items={})) == [OrderLine("a", LineAction.CHANGE, None, "LEAF")]


def test_disconnecting_a_root_with_10000_descendants_is_fast() -> None:
    tree = wide_and_deep()
    view = tree.view()

    lines, _ = run_large(
        lambda: plan_selection(draft(OrderAction.DISCONNECT), view, SPECS, ["root"], new_line_id=LineIds())
    )

    assert len(lines) == 10_001
    assert_parents_first(lines)


def test_selecting_the_root_over_10000_existing_lines_relinks_them_all_quickly() -> None:
    tree = wide_and_deep()
    view = tree.view()
    existing = [
        OrderLine(f"L-{item_id}", LineAction.DISCONNECT, item_id, "NODE")
        for item_id in tree.items
        if item_id != "root"
    ]
    order = draft(OrderAction.DISCONNECT, *existing)

    lines, _ = run_large(lambda: plan_selection(order, view, SPECS, ["root"], new_line_id=LineIds()))

    assert len(lines) == 10_001
    assert lines[0].inventory_id == "root"
    assert parent_item(lines, "b7-1") == "root"
    assert parent_item(lines, "b7-100") == "b7-99"


def test_a_change_of_the_root_of_a_10000_deep_chain_with_sparse_lines_is_fast() -> None:
    tree = Tree().chain("n", 10_000, "NODE")
    view = tree.view()
    existing = [
        OrderLine(f"L-{level}", LineAction.CHANGE, f"n-{level}", "NODE") for level in range(10_000, 5_000, -1)
    ]  # the bottom half, listed bottom-up, with nothing linked yet
    order = draft(OrderAction.CHANGE, *existing)

    lines, _ = run_large(lambda: plan_selection(order, view, SPECS, ["n-1"], new_line_id=LineIds()))

    assert len(lines) == 5_001
    assert parent_item(lines, "n-5001") == "n-1"
    assert_parents_first(lines)


def test_suspending_10000_selected_siblings_is_fast() -> None:
    tree = Tree().add("root", "NODE").fan("leaf", 10_000, "LEAF", under="root")
    view = tree.view()
    selected = [f"leaf-{n}" for n in range(1, 10_001)]

    lines, _ = run_large(
        lambda: plan_selection(draft(OrderAction.SUSPEND), view, SPECS, selected, new_line_id=LineIds())
    )

    assert len(lines) == 10_000


def test_disconnecting_10000_required_siblings_reports_them_in_one_pass() -> None:
    specs = Catalog().spec("NODE", bundles={"LEAF": (1, 20_000)}).spec("LEAF").build()
    tree = Tree().add("root", "NODE").fan("leaf", 10_000, "LEAF", under="root")
    view = tree.view()
    selected = [f"leaf-{n}" for n in range(1, 10_001)]

    def attempt() -> RuleError | None:
        try:
            plan_selection(draft(OrderAction.DISCONNECT), view, specs, selected, new_line_id=LineIds())
        except RuleError as refused:
            return refused
        return None

    refused, _ = run_large(attempt)

    assert refused is not None and len(refused.violations) == 10_000


def test_adding_under_a_parent_with_10000_children_and_lines_is_fast() -> None:
    tree = Tree().add("root", "NODE").fan("leaf", 10_000, "LEAF", under="root")
    view = tree.view()
    existing = [OrderLine(f"L-{n}", LineAction.CHANGE, f"leaf-{n}", "LEAF") for n in range(1, 10_001)]
    order = draft(OrderAction.CHANGE, *existing)

    added, _ = run_large(
        lambda: plan_added_product(
            order,
            view,
            SPECS,
            parent_inventory_id="root",
            spec_id="LEAF",
            characteristics=[],
            location_id=None,
            new_line_id=LineIds("N"),
            new_item_id=lambda: "new",
        )
    )

    lines = added.lines
    assert len(lines) == 10_002 and lines[0].inventory_id == "root"


def test_validating_a_move_of_10000_items_is_fast() -> None:
    tree = wide_and_deep()
    view = tree.view()
    lines = plan_selection(
        draft(OrderAction.MOVE), view, SPECS, ["root"], target_location_id=NEW_HOME, new_line_id=LineIds()
    )
    order = with_lines(draft(OrderAction.MOVE), lines)
    tree.in_order(ORDER, *tree.items)
    view = tree.view()

    problems, _ = run_large(lambda: (validate_move(order, view), validate_submission(order, view, SPECS)))

    assert problems == ([], [])


def test_a_resume_deep_in_a_long_suspended_chain_is_fast() -> None:
    tree = (
        Tree()
        .chain("n", 10_000, "NODE")
        .set(*(f"n-{i}" for i in range(1, 10_001)), state=InventoryState.SUSPENDED)
    )
    view = tree.view()
    selected = [f"n-{i}" for i in range(10_000, 0, -1)]  # every level, deepest first

    lines, _ = run_large(
        lambda: plan_selection(draft(OrderAction.RESUME), view, SPECS, selected, new_line_id=LineIds())
    )

    assert len(lines) == 10_000
