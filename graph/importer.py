"""Writes an installed base (catalog, accounts, inventory trees, contracts) into the graph.

Everything is MERGEd on `id`, so importing the same file twice changes nothing: a node's
properties are set only when they differ, and then its `version` goes up by one. Single-valued
relationships (an item's parent, specification and location; a service's product; ...) are
replaced when the file moves them; nodes are never deleted. Trees are flattened into rows,
parents before children, and written with UNWIND batches. The graph is described in
`docs/graph-model.md`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction, RoutingControl

from installed_base.format import (
    Characteristic,
    FulfillmentTask,
    InstalledBase,
)

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
    """A specification's `fulfillment` property: [{name, domain, pointOfNoReturn, actions, after?, durationHours?, workOrder?, activation?}]."""
    return json.dumps(
        [
            {
                "name": t.name,
                "domain": t.domain.value,
                "pointOfNoReturn": t.point_of_no_return,
                "actions": [a.value for a in t.actions],
                **_scheduling(t),
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

    def lines(self) -> list[str]:
        """A short human-readable report."""
        w = self.written
        return [
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


def import_steps(base: InstalledBase) -> list[tuple[str, list[Row]]]:
    """The catalog, accounts, locations, services and contracts: statements with their rows.

    Product inventory and entitlements are written after these, by `write_inventory_rows` and
    `write_entitlement_rows`; `later_steps` then links the services to their products.
    """
    catalog = base.catalog
    service_specs = [
        {"id": s.id, "props": {"name": s.name, "fulfillment": fulfillment_json(s.fulfillment)}}
        for s in catalog.service_specifications
    ]
    product_specs = [
        {
            "id": s.id,
            "props": {
                "name": s.name,
                "version": s.version,
                "physical": s.physical,
                "description": s.description,
                "characteristics": characteristics_json(s.characteristics),
                "fulfillment": fulfillment_json(s.fulfillment),
            },
        }
        for s in catalog.product_specifications
    ]
    bundles = [
        {"id": s.id, "bundles": [{"specificationId": b.specification_id, "min": b.min, "max": b.max}
                                 for b in s.bundles]}
        for s in catalog.product_specifications
    ]
    realizations = [
        {"id": s.id, "serviceSpecificationIds": list(s.realized_as)} for s in catalog.product_specifications
    ]
    accounts = [account_row(id=a.id, name=a.name, segment=a.segment) for a in base.accounts]
    locations = [
        location_row(id=loc.id, account_id=a.id, name=loc.name, address=loc.address, city=loc.city,
                     country=loc.country)
        for a in base.accounts
        for loc in a.locations
    ]
    services = [
        {
            "id": s.id,
            "productId": placed.item.id,
            "specificationId": s.specification_id,
            "props": {"name": s.name, "state": s.state.value, "accountId": placed.account_id},
        }
        for placed in base.placements()
        for s in placed.item.services
    ]
    contracts = [
        {
            "id": c.id,
            "targetId": a.id,
            "props": {"name": c.name, "state": c.state.value, "startDate": c.start_date,
                      "endDate": c.end_date},
        }
        for a in base.accounts
        for c in a.contracts
    ]
    return [
        (MERGE_SERVICE_SPECIFICATIONS, service_specs),
        (MERGE_PRODUCT_SPECIFICATIONS, product_specs),
        (SET_BUNDLES, bundles),
        (SET_REALIZATIONS, realizations),
        (MERGE_ACCOUNTS, accounts),
        (MERGE_LOCATIONS, locations),
        (LINK_LOCATION_TO_ACCOUNT, _links(locations, "targetId")),
        (MERGE_SERVICE_INVENTORY, services),
        (MERGE_CONTRACTS, contracts),
        (LINK_CONTRACT_TO_ACCOUNT, _links(contracts, "targetId")),
    ]


def later_steps(base: InstalledBase) -> list[tuple[str, list[Row]]]:
    """The links that need product inventory to exist: services to their products."""
    services = [
        {"id": s.id, "productId": placed.item.id, "specificationId": s.specification_id}
        for placed in base.placements()
        for s in placed.item.services
    ]
    return [
        (LINK_SERVICE_TO_PRODUCT, _links(services, "productId")),
        (LINK_SERVICE_TO_SPECIFICATION, _links(services, "specificationId")),
    ]


def entitlement_rows(base: InstalledBase) -> list[Row]:
    """Every entitlement of `base` as a row."""
    return [
        entitlement_row(id=e.id, name=e.name, state=e.state.value, start_date=e.start_date,
                        end_date=e.end_date, contract_id=c.id, covers=e.covers)
        for a in base.accounts
        for c in a.contracts
        for e in c.entitlements
    ]


def inventory_rows(base: InstalledBase) -> list[Row]:
    """Every product inventory item of `base` as a row, parents before children."""
    return [
        inventory_row(
            id=p.item.id,
            name=p.item.name,
            state=p.item.state.value,
            account_id=p.account_id,
            parent_id=p.parent_id,
            specification_id=p.item.specification_id,
            location_id=p.item.location_id,
            characteristics=p.item.characteristics,
        )
        for p in base.placements()
    ]


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
    driver: AsyncDriver, database: str, base: InstalledBase, batch_size: int = 5000
) -> ImportSummary:
    """Write `base` in one write transaction: all of it lands, or (on any error) none of it."""
    steps = import_steps(base)
    items = inventory_rows(base)
    links = later_steps(base)
    entitlements = entitlement_rows(base)

    async def work(tx: AsyncManagedTransaction) -> WriteCounters:
        counters = await _run_all(tx, steps, batch_size)
        counters.add(await write_inventory_rows(tx, items, batch_size))
        counters.add(await _run_all(tx, links, batch_size))
        counters.add(await write_entitlement_rows(tx, entitlements, batch_size))
        return counters

    summary = summarize(base)
    async with driver.session(database=database) as session:
        summary.written = await session.execute_write(work)
    return summary


async def database_is_empty(driver: AsyncDriver, database: str) -> bool:
    """True when the database holds no account yet (so nothing has been imported)."""
    records, _, _ = await driver.execute_query(ANY_ACCOUNT, database_=database, routing_=RoutingControl.READ)
    return bool(records[0]["empty"])
