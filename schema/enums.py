"""GraphQL enums: the rules' own enums, registered with Strawberry under their GraphQL names."""

from __future__ import annotations

import strawberry

from rules import model
from rules.lifecycle_model import (
    DomainOrderKind,
    FailureCategory,
    MilestoneKind,
    OrderEventKind,
    ReturnReason,
    ReturnState,
    TaskState,
    WorkOrderKind,
    WorkOrderState,
)
from rules.schedule import Jeopardy

strawberry.enum(model.InventoryState, description="Product inventory state (TMF637-like).")
strawberry.enum(model.OrderAction, description="What a customer order does as a whole.")
strawberry.enum(model.LineAction, description="What one order line does to one item.")
strawberry.enum(model.OrderState, description="Customer order and order line state.")
strawberry.enum(model.ErrorCode, name="OrderErrorCode", description="Why a mutation refused.")

InventoryState = model.InventoryState
OrderAction = model.OrderAction
LineAction = model.LineAction
OrderState = model.OrderState
OrderErrorCode = model.ErrorCode


def describe_values(enum: type, descriptions: dict[str, str]) -> None:
    """Give the values of a registered enum their GraphQL descriptions (the rules' enums stay plain)."""
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        if value.name in descriptions:
            value.description = descriptions[value.name]


describe_values(
    model.ErrorCode,
    {
        "TASK_NOT_READY": "The task waits for other tasks, its field work or the order's requested start; "
        "`ids` names what blocks it.",
        "ORDER_ON_HOLD": "The order is on hold: no task moves until it is resumed (or it is already on hold).",
        "DEPENDENCY_CYCLE": "The catalog's task dependencies for this order form a cycle; `ids` names the tasks.",
    },
)


strawberry.enum(TaskState, description="State of an order task or a domain order.")
strawberry.enum(DomainOrderKind, description="The fulfillment domain a customer order is decomposed into.")
strawberry.enum(WorkOrderKind, description="Field work: ship or collect a device, install a site.")
strawberry.enum(ReturnState, description="Return authorization (RMA) lifecycle.")
strawberry.enum(ReturnReason, description="Why a device must come back.")
strawberry.enum(WorkOrderState, description="Field work lifecycle: scheduled, started, completed or failed.")
strawberry.enum(FailureCategory, description="Why a task failed, for routing fallout to the team that fixes it.")
strawberry.enum(Jeopardy, description="How close open work is to missing its due date, from the share of its "
                "allowed time used: LOW from 50 %, MEDIUM from 75 %, HIGH from 90 %, CRITICAL once due.")
strawberry.enum(OrderEventKind, description="What an entry of an order's history records.")
strawberry.enum(MilestoneKind, description="Customer-facing progress points of an order.")

describe_values(TaskState, {
    "OPEN": "Waiting to be started.",
    "IN_PROGRESS": "Started (for a domain order: one of its tasks is).",
    "CLOSED_COMPLETE": "Done.",
    "CANCELLED": "Its order was cancelled before it was done.",
    "FAILED": "A task that failed: the order is in fallout until it is retried or skipped.",
    "SKIPPED": "A task declared done without being done, with a reason; counts as done.",
})
describe_values(WorkOrderState, {
    "OPEN": "Not scheduled yet.",
    "SCHEDULED": "Booked for a date and a time window.",
    "IN_PROGRESS": "The technician or courier is on it.",
    "CLOSED_COMPLETE": "Done (a collection also when its device is received).",
    "FAILED": "The visit failed; schedule it again to retry.",
    "CANCELLED": "Its order was cancelled, or completed without needing it.",
})
describe_values(FailureCategory, {
    "PROVISIONING": "A network or service system could not do the step.",
    "INVENTORY_ALLOCATION": "No resource (number, port, device) could be allocated.",
    "BILLING": "The billing system refused or failed.",
    "OTHER": "Anything else.",
})
describe_values(Jeopardy, {
    "NONE": "Less than half of the allowed time used, or the work is finished.",
    "LOW": "At least half of the allowed time used.",
    "MEDIUM": "At least three quarters of the allowed time used.",
    "HIGH": "At least 90 % of the allowed time used.",
    "CRITICAL": "The due date has passed.",
})
describe_values(OrderEventKind, {
    "STATE_CHANGE": "The order moved from one state to another.",
    "HOLD": "The order was put on hold (the reason says why).",
    "RESUME": "The order was resumed after a hold.",
})
describe_values(MilestoneKind, {
    "ACCEPTED": "The order was submitted and validated.",
    "APPROVED": "The order was approved and decomposed.",
    "FIRST_ACTIVATION": "The first activation task was done: a new or changed service is up.",
    "POINT_OF_NO_RETURN_PASSED": "A point-of-no-return task was done: the order can no longer be cancelled.",
    "COMPLETED": "The order completed and its effects landed on the inventory.",
})
