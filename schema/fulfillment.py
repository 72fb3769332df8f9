"""Order fulfillment as the API shows it: domain orders, tasks, work orders, returns and order history.

Thin views over the records of `graph.fulfillment`; links to orders, lines and items go through
the request's DataLoaders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from graph.records import DomainOrderRecord, OrderEventRecord, ReturnRecord, TaskRecord, WorkOrderRecord
from rules.lifecycle_model import DomainOrderKind, ReturnReason, ReturnState, TaskState, WorkOrderKind
from rules.model import Order
from rules.model import OrderState as OrderStateValue
from schema.context import Context
from schema.enums import OrderState
from schema.errors import OrderError
from schema.orders import CustomerOrder, OrderLine
from schema.pagination import PageInfo
from schema.types import Location, ProductInventory

Ctx = Info[Context, Any]

# The rules' enums are the GraphQL enums (registered here, once); annotations use them directly.
strawberry.enum(TaskState, description="State of an order task, a domain order or a work order.")
strawberry.enum(DomainOrderKind, description="The fulfillment domain a customer order is decomposed into.")
strawberry.enum(WorkOrderKind, description="Field work: ship or collect a device, install a site.")
strawberry.enum(ReturnState, description="Return authorization (RMA) lifecycle.")
strawberry.enum(ReturnReason, description="Why a device must come back.")


async def _order(info: Ctx, order_id: str) -> Order | None:
    from resolvers.order_read import order_loader

    found: Order | None = await order_loader(info).load(order_id)
    return found


async def _lines(info: Ctx, order_id: str, line_ids: tuple[str, ...]) -> list[OrderLine]:
    order = await _order(info, order_id)
    if order is None:
        return []
    wanted = set(line_ids)
    return [OrderLine.of(order, ln) for ln in order.lines if ln.id in wanted]


async def _item(info: Ctx, item_id: str | None) -> ProductInventory | None:
    if item_id is None:
        return None
    found = await info.context.loaders.item.load(item_id)
    return ProductInventory.of(found) if found else None


@strawberry.type(description="One step of a domain order. Closing a point-of-no-return step ends cancellation (R12).")
class OrderTask:
    id: strawberry.ID
    name: str
    sequence: int = strawberry.field(description="Position among the domain order's tasks, from 1.")
    state: TaskState
    point_of_no_return: bool
    started_at: datetime | None
    closed_at: datetime | None
    record: strawberry.Private[TaskRecord]

    @classmethod
    def of(cls, r: TaskRecord) -> OrderTask:
        return cls(
            id=strawberry.ID(r.id), name=r.name, sequence=r.sequence, state=TaskState(r.state),
            point_of_no_return=r.point_of_no_return, started_at=r.started_at, closed_at=r.closed_at, record=r,
        )

    @strawberry.field
    async def domain_order(self, info: Ctx) -> DomainOrder | None:
        from resolvers.tasks_read import domain_order_by_id

        return await domain_order_by_id(info, self.record.domain_order_id)

    @strawberry.field
    async def order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        return await customer_order(info, self.record.order_id)


@strawberry.type(description="A product, service or resource order a customer order was decomposed into (R7).")
class DomainOrder:
    id: strawberry.ID
    kind: DomainOrderKind
    state: TaskState
    record: strawberry.Private[DomainOrderRecord]

    @classmethod
    def of(cls, r: DomainOrderRecord) -> DomainOrder:
        return cls(
            id=strawberry.ID(r.id), kind=DomainOrderKind(r.kind),
            state=TaskState(r.state), record=r,
        )

    @strawberry.field(description="The tasks in sequence; the domain order closes when all are closed.")
    def tasks(self) -> list[OrderTask]:
        return [OrderTask.of(t) for t in self.record.tasks]

    @strawberry.field(description="The order lines this domain order fulfills.")
    async def lines(self, info: Ctx) -> list[OrderLine]:
        return await _lines(info, self.record.order_id, self.record.line_ids)

    @strawberry.field
    async def order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        return await customer_order(info, self.record.order_id)


@strawberry.type(description="Field work: ship or collect a device, or install a new site.")
class WorkOrder:
    id: strawberry.ID
    kind: WorkOrderKind
    state: TaskState
    record: strawberry.Private[WorkOrderRecord]

    @classmethod
    def of(cls, r: WorkOrderRecord) -> WorkOrder:
        return cls(
            id=strawberry.ID(r.id), kind=WorkOrderKind(r.kind),
            state=TaskState(r.state), record=r,
        )

    @strawberry.field(description="The device shipped or collected; none for a site install.")
    async def item(self, info: Ctx) -> ProductInventory | None:
        return await _item(info, self.record.item_id)

    @strawberry.field(description="Where the work happens.")
    async def location(self, info: Ctx) -> Location | None:
        if self.record.location_id is None:
            return None
        found = await info.context.loaders.location.load(self.record.location_id)
        return Location.of(found) if found else None

    @strawberry.field
    async def lines(self, info: Ctx) -> list[OrderLine]:
        return await _lines(info, self.record.order_id, self.record.line_ids)


@strawberry.type(description="A return merchandise authorization: a device that must come back (R11).")
class ReturnAuthorization:
    id: strawberry.ID
    state: ReturnState
    reason: ReturnReason
    created_at: datetime | None
    received_at: datetime | None
    closed_at: datetime | None
    record: strawberry.Private[ReturnRecord]

    @classmethod
    def of(cls, r: ReturnRecord) -> ReturnAuthorization:
        return cls(
            id=strawberry.ID(r.id), state=ReturnState(r.state),
            reason=ReturnReason(r.reason), created_at=r.created_at, received_at=r.received_at,
            closed_at=r.closed_at, record=r,
        )

    @strawberry.field(description="The device to return.")
    async def device(self, info: Ctx) -> ProductInventory:
        found = await _item(info, self.record.item_id)
        if found is None:  # items are never deleted, so a return always has its device
            raise LookupError(f"device {self.record.item_id} of return {self.record.id} is missing")
        return found

    @strawberry.field(description="The order line that removes the device.")
    async def line(self, info: Ctx) -> OrderLine:
        found = await _lines(info, self.record.order_id, (self.record.line_id,))
        if not found:
            raise LookupError(f"line {self.record.line_id} of return {self.record.id} is missing")
        return found[0]

    @strawberry.field
    async def order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        return await customer_order(info, self.record.order_id)


@strawberry.type(description="One transition of a customer order, with the reason given when there was one.")
class OrderEvent:
    id: strawberry.ID
    from_state: OrderState | None
    to_state: OrderState
    reason: str | None
    at: datetime | None
    caller_id: str | None = strawberry.field(
        description="The verified caller whose request made the transition (null for events recorded before "
        "callers were verified)."
    )

    @classmethod
    def of(cls, r: OrderEventRecord) -> OrderEvent:
        return cls(
            id=strawberry.ID(r.id),
            from_state=OrderStateValue(r.from_state) if r.from_state else None,
            to_state=OrderStateValue(r.to_state),
            reason=r.reason,
            at=r.at,
            caller_id=r.caller_id,
        )


@strawberry.type(description="A return mutation's answer: the return as it now is, or the errors and no change.")
class ReturnPayload:
    return_authorization: ReturnAuthorization | None
    errors: list[OrderError]


@strawberry.type
class OrderTaskEdge:
    cursor: str
    node: OrderTask


@strawberry.type
class OrderTaskConnection:
    edges: list[OrderTaskEdge]
    page_info: PageInfo
    total_count: int
