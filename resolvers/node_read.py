"""node(id): any object with an id, fetched again by that id alone (the Relay `Node` interface)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import lookup
from schema.context import Context, authorize
from schema.node import Node

Ctx = Info[Context, Any]


async def node(
    info: Ctx, id: Annotated[strawberry.ID, strawberry.argument(description="Id of any object.")]
) -> Node | None:
    from resolvers import inventory_read, order_read, tasks_read
    from schema.types import Contract, Entitlement, Location, ServiceSpecification

    authorize(info, "node.read")
    node_id = str(id)
    kind = await lookup.node_kind(info.context.graph, node_id)
    loaders = info.context.loaders
    found: Any = None
    if kind == "Account":
        found = await inventory_read.account(info, id)
    elif kind == "ProductInventory":
        found = await inventory_read.inventory_item(info, id)
    elif kind == "ProductSpecification":
        found = await inventory_read.product_specification(info, id)
    elif kind == "CustomerOrder":
        found = await order_read.order(info, id)
    elif kind == "ReturnAuthorization":
        found = await tasks_read.return_authorization(info, id)
    elif kind == "DomainOrder":
        found = await tasks_read.domain_order_by_id(info, node_id)
        order = await order_read.customer_order(info, found.record.order_id) if found else None
        authorize(info, "order.read", order.order.account_id if order else None)
    elif kind == "Location":
        authorize(info, "inventory.read")
        record = await loaders.location.load(node_id)
        found = Location.of(record) if record else None
    elif kind == "ServiceSpecification":
        authorize(info, "catalog.read")
        record = await loaders.service_spec.load(node_id)
        found = ServiceSpecification.of(record) if record else None
    elif kind == "Contract":
        record = await loaders.contract.load(node_id)
        if record is not None:
            authorize(info, "contract.read", record.account_id)
            found = Contract.of(record)
    elif kind == "Entitlement":
        record = await loaders.entitlement.load(node_id)
        if record is not None:
            contract = await loaders.contract.load(record.contract_id)
            authorize(info, "contract.read", contract.account_id if contract else None)
            found = Entitlement.of(record)
    return found  # type: ignore[no-any-return]
