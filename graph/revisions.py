"""Revisions of orders in progress (R14): the revision record, its line tree, task holds, and the
writes that apply an approved revision to the running order.

A revision is an `OrderRevision` node, `(CustomerOrder)-[:HAS_REVISION]->(OrderRevision)`, with
`id`, `orderId`, `version`, `state` (DRAFT, SUBMITTED, APPROVED, CANCELLED), `reason`,
`requestedBy`, `createdAt`, `decidedAt`, `decidedBy`. While it is open, its line tree is kept on
the node as JSON (`lines`, with `lineIds` and `itemIds` to find it by line or item); the running
order's `OrderLine`
nodes stay as they are until approval. After approval `changes` holds what it changed (JSON).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import Graph, run
from graph.fulfillment import NEW_TASK_PROPERTIES
from graph.orders import LINE_FIELDS, line_from, line_row
from graph.records import to_datetime
from rules.model import OrderLine
from rules.revision import (
    OPEN_REVISION_STATES,
    FieldChange,
    LineSummary,
    PointOfNoReturn,
    RevisionSummary,
)

Tx = AsyncManagedTransaction
Row = dict[str, Any]
UNFINISHED_TASKS = ["OPEN", "IN_PROGRESS", "FAILED"]


@dataclass(frozen=True)
class RevisionRecord:
    """A stored revision with its line tree and, once approved, what it changed."""

    id: str
    order_id: str
    version: int
    state: str
    reason: str | None
    requested_by: str | None
    created_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    lines: tuple[OrderLine, ...]
    summary: RevisionSummary | None


def _item_ids(lines: Sequence[OrderLine]) -> list[str]:
    return sorted({ln.inventory_id for ln in lines if ln.inventory_id})


def lines_json(lines: Sequence[OrderLine]) -> str:
    return json.dumps([line_row(ln, i) for i, ln in enumerate(lines)], ensure_ascii=False)


def _lines_from(raw: str | None) -> tuple[OrderLine, ...]:
    return tuple(line_from([row.get(f) for f in LINE_FIELDS]) for row in json.loads(raw or "[]"))


def summary_json(summary: RevisionSummary) -> str:
    def line(s: LineSummary) -> dict[str, Any]:
        return {
            "lineId": s.line_id, "inventoryId": s.inventory_id, "specId": s.spec_id, "action": s.action.value,
            "changes": [[c.field, c.old, c.new] for c in s.changes],
        }

    return json.dumps(
        {"added": [line(x) for x in summary.added], "removed": [line(x) for x in summary.removed],
         "changed": [line(x) for x in summary.changed]},
        ensure_ascii=False,
    )


def _summary_from(raw: str | None) -> RevisionSummary | None:
    if not raw:
        return None
    from rules.model import LineAction

    value = json.loads(raw)

    def line(d: dict[str, Any]) -> LineSummary:
        return LineSummary(
            d["lineId"], d.get("inventoryId"), d["specId"], LineAction(d["action"]),
            tuple(FieldChange(f, o, n) for f, o, n in d.get("changes") or ()),
        )

    return RevisionSummary(
        added=tuple(line(x) for x in value.get("added") or ()),
        removed=tuple(line(x) for x in value.get("removed") or ()),
        changed=tuple(line(x) for x in value.get("changed") or ()),
    )


def _revision_from(props: Any) -> RevisionRecord:
    return RevisionRecord(
        id=props["id"],
        order_id=props["orderId"],
        version=int(props["version"]),
        state=props["state"],
        reason=props.get("reason"),
        requested_by=props.get("requestedBy"),
        created_at=to_datetime(props.get("createdAt")),
        decided_at=to_datetime(props.get("decidedAt")),
        decided_by=props.get("decidedBy"),
        lines=_lines_from(props.get("lines")),
        summary=_summary_from(props.get("changes")),
    )


async def revisions_of_orders(graph: Graph, order_ids: list[str]) -> dict[str, list[RevisionRecord]]:
    """Every revision of each order, oldest first."""
    rows = await graph.fetch(
        "UNWIND $ids AS oid MATCH (:CustomerOrder {id: oid})-[:HAS_REVISION]->(r:OrderRevision) "
        "RETURN oid, r {.*} AS r ORDER BY r.version",
        ids=order_ids,
    )
    out: dict[str, list[RevisionRecord]] = defaultdict(list)
    for r in rows:
        out[r["oid"]].append(_revision_from(r["r"]))
    return out


# --- inside a transaction -------------------------------------------------------------------------


async def open_revision(tx: Tx, graph: Graph, order_id: str) -> RevisionRecord | None:
    """The order's revision being edited or awaiting approval, if any."""
    rows = await run(
        tx,
        graph,
        "MATCH (:CustomerOrder {id: $id})-[:HAS_REVISION]->(r:OrderRevision) WHERE r.state IN $open "
        "RETURN r {.*} AS r ORDER BY r.version DESC LIMIT 1",
        {"id": order_id, "open": list(OPEN_REVISION_STATES)},
    )
    return _revision_from(rows[0]["r"]) if rows else None


async def order_id_of_revision_line(tx: Tx, graph: Graph, line_id: str) -> str | None:
    """The order whose open revision holds line `line_id` (a line the revision added)."""
    rows = await run(
        tx,
        graph,
        "MATCH (r:OrderRevision) WHERE r.state IN $open AND $id IN r.lineIds RETURN r.orderId AS id LIMIT 1",
        {"id": line_id, "open": list(OPEN_REVISION_STATES)},
    )
    return rows[0]["id"] if rows else None


async def create_revision(
    tx: Tx, graph: Graph, order_id: str, revision_id: str, version: int, reason: str, caller: str,
    lines: Sequence[OrderLine],
) -> None:
    await run(
        tx,
        graph,
        "MATCH (o:CustomerOrder {id: $orderId}) "
        "CREATE (o)-[:HAS_REVISION]->(:OrderRevision {id: $id, orderId: $orderId, version: $version, "
        "state: 'DRAFT', reason: $reason, requestedBy: $caller, createdAt: datetime(), lines: $lines, "
        "lineIds: $lineIds, itemIds: $itemIds})",
        {
            "orderId": order_id, "id": revision_id, "version": version, "reason": reason, "caller": caller,
            "lines": lines_json(lines), "lineIds": [ln.id for ln in lines], "itemIds": _item_ids(lines),
        },
    )


async def save_revision_lines(tx: Tx, graph: Graph, revision_id: str, lines: Sequence[OrderLine]) -> None:
    await run(
        tx,
        graph,
        "MATCH (r:OrderRevision {id: $id}) SET r.lines = $lines, r.lineIds = $lineIds, r.itemIds = $itemIds, "
        "r.updatedAt = datetime()",
        {"id": revision_id, "lines": lines_json(lines), "lineIds": [ln.id for ln in lines], "itemIds": _item_ids(lines)},
    )


async def set_revision_state(
    tx: Tx, graph: Graph, revision_id: str, state: str, caller: str | None = None,
    summary: RevisionSummary | None = None, reason: str | None = None,
) -> None:
    """Move a revision on; a decided revision (APPROVED, CANCELLED) records who decided and when."""
    await run(
        tx,
        graph,
        "MATCH (r:OrderRevision {id: $id}) SET r.state = $state, r.updatedAt = datetime(), "
        "r.decidedAt = CASE WHEN $state IN ['APPROVED', 'CANCELLED'] THEN datetime() ELSE r.decidedAt END, "
        "r.decidedBy = CASE WHEN $state IN ['APPROVED', 'CANCELLED'] THEN $caller ELSE r.decidedBy END, "
        "r.changes = coalesce($changes, r.changes), r.decision = coalesce($reason, r.decision)",
        {
            "id": revision_id, "state": str(state), "caller": caller, "reason": reason,
            "changes": summary_json(summary) if summary is not None else None,
        },
    )


async def hold_tasks(tx: Tx, graph: Graph, order_id: str, hold: str) -> None:
    """Hold every unfinished task of the order: they neither start nor close until released."""
    await run(
        tx,
        graph,
        "MATCH (t:OrderTask {orderId: $orderId}) WHERE t.state IN $unfinished "
        "SET t.heldBy = [h IN coalesce(t.heldBy, []) WHERE h <> $hold] + $hold, t.updatedAt = datetime()",
        {"orderId": order_id, "hold": hold, "unfinished": UNFINISHED_TASKS},
    )


async def release_holds(tx: Tx, graph: Graph, order_id: str, hold: str) -> None:
    await run(
        tx,
        graph,
        "MATCH (t:OrderTask {orderId: $orderId}) WHERE $hold IN coalesce(t.heldBy, []) "
        "SET t.heldBy = [h IN t.heldBy WHERE h <> $hold], t.updatedAt = datetime()",
        {"orderId": order_id, "hold": hold},
    )


async def points_of_no_return(tx: Tx, graph: Graph, order_id: str) -> list[PointOfNoReturn]:
    """The order's lines past their point of no return, with the task that put them there."""
    rows = await run(
        tx,
        graph,
        "MATCH (:CustomerOrder {id: $id})-[:HAS_LINE]->(l:OrderLine) WHERE l.pastPointOfNoReturn "
        "OPTIONAL MATCH (t:OrderTask {id: l.pointOfNoReturnTaskId}) "
        "RETURN l.id AS lineId, l.pointOfNoReturnTaskId AS taskId, t.name AS taskName",
        {"id": order_id},
    )
    return [PointOfNoReturn(r["lineId"], r["taskId"] or "", r["taskName"] or "") for r in rows]


async def delete_revision_items(tx: Tx, graph: Graph, revision_id: str, item_ids: list[str] | None) -> None:
    """Remove products a revision had added and then dropped (all of them when None): never installed."""
    await run(
        tx,
        graph,
        "MATCH (p:ProductInventory {createdByRevision: $rev}) WHERE p.state = 'INSTALLATION_PENDING' "
        "AND ($ids IS NULL OR p.id IN $ids) DETACH DELETE p",
        {"rev": revision_id, "ids": item_ids},
    )


# Writes an approved revision batches: each statement takes `$rows` (or `$ids`), one row per record.
RETIRE_LINES = (
    "UNWIND $ids AS lid MATCH (o:CustomerOrder)-[h:HAS_LINE]->(l:OrderLine {id: lid}) "
    "CREATE (o)-[:HAD_LINE]->(l) DELETE h "
    "WITH l OPTIONAL MATCH (l)-[c:HAS_CHILD]-(:OrderLine) DELETE c "
    "WITH DISTINCT l SET l.state = 'CANCELLED', l.removedInVersion = $version"
)
APPEND_TASKS = (
    "UNWIND $rows AS t MATCH (d:DomainOrder {id: t.domainOrderId}) "
    "CREATE (d)-[:HAS_TASK]->(n:OrderTask {" + NEW_TASK_PROPERTIES + "}) "
    "SET n.redo = t.redo, n.undoOf = t.undoOf"
)
ADD_DEPENDENCIES = (
    "UNWIND $rows AS row MATCH (t:OrderTask {id: row.id}) "
    "SET t.dependsOn = coalesce(t.dependsOn, []) + [d IN row.dependsOn WHERE NOT d IN coalesce(t.dependsOn, [])], "
    "t.updatedAt = datetime()"
)
DROP_DEPENDENCIES = (
    "MATCH (t:OrderTask {orderId: $orderId}) WHERE any(d IN coalesce(t.dependsOn, []) WHERE d IN $ids) "
    "SET t.dependsOn = [d IN t.dependsOn WHERE NOT d IN $ids]"
)
SET_TASK_DATES = (
    "UNWIND $rows AS row MATCH (t:OrderTask {id: row.id}) "
    "SET t.plannedStartAt = row.plannedStartAt, t.dueAt = row.dueAt, t.updatedAt = datetime()"
)
EXTEND_WORK_ORDERS = (
    "UNWIND $rows AS row MATCH (w:WorkOrder {id: row.id}) "
    "SET w.lineIds = coalesce(w.lineIds, []) + [l IN row.lineIds WHERE NOT l IN coalesce(w.lineIds, [])]"
)
FORGET_COPIES = "UNWIND $ids AS lid MATCH (l:OrderLine {id: lid}) REMOVE l.copyId"
COVER_LINES = (
    "UNWIND $rows AS row MATCH (d:DomainOrder {id: row.domainOrderId}) MATCH (l:OrderLine {id: row.lineId}) "
    "MERGE (d)-[:COVERS_LINE]->(l)"
)


async def _batch(tx: Tx, graph: Graph, statement: str, key: str, batch: Sequence[Any], **params: Any) -> None:
    """Run `statement` over `batch` (passed as `$key`), or not at all when it is empty."""
    if batch:
        await run(tx, graph, statement, {key: list(batch), **params})


async def retire_lines(tx: Tx, graph: Graph, line_ids: Sequence[str], version: int) -> None:
    """Lines a revision removed leave the order's tree (HAS_LINE becomes HAD_LINE) and are CANCELLED."""
    await _batch(tx, graph, RETIRE_LINES, "ids", line_ids, version=version)


async def append_tasks(tx: Tx, graph: Graph, order_id: str, rows: Sequence[Row]) -> None:
    """Task rows (`NEW_TASK_PROPERTIES`, with `redo` and `undoOf`): tasks joining running domain orders."""
    await _batch(tx, graph, APPEND_TASKS, "rows", rows, orderId=order_id)


async def add_dependencies(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, dependsOn}: a running task now also waits for these tasks (added by a revision)."""
    await _batch(tx, graph, ADD_DEPENDENCIES, "rows", rows)


async def drop_dependencies(tx: Tx, graph: Graph, order_id: str, task_ids: Sequence[str]) -> None:
    """Tasks a revision cancelled are waited for no more."""
    await _batch(tx, graph, DROP_DEPENDENCIES, "ids", task_ids, orderId=order_id)


async def set_task_dates(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, plannedStartAt, dueAt}: a running task now waits for later work (a revision's)."""
    await _batch(tx, graph, SET_TASK_DATES, "rows", rows)


async def extend_work_orders(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {id, lineIds}: a running work order (a site install) serves these lines too."""
    await _batch(tx, graph, EXTEND_WORK_ORDERS, "rows", rows)


async def forget_copies(tx: Tx, graph: Graph, line_ids: Sequence[str]) -> None:
    """Lines whose move copy a revision retired, and that move nothing any more, forget the copy."""
    await _batch(tx, graph, FORGET_COPIES, "ids", line_ids)


async def cover_lines(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {domainOrderId, lineId}: a running domain order now fulfills these lines too."""
    await _batch(tx, graph, COVER_LINES, "rows", rows)


async def extend_order_due(tx: Tx, graph: Graph, order_id: str, due: datetime) -> None:
    """An order without a requested completion date is due when its last task is, new ones included."""
    await run(
        tx,
        graph,
        "MATCH (o:CustomerOrder {id: $id}) WHERE o.requestedCompletionDate IS NULL "
        "AND (o.dueAt IS NULL OR o.dueAt < $due) SET o.dueAt = $due",
        {"id": order_id, "due": due},
    )


async def set_order_version(tx: Tx, graph: Graph, order_id: str, version: int) -> None:
    await run(
        tx,
        graph,
        "MATCH (o:CustomerOrder {id: $id}) SET o.orderVersion = $version, o.updatedAt = datetime()",
        {"id": order_id, "version": version},
    )
