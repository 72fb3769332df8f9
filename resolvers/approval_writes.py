"""The writes approving an order and approving a revision of one (R14) share: task rows with their
dependencies and dates, field work and returns, move copies and re-links with their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import fulfillment
from graph.driver import Graph
from resolvers.order_lifecycle import Event, event
from rules.effects import FulfillmentStateChange, ItemCopy, ItemRelink, RememberedLine, ReturnStateChange
from rules.fulfillment import Decomposition, DomainOrder, OrderTask
from rules.model import InventoryItem
from rules.schedule import TaskDates

Tx = AsyncManagedTransaction
Row = dict[str, Any]

_KIND_RANK = {"PRODUCT": 0, "SERVICE": 1, "RESOURCE": 2}


def queue_stamp() -> str:
    """The moment tasks are queued at: tasks queued earlier are worked on first."""
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")


def task_row(task: OrderTask, order_id: str, kind: str, stamp: str, dates: Mapping[str, TaskDates]) -> Row:
    """A new task as the graph stores it: catalog dependencies, duration, field work and dates."""
    planned = dates.get(task.id)
    return {
        "id": task.id, "domainOrderId": task.domain_order_id, "name": task.name, "sequence": task.sequence,
        "state": task.state.value, "pointOfNoReturn": task.point_of_no_return,
        "queueKey": f"{stamp}|{order_id}|{_KIND_RANK.get(kind, 0)}|{task.sequence:05d}",
        "dependsOn": list(task.depends_on), "durationHours": task.duration_hours,
        "workOrderKind": task.work_order.value if task.work_order else None,
        "activation": task.activation,
        "plannedStartAt": planned.planned_start if planned else None, "dueAt": planned.due if planned else None,
    }


def domain_order_rows(
    order_id: str, domain_orders: Iterable[DomainOrder], dates: Mapping[str, TaskDates], stamp: str
) -> list[Row]:
    return [
        {
            "id": d.id, "kind": d.kind.value, "state": d.state.value, "lineIds": list(d.line_ids),
            "tasks": [task_row(t, order_id, d.kind.value, stamp, dates) for t in d.tasks],
        }
        for d in domain_orders
    ]


async def write_work(
    tx: Tx,
    graph: Graph,
    order_id: str,
    domain_orders: Iterable[DomainOrder],
    decomposition: Decomposition,
    dates: Mapping[str, TaskDates],
    stamp: str,
) -> None:
    """New domain orders with their tasks, and the decomposition's work orders and returns."""
    await fulfillment.write_decomposition(
        tx,
        graph,
        order_id,
        domain_order_rows(order_id, domain_orders, dates, stamp),
        [
            {
                "id": w.id, "kind": w.kind.value, "state": w.state.value, "itemId": w.item_id,
                "locationId": w.location_id, "lineIds": list(w.line_ids), "returnId": w.return_id,
            }
            for w in decomposition.work_orders
        ],
        [
            {"id": r.id, "lineId": r.line_id, "itemId": r.item_id, "reason": r.reason.value, "state": r.state.value}
            for r in decomposition.returns
        ],
    )


async def write_moves(
    tx: Tx,
    graph: Graph,
    order_id: str,
    items: Mapping[str, InventoryItem],
    copies: Sequence[ItemCopy],
    relinks: Sequence[ItemRelink],
    line_of: Mapping[str, str],
) -> list[Event]:
    """Move copies at the new location and products added to a move re-linked under them (R4);
    returns their inventory history for the caller to record with the rest."""
    events: list[Event] = []
    await fulfillment.create_copies(
        tx,
        graph,
        order_id,
        [
            {
                "id": c.item.id, "replaces": c.replaces, "name": c.item.name, "state": c.item.state.value,
                "accountId": c.item.account_id, "specId": c.item.spec_id, "locationId": c.item.location_id,
                "parentId": c.item.parent_id,
                "characteristics": fulfillment.characteristics_json(c.item.characteristics),
            }
            for c in copies
        ],
    )
    for c in copies:
        events.append(event(c.item.id, order_id, line_of, "state", None, c.item.state.value))
        events.append(event(c.item.id, order_id, line_of, "location", None, c.item.location_id))
        if c.item.parent_id:
            events.append(event(c.item.id, order_id, line_of, "parent", None, c.item.parent_id))

    await fulfillment.relink_items(
        tx,
        graph,
        [{"id": r.item_id, "parentId": r.to_parent_id, "locationId": r.location_id} for r in relinks],
    )
    for r in relinks:
        if r.from_parent_id != r.to_parent_id:
            events.append(event(r.item_id, order_id, line_of, "parent", r.from_parent_id, r.to_parent_id))
        old_location = items[r.item_id].location_id if r.item_id in items else None
        events.append(event(r.item_id, order_id, line_of, "location", old_location, r.location_id))
    return events


async def remember(tx: Tx, graph: Graph, lines: Iterable[RememberedLine]) -> None:
    """What completion and cancellation need later, on the lines: previous states and move copies."""
    await fulfillment.remember_approval(
        tx,
        graph,
        [
            {"lineId": r.line_id, "previousState": r.previous_state.value if r.previous_state else None,
             "copyId": r.copy_id}
            for r in lines
        ],
    )


def _state_rows(changes: Iterable[FulfillmentStateChange]) -> list[Row]:
    return [{"id": c.record_id, "state": c.to_state.value} for c in changes]


async def write_fulfillment_states(
    tx: Tx,
    graph: Graph,
    tasks: Iterable[FulfillmentStateChange],
    domain_orders: Iterable[FulfillmentStateChange],
    work_orders: Iterable[FulfillmentStateChange],
    returns: Iterable[ReturnStateChange],
) -> None:
    """Compensation's state changes of tasks, domain orders, work orders and returns (R12, R14)."""
    await fulfillment.set_task_states(tx, graph, _state_rows(tasks))
    await fulfillment.set_domain_order_states(tx, graph, _state_rows(domain_orders))
    await fulfillment.set_work_order_states(tx, graph, _state_rows(work_orders))
    await fulfillment.set_return_states(tx, graph, [{"id": c.return_id, "state": c.to_state.value} for c in returns])
