"""What approval, completion and cancellation do to inventory, services and entitlements (R4, R8-R12).

Each function returns a plan: plain records of the state changes and new records to write in one
transaction. Plans never delete anything; inactive items, terminated services and cancelled
entitlements stay for history.

Decisions worth knowing:

- Only SUBMITTED orders are approved or rejected (`approvable`, `rejectable`, NOT_APPROVABLE).
- Approval checks each targeted item's state again (R6, R5): CHANGE and move lines need ACTIVE,
  DISCONNECT needs ACTIVE or SUSPENDED, SUSPEND needs ACTIVE, RESUME needs SUSPENDED, ADD needs
  INSTALLATION_PENDING; a mismatch is INVALID_STATE naming the item.
- Approval records each item's state before the order touched it (`ApprovalRecord`) and the copy
  made for each moved item; the graph layer stores both (for example the previous state on the
  line and a `REPLACES` relation from copy to old item) and hands them back as an `ApprovalRecord`
  to `completion_effects` and `cancellation_effects`.
- Move: the copy gets a new id (`new_id(INVENTORY_PREFIX)`), the old item's name, specification
  and characteristics with the line's changes applied, the line's target location, and as parent
  the copy of the old parent (or the old parent when that one does not move). `ADD` lines of a
  move are re-linked under the copy of their parent (`ItemRelink`). On completion a moved root's
  copy replaces the old root as the account's root (`RootLinkChange`).
- Completion creates services per the catalog's realized-as relations for added items and for
  move copies, and an entitlement under the account's active contract for each added item
  (none when there is no active contract: `items_without_entitlement` and a note say so).
- Cancellation of a COMPLETED, REJECTED or CANCELLED order is refused with INVALID_STATE; an
  order in progress is refused with PAST_POINT_OF_NO_RETURN once a point-of-no-return task is
  closed. Domain orders, tasks and work orders already closed stay closed (noted); received
  devices stay received (noted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from rules.fulfillment import DomainOrder, ReturnAuthorization, WorkOrder, effective_action
from rules.lifecycle_model import (
    EntitlementItem,
    EntitlementState,
    ReturnState,
    ServiceItem,
    ServiceState,
    TaskState,
    WorkOrderState,
)
from rules.model import (
    CharacteristicChange,
    ErrorCode,
    InventoryItem,
    InventoryState,
    LineAction,
    Order,
    OrderLine,
    OrderState,
    ProductSpec,
    RuleError,
    RuleViolation,
)

INVENTORY_PREFIX = "PI"
SERVICE_PREFIX = "SI"
ENTITLEMENT_PREFIX = "ENT"

_REQUIRED_STATES: dict[LineAction, frozenset[InventoryState]] = {
    LineAction.ADD: frozenset({InventoryState.INSTALLATION_PENDING}),
    LineAction.CHANGE: frozenset({InventoryState.ACTIVE}),
    LineAction.DISCONNECT: frozenset({InventoryState.ACTIVE, InventoryState.SUSPENDED}),
    LineAction.SUSPEND: frozenset({InventoryState.ACTIVE}),
    LineAction.RESUME: frozenset({InventoryState.SUSPENDED}),
}
_PENDING_STATES = frozenset({InventoryState.CHANGE_PENDING, InventoryState.DISCONNECT_PENDING})
_LIVE_ENTITLEMENTS = frozenset({EntitlementState.ACTIVE, EntitlementState.SUSPENDED})
# FAILED work is unfinished too: cancelling an order in fallout cancels its failed tasks.
_UNFINISHED = frozenset({TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.FAILED})
_UNFINISHED_FIELD_WORK = frozenset(
    {WorkOrderState.OPEN, WorkOrderState.SCHEDULED, WorkOrderState.IN_PROGRESS, WorkOrderState.FAILED}
)


@dataclass(frozen=True)
class ItemStateChange:
    """Product inventory item `item_id` goes from `from_state` to `to_state`."""

    item_id: str
    from_state: InventoryState
    to_state: InventoryState


@dataclass(frozen=True)
class ItemCopy:
    """A moved item's replacement at the new location (`item`, INSTALLATION_PENDING); `replaces` is
    the old item's id, `line_id` the move line."""

    item: InventoryItem
    replaces: str
    line_id: str


@dataclass(frozen=True)
class ItemRelink:
    """An item added by a move hangs under `to_parent_id` (the copy of its parent) at `location_id`."""

    item_id: str
    from_parent_id: str | None
    to_parent_id: str | None
    location_id: str | None


@dataclass(frozen=True)
class ApprovalRecord:
    """What approval leaves for later: each touched item's state before the order
    (`previous_states`) and, for each moved item, the id of its copy (`copies`: old id -> copy id)."""

    previous_states: Mapping[str, InventoryState] = field(default_factory=dict)
    copies: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApprovalPlan:
    """Approval of `order_id`: the order (and its lines) go to `order_state`; item states change,
    move copies and re-links are written (R8, R4)."""

    order_id: str
    order_state: OrderState
    state_changes: tuple[ItemStateChange, ...]
    copies: tuple[ItemCopy, ...]
    relinks: tuple[ItemRelink, ...]

    @property
    def record(self) -> ApprovalRecord:
        """The part of the plan completion and cancellation need later."""
        return ApprovalRecord(
            previous_states={change.item_id: change.from_state for change in self.state_changes},
            copies={copy.replaces: copy.item.id for copy in self.copies},
        )


@dataclass(frozen=True)
class RememberedLine:
    """What a line's approval leaves for completion and cancellation: the item's state before the
    order and, for a move line, the copy at the new location."""

    line_id: str
    previous_state: InventoryState | None
    copy_id: str | None


def remembered_lines(plan: ApprovalPlan, line_of: Mapping[str, str]) -> tuple[RememberedLine, ...]:
    """One record per line the approval touched (`line_of`: item id -> line id)."""
    out: dict[str, RememberedLine] = {}
    for change in plan.state_changes:
        line_id = line_of[change.item_id]
        out[line_id] = RememberedLine(line_id, change.from_state, None)
    for copy in plan.copies:
        previous = out.get(copy.line_id)
        out[copy.line_id] = RememberedLine(copy.line_id, previous.previous_state if previous else None, copy.item.id)
    return tuple(out.values())


@dataclass(frozen=True)
class CharacteristicUpdate:
    """Item `item_id` gets the full characteristics map `characteristics` (changes applied)."""

    item_id: str
    characteristics: dict[str, str]


@dataclass(frozen=True)
class LocationUpdate:
    """A CHANGE line relocates item `item_id` from `from_location_id` to `to_location_id` (R1)."""

    item_id: str
    from_location_id: str | None
    to_location_id: str


@dataclass(frozen=True)
class VersionUpdate:
    """A CHANGE line moves item `item_id` to version `to_version` of its specification (R1)."""

    item_id: str
    from_version: str | None
    to_version: str


@dataclass(frozen=True)
class RootLinkChange:
    """The account's root `old_root_id` is replaced by `new_root_id` (a moved root's copy)."""

    account_id: str
    old_root_id: str
    new_root_id: str


@dataclass(frozen=True)
class ServiceStateChange:
    """Service `service_id`, realizing product item `product_id`, changes state (R9)."""

    service_id: str
    product_id: str
    from_state: ServiceState
    to_state: ServiceState


@dataclass(frozen=True)
class EntitlementStateChange:
    """Entitlement `entitlement_id`, covering product item `product_id`, changes state (R10)."""

    entitlement_id: str
    product_id: str
    from_state: EntitlementState
    to_state: EntitlementState


@dataclass(frozen=True)
class EntitlementUpdate:
    """Entitlement `entitlement_id` follows the change made by line `line_id` to its product."""

    entitlement_id: str
    product_id: str
    line_id: str
    changes: tuple[CharacteristicChange, ...]


@dataclass(frozen=True)
class EntitlementRepoint:
    """Entitlement `entitlement_id` now covers `to_product_id` (a move copy) instead of `from_product_id`."""

    entitlement_id: str
    from_product_id: str
    to_product_id: str


@dataclass(frozen=True)
class CompletionPlan:
    """Completion of `order_id` (R8, R9, R10, R4): everything lands in one transaction."""

    order_id: str
    order_state: OrderState
    state_changes: tuple[ItemStateChange, ...]
    characteristic_updates: tuple[CharacteristicUpdate, ...]
    root_links: tuple[RootLinkChange, ...]
    service_changes: tuple[ServiceStateChange, ...]
    new_services: tuple[ServiceItem, ...]
    entitlement_changes: tuple[EntitlementStateChange, ...]
    new_entitlements: tuple[EntitlementItem, ...]
    entitlement_updates: tuple[EntitlementUpdate, ...]
    entitlement_repoints: tuple[EntitlementRepoint, ...]
    items_without_entitlement: tuple[str, ...]
    notes: tuple[str, ...]
    location_updates: tuple[LocationUpdate, ...] = ()
    version_updates: tuple[VersionUpdate, ...] = ()


@dataclass(frozen=True)
class FulfillmentStateChange:
    """A task, domain order or work order `record_id` changes state."""

    record_id: str
    from_state: TaskState | WorkOrderState
    to_state: TaskState | WorkOrderState


@dataclass(frozen=True)
class ReturnStateChange:
    """Return authorization `return_id` changes state (R11)."""

    return_id: str
    from_state: ReturnState
    to_state: ReturnState


@dataclass(frozen=True)
class CancellationPlan:
    """Cancellation of `order_id` (R12): the order and its lines end in `order_state` (CANCELLED)."""

    order_id: str
    order_state: OrderState
    state_changes: tuple[ItemStateChange, ...]
    task_changes: tuple[FulfillmentStateChange, ...]
    domain_order_changes: tuple[FulfillmentStateChange, ...]
    work_order_changes: tuple[FulfillmentStateChange, ...]
    return_changes: tuple[ReturnStateChange, ...]
    notes: tuple[str, ...]


def approvable(order_id: str, state: OrderState) -> OrderState:
    """The state an approved order goes to (IN_PROGRESS); only SUBMITTED orders: else NOT_APPROVABLE."""
    _require_submitted(order_id, state, "approved")
    return OrderState.IN_PROGRESS


def rejectable(order_id: str, state: OrderState) -> OrderState:
    """The state a rejected order goes to (REJECTED); only SUBMITTED orders: else NOT_APPROVABLE."""
    _require_submitted(order_id, state, "rejected")
    return OrderState.REJECTED


def _require_submitted(order_id: str, state: OrderState, verb: str) -> None:
    if state is not OrderState.SUBMITTED:
        raise RuleError(
            RuleViolation(
                ErrorCode.NOT_APPROVABLE,
                f"Order {order_id} is {state}; only a SUBMITTED order can be {verb}",
                field="orderId",
                ids=(order_id,),
            )
        )


def _targeted_items(
    order: Order, items: Mapping[str, InventoryItem]
) -> list[tuple[OrderLine, InventoryItem]]:
    """The working lines with their items; NOT_FOUND names every item missing from `items`."""
    pairs: list[tuple[OrderLine, InventoryItem]] = []
    missing: list[str] = []
    for line in order.lines:
        if effective_action(line) is LineAction.NO_CHANGE:
            continue
        item = items.get(line.inventory_id) if line.inventory_id else None
        if item is None:
            missing.append(line.inventory_id or line.id)
        else:
            pairs.append((line, item))
    if missing:
        raise RuleError(
            RuleViolation(
                ErrorCode.NOT_FOUND,
                f"Inventory items not found for order {order.id}: {_listed(missing)}",
                field="inventoryId",
                ids=tuple(missing),
            )
        )
    return pairs


def _listed(ids: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown} and {len(ids) - limit} more"


def _with_changes(
    characteristics: Mapping[str, str], changes: Iterable[CharacteristicChange]
) -> dict[str, str]:
    updated = dict(characteristics)
    for change in changes:
        updated[change.name] = change.new
    return updated


def approval_effects(
    order: Order,
    items: Mapping[str, InventoryItem],
    new_id: Callable[[str], str],
    existing_copies: Mapping[str, str] | None = None,
) -> ApprovalPlan:
    """Inventory effects of approving `order` (R8, R4); `items` holds every item the lines target.

    CHANGE -> CHANGE_PENDING; DISCONNECT -> DISCONNECT_PENDING; ADD items stay INSTALLATION_PENDING;
    SUSPEND and RESUME items keep their state until completion. A move line (`move=True`, action
    CHANGE or NO_CHANGE) also gets a copy of its item at the target location, INSTALLATION_PENDING.
    `existing_copies` (old item id -> copy id) are copies the order already has (a revision, R14): they are
    not made again, and copies and added products under their items hang under them.
    """
    order_state = approvable(order.id, order.state)
    pairs = _targeted_items(order, items)

    violations: list[RuleViolation] = []
    for line, item in pairs:
        action = effective_action(line)
        if item.state not in _REQUIRED_STATES[action]:
            violations.append(
                RuleViolation(
                    ErrorCode.INVALID_STATE,
                    f"Item '{item.name}' ({item.id}) is {item.state}; a {action} line needs "
                    f"{' or '.join(sorted(_REQUIRED_STATES[action]))}",
                    field="inventoryId",
                    ids=(item.id,),
                )
            )
        if line.move and not line.target_location_id:
            violations.append(
                RuleViolation(
                    ErrorCode.INVALID_INPUT,
                    f"Move line {line.id} has no target location",
                    field="targetLocationId",
                    ids=(line.id,),
                )
            )
    if violations:
        raise RuleError(*violations)

    made = {
        item.id: new_id(INVENTORY_PREFIX)
        for line, item in pairs
        if _relocates(line) and item.id not in (existing_copies or {})
    }
    copy_ids = {**(existing_copies or {}), **made}
    state_changes: list[ItemStateChange] = []
    copies: list[ItemCopy] = []
    relinks: list[ItemRelink] = []
    for line, item in pairs:
        action = effective_action(line)
        if action is LineAction.CHANGE:
            state_changes.append(ItemStateChange(item.id, item.state, InventoryState.CHANGE_PENDING))
            if line.move and item.id in made:
                copy = InventoryItem(
                    id=made[item.id],
                    name=item.name,
                    state=InventoryState.INSTALLATION_PENDING,
                    spec_id=item.spec_id,
                    account_id=item.account_id,
                    parent_id=copy_ids.get(item.parent_id, item.parent_id) if item.parent_id else None,
                    location_id=line.target_location_id,
                    characteristics=_with_changes(item.characteristics, line.characteristic_changes),
                    open_order_id=order.id,
                )
                copies.append(ItemCopy(copy, item.id, line.id))
        elif action is LineAction.DISCONNECT:
            state_changes.append(ItemStateChange(item.id, item.state, InventoryState.DISCONNECT_PENDING))
        elif action is LineAction.ADD and line.move:
            new_parent = copy_ids.get(item.parent_id, item.parent_id) if item.parent_id else None
            if new_parent != item.parent_id or item.location_id != line.target_location_id:
                relinks.append(ItemRelink(item.id, item.parent_id, new_parent, line.target_location_id))
    return ApprovalPlan(order.id, order_state, tuple(state_changes), tuple(copies), tuple(relinks))


class _CompletionBuilder:
    """Collects a completion plan's records while the lines are walked once."""

    def __init__(
        self,
        services: Mapping[str, Sequence[ServiceItem]],
        entitlements: Mapping[str, Sequence[EntitlementItem]],
        service_specs_of: Mapping[str, Sequence[str]],
        active_contract_id: str | None,
        today: date,
        new_id: Callable[[str], str],
    ) -> None:
        self.services = services
        self.entitlements = entitlements
        self.service_specs_of = service_specs_of
        self.active_contract_id = active_contract_id
        self.today = today
        self.new_id = new_id
        self.state_changes: list[ItemStateChange] = []
        self.characteristic_updates: list[CharacteristicUpdate] = []
        self.root_links: list[RootLinkChange] = []
        self.service_changes: list[ServiceStateChange] = []
        self.new_services: list[ServiceItem] = []
        self.entitlement_changes: list[EntitlementStateChange] = []
        self.new_entitlements: list[EntitlementItem] = []
        self.entitlement_updates: list[EntitlementUpdate] = []
        self.entitlement_repoints: list[EntitlementRepoint] = []
        self.items_without_entitlement: list[str] = []
        self.location_updates: list[LocationUpdate] = []
        self.version_updates: list[VersionUpdate] = []

    def item(self, item_id: str, from_state: InventoryState, to_state: InventoryState) -> None:
        if from_state is not to_state:
            self.state_changes.append(ItemStateChange(item_id, from_state, to_state))

    def move_services(
        self, product_id: str, from_states: Iterable[ServiceState], to_state: ServiceState
    ) -> None:
        allowed = frozenset(from_states)
        for service in self.services.get(product_id, ()):
            if service.state in allowed:
                self.service_changes.append(
                    ServiceStateChange(service.id, product_id, service.state, to_state)
                )

    def create_services(self, product_id: str, spec_id: str) -> None:
        for service_spec_id in self.service_specs_of.get(spec_id, ()):
            self.new_services.append(
                ServiceItem(self.new_id(SERVICE_PREFIX), service_spec_id, ServiceState.ACTIVE, product_id)
            )

    def move_entitlements(
        self, product_id: str, from_states: Iterable[EntitlementState], to_state: EntitlementState
    ) -> None:
        allowed = frozenset(from_states)
        for entitlement in self.entitlements.get(product_id, ()):
            if entitlement.state in allowed:
                self.entitlement_changes.append(
                    EntitlementStateChange(entitlement.id, product_id, entitlement.state, to_state)
                )

    def resume_entitlements(self, product_id: str) -> None:
        for entitlement in self.entitlements.get(product_id, ()):
            if entitlement.state is not EntitlementState.SUSPENDED:
                continue
            expired = entitlement.end_date is not None and entitlement.end_date < self.today
            to_state = EntitlementState.EXPIRED if expired else EntitlementState.ACTIVE
            self.entitlement_changes.append(
                EntitlementStateChange(entitlement.id, product_id, entitlement.state, to_state)
            )

    def grant_entitlement(self, product_id: str) -> None:
        if self.active_contract_id is None:
            self.items_without_entitlement.append(product_id)
            return
        self.new_entitlements.append(
            EntitlementItem(
                self.new_id(ENTITLEMENT_PREFIX), self.active_contract_id, product_id, EntitlementState.ACTIVE
            )
        )

    def live_entitlements(self, product_id: str) -> list[EntitlementItem]:
        return [e for e in self.entitlements.get(product_id, ()) if e.state in _LIVE_ENTITLEMENTS]


def completion_effects(
    order: Order,
    items: Mapping[str, InventoryItem],
    approval: ApprovalRecord,
    services: Mapping[str, Sequence[ServiceItem]],
    entitlements: Mapping[str, Sequence[EntitlementItem]],
    specs: Mapping[str, ProductSpec],
    service_specs_of: Mapping[str, Sequence[str]],
    active_contract_id: str | None,
    today: date,
    new_id: Callable[[str], str],
) -> CompletionPlan:
    """Effects of completing `order` (R8, R9, R10, R4), an IN_PROGRESS order whose domain orders are closed.

    `items` holds the items the lines target (move copies may be left out), `services` and
    `entitlements` are keyed by product inventory item id, `approval` is what approval recorded.
    `specs` is the catalog the order was decomposed with; `service_specs_of` maps a product
    specification to its realizing service specifications (see `rules.fulfillment.realized_as`).
    """
    if order.state is not OrderState.IN_PROGRESS:
        raise _invalid_order_state(order.id, order.state, "completed")
    pairs = _targeted_items(order, items)
    missing_specs = sorted({item.spec_id for _, item in pairs if item.spec_id not in specs})
    if missing_specs:
        raise RuleError(
            RuleViolation(
                ErrorCode.NOT_FOUND,
                f"Product specification not found: {', '.join(missing_specs)}",
                field="specId",
                ids=tuple(missing_specs),
            )
        )
    uncopied = [item.id for line, item in pairs if _relocates(line) and item.id not in approval.copies]
    if uncopied:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Moved items have no copy at the new location: {_listed(uncopied)}",
                ids=tuple(uncopied),
            )
        )

    plan = _CompletionBuilder(services, entitlements, service_specs_of, active_contract_id, today, new_id)
    every_service_state = tuple(s for s in ServiceState if s is not ServiceState.TERMINATED)
    for line, item in pairs:
        action = effective_action(line)
        if _relocates(line):
            copy_id = approval.copies[item.id]
            copy = items.get(copy_id)
            plan.item(item.id, item.state, InventoryState.INACTIVE)
            plan.item(
                copy_id, copy.state if copy else InventoryState.INSTALLATION_PENDING, InventoryState.ACTIVE
            )
            if item.parent_id is None:
                plan.root_links.append(RootLinkChange(item.account_id, item.id, copy_id))
            plan.move_services(item.id, every_service_state, ServiceState.TERMINATED)
            plan.create_services(copy_id, item.spec_id)
            for entitlement in plan.live_entitlements(item.id):
                plan.entitlement_repoints.append(EntitlementRepoint(entitlement.id, item.id, copy_id))
                if line.characteristic_changes:
                    plan.entitlement_updates.append(
                        EntitlementUpdate(entitlement.id, copy_id, line.id, line.characteristic_changes)
                    )
        elif action is LineAction.ADD:
            plan.item(item.id, item.state, InventoryState.ACTIVE)
            plan.create_services(item.id, item.spec_id)
            plan.grant_entitlement(item.id)
        elif action is LineAction.CHANGE:
            plan.item(item.id, item.state, InventoryState.ACTIVE)
            if line.target_location_id is not None and line.target_location_id != item.location_id:
                plan.location_updates.append(LocationUpdate(item.id, item.location_id, line.target_location_id))
            if line.specification_version is not None and line.specification_version != item.spec_version:
                plan.version_updates.append(VersionUpdate(item.id, item.spec_version, line.specification_version))
            if line.characteristic_changes:
                plan.characteristic_updates.append(
                    CharacteristicUpdate(
                        item.id, _with_changes(item.characteristics, line.characteristic_changes)
                    )
                )
            for entitlement in plan.live_entitlements(item.id):
                plan.entitlement_updates.append(
                    EntitlementUpdate(entitlement.id, item.id, line.id, line.characteristic_changes)
                )
        elif action is LineAction.DISCONNECT:
            plan.item(item.id, item.state, InventoryState.INACTIVE)
            plan.move_services(item.id, every_service_state, ServiceState.TERMINATED)
            plan.move_entitlements(item.id, _LIVE_ENTITLEMENTS, EntitlementState.CANCELLED)
        elif action is LineAction.SUSPEND:
            plan.item(item.id, item.state, InventoryState.SUSPENDED)
            plan.move_services(item.id, (ServiceState.ACTIVE,), ServiceState.INACTIVE)
            plan.move_entitlements(item.id, (EntitlementState.ACTIVE,), EntitlementState.SUSPENDED)
        elif action is LineAction.RESUME:
            plan.item(item.id, item.state, InventoryState.ACTIVE)
            plan.move_services(item.id, (ServiceState.INACTIVE,), ServiceState.ACTIVE)
            plan.resume_entitlements(item.id)

    notes: list[str] = []
    if plan.items_without_entitlement:
        notes.append(
            f"Account has no active contract: no entitlement granted for "
            f"{_listed(plan.items_without_entitlement)}"
        )
    return CompletionPlan(
        order_id=order.id,
        order_state=OrderState.COMPLETED,
        state_changes=tuple(plan.state_changes),
        characteristic_updates=tuple(plan.characteristic_updates),
        root_links=tuple(plan.root_links),
        service_changes=tuple(plan.service_changes),
        new_services=tuple(plan.new_services),
        entitlement_changes=tuple(plan.entitlement_changes),
        new_entitlements=tuple(plan.new_entitlements),
        entitlement_updates=tuple(plan.entitlement_updates),
        entitlement_repoints=tuple(plan.entitlement_repoints),
        items_without_entitlement=tuple(plan.items_without_entitlement),
        notes=tuple(notes),
        location_updates=tuple(plan.location_updates),
        version_updates=tuple(plan.version_updates),
    )


def _relocates(line: OrderLine) -> bool:
    """A move line that carries its item to the new location (a copy replaces it)."""
    return line.move and effective_action(line) is LineAction.CHANGE


def _invalid_order_state(order_id: str, state: OrderState, verb: str) -> RuleError:
    return RuleError(
        RuleViolation(
            ErrorCode.INVALID_STATE,
            f"Order {order_id} is {state} and cannot be {verb}",
            field="orderId",
            ids=(order_id,),
        )
    )


def cancellation_effects(
    order: Order,
    items: Mapping[str, InventoryItem],
    domain_orders: Sequence[DomainOrder],
    returns: Sequence[ReturnAuthorization],
    approval: ApprovalRecord | None = None,
    work_orders: Sequence[WorkOrder] = (),
) -> CancellationPlan:
    """Effects of cancelling `order` (R12).

    DRAFT, SUBMITTED or QUEUED (a follow-on waiting, R15): cancelled outright; items its ADD lines
    created become INACTIVE.
    IN_PROGRESS (or an interrupted CANCELLATION_IN_PROGRESS): refused with PAST_POINT_OF_NO_RETURN
    when a point-of-no-return task is CLOSED_COMPLETE; otherwise pending items go back to their
    previous state, items the order created (ADD items, move copies) become INACTIVE, AUTHORIZED
    RMAs are cancelled, unfinished tasks, domain orders and work orders are cancelled.
    COMPLETED, REJECTED or CANCELLED: refused with INVALID_STATE.
    `items` holds the items the lines target and, once approved, the move copies.
    """
    if order.state in (OrderState.DRAFT, OrderState.SUBMITTED, OrderState.QUEUED):
        changes = _retire_created(order.lines, items, ())
        return CancellationPlan(order.id, OrderState.CANCELLED, tuple(changes), (), (), (), (), ())
    if order.state is OrderState.REVISION_IN_PROGRESS:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Order {order.id} has a revision in progress; cancel the revision (cancelRevision) first",
                field="orderId",
                ids=(order.id,),
            )
        )
    if order.state not in (OrderState.IN_PROGRESS, OrderState.CANCELLATION_IN_PROGRESS):
        raise _invalid_order_state(order.id, order.state, "cancelled")

    past = [
        t
        for d in domain_orders
        for t in d.tasks
        if t.point_of_no_return and t.state is TaskState.CLOSED_COMPLETE
    ]
    if past:
        named = ", ".join(f"'{t.name}' ({t.id})" for t in past)
        raise RuleError(
            RuleViolation(
                ErrorCode.PAST_POINT_OF_NO_RETURN,
                f"Order {order.id} is past its point of no return: {named} completed",
                field="orderId",
                ids=tuple(t.id for t in past),
            )
        )

    record = approval or ApprovalRecord()
    notes: list[str] = []
    state_changes: list[ItemStateChange] = []
    unknown_previous: list[str] = []
    for line in order.lines:
        action = effective_action(line)
        if action not in (LineAction.CHANGE, LineAction.DISCONNECT) or line.inventory_id is None:
            continue
        item = items.get(line.inventory_id)
        if item is None or item.state not in _PENDING_STATES:
            continue
        previous = record.previous_states.get(item.id)
        if previous is None:
            unknown_previous.append(item.id)
            previous = InventoryState.ACTIVE
        state_changes.append(ItemStateChange(item.id, item.state, previous))
    if unknown_previous:
        notes.append(f"No recorded previous state, restored to ACTIVE: {_listed(unknown_previous)}")
    state_changes.extend(_retire_created(order.lines, items, record.copies.values()))

    task_changes = [
        FulfillmentStateChange(t.id, t.state, TaskState.CANCELLED)
        for d in domain_orders
        for t in d.tasks
        if t.state in _UNFINISHED
    ]
    domain_order_changes = _cancel_unfinished(domain_orders, "Domain order", notes)
    work_order_changes = [
        FulfillmentStateChange(w.id, w.state, WorkOrderState.CANCELLED)
        for w in work_orders
        if w.state in _UNFINISHED_FIELD_WORK
    ]
    notes.extend(
        f"Work order {w.id} was already complete and stays closed"
        for w in work_orders
        if w.state is WorkOrderState.CLOSED_COMPLETE
    )

    return_changes: list[ReturnStateChange] = []
    for rma in returns:
        if rma.state is ReturnState.AUTHORIZED:
            return_changes.append(ReturnStateChange(rma.id, rma.state, ReturnState.CANCELLED))
        elif rma.state is ReturnState.RECEIVED:
            notes.append(f"Return {rma.id}: device {rma.item_id} already received; the return stays open")

    return CancellationPlan(
        order_id=order.id,
        order_state=OrderState.CANCELLED,
        state_changes=tuple(state_changes),
        task_changes=tuple(task_changes),
        domain_order_changes=tuple(domain_order_changes),
        work_order_changes=tuple(work_order_changes),
        return_changes=tuple(return_changes),
        notes=tuple(notes),
    )


def _retire_created(
    lines: Sequence[OrderLine], items: Mapping[str, InventoryItem], copy_ids: Iterable[str]
) -> list[ItemStateChange]:
    """Items the order created (ADD items, move copies) become INACTIVE."""
    created = [line.inventory_id for line in lines if line.action is LineAction.ADD and line.inventory_id]
    created.extend(copy_ids)
    changes: list[ItemStateChange] = []
    for item_id in created:
        item = items.get(item_id)
        from_state = item.state if item else InventoryState.INSTALLATION_PENDING
        if from_state is not InventoryState.INACTIVE:
            changes.append(ItemStateChange(item_id, from_state, InventoryState.INACTIVE))
    return changes


def _cancel_unfinished(
    records: Sequence[DomainOrder], label: str, notes: list[str]
) -> list[FulfillmentStateChange]:
    changes: list[FulfillmentStateChange] = []
    for record in records:
        if record.state in _UNFINISHED:
            changes.append(FulfillmentStateChange(record.id, record.state, TaskState.CANCELLED))
        elif record.state is TaskState.CLOSED_COMPLETE:
            notes.append(f"{label} {record.id} was already complete and stays closed")
    return changes
