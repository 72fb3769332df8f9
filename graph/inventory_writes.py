"""Writes of single item properties that completion lands: location and specification version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import Graph, run

SET_LOCATIONS = (
    "UNWIND $rows AS row MATCH (p:ProductInventory {id: row.id}) MATCH (l:Location {id: row.locationId}) "
    "OPTIONAL MATCH (p)-[at:AT]->(:Location) DELETE at "
    "WITH DISTINCT p, l CREATE (p)-[:AT]->(l) "
    "SET p.version = coalesce(p.version, 0) + 1, p.updatedAt = datetime()"
)
SET_SPECIFICATION_VERSIONS = (
    "UNWIND $rows AS row MATCH (p:ProductInventory {id: row.id}) "
    "SET p.specVersion = row.version, p.version = coalesce(p.version, 0) + 1, p.updatedAt = datetime()"
)


async def set_locations(tx: AsyncManagedTransaction, graph: Graph, rows: Sequence[dict[str, Any]]) -> None:
    """Rows {id, locationId}: each item is now installed at that location (one AT link)."""
    if rows:
        await run(tx, graph, SET_LOCATIONS, {"rows": list(rows)})


async def set_specification_versions(
    tx: AsyncManagedTransaction, graph: Graph, rows: Sequence[dict[str, Any]]
) -> None:
    """Rows {id, version}: each item is now built from that version of its specification."""
    if rows:
        await run(tx, graph, SET_SPECIFICATION_VERSIONS, {"rows": list(rows)})
