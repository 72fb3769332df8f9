"""Cypher of field work (R13): locking a work order's order, its transitions, the collection a
returned device completes, and a technician's day.

Writers run inside the caller's transaction after it locked the order (`lock_order_of_work_order`).
"""

from __future__ import annotations

from datetime import date, datetime

from neo4j import AsyncManagedTransaction

from graph.driver import Graph, run
from graph.fulfillment import work_order_from
from graph.records import WorkOrderRecord

Tx = AsyncManagedTransaction

LOCK_ORDER_OF_WORK_ORDER = (
    "MATCH (w:WorkOrder {id: $id}) MATCH (o:CustomerOrder {id: w.orderId}) "
    "WHERE $accounts IS NULL OR o.accountId IN $accounts "
    "SET o.lockedAt = datetime() RETURN o.id AS orderId, w {.*} AS w"
)
SCHEDULE = (
    "MATCH (w:WorkOrder {id: $id}) SET w.state = 'SCHEDULED', w.scheduledDate = $day, w.window = $window, "
    "w.attempt = $attempt, w.updatedAt = datetime()"
)
SET_STATE = (
    "MATCH (w:WorkOrder {id: $id}) SET w.state = $state, w.updatedAt = datetime(), "
    "w.startedAt = CASE WHEN $state = 'IN_PROGRESS' THEN $at ELSE w.startedAt END, "
    "w.closedAt = CASE WHEN $state = 'CLOSED_COMPLETE' THEN $at ELSE w.closedAt END, "
    "w.failureReason = CASE WHEN $state = 'FAILED' THEN $reason ELSE w.failureReason END, "
    "w.failedAt = CASE WHEN $state = 'FAILED' THEN $at ELSE w.failedAt END"
)
WORK_ORDER_BY_ID = "MATCH (w:WorkOrder {id: $id}) RETURN w {.*} AS w"
COLLECTION_OF_RETURN = "MATCH (w:WorkOrder {returnId: $returnId}) RETURN w {.*} AS w"
# A technician's day: unfinished visits at a location, on one day when $day is set, by window.
OPEN_AT_LOCATION = (
    "MATCH (w:WorkOrder) WHERE w.locationId = $locationId AND w.state IN $open "
    "AND ($day IS NULL OR w.scheduledDate = $day) "
    "AND ($accounts IS NULL OR EXISTS { MATCH (o:CustomerOrder {id: w.orderId}) WHERE o.accountId IN $accounts }) "
    "RETURN w {.*} AS w ORDER BY w.scheduledDate, w.window, w.id"
)
OPEN_FIELD_WORK = ["OPEN", "SCHEDULED", "IN_PROGRESS", "FAILED"]
BOOKED_FIELD_WORK = ["SCHEDULED", "IN_PROGRESS"]


async def lock_order_of_work_order(tx: Tx, graph: Graph, work_order_id: str) -> tuple[str, WorkOrderRecord] | None:
    """Take the write lock of the work order's order, then read the work order (None: no such work order)."""
    rows = await run(tx, graph, LOCK_ORDER_OF_WORK_ORDER, {"id": work_order_id, "accounts": graph.accounts})
    return (rows[0]["orderId"], work_order_from(rows[0]["w"])) if rows else None


async def work_order_by_id(graph: Graph, work_order_id: str) -> WorkOrderRecord | None:
    """A work order as stored now (read after a mutation committed)."""
    rows = await graph.fetch(WORK_ORDER_BY_ID, id=work_order_id)
    return work_order_from(rows[0]["w"]) if rows else None


async def schedule(tx: Tx, graph: Graph, work_order_id: str, day: date, window: str, attempt: int) -> None:
    await run(tx, graph, SCHEDULE, {"id": work_order_id, "day": day, "window": window, "attempt": attempt})


async def set_state(
    tx: Tx, graph: Graph, work_order_id: str, state: str, at: datetime, reason: str | None = None
) -> None:
    """A work order's new state, stamped with when it started, closed or failed."""
    await run(tx, graph, SET_STATE, {"id": work_order_id, "state": state, "at": at, "reason": reason})


async def collection_of_return(tx: Tx, graph: Graph, return_id: str) -> WorkOrderRecord | None:
    """The COLLECT_DEVICE work order linked to a return authorization, if any."""
    rows = await run(tx, graph, COLLECTION_OF_RETURN, {"returnId": return_id})
    return work_order_from(rows[0]["w"]) if rows else None


async def open_at_location(graph: Graph, location_id: str, day: date | None) -> list[WorkOrderRecord]:
    """Visits still to do at the location: booked ones on `day`, or every unfinished one without a day."""
    rows = await graph.fetch(
        OPEN_AT_LOCATION,
        locationId=location_id,
        accounts=graph.accounts,
        day=day,
        open=BOOKED_FIELD_WORK if day is not None else OPEN_FIELD_WORK,
    )
    return [work_order_from(r["w"]) for r in rows]
