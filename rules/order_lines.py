"""Order lines over a view of the installed base: the view, the line tree, and shared checks.

Capture, editing and submission decide over the same things: which inventory a decision sees
(`TreeView`), how lines link into a tree mirroring the inventory, which states each line action
accepts, and how violations about many items are reported together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from rules.model import (
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

# ---------------------------------------------------------------------------------------------------
# The inventory a decision sees


@dataclass
class TreeView:
    """The part of an account's installed base that a capture decision needs.

    `items` must hold each selected item (and the parent of an added product) with its complete
    ancestor chain, its complete subtree and its parent's children (siblings count for bundle
    cardinality), plus every item an existing line of the order targets. `children` lists child
    ids in display order. Where an ancestor chain has a gap, existing line links are kept as they are.
    """

    items: dict[str, InventoryItem]
    children: dict[str, list[str]] = field(default_factory=dict)

    def children_of(self, item_id: str) -> list[InventoryItem]:
        """The children of `item_id` that the view holds, in display order."""
        return [self.items[c] for c in self.children.get(item_id, ()) if c in self.items]

    def descendants(self, item_id: str) -> list[str]:
        """Ids below `item_id`, parents before their children."""
        out: list[str] = []
        stack = list(reversed(self.children.get(item_id, [])))
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return out

    def ancestors(self, item_id: str) -> list[InventoryItem]:
        """The items above `item_id`, nearest first, as far up as the view reaches."""
        out: list[InventoryItem] = []
        item = self.items.get(item_id)
        seen = {item_id}
        while item is not None and item.parent_id is not None and item.parent_id not in seen:
            seen.add(item.parent_id)
            item = self.items.get(item.parent_id)
            if item is not None:
                out.append(item)
        return out


# ---------------------------------------------------------------------------------------------------
# Tables shared by capture, editing and submission

DEFAULT_LINE_ACTION: dict[OrderAction, LineAction] = {
    OrderAction.CHANGE: LineAction.CHANGE,
    OrderAction.MOVE: LineAction.CHANGE,
    OrderAction.DISCONNECT: LineAction.DISCONNECT,
    OrderAction.SUSPEND: LineAction.SUSPEND,
    OrderAction.RESUME: LineAction.RESUME,
}
"""The line action a selection gets when none is given; ADD orders cannot select inventory."""

LINE_ACTIONS_BY_ORDER: dict[OrderAction, frozenset[LineAction]] = {
    OrderAction.ADD: frozenset({LineAction.ADD, LineAction.NO_CHANGE}),
    OrderAction.CHANGE: frozenset(
        {LineAction.CHANGE, LineAction.DISCONNECT, LineAction.ADD, LineAction.NO_CHANGE}
    ),
    OrderAction.MOVE: frozenset({LineAction.CHANGE, LineAction.DISCONNECT}),
    OrderAction.DISCONNECT: frozenset({LineAction.DISCONNECT}),
    OrderAction.SUSPEND: frozenset({LineAction.SUSPEND}),
    OrderAction.RESUME: frozenset({LineAction.RESUME}),
}
"""The line actions an order of each action may carry (the 4G to 5G upgrade mixes them in a CHANGE order)."""

SELECTABLE_LINE_ACTIONS = frozenset(
    {LineAction.CHANGE, LineAction.DISCONNECT, LineAction.SUSPEND, LineAction.RESUME}
)
"""Line actions a selection of installed inventory can ask for; ADD lines come from added products."""

SUBTREE_LINE_ACTIONS = frozenset({LineAction.DISCONNECT, LineAction.SUSPEND, LineAction.RESUME})
"""Line actions that reach the whole subtree of the item they are selected for (R3, R5)."""

REQUIRED_STATES: dict[LineAction, tuple[InventoryState, ...]] = {
    LineAction.CHANGE: (InventoryState.ACTIVE,),
    LineAction.DISCONNECT: (InventoryState.ACTIVE, InventoryState.SUSPENDED),
    LineAction.SUSPEND: (InventoryState.ACTIVE,),
    LineAction.RESUME: (InventoryState.SUSPENDED,),
    LineAction.NO_CHANGE: (InventoryState.ACTIVE,),
    LineAction.ADD: (InventoryState.INSTALLATION_PENDING,),
}
"""The inventory states a line action accepts (R5, R6)."""

_VERBS: dict[LineAction, str] = {
    LineAction.CHANGE: "change",
    LineAction.DISCONNECT: "disconnect",
    LineAction.SUSPEND: "suspend",
    LineAction.RESUME: "resume",
    LineAction.NO_CHANGE: "keep unchanged",
    LineAction.ADD: "add",
}

_NAMED_IDS = 5


def spec_key(spec_id: str, version: str) -> str:
    """How a specification map names one stored version of a specification besides its newest."""
    return f"{spec_id}@{version}"


def spec_of(specs: Mapping[str, ProductSpec], item: InventoryItem) -> ProductSpec | None:
    """The specification version `item` was built from: `specs` holds the newest version of each
    specification by id and older versions by `spec_key`."""
    if item.spec_version is not None:
        versioned = specs.get(spec_key(item.spec_id, item.spec_version))
        if versioned is not None:
            return versioned
    return specs.get(item.spec_id)


def spec_version(specs: Mapping[str, ProductSpec], spec_id: str, version: str) -> ProductSpec | None:
    """Version `version` of specification `spec_id`, stored beside the newest or the newest itself."""
    found = specs.get(spec_key(spec_id, version))
    if found is None:
        newest = specs.get(spec_id)
        found = newest if newest is not None and newest.version == version else None
    return found


def spec_after(specs: Mapping[str, ProductSpec], item: InventoryItem, version: str | None) -> ProductSpec | None:
    """The specification `item` will follow once a line moving it to `version` lands (None: it keeps
    its own); an unknown version, refused on its own, leaves the item's own for the other checks."""
    target = spec_version(specs, item.spec_id, version) if version is not None else None
    return target if target is not None else spec_of(specs, item)


def verb_for(action: LineAction, *, move: bool = False) -> str:
    """How a message names what a line action does to an item."""
    return "move" if move and action is LineAction.CHANGE else _VERBS[action]


def describe_items(ids: Sequence[str], noun: str = "item") -> str:
    """`item a` or `items a, b, c and 7 more`: names a few ids so messages stay short on big trees."""
    if len(ids) == 1:
        return f"{noun} {ids[0]}"
    named = ", ".join(ids[:_NAMED_IDS])
    rest = len(ids) - _NAMED_IDS
    return f"{noun}s {named}" + (f" and {rest} more" if rest > 0 else "")


# ---------------------------------------------------------------------------------------------------
# Collecting violations


@dataclass
class _Group:
    render: Callable[[list[str]], RuleViolation]
    ids: dict[str, None]


class Findings:
    """Violations in the order they were found; findings of one kind about many items become one."""

    def __init__(self) -> None:
        self._entries: dict[object, RuleViolation | _Group] = {}

    def add(self, violation: RuleViolation) -> None:
        """Record a violation as it is."""
        self._entries[("single", len(self._entries))] = violation

    def group(self, key: object, item_id: str, render: Callable[[list[str]], RuleViolation]) -> None:
        """Add `item_id` to the violation of kind `key`; `render` builds it from all ids once done."""
        entry = self._entries.get(key)
        if entry is None:
            entry = _Group(render, {})
            self._entries[key] = entry
        assert isinstance(entry, _Group)
        entry.ids[item_id] = None

    def __bool__(self) -> bool:
        return bool(self._entries)

    def violations(self) -> list[RuleViolation]:
        """Every violation found so far."""
        return [e.render(list(e.ids)) if isinstance(e, _Group) else e for e in self._entries.values()]

    def raise_if_any(self) -> None:
        """Abort the decision when anything was found."""
        if self._entries:
            raise RuleError(*self.violations())


def not_editable(order: Order) -> RuleViolation:
    """The violation for changing an order that has left DRAFT."""
    return RuleViolation(
        ErrorCode.ORDER_NOT_EDITABLE,
        f"Order {order.id} is {order.state}; only DRAFT orders can be edited",
        "orderId",
        (order.id,),
    )


def check_state(
    findings: Findings, item: InventoryItem, action: LineAction, *, move: bool = False, field: str
) -> None:
    """Record INVALID_STATE when `item` is not in a state `action` accepts."""
    allowed = REQUIRED_STATES[action]
    if item.state in allowed:
        return
    verb = verb_for(action, move=move)
    needs = " or ".join(allowed)

    def render(ids: list[str]) -> RuleViolation:
        return RuleViolation(
            ErrorCode.INVALID_STATE,
            f"Cannot {verb} {describe_items(ids)} in state {item.state}; {verb} needs {needs}",
            field,
            tuple(ids),
        )

    findings.group(("state", verb, item.state, field), item.id, render)


def check_open_order(findings: Findings, item: InventoryItem, order: Order, *, field: str) -> None:
    """Record ALREADY_IN_OPEN_ORDER when another open order targets `item` (R6)."""
    other = item.open_order_id
    if other is None or other == order.id:
        return

    def render(ids: list[str]) -> RuleViolation:
        verb = "is" if len(ids) == 1 else "are"
        return RuleViolation(
            ErrorCode.ALREADY_IN_OPEN_ORDER,
            f"{describe_items(ids, 'Item')} {verb} already in open order {other}; "
            f"complete or cancel order {other} first, or capture the change as a follow-on order of {other}",
            field,
            (other, *ids),
        )

    findings.group(("open-order", other, field), item.id, render)


def check_characteristics(
    findings: Findings, spec: ProductSpec | None, spec_id: str, values: Mapping[str, str], subject_id: str
) -> None:
    """Record INVALID_INPUT for characteristic names the spec does not define or values it does not allow."""
    for name, value in values.items():
        allowed = spec.characteristic(name) if spec is not None else None
        if allowed is None:
            key: tuple[str, ...] = ("characteristic-name", spec_id, name)
            message = f"Specification {spec_id} has no characteristic '{name}'"
        elif allowed.values and value not in allowed.values:
            key = ("characteristic-value", spec_id, name, value)
            message = f"'{value}' is not an allowed value of '{name}' (allowed: {', '.join(allowed.values)})"
        else:
            continue

        def render(ids: list[str], message: str = message) -> RuleViolation:
            return RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"{message}; {describe_items(ids, 'for item')}" if len(ids) > 1 else message,
                "characteristics",
                tuple(ids),
            )

        findings.group(key, subject_id, render)


def check_unique_characteristics(findings: Findings, characteristics: Iterable[tuple[str, str]]) -> None:
    """Record INVALID_INPUT naming each characteristic given more than once in one request."""
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for name, _ in characteristics:
        if name in seen:
            repeated[name] = None
        seen.add(name)
    for name in repeated:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Characteristic '{name}' is given more than once; give each characteristic one value",
                "characteristics",
                (name,),
            )
        )


def check_depth(findings: Findings, view: TreeView, parent_id: str, max_depth: int, field: str) -> None:
    """Record DEPTH_EXCEEDED when a child of `parent_id` would sit deeper than `max_depth` below its root."""
    depth = len(view.ancestors(parent_id)) + 1
    if depth > max_depth:
        findings.add(
            RuleViolation(
                ErrorCode.DEPTH_EXCEEDED,
                f"A product under item {parent_id} would be {depth} levels below its root; "
                f"trees are at most {max_depth} levels deep",
                field,
                (parent_id,),
            )
        )


def merge_characteristic_changes(
    current: Iterable[CharacteristicChange],
    item_values: Mapping[str, str],
    new_values: Mapping[str, str],
    *,
    keep_unchanged: bool = False,
) -> tuple[CharacteristicChange, ...]:
    """A line's characteristic changes with `new_values` applied on top.

    `old` stays what the item has now; a change back to that value disappears unless `keep_unchanged`
    (ADD lines record every value the new product starts with).
    """
    merged = {c.name: c for c in current}
    for name, value in new_values.items():
        old = merged[name].old if name in merged else item_values.get(name)
        merged[name] = CharacteristicChange(name, old, value)
    return tuple(c for c in merged.values() if keep_unchanged or c.new != c.old)


# ---------------------------------------------------------------------------------------------------
# The line tree


def nearest_ancestor(
    view: TreeView,
    item_id: str,
    qualifies: Callable[[str], bool],
    memo: dict[str, tuple[bool, str | None]],
) -> tuple[bool, str | None]:
    """(known, id) of the nearest strict ancestor of `item_id` that `qualifies`.

    `known` is False when the chain leaves the view before an answer is found. Answers are shared
    along the walked path, so resolving every item of a tree stays linear in its size.
    """
    path: dict[str, None] = {}  # ordered, with constant-time membership for spotting cycles
    current = item_id
    while True:
        if current in memo:
            answer = memo[current]
            break
        path[current] = None
        item = view.items.get(current)
        if item is None:
            answer = (False, None)
            break
        parent = item.parent_id
        if parent is None:
            answer = (True, None)
            break
        if parent not in view.items or parent in path:  # out of view, or a cycle in bad data
            answer = (False, None)
            break
        if qualifies(parent):
            answer = (True, parent)
            break
        current = parent
    for walked in path:
        memo[walked] = answer
    return answer


def relink_lines(lines: Sequence[OrderLine], view: TreeView) -> list[OrderLine]:
    """Lines linked to the line of their item's nearest ancestor that has one, parents first.

    Siblings keep their relative order. A line whose ancestor chain leaves the view keeps its link.
    """
    line_ids = {line.id for line in lines}
    line_of_item: dict[str, str] = {}
    for line in lines:
        if line.inventory_id is not None:
            line_of_item.setdefault(line.inventory_id, line.id)
    memo: dict[str, tuple[bool, str | None]] = {}
    linked: list[OrderLine] = []
    for line in lines:
        known, parent_line = False, None
        if line.inventory_id is not None and line.inventory_id in view.items:
            known, ancestor = nearest_ancestor(view, line.inventory_id, line_of_item.__contains__, memo)
            parent_line = line_of_item[ancestor] if ancestor is not None else None
        if not known:
            parent_line = line.parent_line_id if line.parent_line_id in line_ids else None
        if parent_line == line.id:
            parent_line = None
        linked.append(
            line if line.parent_line_id == parent_line else replace(line, parent_line_id=parent_line)
        )
    return parents_first(linked)


def parents_first(lines: Sequence[OrderLine]) -> list[OrderLine]:
    """Lines in tree order: every line after its parent line, siblings in their given order."""
    line_ids = {line.id for line in lines}
    below: dict[str, list[OrderLine]] = {}
    tops: list[OrderLine] = []
    for line in lines:
        parent = line.parent_line_id
        if parent is not None and parent in line_ids and parent != line.id:
            below.setdefault(parent, []).append(line)
        else:
            tops.append(line)
    out: list[OrderLine] = []
    placed: set[str] = set()
    stack = list(reversed(tops))
    while stack:
        line = stack.pop()
        if line.id in placed:
            continue
        placed.add(line.id)
        out.append(line)
        stack.extend(reversed(below.get(line.id, ())))
    out.extend(line for line in lines if line.id not in placed)  # only reachable with cyclic links
    return out


class DraftLines:
    """An order's lines while a decision is being made; lines are replaced, never mutated."""

    def __init__(self, lines: Iterable[OrderLine]) -> None:
        self.by_id: dict[str, OrderLine] = {}
        self._by_item: dict[str, str] = {}
        for line in lines:
            self.put(line)

    def put(self, line: OrderLine) -> None:
        """Add or replace a line (by id), keeping its position."""
        self.by_id[line.id] = line
        if line.inventory_id is not None:
            self._by_item.setdefault(line.inventory_id, line.id)

    def for_item(self, item_id: str) -> OrderLine | None:
        """The line that targets `item_id`, if any."""
        line_id = self._by_item.get(item_id)
        return self.by_id[line_id] if line_id is not None else None

    def action_of(self, item_id: str) -> LineAction | None:
        """The action of the line that targets `item_id`, if any."""
        line = self.for_item(item_id)
        return line.action if line is not None else None

    def added_under(self, view: TreeView) -> dict[str, list[tuple[str, str]]]:
        """(item id, spec id) of the products this order adds, by the id of the item they go under."""
        out: dict[str, list[tuple[str, str]]] = {}
        for line in self.by_id.values():
            if line.action is not LineAction.ADD or line.inventory_id is None:
                continue
            item = view.items.get(line.inventory_id)
            parent: str | None
            if item is not None:
                parent = item.parent_id
            else:
                parent_line = self.by_id.get(line.parent_line_id or "")
                parent = parent_line.inventory_id if parent_line is not None else None
            if parent is not None:
                out.setdefault(parent, []).append((line.inventory_id, line.spec_id))
        return out

    def lines(self) -> list[OrderLine]:
        """The lines in their current order."""
        return list(self.by_id.values())


def remaining_children(
    view: TreeView,
    draft: DraftLines,
    added: Mapping[str, list[tuple[str, str]]],
    parent_id: str,
    spec_id: str,
) -> int:
    """How many children of `spec_id` the parent keeps once this order is done (R2, R3).

    Counts the parent's non-INACTIVE children of that spec that neither this order nor another open
    order disconnects, and the products of that spec this order adds under the parent, each item once.
    """
    kept: set[str] = set()
    for child in view.children_of(parent_id):
        if (
            child.spec_id == spec_id
            and child.state is not InventoryState.INACTIVE
            and draft.action_of(child.id) is not LineAction.DISCONNECT
            and not (child.pending_removal and draft.for_item(child.id) is None)
        ):
            kept.add(child.id)
    kept.update(item_id for item_id, added_spec in added.get(parent_id, ()) if added_spec == spec_id)
    return len(kept)


def required_child_violation(
    item: InventoryItem, parent: InventoryItem, parent_spec: ProductSpec, minimum: int, field: str = "inventoryIds"
) -> RuleViolation:
    """REQUIRED_CHILD: disconnecting `item` would leave its parent below the bundle's minimum (R3).

    Removals other open orders have captured count: of two orders each taking one of the last two
    required children, the second is refused.
    """
    return RuleViolation(
        ErrorCode.REQUIRED_CHILD,
        f"Item {item.id} is required by its parent {parent.id}: {parent_spec.name} needs at least "
        f"{minimum} {item.spec_id} (removals by open orders counted); cancel the parent {parent.id} instead",
        field,
        (item.id, parent.id),
    )


def check_required_children(
    findings: Findings,
    view: TreeView,
    specs: Mapping[str, ProductSpec],
    draft: DraftLines,
    disconnected: Iterable[InventoryItem],
    field: str = "inventoryIds",
) -> None:
    """Record REQUIRED_CHILD for each item whose disconnection drops its parent below the bundle minimum.

    Not applicable when the parent itself is disconnected in this order.
    """
    added: dict[str, list[tuple[str, str]]] | None = None
    counts: dict[tuple[str, str], int] = {}
    for item in disconnected:
        parent = view.items.get(item.parent_id) if item.parent_id is not None else None
        if parent is None or draft.action_of(parent.id) is LineAction.DISCONNECT:
            continue
        parent_spec = spec_of(specs, parent)
        rule = parent_spec.bundle_rule(item.spec_id) if parent_spec is not None else None
        if parent_spec is None or rule is None or rule.min <= 0:
            continue
        if added is None:
            added = draft.added_under(view)
        key = (parent.id, item.spec_id)
        if key not in counts:
            counts[key] = remaining_children(view, draft, added, parent.id, item.spec_id)
        if counts[key] < rule.min:
            findings.add(required_child_violation(item, parent, parent_spec, rule.min, field))
