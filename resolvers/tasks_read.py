"""Reading fulfillment: the open-task queue, and an order's domain orders, work orders, returns and history.

Every per-order field goes through a DataLoader, so listing many orders costs one query per field.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from graph import fulfillment
from resolvers.inventory_read import MAX_PAGE
from schema.context import Context, authorize
from schema.errors import ArgumentError
from schema.fulfillment import (
    DomainOrder,
    OrderEvent,
    OrderTask,
    OrderTaskConnection,
    OrderTaskEdge,
    ReturnAuthorization,
    WorkOrder,
)
from schema.pagination import decode_cursor, encode_cursor, page_info

Ctx = Info[Context, Any]


def _loader(info: Ctx, name: str, fetch: Any, default: Any) -> DataLoader[str, Any]:
    return info.context.loaders.named(name, info.context.graph, fetch, default)


async def open_tasks(
    info: Ctx,
    first: Annotated[int | None, strawberry.argument(description="Page size, 1 to 100 (default 50).")] = 50,
    after: Annotated[str | None, strawberry.argument(description="Cursor of the last task already seen (`endCursor`).")] = None,
    order_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only the tasks of this order.")] = None,
) -> OrderTaskConnection:
    """Tasks still OPEN or IN_PROGRESS, oldest approval first, optionally of one order."""
    authorize(info, "task.read")
    first = 50 if first is None else first
    if not 1 <= first <= MAX_PAGE:
        raise ArgumentError("first", f"must be between 1 and {MAX_PAGE}, got {first}")
    page = await fulfillment.open_tasks(
        info.context.graph, first, decode_cursor("after", after), str(order_id) if order_id else None
    )
    edges = [OrderTaskEdge(cursor=encode_cursor(key), node=OrderTask.of(task)) for key, task in page.items]
    return OrderTaskConnection(
        edges=edges,
        page_info=page_info([e.cursor for e in edges], page.has_next, after),
        total_count=page.total,
    )


async def domain_orders_of_order(info: Ctx, order_id: str) -> list[DomainOrder]:
    found = await _loader(info, "domain_orders", fulfillment.domain_orders_of_orders, list).load(order_id)
    return [DomainOrder.of(d) for d in found]


async def domain_order_by_id(info: Ctx, domain_order_id: str) -> DomainOrder | None:
    found = await _loader(info, "domain_order", fulfillment.domain_orders_by_ids, None).load(domain_order_id)
    return DomainOrder.of(found) if found else None


async def work_orders_of_order(info: Ctx, order_id: str) -> list[WorkOrder]:
    found = await _loader(info, "work_orders", fulfillment.work_orders_of_orders, list).load(order_id)
    return [WorkOrder.of(w) for w in found]


async def returns_of_order(info: Ctx, order_id: str) -> list[ReturnAuthorization]:
    found = await _loader(info, "returns", fulfillment.returns_of_orders, list).load(order_id)
    return [ReturnAuthorization.of(r) for r in found]


async def history_of_order(info: Ctx, order_id: str) -> list[OrderEvent]:
    found = await _loader(info, "order_events", fulfillment.events_of_orders, list).load(order_id)
    return [OrderEvent.of(e) for e in found]


async def past_point_of_no_return(info: Ctx, order_id: str) -> bool:
    found = await _loader(info, "domain_orders", fulfillment.domain_orders_of_orders, list).load(order_id)
    return any(t.point_of_no_return and t.state == "CLOSED_COMPLETE" for d in found for t in d.tasks)


async def return_authorization(
    info: Ctx,
    id: Annotated[strawberry.ID, strawberry.argument(description="Return (RMA) id.")],
) -> ReturnAuthorization | None:
    authorize(info, "return.read")
    found = await _loader(info, "return", fulfillment.returns_by_ids, None).load(str(id))
    return ReturnAuthorization.of(found) if found else None
