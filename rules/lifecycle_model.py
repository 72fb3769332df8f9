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
    """States of order tasks, domain orders and work orders (DOMAIN.md section 3)."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    CLOSED_COMPLETE = "CLOSED_COMPLETE"
    CANCELLED = "CANCELLED"


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
class TaskTemplate:
    """A fulfillment step the catalog attaches to a product or service specification.

    `domain` says which domain order the step belongs to; `point_of_no_return` marks the step
    after which the order can no longer be cancelled (R12); `actions` limits the step to lines
    with those actions (empty: every action); `undo` names the compensating step (R14).
    """

    name: str
    domain: DomainOrderKind
    point_of_no_return: bool = False
    actions: tuple[LineAction, ...] = ()
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
