"""Customer orders, their lines, previews and payloads."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from rules.model import Order
from rules.model import OrderLine as OrderLineValue
from rules.schedule import Jeopardy
from schema.context import Context
from schema.enums import LineAction, OrderAction, OrderState
from schema.errors import OrderError
from schema.types import Account, Location, ProductInventory, ProductSpecification

if TYPE_CHECKING:
    from schema.fulfillment import DomainOrder, OrderEvent, OrderMilestone, ReturnAuthorization, WorkOrder
    from schema.revisions import OrderRevision

Ctx = Info[Context, Any]


@strawberry.type(description="A characteristic a line sets, from its current value to a new one.")
class CharacteristicChange:
    name: str
    old_value: str | None
    new_value: str


@strawberry.input(description="A characteristic value to set.")
class CharacteristicInput:
    name: str
    value: str


async def _item(info: Ctx, item_id: str | None) -> ProductInventory | None:
    if item_id is None:
        return None
    found = await info.context.loaders.item.load(item_id)
    return ProductInventory.of(found) if found else None


async def _location(info: Ctx, location_id: str | None) -> Location | None:
    if location_id is None:
        return None
    found = await info.context.loaders.location.load(location_id)
    return Location.of(found) if found else None


def _changes(line: OrderLineValue) -> list[CharacteristicChange]:
    return [CharacteristicChange(name=c.name, old_value=c.old, new_value=c.new) for c in line.characteristic_changes]


@strawberry.type(description="One action on one inventory item, or one new product; lines form a tree.")
class OrderLine:
    id: strawberry.ID
    action: LineAction
    state: OrderState
    move_operation: bool
    line: strawberry.Private[OrderLineValue]
    order: strawberry.Private[Order]

    @classmethod
    def of(cls, order: Order, line: OrderLineValue) -> OrderLine:
        return cls(
            id=strawberry.ID(line.id), action=line.action, state=line.state, move_operation=line.move,
            line=line, order=order,
        )

    @strawberry.field
    async def inventory_item(self, info: Ctx) -> ProductInventory | None:
        return await _item(info, self.line.inventory_id)

    @strawberry.field
    async def specification(self, info: Ctx) -> ProductSpecification | None:
        found = await info.context.loaders.spec.load(self.line.spec_id)
        return ProductSpecification.of(found) if found else None

    @strawberry.field
    def parent_line(self) -> OrderLine | None:
        if self.line.parent_line_id is None:
            return None
        parent = line_index(self.order)[0].get(self.line.parent_line_id)
        return OrderLine.of(self.order, parent) if parent else None

    @strawberry.field
    def child_lines(self) -> list[OrderLine]:
        return [OrderLine.of(self.order, c) for c in line_index(self.order)[1].get(self.line.id, [])]

    @strawberry.field
    async def target_location(self, info: Ctx) -> Location | None:
        return await _location(info, self.line.target_location_id)

    @strawberry.field(
        description="The specification version a CHANGE line moves its item to; null when the version stays."
    )
    def specification_version(self) -> str | None:
        return self.line.specification_version

    @strawberry.field
    def characteristic_changes(self) -> list[CharacteristicChange]:
        return _changes(self.line)




def line_index(order: Order) -> tuple[dict[str, OrderLineValue], dict[str, list[OrderLineValue]]]:
    """Lines by id and child lines per line, built once per order object."""
    cached = getattr(order, "_line_index", None)
    if cached is None:
        by_id = {ln.id: ln for ln in order.lines}
        children: dict[str, list[OrderLineValue]] = {}
        for ln in order.lines:
            if ln.parent_line_id is not None:
                children.setdefault(ln.parent_line_id, []).append(ln)
        cached = (by_id, children)
        object.__setattr__(order, "_line_index", cached)
    return cached


@strawberry.type(description="A request to change what an account has.")
class CustomerOrder:
    id: strawberry.ID
    action: OrderAction
    state: OrderState
    version: int = strawberry.field(
        description="The order's version: 1 as first captured, one more for every approved revision (R14)."
    )
    order: strawberry.Private[Order]
    lines_loaded: strawberry.Private[bool] = True

    @classmethod
    def of(cls, order: Order, lines_loaded: bool = True) -> CustomerOrder:
        """A view of `order`; with `lines_loaded` False its lines are read only if a query asks for them."""
        return cls(id=strawberry.ID(order.id), action=order.action, state=order.state,
                   version=order.order_version, order=order, lines_loaded=lines_loaded)

    async def with_lines(self, info: Ctx) -> Order:
        if not self.lines_loaded:
            from resolvers.order_read import order_loader

            full: Order | None = await order_loader(info).load(self.order.id)
            if full is not None:
                self.order, self.lines_loaded = full, True
        return self.order

    @strawberry.field
    async def account(self, info: Ctx) -> Account:
        return Account.of(await info.context.loaders.account.load(self.order.account_id))

    @strawberry.field(description="Every line, parents before children.")
    async def lines(self, info: Ctx) -> list[OrderLine]:
        order = await self.with_lines(info)
        return [OrderLine.of(order, ln) for ln in order.lines]

    @strawberry.field(description="Lines with no parent line: the tops of the line tree.")
    async def top_lines(self, info: Ctx) -> list[OrderLine]:
        order = await self.with_lines(info)
        return [OrderLine.of(order, ln) for ln in order.lines if ln.parent_line_id is None]

    @strawberry.field
    async def created_at(self, info: Ctx) -> datetime | None:
        meta = await order_meta(info, self.order.id)
        value = meta.get("createdAt")
        return value.to_native() if value is not None and hasattr(value, "to_native") else value

    @strawberry.field(description="Why the order was rejected or cancelled, when it was.")
    async def reason(self, info: Ctx) -> str | None:
        return (await order_meta(info, self.order.id)).get("reason")

    @strawberry.field(description="What approval decomposed the order into (R7); empty before approval.")
    async def domain_orders(
        self, info: Ctx
    ) -> list[Annotated[DomainOrder, strawberry.lazy("schema.fulfillment")]]:
        from resolvers.tasks_read import domain_orders_of_order

        return await domain_orders_of_order(info, self.order.id)

    @strawberry.field(description="Field work the order needs: devices to ship or collect, sites to install.")
    async def work_orders(self, info: Ctx) -> list[Annotated[WorkOrder, strawberry.lazy("schema.fulfillment")]]:
        from resolvers.tasks_read import work_orders_of_order

        return await work_orders_of_order(info, self.order.id)

    @strawberry.field(description="Devices that must come back (R11).")
    async def returns(
        self, info: Ctx
    ) -> list[Annotated[ReturnAuthorization, strawberry.lazy("schema.fulfillment")]]:
        from resolvers.tasks_read import returns_of_order

        return await returns_of_order(info, self.order.id)

    @strawberry.field(description="Every state transition of the order, oldest first.")
    async def history(self, info: Ctx) -> list[Annotated[OrderEvent, strawberry.lazy("schema.fulfillment")]]:
        from resolvers.tasks_read import history_of_order

        return await history_of_order(info, self.order.id)

    @strawberry.field(description="True once a point-of-no-return task is closed: the order can no longer be cancelled.")
    async def past_point_of_no_return(self, info: Ctx) -> bool:
        from resolvers.tasks_read import past_point_of_no_return

        return await past_point_of_no_return(info, self.order.id)

    @strawberry.field(description="Every revision of the order (R14), oldest first, the open one included.")
    async def revisions(
        self, info: Ctx
    ) -> list[Annotated[OrderRevision, strawberry.lazy("schema.revisions")]]:
        from resolvers.order_read import revisions_of

        return await revisions_of(info, await self.with_lines(info))

    @strawberry.field(description="The revision being edited or awaiting approval, if any (R14).")
    async def pending_revision(
        self, info: Ctx
    ) -> Annotated[OrderRevision, strawberry.lazy("schema.revisions")] | None:
        from resolvers.order_read import revisions_of

        found = await revisions_of(info, await self.with_lines(info))
        return next((r for r in found if r.record.state in ("DRAFT", "SUBMITTED")), None)

    @strawberry.field(
        description="The open order this follow-on order waits for, or waited for (R15); null for other orders."
    )
    async def follows_order(self, info: Ctx) -> CustomerOrder | None:
        from resolvers.order_read import customer_order

        if self.order.follows_order_id is None:
            return None
        return await customer_order(info, self.order.follows_order_id)

    @strawberry.field(description="Follow-on orders captured against this order's outcome (R15), oldest first.")
    async def follow_on_orders(self, info: Ctx) -> list[CustomerOrder]:
        from resolvers.order_read import follow_on_orders_of

        return await follow_on_orders_of(info, self.order.id)

    @strawberry.field(description="What fulfillment wants people to know, e.g. an entitlement it could not grant.")
    async def notes(self, info: Ctx) -> list[str]:
        return list((await order_meta(info, self.order.id)).get("notes") or [])

    @strawberry.field(
        description="True while a task (or work order) of the order is FAILED: the order cannot complete until "
        "the task is retried or skipped."
    )
    async def fallout(self, info: Ctx) -> bool:
        from resolvers.tasks_read import order_flow_of
        from rules.task_flow import in_fallout

        flow = await order_flow_of(info, self.order.id)
        return in_fallout(flow.domain_orders, flow.work_orders)

    @strawberry.field(description="True while the order is on hold: none of its tasks can be started or closed.")
    async def on_hold(self, info: Ctx) -> bool:
        return bool((await order_meta(info, self.order.id)).get("onHold"))

    @strawberry.field(description="Why the order is on hold, while it is.")
    async def hold_reason(self, info: Ctx) -> str | None:
        return (await order_meta(info, self.order.id)).get("holdReason")

    @strawberry.field(description="The day the customer wants the work to start; no task is ready before it.")
    async def requested_start_date(self, info: Ctx) -> date | None:
        return _date((await order_meta(info, self.order.id)).get("requestedStartDate"))

    @strawberry.field(description="The day the customer wants the order complete; the order is due at its end.")
    async def requested_completion_date(self, info: Ctx) -> date | None:
        return _date((await order_meta(info, self.order.id)).get("requestedCompletionDate"))

    @strawberry.field(
        description="When the order is due: the end of its requested completion date, else its last task's due "
        "date; set on approval."
    )
    async def due_at(self, info: Ctx) -> datetime | None:
        return _datetime((await order_meta(info, self.order.id)).get("dueAt"))

    @strawberry.field(
        description="How close the order is to missing its due date: the higher of its own level (share of the "
        "time from approval to due used) and that of its most endangered open task; NONE unless IN_PROGRESS."
    )
    async def jeopardy(self, info: Ctx) -> Jeopardy:
        from resolvers.tasks_read import order_jeopardy

        return await order_jeopardy(info, self.order.id)

    @strawberry.field(
        description="Customer-facing progress: accepted, approved, first activation, point of no return passed, "
        "completed, each with when it was first reached."
    )
    async def milestones(self, info: Ctx) -> list[Annotated[OrderMilestone, strawberry.lazy("schema.fulfillment")]]:
        from resolvers.tasks_read import milestones_of

        return milestones_of(await order_meta(info, self.order.id))


def _date(value: Any) -> date | None:
    from graph.records import to_date

    return to_date(value)


def _datetime(value: Any) -> datetime | None:
    from graph.records import to_datetime

    return to_datetime(value)


async def order_meta(info: Ctx, order_id: str) -> dict[str, Any]:
    from resolvers.order_read import order_properties_loader

    return dict(await order_properties_loader(info).load(order_id) or {})


@strawberry.type(description="A line an action would create; nothing is written.")
class OrderLinePreview:
    action: LineAction
    move_operation: bool
    line: strawberry.Private[OrderLineValue]
    parent_inventory_id: strawberry.ID | None

    @strawberry.field
    async def inventory_item(self, info: Ctx) -> ProductInventory | None:
        return await _item(info, self.line.inventory_id)

    @strawberry.field
    async def specification(self, info: Ctx) -> ProductSpecification | None:
        found = await info.context.loaders.spec.load(self.line.spec_id)
        return ProductSpecification.of(found) if found else None

    @strawberry.field
    async def target_location(self, info: Ctx) -> Location | None:
        return await _location(info, self.line.target_location_id)

    @strawberry.field
    def characteristic_changes(self) -> list[CharacteristicChange]:
        return _changes(self.line)


@strawberry.type(description="A mutation's answer: the order as it now is, or the errors and no change.")
class OrderPayload:
    order: CustomerOrder | None
    errors: list[OrderError]
