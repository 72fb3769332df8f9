"""R7, R12: tasks start and close; domain orders and the order complete; PONR tasks mark lines."""

from __future__ import annotations

import pytest

from rules.fulfillment import DomainOrder, OrderTask, close_task, start_task
from rules.lifecycle_model import DomainOrderKind, TaskState
from rules.model import ErrorCode, RuleError


def _task(
    task_id: str, state: TaskState = TaskState.OPEN, *, ponr: bool = False, owner: str = "DO-1"
) -> OrderTask:
    return OrderTask(task_id, owner, f"Task {task_id}", 1, ponr, state)


def _domain_order(
    domain_order_id: str,
    *tasks: OrderTask,
    state: TaskState = TaskState.OPEN,
    lines: tuple[str, ...] = ("L1",),
) -> DomainOrder:
    return DomainOrder(domain_order_id, DomainOrderKind.PRODUCT, state, lines, tasks)


def test_starting_an_open_task_puts_it_in_progress() -> None:
    assert start_task(_task("T1")) is TaskState.IN_PROGRESS


@pytest.mark.parametrize("state", [TaskState.IN_PROGRESS, TaskState.CLOSED_COMPLETE, TaskState.CANCELLED])
def test_only_an_open_task_can_be_started(state: TaskState) -> None:
    with pytest.raises(RuleError) as raised:
        start_task(_task("T1", state))

    (violation,) = raised.value.violations
    assert (violation.code, violation.ids) == (ErrorCode.TASK_NOT_OPEN, ("T1",))


@pytest.mark.parametrize("state", [TaskState.OPEN, TaskState.IN_PROGRESS])
def test_closing_an_open_or_started_task_completes_it(state: TaskState) -> None:
    closure = close_task([_domain_order("DO-1", _task("T1", state), _task("T2"))], "T1")

    assert closure.task_state is TaskState.CLOSED_COMPLETE
    assert closure.domain_order_id == "DO-1"
    assert closure.domain_order_state is TaskState.IN_PROGRESS
    assert not closure.domain_order_closed
    assert not closure.order_completes


@pytest.mark.parametrize("state", [TaskState.CLOSED_COMPLETE, TaskState.CANCELLED])
def test_a_closed_or_cancelled_task_cannot_be_closed(state: TaskState) -> None:
    with pytest.raises(RuleError) as raised:
        close_task([_domain_order("DO-1", _task("T1", state))], "T1")

    (violation,) = raised.value.violations
    assert (violation.code, violation.ids) == (ErrorCode.TASK_NOT_OPEN, ("T1",))


def test_an_unknown_task_is_not_found() -> None:
    with pytest.raises(RuleError) as raised:
        close_task([_domain_order("DO-1", _task("T1"))], "T9")

    assert raised.value.violations[0].code is ErrorCode.NOT_FOUND


def test_the_last_task_closes_its_domain_order_but_not_the_order_while_another_is_open() -> None:
    domain_orders = [
        _domain_order("DO-1", _task("T1", TaskState.CLOSED_COMPLETE), _task("T2")),
        _domain_order("DO-2", _task("T3", owner="DO-2"), state=TaskState.OPEN),
    ]

    closure = close_task(domain_orders, "T2")

    assert closure.domain_order_closed
    assert closure.domain_order_state is TaskState.CLOSED_COMPLETE
    assert not closure.order_completes


def test_the_last_task_of_the_last_domain_order_completes_the_order() -> None:
    domain_orders = [
        _domain_order("DO-1", _task("T1", TaskState.CLOSED_COMPLETE), state=TaskState.CLOSED_COMPLETE),
        _domain_order(
            "DO-2", _task("T2", TaskState.CLOSED_COMPLETE, owner="DO-2"), _task("T3", owner="DO-2")
        ),
    ]

    closure = close_task(domain_orders, "T3")

    assert closure.order_completes


def test_a_domain_order_a_revision_cancelled_leaves_nothing_to_wait_for() -> None:
    # In a running order only a revision cancels a domain order: the one that lost all its lines (R14).
    domain_orders = [
        _domain_order("DO-1", _task("T1")),
        _domain_order("DO-2", _task("T2", TaskState.CANCELLED, owner="DO-2"), state=TaskState.CANCELLED),
        _domain_order("DO-3", _task("T3", TaskState.OPEN, owner="DO-3")),
    ]

    assert not close_task(domain_orders, "T1").order_completes
    assert close_task(domain_orders[:2], "T1").order_completes


def test_closing_a_point_of_no_return_task_marks_its_lines_past_it() -> None:
    domain_orders = [
        _domain_order("DO-1", _task("T1", ponr=True), _task("T2"), lines=("L1", "L2")),
    ]

    ponr = close_task(domain_orders, "T1")
    plain = close_task(domain_orders, "T2")

    assert ponr.point_of_no_return_passed
    assert ponr.line_ids_past_point_of_no_return == ("L1", "L2")
    assert not plain.point_of_no_return_passed
    assert plain.line_ids_past_point_of_no_return == ()
