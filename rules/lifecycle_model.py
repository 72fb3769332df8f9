"""Plain data of the order lifecycle (R7-R12): fulfillment states and the records the graph provides.

The graph layer reads these records, hands them to the decisions in `rules.fulfillment`,
`rules.effects`, `rules.returns` and `rules.account_changes`, and writes back the plans they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rules.model import LineAction


class TaskState(StrEnum):
    """States of order tasks and domain orders (DOMAIN.md section 3, R13).

    FAILED and SKIPPED are task states only: a failed task waits for a retry (back to OPEN) or a
    skip; a skipped task counts as done for its dependants and for completion.
    """

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    CLOSED_COMPLETE = "CLOSED_COMPLETE"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


# A task in one of these states no longer holds up the tasks that depend on it.
DONE_TASK_STATES = frozenset({TaskState.CLOSED_COMPLETE, TaskState.SKIPPED})
# Work still to do: the task can move (OPEN, IN_PROGRESS) or waits for recovery (FAILED).
OPEN_TASK_STATES = frozenset({TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.FAILED})


class FailureCategory(StrEnum):
    """Why a task failed, for routing fallout to the team that fixes it (R13)."""

    PROVISIONING = "PROVISIONING"
    INVENTORY_ALLOCATION = "INVENTORY_ALLOCATION"
    BILLING = "BILLING"
    OTHER = "OTHER"


class DomainOrderKind(StrEnum):
    """The fulfillment domain a customer order is decomposed into (R7)."""

    PRODUCT = "PRODUCT"
    SERVICE = "SERVICE"
    RESOURCE = "RESOURCE"


class WorkOrderKind(StrEnum):
    """Field work an order needs: a device to ship or collect, a site to install."""

    SHIP_DEVICE = "SHIP_DEVICE"
    COLLECT_DEVICE = "COLLECT_DEVICE"
    SITE_INSTALL = "SITE_INSTALL"


class WorkOrderState(StrEnum):
    """Field work lifecycle (R13): scheduled for a date and window, started, completed or failed.

    A FAILED work order is scheduled again to retry the visit; CANCELLED when its order is.
    """

    OPEN = "OPEN"
    SCHEDULED = "SCHEDULED"
    IN_PROGRESS = "IN_PROGRESS"
    CLOSED_COMPLETE = "CLOSED_COMPLETE"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class OrderEventKind(StrEnum):
    """What an entry of an order's history records."""

    STATE_CHANGE = "STATE_CHANGE"
    HOLD = "HOLD"
    RESUME = "RESUME"


class MilestoneKind(StrEnum):
    """Customer-facing progress points of an order, each stamped the first time it is reached (R13)."""

    ACCEPTED = "ACCEPTED"
    APPROVED = "APPROVED"
    FIRST_ACTIVATION = "FIRST_ACTIVATION"
    POINT_OF_NO_RETURN_PASSED = "POINT_OF_NO_RETURN_PASSED"
    COMPLETED = "COMPLETED"


class ReturnState(StrEnum):
    """Return merchandise authorization (RMA) lifecycle (R11)."""

    AUTHORIZED = "AUTHORIZED"
    RECEIVED = "RECEIVED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class ReturnReason(StrEnum):
    """Why a device must come back (R11)."""

    DISCONNECT = "DISCONNECT"
    DEVICE_SWAP = "DEVICE_SWAP"
    MOVE_NOT_KEPT = "MOVE_NOT_KEPT"


class ServiceState(StrEnum):
    """Service inventory states (TMF638)."""

    DESIGNED = "DESIGNED"
    RESERVED = "RESERVED"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    TERMINATED = "TERMINATED"


class EntitlementState(StrEnum):
    """States of the per-product right a contract grants (R10)."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class ContractState(StrEnum):
    """States of an account's contract (TMF651 agreement)."""

    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class TaskDependency:
    """A template's task waits for the order's task `name` of domain `domain`, when the order has one.

    With `make_before_break` the wait holds only when the order replaces what it removes: it both
    removes and adds a product in the same bundle, or swaps a device (R13).
    """

    domain: DomainOrderKind
    name: str
    make_before_break: bool = False


@dataclass(frozen=True)
class TaskTemplate:
    """A fulfillment step the catalog attaches to a product or service specification.

    `domain` says which domain order the step belongs to; `point_of_no_return` marks the step
    after which the order can no longer be cancelled (R12); `actions` limits the step to lines
    with those actions (empty: every action). `after` lists the tasks it waits for across the
    order; `duration_hours` is the time it is allowed (None: the default); `work_order` names
    the kind of field work it waits for; `activation` marks the step that brings a service up
    (the order's first-activation milestone). `undo` names the compensating step (R14).
    """

    name: str
    domain: DomainOrderKind
    point_of_no_return: bool = False
    actions: tuple[LineAction, ...] = ()
    after: tuple[TaskDependency, ...] = ()
    duration_hours: float | None = None
    work_order: WorkOrderKind | None = None
    activation: bool = False
    undo: str | None = None
    """The task that undoes this one when a revision removes its lines after it was done (R14)."""

    def applies_to(self, action: LineAction) -> bool:
        return not self.actions or action in self.actions


@dataclass(frozen=True)
class ServiceItem:
    """One service inventory record realizing the product inventory item `product_id` (R9)."""

    id: str
    spec_id: str
    state: ServiceState
    product_id: str


@dataclass(frozen=True)
class EntitlementItem:
    """One right granted by contract `contract_id`, covering product inventory item `product_id` (R10)."""

    id: str
    contract_id: str
    product_id: str
    state: EntitlementState
    end_date: date | None = None


@dataclass(frozen=True)
class ContractItem:
    """An account's contract as the rules see it."""

    id: str
    account_id: str
    state: ContractState
    end_date: date | None = None
