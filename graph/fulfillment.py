"""Cypher of the order lifecycle (R7-R12): approval and decomposition, tasks, completion,
cancellation, returns, and the orders that start from an entitlement or a contract.

Functions taking `tx` run inside the caller's write transaction, after the caller has locked the
order (`graph.orders.lock_order` or `lock_order_of_task`), so one mutation is one transaction and
each batch of records is one UNWIND statement: the number of round trips does not grow with the
order. Functions taking only `graph` are batched reads for the per-request DataLoaders.

What is stored (see docs/lifecycle.md):
(CustomerOrder)-[:DECOMPOSED_INTO]->(DomainOrder)-[:HAS_TASK]->(OrderTask),
(DomainOrder)-[:COVERS_LINE]->(OrderLine), (CustomerOrder)-[:HAS_WORK_ORDER]->(WorkOrder)
-[:FOR_ITEM]->(ProductInventory), (OrderLine)-[:RETURNS]->(ReturnAuthorization)-[:DEVICE]->
(ProductInventory), and for a move (copy:ProductInventory)-[:REPLACES]->(old:ProductInventory).
What approval leaves for completion and cancellation sits on the lines: `previousState` (the
item's state before the order) and `copyId` (the item's copy at the new location).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import STABLE_PLAN, Graph, run
from graph.records import (
    DomainOrderRecord,
    OrderEventRecord,
    ReturnRecord,
    ServiceSpecRecord,
    TaskRecord,
    WorkOrderRecord,
    parse_templates,
    rule_item_from,
    to_date,
    to_datetime,
)
from rules.effects import ApprovalRecord
from rules.fulfillment import DomainOrder, OrderTask, ReturnAuthorization, WorkOrder
from rules.lifecycle_model import (
    ContractItem,
    ContractState,
    DomainOrderKind,
    EntitlementItem,
    EntitlementState,
    ReturnReason,
    ReturnState,
    ServiceItem,
    ServiceState,
    TaskState,
    WorkOrderKind,
    WorkOrderState,
)
from rules.model import InventoryItem, InventoryState

Tx = AsyncManagedTransaction
Row = dict[str, Any]

UNFINISHED = [TaskState.OPEN.value, TaskState.IN_PROGRESS.value]
FINISHED = [TaskState.CLOSED_COMPLETE.value, TaskState.CANCELLED.value, TaskState.SKIPPED.value]
UNFINISHED_FIELD_WORK = [
    WorkOrderState.OPEN.value, WorkOrderState.SCHEDULED.value, WorkOrderState.IN_PROGRESS.value
]
LIVE_ENTITLEMENTS = [EntitlementState.ACTIVE.value, EntitlementState.SUSPENDED.value]


# --- converting stored rows ---------------------------------------------------------------------------


def task_from(props: Any) -> TaskRecord:
    """A stored OrderTask node's properties as a record."""
    return TaskRecord(
        id=props["id"],
        order_id=props["orderId"],
        domain_order_id=props["domainOrderId"],
        name=props["name"],
        sequence=int(props["sequence"]),
        state=props["state"],
        point_of_no_return=bool(props.get("pointOfNoReturn")),
        started_at=to_datetime(props.get("startedAt")),
        closed_at=to_datetime(props.get("closedAt")),
        depends_on=tuple(props.get("dependsOn") or ()),
        attempt=int(props.get("attempt") or 1),
        duration_hours=props.get("durationHours"),
        work_order=props.get("workOrderKind"),
        activation=bool(props.get("activation")),
        failure_reason=props.get("failureReason"),
        failure_category=props.get("failureCategory"),
        failed_at=to_datetime(props.get("failedAt")),
        skip_reason=props.get("skipReason"),
        planned_start_at=to_datetime(props.get("plannedStartAt")),
        due_at=to_datetime(props.get("dueAt")),
        held_by=tuple(props.get("heldBy") or ()),
    )


_task_from = task_from


def _domain_order_from(props: Any, tasks: Iterable[Any], line_ids: Iterable[str]) -> DomainOrderRecord:
    return DomainOrderRecord(
        id=props["id"],
        order_id=props["orderId"],
        kind=props["kind"],
        state=props["state"],
        line_ids=tuple(line_ids),
        tasks=tuple(sorted((_task_from(t) for t in tasks), key=lambda t: t.sequence)),
    )


def work_order_from(props: Any) -> WorkOrderRecord:
    """A stored WorkOrder node's properties as a record."""
    return WorkOrderRecord(
        id=props["id"],
        order_id=props["orderId"],
        kind=props["kind"],
        state=props["state"],
        item_id=props.get("itemId"),
        location_id=props.get("locationId"),
        line_ids=tuple(props.get("lineIds") or ()),
        return_id=props.get("returnId"),
        scheduled_date=to_date(props.get("scheduledDate")),
        window=props.get("window"),
        attempt=int(props.get("attempt") or 1),
        failure_reason=props.get("failureReason"),
        started_at=to_datetime(props.get("startedAt")),
        closed_at=to_datetime(props.get("closedAt")),
    )


_work_order_from = work_order_from


def _return_from(props: Any) -> ReturnRecord:
    return ReturnRecord(
        id=props["id"],
        order_id=props["orderId"],
        line_id=props["lineId"],
        item_id=props["itemId"],
        reason=props["reason"],
        state=props["state"],
        created_at=to_datetime(props.get("createdAt")),
        received_at=to_datetime(props.get("receivedAt")),
        closed_at=to_datetime(props.get("closedAt")),
    )


def as_rule_domain_order(record: DomainOrderRecord) -> DomainOrder:
    """The stored domain order as the rules see it."""
    return DomainOrder(
        id=record.id,
        kind=DomainOrderKind(record.kind),
        state=TaskState(record.state),
        line_ids=record.line_ids,
        tasks=tuple(
            OrderTask(
                t.id, t.domain_order_id, t.name, t.sequence, t.point_of_no_return, TaskState(t.state),
                depends_on=t.depends_on, duration_hours=t.duration_hours,
                work_order=WorkOrderKind(t.work_order) if t.work_order else None,
                activation=t.activation, attempt=t.attempt,
                held_by=t.held_by,
            )
            for t in record.tasks
        ),
    )


def as_rule_work_order(record: WorkOrderRecord) -> WorkOrder:
    return WorkOrder(
        id=record.id,
        kind=WorkOrderKind(record.kind),
        line_ids=record.line_ids,
        item_id=record.item_id,
        location_id=record.location_id,
        state=WorkOrderState(record.state),
    )


def as_rule_return(record: ReturnRecord) -> ReturnAuthorization:
    return ReturnAuthorization(
        id=record.id,
        line_id=record.line_id,
        item_id=record.item_id,
        reason=ReturnReason(record.reason),
        state=ReturnState(record.state),
    )


DOMAIN_ORDER_COLUMNS = (
    "d {.*} AS domainOrder, [(d)-[:HAS_TASK]->(t:OrderTask) | t {.*}] AS tasks, "
    "[(d)-[:COVERS_LINE]->(l:OrderLine) | l.id] AS lineIds"
)
_KIND_RANK = {DomainOrderKind.PRODUCT.value: 0, DomainOrderKind.SERVICE.value: 1, DomainOrderKind.RESOURCE.value: 2}


def _sorted_domain_orders(records: Iterable[DomainOrderRecord]) -> list[DomainOrderRecord]:
    return sorted(records, key=lambda d: (_KIND_RANK.get(d.kind, 9), d.id))


# --- batched reads for DataLoaders ----------------------------------------------------------------


async def domain_orders_of_orders(graph: Graph, order_ids: list[str]) -> dict[str, list[DomainOrderRecord]]:
    """Each order's domain orders (product, service, resource) with their tasks and line ids."""
    rows = await graph.fetch(
        "UNWIND $ids AS oid MATCH (:CustomerOrder {id: oid})-[:DECOMPOSED_INTO]->(d:DomainOrder) "
        "RETURN oid, " + DOMAIN_ORDER_COLUMNS,
        ids=order_ids,
    )
    out: dict[str, list[DomainOrderRecord]] = defaultdict(list)
    for r in rows:
        out[r["oid"]].append(_domain_order_from(r["domainOrder"], r["tasks"], r["lineIds"]))
    return {oid: _sorted_domain_orders(found) for oid, found in out.items()}


async def domain_orders_by_ids(graph: Graph, ids: list[str]) -> dict[str, DomainOrderRecord]:
    rows = await graph.fetch(
        "UNWIND $ids AS did MATCH (d:DomainOrder {id: did}) RETURN " + DOMAIN_ORDER_COLUMNS, ids=ids
    )
    return {
        r["domainOrder"]["id"]: _domain_order_from(r["domainOrder"], r["tasks"], r["lineIds"]) for r in rows
    }


async def work_orders_of_orders(graph: Graph, order_ids: list[str]) -> dict[str, list[WorkOrderRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS oid MATCH (:CustomerOrder {id: oid})-[:HAS_WORK_ORDER]->(w:WorkOrder) "
        "RETURN oid, w {.*} AS w ORDER BY w.kind, w.id",
        ids=order_ids,
    )
    out: dict[str, list[WorkOrderRecord]] = defaultdict(list)
    for r in rows:
        out[r["oid"]].append(_work_order_from(r["w"]))
    return dict(out)


async def returns_of_orders(graph: Graph, order_ids: list[str]) -> dict[str, list[ReturnRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS oid MATCH (:CustomerOrder {id: oid})-[:HAS_LINE|HAD_LINE]->(:OrderLine)-[:RETURNS]->"
        "(r:ReturnAuthorization) RETURN oid, r {.*} AS r ORDER BY r.id",
        ids=order_ids,
    )
    out: dict[str, list[ReturnRecord]] = defaultdict(list)
    for r in rows:
        out[r["oid"]].append(_return_from(r["r"]))
    return dict(out)


async def returns_by_ids(graph: Graph, ids: list[str]) -> dict[str, ReturnRecord]:
    rows = await graph.fetch(
        "UNWIND $ids AS rid MATCH (r:ReturnAuthorization {id: rid}) "
        "WHERE $accounts IS NULL OR EXISTS { MATCH (o:CustomerOrder {id: r.orderId}) WHERE o.accountId IN $accounts } "
        "RETURN r {.*} AS r",
        ids=ids,
        accounts=graph.accounts,
    )
    return {r["r"]["id"]: _return_from(r["r"]) for r in rows}


_STATE_RANK = {
    "DRAFT": 0,
    "SUBMITTED": 1,
    "IN_PROGRESS": 2,
    "CANCELLATION_IN_PROGRESS": 3,
}


async def events_of_orders(graph: Graph, order_ids: list[str]) -> dict[str, list[OrderEventRecord]]:
    """Each order's recorded transitions, oldest first."""
    rows = await graph.fetch(
        "UNWIND $ids AS oid MATCH (:CustomerOrder {id: oid})-[:HAS_EVENT]->(e:OrderEvent) "
        "RETURN oid, e {.*} AS e ORDER BY e.at",
        ids=order_ids,
    )
    out: dict[str, list[OrderEventRecord]] = defaultdict(list)
    for r in rows:
        e = r["e"]
        out[r["oid"]].append(
            OrderEventRecord(e["id"], e["orderId"], e.get("fromState"), e["toState"], e.get("reason"),
                             to_datetime(e.get("at")), e.get("kind") or "STATE_CHANGE", e.get("callerId"))
        )
    # Two transitions written in one transaction can share a millisecond: the lifecycle breaks the tie.
    return {
        oid: sorted(events, key=lambda ev: (ev.at is None, ev.at, _STATE_RANK.get(ev.to_state, 9)))
        for oid, events in out.items()
    }


# --- reads inside a transaction ---------------------------------------------------------------------

# One collected list: the driver decodes one large value much faster than many records.
ITEMS_IN = (
    STABLE_PLAN + "UNWIND $ids AS pid MATCH (p:ProductInventory {id: pid}) "
    "RETURN collect([p.id, p.name, p.state, p.accountId, p.characteristics, p.openOrderId, "
    "[(up:ProductInventory)-[:HAS_CHILD]->(p) | up.id][0], "
    "[(p)-[:INSTANCE_OF]->(s:ProductSpecification) | s.id][0], "
    "[(p)-[:AT]->(l:Location) | l.id][0], false, p.specVersion, p.followOnOrderId]) AS items"
)


async def items_in(tx: Tx, graph: Graph, ids: Iterable[str]) -> dict[str, InventoryItem]:
    """The items with these ids (parent, specification and location included), in one statement."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await run(tx, graph, ITEMS_IN, {"ids": wanted})
    items = (rule_item_from(values) for values in (rows[0]["items"] if rows else []))
    return {item.id: item for item in items}


async def service_specs_in(tx: Tx, graph: Graph, ids: Iterable[str]) -> dict[str, ServiceSpecRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await run(
        tx,
        graph,
        "UNWIND $ids AS sid MATCH (s:ServiceSpecification {id: sid}) "
        "RETURN s.id AS id, s.name AS name, s.fulfillment AS fulfillment",
        {"ids": wanted},
    )
    return {r["id"]: ServiceSpecRecord(r["id"], r["name"], parse_templates(r["fulfillment"])) for r in rows}


async def approval_record(tx: Tx, graph: Graph, order_id: str) -> ApprovalRecord:
    """What approval stored on the order's lines: previous states and move copies."""
    rows = await run(
        tx,
        graph,
        STABLE_PLAN + "MATCH (:CustomerOrder {id: $id})-[:HAS_LINE]->(l:OrderLine) "
        "WHERE l.previousState IS NOT NULL OR l.copyId IS NOT NULL "
        "RETURN l.inventoryId AS itemId, l.previousState AS previous, l.copyId AS copyId",
        {"id": order_id},
    )
    return ApprovalRecord(
        previous_states={r["itemId"]: InventoryState(r["previous"]) for r in rows if r["previous"]},
        copies={r["itemId"]: r["copyId"] for r in rows if r["copyId"]},
    )


@dataclass(frozen=True)
class Fulfillment:
    """An order's fulfillment records as stored."""

    domain_orders: list[DomainOrderRecord]
    work_orders: list[WorkOrderRecord]
    returns: list[ReturnRecord]


async def fulfillment_in(tx: Tx, graph: Graph, order_id: str) -> Fulfillment:
    """The order's domain orders (with tasks and lines), work orders and returns, in one statement."""
    rows = await run(
        tx,
        graph,
        "MATCH (o:CustomerOrder {id: $id}) "
        "RETURN [(o)-[:DECOMPOSED_INTO]->(d:DomainOrder) | {domainOrder: d {.*}, "
        "tasks: [(d)-[:HAS_TASK]->(t:OrderTask) | t {.*}], "
        "lineIds: [(d)-[:COVERS_LINE]->(l:OrderLine) | l.id]}] AS domainOrders, "
        "[(o)-[:HAS_WORK_ORDER]->(w:WorkOrder) | w {.*}] AS workOrders, "
        "[(o)-[:HAS_LINE|HAD_LINE]->(:OrderLine)-[:RETURNS]->(r:ReturnAuthorization) | r {.*}] AS returns",
        {"id": order_id},
    )
    if not rows:
        return Fulfillment([], [], [])
    r = rows[0]
    return Fulfillment(
        domain_orders=_sorted_domain_orders(
            _domain_order_from(d["domainOrder"], d["tasks"], d["lineIds"]) for d in r["domainOrders"]
        ),
        work_orders=sorted((_work_order_from(w) for w in r["workOrders"]), key=lambda w: w.id),
        returns=sorted((_return_from(x) for x in r["returns"]), key=lambda x: x.id),
    )


# The domain orders and tasks a task transition decides on. Line ids are read only for the domain
# order of a point-of-no-return task (closing it marks them), so the cost does not grow with the order.
DOMAIN_ORDERS_FOR_TASK = (
    "MATCH (o:CustomerOrder {id: $id}) "
    "RETURN [(o)-[:DECOMPOSED_INTO]->(d:DomainOrder) | {domainOrder: d {.*}, "
    "tasks: [(d)-[:HAS_TASK]->(t:OrderTask) | t {.*}], "
    "lineIds: CASE WHEN EXISTS { (d)-[:HAS_TASK]->(:OrderTask {id: $taskId, pointOfNoReturn: true}) } "
    "THEN [(d)-[:COVERS_LINE]->(l:OrderLine) | l.id] ELSE [] END}] AS domainOrders, "
    "[(o)-[:HAS_WORK_ORDER]->(w:WorkOrder) | w {.*}] AS workOrders"
)


async def domain_orders_for_task_in(tx: Tx, graph: Graph, order_id: str, task_id: str) -> Fulfillment:
    """The order's domain orders with their tasks, and its work orders, as a transition of `task_id`
    needs them (no returns; line ids only where a point of no return is being passed)."""
    rows = await run(tx, graph, DOMAIN_ORDERS_FOR_TASK, {"id": order_id, "taskId": task_id})
    found = rows[0]["domainOrders"] if rows else []
    return Fulfillment(
        domain_orders=_sorted_domain_orders(
            _domain_order_from(d["domainOrder"], d["tasks"], d["lineIds"]) for d in found
        ),
        work_orders=sorted((_work_order_from(w) for w in (rows[0]["workOrders"] if rows else [])),
                           key=lambda w: w.id),
        returns=[],
    )


async def services_in(tx: Tx, graph: Graph, item_ids: Iterable[str]) -> dict[str, list[ServiceItem]]:
    """The service inventory realizing each product item (R9)."""
    wanted = sorted(set(item_ids))
    if not wanted:
        return {}
    rows = await run(
        tx,
        graph,
        STABLE_PLAN + "UNWIND $ids AS pid MATCH (:ProductInventory {id: pid})-[:REALIZED_BY]->(s:ServiceInventory) "
        "RETURN pid, s.id AS id, s.state AS state, "
        "[(s)-[:INSTANCE_OF]->(ss:ServiceSpecification) | ss.id][0] AS specId ORDER BY s.id",
        {"ids": wanted},
    )
    out: dict[str, list[ServiceItem]] = defaultdict(list)
    for r in rows:
        out[r["pid"]].append(ServiceItem(r["id"], r["specId"] or "", ServiceState(r["state"]), r["pid"]))
    return dict(out)


def _entitlement_from(r: Any) -> EntitlementItem:
    return EntitlementItem(
        r["id"], r["contractId"], r["productId"], EntitlementState(r["state"]), to_date(r["endDate"])
    )


ENTITLEMENT_COLUMNS = (
    "e.id AS id, e.state AS state, e.endDate AS endDate, "
    "[(c:Contract)-[:GRANTS]->(e) | c.id][0] AS contractId, "
    "[(e)-[:COVERS]->(p:ProductInventory) | p.id][0] AS productId"
)


async def entitlements_in(tx: Tx, graph: Graph, item_ids: Iterable[str]) -> dict[str, list[EntitlementItem]]:
    """The entitlements covering each product item (R10), whatever their state."""
    wanted = sorted(set(item_ids))
    if not wanted:
        return {}
    rows = await run(
        tx,
        graph,
        STABLE_PLAN + "UNWIND $ids AS pid MATCH (e:Entitlement)-[:COVERS]->(:ProductInventory {id: pid}) "
        "RETURN " + ENTITLEMENT_COLUMNS + " ORDER BY e.id",
        {"ids": wanted},
    )
    out: dict[str, list[EntitlementItem]] = defaultdict(list)
    for r in rows:
        out[r["productId"]].append(_entitlement_from(r))
    return dict(out)


async def entitlement_in(tx: Tx, graph: Graph, entitlement_id: str) -> EntitlementItem | None:
    rows = await run(
        tx,
        graph,
        "MATCH (e:Entitlement {id: $id}) WHERE $accounts IS NULL "
        "OR EXISTS { MATCH (e)-[:COVERS]->(p:ProductInventory) WHERE p.accountId IN $accounts } "
        "RETURN " + ENTITLEMENT_COLUMNS,
        {"id": entitlement_id, "accounts": graph.accounts},
    )
    return _entitlement_from(rows[0]) if rows else None


async def contract_in(
    tx: Tx, graph: Graph, contract_id: str
) -> tuple[ContractItem, list[EntitlementItem]] | None:
    """A contract with every entitlement it grants."""
    rows = await run(
        tx,
        graph,
        "MATCH (a:Account)-[:HAS_CONTRACT]->(c:Contract {id: $id}) "
        "WHERE $accounts IS NULL OR a.id IN $accounts "
        "RETURN c.id AS id, a.id AS accountId, c.state AS state, c.endDate AS endDate, "
        "[(c)-[:GRANTS]->(e:Entitlement) | {id: e.id, state: e.state, endDate: e.endDate, contractId: c.id, "
        "productId: [(e)-[:COVERS]->(p:ProductInventory) | p.id][0]}] AS entitlements",
        {"id": contract_id, "accounts": graph.accounts},
    )
    if not rows:
        return None
    r = rows[0]
    contract = ContractItem(r["id"], r["accountId"], ContractState(r["state"]), to_date(r["endDate"]))
    entitlements = sorted(
        (_entitlement_from(e) for e in r["entitlements"] if e["productId"] is not None), key=lambda e: e.id
    )
    return contract, entitlements


async def contract_for(tx: Tx, graph: Graph, account_id: str, item_ids: Iterable[str]) -> str | None:
    """The account's ACTIVE contract new entitlements go under (R10).

    The one already covering most of the order's items wins (so an upgrade stays under the
    bundle's contract), then the most recent one.
    """
    rows = await run(
        tx,
        graph,
        STABLE_PLAN + "MATCH (:Account {id: $accountId})-[:HAS_CONTRACT]->(c:Contract {state: 'ACTIVE'}) "
        "RETURN c.id AS id, c.startDate AS startDate, "
        "COUNT { (c)-[:GRANTS]->(e:Entitlement)-[:COVERS]->(p:ProductInventory) "
        "WHERE p.id IN $ids AND e.state IN $live } AS covering "
        "ORDER BY covering DESC, startDate DESC, id LIMIT 1",
        {"accountId": account_id, "ids": sorted(set(item_ids)), "live": LIVE_ENTITLEMENTS},
    )
    return rows[0]["id"] if rows else None


async def lock_order_of_task(tx: Tx, graph: Graph, task_id: str) -> str | None:
    """Take the write lock of the order a task belongs to; returns the order's id (None: no such task)."""
    rows = await run(
        tx,
        graph,
        "MATCH (t:OrderTask {id: $id}) MATCH (o:CustomerOrder {id: t.orderId}) "
        "WHERE $accounts IS NULL OR o.accountId IN $accounts "
        "SET o.lockedAt = datetime() RETURN o.id AS id",
        {"id": task_id, "accounts": graph.accounts},
    )
    return rows[0]["id"] if rows else None


async def lock_return(tx: Tx, graph: Graph, return_id: str) -> ReturnRecord | None:
    """Lock the return's order, then the return (the order's cancellation writes returns too)."""
    rows = await run(
        tx,
        graph,
        "MATCH (r:ReturnAuthorization {id: $id}) "
        "WHERE $accounts IS NULL OR EXISTS { MATCH (o:CustomerOrder {id: r.orderId}) WHERE o.accountId IN $accounts } "
        "OPTIONAL MATCH (o:CustomerOrder {id: r.orderId}) SET o.lockedAt = datetime() "
        "WITH DISTINCT r SET r.lockedAt = datetime() RETURN r {.*} AS r",
        {"id": return_id, "accounts": graph.accounts},
    )
    return _return_from(rows[0]["r"]) if rows else None


# --- writes inside a transaction ---------------------------------------------------------------------


async def set_item_states(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, state}: each item's new state; its version goes up."""
    if rows:
        await run(
            tx,
            graph,
            STABLE_PLAN + "UNWIND $rows AS row MATCH (p:ProductInventory {id: row.id}) "
            "SET p.state = row.state, p.version = coalesce(p.version, 0) + 1, p.updatedAt = datetime()",
            {"rows": list(rows)},
        )


async def remember_approval(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {lineId, previousState, copyId}: what completion and cancellation need later."""
    if rows:
        await run(
            tx,
            graph,
            STABLE_PLAN + "UNWIND $rows AS row MATCH (l:OrderLine {id: row.lineId}) "
            "SET l.previousState = coalesce(row.previousState, l.previousState), "
            "l.copyId = coalesce(row.copyId, l.copyId)",
            {"rows": list(rows)},
        )


async def create_copies(tx: Tx, graph: Graph, order_id: str, rows: Sequence[Row]) -> None:
    """Rows {id, replaces, name, state, accountId, specId, locationId, parentId, characteristics}:
    a moved item's copy at the new location, claimed by the order, REPLACES its old item."""
    if not rows:
        return
    await run(
        tx,
        graph,
        "UNWIND $rows AS row "
        "MATCH (old:ProductInventory {id: row.replaces}) "
        "MATCH (s:ProductSpecification {id: row.specId}) "
        "CREATE (c:ProductInventory {id: row.id, name: row.name, state: row.state, accountId: row.accountId, "
        "characteristics: row.characteristics, version: 1, createdAt: datetime(), openOrderId: $orderId, "
        "createdByOrder: $orderId, specVersion: coalesce(old.specVersion, s.version)}) "
        "CREATE (c)-[:INSTANCE_OF]->(s) CREATE (c)-[:REPLACES]->(old) "
        "WITH c, row OPTIONAL MATCH (l:Location {id: row.locationId}) "
        "FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END | CREATE (c)-[:AT]->(l))",
        {"orderId": order_id, "rows": list(rows)},
    )
    # Parents are linked once every copy exists: a copy's parent may be another copy.
    await run(
        tx,
        graph,
        "UNWIND $rows AS row WITH row WHERE row.parentId IS NOT NULL "
        "MATCH (c:ProductInventory {id: row.id}) MATCH (up:ProductInventory {id: row.parentId}) "
        "CREATE (up)-[:HAS_CHILD]->(c)",
        {"rows": list(rows)},
    )


async def relink_items(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, parentId, locationId}: an item added by a move hangs under its parent's copy."""
    if not rows:
        return
    await run(
        tx,
        graph,
        "UNWIND $rows AS row MATCH (p:ProductInventory {id: row.id}) "
        "OPTIONAL MATCH (:ProductInventory)-[old:HAS_CHILD]->(p) DELETE old "
        "WITH DISTINCT p, row OPTIONAL MATCH (p)-[at:AT]->(:Location) WHERE row.locationId IS NOT NULL "
        "DELETE at "
        "WITH DISTINCT p, row OPTIONAL MATCH (up:ProductInventory {id: row.parentId}) "
        "OPTIONAL MATCH (l:Location {id: row.locationId}) "
        "FOREACH (_ IN CASE WHEN up IS NULL THEN [] ELSE [1] END | CREATE (up)-[:HAS_CHILD]->(p)) "
        "FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END | CREATE (p)-[:AT]->(l)) "
        "SET p.version = coalesce(p.version, 0) + 1, p.updatedAt = datetime()",
        {"rows": list(rows)},
    )


# A new task's properties from a row `t` (see `resolvers.approval_writes.task_row`), for $orderId.
NEW_TASK_PROPERTIES = (
    "id: t.id, orderId: $orderId, domainOrderId: t.domainOrderId, "
    "name: t.name, sequence: t.sequence, state: t.state, pointOfNoReturn: t.pointOfNoReturn, "
    "queueKey: t.queueKey, createdAt: datetime(), dependsOn: t.dependsOn, attempt: 1, "
    "durationHours: t.durationHours, workOrderKind: t.workOrderKind, activation: t.activation, "
    "plannedStartAt: t.plannedStartAt, dueAt: t.dueAt"
)


async def write_decomposition(
    tx: Tx,
    graph: Graph,
    order_id: str,
    domain_orders: Sequence[Row],
    work_orders: Sequence[Row],
    returns: Sequence[Row],
) -> None:
    """Domain orders {id, kind, state, lineIds, tasks: [task rows, see `NEW_TASK_PROPERTIES`]}, work
    orders {id, kind, state, itemId, locationId, lineIds} and returns {id, lineId, itemId, reason,
    state}: one statement per kind of record."""
    if domain_orders:
        await run(
            tx,
            graph,
            STABLE_PLAN + "MATCH (o:CustomerOrder {id: $orderId}) UNWIND $rows AS d "
            "CREATE (o)-[:DECOMPOSED_INTO]->(n:DomainOrder {id: d.id, orderId: $orderId, kind: d.kind, "
            "state: d.state, createdAt: datetime()}) "
            "WITH n, d UNWIND d.tasks AS t "
            "CREATE (n)-[:HAS_TASK]->(:OrderTask {" + NEW_TASK_PROPERTIES + "})",
            {"orderId": order_id, "rows": [{k: v for k, v in d.items() if k != "lineIds"} for d in domain_orders]},
        )
        await run(
            tx,
            graph,
            STABLE_PLAN + "UNWIND $rows AS d MATCH (n:DomainOrder {id: d.id}) "
            "UNWIND d.lineIds AS lineId MATCH (l:OrderLine {id: lineId}) CREATE (n)-[:COVERS_LINE]->(l)",
            {"rows": [{"id": d["id"], "lineIds": d["lineIds"]} for d in domain_orders]},
        )
    if work_orders:
        await run(
            tx,
            graph,
            STABLE_PLAN + "MATCH (o:CustomerOrder {id: $orderId}) UNWIND $rows AS w "
            "CREATE (o)-[:HAS_WORK_ORDER]->(n:WorkOrder {id: w.id, orderId: $orderId, kind: w.kind, "
            "state: w.state, itemId: w.itemId, locationId: w.locationId, lineIds: w.lineIds, "
            "returnId: w.returnId, attempt: 1, createdAt: datetime()}) "
            "WITH n, w OPTIONAL MATCH (p:ProductInventory {id: w.itemId}) "
            "FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (n)-[:FOR_ITEM]->(p)) "
            "WITH n, w OPTIONAL MATCH (l:Location {id: w.locationId}) "
            "FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END | CREATE (n)-[:AT]->(l))",
            {"orderId": order_id, "rows": list(work_orders)},
        )
    if returns:
        await run(
            tx,
            graph,
            "UNWIND $rows AS r MATCH (l:OrderLine {id: r.lineId}) MATCH (p:ProductInventory {id: r.itemId}) "
            "CREATE (l)-[:RETURNS]->(n:ReturnAuthorization {id: r.id, orderId: $orderId, lineId: r.lineId, "
            "itemId: r.itemId, reason: r.reason, state: r.state, createdAt: datetime()})-[:DEVICE]->(p)",
            {"orderId": order_id, "rows": list(returns)},
        )


# What a fulfillment record's state update sets besides the state: when it started, when it ended.
_STATE_STAMPS = (
    "SET n.state = row.state, n.updatedAt = datetime(), "
    "n.startedAt = CASE WHEN row.state = 'IN_PROGRESS' THEN coalesce(n.startedAt, datetime()) "
    "ELSE n.startedAt END, "
    "n.closedAt = CASE WHEN row.state IN $finished THEN datetime() ELSE n.closedAt END"
)
SET_TASK_STATES = "UNWIND $rows AS row MATCH (n:OrderTask {id: row.id}) " + _STATE_STAMPS
SET_DOMAIN_ORDER_STATES = "UNWIND $rows AS row MATCH (n:DomainOrder {id: row.id}) " + _STATE_STAMPS
SET_WORK_ORDER_STATES = "UNWIND $rows AS row MATCH (n:WorkOrder {id: row.id}) " + _STATE_STAMPS


async def _set_states(tx: Tx, graph: Graph, statement: str, rows: Sequence[Row]) -> None:
    if rows:
        await run(tx, graph, statement, {"rows": list(rows), "finished": FINISHED})


async def set_task_states(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, state} of order tasks."""
    await _set_states(tx, graph, SET_TASK_STATES, rows)


async def set_domain_order_states(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, state} of domain orders."""
    await _set_states(tx, graph, SET_DOMAIN_ORDER_STATES, rows)


async def set_work_order_states(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, state} of work orders."""
    await _set_states(tx, graph, SET_WORK_ORDER_STATES, rows)


async def mark_point_of_no_return(tx: Tx, graph: Graph, line_ids: Sequence[str], task_id: str) -> None:
    """The lines can no longer be cancelled: task `task_id`, a point of no return, is closed (R12)."""
    if line_ids:
        await run(
            tx,
            graph,
            "UNWIND $ids AS lid MATCH (l:OrderLine {id: lid}) "
            "SET l.pastPointOfNoReturn = true, l.pointOfNoReturnTaskId = coalesce(l.pointOfNoReturnTaskId, $taskId)",
            {"ids": list(line_ids), "taskId": task_id},
        )


async def set_return_states(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, state} of return authorizations, stamped with when they got there (R11)."""
    if rows:
        await run(
            tx,
            graph,
            "UNWIND $rows AS row MATCH (r:ReturnAuthorization {id: row.id}) "
            "SET r.state = row.state, r.updatedAt = datetime(), "
            "r.receivedAt = CASE WHEN row.state = 'RECEIVED' THEN datetime() ELSE r.receivedAt END, "
            "r.closedAt = CASE WHEN row.state IN ['CLOSED', 'CANCELLED'] THEN datetime() ELSE r.closedAt END",
            {"rows": list(rows)},
        )


async def set_characteristics(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, characteristics (JSON)}: the item's full characteristics after a change."""
    if rows:
        await run(
            tx,
            graph,
            STABLE_PLAN + "UNWIND $rows AS row MATCH (p:ProductInventory {id: row.id}) "
            "SET p.characteristics = row.characteristics, p.version = coalesce(p.version, 0) + 1, "
            "p.updatedAt = datetime()",
            {"rows": list(rows)},
        )


async def link_roots(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {accountId, rootId}: a moved root's copy becomes a root the account owns.

    The old root keeps its OWNS link as an INACTIVE root, like any disconnected root: nothing is
    deleted, and `(copy)-[:REPLACES]->(old)` says which replaced which.
    """
    if rows:
        await run(
            tx,
            graph,
            "UNWIND $rows AS row MATCH (a:Account {id: row.accountId}) MATCH (p:ProductInventory {id: row.rootId}) "
            "MERGE (a)-[:OWNS]->(p)",
            {"rows": list(rows)},
        )


async def set_service_states(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, state} of service inventory (R9)."""
    if rows:
        await run(
            tx,
            graph,
            "UNWIND $rows AS row MATCH (s:ServiceInventory {id: row.id}) "
            "SET s.state = row.state, s.updatedAt = datetime()",
            {"rows": list(rows)},
        )


async def create_services(tx: Tx, graph: Graph, order_id: str, rows: Sequence[Row]) -> None:
    """Rows {id, name, state, accountId, specId, productId}: new service inventory realizing a product."""
    if rows:
        await run(
            tx,
            graph,
            "UNWIND $rows AS row MATCH (p:ProductInventory {id: row.productId}) "
            "MATCH (ss:ServiceSpecification {id: row.specId}) "
            "CREATE (p)-[:REALIZED_BY]->(s:ServiceInventory {id: row.id, name: row.name, state: row.state, "
            "accountId: row.accountId, createdAt: datetime(), createdByOrder: $orderId})-[:INSTANCE_OF]->(ss)",
            {"orderId": order_id, "rows": list(rows)},
        )


async def set_entitlement_states(tx: Tx, graph: Graph, rows: Sequence[Row], today: date) -> None:
    """Rows {id, state} of entitlements (R10); a cancelled entitlement ends today."""
    if rows:
        await run(
            tx,
            graph,
            "UNWIND $rows AS row MATCH (e:Entitlement {id: row.id}) "
            "SET e.state = row.state, e.version = coalesce(e.version, 0) + 1, e.updatedAt = datetime(), "
            "e.endDate = CASE WHEN row.state = 'CANCELLED' AND (e.endDate IS NULL OR e.endDate > $today) "
            "THEN $today ELSE e.endDate END",
            {"rows": list(rows), "today": today},
        )


async def grant_entitlements(tx: Tx, graph: Graph, order_id: str, rows: Sequence[Row]) -> None:
    """Rows {id, name, state, contractId, productId, startDate}: a contract grants a new entitlement."""
    if rows:
        await run(
            tx,
            graph,
            "UNWIND $rows AS row MATCH (c:Contract {id: row.contractId}) "
            "MATCH (p:ProductInventory {id: row.productId}) "
            "CREATE (c)-[:GRANTS]->(e:Entitlement {id: row.id, name: row.name, state: row.state, "
            "startDate: row.startDate, version: 1, createdAt: datetime(), createdByOrder: $orderId})"
            "-[:COVERS]->(p)",
            {"orderId": order_id, "rows": list(rows)},
        )


async def update_entitlements(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, orderId, lineId, changes (JSON)}: an entitlement follows a change to its product."""
    if rows:
        await run(
            tx,
            graph,
            "UNWIND $rows AS row MATCH (e:Entitlement {id: row.id}) "
            "SET e.version = coalesce(e.version, 0) + 1, e.updatedAt = datetime(), "
            "e.lastOrderId = row.orderId, e.lastLineId = row.lineId, e.lastChanges = row.changes",
            {"rows": list(rows)},
        )


async def repoint_entitlements(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, fromId, toId}: the entitlement now covers a moved item's copy."""
    if rows:
        await run(
            tx,
            graph,
            "UNWIND $rows AS row MATCH (e:Entitlement {id: row.id}) "
            "MATCH (e)-[old:COVERS]->(:ProductInventory {id: row.fromId}) DELETE old "
            "WITH e, row MATCH (p:ProductInventory {id: row.toId}) CREATE (e)-[:COVERS]->(p) "
            "SET e.version = coalesce(e.version, 0) + 1, e.updatedAt = datetime()",
            {"rows": list(rows)},
        )


async def close_open_work_orders(tx: Tx, graph: Graph, order_id: str) -> None:
    """The order is complete: its unfinished field work is done, a failed visit no longer needed."""
    await run(
        tx,
        graph,
        STABLE_PLAN + "MATCH (:CustomerOrder {id: $id})-[:HAS_WORK_ORDER]->(w:WorkOrder) WHERE w.state IN $open OR w.state = 'FAILED' "
        "SET w.state = CASE WHEN w.state = 'FAILED' THEN 'CANCELLED' ELSE 'CLOSED_COMPLETE' END, "
        "w.closedAt = datetime(), w.updatedAt = datetime()",
        {"id": order_id, "open": UNFINISHED_FIELD_WORK},
    )


async def set_contract_state(tx: Tx, graph: Graph, contract_id: str, state: ContractState, today: date) -> None:
    """A contract changes state; a cancelled one ends today."""
    await run(
        tx,
        graph,
        "MATCH (c:Contract {id: $id}) SET c.state = $state, c.version = coalesce(c.version, 0) + 1, "
        "c.updatedAt = datetime(), c.endDate = CASE WHEN $state = 'CANCELLED' "
        "AND (c.endDate IS NULL OR c.endDate > $today) THEN $today ELSE c.endDate END",
        {"id": contract_id, "state": state.value, "today": today},
    )


async def finish_contract_cancellation(tx: Tx, graph: Graph, order_id: str, today: date) -> None:
    """When the completed order was started by `cancelContract`, the contract is now CANCELLED."""
    await run(
        tx,
        graph,
        STABLE_PLAN + "MATCH (o:CustomerOrder {id: $id}) WHERE o.contractId IS NOT NULL "
        "MATCH (c:Contract {id: o.contractId}) WHERE c.state <> 'CANCELLED' "
        "SET c.state = 'CANCELLED', c.version = coalesce(c.version, 0) + 1, c.updatedAt = datetime(), "
        "c.endDate = CASE WHEN c.endDate IS NULL OR c.endDate > $today THEN $today ELSE c.endDate END",
        {"id": order_id, "today": today},
    )


async def record_origin(
    tx: Tx, graph: Graph, order_id: str, *, entitlement_id: str | None = None, contract_id: str | None = None
) -> None:
    """Remember the entitlement or contract an order was started from (R10)."""
    await run(
        tx,
        graph,
        "MATCH (o:CustomerOrder {id: $id}) SET o.entitlementId = $entitlementId, o.contractId = $contractId",
        {"id": order_id, "entitlementId": entitlement_id, "contractId": contract_id},
    )


async def add_notes(tx: Tx, graph: Graph, order_id: str, notes: Sequence[str]) -> None:
    """Append what a plan wants people to know (e.g. no contract to grant entitlements under)."""
    if notes:
        await run(
            tx,
            graph,
            "MATCH (o:CustomerOrder {id: $id}) SET o.notes = coalesce(o.notes, []) + $notes",
            {"id": order_id, "notes": list(notes)},
        )


def characteristics_json(characteristics: Mapping[str, str]) -> str:
    """An item's `characteristics` property, keys sorted as the importer writes them."""
    return json.dumps(dict(characteristics), sort_keys=True, ensure_ascii=False)
