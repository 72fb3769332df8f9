"""Reading fulfillment: the open-task queue, and an order's domain orders, work orders, returns and history.

Every per-order field goes through a DataLoader, so listing many orders costs one query per field.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from graph import fulfillment, task_flow
from graph.records import Page, TaskRecord, to_date, to_datetime
from resolvers.inventory_read import MAX_PAGE
from rules.lifecycle_model import OPEN_TASK_STATES, FailureCategory, MilestoneKind, TaskState
from rules.model import OrderState
from rules.schedule import Jeopardy, highest, jeopardy, start_of
from rules.task_flow import Blockers, OrderFlow, blockers
from schema.context import Context, authorize, now_of
from schema.errors import ArgumentError
from schema.fulfillment import (
    DomainOrder,
    OrderEvent,
    OrderMilestone,
    OrderTask,
    OrderTaskConnection,
    OrderTaskEdge,
    ReturnAuthorization,
    TaskEvent,
    TaskQueueOrder,
    WorkOrder,
)
from schema.pagination import PageInfo, decode_cursor, encode_cursor

Ctx = Info[Context, Any]


def _loader(info: Ctx, name: str, fetch: Any, default: Any) -> DataLoader[str, Any]:
    return info.context.loaders.named(name, info.context.graph, fetch, default)


JeopardyFilter = Annotated[
    list[Jeopardy] | None,
    strawberry.argument(description="Only tasks in one of these jeopardy levels (at the request's instant)."),
]


def _page_size(first: int | None) -> int:
    size = 50 if first is None else first
    if not 1 <= size <= MAX_PAGE:
        raise ArgumentError("first", f"must be between 1 and {MAX_PAGE}, got {size}")
    return size


def _connection(page: Page) -> OrderTaskConnection:
    edges = [OrderTaskEdge(cursor=encode_cursor(key), node=OrderTask.of(task)) for key, task in page.items]
    return OrderTaskConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None),
        total_count=page.total,
    )


async def open_tasks(
    info: Ctx,
    first: Annotated[int | None, strawberry.argument(description="Page size, 1 to 100.")] = 50,
    after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    order_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only the tasks of this order.")
    ] = None,
    jeopardy: JeopardyFilter = None,
    order_by: Annotated[
        TaskQueueOrder | None,
        strawberry.argument(description="QUEUE (oldest approval first) or DUE_DATE (earliest due first)."),
    ] = TaskQueueOrder.QUEUE,
) -> OrderTaskConnection:
    """Tasks still OPEN or IN_PROGRESS, oldest approval first, optionally of one order."""
    authorize(info, "task.read")
    page = await task_flow.task_queue(
        info.context.graph,
        states=[TaskState.OPEN.value, TaskState.IN_PROGRESS.value],
        key_property="queueKey",
        first=_page_size(first),
        after=decode_cursor("after", after),
        now=now_of(info),
        order_id=str(order_id) if order_id else None,
        levels=jeopardy,
        sort=(order_by or TaskQueueOrder.QUEUE).name,
    )
    return _connection(page)


async def fallout_tasks(
    info: Ctx,
    first: Annotated[int | None, strawberry.argument(description="Page size, 1 to 100.")] = 50,
    after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    category: Annotated[
        FailureCategory | None, strawberry.argument(description="Only tasks that failed in this category.")
    ] = None,
    jeopardy: JeopardyFilter = None,
    order_by: Annotated[
        TaskQueueOrder | None,
        strawberry.argument(description="QUEUE (oldest failure first) or DUE_DATE (earliest due first)."),
    ] = TaskQueueOrder.QUEUE,
) -> OrderTaskConnection:
    """FAILED tasks across orders, oldest failure first: the operations team's fallout queue."""
    authorize(info, "task.read")
    page = await task_flow.task_queue(
        info.context.graph,
        states=[TaskState.FAILED.value],
        key_property="falloutKey",
        first=_page_size(first),
        after=decode_cursor("after", after),
        now=now_of(info),
        category=category.value if category else None,
        levels=jeopardy,
        sort=(order_by or TaskQueueOrder.QUEUE).name,
    )
    return _connection(page)


async def tasks_of_order(info: Ctx, order_id: str) -> dict[str, TaskRecord]:
    """Every task of the order by id (through the request's domain-order loader)."""
    found = await _loader(info, "domain_orders", fulfillment.domain_orders_of_orders, list).load(order_id)
    return {t.id: t for d in found for t in d.tasks}


async def order_flow_of(info: Ctx, order_id: str) -> OrderFlow:
    """The order's fulfillment as readiness sees it at the request's instant, from the request's loaders."""
    from resolvers.order_read import order_properties_loader

    domain_orders = await _loader(info, "domain_orders", fulfillment.domain_orders_of_orders, list).load(order_id)
    work_orders = await _loader(info, "work_orders", fulfillment.work_orders_of_orders, list).load(order_id)
    props = dict(await order_properties_loader(info).load(order_id) or {})
    requested = to_date(props.get("requestedStartDate"))
    return OrderFlow(
        order_id=order_id,
        domain_orders=[fulfillment.as_rule_domain_order(d) for d in domain_orders],
        work_orders=[fulfillment.as_rule_work_order(w) for w in work_orders],
        on_hold=bool(props.get("onHold")),
        starts_at=start_of(requested) if requested else None,
        now=now_of(info),
    )


async def task_blockers(info: Ctx, task: TaskRecord) -> Blockers:
    flow = await order_flow_of(info, task.order_id)
    rule_task = next(t for t in flow.tasks() if t.id == task.id)
    return blockers(flow, rule_task)


async def history_of_task(info: Ctx, task_id: str) -> list[TaskEvent]:
    found = await _loader(info, "task_events", task_flow.events_of_tasks, list).load(task_id)
    return [TaskEvent.of(e) for e in found]


async def return_by_id(info: Ctx, return_id: str) -> ReturnAuthorization | None:
    found = await _loader(info, "return", fulfillment.returns_by_ids, None).load(return_id)
    return ReturnAuthorization.of(found) if found else None


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


async def return_authorization(info: Ctx, id: strawberry.ID) -> ReturnAuthorization | None:
    authorize(info, "return.read")
    found = await _loader(info, "return", fulfillment.returns_by_ids, None).load(str(id))
    return ReturnAuthorization.of(found) if found else None


_MILESTONE_STAMPS = {
    MilestoneKind.ACCEPTED: "acceptedAt",
    MilestoneKind.APPROVED: "approvedAt",
    MilestoneKind.FIRST_ACTIVATION: "firstActivationAt",
    MilestoneKind.POINT_OF_NO_RETURN_PASSED: "pointOfNoReturnAt",
    MilestoneKind.COMPLETED: "completedAt",
}


def milestones_of(props: dict[str, Any]) -> list[OrderMilestone]:
    """Every milestone in order, with when the order reached it (none until it does)."""
    return [OrderMilestone(kind=kind, at=to_datetime(props.get(stamp))) for kind, stamp in _MILESTONE_STAMPS.items()]


async def order_jeopardy(info: Ctx, order_id: str) -> Jeopardy:
    from resolvers.order_read import order_properties_loader

    props = dict(await order_properties_loader(info).load(order_id) or {})
    if props.get("state") != OrderState.IN_PROGRESS.value:
        return Jeopardy.NONE
    now = now_of(info)
    own = jeopardy(to_datetime(props.get("plannedStartAt")), to_datetime(props.get("dueAt")), now)
    tasks = (await tasks_of_order(info, order_id)).values()
    return highest(
        [own, *(jeopardy(t.planned_start_at, t.due_at, now) for t in tasks if TaskState(t.state) in OPEN_TASK_STATES)]
    )
