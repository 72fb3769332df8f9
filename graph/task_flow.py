"""Cypher of fulfillment that fails and waits (R13): task failure and recovery, task history, holds,
milestones, and the open-task and fallout queues.

Writers run inside the caller's transaction after it locked the order (`lock_order_of_task` or
`graph.orders.lock_order`). Stored: on `OrderTask` `attempt`, `failureReason`, `failureCategory`,
`failedAt`, `falloutKey`, `skipReason`; `(OrderTask)-[:HAS_EVENT]->(TaskEvent)`; on
`CustomerOrder` `onHold`, `holdReason`, `heldAt` and the milestone stamps; hold and resume are
`OrderEvent`s with `kind` HOLD / RESUME.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import STABLE_PLAN, Graph, run
from graph.fulfillment import task_from
from graph.orders import MILESTONE_STAMPS
from graph.records import Page, TaskEventRecord, TaskRecord, to_datetime
from rules.schedule import Jeopardy, thresholds

Tx = AsyncManagedTransaction
Row = dict[str, Any]

FAIL_TASK = (
    "MATCH (t:OrderTask {id: $id}) "
    "SET t.state = 'FAILED', t.failureReason = $reason, t.failureCategory = $category, t.failedAt = $at, "
    "t.falloutKey = $key, t.updatedAt = datetime()"
)
RETRY_TASK = (
    "MATCH (t:OrderTask {id: $id}) "
    "SET t.state = 'OPEN', t.attempt = $attempt, t.startedAt = null, t.falloutKey = null, "
    "t.updatedAt = datetime()"
)
SKIP_TASK = (
    "MATCH (t:OrderTask {id: $id}) "
    "SET t.state = 'SKIPPED', t.skipReason = $reason, t.closedAt = datetime(), t.falloutKey = null, "
    "t.updatedAt = datetime()"
)
RECORD_TASK_EVENTS = (
    "UNWIND $rows AS row MATCH (t:OrderTask {id: row.taskId}) "
    "CREATE (t)-[:HAS_EVENT]->(:TaskEvent {id: randomUUID(), taskId: row.taskId, orderId: t.orderId, "
    "fromState: row.fromState, toState: row.toState, reason: row.reason, category: row.category, "
    "attempt: row.attempt, by: row.by, at: row.at})"
)
TASK_EVENTS = (
    "UNWIND $ids AS tid MATCH (:OrderTask {id: tid})-[:HAS_EVENT]->(e:TaskEvent) "
    "RETURN tid, e {.*} AS e ORDER BY e.at, e.id"
)
# The history entry is stamped like every other order transition (the database's clock); `heldAt`
# is the request's instant.
SET_HOLD = (
    "MATCH (o:CustomerOrder {id: $id}) "
    "CREATE (o)-[:HAS_EVENT]->(:OrderEvent {id: randomUUID(), orderId: $id, fromState: o.state, "
    "toState: o.state, reason: $reason, kind: $kind, callerId: $caller, at: datetime()}) "
    "SET o.onHold = $onHold, o.holdReason = CASE WHEN $onHold THEN $reason ELSE null END, "
    "o.heldAt = CASE WHEN $onHold THEN $at ELSE null END, "
    "o.version = o.version + 1, o.updatedAt = datetime()"
)
CLEAR_HOLD = "MATCH (o:CustomerOrder {id: $id}) SET o.onHold = false, o.holdReason = null, o.heldAt = null"
# A milestone keeps the instant it was first reached.
STAMP_MILESTONES = "MATCH (o:CustomerOrder {id: $id}) SET " + MILESTONE_STAMPS
SET_ORDER_DUE = STABLE_PLAN + "MATCH (o:CustomerOrder {id: $id}) SET o.plannedStartAt = $start, o.dueAt = $due"

# The jeopardy of an open task at $now, in Cypher, with the thresholds of rules.schedule as $shares.
_JEOPARDY = (
    "CASE WHEN t.dueAt IS NULL THEN 'NONE' WHEN $now >= t.dueAt THEN 'CRITICAL' "
    "WHEN t.plannedStartAt IS NULL OR t.plannedStartAt >= t.dueAt THEN 'NONE' "
    "ELSE CASE WHEN toFloat(duration.inSeconds(t.plannedStartAt, $now).seconds) "
    "/ duration.inSeconds(t.plannedStartAt, t.dueAt).seconds >= $shares.HIGH THEN 'HIGH' "
    "WHEN toFloat(duration.inSeconds(t.plannedStartAt, $now).seconds) "
    "/ duration.inSeconds(t.plannedStartAt, t.dueAt).seconds >= $shares.MEDIUM THEN 'MEDIUM' "
    "WHEN toFloat(duration.inSeconds(t.plannedStartAt, $now).seconds) "
    "/ duration.inSeconds(t.plannedStartAt, t.dueAt).seconds >= $shares.LOW THEN 'LOW' "
    "ELSE 'NONE' END END"
)
# A queue page: the tasks in $states (of one order when $orderId is set, of one failure category
# when $category is set, in the jeopardy levels $levels when set), sorted by $sort: 'QUEUE' is the
# stored key `keyProperty` (approval order or failure order), 'DUE_DATE' the due date then that key.
QUEUE = (
    "MATCH (t:OrderTask) WHERE t.state IN $states AND ($orderId IS NULL OR t.orderId = $orderId) "
    "AND ($category IS NULL OR t.failureCategory = $category) "
    "AND ($accounts IS NULL OR EXISTS { MATCH (o:CustomerOrder {id: t.orderId}) WHERE o.accountId IN $accounts }) "
    "WITH t, " + _JEOPARDY + " AS jeopardy "
    "WHERE $levels IS NULL OR jeopardy IN $levels "
    "WITH t, CASE WHEN $sort = 'DUE_DATE' "
    "THEN right('0000000000000000' + coalesce(toString(t.dueAt.epochMillis), '9999999999999999'), 16) "
    "+ '|' + coalesce(t[$keyProperty], '') "
    "ELSE coalesce(t[$keyProperty], '') END AS key "
    "ORDER BY key WITH collect({t: t, key: key}) AS queue "
    "RETURN size(queue) AS total, [e IN queue WHERE $after IS NULL OR e.key > $after][..$limit] AS page"
)


async def fail_task(tx: Tx, graph: Graph, task_id: str, reason: str, category: str, at: datetime) -> None:
    """The task is FAILED; `falloutKey` orders the fallout queue oldest failure first."""
    key = f"{at.astimezone(UTC).strftime('%Y%m%d%H%M%S%f')}|{task_id}"
    await run(tx, graph, FAIL_TASK, {"id": task_id, "reason": reason, "category": category, "at": at, "key": key})


async def retry_task(tx: Tx, graph: Graph, task_id: str, attempt: int) -> None:
    """The failed task is OPEN again as attempt `attempt`."""
    await run(tx, graph, RETRY_TASK, {"id": task_id, "attempt": attempt})


async def skip_task(tx: Tx, graph: Graph, task_id: str, reason: str) -> None:
    await run(tx, graph, SKIP_TASK, {"id": task_id, "reason": reason})


async def record_task_events(tx: Tx, graph: Graph, rows: Sequence[Row]) -> None:
    """Rows {taskId, fromState, toState, reason, category, attempt, by, at}."""
    if rows:
        await run(tx, graph, RECORD_TASK_EVENTS, {"rows": list(rows)})


async def events_of_tasks(graph: Graph, task_ids: list[str]) -> dict[str, list[TaskEventRecord]]:
    """Each task's recorded transitions, oldest first."""
    rows = await graph.fetch(TASK_EVENTS, ids=task_ids)
    out: dict[str, list[TaskEventRecord]] = defaultdict(list)
    for r in rows:
        e = r["e"]
        out[r["tid"]].append(
            TaskEventRecord(
                e["id"], e["taskId"], e.get("fromState"), e["toState"], e.get("reason"), e.get("category"),
                int(e.get("attempt") or 1), e.get("by"), to_datetime(e.get("at")),
            )
        )
    return dict(out)


async def set_hold(tx: Tx, graph: Graph, order_id: str, on_hold: bool, reason: str | None, at: datetime) -> None:
    """Hold or resume the order, recording it in the order's history (kind HOLD or RESUME)."""
    await run(
        tx,
        graph,
        SET_HOLD,
        {"id": order_id, "onHold": on_hold, "reason": reason, "kind": "HOLD" if on_hold else "RESUME", "at": at,
         "caller": graph.caller_id},
    )


async def clear_hold(tx: Tx, graph: Graph, order_id: str) -> None:
    """A cancelled order is no longer held."""
    await run(tx, graph, CLEAR_HOLD, {"id": order_id})


async def stamp_milestones(tx: Tx, graph: Graph, order_id: str, kinds: Iterable[str], at: datetime) -> None:
    """Record that the order reached these milestones (the first time only)."""
    wanted = sorted(set(kinds))
    if wanted:
        await run(tx, graph, STAMP_MILESTONES, {"id": order_id, "kinds": wanted, "at": at})


async def set_order_due(tx: Tx, graph: Graph, order_id: str, start: datetime, due: datetime) -> None:
    await run(tx, graph, SET_ORDER_DUE, {"id": order_id, "start": start, "due": due})


async def task_queue(
    graph: Graph,
    *,
    states: Sequence[str],
    key_property: str,
    first: int,
    after: str | None,
    now: datetime,
    order_id: str | None = None,
    category: str | None = None,
    levels: Sequence[Jeopardy] | None = None,
    sort: str = "QUEUE",
) -> Page:
    """One page of tasks; the page's items are (cursor key, task)."""
    rows = await graph.fetch(
        QUEUE,
        states=list(states),
        keyProperty=key_property,
        orderId=order_id,
        accounts=graph.accounts,
        category=category,
        levels=None if levels is None else [level.value for level in levels],
        sort=sort,
        now=now,
        shares=dict(thresholds()),
        after=after,
        limit=first + 1,
    )
    total = rows[0]["total"] if rows else 0
    entries = rows[0]["page"] if rows else []
    tasks: list[tuple[str, TaskRecord]] = [(e["key"], task_from(e["t"])) for e in entries[:first]]
    return Page(tasks, len(entries) > first, tasks[-1][0] if tasks else None, total)
