"""The graph's invariants as Cypher: every statement returns the violations it finds, with ids.

`check_graph` runs them all; `macd check` prints the result and the integration suite runs it
after every test module. Each check is one `InvariantCheck` in `CHECKS`: a name, a sentence, and
one constant statement returning rows `{ids, detail}`. The state tables below are parameters of
those statements, so a new order, line or task state is allowed by adding it to a table (and
documenting it in `docs/graph-model.md`), not by editing Cypher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import Graph, run
from rules.lifecycle_model import DONE_TASK_STATES, TaskState, WorkOrderState
from rules.model import OPEN_ORDER_STATES, InventoryState, OrderState
from rules.revision import OPEN_REVISION_STATES

# Orders whose lines claim their items (R6). A follow-on order (R15) may target an item its first
# order holds: it then claims the item as `followOnOrderId`, and the checks below accept that claim.
CLAIMING_ORDER_STATES: tuple[str, ...] = tuple(sorted(s.value for s in OPEN_ORDER_STATES))

PENDING_ITEM_STATES: tuple[str, ...] = (
    InventoryState.INSTALLATION_PENDING.value,
    InventoryState.CHANGE_PENDING.value,
    InventoryState.DISCONNECT_PENDING.value,
)
# Items that are part of the installed base (not yet-to-be-installed, not history): they count for
# bundle cardinality and their own children are counted against their specification.
INSTALLED_ITEM_STATES: tuple[str, ...] = (
    InventoryState.ACTIVE.value,
    InventoryState.SUSPENDED.value,
    InventoryState.CHANGE_PENDING.value,
    InventoryState.DISCONNECT_PENDING.value,
)

# Per installed parent `p` and specification `s`: each bundled child specification `cs`, its bounds `b`
# (of the specification version the parent was built from) and `n`, how many installed children of it
# the parent has. Shared by the whole-graph check and by the import's check of the parents it adds to.
BUNDLE_COUNTS = (
    "OPTIONAL MATCH (s)-[:HAS_VERSION]->(v:ProductSpecificationVersion) "
    "WHERE v.version = coalesce(p.specVersion, s.version) "
    "WITH p, coalesce(v, s) AS definition "
    "MATCH (definition)-[b:BUNDLES]->(cs:ProductSpecification) "
    "WITH p, cs, b, COUNT { (p)-[:HAS_CHILD]->(c:ProductInventory)-[:INSTANCE_OF]->(cs) "
    "  WHERE c.state IN $installed } AS n "
)
OVERFULL_PARENTS = (
    "UNWIND $ids AS pid MATCH (p:ProductInventory {id: pid})-[:INSTANCE_OF]->(s:ProductSpecification) "
    "WHERE p.state IN $installed "
    + BUNDLE_COUNTS +
    "WHERE n > b.max "
    "RETURN p.id AS parentId, cs.id AS specificationId, n AS found, b.max AS most ORDER BY parentId, specificationId"
)
"""Stored parents among `$ids` that hold more installed children of a bundled specification than it allows."""

_EVERY_TASK_STATE = [s.value for s in TaskState]
_FINISHED_TASK_STATES = [TaskState.CLOSED_COMPLETE.value, TaskState.CANCELLED.value, TaskState.SKIPPED.value]

LINE_STATES_BY_ORDER_STATE: dict[str, list[str]] = {s.value: [s.value] for s in OrderState}
"""The states an order's lines may be in while the order is in a state (lines follow their order)."""

TASK_STATES_BY_ORDER_STATE: dict[str, list[str]] = {
    OrderState.DRAFT.value: [],
    OrderState.SUBMITTED.value: [],
    OrderState.REJECTED.value: [],
    OrderState.QUEUED.value: [],
    OrderState.IN_PROGRESS.value: _EVERY_TASK_STATE,
    OrderState.REVISION_IN_PROGRESS.value: _EVERY_TASK_STATE,
    OrderState.CANCELLATION_IN_PROGRESS.value: _EVERY_TASK_STATE,
    OrderState.COMPLETED.value: _FINISHED_TASK_STATES,
    OrderState.CANCELLED.value: _FINISHED_TASK_STATES,
}
"""The states an order's tasks and domain orders may be in while the order is in a state; an order
state missing from the table is not checked."""


_EVERY_WORK_ORDER_STATE = [s.value for s in WorkOrderState]
_FINISHED_WORK_ORDER_STATES = [WorkOrderState.CLOSED_COMPLETE.value, WorkOrderState.CANCELLED.value]

WORK_ORDER_STATES_BY_ORDER_STATE: dict[str, list[str]] = {
    OrderState.DRAFT.value: [],
    OrderState.SUBMITTED.value: [],
    OrderState.REJECTED.value: [],
    OrderState.QUEUED.value: [],
    OrderState.IN_PROGRESS.value: _EVERY_WORK_ORDER_STATE,
    OrderState.REVISION_IN_PROGRESS.value: _EVERY_WORK_ORDER_STATE,
    OrderState.CANCELLATION_IN_PROGRESS.value: _EVERY_WORK_ORDER_STATE,
    OrderState.COMPLETED.value: _FINISHED_WORK_ORDER_STATES,
    OrderState.CANCELLED.value: _FINISHED_WORK_ORDER_STATES,
}
"""The states an order's work orders may be in while the order is in a state (R13: a finished order
has no field work left; a failed visit is cancelled when its order ends)."""

HOLDABLE_ORDER_STATES: tuple[str, ...] = (OrderState.IN_PROGRESS.value, OrderState.REVISION_IN_PROGRESS.value)
"""Only an order in progress can be on hold, and it stays held while it is revised (a cancelled
order's hold is cleared)."""

DONE_TASKS: tuple[str, ...] = tuple(sorted(s.value for s in DONE_TASK_STATES))


@dataclass(frozen=True)
class InvariantCheck:
    """One invariant: `statement` returns a row `{ids, detail}` per violation."""

    name: str
    description: str
    statement: str


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which check, the ids involved, and a sentence."""

    check: str
    ids: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail} [{', '.join(self.ids)}]"


@dataclass
class CheckReport:
    """Every violation found, by check, in `CHECKS` order."""

    checks: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def lines(self) -> list[str]:
        if self.ok:
            return [f"{len(self.checks)} invariants hold"]
        return [f"{len(self.violations)} violation(s)", *(f"  {v}" for v in self.violations)]


CHECKS: tuple[InvariantCheck, ...] = (
    InvariantCheck(
        "item-in-two-open-orders",
        "an item is targeted by lines of at most one open order",
        "MATCH (p:ProductInventory)<-[:TARGETS]-(:OrderLine)<-[:HAS_LINE]-(o:CustomerOrder) "
        "WHERE o.state IN $claiming AND o.id <> coalesce(p.followOnOrderId, '') "
        "WITH p, collect(DISTINCT o.id) AS orders WHERE size(orders) > 1 "
        "RETURN [p.id] + orders AS ids, 'item is in ' + toString(size(orders)) + ' open orders' AS detail",
    ),
    InvariantCheck(
        "claim-without-open-line",
        "an item claimed by an order (openOrderId) is targeted by a line of that open order or of its "
        "open revision (R14), or is the copy of such an item at a move's new location",
        "MATCH (p:ProductInventory) WHERE p.openOrderId IS NOT NULL "
        "AND NOT EXISTS { MATCH (p)<-[:TARGETS]-(:OrderLine)<-[:HAS_LINE]-(o:CustomerOrder) "
        "  WHERE o.id = p.openOrderId AND o.state IN $claiming } "
        "AND NOT EXISTS { MATCH (p)-[:REPLACES]->(:ProductInventory)<-[:TARGETS]-(:OrderLine)"
        "<-[:HAS_LINE]-(o:CustomerOrder) WHERE o.id = p.openOrderId AND o.state IN $claiming } "
        "AND NOT EXISTS { MATCH (o:CustomerOrder {id: p.openOrderId})-[:HAS_REVISION]->(r:OrderRevision) "
        "  WHERE r.state IN $openRevisions AND p.id IN r.itemIds } "
        "RETURN [p.id, p.openOrderId] AS ids, 'item is claimed by an order with no open line on it' AS detail",
    ),
    InvariantCheck(
        "open-line-without-claim",
        "every item a line of an open order targets is claimed by that order",
        "MATCH (o:CustomerOrder)-[:HAS_LINE]->(l:OrderLine)-[:TARGETS]->(p:ProductInventory) "
        "WHERE o.state IN $claiming AND coalesce(p.openOrderId, '') <> o.id "
        "AND coalesce(p.followOnOrderId, '') <> o.id "
        "RETURN [l.id, p.id, o.id] AS ids, "
        "'open line targets an item claimed by ' + coalesce(p.openOrderId, 'no order') AS detail",
    ),
    InvariantCheck(
        "follow-on-claim",
        "an item's follow-on claim (followOnOrderId, R15) belongs to an open follow-on order with a line "
        "on the item, whose first order is the open order holding the item",
        "MATCH (p:ProductInventory) WHERE p.followOnOrderId IS NOT NULL "
        "OPTIONAL MATCH (f:CustomerOrder {id: p.followOnOrderId}) "
        "WITH p, f WHERE f IS NULL OR NOT f.state IN $claiming OR f.followsOrderId IS NULL "
        "OR coalesce(p.openOrderId, '') <> f.followsOrderId "
        "OR NOT EXISTS { MATCH (p)<-[:TARGETS]-(:OrderLine)<-[:HAS_LINE]-(f) } "
        "RETURN [p.id, p.followOnOrderId] AS ids, "
        "'follow-on claim of ' + p.followOnOrderId + ' is not backed by a waiting follow-on line' AS detail",
    ),
    InvariantCheck(
        "pending-without-open-order",
        "an item in a pending state is claimed by an open order",
        "MATCH (p:ProductInventory) WHERE p.state IN $pending "
        "AND NOT EXISTS { MATCH (o:CustomerOrder) WHERE o.id = p.openOrderId AND o.state IN $claiming } "
        "RETURN [p.id] AS ids, 'item is ' + p.state + ' without an open order' AS detail",
    ),
    InvariantCheck(
        "live-under-inactive",
        "no item other than INACTIVE hangs under an INACTIVE item",
        "MATCH (up:ProductInventory {state: 'INACTIVE'})-[:HAS_CHILD]->(c:ProductInventory) "
        "WHERE c.state <> 'INACTIVE' "
        "RETURN [c.id, up.id] AS ids, 'item is ' + c.state + ' under INACTIVE ' + up.id AS detail",
    ),
    InvariantCheck(
        "cardinality",
        "every installed parent has between min and max installed children of each bundled "
        "specification (per the specification version the parent was built from)",
        "MATCH (p:ProductInventory)-[:INSTANCE_OF]->(s:ProductSpecification) WHERE p.state IN $installed "
        + BUNDLE_COUNTS +
        "WHERE n < b.min OR n > b.max "
        "RETURN [p.id, cs.id] AS ids, 'item has ' + toString(n) + ' ' + cs.id + ', its specification allows ' "
        "+ toString(b.min) + '..' + toString(b.max) AS detail",
    ),
    InvariantCheck(
        "one-parent",
        "an item has at most one parent (an item or, for a root, an account)",
        "MATCH (c:ProductInventory) "
        "WITH c, COUNT { (:ProductInventory)-[:HAS_CHILD]->(c) } + COUNT { (:Account)-[:OWNS]->(c) } AS parents "
        "WHERE parents > 1 "
        "RETURN [c.id] AS ids, 'item has ' + toString(parents) + ' parents' AS detail",
    ),
    InvariantCheck(
        "line-state",
        "an order's lines are in a state its own state allows (LINE_STATES_BY_ORDER_STATE)",
        "MATCH (o:CustomerOrder)-[:HAS_LINE]->(l:OrderLine) "
        "WHERE o.state IN keys($lineStates) AND NOT l.state IN $lineStates[o.state] "
        "RETURN [o.id, l.id] AS ids, 'line is ' + l.state + ' in a ' + o.state + ' order' AS detail",
    ),
    InvariantCheck(
        "task-state",
        "an order's domain orders and tasks are in states its own state allows (TASK_STATES_BY_ORDER_STATE)",
        "MATCH (o:CustomerOrder)-[:DECOMPOSED_INTO]->(d:DomainOrder) WHERE o.state IN keys($taskStates) "
        "OPTIONAL MATCH (d)-[:HAS_TASK]->(t:OrderTask) "
        "WITH o, d, t WHERE NOT d.state IN $taskStates[o.state] "
        "OR (t IS NOT NULL AND NOT t.state IN $taskStates[o.state]) "
        "RETURN [o.id, d.id] + CASE WHEN t IS NULL THEN [] ELSE [t.id] END AS ids, "
        "coalesce('task is ' + t.state + ', ', '') + 'domain order is ' + d.state + ' in a ' + o.state "
        "+ ' order' AS detail",
    ),
    InvariantCheck(
        "work-order-state",
        "an order's work orders are in states its own state allows (WORK_ORDER_STATES_BY_ORDER_STATE)",
        "MATCH (o:CustomerOrder)-[:HAS_WORK_ORDER]->(w:WorkOrder) WHERE o.state IN keys($workOrderStates) "
        "AND NOT w.state IN $workOrderStates[o.state] "
        "RETURN [o.id, w.id] AS ids, 'work order is ' + w.state + ' in a ' + o.state + ' order' AS detail",
    ),
    InvariantCheck(
        "hold-outside-progress",
        "only an order in progress is on hold (R13)",
        "MATCH (o:CustomerOrder) WHERE o.onHold = true AND NOT o.state IN $holdable "
        "RETURN [o.id] AS ids, 'order is on hold while ' + o.state AS detail",
    ),
    InvariantCheck(
        "closed-before-dependencies",
        "a task is closed only once every task it depends on is done (R13; a skip may jump the queue)",
        "MATCH (t:OrderTask {state: 'CLOSED_COMPLETE'}) WHERE size(coalesce(t.dependsOn, [])) > 0 "
        "UNWIND t.dependsOn AS depId MATCH (dep:OrderTask {id: depId}) WHERE NOT dep.state IN $doneTasks "
        "RETURN [t.id, dep.id] AS ids, 'task is closed while ' + dep.id + ' it depends on is ' + dep.state AS detail",
    ),
    InvariantCheck(
        "failed-task-out-of-fallout",
        "a FAILED task says why and is in the fallout queue (R13)",
        "MATCH (t:OrderTask {state: 'FAILED'}) "
        "WHERE t.falloutKey IS NULL OR coalesce(t.failureReason, '') = '' OR t.failureCategory IS NULL "
        "RETURN [t.orderId, t.id] AS ids, 'FAILED task without reason, category or fallout key' AS detail",
    ),
)


def check_parameters() -> dict[str, Any]:
    """The state tables every check statement takes as parameters."""
    return {
        "claiming": list(CLAIMING_ORDER_STATES),
        "openRevisions": list(OPEN_REVISION_STATES),
        "pending": list(PENDING_ITEM_STATES),
        "installed": list(INSTALLED_ITEM_STATES),
        "lineStates": LINE_STATES_BY_ORDER_STATE,
        "taskStates": TASK_STATES_BY_ORDER_STATE,
        "workOrderStates": WORK_ORDER_STATES_BY_ORDER_STATE,
        "holdable": list(HOLDABLE_ORDER_STATES),
        "doneTasks": list(DONE_TASKS),
    }


async def check_graph(
    graph: Graph, checks: Sequence[InvariantCheck] = CHECKS, parameters: Mapping[str, Any] | None = None
) -> CheckReport:
    """Run every check (one statement each, one read transaction) and collect the violations."""
    params = dict(check_parameters() if parameters is None else parameters)
    report = CheckReport(checks=[c.name for c in checks])

    async def work(tx: AsyncManagedTransaction) -> list[Violation]:
        found: list[Violation] = []
        for check in checks:
            rows = await run(tx, graph, check.statement, params)
            found.extend(Violation(check.name, tuple(str(i) for i in r["ids"]), str(r["detail"])) for r in rows)
        return found

    report.violations = await graph.read(work)
    return report
