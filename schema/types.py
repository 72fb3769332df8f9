"""Object types of the installed base and the catalog: thin views over graph records.

Nested fields go through the request's DataLoaders, so a query costs one round trip per level.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from exports.tree_formats import ExportFormat, LayoutDirection
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
from rules.lifecycle_model import DomainOrderKind
from rules.model import InventoryState as InventoryStateValue
from schema.context import Context
from schema.enums import ContractState, EntitlementState, InventoryState, ServiceState
from schema.node import Node

if TYPE_CHECKING:
    from schema.history import InventoryEvent
    from schema.orders import CustomerOrder

Ctx = Info[Context, None]


@strawberry.type(description="A name/value pair describing an item.")
class Characteristic:
    name: str = strawberry.field(description="Characteristic name, as the specification defines it (e.g. `speed`, `msisdn`).")
    value: str = strawberry.field(description="Current value, always as text.")


@strawberry.type(description="A service address.")
class Location(Node):
    id: strawberry.ID = strawberry.field(description="Stable location id.")
    name: str = strawberry.field(description="Short name people use for the site.")
    address: str | None = strawberry.field(description="Street address.")
    city: str | None = strawberry.field(description="City.")
    country: str | None = strawberry.field(description="Country.")

    @classmethod
    def of(cls, r: LocationRecord) -> Location:
        return cls(id=strawberry.ID(r.id), name=r.name, address=r.address, city=r.city, country=r.country)


@strawberry.type(description="A characteristic a specification allows; empty `values` means free text.")
class CharacteristicSpecification:
    name: str = strawberry.field(description="Characteristic name items of this specification carry.")
    values: list[str] = strawberry.field(description="Allowed values; empty means any text.")
    default: str | None = strawberry.field(description="Value a new item starts with when the order sets none.")


@strawberry.type(description="A fulfillment task the catalog prescribes for a specification.")
class TaskTemplate:
    name: str = strawberry.field(description="Task name, e.g. `Provision radio`.")
    domain: DomainOrderKind = strawberry.field(description="The domain order the task belongs to.")
    point_of_no_return: bool = strawberry.field(description="Closing this task ends in-flight cancellation of the order (R12).")


@strawberry.type(description="A catalog entry for a technical service that realizes products.")
class ServiceSpecification(Node):
    id: strawberry.ID = strawberry.field(description="Stable service specification id.")
    name: str = strawberry.field(description="Service specification name.")
    fulfillment_tasks: list[TaskTemplate] = strawberry.field(description="Tasks the catalog prescribes when an order touches a service of this specification.")

    @classmethod
    def of(cls, r: ServiceSpecRecord) -> ServiceSpecification:
        tasks = [TaskTemplate(name=t.name, domain=DomainOrderKind(t.domain), point_of_no_return=t.point_of_no_return)
                 for t in r.fulfillment]
        return cls(id=strawberry.ID(r.id), name=r.name, fulfillment_tasks=tasks)


@strawberry.type(description="A child specification a bundle may hold, between min and max times.")
class BundledSpecification:
    min: int = strawberry.field(description="Fewest children of this specification a parent must have.")
    max: int = strawberry.field(description="Most children of this specification a parent may have.")
    child_id: strawberry.Private[str]

    @strawberry.field(description="The child specification.")
    async def specification(self, info: Ctx) -> ProductSpecification:
        return ProductSpecification.of(await info.context.loaders.spec.load(self.child_id))


@strawberry.type(description="A catalog product specification; bundles compose child specifications.")
class ProductSpecification(Node):
    id: strawberry.ID = strawberry.field(description="Stable specification id.")
    name: str = strawberry.field(description="Specification name shown to people.")
    version: str = strawberry.field(description="Catalog version of the specification.")
    physical: bool = strawberry.field(description="A device that is shipped and returned.")
    description: str | None = strawberry.field(description="Free text from the catalog.")
    record: strawberry.Private[SpecRecord]

    @classmethod
    def of(cls, r: SpecRecord) -> ProductSpecification:
        return cls(
            id=strawberry.ID(r.id), name=r.name, version=r.version, physical=r.physical,
            description=r.description, record=r,
        )

    @strawberry.field(description="Characteristics items of this specification carry, with their allowed values.")
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

    @strawberry.field(description="Tasks the catalog prescribes when an order touches an item of this specification (R7).")
    def fulfillment_tasks(self) -> list[TaskTemplate]:
        return [TaskTemplate(name=t.name, domain=DomainOrderKind(t.domain), point_of_no_return=t.point_of_no_return)
                for t in self.record.fulfillment]


@strawberry.type(description="A fulfilled service realizing a product inventory item.")
class ServiceInventory(Node):
    id: strawberry.ID = strawberry.field(description="Stable service inventory id.")
    name: str = strawberry.field(description="Service name.")
    state: ServiceState = strawberry.field(description="Service state (TMF638); follows the product it realizes (R9).")
    spec_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, r: ServiceRecord) -> ServiceInventory:
        return cls(id=strawberry.ID(r.id), name=r.name, state=ServiceState(r.state), spec_id=r.spec_id)

    @strawberry.field(description="The service specification this service is an instance of.")
    async def specification(self, info: Ctx) -> ServiceSpecification | None:
        if self.spec_id is None:
            return None
        found = await info.context.loaders.service_spec.load(self.spec_id)
        return ServiceSpecification.of(found) if found else None


@strawberry.type(description="The right a contract grants for one product inventory item.")
class Entitlement(Node):
    id: strawberry.ID = strawberry.field(description="Stable entitlement id.")
    name: str = strawberry.field(description="Entitlement name.")
    state: EntitlementState = strawberry.field(description="Entitlement state; follows its product (R10).")
    start_date: date | None = strawberry.field(description="First day the right applies.")
    end_date: date | None = strawberry.field(description="Last day the right applies, when it ends.")
    record: strawberry.Private[EntitlementRecord]

    @classmethod
    def of(cls, r: EntitlementRecord) -> Entitlement:
        return cls(id=strawberry.ID(r.id), name=r.name, state=EntitlementState(r.state), start_date=r.start_date,
                   end_date=r.end_date, record=r)

    @strawberry.field(description="The contract that grants this entitlement.")
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
class Contract(Node):
    id: strawberry.ID = strawberry.field(description="Stable contract id.")
    name: str = strawberry.field(description="Contract name.")
    state: ContractState = strawberry.field(description="Contract state.")
    start_date: date | None = strawberry.field(description="First day of the contract.")
    end_date: date | None = strawberry.field(description="Last day of the contract, when it has one.")
    record: strawberry.Private[ContractRecord]

    @classmethod
    def of(cls, r: ContractRecord) -> Contract:
        return cls(id=strawberry.ID(r.id), name=r.name, state=ContractState(r.state), start_date=r.start_date,
                   end_date=r.end_date, record=r)

    @strawberry.field(description="Rights the contract grants, one per covered product.")
    async def entitlements(self, info: Ctx) -> list[Entitlement]:
        return [Entitlement.of(e) for e in await info.context.loaders.entitlements.load(self.record.id)]


@strawberry.type(description="A customer: owns inventory, locations, contracts and orders.")
class Account(Node):
    id: strawberry.ID = strawberry.field(description="Stable account id.")
    name: str = strawberry.field(description="Customer name.")
    segment: str | None = strawberry.field(description="Customer segment, e.g. `enterprise` or `consumer`.")

    @classmethod
    def of(cls, r: AccountRecord) -> Account:
        return cls(id=strawberry.ID(r.id), name=r.name, segment=r.segment)

    @strawberry.field(description="Top-order parents: the roots of the account's inventory trees.")
    async def roots(
        self,
        info: Ctx,
        include_inactive: Annotated[
            bool, strawberry.argument(description="False leaves out INACTIVE roots (disconnected or moved away).")
        ] = True,
    ) -> list[ProductInventory]:
        items = await info.context.loaders.roots.load(str(self.id))
        return [ProductInventory.of(i) for i in items
                if include_inactive or i.state != InventoryStateValue.INACTIVE]

    @strawberry.field(description="Service addresses of the account (createLocation adds one).")
    async def locations(self, info: Ctx) -> list[Location]:
        return [Location.of(r) for r in await info.context.loaders.account_locations.load(str(self.id))]

    @strawberry.field(description="The account's contracts, oldest first.")
    async def contracts(self, info: Ctx) -> list[Contract]:
        return [Contract.of(r) for r in await info.context.loaders.contracts.load(str(self.id))]

    @strawberry.field(
        description="Every tree of the account as one text file (Mermaid, DOT, GraphML or Cytoscape JSON), "
        "roots side by side, not only the first tree."
    )
    async def export(
        self,
        info: Ctx,
        format: Annotated[ExportFormat, strawberry.argument(description="The text format to write.")],
        direction: Annotated[
            LayoutDirection, strawberry.argument(description="Which way the drawing grows (default TOP_DOWN).")
        ] = LayoutDirection.TOP_DOWN,
        include_inactive: Annotated[
            bool, strawberry.argument(description="False leaves out INACTIVE items and what hangs under them.")
        ] = True,
    ) -> str:
        from graph.lookup import account_forest
        from schema.inventory_tree import export_items

        nodes, edges = await account_forest(info.context.graph, str(self.id), include_inactive)
        return await export_items(info, [(n.id, n.name, n.state, n.spec_id) for n in nodes], edges, format, direction)

    @strawberry.field(description="Orders placed for this account, newest first.")
    async def orders(self, info: Ctx) -> list[Annotated[CustomerOrder, strawberry.lazy("schema.orders")]]:
        from resolvers.order_read import orders_of_account

        return await orders_of_account(info, str(self.id))


@strawberry.type(description="One fulfilled product a customer has; part of a parent/child tree.")
class ProductInventory(Node):
    id: strawberry.ID = strawberry.field(description="Stable item id.")
    name: str = strawberry.field(description="Item name shown to people.")
    state: InventoryState = strawberry.field(description="Item state; a pending state means an open order works on it.")
    version: int = strawberry.field(description="Incremented on every change (optimistic concurrency).")
    created_at: datetime | None = strawberry.field(description="When the item was recorded.")
    depth: int = strawberry.field(description="Levels below the root the query started from.")
    record: strawberry.Private[ItemRecord]

    @classmethod
    def of(cls, r: ItemRecord) -> ProductInventory:
        return cls(
            id=strawberry.ID(r.id), name=r.name, state=InventoryStateValue(r.state), version=r.version,
            created_at=r.created_at, depth=r.depth, record=r,
        )

    @strawberry.field(description="The catalog specification the item is an instance of.")
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

    @strawberry.field(description="The service address the item is at.")
    async def location(self, info: Ctx) -> Location | None:
        if self.record.location_id is None:
            return None
        found = await info.context.loaders.location.load(self.record.location_id)
        return Location.of(found) if found else None

    @strawberry.field(description="The item above this one; none for a root.")
    async def parent(self, info: Ctx) -> ProductInventory | None:
        if self.record.parent_id is None:
            return None
        found = await info.context.loaders.item.load(self.record.parent_id)
        return ProductInventory.of(found) if found else None

    @strawberry.field(description="Items directly below this one, by name.")
    async def children(self, info: Ctx) -> list[ProductInventory]:
        below = self.depth + 1
        return [ProductInventory.of(replace(c, depth=below)) for c in await info.context.loaders.children.load(self.record.id)]

    @strawberry.field(
        description="How many items are directly below this one, without reading them: a client drawing a "
        "tree level by level (inventoryTree maxDepth) knows what can still be opened."
    )
    async def child_count(self, info: Ctx) -> int:
        from graph.lookup import child_counts

        found = await info.context.loaders.named("child_count", info.context.graph, child_counts, 0).load(
            self.record.id
        )
        return int(found)

    @strawberry.field(description="Items above this one, root first.")
    async def ancestors(self, info: Ctx) -> list[ProductInventory]:
        return [ProductInventory.of(a) for a in await info.context.loaders.ancestors.load(self.record.id)]

    @strawberry.field(description="Current characteristic values, by name.")
    def characteristics(self) -> list[Characteristic]:
        return [Characteristic(name=k, value=v) for k, v in sorted(self.record.characteristics.items())]

    @strawberry.field(description="Service inventory realizing this product.")
    async def services(self, info: Ctx) -> list[ServiceInventory]:
        return [ServiceInventory.of(s) for s in await info.context.loaders.services.load(self.record.id)]

    @strawberry.field(description="The entitlement covering this item; a current one wins over ended ones.")
    async def entitlement(self, info: Ctx) -> Entitlement | None:
        found = await info.context.loaders.item_entitlement.load(self.record.id)
        return Entitlement.of(found) if found else None

    @strawberry.field(description="The account that owns the item.")
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

    @strawberry.field(
        description="For a move copy: the item at the old location it replaces (R4). None for other items."
    )
    async def replaces(self, info: Ctx) -> ProductInventory | None:
        from graph.lookup import replaced_items

        found = await info.context.loaders.named("replaces", info.context.graph, replaced_items, None).load(
            self.record.id
        )
        return ProductInventory.of(found) if found else None

    @strawberry.field(
        description="For a moved item: its copy at the new location, which carries on as the product (R4)."
    )
    async def replaced_by(self, info: Ctx) -> ProductInventory | None:
        from graph.lookup import replacing_items

        found = await info.context.loaders.named("replaced_by", info.context.graph, replacing_items, None).load(
            self.record.id
        )
        return ProductInventory.of(found) if found else None


@strawberry.type(description="A parent/child link of an inventory tree.")
class InventoryEdge:
    parent_id: strawberry.ID = strawberry.field(description="Id of the parent item.")
    child_id: strawberry.ID = strawberry.field(description="Id of the child item.")
