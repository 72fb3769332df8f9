"""Plain data the rules decide over: catalog, installed base, and orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class InventoryState(StrEnum):
    """Product inventory states (DOMAIN.md section 3)."""

    INSTALLATION_PENDING = "INSTALLATION_PENDING"
    ACTIVE = "ACTIVE"
    CHANGE_PENDING = "CHANGE_PENDING"
    SUSPENDED = "SUSPENDED"
    DISCONNECT_PENDING = "DISCONNECT_PENDING"
    INACTIVE = "INACTIVE"


class OrderAction(StrEnum):
    """What a customer order does as a whole."""

    ADD = "ADD"
    CHANGE = "CHANGE"
    MOVE = "MOVE"
    DISCONNECT = "DISCONNECT"
    SUSPEND = "SUSPEND"
    RESUME = "RESUME"


class LineAction(StrEnum):
    """What one order line does to one inventory item."""

    ADD = "ADD"
    CHANGE = "CHANGE"
    DISCONNECT = "DISCONNECT"
    SUSPEND = "SUSPEND"
    RESUME = "RESUME"
    NO_CHANGE = "NO_CHANGE"


class OrderState(StrEnum):
    """Customer order (and order line) states."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    REVISION_IN_PROGRESS = "REVISION_IN_PROGRESS"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    CANCELLATION_IN_PROGRESS = "CANCELLATION_IN_PROGRESS"
    CANCELLED = "CANCELLED"


OPEN_ORDER_STATES = frozenset(
    {
        OrderState.DRAFT,
        OrderState.SUBMITTED,
        OrderState.QUEUED,
        OrderState.IN_PROGRESS,
        OrderState.REVISION_IN_PROGRESS,
        OrderState.CANCELLATION_IN_PROGRESS,
    }
)
FOLLOWABLE_ORDER_STATES = frozenset(
    {OrderState.SUBMITTED, OrderState.IN_PROGRESS, OrderState.REVISION_IN_PROGRESS}
)
"""States of an order another order may follow (R15): it has left DRAFT and has not ended."""
EDITABLE_ORDER_STATES = frozenset({OrderState.DRAFT})

MAX_TREE_DEPTH = 64
"""The default depth bound: an item sits at most this many HAS_CHILD levels below its root. Every
write (import, generator, added products) enforces the configured bound (`MACD_MAX_TREE_DEPTH`,
at most this), so every tree is complete under every bounded read."""


class ErrorCode(StrEnum):
    """Every error a user can cause; mirrored one to one by the GraphQL `OrderErrorCode` enum."""

    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_STATE = "INVALID_STATE"
    ALREADY_IN_OPEN_ORDER = "ALREADY_IN_OPEN_ORDER"
    REQUIRED_CHILD = "REQUIRED_CHILD"
    SPEC_NOT_ALLOWED = "SPEC_NOT_ALLOWED"
    CARDINALITY_EXCEEDED = "CARDINALITY_EXCEEDED"
    MOVE_FLAG_MISSING = "MOVE_FLAG_MISSING"
    MOVE_LOCATION_MISMATCH = "MOVE_LOCATION_MISMATCH"
    MOVE_INCOMPLETE = "MOVE_INCOMPLETE"
    ANCESTOR_SUSPENDED = "ANCESTOR_SUSPENDED"
    ORDER_NOT_EDITABLE = "ORDER_NOT_EDITABLE"
    PAST_POINT_OF_NO_RETURN = "PAST_POINT_OF_NO_RETURN"
    NOT_APPROVABLE = "NOT_APPROVABLE"
    TASK_NOT_OPEN = "TASK_NOT_OPEN"
    CONFLICT = "CONFLICT"
    REVISION_PENDING = "REVISION_PENDING"
    TASK_ON_HOLD = "TASK_ON_HOLD"
    COVERED_BY_ANCESTOR = "COVERED_BY_ANCESTOR"
    LIVE_UNDER_INACTIVE = "LIVE_UNDER_INACTIVE"
    DEPTH_EXCEEDED = "DEPTH_EXCEEDED"
    TASK_NOT_READY = "TASK_NOT_READY"
    ORDER_ON_HOLD = "ORDER_ON_HOLD"
    DEPENDENCY_CYCLE = "DEPENDENCY_CYCLE"


@dataclass(frozen=True)
class RuleViolation:
    """A decision's refusal: a code, a sentence for people, the input field and the ids involved."""

    code: ErrorCode
    message: str
    field: str | None = None
    ids: tuple[str, ...] = ()


class RuleError(Exception):
    """Raised to abort a use case with one or more violations; nothing has been written."""

    def __init__(self, *violations: RuleViolation) -> None:
        super().__init__("; ".join(v.message for v in violations))
        self.violations: tuple[RuleViolation, ...] = violations


@dataclass(frozen=True)
class CharacteristicSpec:
    """A characteristic a product specification allows; empty `values` means free text."""

    name: str
    values: tuple[str, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class BundleRule:
    """A parent specification bundles `child_spec_id` between `min` and `max` times."""

    child_spec_id: str
    min: int
    max: int


@dataclass(frozen=True)
class ProductSpec:
    """A catalog product specification."""

    id: str
    name: str
    version: str = "1"
    physical: bool = False
    bundles: tuple[BundleRule, ...] = ()
    characteristics: tuple[CharacteristicSpec, ...] = ()
    service_spec_ids: tuple[str, ...] = ()

    def bundle_rule(self, child_spec_id: str) -> BundleRule | None:
        return next((b for b in self.bundles if b.child_spec_id == child_spec_id), None)

    def characteristic(self, name: str) -> CharacteristicSpec | None:
        return next((c for c in self.characteristics if c.name == name), None)


@dataclass(frozen=True)
class InventoryItem:
    """One product inventory record as the rules see it."""

    id: str
    name: str
    state: InventoryState
    spec_id: str
    account_id: str
    parent_id: str | None = None
    location_id: str | None = None
    characteristics: dict[str, str] = field(default_factory=dict)
    open_order_id: str | None = None
    follow_on_order_id: str | None = None
    """The follow-on order that has claimed the item while `open_order_id` still works on it (R15)."""
    pending_removal: bool = False
    """The open order `open_order_id` disconnects this item (it will not count for its parent's bundle)."""
    spec_version: str | None = None
    """The version of `spec_id` the item was built from; None means the specification's newest."""


@dataclass
class Subtree:
    """A part of an installed-base tree: items by id plus child ids in order.

    `ancestors` holds the items above the subtree's root, nearest parent last.
    """

    root_id: str
    items: dict[str, InventoryItem]
    children: dict[str, list[str]]
    ancestors: list[InventoryItem] = field(default_factory=list)

    def descendants(self, item_id: str) -> list[str]:
        """Ids below `item_id`, parents before their children."""
        out: list[str] = []
        stack = list(reversed(self.children.get(item_id, [])))
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return out


@dataclass(frozen=True)
class CharacteristicChange:
    """A characteristic a line sets: from `old` (None when unset) to `new`."""

    name: str
    old: str | None
    new: str


@dataclass
class OrderLine:
    """One action on one inventory item, or one new product (`inventory_id` of the item it creates)."""

    id: str
    action: LineAction
    inventory_id: str | None
    spec_id: str
    parent_line_id: str | None = None
    move: bool = False
    target_location_id: str | None = None
    characteristic_changes: tuple[CharacteristicChange, ...] = ()
    state: OrderState = OrderState.DRAFT
    specification_version: str | None = None
    """A CHANGE line's new version of the item's specification (None: the version stays)."""


@dataclass
class Order:
    """A customer order with its lines."""

    id: str
    account_id: str
    action: OrderAction
    state: OrderState
    version: int = 1
    lines: list[OrderLine] = field(default_factory=list)
    follows_order_id: str | None = None
    """The open order this follow-on order waits for (R15)."""
    order_version: int = 1
    """1 for the order as first approved, one more for every approved revision (R14)."""
    on_hold: bool = False
    requested_start: date | None = None
    requested_completion: date | None = None
