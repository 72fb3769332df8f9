"""Dates of fulfillment (R13): when each task may start and is due, and how much in jeopardy open work is.

- Approval plans the order from `starts_at`: the later of the approval instant and the order's
  requested start date (midnight UTC). A task's planned start is the later of `starts_at` and the
  due dates of the tasks it depends on; it is due its catalog duration (`duration_hours`, else
  `DEFAULT_TASK_HOURS`) after that.
- The order is due at the end of its requested completion date (midnight UTC of the next day),
  or, without one, when its last task is due.
- Jeopardy of open work (a task OPEN, IN_PROGRESS or FAILED; an order IN_PROGRESS) from the share
  of its allowed time (planned start to due) used at `now`: CRITICAL once the due date has passed,
  HIGH from 90 %, MEDIUM from 75 %, LOW from 50 %, NONE before. An order is as much in jeopardy
  as its own dates say or as its most endangered open task, whichever is higher. Finished work is NONE.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from rules.fulfillment import DomainOrder, OrderTask
from rules.model import ErrorCode, RuleError, RuleViolation

DEFAULT_TASK_HOURS = 24.0


class Jeopardy(StrEnum):
    """How close open work is to missing its due date."""

    NONE = "NONE"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


# Share of the allowed time used from which each level starts (CRITICAL: the due date passed).
JEOPARDY_THRESHOLDS: tuple[tuple[float, Jeopardy], ...] = (
    (0.9, Jeopardy.HIGH),
    (0.75, Jeopardy.MEDIUM),
    (0.5, Jeopardy.LOW),
)
_RANK = {level: i for i, level in enumerate(Jeopardy)}


@dataclass(frozen=True)
class TaskDates:
    """When a task may start and when it is due."""

    planned_start: datetime
    due: datetime


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def end_of(day: date) -> datetime:
    """Midnight UTC at the end of `day`: work due on a date may take the whole day."""
    return start_of(day) + timedelta(days=1)


def check_requested_dates(start: date | None, completion: date | None) -> None:
    """A requested completion date cannot come before the requested start date: INVALID_INPUT."""
    if start is not None and completion is not None and completion < start:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"The requested completion date {completion.isoformat()} is before the requested start "
                f"date {start.isoformat()}",
                field="requestedCompletionDate",
            )
        )


def planning_start(now: datetime, requested_start: date | None) -> datetime:
    """Where planning starts: now, or the requested start date when that is later."""
    if requested_start is None:
        return now
    return max(now, start_of(requested_start))


def plan_tasks(domain_orders: Sequence[DomainOrder], starts_at: datetime) -> dict[str, TaskDates]:
    """Planned start and due date of every task, in dependency order (the dependencies are acyclic)."""
    return plan_joining_tasks([t for d in domain_orders for t in d.tasks], starts_at, {})


def plan_joining_tasks(
    joining: Sequence[OrderTask],
    starts_at: datetime,
    running: Mapping[str, tuple[OrderTask, TaskDates]],
) -> dict[str, TaskDates]:
    """Dates of tasks joining an order (a revision, R14) and of its running tasks that they delay.

    `running` holds the order's tasks still to do with the dates they were planned with (and every
    dependency they have now). A joining task starts at `starts_at` or once what it depends on is
    due; a running task keeps its planned start and allowed time unless what it now depends on is due
    later. Returns the joining tasks' dates and those of the running tasks whose dates move.
    """
    tasks = {t.id: t for t in joining} | {task_id: task for task_id, (task, _) in running.items()}
    dates: dict[str, TaskDates] = {}

    def visit(task_id: str) -> TaskDates:
        if task_id not in dates:
            task = tasks[task_id]
            if task_id in running:
                planned = running[task_id][1]
                earliest, allowed = planned.planned_start, planned.due - planned.planned_start
            else:
                hours = task.duration_hours if task.duration_hours is not None else DEFAULT_TASK_HOURS
                earliest, allowed = starts_at, timedelta(hours=hours)
            begins = max([earliest, *(visit(dep).due for dep in task.depends_on if dep in tasks)])
            dates[task_id] = TaskDates(begins, begins + allowed)
        return dates[task_id]

    for task_id in tasks:
        visit(task_id)
    return {i: d for i, d in dates.items() if i not in running or d != running[i][1]}


def order_due(requested_completion: date | None, task_dates: Iterable[TaskDates], starts_at: datetime) -> datetime:
    """The order's due date: the end of its requested completion date, else its last task's due date."""
    if requested_completion is not None:
        return end_of(requested_completion)
    return max((d.due for d in task_dates), default=starts_at)


def jeopardy(start: datetime | None, due: datetime | None, now: datetime, is_open: bool = True) -> Jeopardy:
    """The jeopardy of open work allowed from `start` to `due`, at `now`."""
    if not is_open or due is None:
        return Jeopardy.NONE
    if now >= due:
        return Jeopardy.CRITICAL
    if start is None or start >= due:
        return Jeopardy.NONE
    used = (now - start) / (due - start)
    for share, level in JEOPARDY_THRESHOLDS:
        if used >= share:
            return level
    return Jeopardy.NONE


def highest(levels: Iterable[Jeopardy]) -> Jeopardy:
    """The most severe of `levels` (NONE for none)."""
    return max(levels, key=lambda level: _RANK[level], default=Jeopardy.NONE)


def levels_at_least(level: Jeopardy) -> list[Jeopardy]:
    """`level` and every more severe one."""
    return [other for other in Jeopardy if _RANK[other] >= _RANK[level]]


def rank(level: Jeopardy) -> int:
    return _RANK[level]


def thresholds() -> Mapping[str, float]:
    """The shares as statement parameters (the queue filters on jeopardy in Cypher)."""
    return {level.value: share for share, level in JEOPARDY_THRESHOLDS}
