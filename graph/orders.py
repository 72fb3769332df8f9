"""Customer orders and their lines: reads, claims on inventory, and batched writes.

Functions taking `tx` run inside the caller's transaction, so one mutation (lock, read, decide,
write) is one transaction whatever its size. Lines are written with UNWIND batches.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import STABLE_PLAN, Graph, run
from graph.inventory import WALK_DOWN, WALK_UP
from graph.records import rule_item_from, to_date
from rules.model import (
    OPEN_ORDER_STATES,
    CharacteristicChange,
    InventoryItem,
    LineAction,
    Order,
    OrderAction,
    OrderLine,
    OrderState,
)

Tx = AsyncManagedTransaction
OPEN_STATES = sorted(s.value for s in OPEN_ORDER_STATES)


def now() -> datetime:
    return datetime.now(UTC)


def line_row(line: OrderLine, seq: int) -> dict[str, Any]:
    return {
        "id": line.id,
        "action": line.action.value,
        "state": line.state.value,
        "inventoryId": line.inventory_id,
        "specId": line.spec_id,
        "parentLineId": line.parent_line_id,
        "move": line.move,
        "targetLocationId": line.target_location_id,
        "changes": json.dumps([[c.name, c.old, c.new] for c in line.characteristic_changes]),
        "seq": seq,
        "specVersion": line.specification_version,
    }


LINE_FIELDS = (
    "id", "action", "state", "inventoryId", "specId", "parentLineId", "move", "targetLocationId", "changes",
    "specVersion",
)
# The same fields as stored on a line `l`, in LINE_FIELDS order.
LINE_VALUES = (
    "[l.id, l.action, l.state, l.inventoryId, l.specId, l.parentLineId, l.move, l.targetLocationId, l.changes, "
    "l.specVersion]"
)


def line_from(values: Any) -> OrderLine:
    """A line from its stored values, given in LINE_FIELDS order."""
    line_id, action, state, inventory_id, spec_id, parent_line_id, move, target, changes, spec_version = values
    return OrderLine(
        id=line_id,
        action=LineAction(action),
        inventory_id=inventory_id,
        spec_id=spec_id,
        parent_line_id=parent_line_id,
        move=bool(move),
        target_location_id=target,
        characteristic_changes=characteristic_changes_from(changes or "[]"),
        state=OrderState(state),
        specification_version=spec_version,
    )


@functools.lru_cache(maxsize=4096)
def characteristic_changes_from(stored: str) -> tuple[CharacteristicChange, ...]:
    """A line's stored changes; the lines of one order mostly share them, so each is parsed once."""
    return tuple(CharacteristicChange(n, o, v) for n, o, v in json.loads(stored))


def order_from(props: Any, lines: Iterable[Any] = ()) -> Order:
    return Order(
        id=props["id"],
        account_id=props["accountId"],
        action=OrderAction(props["action"]),
        state=OrderState(props["state"]),
        version=int(props.get("version") or 1),
        lines=[line_from(p) for p in lines],
        follows_order_id=props.get("followsOrderId"),
        order_version=int(props.get("orderVersion") or 1),
        on_hold=bool(props.get("onHold")),
        requested_start=to_date(props.get("requestedStartDate")),
        requested_completion=to_date(props.get("requestedCompletionDate")),
    )


# Orders a read or a lock starts from are filtered on the caller's accounts (null: all).
ORDER_IN_SCOPE = "($accounts IS NULL OR o.accountId IN $accounts)"
ORDER_WITH_LINES = (
    "OPTIONAL MATCH (o)-[:HAS_LINE]->(l:OrderLine) WITH o, l ORDER BY l.seq "
    # One collected list per order: the driver decodes one large value much faster than many records.
    "RETURN o {.*} AS order, collect(CASE WHEN l IS NULL THEN null ELSE " + LINE_VALUES + " END) AS lines"
)


async def orders_by_ids(graph: Graph, ids: list[str]) -> dict[str, Order]:
    rows = await graph.fetch(
        "UNWIND $ids AS oid MATCH (o:CustomerOrder {id: oid}) WHERE " + ORDER_IN_SCOPE + " " + ORDER_WITH_LINES,
        ids=ids,
        accounts=graph.accounts,
    )
    return {r["order"]["id"]: order_from(r["order"], r["lines"]) for r in rows}


async def lines_by_ids(graph: Graph, ids: list[str]) -> dict[str, OrderLine]:
    """Lines by id, including lines a revision removed from their order's tree (R14)."""
    rows = await graph.fetch(
        "UNWIND $ids AS lid MATCH (l:OrderLine {id: lid}) RETURN " + LINE_VALUES + " AS line", ids=ids
    )
    return {r["line"][0]: line_from(r["line"]) for r in rows}


async def order_meta(graph: Graph, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Orders' stored properties without their lines (`order_from` makes an Order of them)."""
    rows = await graph.fetch(
        STABLE_PLAN + "UNWIND $ids AS oid MATCH (o:CustomerOrder {id: oid}) WHERE " + ORDER_IN_SCOPE
        + " RETURN o {.*} AS o",
        ids=ids,
        accounts=graph.accounts,
    )
    return {r["o"]["id"]: dict(r["o"]) for r in rows}


def _ids_by(rows: list[Any], key: str) -> dict[str, list[str]]:
    """Each row's `id` under its `key` column, in row order."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        out[r[key]].append(r["id"])
    return out


async def order_ids_of_accounts(graph: Graph, account_ids: list[str]) -> dict[str, list[str]]:
    rows = await graph.fetch(
        "UNWIND $ids AS aid MATCH (:Account {id: aid})-[:PLACED]->(o:CustomerOrder) "
        "RETURN aid, o.id AS id ORDER BY o.createdAt DESC, o.id",
        ids=account_ids,
    )
    return _ids_by(rows, "aid")


async def follow_on_ids_of_orders(graph: Graph, order_ids: list[str]) -> dict[str, list[str]]:
    """The follow-on orders of each order (R15), oldest first."""
    rows = await graph.fetch(
        "UNWIND $ids AS oid MATCH (f:CustomerOrder {followsOrderId: oid}) "
        "RETURN oid, f.id AS id ORDER BY f.createdAt, f.id",
        ids=order_ids,
    )
    return _ids_by(rows, "oid")


async def open_order_ids_of_items(graph: Graph, item_ids: list[str]) -> dict[str, str]:
    rows = await graph.fetch(
        "UNWIND $ids AS pid MATCH (p:ProductInventory {id: pid}) WHERE p.openOrderId IS NOT NULL "
        "RETURN pid, p.openOrderId AS orderId",
        ids=item_ids,
    )
    return {r["pid"]: r["orderId"] for r in rows}


# --- inside a transaction -------------------------------------------------------------------------


async def lock_order(tx: Tx, graph: Graph, order_id: str) -> Order | None:
    """Take the order's write lock, then read it with its lines (concurrent edits queue here)."""
    rows = await run(
        tx,
        graph,
        STABLE_PLAN + "MATCH (o:CustomerOrder {id: $id}) WHERE " + ORDER_IN_SCOPE + " SET o.lockedAt = datetime() WITH o "
        + ORDER_WITH_LINES,
        {"id": order_id, "accounts": graph.accounts},
    )
    return order_from(rows[0]["order"], rows[0]["lines"]) if rows else None


async def order_header_in(tx: Tx, graph: Graph, order_id: str) -> Order | None:
    """The order without its lines, inside the caller's transaction (after it took the lock)."""
    rows = await run(tx, graph, "MATCH (o:CustomerOrder {id: $id}) RETURN o {.*} AS order", {"id": order_id})
    return order_from(rows[0]["order"]) if rows else None


async def order_in(tx: Tx, graph: Graph, order_id: str, *, lock: bool = False) -> Order | None:
    """The order with its lines, inside the caller's transaction (after it took the lock, or taking
    the order's write lock first when `lock`: a follow-on locks the order it follows, R15)."""
    statement = LOCKED_ORDER if lock else READ_ORDER
    rows = await run(tx, graph, statement, {"id": order_id})
    return order_from(rows[0]["order"], rows[0]["lines"]) if rows else None


READ_ORDER = STABLE_PLAN + "MATCH (o:CustomerOrder {id: $id}) WITH o " + ORDER_WITH_LINES
LOCKED_ORDER = STABLE_PLAN + "MATCH (o:CustomerOrder {id: $id}) SET o.lockedAt = datetime() WITH o " + ORDER_WITH_LINES


async def find_by_idempotency_key(tx: Tx, graph: Graph, key: str) -> Order | None:
    rows = await run(
        tx, graph, "MATCH (o:CustomerOrder {idempotencyKey: $key}) " + ORDER_WITH_LINES, {"key": key}
    )
    return order_from(rows[0]["order"], rows[0]["lines"]) if rows else None


async def account_exists(tx: Tx, graph: Graph, account_id: str) -> bool:
    rows = await run(
        tx,
        graph,
        "MATCH (a:Account {id: $id}) WHERE $accounts IS NULL OR a.id IN $accounts RETURN a.id AS id",
        {"id": account_id, "accounts": graph.accounts},
    )
    return bool(rows)


async def create_order(
    tx: Tx, graph: Graph, order: Order, idempotency_key: str | None, caller_id: str
) -> None:
    await run(
        tx,
        graph,
        "MATCH (a:Account {id: $accountId}) "
        "CREATE (a)-[:PLACED]->(o:CustomerOrder {id: $id, accountId: $accountId, action: $action, "
        "state: $state, version: 1, orderVersion: 1, idempotencyKey: $key, createdAt: datetime(), "
        "updatedAt: datetime(), createdBy: $caller, followsOrderId: $follows, "
        "requestedStartDate: $start, requestedCompletionDate: $completion}) "
        "WITH o OPTIONAL MATCH (first:CustomerOrder {id: $follows}) "
        "FOREACH (_ IN CASE WHEN first IS NULL THEN [] ELSE [1] END | CREATE (o)-[:FOLLOWS]->(first))",
        {
            "id": order.id,
            "accountId": order.account_id,
            "action": order.action.value,
            "state": order.state.value,
            "key": idempotency_key,
            "caller": caller_id,
            "follows": order.follows_order_id,
            "start": order.requested_start,
            "completion": order.requested_completion,
        },
    )


# Whether the open order claiming `n` disconnects it (its removal counts against the parent's bundle).
PENDING_REMOVAL = (
    "EXISTS { MATCH (n)<-[:TARGETS]-(pl:OrderLine) WHERE pl.orderId = n.openOrderId "
    "AND pl.action = 'DISCONNECT' }"
)
LOCK_PARENTS = (
    "UNWIND $ids AS pid MATCH (:ProductInventory {id: pid})<-[:HAS_CHILD]-(up:ProductInventory) "
    "WITH DISTINCT up SET up.childLock = true REMOVE up.childLock"
)


async def lock_parents(tx: Tx, graph: Graph, item_ids: list[str]) -> None:
    """Take the write lock of each item's parent before its children are read.

    Two orders taking children from one parent queue here, so the second reads the first's claims
    and removals, and the bundle minimum holds across orders (R3).
    """
    if item_ids:
        await run(tx, graph, LOCK_PARENTS, {"ids": sorted(set(item_ids))})


# The walk up starts from each item's parent (siblings share one), and the walk down yields each
# item's parent from its path: no expansion per item for what the walks already know.
# From the starting points `start`: each tree's top, then every item of it with its parent.
_WALKS = (
    "MATCH (start)" + WALK_UP + "(top:ProductInventory) "
    "WHERE NOT (top)<-[:HAS_CHILD]-(:ProductInventory) "
    "WITH DISTINCT top "
    "MATCH path = (top)" + WALK_DOWN + "(n:ProductInventory) "
    "WITH n, CASE WHEN length(path) = 0 THEN null ELSE nodes(path)[-2].id END AS parentId "
    "ORDER BY n.name, n.id "
    "RETURN collect([n.id, n.name, n.state, n.accountId, n.characteristics, n.openOrderId, parentId, "
    "[(n)-[:INSTANCE_OF]->(s:ProductSpecification) | s.id][0], [(n)-[:AT]->(l:Location) | l.id][0], "
    + PENDING_REMOVAL + ", n.specVersion, n.followOnOrderId]) AS items"
)
_TREES = (
    "UNWIND $ids AS pid MATCH (p:ProductInventory {id: pid}) "
    "WHERE $accounts IS NULL OR p.accountId IN $accounts "
    "OPTIONAL MATCH (p)<-[:HAS_CHILD]-(up:ProductInventory) "
    "WITH DISTINCT coalesce(up, p) AS start " + _WALKS
)
LOAD_TREES = STABLE_PLAN + _TREES


async def load_trees(
    tx: Tx, graph: Graph, item_ids: list[str]
) -> tuple[dict[str, InventoryItem], dict[str, list[str]]]:
    """Every item of every tree that holds one of `item_ids`, in one bounded traversal.

    Returns the items (with the open order that targets each) and child ids per parent.
    """
    rows = await run(tx, graph, LOAD_TREES, {"ids": sorted(set(item_ids)), "accounts": graph.accounts})
    return _trees_from(rows)


def _trees_from(rows: list[Any]) -> tuple[dict[str, InventoryItem], dict[str, list[str]]]:
    items: dict[str, InventoryItem] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for values in rows[0]["items"] if rows else []:
        item = rule_item_from(values)
        items[item.id] = item
        if item.parent_id is not None:
            children[item.parent_id].append(item.id)
    return items, dict(children)


# The parents are locked while the walks' starting points are found: each item is sought once.
LOCK_AND_LOAD_TREES = (
    STABLE_PLAN + "CALL () { "
    "UNWIND $ids AS pid MATCH (p:ProductInventory {id: pid}) "
    "WHERE $accounts IS NULL OR p.accountId IN $accounts "
    "OPTIONAL MATCH (p)<-[:HAS_CHILD]-(up:ProductInventory) "
    "WITH DISTINCT up, coalesce(up, p) AS start "
    "FOREACH (_ IN CASE WHEN up IS NULL THEN [] ELSE [1] END | SET up.childLock = true REMOVE up.childLock) "
    "RETURN collect(DISTINCT start) AS starts } "
    "UNWIND starts AS start " + _WALKS
)


async def lock_and_load_trees(
    tx: Tx, graph: Graph, item_ids: list[str]
) -> tuple[dict[str, InventoryItem], dict[str, list[str]]]:
    """`lock_parents` then `load_trees` in one statement: the parents' locks are held before any
    child is read (the locking subquery runs to its end first)."""
    if not item_ids:
        return {}, {}
    rows = await run(tx, graph, LOCK_AND_LOAD_TREES, {"ids": sorted(set(item_ids)), "accounts": graph.accounts})
    return _trees_from(rows)


async def location_ids_of_account(tx: Tx, graph: Graph, account_id: str) -> set[str]:
    rows = await run(
        tx,
        graph,
        "MATCH (:Account {id: $id})-[:HAS_LOCATION]->(l:Location) RETURN l.id AS id",
        {"id": account_id},
    )
    return {r["id"] for r in rows}


CLAIM_ITEMS = (
    STABLE_PLAN + "UNWIND $ids AS pid MATCH (p:ProductInventory {id: pid}) SET p.claimLock = $orderId "
    "WITH p REMOVE p.claimLock WITH p "
    "OPTIONAL MATCH (other:CustomerOrder {id: p.openOrderId}) "
    "OPTIONAL MATCH (queued:CustomerOrder {id: p.followOnOrderId}) "
    "WITH p, queued, p.openOrderId IS NOT NULL AND p.openOrderId <> $orderId "
    "AND coalesce(other.state IN $open, false) AS taken "
    "WITH p, taken, taken AND $follows IS NOT NULL AND p.openOrderId = $follows AS followable, "
    "p.followOnOrderId IS NOT NULL AND p.followOnOrderId <> $orderId "
    "AND coalesce(queued.state IN $open, false) AS queuedTaken "
    "WITH p, taken, followable, CASE WHEN NOT taken THEN null "
    "WHEN followable AND NOT queuedTaken THEN null "
    "WHEN followable THEN p.followOnOrderId ELSE p.openOrderId END AS holder "
    "SET p.openOrderId = CASE WHEN NOT taken THEN $orderId ELSE p.openOrderId END, "
    "p.followOnOrderId = CASE WHEN followable AND holder IS NULL THEN $orderId ELSE p.followOnOrderId END "
    "WITH p, holder WHERE holder IS NOT NULL RETURN p.id AS id, holder"
)


async def claim_items(
    tx: Tx, graph: Graph, order_id: str, item_ids: list[str], follows_order_id: str | None = None
) -> dict[str, str]:
    """Mark items as worked on by `order_id` (rule R6), locking each item first.

    Writing the lock before reading `openOrderId` makes a concurrent claim wait for this
    transaction and then see its result, so two orders can never both claim one item.
    A follow-on order (`follows_order_id`, R15) claims items its first order holds as
    `followOnOrderId`, one follow-on per item. Returns the items another open order holds
    (item id -> order id); the caller then aborts.
    """
    if not item_ids:
        return {}
    rows = await run(
        tx,
        graph,
        CLAIM_ITEMS,
        {"ids": sorted(set(item_ids)), "orderId": order_id, "open": OPEN_STATES, "follows": follows_order_id},
    )
    return {r["id"]: r["holder"] for r in rows}


async def release_items(tx: Tx, graph: Graph, order_id: str, item_ids: list[str] | None = None) -> None:
    """Clear the claims `order_id` holds on `item_ids` (all its items when None), follow-on claims included."""
    await run(
        tx,
        graph,
        "MATCH (p:ProductInventory) WHERE p.openOrderId = $orderId AND ($ids IS NULL OR p.id IN $ids) "
        "REMOVE p.openOrderId",
        {"orderId": order_id, "ids": item_ids},
    )
    await run(
        tx,
        graph,
        "MATCH (p:ProductInventory) WHERE p.followOnOrderId = $orderId AND ($ids IS NULL OR p.id IN $ids) "
        "REMOVE p.followOnOrderId",
        {"orderId": order_id, "ids": item_ids},
    )


async def follow_on_orders(tx: Tx, graph: Graph, first_id: str) -> list[Order]:
    """The open follow-on orders of `first_id`, each locked, with their lines (R15)."""
    rows = await run(
        tx,
        graph,
        "MATCH (o:CustomerOrder {followsOrderId: $id}) WHERE o.state IN $open "
        "SET o.lockedAt = datetime() WITH o ORDER BY o.createdAt, o.id " + ORDER_WITH_LINES,
        {"id": first_id, "open": OPEN_STATES},
    )
    return [order_from(r["order"], r["lines"]) for r in rows]


async def transfer_follow_on_claims(tx: Tx, graph: Graph, follow_on_ids: list[str]) -> None:
    """Items their first order has let go of now belong to the follow-on that claimed them (R15)."""
    if follow_on_ids:
        await run(
            tx,
            graph,
            "MATCH (p:ProductInventory) WHERE p.followOnOrderId IN $ids AND p.openOrderId IS NULL "
            "SET p.openOrderId = p.followOnOrderId REMOVE p.followOnOrderId",
            {"ids": follow_on_ids},
        )


async def add_order_notes(tx: Tx, graph: Graph, order_id: str, notes: list[str]) -> None:
    """Append notes to an order."""
    if notes:
        await run(
            tx,
            graph,
            "MATCH (o:CustomerOrder {id: $id}) SET o.notes = coalesce(o.notes, []) + $notes",
            {"id": order_id, "notes": notes},
        )


async def write_lines(
    tx: Tx,
    graph: Graph,
    order: Order,
    created: list[OrderLine],
    updated: list[OrderLine],
    removed_ids: list[str],
) -> dict[str, Any]:
    """Apply a line diff with UNWIND batches and bump the order's version; returns the order's
    properties afterwards."""
    seq = {line.id: i for i, line in enumerate(order.lines)}
    if removed_ids:
        await run(
            tx,
            graph,
            "UNWIND $ids AS lid MATCH (l:OrderLine {id: lid}) DETACH DELETE l",
            {"ids": removed_ids},
        )
    if created:
        await run(
            tx,
            graph,
            STABLE_PLAN + "MATCH (o:CustomerOrder {id: $orderId}) UNWIND $rows AS row "
            "CREATE (o)-[:HAS_LINE]->(l:OrderLine {id: row.id}) "
            "SET l += row, l.orderId = $orderId, l.createdAt = datetime() "
            "WITH l, row OPTIONAL MATCH (p:ProductInventory {id: row.inventoryId}) "
            "FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (l)-[:TARGETS]->(p))",
            {"orderId": order.id, "rows": [line_row(ln, seq.get(ln.id, 0)) for ln in created]},
        )
    if updated:
        await run(
            tx,
            graph,
            STABLE_PLAN + "UNWIND $rows AS row MATCH (l:OrderLine {id: row.id}) SET l += row",
            {"rows": [line_row(ln, seq.get(ln.id, 0)) for ln in updated]},
        )
    # A new line has no link yet: only one with a parent line needs linking.
    relinked = [*(ln for ln in created if ln.parent_line_id is not None), *updated]
    if relinked:
        await run(
            tx,
            graph,
            STABLE_PLAN + "UNWIND $rows AS row MATCH (l:OrderLine {id: row.id}) "
            "OPTIONAL MATCH (:OrderLine)-[old:HAS_CHILD]->(l) DELETE old "
            "WITH DISTINCT l, row MATCH (up:OrderLine {id: row.parentLineId}) CREATE (up)-[:HAS_CHILD]->(l)",
            {"rows": [{"id": ln.id, "parentLineId": ln.parent_line_id} for ln in relinked]},
        )
    return await touch_order(tx, graph, order.id)


async def touch_order(tx: Tx, graph: Graph, order_id: str) -> dict[str, Any]:
    """The order's version goes up; returns its properties afterwards."""
    rows = await run(
        tx,
        graph,
        STABLE_PLAN + "MATCH (o:CustomerOrder {id: $id}) SET o.version = o.version + 1, o.updatedAt = datetime() "
        "RETURN o {.*} AS order",
        {"id": order_id},
    )
    return dict(rows[0]["order"]) if rows else {}


# The milestone stamps an order keeps (`$kinds`, at `$at`): each keeps the instant first reached.
MILESTONE_STAMPS = (
    "o.acceptedAt = CASE WHEN 'ACCEPTED' IN $kinds THEN coalesce(o.acceptedAt, $at) ELSE o.acceptedAt END, "
    "o.approvedAt = CASE WHEN 'APPROVED' IN $kinds THEN coalesce(o.approvedAt, $at) ELSE o.approvedAt END, "
    "o.firstActivationAt = CASE WHEN 'FIRST_ACTIVATION' IN $kinds "
    "THEN coalesce(o.firstActivationAt, $at) ELSE o.firstActivationAt END, "
    "o.pointOfNoReturnAt = CASE WHEN 'POINT_OF_NO_RETURN_PASSED' IN $kinds "
    "THEN coalesce(o.pointOfNoReturnAt, $at) ELSE o.pointOfNoReturnAt END, "
    "o.completedAt = CASE WHEN 'COMPLETED' IN $kinds THEN coalesce(o.completedAt, $at) ELSE o.completedAt END"
)
SET_ORDER_STATE = (
    STABLE_PLAN + "MATCH (o:CustomerOrder {id: $id}) "
    "CREATE (o)-[:HAS_EVENT]->(:OrderEvent {id: randomUUID(), orderId: $id, fromState: o.state, "
    "toState: $state, reason: $reason, callerId: $caller, at: datetime()}) "
    "SET o.state = $state, o.version = o.version + 1, o.updatedAt = datetime(), "
    "o.reason = coalesce($reason, o.reason), " + MILESTONE_STAMPS + " "
    "WITH o CALL (o) { MATCH (o)-[:HAS_LINE]->(l:OrderLine) SET l.state = $state } "
    "RETURN o {.*} AS order"
)


async def set_order_state(
    tx: Tx, graph: Graph, order_id: str, state: OrderState, reason: str | None = None,
    milestones: Iterable[str] = (), at: datetime | None = None,
) -> dict[str, Any]:
    """Move the order and all its lines to `state`, recording the transition, and stamp the
    `milestones` it reaches with it (at `at`); returns the order's properties afterwards."""
    rows = await run(
        tx,
        graph,
        SET_ORDER_STATE,
        {"id": order_id, "state": state.value, "reason": reason, "caller": graph.caller_id,
         "kinds": sorted(set(milestones)), "at": at or now()},
    )
    return dict(rows[0]["order"]) if rows else {}


async def create_items(
    tx: Tx, graph: Graph, order_id: str, items: list[InventoryItem], revision_id: str | None = None
) -> None:
    """Create inventory items an order adds (INSTALLATION_PENDING), claimed by that order; a revision
    of the order (`revision_id`, R14) marks its own so cancelling the revision removes them."""
    if not items:
        return
    await run(
        tx,
        graph,
        "UNWIND $rows AS row "
        "MATCH (s:ProductSpecification {id: row.specId}) "
        "CREATE (p:ProductInventory {id: row.id, name: row.name, state: row.state, accountId: row.accountId, "
        "characteristics: row.characteristics, version: 1, createdAt: datetime(), openOrderId: $orderId, "
        "createdByOrder: $orderId, createdByRevision: $revisionId, specVersion: s.version}) "
        "CREATE (p)-[:INSTANCE_OF]->(s) "
        "WITH p, row OPTIONAL MATCH (up:ProductInventory {id: row.parentId}) "
        "FOREACH (_ IN CASE WHEN up IS NULL THEN [] ELSE [1] END | CREATE (up)-[:HAS_CHILD]->(p)) "
        "WITH p, row, up OPTIONAL MATCH (a:Account {id: row.accountId}) WHERE up IS NULL "
        "FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | CREATE (a)-[:OWNS]->(p)) "
        "WITH p, row OPTIONAL MATCH (l:Location {id: row.locationId}) "
        "FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END | CREATE (p)-[:AT]->(l))",
        {
            "orderId": order_id,
            "revisionId": revision_id,
            "rows": [
                {
                    "id": i.id,
                    "name": i.name,
                    "state": i.state.value,
                    "accountId": i.account_id,
                    "specId": i.spec_id,
                    "parentId": i.parent_id,
                    "locationId": i.location_id,
                    "characteristics": json.dumps(i.characteristics, sort_keys=True),
                }
                for i in items
            ],
        },
    )


async def delete_draft_items(tx: Tx, graph: Graph, order_id: str, item_ids: list[str]) -> None:
    """Remove items a draft order had added and then dropped: they were never installed."""
    if item_ids:
        await run(
            tx,
            graph,
            "UNWIND $ids AS pid MATCH (p:ProductInventory {id: pid, createdByOrder: $orderId}) "
            "WHERE p.state = 'INSTALLATION_PENDING' DETACH DELETE p",
            {"ids": item_ids, "orderId": order_id},
        )


async def order_id_of_line(tx: Tx, graph: Graph, line_id: str) -> str | None:
    rows = await run(
        tx,
        graph,
        "MATCH (o:CustomerOrder)-[:HAS_LINE]->(:OrderLine {id: $id}) WHERE " + ORDER_IN_SCOPE + " RETURN o.id AS id",
        {"id": line_id, "accounts": graph.accounts},
    )
    return rows[0]["id"] if rows else None
