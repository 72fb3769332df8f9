"""What the lifecycle mutations share: locking the order, loading the catalog the rules decide
with, turning plans into stored rows and inventory history, and completing an order.

Each mutation is one write transaction (see `resolvers.order_mutation`): it locks the order
first, reads what the rules need, lets `rules.effects` / `rules.fulfillment` decide, and writes
the plan with the batched statements of `graph.fulfillment`. A RuleError anywhere rolls the
whole transaction back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import catalog, fulfillment, history, inventory_writes
from graph import orders as order_graph
from graph.driver import Graph
from graph.records import ServiceSpecRecord, TaskTemplateRecord
from resolvers.follow_on_settle import settle_follow_ons
from resolvers.order_mutation import new_id, not_found
from rules.effects import ApprovalRecord, CompletionPlan, ItemStateChange, completion_effects
from rules.fulfillment import realized_as
from rules.lifecycle_model import DomainOrderKind, TaskDependency, TaskTemplate, WorkOrderKind
from rules.model import InventoryItem, LineAction, Order, OrderState, ProductSpec
from schema.context import Context, authorize

Tx = AsyncManagedTransaction
Ctx = Info[Context, Any]
Event = dict[str, Any]


def lifecycle_id(prefix: str) -> str:
    """Ids for records the rules create (`DO`, `TASK`, `WO`, `RMA`, `PI`, `SI`, `ENT`), lower-cased
    like every other id the service issues."""
    return new_id(prefix.lower())


def today() -> date:
    return datetime.now(UTC).date()


async def lock_order_for(tx: Tx, graph: Graph, info: Ctx, order_id: str, action: str) -> Order:
    """Take the order's write lock and read it with its lines; NOT_FOUND when there is no such order
    or it belongs to an account outside the caller's scope. The caller's roles are checked first."""
    authorize(info, action)
    order = await order_graph.lock_order(tx, graph, order_id)
    if order is None:
        raise not_found("orderId", order_id)
    authorize(info, action, order.account_id)
    return order


def target_ids(order: Order) -> list[str]:
    """The inventory items the order's lines target."""
    return [ln.inventory_id for ln in order.lines if ln.inventory_id]


def line_of_items(order: Order, record: ApprovalRecord | None = None) -> dict[str, str]:
    """Line id per item the order touches, move copies included (they belong to their item's line)."""
    line_of = {ln.inventory_id: ln.id for ln in order.lines if ln.inventory_id}
    for old_id, copy_id in (record.copies if record else {}).items():
        if old_id in line_of:
            line_of[copy_id] = line_of[old_id]
    return line_of


@dataclass(frozen=True)
class Catalog:
    """The specifications an order uses, in the shapes the rules take."""

    specs: dict[str, ProductSpec]
    templates: dict[str, tuple[TaskTemplate, ...]]
    service_specs: dict[str, ServiceSpecRecord]

    @property
    def service_specs_of(self) -> dict[str, tuple[str, ...]]:
        return realized_as(self.specs)


async def load_catalog(tx: Tx, graph: Graph, spec_ids: Iterable[str]) -> Catalog:
    """Product specifications with their task templates, and the service specifications realizing them."""
    records = await catalog.specs_in(tx, graph, sorted(set(spec_ids)))
    service_ids = {sid for r in records.values() for sid in r.service_spec_ids}
    service_specs = await fulfillment.service_specs_in(tx, graph, service_ids)
    steps: dict[str, tuple[TaskTemplateRecord, ...]] = {sid: r.fulfillment for sid, r in records.items()}
    steps.update((sid, r.fulfillment) for sid, r in service_specs.items())
    templates = {
        spec_id: tuple(rule_template(t) for t in fulfillment_steps) for spec_id, fulfillment_steps in steps.items()
    }
    return Catalog({sid: r.as_rule_spec() for sid, r in records.items()}, templates, service_specs)


def rule_template(t: TaskTemplateRecord) -> TaskTemplate:
    """A stored task template as the decomposition rules take it."""
    return TaskTemplate(
        t.name,
        DomainOrderKind(t.domain),
        t.point_of_no_return,
        tuple(LineAction(a) for a in t.actions),
        tuple(TaskDependency(DomainOrderKind(d.domain), d.name, d.make_before_break) for d in t.after),
        t.duration_hours,
        WorkOrderKind(t.work_order) if t.work_order else None,
        t.activation,
        t.undo,
    )


def state_rows(changes: Iterable[ItemStateChange]) -> list[dict[str, Any]]:
    return [{"id": c.item_id, "state": c.to_state.value} for c in changes]


def event(item_id: str, order_id: str, line_of: Mapping[str, str], field: str, old: Any, new: Any) -> Event:
    """One inventory history row, as `graph.history.record_events` takes it."""
    return {
        "itemId": item_id,
        "orderId": order_id,
        "lineId": line_of.get(item_id),
        "field": field,
        "from": None if old is None else str(old),
        "to": None if new is None else str(new),
    }


def state_events(changes: Iterable[ItemStateChange], order_id: str, line_of: Mapping[str, str]) -> list[Event]:
    return [
        event(c.item_id, order_id, line_of, "state", c.from_state.value, c.to_state.value) for c in changes
    ]


async def apply_item_states(
    tx: Tx, graph: Graph, order_id: str, changes: Sequence[ItemStateChange], line_of: Mapping[str, str]
) -> list[Event]:
    """Write item state changes; returns their history events for the caller to record with the rest."""
    await fulfillment.set_item_states(tx, graph, state_rows(changes))
    return state_events(changes, order_id, line_of)


async def complete_order(tx: Tx, graph: Graph, order: Order, now: datetime | None = None) -> CompletionPlan:
    """Land the whole effect of an order whose last domain order just closed (R7-R10), in the caller's
    transaction: item states and characteristics, move copies replacing roots, services,
    entitlements, work orders, the contract a cancellation order was started for, history,
    the COMPLETED state, and the release of the order's items."""
    record = await fulfillment.approval_record(tx, graph, order.id)
    items = await fulfillment.items_in(tx, graph, [*target_ids(order), *record.copies.values()])
    known = await load_catalog(tx, graph, {i.spec_id for i in items.values()} | {ln.spec_id for ln in order.lines})
    services = await fulfillment.services_in(tx, graph, items)
    entitlements = await fulfillment.entitlements_in(tx, graph, items)
    parents = {i.parent_id for i in items.values() if i.parent_id}
    contract_id = await fulfillment.contract_for(tx, graph, order.account_id, [*items, *parents])
    on = today()
    plan = completion_effects(
        order, items, record, services, entitlements, known.specs, known.service_specs_of, contract_id, on,
        lifecycle_id,
    )
    line_of = line_of_items(order, record)
    events = await apply_item_states(tx, graph, order.id, plan.state_changes, line_of)
    await write_characteristics(tx, graph, order.id, plan, items, line_of, events)
    await inventory_writes.set_locations(
        tx, graph, [{"id": u.item_id, "locationId": u.to_location_id} for u in plan.location_updates]
    )
    events.extend(
        event(u.item_id, order.id, line_of, "location", u.from_location_id, u.to_location_id)
        for u in plan.location_updates
    )
    await inventory_writes.set_specification_versions(
        tx, graph, [{"id": u.item_id, "version": u.to_version} for u in plan.version_updates]
    )
    events.extend(
        event(u.item_id, order.id, line_of, "specificationVersion", u.from_version, u.to_version)
        for u in plan.version_updates
    )
    await fulfillment.link_roots(
        tx, graph, [{"accountId": link.account_id, "rootId": link.new_root_id} for link in plan.root_links]
    )
    await fulfillment.set_service_states(
        tx, graph, [{"id": c.service_id, "state": c.to_state.value} for c in plan.service_changes]
    )
    await fulfillment.create_services(tx, graph, order.id, service_rows(plan, items, known.service_specs, order))
    await fulfillment.set_entitlement_states(
        tx, graph, [{"id": c.entitlement_id, "state": c.to_state.value} for c in plan.entitlement_changes], on
    )
    await fulfillment.repoint_entitlements(
        tx,
        graph,
        [{"id": r.entitlement_id, "fromId": r.from_product_id, "toId": r.to_product_id}
         for r in plan.entitlement_repoints],
    )
    await fulfillment.update_entitlements(
        tx,
        graph,
        [
            {"id": u.entitlement_id, "orderId": order.id, "lineId": u.line_id,
             "changes": fulfillment.characteristics_json({c.name: c.new for c in u.changes})}
            for u in plan.entitlement_updates
        ],
    )
    await fulfillment.grant_entitlements(
        tx,
        graph,
        order.id,
        [
            {"id": e.id, "name": f"{_name(items, e.product_id)} entitlement", "state": e.state.value,
             "contractId": e.contract_id, "productId": e.product_id, "startDate": on}
            for e in plan.new_entitlements
        ],
    )
    await fulfillment.close_open_work_orders(tx, graph, order.id)
    await fulfillment.finish_contract_cancellation(tx, graph, order.id, on)
    await fulfillment.add_notes(tx, graph, order.id, plan.notes)
    await history.record_events(tx, graph, events)
    await order_graph.set_order_state(tx, graph, order.id, OrderState.COMPLETED, milestones=["COMPLETED"],
                                      at=now or datetime.now(UTC))
    await order_graph.release_items(tx, graph, order.id)
    await settle_follow_ons(tx, graph, order.id, "completed")
    return plan


async def write_characteristics(
    tx: Tx,
    graph: Graph,
    order_id: str,
    plan: CompletionPlan,
    items: Mapping[str, InventoryItem],
    line_of: Mapping[str, str],
    events: list[Event],
) -> None:
    rows = []
    for update in plan.characteristic_updates:
        before = items[update.item_id].characteristics if update.item_id in items else {}
        rows.append({"id": update.item_id, "characteristics": fulfillment.characteristics_json(update.characteristics)})
        events.append(
            event(
                update.item_id, order_id, line_of, "characteristics",
                fulfillment.characteristics_json(before), fulfillment.characteristics_json(update.characteristics),
            )
        )
    await fulfillment.set_characteristics(tx, graph, rows)


def service_rows(
    plan: CompletionPlan,
    items: Mapping[str, InventoryItem],
    service_specs: Mapping[str, ServiceSpecRecord],
    order: Order,
) -> list[dict[str, Any]]:
    """New services are named like the installed base's: '<service specification> for <product>'."""
    rows = []
    for s in plan.new_services:
        spec = service_specs.get(s.spec_id)
        rows.append(
            {
                "id": s.id,
                "name": f"{spec.name if spec else s.spec_id} for {_name(items, s.product_id)}",
                "state": s.state.value,
                "accountId": order.account_id,
                "specId": s.spec_id,
                "productId": s.product_id,
            }
        )
    return rows


def _name(items: Mapping[str, InventoryItem], item_id: str) -> str:
    found = items.get(item_id)
    return found.name if found else item_id
