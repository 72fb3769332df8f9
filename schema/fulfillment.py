"""Order fulfillment as the API shows it: domain orders, tasks, work orders, returns and order history.

Thin views over the records of `graph.fulfillment`; links to orders, lines and items go through
the request's DataLoaders.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from graph.records import (
    DomainOrderRecord,
    OrderEventRecord,
    ReturnRecord,
    TaskEventRecord,
    TaskRecord,
    WorkOrderRecord,
)
from rules.lifecycle_model import (
    OPEN_TASK_STATES,
    DomainOrderKind,
    FailureCategory,
    MilestoneKind,
    OrderEventKind,
    ReturnReason,
    ReturnState,
    TaskState,
    WorkOrderKind,
    WorkOrderState,
)
from rules.model import Order
from rules.model import OrderState as OrderStateValue
from rules.schedule import Jeopardy, jeopardy
from schema.context import Context, now_of
from schema.enums import OrderState
from schema.errors import OrderError
from schema.node import Node
from schema.orders import CustomerOrder, OrderLine
from schema.pagination import PageInfo
from schema.types import Location, ProductInventory

Ctx = Info[Context, Any]

# The rules' enums are the GraphQL enums (registered once, in schema.enums); annotations use them directly.
@strawberry.enum(description="How a task queue is sorted.")
class TaskQueueOrder(Enum):
    QUEUE = strawberry.enum_value(
        "QUEUE", description="The queue's own order: oldest approval first (open tasks), oldest failure first (fallout)."
    )
    DUE_DATE = strawberry.enum_value("DUE_DATE", description="Earliest due date first, then the queue's own order.")


async def _order(info: Ctx, order_id: str) -> Order | None:
    from resolvers.order_read import order_loader

    found: Order | None = await order_loader(info).load(order_id)
    return found


async def _lines(info: Ctx, order_id: str, line_ids: tuple[str, ...]) -> list[OrderLine]:
    order = await _order(info, order_id)
    if order is None:
        return []
    wanted = set(line_ids)
    found = [OrderLine.of(order, ln) for ln in order.lines if ln.id in wanted]
    missing = wanted - {str(ln.id) for ln in found}
    if missing:  # lines a revision removed from the order's tree (R14) stay readable from its records
        from graph.orders import lines_by_ids

        loader = info.context.loaders.named("lines_by_id", info.context.graph, lines_by_ids, None)
        removed = await loader.load_many(sorted(missing))
        found.extend(OrderLine.of(order, ln) for ln in removed if ln is not None)
    return found


async def _item(info: Ctx, item_id: str | None) -> ProductInventory | None:
    if item_id is None:
        return None
    found = await info.context.loaders.item.load(item_id)
    return ProductInventory.of(found) if found else None


@strawberry.type(description="A recorded transition of an order task: who moved it, why, at which attempt.")
class TaskEvent:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    from_state: TaskState | None = strawberry.field(description="The state before; none for the first entry.")
    to_state: TaskState = strawberry.field(description="The state after.")
    reason: str | None = strawberry.field(description="Why, for a failure or a skip.")
    category: FailureCategory | None = strawberry.field(description="The failure category, for a failure.")
    attempt: int = strawberry.field(description="The task's attempt this transition belongs to, from 1.")
    by: str | None = strawberry.field(description="The caller who moved the task.")
    at: datetime | None = strawberry.field(description="When.")

    @classmethod
    def of(cls, r: TaskEventRecord) -> TaskEvent:
        return cls(
            id=strawberry.ID(r.id), from_state=TaskState(r.from_state) if r.from_state else None,
            to_state=TaskState(r.to_state), reason=r.reason,
            category=FailureCategory(r.category) if r.category else None, attempt=r.attempt, by=r.by, at=r.at,
        )


@strawberry.type(description="One step of a domain order. Closing a point-of-no-return step ends cancellation (R12); "
                 "a step runs only once the steps it depends on are done (R13).")
class OrderTask(Node):
    id: strawberry.ID = strawberry.field(description="The task's id (`task-…`).")
    name: str = strawberry.field(description="What the step does, from the catalog's task template.")
    sequence: int = strawberry.field(description="Position among the domain order's tasks, from 1.")
    state: TaskState = strawberry.field(description="Where the task is in its lifecycle.")
    point_of_no_return: bool = strawberry.field(
        description="Closing (or skipping) this task ends the order's cancellability."
    )
    started_at: datetime | None = strawberry.field(description="When it was last started.")
    closed_at: datetime | None = strawberry.field(description="When it was closed or skipped.")
    attempt: int = strawberry.field(description="Which attempt this is: 1, plus one per retry after a failure.")
    failure_reason: str | None = strawberry.field(description="Why it last failed.")
    failure_category: FailureCategory | None = strawberry.field(description="The category of its last failure.")
    failed_at: datetime | None = strawberry.field(description="When it last failed.")
    skip_reason: str | None = strawberry.field(description="Why it was skipped, when it was.")
    planned_start_at: datetime | None = strawberry.field(
        description="When it may start at the earliest: the order's start or its dependencies' due dates."
    )
    due_at: datetime | None = strawberry.field(
        description="When it is due: its planned start plus the catalog's duration for the step."
    )
    activation: bool = strawberry.field(description="The step brings a new or changed service up.")
    waits_for_work_order: WorkOrderKind | None = strawberry.field(
        description="The kind of the order's field work this step waits for, when it needs a visit."
    )
    held_by: list[str] = strawberry.field(
        description="What holds the task (the id of a revision of its order, R14); a held task neither starts "
        "nor closes. Empty when nothing holds it."
    )
    record: strawberry.Private[TaskRecord]

    @classmethod
    def of(cls, r: TaskRecord) -> OrderTask:
        return cls(
            id=strawberry.ID(r.id), name=r.name, sequence=r.sequence, state=TaskState(r.state),
            point_of_no_return=r.point_of_no_return, started_at=r.started_at, closed_at=r.closed_at,
            attempt=r.attempt, failure_reason=r.failure_reason,
            failure_category=FailureCategory(r.failure_category) if r.failure_category else None,
            failed_at=r.failed_at, skip_reason=r.skip_reason, planned_start_at=r.planned_start_at,
            due_at=r.due_at, activation=r.activation,
            waits_for_work_order=WorkOrderKind(r.work_order) if r.work_order else None, held_by=list(r.held_by), record=r,
        )

    @strawberry.field(description="The domain order the task belongs to.")
    async def domain_order(self, info: Ctx) -> DomainOrder | None:
        from resolvers.tasks_read import domain_order_by_id

        return await domain_order_by_id(info, self.record.domain_order_id)

    @strawberry.field(description="The customer order the task fulfills.")
    async def order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        return await customer_order(info, self.record.order_id)

    @strawberry.field(
        description="The tasks that must be done (closed or skipped) before this one can be started or closed: "
        "the one before it in its domain order and those the catalog names across domain orders."
    )
    async def depends_on(self, info: Ctx) -> list[OrderTask]:
        from resolvers.tasks_read import tasks_of_order

        found = await tasks_of_order(info, self.record.order_id)
        return [OrderTask.of(found[i]) for i in self.record.depends_on if i in found]

    @strawberry.field(description="The tasks it depends on that are not done yet.")
    async def blocked_by(self, info: Ctx) -> list[OrderTask]:
        from resolvers.tasks_read import task_blockers

        blockers = await task_blockers(info, self.record)
        found = {t.id for t in blockers.tasks}
        return [t for t in await self.depends_on(info) if str(t.id) in found]

    @strawberry.field(description="The order's field work of the kind this task waits for that is not complete.")
    async def blocked_by_work_orders(self, info: Ctx) -> list[WorkOrder]:
        from resolvers.tasks_read import task_blockers, work_orders_of_order

        blockers = await task_blockers(info, self.record)
        waiting = {w.id for w in blockers.work_orders}
        return [w for w in await work_orders_of_order(info, self.record.order_id) if str(w.id) in waiting]

    @strawberry.field(
        description="True when the task can be started or closed now: it is OPEN or IN_PROGRESS, what it depends "
        "on is done, its field work is complete, its order is not on hold and the order's requested start has come."
    )
    async def ready(self, info: Ctx) -> bool:
        from resolvers.tasks_read import task_blockers

        if TaskState(self.record.state) not in (TaskState.OPEN, TaskState.IN_PROGRESS):
            return False
        return (await task_blockers(info, self.record)).none

    @strawberry.field(description="How close the task is to missing its due date (NONE once it is done).")
    def jeopardy(self, info: Ctx) -> Jeopardy:
        return jeopardy(
            self.record.planned_start_at, self.record.due_at, now_of(info),
            TaskState(self.record.state) in OPEN_TASK_STATES,
        )

    @strawberry.field(description="Every transition of the task, oldest first.")
    async def history(self, info: Ctx) -> list[TaskEvent]:
        from resolvers.tasks_read import history_of_task

        return await history_of_task(info, self.record.id)


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


@strawberry.type(description="Field work: ship or collect a device, or install a new site. Scheduled, started, "
                 "completed or failed on its own; the task that needs the visit waits for it (R13).")
class WorkOrder(Node):
    id: strawberry.ID = strawberry.field(description="The work order's id (`wo-…`).")
    kind: WorkOrderKind = strawberry.field(description="What the visit does.")
    state: WorkOrderState = strawberry.field(description="Where the work order is in its lifecycle.")
    scheduled_date: date | None = strawberry.field(description="The day the visit is booked for.")
    window: str | None = strawberry.field(description="The time window of the visit on that day, e.g. 08:00-12:00.")
    attempt: int = strawberry.field(description="Which visit this is: 1, plus one per rescheduling after a failure.")
    failure_reason: str | None = strawberry.field(description="Why the last visit failed.")
    started_at: datetime | None = strawberry.field(description="When the visit started.")
    closed_at: datetime | None = strawberry.field(description="When it was completed or cancelled.")
    record: strawberry.Private[WorkOrderRecord]

    @classmethod
    def of(cls, r: WorkOrderRecord) -> WorkOrder:
        return cls(
            id=strawberry.ID(r.id), kind=WorkOrderKind(r.kind), state=WorkOrderState(r.state),
            scheduled_date=r.scheduled_date, window=r.window, attempt=r.attempt, failure_reason=r.failure_reason,
            started_at=r.started_at, closed_at=r.closed_at, record=r,
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

    @strawberry.field(description="The order lines the visit serves.")
    async def lines(self, info: Ctx) -> list[OrderLine]:
        return await _lines(info, self.record.order_id, self.record.line_ids)

    @strawberry.field(description="For a device collection: the return authorization the device comes back under.")
    async def return_authorization(self, info: Ctx) -> ReturnAuthorization | None:
        if self.record.return_id is None:
            return None
        from resolvers.tasks_read import return_by_id

        return await return_by_id(info, self.record.return_id)

    @strawberry.field(description="The customer order the visit belongs to.")
    async def order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        return await customer_order(info, self.record.order_id)


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
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    from_state: OrderState | None = strawberry.field(description="The order's state before; none at creation.")
    to_state: OrderState = strawberry.field(description="The order's state after.")
    reason: str | None = strawberry.field(description="Why, when a reason was given (rejection, cancellation, hold).")
    at: datetime | None = strawberry.field(description="When.")
    kind: OrderEventKind = strawberry.field(
        default=OrderEventKind.STATE_CHANGE,
        description="What the entry records: a state change, or a hold or resume (same state before and after).",
    )
    caller_id: str | None = strawberry.field(
        default=None,
        description="The verified caller whose request made the transition (null for events recorded before "
        "callers were verified).",
    )

    @classmethod
    def of(cls, r: OrderEventRecord) -> OrderEvent:
        return cls(
            id=strawberry.ID(r.id),
            from_state=OrderStateValue(r.from_state) if r.from_state else None,
            to_state=OrderStateValue(r.to_state),
            reason=r.reason,
            at=r.at,
            kind=OrderEventKind(r.kind),
            caller_id=r.caller_id,
        )


@strawberry.type(description="A return mutation's answer: the return as it now is, or the errors and no change.")
class ReturnPayload:
    return_authorization: ReturnAuthorization | None = strawberry.field(description="The return as it now is; none when the mutation refused.")
    errors: list[OrderError] = strawberry.field(description="Why the mutation refused; empty on success.")


@strawberry.type(description="A customer-facing progress point of an order and when it was reached.")
class OrderMilestone:
    kind: MilestoneKind = strawberry.field(description="Which progress point.")
    at: datetime | None = strawberry.field(description="When the order first reached it; none until it does.")


@strawberry.type(description="A work order answer: the work order as it now is, or the errors and no change.")
class WorkOrderPayload:
    work_order: WorkOrder | None = strawberry.field(description="The work order after the change.")
    errors: list[OrderError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="A task in a page of tasks, with its cursor.")
class OrderTaskEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this task; pass it as `after` for the next page.")
    node: OrderTask = strawberry.field(description="The task.")


@strawberry.type(description="A page of order tasks (Relay connection).")
class OrderTaskConnection:
    edges: list[OrderTaskEdge] = strawberry.field(description="One page of tasks.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
    total_count: int = strawberry.field(description="How many tasks match, over all pages.")
