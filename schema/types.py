"""Object types of the installed base and the catalog: thin views over graph records.

Nested fields go through the request's DataLoaders, so a query costs one round trip per level.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from graph.records import (
    AccountRecord,
    ContractRecord,
    EntitlementRecord,
    ItemRecord,
    LocationRecord,
    ServiceRecord,
    ServiceSpecRecord,
    SpecRecord,
)
from rules.model import InventoryState as InventoryStateValue
from schema.context import Context
from schema.enums import InventoryState

if TYPE_CHECKING:
    from schema.history import InventoryEvent
    from schema.orders import CustomerOrder

Ctx = Info[Context, None]


@strawberry.type(description="A name/value pair describing an item.")
class Characteristic:
    name: str
    value: str


@strawberry.type(description="A service address.")
class Location:
    id: strawberry.ID
    name: str
    address: str | None
    city: str | None
    country: str | None

    @classmethod
    def of(cls, r: LocationRecord) -> Location:
        return cls(id=strawberry.ID(r.id), name=r.name, address=r.address, city=r.city, country=r.country)


@strawberry.type(description="A characteristic a specification allows; empty `values` means free text.")
class CharacteristicSpecification:
    name: str
    values: list[str]
    default: str | None


@strawberry.type(description="A fulfillment task the catalog prescribes for a specification.")
class TaskTemplate:
    name: str
    domain: str
    point_of_no_return: bool


@strawberry.type(description="A catalog entry for a technical service that realizes products.")
class ServiceSpecification:
    id: strawberry.ID
    name: str
    fulfillment_tasks: list[TaskTemplate]

    @classmethod
    def of(cls, r: ServiceSpecRecord) -> ServiceSpecification:
        tasks = [TaskTemplate(name=t.name, domain=t.domain, point_of_no_return=t.point_of_no_return)
                 for t in r.fulfillment]
        return cls(id=strawberry.ID(r.id), name=r.name, fulfillment_tasks=tasks)


@strawberry.type(description="A child specification a bundle may hold, between min and max times.")
class BundledSpecification:
    min: int
    max: int
    child_id: strawberry.Private[str]

    @strawberry.field
    async def specification(self, info: Ctx) -> ProductSpecification:
        return ProductSpecification.of(await info.context.loaders.spec.load(self.child_id))


@strawberry.type(description="A catalog product specification; bundles compose child specifications.")
class ProductSpecification:
    id: strawberry.ID
    name: str
    version: str
    physical: bool = strawberry.field(description="A device that is shipped and returned.")
    description: str | None
    record: strawberry.Private[SpecRecord]

    @classmethod
    def of(cls, r: SpecRecord) -> ProductSpecification:
        return cls(
            id=strawberry.ID(r.id), name=r.name, version=r.version, physical=r.physical,
            description=r.description, record=r,
        )

    @strawberry.field
    def characteristics(self) -> list[CharacteristicSpecification]:
        return [CharacteristicSpecification(name=c.name, values=list(c.values), default=c.default)
                for c in self.record.characteristics]

    @strawberry.field(
        description="Every stored version of this specification, oldest first; `version` is the newest, "
        "which new products are built from. A stored version never changes."
    )
    def versions(self) -> list[str]:
        return list(self.record.versions or (self.record.version,))

    @strawberry.field(description="Child specifications this one bundles, with cardinalities.")
    def bundles(self) -> list[BundledSpecification]:
        return [BundledSpecification(min=b.min, max=b.max, child_id=b.child_spec_id) for b in self.record.bundles]

    @strawberry.field(description="Service specifications that realize this product.")
    async def realized_as(self, info: Ctx) -> list[ServiceSpecification]:
        found = await info.context.loaders.service_spec.load_many(list(self.record.service_spec_ids))
        return [ServiceSpecification.of(s) for s in found if s is not None]

    @strawberry.field
    def fulfillment_tasks(self) -> list[TaskTemplate]:
        return [TaskTemplate(name=t.name, domain=t.domain, point_of_no_return=t.point_of_no_return)
                for t in self.record.fulfillment]


@strawberry.type(description="A fulfilled service realizing a product inventory item.")
class ServiceInventory:
    id: strawberry.ID
    name: str
    state: str
    spec_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, r: ServiceRecord) -> ServiceInventory:
        return cls(id=strawberry.ID(r.id), name=r.name, state=r.state, spec_id=r.spec_id)

    @strawberry.field
    async def specification(self, info: Ctx) -> ServiceSpecification | None:
        if self.spec_id is None:
            return None
        found = await info.context.loaders.service_spec.load(self.spec_id)
        return ServiceSpecification.of(found) if found else None


@strawberry.type(description="The right a contract grants for one product inventory item.")
class Entitlement:
    id: strawberry.ID
    name: str
    state: str
    start_date: date | None
    end_date: date | None
    record: strawberry.Private[EntitlementRecord]

    @classmethod
    def of(cls, r: EntitlementRecord) -> Entitlement:
        return cls(id=strawberry.ID(r.id), name=r.name, state=r.state, start_date=r.start_date,
                   end_date=r.end_date, record=r)

    @strawberry.field
    async def contract(self, info: Ctx) -> Contract | None:
        found = await info.context.loaders.contract.load(self.record.contract_id)
        return Contract.of(found) if found else None

    @strawberry.field(description="The product inventory item this entitlement covers.")
    async def product(self, info: Ctx) -> ProductInventory | None:
        if self.record.product_id is None:
            return None
        found = await info.context.loaders.item.load(self.record.product_id)
        return ProductInventory.of(found) if found else None


@strawberry.type(description="An account's agreement (TMF651-like).")
class Contract:
    id: strawberry.ID
    name: str
    state: str
    start_date: date | None
    end_date: date | None
    record: strawberry.Private[ContractRecord]

    @classmethod
    def of(cls, r: ContractRecord) -> Contract:
        return cls(id=strawberry.ID(r.id), name=r.name, state=r.state, start_date=r.start_date,
                   end_date=r.end_date, record=r)

    @strawberry.field
    async def entitlements(self, info: Ctx) -> list[Entitlement]:
        return [Entitlement.of(e) for e in await info.context.loaders.entitlements.load(self.record.id)]


@strawberry.type(description="A customer: owns inventory, locations, contracts and orders.")
class Account:
    id: strawberry.ID
    name: str
    segment: str | None

    @classmethod
    def of(cls, r: AccountRecord) -> Account:
        return cls(id=strawberry.ID(r.id), name=r.name, segment=r.segment)

    @strawberry.field(description="Top-order parents: the roots of the account's inventory trees.")
    async def roots(self, info: Ctx, include_inactive: bool = True) -> list[ProductInventory]:
        items = await info.context.loaders.roots.load(str(self.id))
        return [ProductInventory.of(i) for i in items
                if include_inactive or i.state != InventoryStateValue.INACTIVE]

    @strawberry.field
    async def locations(self, info: Ctx) -> list[Location]:
        return [Location.of(r) for r in await info.context.loaders.account_locations.load(str(self.id))]

    @strawberry.field
    async def contracts(self, info: Ctx) -> list[Contract]:
        return [Contract.of(r) for r in await info.context.loaders.contracts.load(str(self.id))]

    @strawberry.field(description="Orders placed for this account, newest first.")
    async def orders(self, info: Ctx) -> list[Annotated[CustomerOrder, strawberry.lazy("schema.orders")]]:
        from resolvers.order_read import orders_of_account

        return await orders_of_account(info, str(self.id))


@strawberry.type(description="One fulfilled product a customer has; part of a parent/child tree.")
class ProductInventory:
    id: strawberry.ID
    name: str
    state: InventoryState
    version: int
    created_at: datetime | None
    depth: int = strawberry.field(description="Levels below the root the query started from.")
    record: strawberry.Private[ItemRecord]

    @classmethod
    def of(cls, r: ItemRecord) -> ProductInventory:
        return cls(
            id=strawberry.ID(r.id), name=r.name, state=InventoryStateValue(r.state), version=r.version,
            created_at=r.created_at, depth=r.depth, record=r,
        )

    @strawberry.field
    async def specification(self, info: Ctx) -> ProductSpecification:
        return ProductSpecification.of(await info.context.loaders.spec.load(self.record.spec_id))

    @strawberry.field(
        description="The version of the specification this item was built from (a change order can move it "
        "to another stored version)."
    )
    async def specification_version(self, info: Ctx) -> str:
        if self.record.spec_version is not None:
            return self.record.spec_version
        return (await info.context.loaders.spec.load(self.record.spec_id)).version

    @strawberry.field
    async def location(self, info: Ctx) -> Location | None:
        if self.record.location_id is None:
            return None
        found = await info.context.loaders.location.load(self.record.location_id)
        return Location.of(found) if found else None

    @strawberry.field
    async def parent(self, info: Ctx) -> ProductInventory | None:
        if self.record.parent_id is None:
            return None
        found = await info.context.loaders.item.load(self.record.parent_id)
        return ProductInventory.of(found) if found else None

    @strawberry.field
    async def children(self, info: Ctx) -> list[ProductInventory]:
        below = self.depth + 1
        return [ProductInventory.of(replace(c, depth=below)) for c in await info.context.loaders.children.load(self.record.id)]

    @strawberry.field(description="Items above this one, root first.")
    async def ancestors(self, info: Ctx) -> list[ProductInventory]:
        return [ProductInventory.of(a) for a in await info.context.loaders.ancestors.load(self.record.id)]

    @strawberry.field
    def characteristics(self) -> list[Characteristic]:
        return [Characteristic(name=k, value=v) for k, v in sorted(self.record.characteristics.items())]

    @strawberry.field(description="Service inventory realizing this product.")
    async def services(self, info: Ctx) -> list[ServiceInventory]:
        return [ServiceInventory.of(s) for s in await info.context.loaders.services.load(self.record.id)]

    @strawberry.field
    async def entitlement(self, info: Ctx) -> Entitlement | None:
        found = await info.context.loaders.item_entitlement.load(self.record.id)
        return Entitlement.of(found) if found else None

    @strawberry.field
    async def account(self, info: Ctx) -> Account:
        return Account.of(await info.context.loaders.account.load(self.record.account_id))

    @strawberry.field(description="The open order working on this item, if any (rule R6).")
    async def open_order(self, info: Ctx) -> Annotated[CustomerOrder, strawberry.lazy("schema.orders")] | None:
        from resolvers.order_read import open_order_of_item

        return await open_order_of_item(info, self.record.id)

    @strawberry.field(description="Every recorded change to this item, newest first.")
    async def history(self, info: Ctx) -> list[Annotated[InventoryEvent, strawberry.lazy("schema.history")]]:
        from resolvers.history_read import inventory_history

        return await inventory_history(info, strawberry.ID(self.record.id))


@strawberry.type(description="A parent/child link of an inventory tree.")
class InventoryEdge:
    parent_id: strawberry.ID
    child_id: strawberry.ID
