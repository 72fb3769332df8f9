"""R13: field work is scheduled, started, completed or failed on its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rules import work_orders
from rules.fulfillment import WorkOrder
from rules.lifecycle_model import WorkOrderKind, WorkOrderState
from rules.model import ErrorCode, RuleError

TODAY = date(2026, 3, 12)
VISIT = WorkOrder("WO-1", WorkOrderKind.SHIP_DEVICE, ("L1",), "router", "LOC-HOME")


def _code(call: object) -> ErrorCode:
    with pytest.raises(RuleError) as refused:
        call()  # type: ignore[operator]
    return refused.value.violations[0].code


def test_a_visit_is_booked_started_and_completed() -> None:
    booking = work_orders.schedule(VISIT, 1, TODAY, " 08:00-12:00", TODAY)
    assert (booking.day, booking.window, booking.attempt) == (TODAY, "08:00-12:00", 1)
    booked = replace(VISIT, state=WorkOrderState.SCHEDULED)
    assert work_orders.start(booked, "ORD-1", on_hold=False) is WorkOrderState.IN_PROGRESS
    started = replace(VISIT, state=WorkOrderState.IN_PROGRESS)
    assert work_orders.complete(started, "ORD-1", on_hold=False) is WorkOrderState.CLOSED_COMPLETE


def test_a_failed_visit_is_booked_again_as_the_next_attempt() -> None:
    failed = replace(VISIT, state=WorkOrderState.FAILED)
    assert work_orders.schedule(failed, 2, TODAY, "13:00-17:00", TODAY).attempt == 3
    assert work_orders.fail(replace(VISIT, state=WorkOrderState.SCHEDULED), " no access ") == "no access"


@pytest.mark.parametrize("window", ["", "8-12", "12:00-08:00", "09:00-09:00", "24:00-25:00"])
def test_a_window_must_be_a_time_range(window: str) -> None:
    assert _code(lambda: work_orders.schedule(VISIT, 1, TODAY, window, TODAY)) is ErrorCode.INVALID_INPUT


def test_transitions_out_of_order_and_holds_are_refused() -> None:
    assert _code(lambda: work_orders.schedule(VISIT, 1, date(2026, 3, 11), "08:00-12:00", TODAY)) is ErrorCode.INVALID_INPUT
    done = replace(VISIT, state=WorkOrderState.CLOSED_COMPLETE)
    assert _code(lambda: work_orders.schedule(done, 1, TODAY, "08:00-12:00", TODAY)) is ErrorCode.INVALID_STATE
    assert _code(lambda: work_orders.start(VISIT, "ORD-1", False)) is ErrorCode.INVALID_STATE
    assert _code(lambda: work_orders.complete(VISIT, "ORD-1", False)) is ErrorCode.INVALID_STATE
    assert _code(lambda: work_orders.fail(VISIT, "x")) is ErrorCode.INVALID_STATE
    assert _code(lambda: work_orders.fail(VISIT, " ")) is ErrorCode.INVALID_INPUT
    booked = replace(VISIT, state=WorkOrderState.SCHEDULED)
    assert _code(lambda: work_orders.start(booked, "ORD-1", True)) is ErrorCode.ORDER_ON_HOLD


def test_receiving_the_device_completes_an_unfinished_collection_only() -> None:
    collection = replace(VISIT, kind=WorkOrderKind.COLLECT_DEVICE, return_id="RMA-1")
    assert work_orders.completes_on_receipt(collection)
    assert work_orders.completes_on_receipt(replace(collection, state=WorkOrderState.FAILED))
    assert not work_orders.completes_on_receipt(replace(collection, state=WorkOrderState.CANCELLED))
