"""Reads of accounts, locations, the installed base, contracts and entitlements.

Each function is one statement that takes a batch of ids, so DataLoaders can serve many parents
with one round trip. Trees are walked in one bounded variable-length match.
"""

from __future__ import annotations

from typing import Any

from graph.driver import Graph
from graph.records import (
    AccountRecord,
    ContractRecord,
    EntitlementRecord,
    ItemRecord,
    LocationRecord,
    Page,
    ServiceRecord,
    TreeRecord,
    grouped,
    item_version,
    parse_json_map,
    to_date,
    to_datetime,
)
from rules.model import MAX_TREE_DEPTH

# Every statement below is a constant: labels, relationship types and the depth bound are fixed
# in code, and every value travels as a parameter.

# Deepest hierarchy any walk follows; installed bases are far shallower. Variable-length bounds
# cannot be parameters, so the walks below spell it out.
MAX_DEPTH = MAX_TREE_DEPTH
WALK_DOWN = "-[:HAS_CHILD*0..64]->"
WALK_UP = "<-[:HAS_CHILD*0..64]-"
assert str(MAX_DEPTH) in WALK_DOWN and str(MAX_DEPTH) in WALK_UP, "the walks must reach the depth bound"

# The columns an ItemRecord is read from, for the item bound to `p`.
ITEM_COLUMNS = (
    "p.id AS id, p.name AS name, p.state AS state, p.accountId AS accountId, "
    "p.characteristics AS characteristics, p.version AS version, p.createdAt AS createdAt, "
    "[(p)-[:INSTANCE_OF]->(s:ProductSpecification) | s.id][0] AS specId, "
    "[(up:ProductInventory)-[:HAS_CHILD]->(p) | up.id][0] AS parentId, "
    "[(p)-[:AT]->(l:Location) | l.id][0] AS locationId, p.specVersion AS specVersion"
)
# Statements a read starts from filter on the caller's accounts: `$accounts` is null for callers
# who may see every account, and the filter follows the id lookup, so the id index is still used.
IN_SCOPE = "($accounts IS NULL OR p.accountId IN $accounts)"
ITEMS_BY_IDS = (
    "UNWIND $ids AS itemId MATCH (p:ProductInventory {id: itemId}) WHERE " + IN_SCOPE + " RETURN " + ITEM_COLUMNS
)
CHILDREN_OF = (
    "UNWIND $ids AS parentId MATCH (:ProductInventory {id: parentId})-[:HAS_CHILD]->(p:ProductInventory) "
    "RETURN " + ITEM_COLUMNS + " ORDER BY p.name, p.id"
)
ROOTS_OF_ACCOUNTS = (
    "UNWIND $ids AS accountId MATCH (:Account {id: accountId})-[:OWNS]->(p:ProductInventory) "
    "RETURN accountId AS owner, " + ITEM_COLUMNS + " ORDER BY p.name, p.id"
)
ANCESTORS_OF = (
    "UNWIND $ids AS itemId MATCH (item:ProductInventory {id: itemId}) "
    "MATCH path = (item)" + WALK_UP + "(top:ProductInventory) "
    "WHERE NOT (top)<-[:HAS_CHILD]-(:ProductInventory) "
    "WITH itemId, reverse(nodes(path)) AS chain "
    "UNWIND range(0, size(chain) - 2) AS i WITH itemId, i, chain[i] AS p "
    "RETURN itemId, i, " + ITEM_COLUMNS + " ORDER BY itemId, i"
)
# One collected list: the driver decodes one large value much faster than many records.
TREE = (
    "MATCH (r:ProductInventory {id: $rootId}) WHERE $accounts IS NULL OR r.accountId IN $accounts "
    "MATCH path = (r)" + WALK_DOWN + "(n:ProductInventory) WHERE length(path) <= $depth "
    "WITH n, length(path) AS depth, CASE WHEN length(path) = 0 THEN null ELSE nodes(path)[-2].id END AS up "
    "ORDER BY depth, n.name, n.id "
    "RETURN collect([depth, n.id, n.name, n.state, n.accountId, n.characteristics, n.version, n.createdAt, "
    "[(n)-[:INSTANCE_OF]->(s:ProductSpecification) | s.id][0], up, "
    "[(n)-[:AT]->(l:Location) | l.id][0], n.specVersion]) AS nodes"
)
TREE_COLUMNS = (
    "depth", "id", "name", "state", "accountId", "characteristics", "version", "createdAt", "specId", "parentId",
    "locationId", "specVersion",
)


def item_from(record: Any, depth: int = 0) -> ItemRecord:
    return ItemRecord(
        id=record["id"],
        name=record["name"],
        state=record["state"],
        account_id=record["accountId"],
        spec_id=record["specId"],
        parent_id=record["parentId"],
        location_id=record["locationId"],
        characteristics=parse_json_map(record["characteristics"]),
        version=item_version(record["version"]),
        created_at=to_datetime(record["createdAt"]),
        depth=depth,
        spec_version=record.get("specVersion"),
    )


async def items_by_ids(graph: Graph, ids: list[str]) -> dict[str, ItemRecord]:
    rows = await graph.fetch(ITEMS_BY_IDS, ids=ids, accounts=graph.accounts)
    return {r["id"]: item_from(r) for r in rows}


async def children_of(graph: Graph, parent_ids: list[str]) -> dict[str, list[ItemRecord]]:
    rows = await graph.fetch(CHILDREN_OF, ids=parent_ids)
    return grouped(rows, "parentId", item_from)


async def roots_of_accounts(graph: Graph, account_ids: list[str]) -> dict[str, list[ItemRecord]]:
    rows = await graph.fetch(ROOTS_OF_ACCOUNTS, ids=account_ids)
    return grouped(rows, "owner", item_from)


async def ancestors_of(graph: Graph, ids: list[str]) -> dict[str, list[ItemRecord]]:
    """For each item, the items above it, root first."""
    rows = await graph.fetch(ANCESTORS_OF, ids=ids)
    return grouped(rows, "itemId", lambda r: item_from(r, depth=r["i"]))


async def tree(graph: Graph, root_id: str, max_depth: int | None) -> TreeRecord:
    """The subtree under `root_id` (down to `max_depth` levels) in one bounded traversal."""
    depth = MAX_DEPTH if max_depth is None else max(0, min(max_depth, MAX_DEPTH))
    rows = await graph.fetch(TREE, rootId=root_id, depth=depth, accounts=graph.accounts)
    result = TreeRecord()
    for values in rows[0]["nodes"] if rows else []:
        r = dict(zip(TREE_COLUMNS, values, strict=True))
        item = item_from(r, depth=r["depth"])
        result.nodes.append(item)
        if item.parent_id is not None and r["depth"] > 0:
            result.edges.append((item.parent_id, item.id))
    return result


async def accounts_by_ids(graph: Graph, ids: list[str]) -> dict[str, AccountRecord]:
    rows = await graph.fetch(
        "UNWIND $ids AS accountId MATCH (a:Account {id: accountId}) "
        "WHERE $accounts IS NULL OR a.id IN $accounts "
        "RETURN a.id AS id, a.name AS name, a.segment AS segment",
        ids=ids,
        accounts=graph.accounts,
    )
    return {r["id"]: AccountRecord(r["id"], r["name"], r["segment"]) for r in rows}


async def list_accounts(graph: Graph, first: int, after: str | None, search: str | None) -> Page:
    """Accounts ordered by id; `after` is the last id seen, `search` matches name or id."""
    rows = await graph.fetch(
        "MATCH (a:Account) WHERE ($accounts IS NULL OR a.id IN $accounts) AND ($search IS NULL OR toLower(a.name) CONTAINS toLower($search) "
        "OR toLower(a.id) CONTAINS toLower($search)) "
        "WITH a ORDER BY a.id WITH collect(a) AS found "
        "RETURN size(found) AS total, [a IN found WHERE $after IS NULL OR a.id > $after][..$limit] AS page",
        search=search or None,
        accounts=graph.accounts,
        after=after,
        limit=first + 1,
    )
    total = rows[0]["total"] if rows else 0
    nodes = rows[0]["page"] if rows else []
    items = [AccountRecord(n["id"], n["name"], n.get("segment")) for n in nodes[:first]]
    return Page(items, len(nodes) > first, items[-1].id if items else None, total)


def location_from(n: Any) -> LocationRecord:
    return LocationRecord(n["id"], n["name"], n.get("address"), n.get("city"), n.get("country"))


async def locations_by_ids(graph: Graph, ids: list[str]) -> dict[str, LocationRecord]:
    rows = await graph.fetch("UNWIND $ids AS lid MATCH (l:Location {id: lid}) RETURN l", ids=ids)
    return {r["l"]["id"]: location_from(r["l"]) for r in rows}


async def locations_of_accounts(graph: Graph, account_ids: list[str]) -> dict[str, list[LocationRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS accountId MATCH (:Account {id: accountId})-[:HAS_LOCATION]->(l:Location) "
        "RETURN accountId, l ORDER BY l.name, l.id",
        ids=account_ids,
    )
    return grouped(rows, "accountId", lambda r: location_from(r["l"]))


async def services_of_items(graph: Graph, item_ids: list[str]) -> dict[str, list[ServiceRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS itemId MATCH (:ProductInventory {id: itemId})-[:REALIZED_BY]->(s:ServiceInventory) "
        "RETURN itemId, s.id AS id, s.name AS name, s.state AS state, "
        "[(s)-[:INSTANCE_OF]->(ss:ServiceSpecification) | ss.id][0] AS specId ORDER BY s.name, s.id",
        ids=item_ids,
    )
    return grouped(rows, "itemId", lambda r: ServiceRecord(r["id"], r["name"], r["state"], r["specId"], r["itemId"]))


CONTRACT_COLUMNS = (
    "c.id AS id, c.name AS name, c.state AS state, c.startDate AS startDate, c.endDate AS endDate, "
    "[(a:Account)-[:HAS_CONTRACT]->(c) | a.id][0] AS accountId"
)
ENTITLEMENT_COLUMNS = (
    "e.id AS id, e.name AS name, e.state AS state, e.startDate AS startDate, e.endDate AS endDate, "
    "[(c:Contract)-[:GRANTS]->(e) | c.id][0] AS contractId, "
    "[(e)-[:COVERS]->(p:ProductInventory) | p.id][0] AS productId"
)


def contract_from(r: Any) -> ContractRecord:
    return ContractRecord(
        r["id"], r["name"], r["state"], r["accountId"], to_date(r["startDate"]), to_date(r["endDate"])
    )


def entitlement_from(r: Any) -> EntitlementRecord:
    return EntitlementRecord(
        r["id"],
        r["name"],
        r["state"],
        r["contractId"],
        r["productId"],
        to_date(r["startDate"]),
        to_date(r["endDate"]),
    )


async def contracts_of_accounts(graph: Graph, account_ids: list[str]) -> dict[str, list[ContractRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS accountId MATCH (:Account {id: accountId})-[:HAS_CONTRACT]->(c:Contract) "
        "RETURN " + CONTRACT_COLUMNS + " ORDER BY c.startDate, c.id",
        ids=account_ids,
    )
    return grouped(rows, "accountId", contract_from)


async def contracts_by_ids(graph: Graph, ids: list[str]) -> dict[str, ContractRecord]:
    rows = await graph.fetch(
        "UNWIND $ids AS cid MATCH (c:Contract {id: cid}) RETURN " + CONTRACT_COLUMNS, ids=ids
    )
    return {r["id"]: contract_from(r) for r in rows}


async def entitlements_of_contracts(graph: Graph, ids: list[str]) -> dict[str, list[EntitlementRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS cid MATCH (:Contract {id: cid})-[:GRANTS]->(e:Entitlement) "
        "RETURN " + ENTITLEMENT_COLUMNS + " ORDER BY e.name, e.id",
        ids=ids,
    )
    return grouped(rows, "contractId", entitlement_from)


async def entitlements_by_ids(graph: Graph, ids: list[str]) -> dict[str, EntitlementRecord]:
    rows = await graph.fetch(
        "UNWIND $ids AS eid MATCH (e:Entitlement {id: eid}) RETURN " + ENTITLEMENT_COLUMNS, ids=ids
    )
    return {r["id"]: entitlement_from(r) for r in rows}


async def entitlements_of_items(graph: Graph, item_ids: list[str]) -> dict[str, EntitlementRecord]:
    """The entitlement covering each item; a current one wins over cancelled or expired history."""
    rows = await graph.fetch(
        "UNWIND $ids AS itemId MATCH (e:Entitlement)-[:COVERS]->(:ProductInventory {id: itemId}) "
        "RETURN " + ENTITLEMENT_COLUMNS + " "
        "ORDER BY CASE e.state WHEN 'ACTIVE' THEN 0 WHEN 'SUSPENDED' THEN 1 ELSE 2 END DESC",
        ids=item_ids,
    )
    out: dict[str, EntitlementRecord] = {}
    for r in rows:
        out[r["productId"]] = entitlement_from(r)  # later rows rank higher and win
    return out
