"""Finding things for people: an object by id of any kind, items by text, move copies, new locations.

Every statement is a constant; values travel as parameters.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graph.driver import Graph, run
from graph.inventory import ITEM_COLUMNS, WALK_DOWN, item_from, location_from
from graph.records import ItemRecord, LocationRecord, grouped

Tx = Any


class ForestNode(NamedTuple):
    """An item as an export of a whole account needs it."""

    id: str
    name: str
    state: str
    spec_id: str | None
    depth: int

# The label of the node with this id; each branch uses its label's uniqueness constraint.
NODE_KIND = (
    "CALL () { "
    "MATCH (n:Account {id: $id}) RETURN 'Account' AS kind "
    "UNION MATCH (n:Location {id: $id}) RETURN 'Location' AS kind "
    "UNION MATCH (n:ProductInventory {id: $id}) RETURN 'ProductInventory' AS kind "
    "UNION MATCH (n:ProductSpecification {id: $id}) RETURN 'ProductSpecification' AS kind "
    "UNION MATCH (n:ServiceSpecification {id: $id}) RETURN 'ServiceSpecification' AS kind "
    "UNION MATCH (n:Contract {id: $id}) RETURN 'Contract' AS kind "
    "UNION MATCH (n:Entitlement {id: $id}) RETURN 'Entitlement' AS kind "
    "UNION MATCH (n:CustomerOrder {id: $id}) RETURN 'CustomerOrder' AS kind "
    "UNION MATCH (n:DomainOrder {id: $id}) RETURN 'DomainOrder' AS kind "
    "UNION MATCH (n:ReturnAuthorization {id: $id}) RETURN 'ReturnAuthorization' AS kind "
    "} RETURN kind LIMIT 1"
)


async def node_kind(graph: Graph, node_id: str) -> str | None:
    """Which kind of object `node_id` names, or None."""
    rows = await graph.fetch(NODE_KIND, id=node_id)
    return str(rows[0]["kind"]) if rows else None


# Candidates whose name, id or characteristics text contains the search text; the exact match
# (a characteristic *value*, not a name) is decided in Python since characteristics are JSON text.
SEARCH_CANDIDATES = (
    "MATCH (p:ProductInventory {accountId: $accountId}) "
    "WHERE toLower(p.name) CONTAINS $text OR toLower(p.id) CONTAINS $text "
    "OR toLower(coalesce(p.characteristics, '')) CONTAINS $text "
    "WITH p ORDER BY p.name, p.id LIMIT $scan "
    "RETURN " + ITEM_COLUMNS
)
SEARCH_SCAN = 5000


def search_match(item: ItemRecord, text: str) -> tuple[str, str] | None:
    """Where `text` (lower case) occurs in the item: ("name"|"id"|"characteristics.<name>", value)."""
    if text in item.name.lower():
        return "name", item.name
    if text in item.id.lower():
        return "id", item.id
    for name, value in sorted(item.characteristics.items()):
        if text in str(value).lower():
            return f"characteristics.{name}", str(value)
    return None


async def search_items(graph: Graph, account_id: str, text: str) -> list[tuple[ItemRecord, str, str]]:
    """The account's items matching `text` by name, id or characteristic value, by name."""
    needle = text.strip().lower()
    rows = await graph.fetch(SEARCH_CANDIDATES, accountId=account_id, text=needle, scan=SEARCH_SCAN)
    hits = []
    for r in rows:
        item = item_from(r)
        found = search_match(item, needle)
        if found is not None:
            hits.append((item, *found))
    return hits


REPLACED_ITEMS = (
    "UNWIND $ids AS itemId MATCH (:ProductInventory {id: itemId})-[:REPLACES]->(p:ProductInventory) "
    "RETURN itemId, " + ITEM_COLUMNS
)
REPLACING_ITEMS = (
    "UNWIND $ids AS itemId MATCH (:ProductInventory {id: itemId})<-[:REPLACES]-(p:ProductInventory) "
    "RETURN itemId, " + ITEM_COLUMNS
)


async def replaced_items(graph: Graph, ids: list[str]) -> dict[str, ItemRecord]:
    """For each move copy, the item it replaces."""
    rows = await graph.fetch(REPLACED_ITEMS, ids=ids)
    return {k: v[0] for k, v in grouped(rows, "itemId", item_from).items()}


async def replacing_items(graph: Graph, ids: list[str]) -> dict[str, ItemRecord]:
    """For each moved item, the copy that replaces it at the new location."""
    rows = await graph.fetch(REPLACING_ITEMS, ids=ids)
    return {k: v[0] for k, v in grouped(rows, "itemId", item_from).items()}


CREATE_LOCATION = (
    "MATCH (a:Account {id: $accountId}) "
    "CREATE (a)-[:HAS_LOCATION]->(l:Location {id: $id, name: $name, address: $address, city: $city, "
    "country: $country, createdAt: datetime()}) "
    "RETURN l"
)


async def create_location(tx: Tx, graph: Graph, account_id: str, row: dict[str, Any]) -> LocationRecord | None:
    """A new service address of the account; None when the account does not exist."""
    rows = await run(tx, graph, CREATE_LOCATION, {"accountId": account_id, **row})
    return location_from(rows[0]["l"]) if rows else None




# Every tree of an account in one bounded walk from its roots: [depth, id, name, state, specId, parentId].
ACCOUNT_FOREST = (
    "MATCH (:Account {id: $accountId})-[:OWNS]->(r:ProductInventory) "
    "MATCH path = (r)" + WALK_DOWN + "(n:ProductInventory) "
    "WHERE $includeInactive OR n.state <> 'INACTIVE' "
    "WITH n, length(path) AS depth, CASE WHEN length(path) = 0 THEN null ELSE nodes(path)[-2].id END AS up "
    "ORDER BY depth, n.name, n.id "
    "RETURN collect([depth, n.id, n.name, n.state, [(n)-[:INSTANCE_OF]->(s:ProductSpecification) | s.id][0], up]) "
    "AS nodes"
)


async def account_forest(
    graph: Graph, account_id: str, include_inactive: bool = True
) -> tuple[list[ForestNode], list[tuple[str, str]]]:
    """Every item of the account's trees (roots first, then by depth and name) and the parent/child links."""
    rows = await graph.fetch(ACCOUNT_FOREST, accountId=account_id, includeInactive=include_inactive)
    nodes: list[ForestNode] = []
    edges: list[tuple[str, str]] = []
    kept: set[str] = set()
    for depth, item_id, name, state, spec_id, parent_id in rows[0]["nodes"] if rows else []:
        if parent_id is not None and parent_id not in kept:
            continue  # under an item left out (INACTIVE), so not part of what is shown
        kept.add(item_id)
        nodes.append(ForestNode(item_id, name, state, spec_id, depth))
        if parent_id is not None:
            edges.append((parent_id, item_id))
    return nodes, edges


CHILD_COUNTS = (
    "UNWIND $ids AS itemId MATCH (p:ProductInventory {id: itemId}) "
    "RETURN itemId, COUNT { (p)-[:HAS_CHILD]->(:ProductInventory) } AS children"
)


async def child_counts(graph: Graph, ids: list[str]) -> dict[str, int]:
    """How many children each item has, without reading them (for drawing a tree level by level)."""
    rows = await graph.fetch(CHILD_COUNTS, ids=ids)
    return {r["itemId"]: int(r["children"]) for r in rows}
