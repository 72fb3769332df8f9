"""Reads of the catalog: product specifications with their bundles, and service specifications."""

from __future__ import annotations

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import STABLE_PLAN, Graph, run
from graph.records import (
    BundleRecord,
    ServiceSpecRecord,
    SpecRecord,
    parse_characteristic_specs,
    parse_templates,
)
from graph.versions import version_order
from rules.order_lines import spec_key

SPEC_COLUMNS = (
    "s.id AS id, s.name AS name, s.version AS version, s.physical AS physical, "
    "s.description AS description, s.characteristics AS characteristics, s.fulfillment AS fulfillment, "
    "[(s)-[b:BUNDLES]->(c:ProductSpecification) | {child: c.id, min: b.min, max: b.max}] AS bundles, "
    "[(s)-[:REALIZED_AS]->(ss:ServiceSpecification) | ss.id] AS services, "
    "[(s)-[:HAS_VERSION]->(v:ProductSpecificationVersion) | v.version] AS versions"
)
# Every stored version of the specifications, each read like a specification (`s` is the version).
STORED_VERSIONS_BY_IDS = (
    "UNWIND $ids AS sid MATCH (:ProductSpecification {id: sid})-[:HAS_VERSION]->(s:ProductSpecificationVersion) "
    "RETURN " + SPEC_COLUMNS
)
# The specifications and every stored version of each, in one statement (`stored`: a version node).
SPECS_WITH_VERSIONS_BY_IDS = (
    STABLE_PLAN + "UNWIND $ids AS sid MATCH (newest:ProductSpecification {id: sid}) "
    "UNWIND [newest] + [(newest)-[:HAS_VERSION]->(v:ProductSpecificationVersion) | v] AS s "
    "RETURN s:ProductSpecificationVersion AS stored, " + SPEC_COLUMNS
)
SPECS_BY_IDS = "UNWIND $ids AS sid MATCH (s:ProductSpecification {id: sid}) RETURN " + SPEC_COLUMNS
ALL_SPECS = "MATCH (s:ProductSpecification) RETURN " + SPEC_COLUMNS + " ORDER BY s.name, s.id"


def spec_version(raw: Any) -> str:
    """A specification's stored `version` as text, "1" when it has none."""
    return str(raw or "1")


def spec_physical(raw: Any) -> bool:
    return bool(raw)


def spec_from(r: Any) -> SpecRecord:
    return SpecRecord(
        id=r["id"],
        name=r["name"],
        version=spec_version(r["version"]),
        physical=spec_physical(r["physical"]),
        description=r["description"],
        characteristics=parse_characteristic_specs(r["characteristics"]),
        bundles=tuple(
            BundleRecord(r["id"], b["child"], int(b["min"] or 0), int(b["max"] or 0))
            for b in sorted(r["bundles"], key=lambda b: b["child"])
        ),
        service_spec_ids=tuple(sorted(r["services"])),
        fulfillment=parse_templates(r["fulfillment"]),
        versions=tuple(sorted({str(v) for v in r["versions"] or ()} | {str(r["version"] or "1")}, key=version_order)),
    )


async def specs_by_ids(graph: Graph, ids: list[str]) -> dict[str, SpecRecord]:
    return await graph.read(lambda tx: specs_in(tx, graph, ids))


async def all_specs(graph: Graph) -> list[SpecRecord]:
    rows = await graph.fetch(ALL_SPECS)
    return [spec_from(r) for r in rows]


async def service_specs_by_ids(graph: Graph, ids: list[str]) -> dict[str, ServiceSpecRecord]:
    rows = await graph.fetch(
        "UNWIND $ids AS sid MATCH (s:ServiceSpecification {id: sid}) "
        "RETURN s.id AS id, s.name AS name, s.fulfillment AS fulfillment",
        ids=ids,
    )
    return {r["id"]: ServiceSpecRecord(r["id"], r["name"], parse_templates(r["fulfillment"])) for r in rows}


async def specs_in(tx: AsyncManagedTransaction, graph: Graph, ids: list[str]) -> dict[str, SpecRecord]:
    """Product specifications by id, inside the caller's transaction."""
    rows = await run(tx, graph, SPECS_BY_IDS, {"ids": sorted(set(ids))})
    return {r["id"]: spec_from(r) for r in rows}


async def spec_versions_in(tx: AsyncManagedTransaction, graph: Graph, ids: list[str]) -> dict[str, SpecRecord]:
    """Every stored version of these specifications, keyed `id@version` (`rules.order_lines.spec_key`)."""
    rows = await run(tx, graph, STORED_VERSIONS_BY_IDS, {"ids": sorted(set(ids))})
    return {spec_key(r["id"], str(r["version"])): spec_from(r) for r in rows}


async def specs_with_versions_in(
    tx: AsyncManagedTransaction, graph: Graph, ids: list[str]
) -> dict[str, SpecRecord]:
    """`specs_in` and `spec_versions_in` together in one statement: the newest of each specification
    by id, and every stored version keyed `id@version`."""
    rows = await run(tx, graph, SPECS_WITH_VERSIONS_BY_IDS, {"ids": sorted(set(ids))})
    newest = {r["id"]: spec_from(r) for r in rows if not r["stored"]}
    return {**newest, **{spec_key(r["id"], str(r["version"])): spec_from(r) for r in rows if r["stored"]}}
