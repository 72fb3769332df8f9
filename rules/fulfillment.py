"""Decomposition of an approved order into fulfillment work (R7, R9, R11), and the task flow.

`decompose` turns a customer order into domain orders (product, service, resource) with their
tasks, work orders for field work and return authorizations for devices that come back.
`start_task` and `close_task` decide how fulfillment advances until the order completes.

Decisions worth knowing:

- Line membership. Every line except `NO_CHANGE` joins the PRODUCT domain order; a line whose
  specification is realized by service specifications joins the SERVICE domain order; a line on a
  physical specification joins the RESOURCE domain order unless it suspends or resumes. A
  `NO_CHANGE` line with the move flag relocates its item, so it counts as a `CHANGE`.
- Tasks. A domain order's tasks come from the templates of its lines' specifications (product
  specifications for PRODUCT and RESOURCE, their realizing service specifications for SERVICE),
  in first-seen order, one task per name. A template only counts for the domain it names and,
  when it lists `actions`, for lines with those actions (a move line marked `NO_CHANGE` counts
  as `CHANGE`). A line for which its specification has no applicable template in a domain gets
  that domain's defaults (the `DEFAULT_*` constants below; RESOURCE defaults depend on where the
  device goes). A task is a point of no return when any template that produced it is one.
- Device swap. A `CHANGE` line on a physical specification that changes the characteristic named
  "model" (`DEVICE_MODEL_CHARACTERISTIC`) swaps the device: a new one ships, the old one is
  collected and returned under an RMA.
- Work orders. SHIP_DEVICE for a physical item added or swapped, COLLECT_DEVICE for a physical
  item disconnected or swapped, SITE_INSTALL once per distinct target location of the move lines
  that land there (a move's `DISCONNECT` lines stay behind and land nowhere).
- RMAs. One per `DISCONNECT` line on a physical item (reason MOVE_NOT_KEPT when the line is part
  of a move) and one per device swap, linked to the line and the device's inventory item.
- Ids come from `new_id(prefix)` with the prefixes `DOMAIN_ORDER_PREFIX`, `TASK_PREFIX`,
  `WORK_ORDER_PREFIX` and `RETURN_PREFIX`, called in a fixed order so plans are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rules.lifecycle_model import (
    DomainOrderKind,
    ReturnReason,
    ReturnState,
    TaskState,
    TaskTemplate,
    WorkOrderKind,
)
from rules.model import (
    ErrorCode,
    InventoryItem,
    LineAction,
    Order,
    OrderLine,
    ProductSpec,
    RuleError,
    RuleViolation,
)

DEVICE_MODEL_CHARACTERISTIC = "model"

DOMAIN_ORDER_PREFIX = "DO"
TASK_PREFIX = "TASK"
WORK_ORDER_PREFIX = "WO"
RETURN_PREFIX = "RMA"

DEFAULT_PRODUCT_TEMPLATES: tuple[TaskTemplate, ...] = (
    TaskTemplate("Validate order", DomainOrderKind.PRODUCT),
    TaskTemplate("Update billing", DomainOrderKind.PRODUCT),
)
DEFAULT_SERVICE_TEMPLATES: tuple[TaskTemplate, ...] = (
    TaskTemplate("Design service", DomainOrderKind.SERVICE),
    TaskTemplate("Activate service", DomainOrderKind.SERVICE, point_of_no_return=True),
)
RESERVE_DEVICE = TaskTemplate("Reserve device", DomainOrderKind.RESOURCE)
SHIP_DEVICE = TaskTemplate("Ship device", DomainOrderKind.RESOURCE)
COLLECT_DEVICE = TaskTemplate("Collect device", DomainOrderKind.RESOURCE)
CONFIGURE_DEVICE = TaskTemplate("Configure device", DomainOrderKind.RESOURCE)
DEFAULT_RESOURCE_OUTBOUND: tuple[TaskTemplate, ...] = (RESERVE_DEVICE, SHIP_DEVICE)
DEFAULT_RESOURCE_INBOUND: tuple[TaskTemplate, ...] = (COLLECT_DEVICE,)
DEFAULT_RESOURCE_SWAP: tuple[TaskTemplate, ...] = (RESERVE_DEVICE, SHIP_DEVICE, COLLECT_DEVICE)
DEFAULT_RESOURCE_IN_PLACE: tuple[TaskTemplate, ...] = (CONFIGURE_DEVICE,)

_DOMAIN_ORDER_KINDS = (DomainOrderKind.PRODUCT, DomainOrderKind.SERVICE, DomainOrderKind.RESOURCE)
_NO_RESOURCE_WORK = frozenset({LineAction.NO_CHANGE, LineAction.SUSPEND, LineAction.RESUME})


@dataclass(frozen=True)
class OrderTask:
    """One fulfillment step of a domain order; `sequence` numbers the steps from 1."""

    id: str
    domain_order_id: str
    name: str
    sequence: int
    point_of_no_return: bool = False
    state: TaskState = TaskState.OPEN
    held_by: tuple[str, ...] = ()
    """What holds the task (a revision of its order, R14); a held task neither starts nor closes."""


@dataclass(frozen=True)
class DomainOrder:
    """A product, service or resource order covering `line_ids`, fulfilled by closing its tasks."""

    id: str
    kind: DomainOrderKind
    state: TaskState
    line_ids: tuple[str, ...]
    tasks: tuple[OrderTask, ...]


@dataclass(frozen=True)
class WorkOrder:
    """Field work: ship or collect the device `item_id`, or install the site `location_id`."""

    id: str
    kind: WorkOrderKind
    line_ids: tuple[str, ...]
    item_id: str | None
    location_id: str | None
    state: TaskState = TaskState.OPEN


@dataclass(frozen=True)
class ReturnAuthorization:
    """An RMA: the device `item_id` removed by line `line_id` must come back (R11)."""

    id: str
    line_id: str
    item_id: str
    reason: ReturnReason
    state: ReturnState = ReturnState.AUTHORIZED


@dataclass(frozen=True)
class Decomposition:
    """Everything approval creates for fulfillment: domain orders (PRODUCT, SERVICE, RESOURCE order,
    only those with lines), work orders and return authorizations."""

    order_id: str
    domain_orders: tuple[DomainOrder, ...]
    work_orders: tuple[WorkOrder, ...]
    returns: tuple[ReturnAuthorization, ...]

    def domain_order(self, kind: DomainOrderKind) -> DomainOrder | None:
        """The domain order of `kind`, or None when no line needs that domain."""
        return next((d for d in self.domain_orders if d.kind is kind), None)

    @property
    def tasks(self) -> tuple[OrderTask, ...]:
        """All tasks of all domain orders."""
        return tuple(task for domain_order in self.domain_orders for task in domain_order.tasks)


@dataclass(frozen=True)
class TaskClosure:
    """What closing one task decides.

    `domain_order_state` is CLOSED_COMPLETE when every task of the domain order is closed, else
    IN_PROGRESS. `order_completes` is true when every domain order of the order is then closed:
    the caller applies `completion_effects` in the same transaction. When the task is a point of
    no return, `line_ids_past_point_of_no_return` lists the domain order's lines, and the order can
    no longer be cancelled.
    """

    task_id: str
    task_state: TaskState
    domain_order_id: str
    domain_order_state: TaskState
    order_completes: bool
    point_of_no_return_passed: bool
    line_ids_past_point_of_no_return: tuple[str, ...]

    @property
    def domain_order_closed(self) -> bool:
        return self.domain_order_state is TaskState.CLOSED_COMPLETE


def realized_as(specs: Mapping[str, ProductSpec]) -> dict[str, tuple[str, ...]]:
    """The catalog's realized-as relations: product specification id -> service specification ids."""
    return {spec_id: spec.service_spec_ids for spec_id, spec in specs.items() if spec.service_spec_ids}


def effective_action(line: OrderLine) -> LineAction:
    """The line's action for fulfillment: a move line marked `NO_CHANGE` still relocates its item."""
    if line.move and line.action is LineAction.NO_CHANGE:
        return LineAction.CHANGE
    return line.action


def is_device_swap(line: OrderLine) -> bool:
    """True when a `CHANGE` line changes the device model (call only for physical specifications)."""
    return effective_action(line) is LineAction.CHANGE and any(
        change.name == DEVICE_MODEL_CHARACTERISTIC and change.old != change.new
        for change in line.characteristic_changes
    )


def _physical_spec_ids(order: Order, specs: Mapping[str, ProductSpec]) -> frozenset[str]:
    """Ids of the physical specifications the order's working lines use.

    Raises NOT_FOUND naming every specification missing from the catalog.
    """
    used = {line.spec_id for line in order.lines if effective_action(line) is not LineAction.NO_CHANGE}
    missing = sorted(spec_id for spec_id in used if spec_id not in specs)
    if missing:
        raise RuleError(
            RuleViolation(
                ErrorCode.NOT_FOUND,
                f"Product specification not found: {', '.join(missing)}",
                field="specId",
                ids=tuple(missing),
            )
        )
    return frozenset(spec_id for spec_id in used if specs[spec_id].physical)


class _TaskList:
    """Tasks of one domain order under construction: first-seen order, one per name."""

    def __init__(self) -> None:
        self._ponr: dict[str, bool] = {}

    def add(self, templates: Sequence[TaskTemplate]) -> None:
        for template in templates:
            self._ponr[template.name] = self._ponr.get(template.name, False) or template.point_of_no_return

    def build(self, domain_order_id: str, new_id: Callable[[str], str]) -> tuple[OrderTask, ...]:
        return tuple(
            OrderTask(new_id(TASK_PREFIX), domain_order_id, name, sequence, ponr)
            for sequence, (name, ponr) in enumerate(self._ponr.items(), start=1)
        )


class _Templates:
    """The catalog's templates per specification, domain and line action, with the domain's defaults."""

    def __init__(self, templates: Mapping[str, Sequence[TaskTemplate]]) -> None:
        self._templates = templates
        self._chosen: dict[tuple[str, DomainOrderKind, LineAction], tuple[TaskTemplate, ...]] = {}

    def of(
        self, spec_id: str, kind: DomainOrderKind, action: LineAction, defaults: tuple[TaskTemplate, ...]
    ) -> tuple[TaskTemplate, ...]:
        key = (spec_id, kind, action)
        if key not in self._chosen:
            self._chosen[key] = tuple(
                t for t in self._templates.get(spec_id, ()) if t.domain is kind and t.applies_to(action)
            )
        return self._chosen[key] or defaults


def _resource_defaults(line: OrderLine) -> tuple[TaskTemplate, ...]:
    action = effective_action(line)
    if action is LineAction.ADD:
        return DEFAULT_RESOURCE_OUTBOUND
    if action is LineAction.DISCONNECT:
        return DEFAULT_RESOURCE_INBOUND
    return DEFAULT_RESOURCE_SWAP if is_device_swap(line) else DEFAULT_RESOURCE_IN_PLACE


def decompose(
    order: Order,
    items: Mapping[str, InventoryItem],
    specs: Mapping[str, ProductSpec],
    templates: Mapping[str, Sequence[TaskTemplate]],
    service_specs_of: Mapping[str, Sequence[str]],
    new_id: Callable[[str], str],
) -> Decomposition:
    """Decompose an approved order into domain orders, tasks, work orders and RMAs (R7, R9, R11).

    `items` holds the items the lines target (used for device locations; a missing item leaves
    the location unknown), `templates` maps product and service specification ids to their
    task templates, `service_specs_of` maps product specification ids to the service
    specifications realizing them (see `realized_as`).
    """
    physical = _physical_spec_ids(order, specs)
    catalog = _Templates(templates)
    members: dict[DomainOrderKind, list[str]] = {kind: [] for kind in _DOMAIN_ORDER_KINDS}
    tasks: dict[DomainOrderKind, _TaskList] = {kind: _TaskList() for kind in _DOMAIN_ORDER_KINDS}

    for line in order.lines:
        action = effective_action(line)
        if action is LineAction.NO_CHANGE:
            continue
        members[DomainOrderKind.PRODUCT].append(line.id)
        tasks[DomainOrderKind.PRODUCT].add(
            catalog.of(line.spec_id, DomainOrderKind.PRODUCT, action, DEFAULT_PRODUCT_TEMPLATES)
        )
        service_spec_ids = service_specs_of.get(line.spec_id, ())
        if service_spec_ids:
            members[DomainOrderKind.SERVICE].append(line.id)
            for service_spec_id in service_spec_ids:
                tasks[DomainOrderKind.SERVICE].add(
                    catalog.of(service_spec_id, DomainOrderKind.SERVICE, action, DEFAULT_SERVICE_TEMPLATES)
                )
        if line.spec_id in physical and action not in _NO_RESOURCE_WORK:
            members[DomainOrderKind.RESOURCE].append(line.id)
            tasks[DomainOrderKind.RESOURCE].add(
                catalog.of(line.spec_id, DomainOrderKind.RESOURCE, action, _resource_defaults(line))
            )

    domain_orders: list[DomainOrder] = []
    for kind in _DOMAIN_ORDER_KINDS:
        if not members[kind]:
            continue
        domain_order_id = new_id(DOMAIN_ORDER_PREFIX)
        domain_orders.append(
            DomainOrder(
                id=domain_order_id,
                kind=kind,
                state=TaskState.OPEN,
                line_ids=tuple(members[kind]),
                tasks=tasks[kind].build(domain_order_id, new_id),
            )
        )

    work_orders, returns = _field_work(order, items, physical, new_id)
    return Decomposition(order.id, tuple(domain_orders), work_orders, returns)


def _field_work(
    order: Order,
    items: Mapping[str, InventoryItem],
    physical: frozenset[str],
    new_id: Callable[[str], str],
) -> tuple[tuple[WorkOrder, ...], tuple[ReturnAuthorization, ...]]:
    work_orders: list[WorkOrder] = []
    returns: list[ReturnAuthorization] = []
    sites: dict[str, list[str]] = {}

    for line in order.lines:
        action = effective_action(line)
        if line.move and line.target_location_id and action in (LineAction.CHANGE, LineAction.ADD):
            sites.setdefault(line.target_location_id, []).append(line.id)
        if line.spec_id not in physical or line.inventory_id is None or action in _NO_RESOURCE_WORK:
            continue
        item = items.get(line.inventory_id)
        current_location = item.location_id if item else None
        swap = is_device_swap(line)
        if action is LineAction.ADD or swap:
            destination = (line.target_location_id if line.move else None) or current_location
            work_orders.append(
                WorkOrder(
                    new_id(WORK_ORDER_PREFIX),
                    WorkOrderKind.SHIP_DEVICE,
                    (line.id,),
                    line.inventory_id,
                    destination,
                )
            )
        if action is LineAction.DISCONNECT or swap:
            work_orders.append(
                WorkOrder(
                    new_id(WORK_ORDER_PREFIX),
                    WorkOrderKind.COLLECT_DEVICE,
                    (line.id,),
                    line.inventory_id,
                    current_location,
                )
            )
            if swap:
                reason = ReturnReason.DEVICE_SWAP
            elif line.move:
                reason = ReturnReason.MOVE_NOT_KEPT
            else:
                reason = ReturnReason.DISCONNECT
            returns.append(ReturnAuthorization(new_id(RETURN_PREFIX), line.id, line.inventory_id, reason))

    for location_id, line_ids in sites.items():
        work_orders.append(
            WorkOrder(
                new_id(WORK_ORDER_PREFIX), WorkOrderKind.SITE_INSTALL, tuple(line_ids), None, location_id
            )
        )
    return tuple(work_orders), tuple(returns)


def start_task(task: OrderTask) -> TaskState:
    """Start an open task: OPEN -> IN_PROGRESS; anything else is refused with TASK_NOT_OPEN.

    The task's domain order is IN_PROGRESS from then on (the caller sets it when it is OPEN).
    """
    if task.state is not TaskState.OPEN:
        raise RuleError(
            RuleViolation(
                ErrorCode.TASK_NOT_OPEN,
                f"Task '{task.name}' ({task.id}) is {task.state} and cannot be started",
                field="taskId",
                ids=(task.id,),
            )
        )
    _refuse_held(task, "started")
    return TaskState.IN_PROGRESS


def _refuse_held(task: OrderTask, verb: str) -> None:
    """TASK_ON_HOLD: while something holds a task (a revision of its order), it does not move."""
    if task.held_by:
        raise RuleError(
            RuleViolation(
                ErrorCode.TASK_ON_HOLD,
                f"Task '{task.name}' ({task.id}) is on hold ({', '.join(task.held_by)}) and cannot be {verb}",
                field="taskId",
                ids=(task.id, *task.held_by),
            )
        )


_DONE = frozenset({TaskState.CLOSED_COMPLETE, TaskState.CANCELLED})


def _is_closed(domain_order: DomainOrder) -> bool:
    """Nothing is left to do: closed, cancelled (a revision took its lines away), or every task done."""
    return domain_order.state in _DONE or all(t.state in _DONE for t in domain_order.tasks)


def close_task(domain_orders: Sequence[DomainOrder], task_id: str) -> TaskClosure:
    """Close one task of an order whose domain orders (with their tasks) are `domain_orders`.

    OPEN or IN_PROGRESS -> CLOSED_COMPLETE; any other state is refused with TASK_NOT_OPEN, an
    unknown task with NOT_FOUND.
    """
    owner: DomainOrder | None = None
    task: OrderTask | None = None
    for domain_order in domain_orders:
        task = next((t for t in domain_order.tasks if t.id == task_id), None)
        if task is not None:
            owner = domain_order
            break
    if owner is None or task is None:
        raise RuleError(
            RuleViolation(ErrorCode.NOT_FOUND, f"Task {task_id} not found", field="taskId", ids=(task_id,))
        )
    if task.state not in (TaskState.OPEN, TaskState.IN_PROGRESS):
        raise RuleError(
            RuleViolation(
                ErrorCode.TASK_NOT_OPEN,
                f"Task '{task.name}' ({task.id}) is {task.state} and cannot be closed",
                field="taskId",
                ids=(task.id,),
            )
        )
    _refuse_held(task, "closed")

    owner_closed = all(t.state in _DONE for t in owner.tasks if t.id != task_id)
    others_closed = all(_is_closed(d) for d in domain_orders if d.id != owner.id)
    return TaskClosure(
        task_id=task_id,
        task_state=TaskState.CLOSED_COMPLETE,
        domain_order_id=owner.id,
        domain_order_state=TaskState.CLOSED_COMPLETE if owner_closed else TaskState.IN_PROGRESS,
        order_completes=owner_closed and others_closed,
        point_of_no_return_passed=task.point_of_no_return,
        line_ids_past_point_of_no_return=owner.line_ids if task.point_of_no_return else (),
    )
