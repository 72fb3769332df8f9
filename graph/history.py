"""Inventory history: one event per recorded change to an item, written with the change."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import STABLE_PLAN, Graph, run


async def record_events(tx: AsyncManagedTransaction, graph: Graph, events: list[dict[str, Any]]) -> None:
    """Write events {itemId, orderId, lineId, field, from, to} in one batch, stamped now and with the caller."""
    if not events:
        return
    await run(
        tx,
        graph,
        STABLE_PLAN + "UNWIND $rows AS row MATCH (p:ProductInventory {id: row.itemId}) "
        "CREATE (p)-[:HAS_EVENT]->(:InventoryEvent {id: randomUUID(), itemId: row.itemId, "
        "orderId: row.orderId, lineId: row.lineId, field: row.field, fromValue: row.from, "
        "toValue: row.to, callerId: $caller, at: datetime()})",
        {"rows": events, "caller": graph.caller_id},
    )


async def events_of_items(graph: Graph, item_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    rows = await graph.fetch(
        "UNWIND $ids AS pid MATCH (e:InventoryEvent {itemId: pid}) "
        "WHERE $accounts IS NULL OR EXISTS { MATCH (p:ProductInventory {id: pid}) WHERE p.accountId IN $accounts } "
        "RETURN pid, e {.*} AS e ORDER BY e.at DESC, e.id",
        ids=item_ids,
        accounts=graph.accounts,
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r["pid"]].append(dict(r["e"]))
    return out
