"""The parsed installed-base file: catalog, accounts and their trees as plain dataclasses.

`installed_base.validate.parse` builds these from a JSON document once it has no problems;
`graph.importer` writes them. Field names follow Python; the JSON names are in
`docs/import-format.md`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from rules.lifecycle_model import DomainOrderKind, EntitlementState, ServiceState, WorkOrderKind
from rules.model import InventoryState, LineAction

# The file speaks the domain's own states and fulfillment domains.
FulfillmentDomain = DomainOrderKind
FieldWorkKind = WorkOrderKind
AgreementState = EntitlementState  # contracts and entitlements share these states in the file


# Pending states mean an open order works on the item; an import creates no orders.
IMPORTABLE_INVENTORY_STATES = frozenset(
    {InventoryState.ACTIVE, InventoryState.SUSPENDED, InventoryState.INACTIVE}
)
# Line actions a fulfillment task can be limited to; NO_CHANGE lines create no work.
TASK_ACTIONS = frozenset(a for a in LineAction if a is not LineAction.NO_CHANGE)


@dataclass(frozen=True)
class TaskDependency:
    """The task waits for the order's task `name` of `domain` (with `make_before_break`: only when the
    order replaces what it removes)."""

    domain: FulfillmentDomain
    name: str
    make_before_break: bool = False


@dataclass(frozen=True)
class FulfillmentTask:
    """A task template: decomposing an order line on this specification creates this task.

    Empty `actions` means the task applies to every line action.
    """

    name: str
    domain: FulfillmentDomain
    point_of_no_return: bool = False
    actions: tuple[LineAction, ...] = ()
    after: tuple[TaskDependency, ...] = ()
    duration_hours: float | None = None
    work_order: WorkOrderKind | None = None
    activation: bool = False
    undo: str | None = None
    """The task that undoes this one when a revision removes its lines after it was done."""


@dataclass(frozen=True)
class Characteristic:
    """A characteristic a product specification allows; empty `values` means free text."""

    name: str
    values: tuple[str, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class Bundle:
    """The parent specification bundles `specification_id` between `min` and `max` times."""

    specification_id: str
    min: int
    max: int


@dataclass(frozen=True)
class ServiceSpecification:
    """A catalog entry for a technical service that realizes products."""

    id: str
    name: str
    fulfillment: tuple[FulfillmentTask, ...] = ()


@dataclass(frozen=True)
class ProductSpecification:
    """A catalog product: what it bundles, what realizes it and how it is fulfilled."""

    id: str
    name: str
    version: str = "1"
    physical: bool = False
    description: str = ""
    characteristics: tuple[Characteristic, ...] = ()
    bundles: tuple[Bundle, ...] = ()
    realized_as: tuple[str, ...] = ()
    fulfillment: tuple[FulfillmentTask, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """Every specification the file defines."""

    service_specifications: tuple[ServiceSpecification, ...] = ()
    product_specifications: tuple[ProductSpecification, ...] = ()


@dataclass(frozen=True)
class Location:
    """A service address of an account."""

    id: str
    name: str
    address: str
    city: str
    country: str


@dataclass(frozen=True)
class ServiceInventory:
    """A fulfilled service realizing the product inventory item it is listed under."""

    id: str
    name: str
    specification_id: str
    state: ServiceState


@dataclass(frozen=True)
class ProductInventory:
    """One fulfilled product and, below it, the products it bundles."""

    id: str
    name: str
    specification_id: str
    state: InventoryState
    location_id: str
    characteristics: dict[str, str] = field(default_factory=dict)
    services: tuple[ServiceInventory, ...] = ()
    children: tuple[ProductInventory, ...] = ()


@dataclass(frozen=True)
class Entitlement:
    """The right a contract grants for one product inventory item (`covers`)."""

    id: str
    name: str
    state: AgreementState
    start_date: date
    covers: str
    end_date: date | None = None


@dataclass(frozen=True)
class Contract:
    """An agreement of an account and the entitlements it grants."""

    id: str
    name: str
    state: AgreementState
    start_date: date
    end_date: date | None = None
    entitlements: tuple[Entitlement, ...] = ()


@dataclass(frozen=True)
class Account:
    """A customer with its locations, inventory trees (roots) and contracts."""

    id: str
    name: str
    segment: str = ""
    locations: tuple[Location, ...] = ()
    inventory: tuple[ProductInventory, ...] = ()
    contracts: tuple[Contract, ...] = ()


@dataclass(frozen=True)
class InventoryPlacement:
    """A product inventory item with where it sits: its account, parent (None for a root) and depth."""

    item: ProductInventory
    account_id: str
    parent_id: str | None
    depth: int


@dataclass(frozen=True)
class InstalledBase:
    """A whole parsed import file."""

    catalog: Catalog
    accounts: tuple[Account, ...] = ()

    def placements(self) -> Iterator[InventoryPlacement]:
        """Every product inventory item, parents before their children."""
        for account in self.accounts:
            stack: list[tuple[ProductInventory, str | None, int]] = [
                (root, None, 0) for root in reversed(account.inventory)
            ]
            while stack:
                item, parent_id, depth = stack.pop()
                yield InventoryPlacement(item, account.id, parent_id, depth)
                stack.extend((child, item.id, depth + 1) for child in reversed(item.children))
