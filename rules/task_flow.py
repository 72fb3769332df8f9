"""When fulfillment work may move (R13): dependencies, holds, start dates, failure and recovery.

Pure decisions over the order's stored fulfillment; the resolvers lock the order, read it, call
these, and write what they return in the same transaction.

- A task is ready when it can move (OPEN or IN_PROGRESS), every task it depends on is done
  (CLOSED_COMPLETE or SKIPPED), every work order of the kind it waits for is complete, the order
  is not on hold and the order's requested start has come. Starting and closing need a ready
  task: ORDER_ON_HOLD while the order is held, TASK_NOT_READY otherwise, naming what blocks it
  (task and work order ids in `ids`).
- A task fails from OPEN or IN_PROGRESS with a reason and a category; it is then FAILED, the
  order is in fallout, and nothing that depends on it can move. A retry puts it back to OPEN as
  its next attempt; a skip (with a reason) makes it SKIPPED, which counts as done.
- A hold needs an order IN_PROGRESS that is not already held, and a reason; a resume needs a held
  order. Cancellation ignores holds (R12 still decides).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rules.fulfillment import DomainOrder, OrderTask, WorkOrder, find_task, refuse_held
from rules.lifecycle_model import DONE_TASK_STATES, FailureCategory, TaskState, WorkOrderState
from rules.model import ErrorCode, OrderState, RuleError, RuleViolation

_MOVABLE = frozenset({TaskState.OPEN, TaskState.IN_PROGRESS})
_NOTHING_TO_WAIT_FOR = DONE_TASK_STATES | {TaskState.CANCELLED}


@dataclass(frozen=True)
class OrderFlow:
    """An order's fulfillment as readiness sees it, at the instant `now`."""

    order_id: str
    domain_orders: Sequence[DomainOrder]
    work_orders: Sequence[WorkOrder] = ()
    on_hold: bool = False
    starts_at: datetime | None = None
    now: datetime | None = None

    def tasks(self) -> list[OrderTask]:
        return [t for d in self.domain_orders for t in d.tasks]


@dataclass(frozen=True)
class Blockers:
    """What keeps a task from moving: tasks not done, work orders not complete, the hold, the start."""

    tasks: tuple[OrderTask, ...] = ()
    work_orders: tuple[WorkOrder, ...] = ()
    on_hold: bool = False
    not_started: bool = False

    @property
    def none(self) -> bool:
        return not (self.tasks or self.work_orders or self.on_hold or self.not_started)


def blockers(flow: OrderFlow, task: OrderTask) -> Blockers:
    """Everything that keeps `task` from being started or closed now."""
    by_id = {t.id: t for t in flow.tasks()}
    # A dependency a revision cancelled (its lines were removed, R14) is nothing to wait for.
    waiting = tuple(by_id[i] for i in task.depends_on if i in by_id and by_id[i].state not in _NOTHING_TO_WAIT_FOR)
    field_work = tuple(
        w for w in flow.work_orders
        if task.work_order is not None and w.kind is task.work_order and w.state is not WorkOrderState.CLOSED_COMPLETE
    )
    early = flow.starts_at is not None and flow.now is not None and flow.now < flow.starts_at
    return Blockers(waiting, field_work, flow.on_hold, early)


def is_ready(flow: OrderFlow, task: OrderTask) -> bool:
    """True when the task can be started (OPEN) or closed (OPEN, IN_PROGRESS) right now."""
    return task.state in _MOVABLE and not task.held_by and blockers(flow, task).none


def require_ready(flow: OrderFlow, task_id: str) -> OrderTask:
    """The task, when nothing blocks it; TASK_ON_HOLD, ORDER_ON_HOLD or TASK_NOT_READY otherwise."""
    _, task = find_task(flow.domain_orders, task_id)
    if task.state not in _MOVABLE:
        return task  # the state rules of start/close refuse it with TASK_NOT_OPEN
    refuse_held(task, "started or closed")  # a revision of the order holds it (R14)
    found = blockers(flow, task)
    if found.on_hold:
        raise RuleError(
            RuleViolation(
                ErrorCode.ORDER_ON_HOLD,
                f"Order {flow.order_id} is on hold: no task moves until it is resumed",
                field="taskId",
                ids=(flow.order_id,),
            )
        )
    if found.not_started:
        assert flow.starts_at is not None
        raise RuleError(
            RuleViolation(
                ErrorCode.TASK_NOT_READY,
                f"Task '{task.name}' ({task.id}) waits for the order's requested start on "
                f"{flow.starts_at.date().isoformat()}",
                field="taskId",
                ids=(flow.order_id,),
            )
        )
    if found.tasks or found.work_orders:
        named = [f"task '{t.name}' ({t.id}) is {t.state}" for t in found.tasks]
        named.extend(f"work order {w.kind} ({w.id}) is {w.state}" for w in found.work_orders)
        raise RuleError(
            RuleViolation(
                ErrorCode.TASK_NOT_READY,
                f"Task '{task.name}' ({task.id}) is not ready: {'; '.join(named)}",
                field="taskId",
                ids=tuple(t.id for t in found.tasks) + tuple(w.id for w in found.work_orders),
            )
        )
    return task


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise RuleError(RuleViolation(ErrorCode.INVALID_INPUT, f"{what} needs a reason", field="reason"))
    return text


def fail_task(task: OrderTask, reason: str | None, category: FailureCategory) -> str:
    """OPEN or IN_PROGRESS -> FAILED; returns the cleaned reason. TASK_NOT_OPEN for other states,
    INVALID_INPUT for a blank reason."""
    text = _reason(reason, "Failing a task")
    if task.state not in _MOVABLE:
        raise RuleError(
            RuleViolation(
                ErrorCode.TASK_NOT_OPEN,
                f"Task '{task.name}' ({task.id}) is {task.state} and cannot fail",
                field="taskId",
                ids=(task.id,),
            )
        )
    del category  # recorded by the caller; every category fails the same way
    return text


def retry_task(task: OrderTask) -> int:
    """FAILED -> OPEN as the next attempt; returns the new attempt number. INVALID_STATE otherwise,
    TASK_ON_HOLD while a revision of the order holds it (R14)."""
    if task.state is not TaskState.FAILED:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Task '{task.name}' ({task.id}) is {task.state}; only a FAILED task can be retried",
                field="taskId",
                ids=(task.id,),
            )
        )
    refuse_held(task, "retried")
    return task.attempt + 1


def skip_reason(flow: OrderFlow, reason: str | None) -> str:
    """A skip needs a reason and an order that is not on hold."""
    text = _reason(reason, "Skipping a task")
    if flow.on_hold:
        raise RuleError(
            RuleViolation(
                ErrorCode.ORDER_ON_HOLD,
                f"Order {flow.order_id} is on hold: no task moves until it is resumed",
                field="taskId",
                ids=(flow.order_id,),
            )
        )
    return text


def hold_order(order_id: str, state: OrderState, on_hold: bool, reason: str | None) -> str:
    """An order IN_PROGRESS and not held can be held, with a reason; returns the cleaned reason."""
    text = _reason(reason, "Holding an order")
    if on_hold:
        raise RuleError(
            RuleViolation(ErrorCode.ORDER_ON_HOLD, f"Order {order_id} is already on hold", "orderId", (order_id,))
        )
    if state is not OrderState.IN_PROGRESS:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Order {order_id} is {state}; only an order IN_PROGRESS can be put on hold",
                "orderId",
                (order_id,),
            )
        )
    return text


def resume_order(order_id: str, on_hold: bool) -> None:
    """Only a held order can be resumed: INVALID_STATE otherwise."""
    if not on_hold:
        raise RuleError(
            RuleViolation(ErrorCode.INVALID_STATE, f"Order {order_id} is not on hold", "orderId", (order_id,))
        )


def in_fallout(domain_orders: Sequence[DomainOrder], work_orders: Sequence[WorkOrder] = ()) -> bool:
    """An order is in fallout while one of its tasks or work orders is FAILED."""
    return any(t.state is TaskState.FAILED for d in domain_orders for t in d.tasks) or any(
        w.state is WorkOrderState.FAILED for w in work_orders
    )
