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
from schema.node import Node
from schema.orders import CustomerOrder, OrderLine
from schema.pagination import PageInfo
from schema.types import Location, ProductInventory

Ctx = Info[Context, Any]

# The rules' enums are registered with GraphQL in schema.enums; annotations use them directly.


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
class OrderTask(Node):
    id: strawberry.ID = strawberry.field(description="Stable task id.")
    name: str = strawberry.field(description="Task name from the catalog template.")
    sequence: int = strawberry.field(description="Position among the domain order's tasks, from 1.")
    state: TaskState = strawberry.field(description="OPEN, IN_PROGRESS, CLOSED_COMPLETE or CANCELLED.")
    point_of_no_return: bool = strawberry.field(description="Closing this task ends in-flight cancellation (R12).")
    started_at: datetime | None = strawberry.field(description="When startOrderTask ran.")
    closed_at: datetime | None = strawberry.field(description="When the task was closed or cancelled.")
    record: strawberry.Private[TaskRecord]

    @classmethod
    def of(cls, r: TaskRecord) -> OrderTask:
        return cls(
            id=strawberry.ID(r.id), name=r.name, sequence=r.sequence, state=TaskState(r.state),
            point_of_no_return=r.point_of_no_return, started_at=r.started_at, closed_at=r.closed_at, record=r,
        )

    @strawberry.field(description="The domain order the task is a step of.")
    async def domain_order(self, info: Ctx) -> DomainOrder | None:
        from resolvers.tasks_read import domain_order_by_id

        return await domain_order_by_id(info, self.record.domain_order_id)

    @strawberry.field(description="The customer order the task fulfills.")
    async def order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        return await customer_order(info, self.record.order_id)


@strawberry.type(description="A product, service or resource order a customer order was decomposed into (R7).")
class DomainOrder(Node):
    id: strawberry.ID = strawberry.field(description="Stable domain order id.")
    kind: DomainOrderKind = strawberry.field(description="PRODUCT, SERVICE or RESOURCE.")
    state: TaskState = strawberry.field(description="Follows its tasks: CLOSED_COMPLETE when all are closed.")
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

    @strawberry.field(description="The customer order it was decomposed from.")
    async def order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        return await customer_order(info, self.record.order_id)


@strawberry.type(description="Field work: ship or collect a device, or install a new site.")
class WorkOrder(Node):
    id: strawberry.ID = strawberry.field(description="Stable work order id.")
    kind: WorkOrderKind = strawberry.field(description="What field work is needed.")
    state: TaskState = strawberry.field(description="Work order state.")
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

    @strawberry.field(description="The order lines that need the work.")
    async def lines(self, info: Ctx) -> list[OrderLine]:
        return await _lines(info, self.record.order_id, self.record.line_ids)


@strawberry.type(description="A return merchandise authorization: a device that must come back (R11).")
class ReturnAuthorization(Node):
    id: strawberry.ID = strawberry.field(description="Stable return (RMA) id.")
    state: ReturnState = strawberry.field(description="AUTHORIZED, RECEIVED, CLOSED or CANCELLED.")
    reason: ReturnReason = strawberry.field(description="Why the device must come back.")
    created_at: datetime | None = strawberry.field(description="When the order that needs the return was approved.")
    received_at: datetime | None = strawberry.field(description="When the device arrived.")
    closed_at: datetime | None = strawberry.field(description="When the device was processed.")
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

    @strawberry.field(description="The customer order that needs the return.")
    async def order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        return await customer_order(info, self.record.order_id)


@strawberry.type(description="One transition of a customer order, with the reason given when there was one.")
class OrderEvent:
    id: strawberry.ID = strawberry.field(description="Stable event id.")
    from_state: OrderState | None = strawberry.field(description="State before the transition; none for the order's creation.")
    to_state: OrderState = strawberry.field(description="State after the transition.")
    reason: str | None = strawberry.field(description="Why, when the transition was a rejection or a cancellation.")
    at: datetime | None = strawberry.field(description="When the transition happened.")

    @classmethod
    def of(cls, r: OrderEventRecord) -> OrderEvent:
        return cls(
            id=strawberry.ID(r.id),
            from_state=OrderStateValue(r.from_state) if r.from_state else None,
            to_state=OrderStateValue(r.to_state),
            reason=r.reason,
            at=r.at,
        )


@strawberry.type(description="A return mutation's answer: the return as it now is, or the errors and no change.")
class ReturnPayload:
    return_authorization: ReturnAuthorization | None = strawberry.field(description="The return as it now is; none when the mutation refused.")
    errors: list[OrderError] = strawberry.field(description="Why the mutation refused; empty on success.")


@strawberry.type(description="A task in a page of tasks, with its cursor.")
class OrderTaskEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this task; pass it as `after` for the next page.")
    node: OrderTask = strawberry.field(description="The task.")


@strawberry.type(description="A page of order tasks (Relay connection).")
class OrderTaskConnection:
    edges: list[OrderTaskEdge] = strawberry.field(description="One page of tasks.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
    total_count: int = strawberry.field(description="How many tasks match, over all pages.")
