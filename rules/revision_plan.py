"""Applying an approved revision (R14): what the delta between the revised and the running line tree
does to items, fulfillment work and move copies, planned in one go (`revision_effects`).

Decisions worth knowing:

- Compensation of removed lines and of the old version of changed lines: pending items go back to
  the state recorded at approval, products a removed ADD line created become INACTIVE, authorized
  returns of those lines are cancelled, unfinished work orders serving only those lines are
  cancelled. A domain order left without lines has its unfinished tasks cancelled and is
  cancelled; its closed tasks get undo tasks where the catalog's template names one (`undo`).
- New and changed lines are decomposed as at approval; the tasks join the running domain order of
  the same kind: a task whose name the domain order still has unfinished is not repeated, any
  other task is appended (a redo when a task of that name was already closed). A closed domain
  order that gets tasks is IN_PROGRESS again. New work orders and returns are created as at approval.
- Moves (R4): a copy stays while its line still moves the item to the same location (a changed
  line's characteristics are written on it); a removed line, one that no longer moves its item or
  one sent elsewhere retires the copy (INACTIVE, released) and the line gets a new copy where it now
  goes. Products added under a moved item hang under its copy; a site install the order already
  has at a location serves new lines going there.
- Tasks the revision creates are planned like a fresh order's: the catalog's dependencies of the
  final line tree, mapped onto the real tasks (`_TaskLinks`), so make before break holds across
  running and new lines; running tasks still to do may gain dependencies on created ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from rules.effects import (
    ApprovalRecord,
    CharacteristicUpdate,
    FulfillmentStateChange,
    ItemCopy,
    ItemRelink,
    ItemStateChange,
    RememberedLine,
    ReturnStateChange,
    approval_effects,
    remembered_lines,
)
from rules.fulfillment import (
    TASK_PREFIX,
    Decomposition,
    DomainOrder,
    OrderTask,
    ReturnAuthorization,
    WorkOrder,
    decompose,
    effective_action,
)
from rules.lifecycle_model import (
    OPEN_TASK_STATES,
    ReturnState,
    TaskState,
    TaskTemplate,
    WorkOrderKind,
    WorkOrderState,
)
from rules.model import (
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
from rules.revision import LineDelta, RevisionSummary, summarize

_PENDING = frozenset({InventoryState.CHANGE_PENDING, InventoryState.DISCONNECT_PENDING})
_UNFINISHED = OPEN_TASK_STATES  # FAILED work is unfinished too: it is cancelled when its lines go
_UNFINISHED_FIELD_WORK = frozenset(
    {WorkOrderState.OPEN, WorkOrderState.SCHEDULED, WorkOrderState.IN_PROGRESS, WorkOrderState.FAILED}
)


# ---------------------------------------------------------------------------------------------------
# Applying the delta


@dataclass(frozen=True)
class AppendedTask:
    """A task joining a running domain order (`redo` when a task of that name was already closed)."""

    task: OrderTask
    redo: bool = False
    undo_of: str | None = None


@dataclass(frozen=True)
class RevisionPlan:
    """Everything the approval of a revision writes, in one transaction.

    `lines` is the order's line tree from now on; `removed_line_ids` leave it. Item state changes
    are net (from the state now to the state after the revision), move copies included. `copies`
    and `relinks` are the new move copies and the products added to a move, as at approval.
    `added_dependencies` are tasks already running that now also wait for tasks the revision adds
    (make before break across old and new lines); `extended_work_orders` are site installs the
    running order already has at a location new move lines go to (they serve those lines too).
    """

    lines: tuple[OrderLine, ...]
    removed_line_ids: tuple[str, ...]
    state_changes: tuple[ItemStateChange, ...]
    characteristic_updates: tuple[CharacteristicUpdate, ...]
    remembered: tuple[RememberedLine, ...]
    forgotten_copy_line_ids: tuple[str, ...]
    copies: tuple[ItemCopy, ...]
    relinks: tuple[ItemRelink, ...]
    task_changes: tuple[FulfillmentStateChange, ...]
    domain_order_changes: tuple[FulfillmentStateChange, ...]
    work_order_changes: tuple[FulfillmentStateChange, ...]
    return_changes: tuple[ReturnStateChange, ...]
    appended_tasks: tuple[AppendedTask, ...]
    added_dependencies: tuple[tuple[str, tuple[str, ...]], ...]
    covered_lines: tuple[tuple[str, str], ...]
    new_domain_orders: tuple[DomainOrder, ...]
    decomposition: Decomposition
    extended_work_orders: tuple[tuple[str, tuple[str, ...]], ...]
    released_item_ids: tuple[str, ...]
    completes: bool
    summary: RevisionSummary
    notes: tuple[str, ...] = field(default=())

    @property
    def created_tasks(self) -> tuple[OrderTask, ...]:
        """Every task the revision creates: appended to running domain orders or in new ones."""
        return (*(a.task for a in self.appended_tasks), *(t for d in self.new_domain_orders for t in d.tasks))


def _relocates(line: OrderLine) -> bool:
    """A move line that carries its item to the new location (a copy replaces it)."""
    return line.move and effective_action(line) is LineAction.CHANGE


def _copies_kept(
    running: Order, delta: LineDelta, record: ApprovalRecord
) -> tuple[dict[str, str], dict[str, str]]:
    """Move copies the revision keeps (old item id -> copy id) and those it retires (copy id -> line id).

    A copy stays while its item's line still moves it to the same location; a line removed, no longer
    moving its item, or moving it elsewhere retires the copy (a new one is made where it goes).
    """
    final_by_item = {ln.inventory_id: ln for ln in delta.lines if ln.inventory_id}
    kept: dict[str, str] = {}
    retired: dict[str, str] = {}
    for line in running.lines:
        copy_id = record.copies.get(line.inventory_id) if line.inventory_id else None
        if copy_id is None or line.inventory_id is None:
            continue
        after = final_by_item.get(line.inventory_id)
        if after is not None and _relocates(after) and after.target_location_id == line.target_location_id:
            kept[line.inventory_id] = copy_id
        else:
            retired[copy_id] = line.id
    return kept, retired


def revision_effects(
    running: Order,
    delta: LineDelta,
    items: Mapping[str, InventoryItem],
    record: ApprovalRecord,
    domain_orders: Sequence[DomainOrder],
    work_orders: Sequence[WorkOrder],
    returns: Sequence[ReturnAuthorization],
    specs: Mapping[str, ProductSpec],
    templates: Mapping[str, Sequence[TaskTemplate]],
    service_specs_of: Mapping[str, Sequence[str]],
    new_id: Callable[[str], str],
) -> RevisionPlan:
    """Plan the approval of a revision of `running` (see the module's decisions).

    `items` holds every item the running and the revised lines target and the running order's move
    copies; `domain_orders`, `work_orders` and `returns` are the running order's fulfillment records.
    """
    notes: list[str] = []
    compensated = [*delta.removed, *(c.before for c in delta.changed)]
    compensated_ids = {ln.id for ln in compensated}
    removed_ids = {ln.id for ln in delta.removed}
    changed_add_items = {c.after.inventory_id for c in delta.changed if c.after.action is LineAction.ADD}
    kept_copies, retired_copies = _copies_kept(running, delta, record)

    # 1. Compensation: what the removed lines and the old versions of changed lines did is undone.
    working = {item_id: item.state for item_id, item in items.items()}
    for line in compensated:
        item = items.get(line.inventory_id) if line.inventory_id else None
        if item is None:
            continue
        if line.action is LineAction.ADD:
            if line.id in removed_ids and item.state is not InventoryState.INACTIVE:
                working[item.id] = InventoryState.INACTIVE
        elif item.state in _PENDING:
            working[item.id] = record.previous_states.get(item.id, InventoryState.ACTIVE)
    for copy_id in retired_copies:
        if copy_id in working:
            working[copy_id] = InventoryState.INACTIVE
    return_changes = [
        ReturnStateChange(r.id, r.state, ReturnState.CANCELLED)
        for r in returns
        if r.line_id in compensated_ids and r.state is ReturnState.AUTHORIZED
    ]
    for r in returns:
        if r.line_id in compensated_ids and r.state is ReturnState.RECEIVED:
            notes.append(f"Return {r.id}: device {r.item_id} already received; the return stays open")
    work_order_changes = [
        FulfillmentStateChange(w.id, w.state, WorkOrderState.CANCELLED)
        for w in work_orders
        if w.state in _UNFINISHED_FIELD_WORK and w.line_ids and set(w.line_ids) <= compensated_ids
    ]

    # 2. New and changed lines are approved as a small order of their own, over the restored items.
    working_items = {i: replace(item, state=working[i]) for i, item in items.items()}
    fresh = [*delta.added, *(c.after for c in delta.changed)]
    pseudo = Order(
        id=running.id, account_id=running.account_id, action=running.action, state=OrderState.SUBMITTED,
        lines=[replace(ln, state=OrderState.IN_PROGRESS) for ln in fresh],
    )
    approval = approval_effects(pseudo, working_items, new_id, existing_copies=kept_copies)
    for change in approval.state_changes:
        working[change.item_id] = change.to_state
    remembered = remembered_lines(approval, {ln.inventory_id: ln.id for ln in fresh if ln.inventory_id})
    state_changes = tuple(
        ItemStateChange(i, items[i].state, working[i]) for i in items if working[i] is not items[i].state
    )
    characteristic_updates = []
    for pair in delta.changed:
        changed_item = items.get(pair.after.inventory_id or "")
        if changed_item is None:
            continue
        values = dict(changed_item.characteristics)
        values.update({c.name: c.new for c in pair.after.characteristic_changes})
        if changed_item.id in changed_add_items:
            characteristic_updates.append(CharacteristicUpdate(changed_item.id, values))
        elif _relocates(pair.after) and changed_item.id in kept_copies:
            characteristic_updates.append(CharacteristicUpdate(kept_copies[changed_item.id], values))
    copied_now = {copy.line_id for copy in approval.copies}
    forgotten = tuple(
        pair.before.id for pair in delta.changed
        if pair.before.id in retired_copies.values() and pair.before.id not in copied_now
    )

    # 3. Their fulfillment work joins the running domain orders.
    decomposition = decompose(pseudo, working_items, specs, templates, service_specs_of, new_id)
    running_by_kind: dict[object, DomainOrder] = {}
    for d in domain_orders:
        if d.state is not TaskState.CANCELLED:
            running_by_kind.setdefault(d.kind, d)
    appended: list[AppendedTask] = []
    covered: list[tuple[str, str]] = []
    new_domain_orders: list[DomainOrder] = []
    domain_order_changes: list[FulfillmentStateChange] = []
    for fresh_order in decomposition.domain_orders:
        target = running_by_kind.get(fresh_order.kind)
        if target is None:
            new_domain_orders.append(fresh_order)
            continue
        covered.extend((target.id, line_id) for line_id in fresh_order.line_ids if line_id not in target.line_ids)
        unfinished_names = {t.name for t in target.tasks if t.state in _UNFINISHED}
        closed_names = {t.name for t in target.tasks if t.state is TaskState.CLOSED_COMPLETE}
        sequence = max((t.sequence for t in target.tasks), default=0)
        added_here = False
        for task in fresh_order.tasks:
            if task.name in unfinished_names:
                continue
            sequence += 1
            appended.append(
                AppendedTask(
                    OrderTask(new_id(TASK_PREFIX), target.id, task.name, sequence, task.point_of_no_return),
                    redo=task.name in closed_names,
                )
            )
            added_here = True
        if added_here and target.state is TaskState.CLOSED_COMPLETE:
            domain_order_changes.append(
                FulfillmentStateChange(target.id, target.state, TaskState.IN_PROGRESS)
            )

    # 4. Work no line needs any more stops; closed work is undone where the catalog says how.
    final = Order(
        id=running.id, account_id=running.account_id, action=running.action, state=OrderState.SUBMITTED,
        lines=list(delta.lines),
    )
    final_work = decompose(final, working_items, specs, templates, service_specs_of, _ScratchIds())
    task_changes: list[FulfillmentStateChange] = []
    if compensated:
        needed = _task_names(final_work)
        undo_names = _undo_names(compensated, specs, templates, service_specs_of)
        appended_to = {a.task.domain_order_id for a in appended}
        reopened = {c.record_id for c in domain_order_changes}
        for d in domain_orders:
            if d.state is TaskState.CANCELLED:
                continue
            wanted = needed.get(d.kind, set())
            dropped = [t for t in d.tasks if t.state in _UNFINISHED and t.name not in wanted]
            task_changes.extend(FulfillmentStateChange(t.id, t.state, TaskState.CANCELLED) for t in dropped)
            sequence = max((t.sequence for t in d.tasks), default=0) + sum(
                1 for a in appended if a.task.domain_order_id == d.id
            )
            undo_tasks: list[AppendedTask] = []
            for t in d.tasks:
                undo = undo_names.get((d.kind, t.name))
                if t.state is TaskState.CLOSED_COMPLETE and t.name not in wanted and undo:
                    sequence += 1
                    undo_tasks.append(
                        AppendedTask(OrderTask(new_id(TASK_PREFIX), d.id, undo, sequence), undo_of=t.id)
                    )
            appended.extend(undo_tasks)
            dropped_ids = {t.id for t in dropped}
            still_open = any(t.state in _UNFINISHED and t.id not in dropped_ids for t in d.tasks)
            if still_open or d.id in appended_to or undo_tasks:
                if undo_tasks and d.state is TaskState.CLOSED_COMPLETE and d.id not in reopened:
                    domain_order_changes.append(FulfillmentStateChange(d.id, d.state, TaskState.IN_PROGRESS))
            elif d.state in _UNFINISHED:
                lines_left = set(d.line_ids) - removed_ids
                end_state = TaskState.CLOSED_COMPLETE if lines_left else TaskState.CANCELLED
                domain_order_changes.append(FulfillmentStateChange(d.id, d.state, end_state))

    # 5. New tasks wait for what the catalog says, across old and new work alike (make before break).
    cancelled_tasks = {c.record_id for c in task_changes}
    links = _TaskLinks(final_work, domain_orders, new_domain_orders, cancelled_tasks)
    links.learn([*(a.task for a in appended if not a.undo_of), *(t for d in new_domain_orders for t in d.tasks)])
    appended = [a if a.undo_of else replace(a, task=links.complete(a.task)) for a in appended]
    new_domain_orders = [replace(d, tasks=tuple(links.complete(t) for t in d.tasks)) for d in new_domain_orders]
    created = {a.task.id: a.task for a in appended} | {t.id: t for d in new_domain_orders for t in d.tasks}
    added_dependencies = links.added_to_running(set(created))
    _refuse_cycles(
        [*(t for d in domain_orders for t in d.tasks if t.id not in cancelled_tasks), *created.values()],
        dict(added_dependencies),
    )

    # 6. A site already visited for this move serves the new lines that go there too.
    site_installs = {
        w.location_id: w for w in work_orders
        if w.kind is WorkOrderKind.SITE_INSTALL and w.location_id
        and w.state is not WorkOrderState.CANCELLED and w.id not in {c.record_id for c in work_order_changes}
    }
    extended: list[tuple[str, tuple[str, ...]]] = []
    new_field_work: list[WorkOrder] = []
    for w in decomposition.work_orders:
        existing = site_installs.get(w.location_id or "") if w.kind is WorkOrderKind.SITE_INSTALL else None
        if existing is None:
            new_field_work.append(w)
            continue
        joining = tuple(line_id for line_id in w.line_ids if line_id not in existing.line_ids)
        if joining:
            extended.append((existing.id, joining))
    decomposition = replace(decomposition, work_orders=tuple(new_field_work))

    # 7. Does anything remain to be done?
    remaining = any(
        t.state in _UNFINISHED and t.id not in cancelled_tasks for d in domain_orders for t in d.tasks
    ) or bool(appended) or any(d.tasks for d in new_domain_orders)

    final_targets = {ln.inventory_id for ln in delta.lines if ln.inventory_id}
    released = sorted(
        {ln.inventory_id for ln in delta.removed if ln.inventory_id and ln.inventory_id not in final_targets}
        | set(retired_copies)
    )
    return RevisionPlan(
        lines=delta.lines,
        removed_line_ids=tuple(ln.id for ln in delta.removed),
        state_changes=state_changes,
        characteristic_updates=tuple(characteristic_updates),
        remembered=remembered,
        forgotten_copy_line_ids=forgotten,
        copies=approval.copies,
        relinks=approval.relinks,
        task_changes=tuple(task_changes),
        domain_order_changes=tuple(domain_order_changes),
        work_order_changes=tuple(work_order_changes),
        return_changes=tuple(return_changes),
        appended_tasks=tuple(appended),
        added_dependencies=added_dependencies,
        covered_lines=tuple(covered),
        new_domain_orders=tuple(new_domain_orders),
        decomposition=decomposition,
        extended_work_orders=tuple(extended),
        released_item_ids=tuple(released),
        completes=not remaining,
        summary=summarize(delta),
        notes=tuple(notes),
    )


class _ScratchIds:
    """Ids for a decomposition that is only read for its task names and dependencies."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-scratch-{self.count}"


class _TaskLinks:
    """The catalog's dependencies of the final line tree (`final_work`), laid over the order's real tasks.

    Each (domain, task name) of the final tree stands for one real task: the one the revision
    creates for it, else the running task of that name that is still to be done. A created task
    takes the final tree's dependencies, duration, field work and activation of its name, so it is
    planned exactly as the task of a fresh order with the same lines would be.
    """

    def __init__(
        self,
        final_work: Decomposition,
        running: Sequence[DomainOrder],
        new: Sequence[DomainOrder],
        cancelled: set[str],
    ) -> None:
        self.kind_of_domain_order: dict[str, object] = {d.id: d.kind for d in [*running, *new]}
        self.key_of: dict[str, tuple[object, str]] = {
            t.id: (d.kind, t.name) for d in final_work.domain_orders for t in d.tasks
        }
        self.planned: dict[tuple[object, str], OrderTask] = {
            (d.kind, t.name): t for d in final_work.domain_orders for t in d.tasks
        }
        self.real: dict[tuple[object, str], str] = {}
        self.running: list[OrderTask] = []
        for d in running:
            for t in d.tasks:
                if t.state in _UNFINISHED and t.id not in cancelled:
                    self.real[(d.kind, t.name)] = t.id
                    self.running.append(t)

    def learn(self, tasks: Iterable[OrderTask]) -> None:
        """Tasks the revision creates stand for their (domain, name) from now on."""
        for task in tasks:
            self.real[(self._kind(task), task.name)] = task.id

    def _kind(self, task: OrderTask) -> object:
        return self.kind_of_domain_order.get(task.domain_order_id)

    def _waits(self, key: tuple[object, str], own_id: str) -> tuple[str, ...]:
        planned = self.planned.get(key)
        if planned is None:
            return ()
        found = (self.real.get(self.key_of[dep]) for dep in planned.depends_on if dep in self.key_of)
        return tuple(dict.fromkeys(i for i in found if i is not None and i != own_id))

    def complete(self, task: OrderTask) -> OrderTask:
        key = (self._kind(task), task.name)
        planned = self.planned.get(key)
        if planned is None:
            return task
        return replace(
            task,
            depends_on=self._waits(key, task.id),
            duration_hours=planned.duration_hours,
            work_order=planned.work_order,
            activation=planned.activation,
        )

    def added_to_running(self, created: set[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Running tasks that must now also wait for created ones (in the final tree's order)."""
        out: list[tuple[str, tuple[str, ...]]] = []
        for task in self.running:
            key = (self._kind(task), task.name)
            more = tuple(i for i in self._waits(key, task.id) if i in created and i not in task.depends_on)
            if more:
                out.append((task.id, more))
        return tuple(out)


def _refuse_cycles(tasks: Sequence[OrderTask], added: Mapping[str, tuple[str, ...]]) -> None:
    """DEPENDENCY_CYCLE when old and new dependencies together would make tasks wait for each other."""
    waits = {t.id: [*t.depends_on, *added.get(t.id, ())] for t in tasks}
    names = {t.id: t.name for t in tasks}
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(task_id: str, path: list[str]) -> list[str] | None:
        state[task_id] = 1
        path.append(task_id)
        for dep in waits.get(task_id, ()):
            if dep not in waits:
                continue
            if state.get(dep) == 1:
                return path[path.index(dep):]
            if dep not in state:
                found = visit(dep, path)
                if found:
                    return found
        path.pop()
        state[task_id] = 2
        return None

    for task_id in waits:
        if task_id not in state:
            cycle = visit(task_id, [])
            if cycle:
                raise RuleError(
                    RuleViolation(
                        ErrorCode.DEPENDENCY_CYCLE,
                        "The revised order's tasks would wait for each other: "
                        + ", ".join(f"'{names[i]}' ({i})" for i in cycle),
                        "orderId",
                        tuple(cycle),
                    )
                )


def _task_names(decomposition: Decomposition) -> dict[object, set[str]]:
    """The task names each kind of domain order needs for a decomposition."""
    return {d.kind: {t.name for t in d.tasks} for d in decomposition.domain_orders}


def _undo_names(
    lines: Sequence[OrderLine],
    specs: Mapping[str, ProductSpec],
    templates: Mapping[str, Sequence[TaskTemplate]],
    service_specs_of: Mapping[str, Sequence[str]],
) -> dict[tuple[object, str], str]:
    """(domain, task name) -> the undo task the catalog names for it, over the specs of `lines`."""
    out: dict[tuple[object, str], str] = {}
    for line in lines:
        spec_ids = [line.spec_id, *service_specs_of.get(line.spec_id, ())]
        for spec_id in spec_ids:
            for t in templates.get(spec_id, ()):
                if t.undo:
                    out.setdefault((t.domain, t.name), t.undo)
    return out
