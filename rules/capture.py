"""Order capture: the lines that selecting inventory or adding a product puts on a draft order (R1-R6).

The graph layer hands over a `TreeView` of the inventory involved and the catalog's specifications.
Every planning function returns the order's complete resulting line list (existing lines possibly
updated, plus new ones) or raises `RuleError` with every violation it found. Editing single lines
lives in `rules.editing` and is re-exported here, so order capture has one entry module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from rules.editing import LineDiff, Removal, diff_lines, plan_line_removal, plan_line_update
from rules.model import (
    EDITABLE_ORDER_STATES,
    MAX_TREE_DEPTH,
    CharacteristicChange,
    ErrorCode,
    InventoryItem,
    InventoryState,
    LineAction,
    Order,
    OrderAction,
    OrderLine,
    ProductSpec,
    RuleError,
    RuleViolation,
)
from rules.move import MOVE_LINE_ACTIONS
from rules.order_lines import (
    DEFAULT_LINE_ACTION,
    LINE_ACTIONS_BY_ORDER,
    SELECTABLE_LINE_ACTIONS,
    SUBTREE_LINE_ACTIONS,
    DraftLines,
    Findings,
    TreeView,
    check_characteristics,
    check_depth,
    check_open_order,
    check_required_children,
    check_state,
    check_unique_characteristics,
    describe_items,
    merge_characteristic_changes,
    nearest_ancestor,
    not_editable,
    relink_lines,
    remaining_children,
    spec_after,
    spec_version,
    verb_for,
)

__all__ = [
    "AddedProduct",
    "LineDiff",
    "Removal",
    "TreeView",
    "diff_lines",
    "plan_added_product",
    "plan_line_removal",
    "plan_line_update",
    "plan_selection",
]

# ---------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class AddedProduct:
    """The outcome of adding a product: the order's lines, the new inventory item and its ADD line."""

    lines: list[OrderLine]
    item: InventoryItem
    line: OrderLine


# ---------------------------------------------------------------------------------------------------
# Selecting installed inventory (R1, R3, R4, R5, R6)


def plan_selection(
    order: Order,
    view: TreeView,
    specs: Mapping[str, ProductSpec],
    selected_ids: Sequence[str],
    *,
    line_action: LineAction | None = None,
    characteristics: Sequence[tuple[str, str]] = (),
    target_location_id: str | None = None,
    specification_version: str | None = None,
    new_line_id: Callable[[], str],
) -> list[OrderLine]:
    """The order's complete line list after selecting `selected_ids` for `line_action`.

    `specification_version` moves each selected item of a CHANGE to that version of its
    specification (checked against the version's bundle rules for the item's children).

    CHANGE gives each selected item a line of its own (R1); DISCONNECT (R3), SUSPEND and RESUME (R5)
    and a move (R4) also give lines to the items below. Items that already have a line keep it, so
    overlapping selections never duplicate lines. Raises `RuleError` with every violation found.
    """
    findings = Findings()
    if order.state not in EDITABLE_ORDER_STATES:
        findings.add(not_editable(order))
    action = _selection_action(order, line_action, findings)
    move = order.action is OrderAction.MOVE
    check_unique_characteristics(findings, characteristics)
    values = dict(characteristics)
    _check_selection_input(order, action, move, values, target_location_id, findings)
    if specification_version is not None and action is not LineAction.CHANGE:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Only change lines move an item to another specification version, not {action} lines",
                "specificationVersion",
                (),
            )
        )

    wanted = list(dict.fromkeys(selected_ids))
    if not wanted:
        findings.add(
            RuleViolation(ErrorCode.INVALID_INPUT, "Select at least one inventory item", "inventoryIds", ())
        )
    selected: list[InventoryItem] = []
    unknown: list[str] = []
    for item_id in wanted:
        item = view.items.get(item_id)
        if item is None or item.account_id != order.account_id:
            unknown.append(item_id)
        else:
            selected.append(item)
    if unknown:
        findings.add(
            RuleViolation(
                ErrorCode.NOT_FOUND,
                f"No inventory {describe_items(unknown)} on account {order.account_id}",
                "inventoryIds",
                tuple(unknown),
            )
        )
    if action is None:  # nothing to plan; _selection_action has said why
        raise RuleError(*findings.violations())

    planner = _SelectionPlanner(order, view, findings, action, move, target_location_id, values, new_line_id)
    for item in selected:
        if values and action is LineAction.CHANGE:
            check_characteristics(findings, spec_after(specs, item, specification_version), item.spec_id, values,
                                  item.id)
        if (
            target_location_id is not None
            and action is LineAction.CHANGE
            and target_location_id == item.location_id
        ):
            findings.add(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    f"Item {item.id} is already at location {target_location_id}",
                    "targetLocationId",
                    (item.id,),
                )
            )
        planner.select(item)
        if specification_version is not None and action is LineAction.CHANGE:
            check_specification_version(findings, view, specs, planner.draft, item, specification_version,
                                        "specificationVersion")
            line = planner.draft.for_item(item.id)
            if line is not None:
                planner.draft.put(replace(line, specification_version=_new_version(item, specification_version)))

    draft = planner.draft
    if any(draft.action_of(item.id) is LineAction.DISCONNECT for item in selected):
        check_required_children(
            findings,
            view,
            specs,
            draft,
            (item for item in selected if draft.action_of(item.id) is LineAction.DISCONNECT),
        )
    if action is LineAction.RESUME:
        _check_suspended_ancestors(findings, view, draft, selected)
    findings.raise_if_any()
    return relink_lines(draft.lines(), view)


def _selection_action(order: Order, line_action: LineAction | None, findings: Findings) -> LineAction | None:
    if order.action is OrderAction.ADD:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Order {order.id} adds new products; it cannot select installed inventory",
                "inventoryIds",
                (order.id,),
            )
        )
        return None
    if line_action is None:
        return DEFAULT_LINE_ACTION[order.action]
    if line_action not in SELECTABLE_LINE_ACTIONS or line_action not in LINE_ACTIONS_BY_ORDER[order.action]:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"A {order.action} order cannot select inventory for {line_action}",
                "lineAction",
                (order.id,),
            )
        )
        return None
    return line_action


def _check_selection_input(
    order: Order,
    action: LineAction | None,
    move: bool,
    values: Mapping[str, str],
    target_location_id: str | None,
    findings: Findings,
) -> None:
    if values and action is not None and action is not LineAction.CHANGE:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Only change lines set characteristics, not {action} lines",
                "characteristics",
                (),
            )
        )
    if move and action is LineAction.CHANGE and target_location_id is None:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Move order {order.id} needs a target location",
                "targetLocationId",
                (order.id,),
            )
        )
    if target_location_id is not None and not move and action not in (None, LineAction.CHANGE):
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"{action} lines of a {order.action} order take no target location",
                "targetLocationId",
                (order.id,),
            )
        )


class _SelectionPlanner:
    """Gives lines to selected items and, for cascading actions, to the items below them."""

    def __init__(
        self,
        order: Order,
        view: TreeView,
        findings: Findings,
        action: LineAction,
        move: bool,
        target_location_id: str | None,
        values: Mapping[str, str],
        new_line_id: Callable[[], str],
    ) -> None:
        self.order = order
        self.view = view
        self.findings = findings
        self.action = action
        self.move = move
        self.target = target_location_id
        self.values = values
        self.new_line_id = new_line_id
        self.draft = DraftLines(order.lines)
        self.cascades = move or action in SUBTREE_LINE_ACTIONS
        self._covered: set[str] = set()  # items whose whole subtree this selection already handled

    def select(self, item: InventoryItem) -> None:
        self._claim(item, selected=True)
        if not self.cascades or item.id in self._covered:
            return
        self._covered.add(item.id)
        stack = list(reversed(self.view.children.get(item.id, ())))
        while stack:
            child_id = stack.pop()
            if child_id in self._covered:
                continue
            self._covered.add(child_id)
            child = self.view.items.get(child_id)
            if child is None:
                continue
            stack.extend(reversed(self.view.children.get(child_id, ())))
            if self._reaches(child):
                self._claim(child, selected=False)

    def _reaches(self, descendant: InventoryItem) -> bool:
        """Whether a cascade gives `descendant` a line: inactive items and items already there are skipped."""
        if descendant.state is InventoryState.INACTIVE:
            return False
        if self.action is LineAction.SUSPEND:
            return descendant.state is not InventoryState.SUSPENDED
        if self.action is LineAction.RESUME:
            return descendant.state is not InventoryState.ACTIVE
        return True

    def _claim(self, item: InventoryItem, *, selected: bool) -> None:
        existing = self.draft.for_item(item.id)
        action = self.action
        if existing is not None:
            outcome = _merge_outcome(existing.action, action, selected=selected, move=self.move)
            if outcome == "conflict":
                self._conflict(item, existing.action)
                return
            if outcome == "keep":
                action = existing.action
            else:
                check_state(self.findings, item, action, move=self.move, field="inventoryIds")
        else:
            check_state(self.findings, item, action, move=self.move, field="inventoryIds")
        check_open_order(self.findings, item, self.order, field="inventoryIds")

        if existing is not None:
            base = existing
        else:
            base = OrderLine(id=self.new_line_id(), action=action, inventory_id=item.id, spec_id=item.spec_id)
        changes = base.characteristic_changes if action in (LineAction.CHANGE, LineAction.ADD) else ()
        if selected and self.values and action is LineAction.CHANGE:
            changes = merge_characteristic_changes(changes, item.characteristics, self.values)
        move_flag = base.move
        target = base.target_location_id
        if self.move:
            move_flag = True
            target = self.target if self.target is not None else target
        elif action is LineAction.CHANGE:
            target = self.target if selected and self.target is not None else target
        else:
            target = None
        line = replace(
            base,
            action=action,
            characteristic_changes=changes,
            move=move_flag,
            target_location_id=target,
        )
        if line != existing:
            self.draft.put(line)

    def _conflict(self, item: InventoryItem, existing: LineAction) -> None:
        requested = verb_for(self.action, move=self.move)

        def render(ids: list[str]) -> RuleViolation:
            verb = "has" if len(ids) == 1 else "have"
            return RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"{describe_items(ids, 'Item')} already {verb} a {existing} line in this order "
                f"and cannot also {requested}; edit or remove that line instead",
                "inventoryIds",
                tuple(ids),
            )

        self.findings.group(("line-conflict", existing, requested), item.id, render)


_MergeOutcome = Literal["keep", "become", "conflict"]


def _merge_outcome(
    existing: LineAction, requested: LineAction, *, selected: bool, move: bool
) -> _MergeOutcome:
    """How a selection meets a line the item already has: keep it, become the new action, or conflict."""
    if existing is requested:
        return "keep"
    if existing is LineAction.NO_CHANGE:
        return "become"
    if existing is LineAction.CHANGE and requested is LineAction.DISCONNECT:
        return "become"  # disconnecting supersedes a pending change of the same item
    if move and not selected and requested is LineAction.CHANGE and existing in MOVE_LINE_ACTIONS:
        return "keep"  # a moved product may drop (DISCONNECT) or gain (ADD) items on the way
    return "conflict"


def _check_suspended_ancestors(
    findings: Findings, view: TreeView, draft: DraftLines, selected: Sequence[InventoryItem]
) -> None:
    """ANCESTOR_SUSPENDED: an item cannot be resumed while an ancestor stays suspended (R5)."""

    def stays_suspended(item_id: str) -> bool:
        return (
            view.items[item_id].state is InventoryState.SUSPENDED
            and draft.action_of(item_id) is not LineAction.RESUME
        )

    memo: dict[str, tuple[bool, str | None]] = {}
    for item in selected:
        _, ancestor = nearest_ancestor(view, item.id, stays_suspended, memo)
        if ancestor is not None:
            findings.add(
                RuleViolation(
                    ErrorCode.ANCESTOR_SUSPENDED,
                    f"Cannot resume item {item.id} while its ancestor {ancestor} stays suspended; "
                    f"resume {ancestor} instead",
                    "inventoryIds",
                    (item.id, ancestor),
                )
            )


# ---------------------------------------------------------------------------------------------------
# Adding a product (R2)


def plan_added_product(
    order: Order,
    view: TreeView,
    specs: Mapping[str, ProductSpec],
    *,
    parent_inventory_id: str | None,
    spec_id: str,
    characteristics: Sequence[tuple[str, str]] = (),
    location_id: str | None = None,
    name: str | None = None,
    new_line_id: Callable[[], str],
    new_item_id: Callable[[], str],
    max_depth: int = MAX_TREE_DEPTH,
) -> AddedProduct:
    """A new INSTALLATION_PENDING product under `parent_inventory_id` and its ADD line (R2).

    The item is called `name` when one is given (it must not be blank), else after its specification.

    The ADD line hangs under the parent's line; a parent without a line gets a NO_CHANGE line.
    Without a parent the product is a new root, which only ADD orders create. In a MOVE order the
    parent must be an item the order moves: the product is created at the move's target location
    and its ADD line carries the move flag and target (R4 a), so it arrives with the move. The new
    item may sit at most `max_depth` levels below its root (DEPTH_EXCEEDED).
    """
    findings = Findings()
    if order.state not in EDITABLE_ORDER_STATES:
        findings.add(not_editable(order))
    move = order.action is OrderAction.MOVE
    if order.action not in (OrderAction.CHANGE, OrderAction.ADD, OrderAction.MOVE):
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"A {order.action} order cannot add products; use a CHANGE, MOVE or ADD order",
                "orderId",
                (order.id,),
            )
        )
    spec = specs.get(spec_id)
    if spec is None:
        findings.add(
            RuleViolation(ErrorCode.NOT_FOUND, f"No product specification {spec_id}", "specificationId", (spec_id,))
        )
    if name is not None and not name.strip():
        findings.add(RuleViolation(ErrorCode.INVALID_INPUT, "A product name must not be blank", "name", ()))
    check_unique_characteristics(findings, characteristics)
    values = dict(characteristics)
    if values:
        check_characteristics(findings, spec, spec_id, values, spec_id)

    draft = DraftLines(order.lines)
    parent: InventoryItem | None = None
    move_target: str | None = None
    if parent_inventory_id is None:
        if order.action in (OrderAction.CHANGE, OrderAction.MOVE):
            findings.add(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    f"A {order.action.lower()} order adds products under an installed item; choose the parent",
                    "parentInventoryId",
                    (),
                )
            )
        if location_id is None:
            findings.add(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    "A new top-level product needs a location",
                    "locationId",
                    (),
                )
            )
    else:
        parent = view.items.get(parent_inventory_id)
        if parent is None or parent.account_id != order.account_id:
            findings.add(
                RuleViolation(
                    ErrorCode.NOT_FOUND,
                    f"No inventory item {parent_inventory_id} on account {order.account_id}",
                    "parentInventoryId",
                    (parent_inventory_id,),
                )
            )
            parent = None
        else:
            _check_parent(findings, view, specs, draft, order, parent, spec_id)
            check_depth(findings, view, parent.id, max_depth, "parentInventoryId")
            if move:
                move_target = _move_target(findings, draft, parent, location_id)
    findings.raise_if_any()
    assert spec is not None
    if move_target is not None:
        location_id = move_target

    item_values = {c.name: c.default for c in spec.characteristics if c.default is not None}
    item_values.update(values)
    item = InventoryItem(
        id=new_item_id(),
        name=name.strip() if name else spec.name,
        state=InventoryState.INSTALLATION_PENDING,
        spec_id=spec_id,
        account_id=order.account_id,
        parent_id=parent.id if parent is not None else None,
        location_id=location_id if location_id is not None else (parent.location_id if parent else None),
        characteristics=item_values,
        open_order_id=order.id,
    )
    parent_line = draft.for_item(parent.id) if parent is not None else None
    if parent is not None and parent_line is None:
        parent_line = OrderLine(
            id=new_line_id(), action=LineAction.NO_CHANGE, inventory_id=parent.id, spec_id=parent.spec_id
        )
        draft.put(parent_line)
    line = OrderLine(
        id=new_line_id(),
        action=LineAction.ADD,
        inventory_id=item.id,
        spec_id=spec_id,
        parent_line_id=parent_line.id if parent_line is not None else None,
        characteristic_changes=tuple(
            CharacteristicChange(name, None, value) for name, value in item_values.items()
        ),
        move=move,
        target_location_id=move_target,
    )
    draft.put(line)
    with_item = TreeView(items={**view.items, item.id: item}, children=view.children)
    lines = relink_lines(draft.lines(), with_item)
    return AddedProduct(lines=lines, item=item, line=next(x for x in lines if x.id == line.id))


def _check_parent(
    findings: Findings,
    view: TreeView,
    specs: Mapping[str, ProductSpec],
    draft: DraftLines,
    order: Order,
    parent: InventoryItem,
    spec_id: str,
) -> None:
    parent_line = draft.for_item(parent.id)
    added_here = (
        parent.state is InventoryState.INSTALLATION_PENDING
        and parent_line is not None
        and parent_line.action is LineAction.ADD
    )
    if parent.state is not InventoryState.ACTIVE and not added_here:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Cannot add products under item {parent.id} in state {parent.state}; the parent must be "
                "ACTIVE or added by this order",
                "parentInventoryId",
                (parent.id,),
            )
        )
    check_open_order(findings, parent, order, field="parentInventoryId")
    if parent_line is not None and parent_line.action not in (
        LineAction.CHANGE,
        LineAction.NO_CHANGE,
        LineAction.ADD,
    ):
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Item {parent.id} has a {parent_line.action} line in this order; products cannot be "
                "added under it",
                "parentInventoryId",
                (parent.id,),
            )
        )
    # the parent's bundle rules are those of the version its own line moves it to, if any
    parent_spec = spec_after(specs, parent, parent_line.specification_version if parent_line is not None else None)
    rule = parent_spec.bundle_rule(spec_id) if parent_spec is not None else None
    if rule is None:
        findings.add(
            RuleViolation(
                ErrorCode.SPEC_NOT_ALLOWED,
                f"Specification {parent.spec_id} of item {parent.id} does not bundle {spec_id}",
                "specificationId",
                (parent.id, spec_id),
            )
        )
        return
    count = remaining_children(view, draft, draft.added_under(view), parent.id, spec_id)
    if count + 1 > rule.max:
        findings.add(
            RuleViolation(
                ErrorCode.CARDINALITY_EXCEEDED,
                f"Item {parent.id} already has {count} {spec_id}; "
                f"its specification allows at most {rule.max}",
                "specificationId",
                (parent.id, spec_id),
            )
        )


def _move_target(findings: Findings, draft: DraftLines, parent: InventoryItem, location_id: str | None) -> str | None:
    """The target location of the move that carries `parent`; products join a move only under moved items."""
    parent_line = draft.for_item(parent.id)
    if parent_line is None or not parent_line.move or parent_line.action is not LineAction.CHANGE:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Item {parent.id} is not moved by this order; a move adds products only under items it moves",
                "parentInventoryId",
                (parent.id,),
            )
        )
        return None
    target = parent_line.target_location_id
    if location_id is not None and location_id != target:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Products added to a move go to its target location {target}, not {location_id}",
                "locationId",
                (location_id,),
            )
        )
    return target


def _new_version(item: InventoryItem, version: str) -> str | None:
    """The version a CHANGE line records: None when it is the version the item already has."""
    return None if version == item.spec_version else version


def check_specification_version(
    findings: Findings,
    view: TreeView,
    specs: Mapping[str, ProductSpec],
    draft: DraftLines,
    item: InventoryItem,
    version: str,
    field: str,
) -> None:
    """Record why `item` cannot move to `version` of its specification (R1).

    The version must be stored (NOT_FOUND) and its bundle rules must allow the children the item
    keeps once this order is done: each child's specification bundled (SPEC_NOT_ALLOWED) and each
    bundled specification between min and max (CARDINALITY_EXCEEDED, REQUIRED_CHILD).
    """
    target = spec_version(specs, item.spec_id, version)
    if target is None:
        findings.add(
            RuleViolation(
                ErrorCode.NOT_FOUND,
                f"Specification {item.spec_id} has no version {version}",
                field,
                (item.spec_id, version),
            )
        )
        return
    added = draft.added_under(view)
    kept_specs = {c.spec_id for c in view.children_of(item.id) if c.state is not InventoryState.INACTIVE}
    kept_specs.update(spec for _, spec in added.get(item.id, ()))
    for child_spec in sorted(kept_specs):
        count = remaining_children(view, draft, added, item.id, child_spec)
        if count and target.bundle_rule(child_spec) is None:
            findings.add(
                RuleViolation(
                    ErrorCode.SPEC_NOT_ALLOWED,
                    f"Version {version} of {item.spec_id} does not bundle {child_spec}, which item {item.id} has",
                    field,
                    (item.id, child_spec),
                )
            )
    for rule in target.bundles:
        count = remaining_children(view, draft, added, item.id, rule.child_spec_id)
        if count > rule.max:
            findings.add(
                RuleViolation(
                    ErrorCode.CARDINALITY_EXCEEDED,
                    f"Version {version} of {item.spec_id} allows at most {rule.max} {rule.child_spec_id}; "
                    f"item {item.id} has {count}",
                    field,
                    (item.id, rule.child_spec_id),
                )
            )
        elif count < rule.min:
            findings.add(
                RuleViolation(
                    ErrorCode.REQUIRED_CHILD,
                    f"Version {version} of {item.spec_id} needs at least {rule.min} {rule.child_spec_id}; "
                    f"item {item.id} has {count}",
                    field,
                    (item.id, rule.child_spec_id),
                )
            )
