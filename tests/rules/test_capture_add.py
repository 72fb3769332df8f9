"""R2: a product added to an order joins the hierarchy; and the 4G to 5G example of DOMAIN.md section 5."""

from __future__ import annotations

import pytest

from rules.capture import AddedProduct, TreeView, plan_added_product, plan_selection
from rules.model import (
    CharacteristicChange,
    ErrorCode,
    InventoryState,
    LineAction,
    Order,
    OrderAction,
    OrderLine,
    OrderState,
    RuleError,
)
from tests.rules.builders import (
    ACCOUNT,
    HOME,
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


class ItemIds:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"new-{self.calls}"


def add(
    order: Order,
    view: Tree | TreeView,
    parent: str | None,
    spec_id: str,
    *,
    line_ids: LineIds | None = None,
    item_ids: ItemIds | None = None,
    characteristics: list[tuple[str, str]] | None = None,
    location_id: str | None = None,
) -> AddedProduct:
    return plan_added_product(
        order,
        view.view() if isinstance(view, Tree) else view,
        SPECS,
        parent_inventory_id=parent,
        spec_id=spec_id,
        characteristics=characteristics or [],
        location_id=location_id,
        new_line_id=line_ids or LineIds(),
        new_item_id=item_ids or ItemIds(),
    )


def grow(tree: Tree, added: AddedProduct) -> Tree:
    """The tree as the graph layer holds it after writing the added product."""
    item = added.item
    return tree.add(
        item.id,
        item.spec_id,
        under=item.parent_id,
        state=item.state,
        location=item.location_id,
        characteristics=item.characteristics,
        open_order=item.open_order_id,
    ).in_order(ORDER, *(x.inventory_id for x in added.lines if x.inventory_id))


def test_a_product_added_under_an_item_without_a_line_gives_the_item_a_no_change_line() -> None:
    added = add(draft(OrderAction.CHANGE), mobile_broadband_tree(), "mbb", "CONN5G")

    assert [(x.inventory_id, x.action) for x in added.lines] == [
        ("mbb", LineAction.NO_CHANGE),
        ("new-1", LineAction.ADD),
    ]
    no_change, add_line = added.lines
    assert no_change.parent_line_id is None and no_change.spec_id == "MBB"
    assert add_line.parent_line_id == no_change.id
    assert add_line == added.line
    assert (add_line.spec_id, add_line.inventory_id) == ("CONN5G", added.item.id)


def test_the_new_item_is_installation_pending_under_its_parent() -> None:
    added = add(
        draft(OrderAction.CHANGE),
        mobile_broadband_tree(),
        "mbb",
        "CONN5G",
        characteristics=[("label", "home")],
    )

    item = added.item
    assert item.state is InventoryState.INSTALLATION_PENDING
    assert (item.parent_id, item.account_id, item.location_id, item.open_order_id) == (
        "mbb",
        ACCOUNT,
        HOME,
        ORDER,
    )
    assert item.characteristics == {"speed": "500", "label": "home"}  # spec default plus the given one
    assert set(added.line.characteristic_changes) == {
        CharacteristicChange("speed", None, "500"),
        CharacteristicChange("label", None, "home"),
    }


def test_given_characteristics_override_spec_defaults_and_a_location_overrides_the_parents() -> None:
    added = add(
        draft(OrderAction.CHANGE),
        mobile_broadband_tree(),
        "mbb",
        "CONN5G",
        characteristics=[("speed", "1000")],
        location_id=NEW_HOME,
    )

    assert added.item.characteristics == {"speed": "1000"}
    assert added.item.location_id == NEW_HOME


def test_a_parent_with_a_change_line_takes_the_add_line_without_a_no_change() -> None:
    existing = OrderLine("L-mbb", LineAction.CHANGE, "mbb", "MBB")

    added = add(
        draft(OrderAction.CHANGE, existing), mobile_broadband_tree().in_order(ORDER, "mbb"), "mbb", "CONN5G"
    )

    assert [(x.id, x.action) for x in added.lines] == [("L-mbb", LineAction.CHANGE), ("L-1", LineAction.ADD)]
    assert added.line.parent_line_id == "L-mbb"


def test_the_no_change_line_hangs_under_the_nearest_ancestor_line() -> None:
    existing = OrderLine("L-site", LineAction.CHANGE, "site", "SITE")

    added = add(draft(OrderAction.CHANGE, existing), site_tree(), "acc1", "PORT")

    assert [(x.inventory_id, x.action) for x in added.lines] == [
        ("site", LineAction.CHANGE),
        ("acc1", LineAction.NO_CHANGE),
        ("new-1", LineAction.ADD),
    ]
    assert parent_item(added.lines, "acc1") == "site"


def test_existing_lines_below_the_parent_move_under_its_new_no_change_line() -> None:
    existing = OrderLine("L-p11", LineAction.CHANGE, "p11", "PORT")

    added = add(draft(OrderAction.CHANGE, existing), site_tree(), "acc1", "PORT")

    assert [x.inventory_id for x in added.lines] == ["acc1", "p11", "new-1"]
    assert parent_item(added.lines, "p11") == "acc1"
    assert parent_item(added.lines, "new-1") == "acc1"


def test_a_product_can_be_added_under_a_product_the_order_adds() -> None:
    tree = mobile_broadband_tree()
    line_ids, item_ids = LineIds(), ItemIds()
    router = add(draft(OrderAction.CHANGE), tree, "mbb", "ROUTER5G", line_ids=line_ids, item_ids=item_ids)
    tree = grow(tree, router)

    sim = add(
        with_lines(draft(OrderAction.CHANGE), router.lines),
        tree,
        router.item.id,
        "SIM",
        line_ids=line_ids,
        item_ids=item_ids,
    )

    assert [(x.inventory_id, x.action) for x in sim.lines] == [
        ("mbb", LineAction.NO_CHANGE),
        ("new-1", LineAction.ADD),
        ("new-2", LineAction.ADD),
    ]
    assert parent_item(sim.lines, "new-2") == "new-1"
    assert sim.item.parent_id == "new-1"


def test_nested_adds_count_towards_the_added_parents_maximum() -> None:
    tree = mobile_broadband_tree()
    line_ids, item_ids = LineIds(), ItemIds()
    router = add(draft(OrderAction.CHANGE), tree, "mbb", "ROUTER5G", line_ids=line_ids, item_ids=item_ids)
    tree = grow(tree, router)
    lines = router.lines
    for _ in range(2):
        sim = add(
            with_lines(draft(OrderAction.CHANGE), lines),
            tree,
            "new-1",
            "SIM",
            line_ids=line_ids,
            item_ids=item_ids,
        )
        lines = sim.lines
        tree = grow(tree, sim)

    with pytest.raises(RuleError) as caught:
        add(
            with_lines(draft(OrderAction.CHANGE), lines),
            tree,
            "new-1",
            "SIM",
            line_ids=line_ids,
            item_ids=item_ids,
        )

    assert only(caught.value, ErrorCode.CARDINALITY_EXCEEDED).ids == ("new-1", "SIM")


def test_a_pending_parent_another_order_adds_is_refused() -> None:
    tree = mobile_broadband_tree().add(
        "router5g", "ROUTER5G", under="mbb", state=InventoryState.INSTALLATION_PENDING, open_order=OTHER_ORDER
    )

    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE), tree, "router5g", "SIM")

    assert codes(caught.value) == [ErrorCode.INVALID_STATE, ErrorCode.ALREADY_IN_OPEN_ORDER]
    assert only(caught.value, ErrorCode.INVALID_STATE).field == "parentInventoryId"
    assert only(caught.value, ErrorCode.ALREADY_IN_OPEN_ORDER).ids == (OTHER_ORDER, "router5g")


@pytest.mark.parametrize(
    "state", [InventoryState.SUSPENDED, InventoryState.CHANGE_PENDING, InventoryState.INACTIVE]
)
def test_the_parent_must_be_active(state: InventoryState) -> None:
    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE), mobile_broadband_tree().set("mbb", state=state), "mbb", "CONN5G")

    violation = only(caught.value, ErrorCode.INVALID_STATE)
    assert violation.ids == ("mbb",) and state.value in violation.message


def test_the_parents_spec_must_bundle_the_added_spec() -> None:
    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE), mobile_broadband_tree(), "conn4g", "ROUTER5G")

    violation = only(caught.value, ErrorCode.SPEC_NOT_ALLOWED)
    assert violation.ids == ("conn4g", "ROUTER5G")


def test_the_maximum_counts_existing_children() -> None:
    tree = mobile_broadband_tree()

    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE), tree, "mbb", "CONN4G")

    violation = only(caught.value, ErrorCode.CARDINALITY_EXCEEDED)
    assert violation.ids == ("mbb", "CONN4G")
    assert "at most 1" in violation.message


def test_the_maximum_counts_products_this_order_already_adds() -> None:
    tree = mobile_broadband_tree()
    line_ids, item_ids = LineIds(), ItemIds()
    first = add(draft(OrderAction.CHANGE), tree, "mbb", "CONN5G", line_ids=line_ids, item_ids=item_ids)

    with pytest.raises(RuleError) as caught:
        add(
            with_lines(draft(OrderAction.CHANGE), first.lines),
            grow(tree, first),
            "mbb",
            "CONN5G",
            line_ids=line_ids,
        )

    assert only(caught.value, ErrorCode.CARDINALITY_EXCEEDED).ids == ("mbb", "CONN5G")


def test_a_child_disconnected_in_this_order_frees_its_place() -> None:
    disconnected = OrderLine("L-4g", LineAction.DISCONNECT, "conn4g", "CONN4G")

    added = add(
        draft(OrderAction.CHANGE, disconnected),
        mobile_broadband_tree().in_order(ORDER, "conn4g"),
        "mbb",
        "CONN4G",
    )

    assert [(x.inventory_id, x.action) for x in added.lines] == [
        ("mbb", LineAction.NO_CHANGE),
        ("conn4g", LineAction.DISCONNECT),
        ("new-1", LineAction.ADD),
    ]


def test_inactive_children_do_not_count_towards_the_maximum() -> None:
    tree = mobile_broadband_tree().set("conn4g", state=InventoryState.INACTIVE)

    added = add(draft(OrderAction.CHANGE), tree, "mbb", "CONN4G")

    assert added.item.spec_id == "CONN4G"


def test_up_to_the_maximum_is_allowed() -> None:
    tree = site_tree()  # SITE bundles ADDON 0..3 and has one

    line_ids, item_ids = LineIds(), ItemIds()
    first = add(draft(OrderAction.CHANGE), tree, "site", "ADDON", line_ids=line_ids, item_ids=item_ids)
    second = add(
        with_lines(draft(OrderAction.CHANGE), first.lines),
        grow(tree, first),
        "site",
        "ADDON",
        line_ids=line_ids,
        item_ids=item_ids,
    )

    assert [x.action for x in second.lines] == [LineAction.NO_CHANGE, LineAction.ADD, LineAction.ADD]
    assert {parent_item(second.lines, i) for i in ("new-1", "new-2")} == {"site"}


def test_an_add_order_creates_a_new_root_at_the_given_location() -> None:
    added = add(draft(OrderAction.ADD), Tree(), None, "MBB", location_id=NEW_HOME)

    assert [(x.inventory_id, x.action, x.parent_line_id) for x in added.lines] == [
        ("new-1", LineAction.ADD, None)
    ]
    assert (added.item.parent_id, added.item.location_id) == (None, NEW_HOME)
    assert added.item.characteristics == {"plan": "basic"}


def test_an_add_order_can_nest_products_under_its_new_root() -> None:
    line_ids, item_ids = LineIds(), ItemIds()
    root = add(
        draft(OrderAction.ADD),
        Tree(),
        None,
        "MBB",
        location_id=NEW_HOME,
        line_ids=line_ids,
        item_ids=item_ids,
    )

    child = add(
        with_lines(draft(OrderAction.ADD), root.lines),
        grow(Tree(), root),
        "new-1",
        "CONN5G",
        line_ids=line_ids,
        item_ids=item_ids,
    )

    assert [x.action for x in child.lines] == [LineAction.ADD, LineAction.ADD]
    assert child.item.location_id == NEW_HOME
    assert parent_item(child.lines, "new-2") == "new-1"


def test_a_new_root_needs_a_location() -> None:
    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.ADD), Tree(), None, "MBB")

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "locationId"


def test_a_change_order_adds_products_under_a_parent_only() -> None:
    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE), mobile_broadband_tree(), None, "MBB", location_id=HOME)

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "parentInventoryId"


@pytest.mark.parametrize("action", [OrderAction.DISCONNECT, OrderAction.SUSPEND, OrderAction.RESUME])
def test_only_change_move_and_add_orders_add_products(action: OrderAction) -> None:
    with pytest.raises(RuleError) as caught:
        add(draft(action), mobile_broadband_tree(), "mbb", "CONN5G")

    assert only(caught.value, ErrorCode.INVALID_INPUT).field == "orderId"


def test_only_draft_orders_take_products() -> None:
    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE, state=OrderState.SUBMITTED), mobile_broadband_tree(), "mbb", "CONN5G")

    assert codes(caught.value) == [ErrorCode.ORDER_NOT_EDITABLE]


def test_an_unknown_parent_or_one_of_another_account_is_not_found() -> None:
    tree = mobile_broadband_tree().add("theirs", "MBB", account=OTHER_ACCOUNT)
    for parent in ("ghost", "theirs"):
        with pytest.raises(RuleError) as caught:
            add(draft(OrderAction.CHANGE), tree, parent, "CONN5G")

        violation = only(caught.value, ErrorCode.NOT_FOUND)
        assert (violation.field, violation.ids) == ("parentInventoryId", (parent,))


def test_an_unknown_spec_is_not_found() -> None:
    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE), mobile_broadband_tree(), "mbb", "NOPE")

    assert codes(caught.value) == [ErrorCode.NOT_FOUND, ErrorCode.SPEC_NOT_ALLOWED]
    assert only(caught.value, ErrorCode.NOT_FOUND).field == "specificationId"


def test_characteristics_are_checked_against_the_added_spec() -> None:
    with pytest.raises(RuleError) as caught:
        add(
            draft(OrderAction.CHANGE),
            mobile_broadband_tree(),
            "mbb",
            "CONN5G",
            characteristics=[("speed", "5")],
        )

    violation = only(caught.value, ErrorCode.INVALID_INPUT)
    assert (violation.field, violation.ids) == ("characteristics", ("CONN5G",))


def test_a_parent_in_another_open_order_is_refused() -> None:
    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE), mobile_broadband_tree().in_order(OTHER_ORDER, "mbb"), "mbb", "CONN5G")

    violation = only(caught.value, ErrorCode.ALREADY_IN_OPEN_ORDER)
    assert violation.ids == (OTHER_ORDER, "mbb") and OTHER_ORDER in violation.message


def test_nothing_is_added_under_an_item_this_order_disconnects() -> None:
    existing = OrderLine("L-mbb", LineAction.DISCONNECT, "mbb", "MBB")

    with pytest.raises(RuleError) as caught:
        add(
            draft(OrderAction.CHANGE, existing),
            mobile_broadband_tree().in_order(ORDER, "mbb"),
            "mbb",
            "CONN5G",
        )

    assert only(caught.value, ErrorCode.INVALID_INPUT).ids == ("mbb",)


def test_every_violation_of_an_add_is_reported_at_once() -> None:
    tree = mobile_broadband_tree().in_order(OTHER_ORDER, "conn4g")

    with pytest.raises(RuleError) as caught:
        add(draft(OrderAction.CHANGE), tree, "conn4g", "ROUTER5G", characteristics=[("colour", "red")])

    assert codes(caught.value) == [
        ErrorCode.INVALID_INPUT,
        ErrorCode.ALREADY_IN_OPEN_ORDER,
        ErrorCode.SPEC_NOT_ALLOWED,
    ]


def test_ids_are_drawn_only_after_every_check_passed() -> None:
    line_ids, item_ids = LineIds(), ItemIds()
    with pytest.raises(RuleError):
        add(
            draft(OrderAction.CHANGE),
            mobile_broadband_tree(),
            "mbb",
            "CONN4G",
            line_ids=line_ids,
            item_ids=item_ids,
        )

    assert (line_ids.calls, item_ids.calls) == (0, 0)


# --- DOMAIN.md section 5: 4G to 5G -------------------------------------------------------------


def four_g_to_five_g(disconnect_first: bool) -> tuple[list[OrderLine], Tree]:
    tree = mobile_broadband_tree()
    line_ids, item_ids = LineIds(), ItemIds()
    lines: list[OrderLine] = []

    def disconnect_4g() -> None:
        nonlocal lines, tree
        lines = plan_selection(
            with_lines(draft(OrderAction.CHANGE), lines),
            tree.view(),
            SPECS,
            ["conn4g", "router4g"],
            line_action=LineAction.DISCONNECT,
            new_line_id=line_ids,
        )
        tree = tree.in_order(ORDER, "conn4g", "router4g")

    def add_5g() -> None:
        nonlocal lines, tree
        for spec_id in ("CONN5G", "ROUTER5G"):
            added = add(
                with_lines(draft(OrderAction.CHANGE), lines),
                tree,
                "mbb",
                spec_id,
                line_ids=line_ids,
                item_ids=item_ids,
            )
            lines = added.lines
            tree = grow(tree, added)

    steps = [disconnect_4g, add_5g] if disconnect_first else [add_5g, disconnect_4g]
    for step in steps:
        step()
    return lines, tree


@pytest.mark.parametrize("disconnect_first", [True, False])
def test_four_g_to_five_g_gives_four_lines_under_the_bundles_no_change_line(disconnect_first: bool) -> None:
    lines, tree = four_g_to_five_g(disconnect_first)

    bundle = line_of(lines, "mbb")
    assert bundle.action is LineAction.NO_CHANGE and bundle.parent_line_id is None
    under_bundle = sorted(
        (tree.items[x.inventory_id or ""].spec_id, x.action) for x in lines if x.parent_line_id == bundle.id
    )
    assert under_bundle == [
        ("CONN4G", LineAction.DISCONNECT),
        ("CONN5G", LineAction.ADD),
        ("ROUTER4G", LineAction.DISCONNECT),
        ("ROUTER5G", LineAction.ADD),
    ]
    assert len(lines) == 5
    assert_parents_first(lines)
    new_items = [tree.items[x.inventory_id or ""] for x in lines if x.action is LineAction.ADD]
    assert {(i.state, i.parent_id) for i in new_items} == {(InventoryState.INSTALLATION_PENDING, "mbb")}
