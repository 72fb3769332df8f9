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
- Dependencies (R13). A template's `after` entries name tasks of the order by domain and name;
  an entry whose task the order does not have is ignored, and a `make_before_break` entry
  counts only when the order replaces what it removes (`replaces_in_place`). The order's tasks
  are put in one stable topological order over those edges (ties: position in the domain's
  first-seen list, then PRODUCT, SERVICE, RESOURCE); each domain order's `sequence` follows it,
  and every task also waits for the task before it in its domain order. A cycle refuses the
  approval with DEPENDENCY_CYCLE naming the tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rules.lifecycle_model import (
    DONE_TASK_STATES,
    DomainOrderKind,
    ReturnReason,
    ReturnState,
    TaskDependency,
    TaskState,
    TaskTemplate,
    WorkOrderKind,
    WorkOrderState,
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
    """One fulfillment step of a domain order; `sequence` numbers the steps from 1.

    `depends_on` holds the ids of the tasks that must be done (closed or skipped) before this one
    can be started or closed; `work_order` the kind of the order's field work it waits for.
    """

    id: str
    domain_order_id: str
    name: str
    sequence: int
    point_of_no_return: bool = False
    state: TaskState = TaskState.OPEN
    depends_on: tuple[str, ...] = ()
    duration_hours: float | None = None
    work_order: WorkOrderKind | None = None
    activation: bool = False
    attempt: int = 1
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
    state: WorkOrderState = WorkOrderState.OPEN
    return_id: str | None = None


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


@dataclass
class _PlannedTask:
    """A task of one domain order under construction, merged from every template with its name."""

    name: str
    point_of_no_return: bool = False
    after: list[TaskDependency] = field(default_factory=list)
    duration_hours: float | None = None
    work_order: WorkOrderKind | None = None
    activation: bool = False


class _TaskList:
    """Tasks of one domain order under construction: first-seen order, one per name."""

    def __init__(self) -> None:
        self.tasks: dict[str, _PlannedTask] = {}

    def add(self, templates: Sequence[TaskTemplate]) -> None:
        for template in templates:
            planned = self.tasks.setdefault(template.name, _PlannedTask(template.name))
            planned.point_of_no_return = planned.point_of_no_return or template.point_of_no_return
            planned.activation = planned.activation or template.activation
            planned.after.extend(d for d in template.after if d not in planned.after)
            if template.duration_hours is not None:
                planned.duration_hours = max(planned.duration_hours or 0.0, template.duration_hours)
            planned.work_order = planned.work_order or template.work_order


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

    kinds = [kind for kind in _DOMAIN_ORDER_KINDS if members[kind]]
    planned = {kind: tasks[kind] for kind in kinds}
    edges = _dependency_edges(planned, replaces_in_place(order, physical))
    ordered = _topological(planned, edges)

    domain_order_ids = {kind: new_id(DOMAIN_ORDER_PREFIX) for kind in kinds}
    task_ids = {key: new_id(TASK_PREFIX) for key in ordered}
    sequence: dict[tuple[DomainOrderKind, str], int] = {}
    previous: dict[DomainOrderKind, tuple[DomainOrderKind, str]] = {}
    depends: dict[tuple[DomainOrderKind, str], list[str]] = {}
    counts: dict[DomainOrderKind, int] = dict.fromkeys(kinds, 0)
    for key in ordered:
        kind = key[0]
        counts[kind] += 1
        sequence[key] = counts[kind]
        waits = [task_ids[previous[kind]]] if kind in previous else []
        waits.extend(task_ids[dep] for dep in edges.get(key, ()) if task_ids[dep] not in waits)
        depends[key] = waits
        previous[kind] = key

    domain_orders: list[DomainOrder] = []
    for kind in kinds:
        keys = sorted((k for k in ordered if k[0] is kind), key=lambda k: sequence[k])
        domain_orders.append(
            DomainOrder(
                id=domain_order_ids[kind],
                kind=kind,
                state=TaskState.OPEN,
                line_ids=tuple(members[kind]),
                tasks=tuple(
                    OrderTask(
                        id=task_ids[key],
                        domain_order_id=domain_order_ids[kind],
                        name=key[1],
                        sequence=sequence[key],
                        point_of_no_return=planned[kind].tasks[key[1]].point_of_no_return,
                        depends_on=tuple(depends[key]),
                        duration_hours=planned[kind].tasks[key[1]].duration_hours,
                        work_order=planned[kind].tasks[key[1]].work_order,
                        activation=planned[kind].tasks[key[1]].activation,
                    )
                    for key in keys
                ),
            )
        )

    work_orders, returns = _field_work(order, items, physical, new_id)
    return Decomposition(order.id, tuple(domain_orders), work_orders, returns)


def replaces_in_place(order: Order, physical: frozenset[str]) -> bool:
    """True when the order replaces what it removes: a line removes and a sibling line adds under the
    same parent line (an upgrade such as 4G to 5G), or a line swaps a physical device."""
    removing = {
        ln.parent_line_id for ln in order.lines
        if effective_action(ln) is LineAction.DISCONNECT and ln.parent_line_id is not None
    }
    adding = {
        ln.parent_line_id for ln in order.lines
        if effective_action(ln) is LineAction.ADD and ln.parent_line_id is not None
    }
    if removing & adding:
        return True
    return any(ln.spec_id in physical and is_device_swap(ln) for ln in order.lines)


TaskKey = tuple[DomainOrderKind, str]


def _dependency_edges(planned: Mapping[DomainOrderKind, _TaskList], replacing: bool) -> dict[TaskKey, list[TaskKey]]:
    """Each task's catalog dependencies that the order has (make-before-break ones only when replacing)."""
    edges: dict[TaskKey, list[TaskKey]] = {}
    for kind, task_list in planned.items():
        for name, task in task_list.tasks.items():
            found: list[TaskKey] = []
            for dep in task.after:
                key = (dep.domain, dep.name)
                if dep.make_before_break and not replacing:
                    continue
                known = dep.domain in planned and dep.name in planned[dep.domain].tasks
                if known and key != (kind, name) and key not in found:
                    found.append(key)
            edges[(kind, name)] = found
    return edges


def _topological(planned: Mapping[DomainOrderKind, _TaskList], edges: Mapping[TaskKey, list[TaskKey]]) -> list[TaskKey]:
    """Every task once, each after what it depends on; ties by first-seen position, then domain."""
    rank = {kind: i for i, kind in enumerate(_DOMAIN_ORDER_KINDS)}
    priority = {
        (kind, name): (position, rank[kind])
        for kind, task_list in planned.items()
        for position, name in enumerate(task_list.tasks)
    }
    waiting = {key: set(deps) for key, deps in edges.items()}
    ordered: list[TaskKey] = []
    while waiting:
        free = [key for key, deps in waiting.items() if not deps]
        if not free:
            stuck = sorted(waiting, key=lambda k: priority[k])
            named = ", ".join(f"{kind.value} '{name}'" for kind, name in stuck)
            raise RuleError(
                RuleViolation(
                    ErrorCode.DEPENDENCY_CYCLE,
                    f"The catalog's task dependencies form a cycle among {named}",
                    field="orderId",
                    ids=tuple(name for _, name in stuck),
                )
            )
        chosen = min(free, key=lambda k: priority[k])
        ordered.append(chosen)
        del waiting[chosen]
        for deps in waiting.values():
            deps.discard(chosen)
    return ordered


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
            work_order_id = new_id(WORK_ORDER_PREFIX)
            if swap:
                reason = ReturnReason.DEVICE_SWAP
            elif line.move:
                reason = ReturnReason.MOVE_NOT_KEPT
            else:
                reason = ReturnReason.DISCONNECT
            rma = ReturnAuthorization(new_id(RETURN_PREFIX), line.id, line.inventory_id, reason)
            # The collection is linked to its return: receiving the device completes it (R13).
            work_orders.append(
                WorkOrder(
                    work_order_id,
                    WorkOrderKind.COLLECT_DEVICE,
                    (line.id,),
                    line.inventory_id,
                    current_location,
                    return_id=rma.id,
                )
            )
            returns.append(rma)

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
    Whether its dependencies let it start is `rules.task_flow.require_ready`.
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
    refuse_held(task, "started")
    return TaskState.IN_PROGRESS


def refuse_held(task: OrderTask, verb: str) -> None:
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


_FINISHED = DONE_TASK_STATES | {TaskState.CANCELLED}


def _is_closed(domain_order: DomainOrder) -> bool:
    """Nothing is left to do: closed, cancelled (a revision took its lines away), or every task done."""
    return domain_order.state in _FINISHED or all(t.state in _FINISHED for t in domain_order.tasks)


def find_task(domain_orders: Sequence[DomainOrder], task_id: str) -> tuple[DomainOrder, OrderTask]:
    """The task and its domain order; NOT_FOUND when the order has no such task."""
    for domain_order in domain_orders:
        task = next((t for t in domain_order.tasks if t.id == task_id), None)
        if task is not None:
            return domain_order, task
    raise RuleError(
        RuleViolation(ErrorCode.NOT_FOUND, f"Task {task_id} not found", field="taskId", ids=(task_id,))
    )


def close_task(domain_orders: Sequence[DomainOrder], task_id: str, *, skip: bool = False) -> TaskClosure:
    """Close one task of an order whose domain orders (with their tasks) are `domain_orders`.

    OPEN or IN_PROGRESS -> CLOSED_COMPLETE; any other state is refused with TASK_NOT_OPEN, an
    unknown task with NOT_FOUND. With `skip` the task becomes SKIPPED instead, from FAILED too: it
    then counts as done, and a skipped point of no return is passed like a closed one.
    """
    owner, task = find_task(domain_orders, task_id)
    allowed = (TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.FAILED) if skip else (
        TaskState.OPEN, TaskState.IN_PROGRESS
    )
    if task.state not in allowed:
        raise RuleError(
            RuleViolation(
                ErrorCode.TASK_NOT_OPEN,
                f"Task '{task.name}' ({task.id}) is {task.state} and cannot be {'skipped' if skip else 'closed'}",
                field="taskId",
                ids=(task.id,),
            )
        )
    refuse_held(task, "closed")

    owner_closed = all(t.state in _FINISHED for t in owner.tasks if t.id != task_id)
    others_closed = all(_is_closed(d) for d in domain_orders if d.id != owner.id)
    return TaskClosure(
        task_id=task_id,
        task_state=TaskState.SKIPPED if skip else TaskState.CLOSED_COMPLETE,
        domain_order_id=owner.id,
        domain_order_state=TaskState.CLOSED_COMPLETE if owner_closed else TaskState.IN_PROGRESS,
        order_completes=owner_closed and others_closed,
        point_of_no_return_passed=task.point_of_no_return,
        line_ids_past_point_of_no_return=owner.line_ids if task.point_of_no_return else (),
    )
