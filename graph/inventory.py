"""Reads of accounts, locations, the installed base, contracts and entitlements.

Each function is one statement that takes a batch of ids, so DataLoaders can serve many parents
with one round trip. Trees are walked in one bounded variable-length match.
"""

from __future__ import annotations

from collections import defaultdict
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
    parse_json_map,
    to_date,
    to_datetime,
)

# Deepest hierarchy any walk follows; installed bases are far shallower.
MAX_DEPTH = 64


def item_projection(var: str) -> str:
    """The columns an ItemRecord is read from, for node variable `var` (a constant, never input)."""
    return (
        f"{var}.id AS id, {var}.name AS name, {var}.state AS state, {var}.accountId AS accountId, "
        f"{var}.characteristics AS characteristics, {var}.version AS version, {var}.createdAt AS createdAt, "
        f"[({var})-[:INSTANCE_OF]->(s:ProductSpecification) | s.id][0] AS specId, "
        f"[(up:ProductInventory)-[:HAS_CHILD]->({var}) | up.id][0] AS parentId, "
        f"[({var})-[:AT]->(l:Location) | l.id][0] AS locationId"
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
        version=record["version"] or 1,
        created_at=to_datetime(record["createdAt"]),
        depth=depth,
    )


async def items_by_ids(graph: Graph, ids: list[str]) -> dict[str, ItemRecord]:
    rows = await graph.fetch(
        f"UNWIND $ids AS itemId MATCH (p:ProductInventory {{id: itemId}}) RETURN {item_projection('p')}",
        ids=ids,
    )
    return {r["id"]: item_from(r) for r in rows}


async def children_of(graph: Graph, parent_ids: list[str]) -> dict[str, list[ItemRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS parentId MATCH (:ProductInventory {id: parentId})-[:HAS_CHILD]->(c:ProductInventory) "
        f"RETURN {item_projection('c')} ORDER BY c.name, c.id",
        ids=parent_ids,
    )
    out: dict[str, list[ItemRecord]] = defaultdict(list)
    for r in rows:
        out[r["parentId"]].append(item_from(r))
    return out


async def roots_of_accounts(graph: Graph, account_ids: list[str]) -> dict[str, list[ItemRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS accountId MATCH (:Account {id: accountId})-[:OWNS]->(p:ProductInventory) "
        f"RETURN accountId AS owner, {item_projection('p')} ORDER BY p.name, p.id",
        ids=account_ids,
    )
    out: dict[str, list[ItemRecord]] = defaultdict(list)
    for r in rows:
        out[r["owner"]].append(item_from(r))
    return out


async def ancestors_of(graph: Graph, ids: list[str]) -> dict[str, list[ItemRecord]]:
    """For each item, the items above it, root first."""
    rows = await graph.fetch(
        "UNWIND $ids AS itemId MATCH (p:ProductInventory {id: itemId}) "
        f"MATCH path = (p)<-[:HAS_CHILD*0..{MAX_DEPTH}]-(top:ProductInventory) "
        "WHERE NOT (top)<-[:HAS_CHILD]-(:ProductInventory) "
        "WITH itemId, reverse(nodes(path)) AS chain "
        "UNWIND range(0, size(chain) - 2) AS i WITH itemId, i, chain[i] AS a "
        f"RETURN itemId, i, {item_projection('a')} ORDER BY itemId, i",
        ids=ids,
    )
    out: dict[str, list[ItemRecord]] = defaultdict(list)
    for r in rows:
        out[r["itemId"]].append(item_from(r, depth=r["i"]))
    return out


TREE_COLUMNS = (
    "depth", "id", "name", "state", "accountId", "characteristics", "version", "createdAt", "specId", "parentId",
    "locationId",
)


async def tree(graph: Graph, root_id: str, max_depth: int | None) -> TreeRecord:
    """The subtree under `root_id` (down to `max_depth` levels) in one bounded traversal."""
    depth = MAX_DEPTH if max_depth is None else max(0, min(max_depth, MAX_DEPTH))
    rows = await graph.fetch(
        "MATCH (r:ProductInventory {id: $rootId}) "
        f"MATCH path = (r)-[:HAS_CHILD*0..{MAX_DEPTH}]->(n:ProductInventory) WHERE length(path) <= $depth "
        "WITH n, length(path) AS depth, CASE WHEN length(path) = 0 THEN null ELSE nodes(path)[-2].id END AS up "
        "ORDER BY depth, n.name, n.id "
        "RETURN collect([depth, n.id, n.name, n.state, n.accountId, n.characteristics, n.version, n.createdAt, "
        "[(n)-[:INSTANCE_OF]->(s:ProductSpecification) | s.id][0], up, "
        "[(n)-[:AT]->(l:Location) | l.id][0]]) AS nodes",
        rootId=root_id,
        depth=depth,
    )
    result = TreeRecord()
    # One collected list: the driver decodes one large value much faster than many records.
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
        "RETURN a.id AS id, a.name AS name, a.segment AS segment",
        ids=ids,
    )
    return {r["id"]: AccountRecord(r["id"], r["name"], r["segment"]) for r in rows}


async def list_accounts(graph: Graph, first: int, after: str | None, search: str | None) -> Page:
    """Accounts ordered by id; `after` is the last id seen, `search` matches name or id."""
    rows = await graph.fetch(
        "MATCH (a:Account) WHERE ($search IS NULL OR toLower(a.name) CONTAINS toLower($search) "
        "OR toLower(a.id) CONTAINS toLower($search)) "
        "WITH a ORDER BY a.id WITH collect(a) AS found "
        "RETURN size(found) AS total, [a IN found WHERE $after IS NULL OR a.id > $after][..$limit] AS page",
        search=search or None,
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
    out: dict[str, list[LocationRecord]] = defaultdict(list)
    for r in rows:
        out[r["accountId"]].append(location_from(r["l"]))
    return out


async def services_of_items(graph: Graph, item_ids: list[str]) -> dict[str, list[ServiceRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS itemId MATCH (:ProductInventory {id: itemId})-[:REALIZED_BY]->(s:ServiceInventory) "
        "RETURN itemId, s.id AS id, s.name AS name, s.state AS state, "
        "[(s)-[:INSTANCE_OF]->(ss:ServiceSpecification) | ss.id][0] AS specId ORDER BY s.name, s.id",
        ids=item_ids,
    )
    out: dict[str, list[ServiceRecord]] = defaultdict(list)
    for r in rows:
        out[r["itemId"]].append(ServiceRecord(r["id"], r["name"], r["state"], r["specId"], r["itemId"]))
    return out


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
        f"RETURN {CONTRACT_COLUMNS} ORDER BY c.startDate, c.id",
        ids=account_ids,
    )
    out: dict[str, list[ContractRecord]] = defaultdict(list)
    for r in rows:
        out[r["accountId"]].append(contract_from(r))
    return out


async def contracts_by_ids(graph: Graph, ids: list[str]) -> dict[str, ContractRecord]:
    rows = await graph.fetch(
        f"UNWIND $ids AS cid MATCH (c:Contract {{id: cid}}) RETURN {CONTRACT_COLUMNS}", ids=ids
    )
    return {r["id"]: contract_from(r) for r in rows}


async def entitlements_of_contracts(graph: Graph, ids: list[str]) -> dict[str, list[EntitlementRecord]]:
    rows = await graph.fetch(
        "UNWIND $ids AS cid MATCH (:Contract {id: cid})-[:GRANTS]->(e:Entitlement) "
        f"RETURN {ENTITLEMENT_COLUMNS} ORDER BY e.name, e.id",
        ids=ids,
    )
    out: dict[str, list[EntitlementRecord]] = defaultdict(list)
    for r in rows:
        out[r["contractId"]].append(entitlement_from(r))
    return out


async def entitlements_by_ids(graph: Graph, ids: list[str]) -> dict[str, EntitlementRecord]:
    rows = await graph.fetch(
        f"UNWIND $ids AS eid MATCH (e:Entitlement {{id: eid}}) RETURN {ENTITLEMENT_COLUMNS}", ids=ids
    )
    return {r["id"]: entitlement_from(r) for r in rows}


async def entitlements_of_items(graph: Graph, item_ids: list[str]) -> dict[str, EntitlementRecord]:
    """The entitlement covering each item; a current one wins over cancelled or expired history."""
    rows = await graph.fetch(
        "UNWIND $ids AS itemId MATCH (e:Entitlement)-[:COVERS]->(:ProductInventory {id: itemId}) "
        f"RETURN {ENTITLEMENT_COLUMNS} "
        "ORDER BY CASE e.state WHEN 'ACTIVE' THEN 0 WHEN 'SUSPENDED' THEN 1 ELSE 2 END DESC",
        ids=item_ids,
    )
    out: dict[str, EntitlementRecord] = {}
    for r in rows:
        out[r["productId"]] = entitlement_from(r)  # later rows rank higher and win
    return out
