"""Field work on its own (R13): a work order is scheduled for a day and a time window, started,
completed or failed; a failed visit is scheduled again as the next attempt.

- schedule: OPEN, SCHEDULED (rebooking) or FAILED (next attempt) -> SCHEDULED, for a day not
  before today and a window "HH:MM-HH:MM" that ends after it starts.
- start: SCHEDULED -> IN_PROGRESS; complete: IN_PROGRESS -> CLOSED_COMPLETE; neither while the
  order is on hold (ORDER_ON_HOLD), as no task moves then.
- fail: SCHEDULED or IN_PROGRESS -> FAILED, with a reason; the order is then in fallout.
- A collection (COLLECT_DEVICE) is linked to its return authorization: receiving the device
  completes it, whatever state it was in short of done or cancelled (`completes_on_receipt`).
Any other transition is INVALID_STATE naming the work order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rules.fulfillment import WorkOrder
from rules.lifecycle_model import WorkOrderState
from rules.model import ErrorCode, RuleError, RuleViolation

WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")
_SCHEDULABLE = frozenset({WorkOrderState.OPEN, WorkOrderState.SCHEDULED, WorkOrderState.FAILED})
_FAILABLE = frozenset({WorkOrderState.SCHEDULED, WorkOrderState.IN_PROGRESS})
_RECEIVABLE = frozenset(
    {WorkOrderState.OPEN, WorkOrderState.SCHEDULED, WorkOrderState.IN_PROGRESS, WorkOrderState.FAILED}
)


@dataclass(frozen=True)
class Booking:
    """A scheduled visit: its day, window and attempt number."""

    day: date
    window: str
    attempt: int


def _invalid_state(work_order: WorkOrder, verb: str, allowed: str) -> RuleError:
    return RuleError(
        RuleViolation(
            ErrorCode.INVALID_STATE,
            f"Work order {work_order.kind} ({work_order.id}) is {work_order.state} and cannot be {verb}; "
            f"only {allowed}",
            field="workOrderId",
            ids=(work_order.id,),
        )
    )


def _on_hold(order_id: str) -> RuleError:
    return RuleError(
        RuleViolation(
            ErrorCode.ORDER_ON_HOLD,
            f"Order {order_id} is on hold: no field work starts or completes until it is resumed",
            field="workOrderId",
            ids=(order_id,),
        )
    )


def schedule(work_order: WorkOrder, attempt: int, day: date, window: str, today: date) -> Booking:
    """Book the visit; a FAILED work order is booked as its next attempt."""
    text = window.strip()
    found = WINDOW.match(text)
    if found is None or (int(found[3]), int(found[4])) <= (int(found[1]), int(found[2])):
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"The window '{window}' is not a time range like 08:00-12:00 that ends after it starts",
                field="window",
            )
        )
    if day < today:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"A visit cannot be scheduled in the past ({day.isoformat()}, today is {today.isoformat()})",
                field="date",
            )
        )
    if work_order.state not in _SCHEDULABLE:
        raise _invalid_state(work_order, "scheduled", "an OPEN, SCHEDULED or FAILED work order can")
    return Booking(day, text, attempt + 1 if work_order.state is WorkOrderState.FAILED else attempt)


def start(work_order: WorkOrder, order_id: str, on_hold: bool) -> WorkOrderState:
    if work_order.state is not WorkOrderState.SCHEDULED:
        raise _invalid_state(work_order, "started", "a SCHEDULED work order can")
    if on_hold:
        raise _on_hold(order_id)
    return WorkOrderState.IN_PROGRESS


def complete(work_order: WorkOrder, order_id: str, on_hold: bool) -> WorkOrderState:
    if work_order.state is not WorkOrderState.IN_PROGRESS:
        raise _invalid_state(work_order, "completed", "a work order IN_PROGRESS can")
    if on_hold:
        raise _on_hold(order_id)
    return WorkOrderState.CLOSED_COMPLETE


def fail(work_order: WorkOrder, reason: str | None) -> str:
    """SCHEDULED or IN_PROGRESS -> FAILED; returns the cleaned reason."""
    text = (reason or "").strip()
    if not text:
        raise RuleError(RuleViolation(ErrorCode.INVALID_INPUT, "Failing a work order needs a reason", field="reason"))
    if work_order.state not in _FAILABLE:
        raise _invalid_state(work_order, "failed", "a SCHEDULED work order or one IN_PROGRESS can")
    return text


def completes_on_receipt(work_order: WorkOrder) -> bool:
    """True when receiving the returned device should complete this collection."""
    return work_order.state in _RECEIVABLE
