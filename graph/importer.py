"""Writes an installed base (catalog, accounts, inventory trees, contracts) into the graph.

An import never undoes what orders did: by default it only creates what does not exist yet and
reports every node it found already stored as skipped. With `mode="update"` existing nodes take the
file's values (changed items get inventory history events; items an open order works on are a
problem naming the order). A product specification id + version is immutable: a different
definition under a stored id and version is a problem; a new version is stored beside the old ones
(`ProductSpecificationVersion`) and becomes the specification's current definition when it is the
newest. Problems are found before anything is written, and the whole file is one transaction, so
nothing is ever half-imported. Trees are flattened into rows, parents before children, and written
with UNWIND batches. The graph is described in `docs/graph-model.md`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from neo4j import AsyncDriver, AsyncManagedTransaction, RoutingControl

from graph.consistency import INSTALLED_ITEM_STATES, OVERFULL_PARENTS
from graph.versions import version_order
from installed_base.format import (
    Characteristic,
    FulfillmentTask,
    InstalledBase,
    ProductInventory,
    ProductSpecification,
)
from installed_base.validate import ImportProblem
from rules.model import MAX_TREE_DEPTH, OPEN_ORDER_STATES

ImportMode = Literal["create", "update"]

Row = dict[str, Any]


# --- statements -------------------------------------------------------------------------------
# Every statement is a constant: labels and relationship types are spelled out, and every value
# travels as a parameter.

# After `MERGE (n ...)` on a row {id, props}: set `props` only when they differ from what is stored.
_SET_CHANGED_PROPS = (
    "WITH n, row, "
    "all(k IN keys(row.props) WHERE coalesce(n[k] = row.props[k], n[k] IS NULL AND row.props[k] IS NULL)) "
    "AS unchanged "
    "FOREACH (_ IN CASE WHEN unchanged THEN [] ELSE [1] END | SET n += row.props)"
)
# The same for versioned nodes: a change also bumps `version`.
_SET_CHANGED_PROPS_VERSIONED = (
    "WITH n, row, "
    "all(k IN keys(row.props) WHERE coalesce(n[k] = row.props[k], n[k] IS NULL AND row.props[k] IS NULL)) "
    "AS unchanged "
    "FOREACH (_ IN CASE WHEN unchanged THEN [] ELSE [1] END | "
    "SET n += row.props, n.version = coalesce(n.version, 0) + 1)"
)

MERGE_SERVICE_SPECIFICATIONS = (
    "UNWIND $rows AS row MERGE (n:ServiceSpecification {id: row.id}) " + _SET_CHANGED_PROPS
)
MERGE_PRODUCT_SPECIFICATIONS = (
    "UNWIND $rows AS row MERGE (n:ProductSpecification {id: row.id}) " + _SET_CHANGED_PROPS
)
MERGE_ACCOUNTS = (
    "UNWIND $rows AS row MERGE (n:Account {id: row.id}) ON CREATE SET n.version = 0 "
    + _SET_CHANGED_PROPS_VERSIONED
)
MERGE_LOCATIONS = "UNWIND $rows AS row MERGE (n:Location {id: row.id}) " + _SET_CHANGED_PROPS
MERGE_PRODUCT_INVENTORY = (
    "UNWIND $rows AS row MERGE (n:ProductInventory {id: row.id}) "
    "ON CREATE SET n.version = 0, n.createdAt = datetime() " + _SET_CHANGED_PROPS_VERSIONED
)
MERGE_SERVICE_INVENTORY = "UNWIND $rows AS row MERGE (n:ServiceInventory {id: row.id}) " + _SET_CHANGED_PROPS
MERGE_CONTRACTS = (
    "UNWIND $rows AS row MERGE (n:Contract {id: row.id}) ON CREATE SET n.version = 0 "
    + _SET_CHANGED_PROPS_VERSIONED
)
MERGE_ENTITLEMENTS = (
    "UNWIND $rows AS row MERGE (n:Entitlement {id: row.id}) ON CREATE SET n.version = 0 "
    + _SET_CHANGED_PROPS_VERSIONED
)

# Each LINK_ statement gives the row's node {id, targetId} exactly one relationship of its kind to
# the target, removing any other it had. A root hangs from OWNS and a child from HAS_CHILD, so
# those two clear each other.
LINK_LOCATION_TO_ACCOUNT = (
    "UNWIND $rows AS row MATCH (n:Location {id: row.id}) MATCH (m:Account {id: row.targetId}) "
    "OPTIONAL MATCH (n)<-[old:HAS_LOCATION]-(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)<-[:HAS_LOCATION]-(m)"
)
LINK_ROOT_TO_ACCOUNT = (
    "UNWIND $rows AS row MATCH (n:ProductInventory {id: row.id}) MATCH (m:Account {id: row.targetId}) "
    "OPTIONAL MATCH (n)<-[old:OWNS|HAS_CHILD]-(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)<-[:OWNS]-(m)"
)
LINK_CHILD_TO_PARENT = (
    "UNWIND $rows AS row MATCH (n:ProductInventory {id: row.id}) "
    "MATCH (m:ProductInventory {id: row.targetId}) "
    "OPTIONAL MATCH (n)<-[old:OWNS|HAS_CHILD]-(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)<-[:HAS_CHILD]-(m)"
)
LINK_PRODUCT_TO_SPECIFICATION = (
    "UNWIND $rows AS row MATCH (n:ProductInventory {id: row.id}) "
    "MATCH (m:ProductSpecification {id: row.targetId}) "
    "OPTIONAL MATCH (n)-[old:INSTANCE_OF]->(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)-[:INSTANCE_OF]->(m)"
)
LINK_PRODUCT_TO_LOCATION = (
    "UNWIND $rows AS row MATCH (n:ProductInventory {id: row.id}) MATCH (m:Location {id: row.targetId}) "
    "OPTIONAL MATCH (n)-[old:AT]->(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)-[:AT]->(m)"
)
LINK_SERVICE_TO_PRODUCT = (
    "UNWIND $rows AS row MATCH (n:ServiceInventory {id: row.id}) "
    "MATCH (m:ProductInventory {id: row.targetId}) "
    "OPTIONAL MATCH (n)<-[old:REALIZED_BY]-(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)<-[:REALIZED_BY]-(m)"
)
LINK_SERVICE_TO_SPECIFICATION = (
    "UNWIND $rows AS row MATCH (n:ServiceInventory {id: row.id}) "
    "MATCH (m:ServiceSpecification {id: row.targetId}) "
    "OPTIONAL MATCH (n)-[old:INSTANCE_OF]->(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)-[:INSTANCE_OF]->(m)"
)
LINK_CONTRACT_TO_ACCOUNT = (
    "UNWIND $rows AS row MATCH (n:Contract {id: row.id}) MATCH (m:Account {id: row.targetId}) "
    "OPTIONAL MATCH (n)<-[old:HAS_CONTRACT]-(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)<-[:HAS_CONTRACT]-(m)"
)
LINK_ENTITLEMENT_TO_CONTRACT = (
    "UNWIND $rows AS row MATCH (n:Entitlement {id: row.id}) MATCH (m:Contract {id: row.targetId}) "
    "OPTIONAL MATCH (n)<-[old:GRANTS]-(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)<-[:GRANTS]-(m)"
)
LINK_ENTITLEMENT_TO_PRODUCT = (
    "UNWIND $rows AS row MATCH (n:Entitlement {id: row.id}) MATCH (m:ProductInventory {id: row.targetId}) "
    "OPTIONAL MATCH (n)-[old:COVERS]->(other) WHERE other <> m DELETE old "
    "WITH DISTINCT n, m MERGE (n)-[:COVERS]->(m)"
)

# A specification's bundles and realizations are replaced by the file's list ({id, bundles, ids}).
SET_BUNDLES = (
    "UNWIND $rows AS row "
    "MATCH (n:ProductSpecification {id: row.id}) "
    "OPTIONAL MATCH (n)-[old:BUNDLES]->(other) WHERE NOT other.id IN [b IN row.bundles | b.specificationId] "
    "DELETE old "
    "WITH DISTINCT n, row "
    "UNWIND row.bundles AS b "
    "MATCH (child:ProductSpecification {id: b.specificationId}) "
    "MERGE (n)-[r:BUNDLES]->(child) "
    "FOREACH (_ IN CASE WHEN r.min = b.min AND r.max = b.max THEN [] ELSE [1] END | "
    "SET r.min = b.min, r.max = b.max)"
)
SET_REALIZATIONS = (
    "UNWIND $rows AS row "
    "MATCH (n:ProductSpecification {id: row.id}) "
    "OPTIONAL MATCH (n)-[old:REALIZED_AS]->(other) WHERE NOT other.id IN row.serviceSpecificationIds "
    "DELETE old "
    "WITH DISTINCT n, row "
    "UNWIND row.serviceSpecificationIds AS serviceSpecificationId "
    "MATCH (s:ServiceSpecification {id: serviceSpecificationId}) "
    "MERGE (n)-[:REALIZED_AS]->(s)"
)

ANY_ACCOUNT = "RETURN NOT EXISTS { MATCH (:Account) } AS empty"

# Stored versions beside the specification ({id, key, version, bundles, serviceSpecificationIds, props}).
CREATE_SPECIFICATION_VERSIONS = (
    "UNWIND $rows AS row MATCH (s:ProductSpecification {id: row.id}) "
    "CREATE (s)-[:HAS_VERSION]->(v:ProductSpecificationVersion {key: row.key, id: row.id, "
    "version: row.version, createdAt: datetime()}) SET v += row.props "
    "WITH v, row UNWIND row.bundles AS b MATCH (child:ProductSpecification {id: b.specificationId}) "
    "CREATE (v)-[:BUNDLES {min: b.min, max: b.max}]->(child)"
)
LINK_SPECIFICATION_VERSION_SERVICES = (
    "UNWIND $rows AS row MATCH (v:ProductSpecificationVersion {key: row.key}) "
    "UNWIND row.serviceSpecificationIds AS sid MATCH (ss:ServiceSpecification {id: sid}) "
    "CREATE (v)-[:REALIZED_AS]->(ss)"
)
# What is stored already, read before anything is written.
STORED_SPECIFICATIONS = (
    "UNWIND $ids AS sid MATCH (s:ProductSpecification {id: sid}) "
    "RETURN s.id AS id, s.version AS version, s.definition AS definition, "
    "[(s)-[:HAS_VERSION]->(v:ProductSpecificationVersion) | [v.version, v.definition]] AS versions"
)
STORED_SERVICE_SPECIFICATIONS = "UNWIND $ids AS sid MATCH (n:ServiceSpecification {id: sid}) RETURN n.id AS id"
STORED_ACCOUNTS = "UNWIND $ids AS sid MATCH (n:Account {id: sid}) RETURN n.id AS id"
STORED_LOCATIONS = "UNWIND $ids AS sid MATCH (n:Location {id: sid}) RETURN n.id AS id"
STORED_SERVICE_INVENTORY = "UNWIND $ids AS sid MATCH (n:ServiceInventory {id: sid}) RETURN n.id AS id"
STORED_CONTRACTS = "UNWIND $ids AS sid MATCH (n:Contract {id: sid}) RETURN n.id AS id"
STORED_ENTITLEMENTS = "UNWIND $ids AS sid MATCH (n:Entitlement {id: sid}) RETURN n.id AS id"
STORED_ITEMS = (
    "UNWIND $ids AS pid MATCH (p:ProductInventory {id: pid}) "
    "OPTIONAL MATCH (o:CustomerOrder {id: p.openOrderId}) WHERE o.state IN $open "
    "OPTIONAL MATCH path = (top:ProductInventory)-[:HAS_CHILD*0..64]->(p) WHERE NOT (top)<-[:HAS_CHILD]-() "
    "RETURN p.id AS id, p.name AS name, p.state AS state, p.characteristics AS characteristics, "
    "o.id AS openOrder, [(up:ProductInventory)-[:HAS_CHILD]->(p) | up.id][0] AS parentId, "
    "[(p)-[:AT]->(l:Location) | l.id][0] AS locationId, "
    "[(p)-[:INSTANCE_OF]->(s:ProductSpecification) | s.id][0] AS specificationId, "
    "max(length(path)) AS depth"
)
# Inventory history of an update import: one event per changed field, with no order.
RECORD_IMPORT_EVENTS = (
    "UNWIND $rows AS row MATCH (p:ProductInventory {id: row.itemId}) "
    "CREATE (p)-[:HAS_EVENT]->(:InventoryEvent {id: randomUUID(), itemId: row.itemId, orderId: null, "
    "lineId: null, field: row.field, fromValue: row.from, toValue: row.to, source: 'import', at: datetime()})"
)
_OPEN_STATES = sorted(s.value for s in OPEN_ORDER_STATES)


# --- rows -------------------------------------------------------------------------------------


def to_json(value: object) -> str:
    """The JSON text stored in string properties; keys sorted so equal values compare equal."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def characteristics_json(characteristics: Iterable[Characteristic]) -> str:
    """A specification's `characteristics` property: [{name, values, default}] in catalog order."""
    return json.dumps(
        [{"name": c.name, "values": list(c.values), "default": c.default} for c in characteristics],
        ensure_ascii=False,
    )


def _scheduling(t: FulfillmentTask) -> dict[str, object]:
    """The R13 fields of a task template, only when given (older stored templates stay byte-identical)."""
    out: dict[str, object] = {}
    if t.after:
        out["after"] = [
            {"domain": d.domain.value, "name": d.name, "makeBeforeBreak": d.make_before_break} for d in t.after
        ]
    if t.duration_hours is not None:
        out["durationHours"] = t.duration_hours
    if t.work_order is not None:
        out["workOrder"] = t.work_order.value
    if t.activation:
        out["activation"] = True
    return out


def fulfillment_json(tasks: Iterable[FulfillmentTask]) -> str:
    """A specification's `fulfillment` property: [{name, domain, pointOfNoReturn, actions, after?, durationHours?, workOrder?, activation?, undo?}]."""
    return json.dumps(
        [
            {
                "name": t.name,
                "domain": t.domain.value,
                "pointOfNoReturn": t.point_of_no_return,
                "actions": [a.value for a in t.actions],
                **_scheduling(t),
                **({"undo": t.undo} if t.undo else {}),
            }
            for t in tasks
        ],
        ensure_ascii=False,
    )


def inventory_row(
    *,
    id: str,
    name: str,
    state: str,
    account_id: str,
    parent_id: str | None,
    specification_id: str,
    location_id: str,
    characteristics: dict[str, str],
    specification_version: str = "1",
) -> Row:
    """One product inventory item as `write_inventory_rows` takes it (`parent_id` None for a root)."""
    return {
        "id": id,
        "parentId": parent_id,
        "accountId": account_id,
        "specificationId": specification_id,
        "locationId": location_id,
        "props": {
            "name": name,
            "state": str(state),
            "accountId": account_id,
            "characteristics": to_json(characteristics),
            "specVersion": specification_version,
        },
    }


def account_row(*, id: str, name: str, segment: str) -> Row:
    """One account as `write_account_rows` takes it."""
    return {"id": id, "props": {"name": name, "segment": segment}}


def location_row(*, id: str, account_id: str, name: str, address: str, city: str, country: str) -> Row:
    """One location as `write_location_rows` takes it."""
    return {
        "id": id,
        "targetId": account_id,
        "props": {"name": name, "address": address, "city": city, "country": country},
    }


def entitlement_row(
    *, id: str, name: str, state: str, start_date: date, end_date: date | None, contract_id: str, covers: str
) -> Row:
    """One entitlement as `write_entitlement_rows` takes it."""
    return {
        "id": id,
        "contractId": contract_id,
        "covers": covers,
        "props": {"name": name, "state": str(state), "startDate": start_date, "endDate": end_date},
    }


def _links(rows: Iterable[Row], target_key: str) -> list[Row]:
    return [{"id": r["id"], "targetId": r[target_key]} for r in rows]


# --- writing ----------------------------------------------------------------------------------


@dataclass
class WriteCounters:
    """What the statements of one write changed, as the server counted it."""

    nodes_created: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0

    def add(self, other: WriteCounters) -> None:
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.relationships_deleted += other.relationships_deleted
        self.properties_set += other.properties_set

    @property
    def changed_anything(self) -> bool:
        return any((self.nodes_created, self.relationships_created, self.relationships_deleted,
                    self.properties_set))


@dataclass
class ImportSummary:
    """How many of each kind the file held, and what writing it changed in the graph."""

    service_specifications: int = 0
    product_specifications: int = 0
    accounts: int = 0
    locations: int = 0
    product_inventory: int = 0
    service_inventory: int = 0
    contracts: int = 0
    entitlements: int = 0
    written: WriteCounters = field(default_factory=WriteCounters)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    """Ids found already stored and left untouched, by kind (create mode)."""
    updated: dict[str, list[str]] = field(default_factory=dict)
    """Ids found already stored and given the file's values, by kind (update mode)."""
    new_versions: list[str] = field(default_factory=list)
    """Specification versions stored by this import, as `id@version`."""

    def lines(self) -> list[str]:
        """A short human-readable report."""
        w = self.written
        return [
            *(f"skipped {len(ids)} existing {kind}: {_few(ids)}" for kind, ids in self.skipped.items() if ids),
            *(f"updated {len(ids)} existing {kind}: {_few(ids)}" for kind, ids in self.updated.items() if ids),
            *([f"new specification versions: {_few(self.new_versions)}"] if self.new_versions else []),
            f"catalog: {self.product_specifications} product and "
            f"{self.service_specifications} service specifications",
            f"accounts: {self.accounts} with {self.locations} locations",
            f"inventory: {self.product_inventory} product and {self.service_inventory} service items",
            f"agreements: {self.contracts} contracts, {self.entitlements} entitlements",
            f"graph changes: {w.nodes_created} nodes created, {w.relationships_created} relationships "
            f"created, {w.relationships_deleted} relationships removed, {w.properties_set} properties set",
        ]


async def run_batches(
    tx: AsyncManagedTransaction, statement: str, rows: Sequence[Row], batch_size: int
) -> WriteCounters:
    """Run `statement` (which UNWINDs `$rows`) over `rows`, `batch_size` rows at a time."""
    counters = WriteCounters()
    for start in range(0, len(rows), batch_size):
        result = await tx.run(statement, rows=list(rows[start:start + batch_size]))
        summary = await result.consume()
        c = summary.counters
        counters.add(WriteCounters(c.nodes_created, c.relationships_created, c.relationships_deleted,
                                   c.properties_set))
    return counters


async def _run_all(
    tx: AsyncManagedTransaction, steps: Sequence[tuple[str, Sequence[Row]]], batch_size: int
) -> WriteCounters:
    counters = WriteCounters()
    for statement, rows in steps:
        counters.add(await run_batches(tx, statement, rows, batch_size))
    return counters


async def write_account_rows(
    tx: AsyncManagedTransaction, rows: Sequence[Row], batch_size: int = 5000
) -> WriteCounters:
    """Accounts from `account_row`."""
    return await run_batches(tx, MERGE_ACCOUNTS, rows, batch_size)


async def write_location_rows(
    tx: AsyncManagedTransaction, rows: Sequence[Row], batch_size: int = 5000
) -> WriteCounters:
    """Locations from `location_row`, each linked to its account (which must exist)."""
    return await _run_all(tx, [(MERGE_LOCATIONS, rows), (LINK_LOCATION_TO_ACCOUNT, rows)], batch_size)


async def write_inventory_rows(
    tx: AsyncManagedTransaction, rows: Sequence[Row], batch_size: int = 5000
) -> WriteCounters:
    """Product inventory items from `inventory_row`, with their parent, specification and location.

    Parents must come before their children, in these rows or an earlier write; accounts,
    specifications and locations must exist.
    """
    roots = [r for r in rows if r["parentId"] is None]
    children = [r for r in rows if r["parentId"] is not None]
    return await _run_all(
        tx,
        [
            (MERGE_PRODUCT_INVENTORY, rows),
            (LINK_ROOT_TO_ACCOUNT, _links(roots, "accountId")),
            (LINK_CHILD_TO_PARENT, _links(children, "parentId")),
            (LINK_PRODUCT_TO_SPECIFICATION, _links(rows, "specificationId")),
            (LINK_PRODUCT_TO_LOCATION, _links(rows, "locationId")),
        ],
        batch_size,
    )


async def write_entitlement_rows(
    tx: AsyncManagedTransaction, rows: Sequence[Row], batch_size: int = 5000
) -> WriteCounters:
    """Entitlements from `entitlement_row`, granted by their contract and covering their item."""
    return await _run_all(
        tx,
        [
            (MERGE_ENTITLEMENTS, rows),
            (LINK_ENTITLEMENT_TO_CONTRACT, _links(rows, "contractId")),
            (LINK_ENTITLEMENT_TO_PRODUCT, _links(rows, "covers")),
        ],
        batch_size,
    )


def _few(ids: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class ImportRefused(Exception):
    """The file cannot be imported into this database as it stands; nothing was written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def specification_definition(s: ProductSpecification) -> str:
    """What an id + version stands for, as canonical JSON: two files agree on a version iff equal."""
    return to_json(
        {
            "name": s.name,
            "physical": s.physical,
            "description": s.description,
            "characteristics": json.loads(characteristics_json(s.characteristics)),
            "bundles": sorted([b.specification_id, b.min, b.max] for b in s.bundles),
            "realizedAs": sorted(s.realized_as),
            "fulfillment": json.loads(fulfillment_json(s.fulfillment)),
        }
    )


def _spec_props(s: ProductSpecification) -> dict[str, Any]:
    return {
        "name": s.name,
        "version": s.version,
        "physical": s.physical,
        "description": s.description,
        "characteristics": characteristics_json(s.characteristics),
        "fulfillment": fulfillment_json(s.fulfillment),
        "definition": specification_definition(s),
    }


def item_paths(base: InstalledBase) -> dict[str, str]:
    """Each item's path in the file (`accounts[0].inventory[1].children[2]`), for problems."""
    out: dict[str, str] = {}
    for a, account in enumerate(base.accounts):
        stack: list[tuple[ProductInventory, str]] = [
            (root, f"accounts[{a}].inventory[{r}]") for r, root in enumerate(account.inventory)
        ]
        while stack:
            node, path = stack.pop()
            out[node.id] = path
            stack.extend((c, f"{path}.children[{i}]") for i, c in enumerate(node.children))
    return out


@dataclass
class _Stored:
    """What the database already holds of the file's ids."""

    specs: dict[str, Any] = field(default_factory=dict)
    service_specs: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)
    items: dict[str, Any] = field(default_factory=dict)
    services: set[str] = field(default_factory=set)
    contracts: set[str] = field(default_factory=set)
    entitlements: set[str] = field(default_factory=set)


async def _ids(tx: AsyncManagedTransaction, statement: str, ids: Iterable[str]) -> set[str]:
    result = await tx.run(statement, ids=sorted(set(ids)))
    return {r["id"] async for r in result}


async def _read_stored(tx: AsyncManagedTransaction, base: InstalledBase) -> _Stored:
    catalog = base.catalog
    placements = list(base.placements())
    parent_ids = {p.parent_id for p in placements if p.parent_id}
    stored = _Stored()
    result = await tx.run(STORED_SPECIFICATIONS, ids=[s.id for s in catalog.product_specifications])
    stored.specs = {r["id"]: dict(r) async for r in result}
    stored.service_specs = await _ids(tx, STORED_SERVICE_SPECIFICATIONS, (s.id for s in catalog.service_specifications))
    stored.accounts = await _ids(tx, STORED_ACCOUNTS, (a.id for a in base.accounts))
    stored.locations = await _ids(tx, STORED_LOCATIONS, (loc.id for a in base.accounts for loc in a.locations))
    result = await tx.run(STORED_ITEMS, ids=sorted({p.item.id for p in placements} | parent_ids), open=_OPEN_STATES)
    stored.items = {r["id"]: dict(r) async for r in result}
    stored.services = await _ids(
        tx, STORED_SERVICE_INVENTORY, (s.id for p in placements for s in p.item.services)
    )
    stored.contracts = await _ids(tx, STORED_CONTRACTS, (c.id for a in base.accounts for c in a.contracts))
    stored.entitlements = await _ids(
        tx, STORED_ENTITLEMENTS, (e.id for a in base.accounts for c in a.contracts for e in c.entitlements)
    )
    return stored


def _catalog_plan(
    base: InstalledBase, stored: _Stored, problems: list[ImportProblem]
) -> tuple[list[ProductSpecification], list[ProductSpecification]]:
    """(specifications whose current definition this file sets, versions to store beside)."""
    current: list[ProductSpecification] = []
    versions: list[ProductSpecification] = []
    for i, spec in enumerate(base.catalog.product_specifications):
        definition = specification_definition(spec)
        known = stored.specs.get(spec.id)
        if known is None:
            current.append(spec)
            versions.append(spec)
            continue
        by_version = {v: d for v, d in known["versions"]}
        if not by_version and known["version"] is not None:
            by_version[str(known["version"])] = known["definition"]  # stored before versions were kept
        if spec.version in by_version:
            if by_version[spec.version] not in (None, definition):
                problems.append(ImportProblem(
                    f"catalog.productSpecifications[{i}]",
                    f"specification '{spec.id}' version '{spec.version}' is already stored with another "
                    "definition; a stored version never changes: give the new definition a new version",
                ))
            elif not known["versions"]:
                versions.append(spec)  # keep the version the graph already uses
            continue
        versions.append(spec)
        newest = max(by_version, key=version_order)
        if version_order(spec.version) > version_order(newest):
            current.append(spec)
    return current, versions


def _inventory_plan(
    base: InstalledBase, stored: _Stored, mode: ImportMode, max_depth: int, problems: list[ImportProblem]
) -> tuple[list[Row], list[str], list[dict[str, Any]]]:
    """(item rows to write, ids skipped, history events of updated items)."""
    paths = item_paths(base)
    versions = {s.id: s.version for s in base.catalog.product_specifications}
    rows: list[Row] = []
    skipped: list[str] = []
    events: list[dict[str, Any]] = []
    depth: dict[str, int] = {}
    for p in base.placements():
        item = p.item
        path = paths[item.id]
        known = stored.items.get(item.id)
        parent = stored.items.get(p.parent_id) if p.parent_id else None
        depth[item.id] = depth[p.parent_id] + 1 if p.parent_id in depth else p.depth
        if known is not None and mode == "create":
            skipped.append(item.id)
            depth[item.id] = int(known["depth"] or 0)
            continue
        if known is not None and known["openOrder"] is not None:
            problems.append(ImportProblem(path, f"item '{item.id}' is in open order {known['openOrder']}; "
                                                "complete or cancel that order before updating it"))
            continue
        if known is None and parent is not None:
            depth[item.id] = int(parent["depth"] or 0) + 1
            if parent["openOrder"] is not None and mode == "create":
                problems.append(ImportProblem(path, f"parent '{p.parent_id}' is in open order "
                                                    f"{parent['openOrder']}; import the new item after it"))
            if parent["state"] == "INACTIVE" and item.state.value != "INACTIVE" and mode == "create":
                problems.append(ImportProblem(path, f"parent '{p.parent_id}' is INACTIVE in the graph; a live "
                                                    "item cannot be added under it"))
        if depth[item.id] == max_depth + 1:
            problems.append(ImportProblem(path, f"would be {depth[item.id]} levels below its root; trees are at "
                                                f"most {max_depth} levels deep (MACD_MAX_TREE_DEPTH)"))
        row = inventory_row(
            id=item.id, name=item.name, state=item.state.value, account_id=p.account_id, parent_id=p.parent_id,
            specification_id=item.specification_id, location_id=item.location_id,
            characteristics=item.characteristics, specification_version=versions.get(item.specification_id, "1"),
        )
        if known is not None:
            del row["props"]["specVersion"]  # an item keeps the specification version it was built from
        rows.append(row)
        if known is not None:
            before = {
                "name": known["name"], "state": known["state"], "characteristics": known["characteristics"],
                "parent": known["parentId"], "location": known["locationId"],
                "specification": known["specificationId"],
            }
            after = {
                "name": item.name, "state": item.state.value, "characteristics": row["props"]["characteristics"],
                "parent": p.parent_id, "location": item.location_id, "specification": item.specification_id,
            }
            events.extend(
                {"itemId": item.id, "field": k, "from": before[k], "to": after[k]}
                for k in before
                if before[k] != after[k]
            )
    return rows, skipped, events


async def _refuse_overfull_parents(
    tx: AsyncManagedTransaction, base: InstalledBase, items: list[Row], stored: _Stored
) -> None:
    """A stored parent the file adds children to keeps within its bundle's maximum (R2), counting
    the children it had before, or the whole import is refused (the transaction rolls back)."""
    added: dict[tuple[str, str], list[str]] = {}
    for row in items:
        if row["parentId"] in stored.items:
            added.setdefault((row["parentId"], row["specificationId"]), []).append(row["id"])
    if not added:
        return
    result = await tx.run(OVERFULL_PARENTS, ids=sorted({parent for parent, _ in added}),
                          installed=list(INSTALLED_ITEM_STATES))
    overfull = [r async for r in result if (r["parentId"], r["specificationId"]) in added]
    if not overfull:
        return
    paths = item_paths(base)
    problems = []
    for r in overfull:
        new = sorted(added[(r["parentId"], r["specificationId"])], key=lambda i: paths[i])
        problems.append(ImportProblem(
            paths[new[0]],
            f"adding {_few(new)} would give stored item '{r['parentId']}' {r['found']} installed "
            f"'{r['specificationId']}' children; its specification allows at most {r['most']}",
        ))
    raise ImportRefused(sorted(problems, key=lambda p: p.path))


def _split(rows: list[Row], stored: set[str], mode: ImportMode) -> tuple[list[Row], list[str]]:
    """Rows to write and ids skipped: create mode writes only what is not stored."""
    if mode == "update":
        return rows, []
    return [r for r in rows if r["id"] not in stored], [r["id"] for r in rows if r["id"] in stored]


def summarize(base: InstalledBase) -> ImportSummary:
    """The per-kind counts of `base`, before anything is written."""
    placements = list(base.placements())
    return ImportSummary(
        service_specifications=len(base.catalog.service_specifications),
        product_specifications=len(base.catalog.product_specifications),
        accounts=len(base.accounts),
        locations=sum(len(a.locations) for a in base.accounts),
        product_inventory=len(placements),
        service_inventory=sum(len(p.item.services) for p in placements),
        contracts=sum(len(a.contracts) for a in base.accounts),
        entitlements=sum(len(c.entitlements) for a in base.accounts for c in a.contracts),
    )


async def import_installed_base(
    driver: AsyncDriver,
    database: str,
    base: InstalledBase,
    batch_size: int = 5000,
    mode: ImportMode = "create",
    max_depth: int = MAX_TREE_DEPTH,
) -> ImportSummary:
    """Write `base` in one write transaction: all of it lands, or (on any problem or error) none of it.

    `mode="create"` (the default) writes only nodes that are not stored yet and reports the rest as
    skipped; `mode="update"` gives stored nodes the file's values. Raises `ImportRefused` with every
    problem the stored graph gives the file (see the module docstring).
    """
    summary = summarize(base)

    async def work(tx: AsyncManagedTransaction) -> WriteCounters:
        stored = await _read_stored(tx, base)
        problems: list[ImportProblem] = []
        current, versions = _catalog_plan(base, stored, problems)
        items, skipped_items, events = _inventory_plan(base, stored, mode, max_depth, problems)
        if problems:
            raise ImportRefused(sorted(problems, key=lambda p: p.path))
        summary.skipped, summary.updated = {}, {}
        summary.new_versions = [f"{s.id}@{s.version}" for s in versions]

        def split(kind: str, rows: list[Row], ids: set[str]) -> list[Row]:
            kept, skipped = _split(rows, ids, mode)
            summary.skipped[kind] = skipped
            summary.updated[kind] = [r["id"] for r in kept if r["id"] in ids]
            return kept

        catalog = base.catalog
        service_specs = split("service specifications", [
            {"id": s.id, "props": {"name": s.name, "fulfillment": fulfillment_json(s.fulfillment)}}
            for s in catalog.service_specifications
        ], stored.service_specs)
        new_spec_ids = [s.id for s in catalog.product_specifications if s.id not in stored.specs]
        spec_nodes = [{"id": s.id, "props": _spec_props(s)} for s in current]
        version_rows = [
            {"id": s.id, "key": f"{s.id}@{s.version}", "version": s.version, "props": _spec_props(s),
             "bundles": [{"specificationId": b.specification_id, "min": b.min, "max": b.max} for b in s.bundles],
             "serviceSpecificationIds": list(s.realized_as)}
            for s in versions
        ]
        summary.skipped["product specifications"] = [
            s.id for s in catalog.product_specifications if s.id in stored.specs and s not in current
        ]
        accounts = split("accounts", [account_row(id=a.id, name=a.name, segment=a.segment) for a in base.accounts],
                         stored.accounts)
        locations = split("locations", [
            location_row(id=loc.id, account_id=a.id, name=loc.name, address=loc.address, city=loc.city,
                         country=loc.country)
            for a in base.accounts for loc in a.locations
        ], stored.locations)
        written_items = {r["id"] for r in items}
        services = split("service inventory", [
            {"id": sv.id, "productId": placed.item.id, "specificationId": sv.specification_id,
             "props": {"name": sv.name, "state": sv.state.value, "accountId": placed.account_id}}
            for placed in base.placements() for sv in placed.item.services
        ], stored.services)
        contracts = split("contracts", [
            {"id": c.id, "targetId": a.id, "props": {"name": c.name, "state": c.state.value,
                                                    "startDate": c.start_date, "endDate": c.end_date}}
            for a in base.accounts for c in a.contracts
        ], stored.contracts)
        entitlements = split("entitlements", [
            entitlement_row(id=e.id, name=e.name, state=e.state.value, start_date=e.start_date,
                            end_date=e.end_date, contract_id=c.id, covers=e.covers)
            for a in base.accounts for c in a.contracts for e in c.entitlements
        ], stored.entitlements)
        summary.skipped["product inventory"] = skipped_items
        summary.updated["product inventory"] = [i for i in written_items if i in stored.items]

        counters = await _run_all(tx, [
            (MERGE_SERVICE_SPECIFICATIONS, service_specs),
            (MERGE_PRODUCT_SPECIFICATIONS, [{"id": i, "props": {}} for i in new_spec_ids]),
            (MERGE_PRODUCT_SPECIFICATIONS, spec_nodes),
            (SET_BUNDLES, [{"id": s.id, "bundles": [{"specificationId": b.specification_id, "min": b.min,
                                                     "max": b.max} for b in s.bundles]} for s in current]),
            (SET_REALIZATIONS, [{"id": s.id, "serviceSpecificationIds": list(s.realized_as)} for s in current]),
            (CREATE_SPECIFICATION_VERSIONS, version_rows),
            (LINK_SPECIFICATION_VERSION_SERVICES, version_rows),
            (MERGE_ACCOUNTS, accounts),
            (MERGE_LOCATIONS, locations),
            (LINK_LOCATION_TO_ACCOUNT, _links(locations, "targetId")),
            (MERGE_SERVICE_INVENTORY, services),
            (MERGE_CONTRACTS, contracts),
            (LINK_CONTRACT_TO_ACCOUNT, _links(contracts, "targetId")),
        ], batch_size)
        counters.add(await write_inventory_rows(tx, items, batch_size))
        await _refuse_overfull_parents(tx, base, items, stored)
        counters.add(await _run_all(tx, [
            (LINK_SERVICE_TO_PRODUCT, _links(services, "productId")),
            (LINK_SERVICE_TO_SPECIFICATION, _links(services, "specificationId")),
            (RECORD_IMPORT_EVENTS, events),
        ], batch_size))
        counters.add(await write_entitlement_rows(tx, entitlements, batch_size))
        return counters

    async with driver.session(database=database) as session:
        summary.written = await session.execute_write(work)
    return summary


async def database_is_empty(driver: AsyncDriver, database: str) -> bool:
    """True when the database holds no account yet (so nothing has been imported)."""
    records, _, _ = await driver.execute_query(ANY_ACCOUNT, database_=database, routing_=RoutingControl.READ)
    return bool(records[0]["empty"])
