"""Cypher of one task transition (start, close, fail, retry, skip): lock and read in one statement,
write in one statement, so a transition costs the same for an order of 10 lines and of 11,111.

`lock_task_order` takes the write lock of the task's order header (not of its lines: concurrent
transitions, cancellations and revisions of the order queue on it) and, in the same statement,
reads the header, the domain orders with their tasks and the work orders as they are once the
lock is held. Line ids are read only for the domain order of a point-of-no-return task (closing
it marks them). `write_task_transition` sets the task's state, records its history entry, moves
its domain order when that changes, stamps milestones and touches the order, and returns the
order's properties as committed (the mutation's payload is built from them, no read after).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import STABLE_PLAN, Graph, run
from graph.fulfillment import (
    FINISHED,
    Fulfillment,
    _domain_order_from,
    _sorted_domain_orders,
    work_order_from,
)
from graph.orders import MILESTONE_STAMPS, order_from
from rules.model import Order

Tx = AsyncManagedTransaction

LOCK_TASK_ORDER = (
    STABLE_PLAN + "MATCH (t:OrderTask {id: $taskId}) MATCH (o:CustomerOrder {id: t.orderId}) "
    "WHERE $accounts IS NULL OR o.accountId IN $accounts "
    "SET o.lockedAt = datetime() WITH o "
    "RETURN o {.*} AS order, "
    "[(o)-[:DECOMPOSED_INTO]->(d:DomainOrder) | {domainOrder: d {.*}, "
    "tasks: [(d)-[:HAS_TASK]->(t:OrderTask) | t {.*}], "
    "lineIds: CASE WHEN EXISTS { (d)-[:HAS_TASK]->(:OrderTask {id: $taskId, pointOfNoReturn: true}) } "
    "THEN [(d)-[:COVERS_LINE]->(l:OrderLine) | l.id] ELSE [] END}] AS domainOrders, "
    "[(o)-[:HAS_WORK_ORDER]->(w:WorkOrder) | w {.*}] AS workOrders"
)

# One statement per transition, stamped like `graph.fulfillment.set_task_states`. A null
# `$domainOrderState` leaves the domain order as it is; `$touch` false leaves the order's version to
# what follows (completion moves the order itself).
TASK_TRANSITION = (
    STABLE_PLAN + "MATCH (t:OrderTask {id: $taskId}) "
    "SET t.state = $taskState, t.updatedAt = datetime(), "
    "t.startedAt = CASE WHEN $taskState = 'IN_PROGRESS' THEN coalesce(t.startedAt, datetime()) ELSE t.startedAt END, "
    "t.closedAt = CASE WHEN $taskState IN $finished THEN datetime() ELSE t.closedAt END "
    "CREATE (t)-[:HAS_EVENT]->(:TaskEvent {id: randomUUID(), taskId: t.id, orderId: t.orderId, "
    "fromState: $event.fromState, toState: $event.toState, reason: $event.reason, category: $event.category, "
    "attempt: $event.attempt, by: $event.by, at: $event.at}) "
    "WITH t OPTIONAL MATCH (d:DomainOrder {id: $domainOrderId}) WHERE $domainOrderState IS NOT NULL "
    "FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | SET d.state = $domainOrderState, "
    "d.updatedAt = datetime(), d.startedAt = CASE WHEN $domainOrderState = 'IN_PROGRESS' "
    "THEN coalesce(d.startedAt, datetime()) ELSE d.startedAt END, "
    "d.closedAt = CASE WHEN $domainOrderState IN $finished THEN datetime() ELSE d.closedAt END) "
    "WITH DISTINCT t MATCH (o:CustomerOrder {id: $orderId}) "
    "SET o.version = o.version + CASE WHEN $touch THEN 1 ELSE 0 END, "
    "o.updatedAt = CASE WHEN $touch THEN datetime() ELSE o.updatedAt END, "
    + MILESTONE_STAMPS + " "
    "RETURN o {.*} AS order"
)
TRANSITION_MILESTONES = frozenset({"FIRST_ACTIVATION", "POINT_OF_NO_RETURN_PASSED"})


async def lock_task_order(tx: Tx, graph: Graph, task_id: str) -> tuple[Order, Fulfillment] | None:
    """Lock the header of the order `task_id` belongs to and read what a transition decides on;
    None when there is no such task (or its order is outside the caller's accounts)."""
    rows = await run(tx, graph, LOCK_TASK_ORDER, {"taskId": task_id, "accounts": graph.accounts})
    if not rows:
        return None
    found = rows[0]
    return order_from(found["order"]), Fulfillment(
        domain_orders=_sorted_domain_orders(
            _domain_order_from(d["domainOrder"], d["tasks"], d["lineIds"]) for d in found["domainOrders"]
        ),
        work_orders=sorted((work_order_from(w) for w in found["workOrders"]), key=lambda w: w.id),
        returns=[],
    )


async def write_task_transition(
    tx: Tx,
    graph: Graph,
    *,
    order_id: str,
    task_id: str,
    task_state: str,
    event: Mapping[str, Any],
    domain_order_id: str,
    domain_order_state: str | None = None,
    milestones: Iterable[str] = (),
    at: datetime,
    touch: bool = True,
) -> dict[str, Any]:
    """The task in `task_state` with its history row `event` (see `resolvers.task_start.task_event`),
    its domain order in `domain_order_state` (None: unchanged), the order's `milestones` (first
    activation, point of no return) stamped at `at`; the order's properties afterwards."""
    wanted = sorted(set(milestones))
    unknown = set(wanted) - TRANSITION_MILESTONES
    if unknown:
        raise ValueError(f"milestones a task transition does not stamp: {sorted(unknown)}")
    rows = await run(tx, graph, TASK_TRANSITION, {
        "orderId": order_id, "taskId": task_id, "taskState": task_state, "event": dict(event),
        "domainOrderId": domain_order_id, "domainOrderState": domain_order_state, "kinds": wanted,
        "at": at, "touch": touch, "finished": FINISHED,
    })
    return dict(rows[0]["order"]) if rows else {}
