"""Importing installed bases into a real Neo4j: what lands, idempotence, and nothing on errors."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

from neo4j import AsyncDriver

from graph.importer import database_is_empty, import_installed_base
from installed_base.cli import import_text
from installed_base.demo import demo_text
from installed_base.validate import parse
from service.settings import Settings
from tests.installed_base.documents import item, small_document


def demo_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(demo_text())
    return document


async def rows(driver: AsyncDriver, database: str, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = await driver.execute_query(cypher, params, database_=database)
    return [r.data() for r in records]


async def counts_by_label(driver: AsyncDriver, database: str) -> dict[str, int]:
    found = await rows(driver, database, "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n")
    return {r["label"]: r["n"] for r in found}


async def snapshot(driver: AsyncDriver, database: str) -> tuple[list[Any], list[Any]]:
    """Every node with its properties and every relationship with its ends and properties."""
    nodes = await rows(
        driver, database,
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id, labels(n)[0]",
    )
    links = await rows(
        driver, database,
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props "
        "ORDER BY a, type, b",
    )
    return [repr(sorted(n["props"].items())) + repr(n["labels"]) for n in nodes], links


async def test_database_is_empty_until_an_import(neo4j_driver: AsyncDriver, neo4j_database: str) -> None:
    assert await database_is_empty(neo4j_driver, neo4j_database)
    await import_installed_base(neo4j_driver, neo4j_database, parse(small_document()))
    assert not await database_is_empty(neo4j_driver, neo4j_database)


async def test_demo_lands_with_every_node_and_relationship(
    neo4j_driver: AsyncDriver, neo4j_database: str
) -> None:
    base = parse(demo_document())
    summary = await import_installed_base(neo4j_driver, neo4j_database, base, batch_size=7)

    assert await counts_by_label(neo4j_driver, neo4j_database) == {
        "ServiceSpecification": summary.service_specifications,
        "ProductSpecification": summary.product_specifications,
        "ProductSpecificationVersion": summary.product_specifications,
        "Account": summary.accounts,
        "Location": summary.locations,
        "ProductInventory": summary.product_inventory,
        "ServiceInventory": summary.service_inventory,
        "Contract": summary.contracts,
        "Entitlement": summary.entitlements,
    }
    assert summary.accounts == 5
    assert summary.product_inventory == 50
    assert summary.written.nodes_created == sum(  # each product specification also stores its version
        (summary.service_specifications, 2 * summary.product_specifications, summary.accounts, summary.locations,
         summary.product_inventory, summary.service_inventory, summary.contracts, summary.entitlements)
    )
    [shape] = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (p:ProductInventory) "
        "RETURN count { (p)<-[:OWNS|HAS_CHILD]-() } AS parents, count { (p)-[:INSTANCE_OF]->() } AS specs, "
        "count { (p)-[:AT]->(:Location) } AS places ORDER BY parents DESC, specs DESC, places DESC LIMIT 1",
    )
    assert shape == {"parents": 1, "specs": 1, "places": 1}
    [roots] = await rows(neo4j_driver, neo4j_database, "MATCH (:Account)-[:OWNS]->(r) RETURN count(r) AS n")
    assert roots["n"] == sum(len(a.inventory) for a in base.accounts)
    [deepest] = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (:Account)-[:OWNS]->(:ProductInventory)-[:HAS_CHILD*]->(leaf) "
        "RETURN max(size([(leaf)<-[:HAS_CHILD*]-(x) | x])) AS depth",
    )
    assert deepest["depth"] == 3


async def test_the_four_g_to_five_g_starting_point(neo4j_driver: AsyncDriver, neo4j_database: str) -> None:
    await import_installed_base(neo4j_driver, neo4j_database, parse(demo_document()))

    children = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (:Account {id: 'acc-northwind'})-[:OWNS]->(root:ProductInventory {id: 'pi-northwind-mbb'})"
        "-[:INSTANCE_OF]->(:ProductSpecification {id: 'spec-mobile-broadband'}) "
        "MATCH (root)-[:HAS_CHILD]->(c)-[:INSTANCE_OF]->(s:ProductSpecification) "
        "RETURN c.id AS id, c.state AS state, s.id AS spec, s.physical AS physical, c.accountId AS account, "
        "c.version AS version, c.createdAt IS NOT NULL AS stamped ORDER BY id",
    )
    assert children == [
        {"id": "pi-northwind-4g-connectivity", "state": "ACTIVE", "spec": "spec-4g-connectivity",
         "physical": False, "account": "acc-northwind", "version": 1, "stamped": True},
        {"id": "pi-northwind-4g-router", "state": "ACTIVE", "spec": "spec-4g-router", "physical": True,
         "account": "acc-northwind", "version": 1, "stamped": True},
    ]
    bundles = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (:ProductSpecification {id: 'spec-mobile-broadband'})-[b:BUNDLES]->(c) "
        "RETURN c.id AS child, b.min AS min, b.max AS max ORDER BY child",
    )
    assert bundles == [
        {"child": "spec-4g-connectivity", "min": 0, "max": 1},
        {"child": "spec-4g-router", "min": 0, "max": 1},
        {"child": "spec-5g-connectivity", "min": 0, "max": 1},
        {"child": "spec-5g-router", "min": 0, "max": 1},
    ]
    [covered] = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (:Account {id: 'acc-northwind'})-[:HAS_CONTRACT]->(c:Contract)-[:GRANTS]->(e:Entitlement)"
        "-[:COVERS]->(:ProductInventory {id: 'pi-northwind-4g-router'}) "
        "RETURN c.id AS contract, e.state AS state, e.startDate.year AS year",
    )
    assert covered == {"contract": "ctr-northwind-2024", "state": "ACTIVE", "year": 2024}
    [realized] = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (:ProductInventory {id: 'pi-northwind-4g-connectivity'})-[:REALIZED_BY]->(s:ServiceInventory)"
        "-[:INSTANCE_OF]->(ss:ServiceSpecification) "
        "RETURN s.state AS state, ss.id AS spec, ss.fulfillment AS f",
    )
    assert realized["state"] == "ACTIVE" and realized["spec"] == "svc-spec-lte-data"
    activate = next(t for t in json.loads(realized["f"]) if t["name"] == "Activate service")
    assert activate == {
        "name": "Activate service", "domain": "SERVICE", "pointOfNoReturn": True,
        "actions": ["ADD", "CHANGE", "RESUME"], "activation": True, "durationHours": 4.0,
        "after": [{"domain": "RESOURCE", "name": "Ship device", "makeBeforeBreak": False},
                  {"domain": "RESOURCE", "name": "Install on site", "makeBeforeBreak": False}],
    }
    [five_g_service] = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (:ProductSpecification {id: 'spec-5g-connectivity'})-[:REALIZED_AS]->(s) RETURN s.id AS id",
    )
    assert five_g_service["id"] == "svc-spec-5g-data"


async def test_importing_twice_changes_nothing(neo4j_driver: AsyncDriver, neo4j_database: str) -> None:
    base = parse(demo_document())
    await import_installed_base(neo4j_driver, neo4j_database, base)
    counts = await counts_by_label(neo4j_driver, neo4j_database)
    before = await snapshot(neo4j_driver, neo4j_database)

    again = await import_installed_base(neo4j_driver, neo4j_database, base, batch_size=3)

    assert not again.written.changed_anything
    assert await counts_by_label(neo4j_driver, neo4j_database) == counts
    assert await snapshot(neo4j_driver, neo4j_database) == before


async def test_a_changed_file_updates_in_place(neo4j_driver: AsyncDriver, neo4j_database: str) -> None:
    await import_installed_base(neo4j_driver, neo4j_database, parse(small_document()))
    changed = small_document()
    line = item(changed, 0, 0, 0)
    line["characteristics"]["speed"] = "100 Mbps"
    # The extra moves from account A's bundle to account B's bundle.
    extra = item(changed, 0, 0).pop("children")[1]
    item(changed, 0, 0)["children"] = [line]
    item(changed, 1, 0)["children"].append(dict(extra, locationId="loc-b", state="SUSPENDED"))
    changed["catalog"]["productSpecifications"][0]["bundles"][1]["max"] = 3
    changed["catalog"]["productSpecifications"][0]["version"] = "2"  # a stored version never changes

    summary = await import_installed_base(neo4j_driver, neo4j_database, parse(changed), mode="update")

    [events] = await rows(neo4j_driver, neo4j_database, "MATCH (e:InventoryEvent) RETURN count(e) AS n")
    assert events["n"] > 0  # every changed item has its history
    assert summary.written.nodes_created == 1 + events["n"]  # and version 2 is stored beside version 1
    found = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (p:ProductInventory) WHERE p.id IN ['pi-a-line', 'pi-a-extra', 'pi-a'] "
        "RETURN p.id AS id, p.version AS version, p.accountId AS account, p.characteristics AS chars, "
        "[(p)<-[:HAS_CHILD|OWNS]-(x) | x.id] AS parents, [(p)-[:AT]->(l) | l.id] AS places ORDER BY id",
    )
    assert found == [
        {"id": "pi-a", "version": 1, "account": "acc-a", "chars": "{}", "parents": ["acc-a"],
         "places": ["loc-a"]},
        {"id": "pi-a-extra", "version": 2, "account": "acc-b", "chars": "{}", "parents": ["pi-b"],
         "places": ["loc-b"]},
        {"id": "pi-a-line", "version": 2, "account": "acc-a",
         "chars": json.dumps({"label": "anything", "speed": "100 Mbps"}), "parents": ["pi-a"],
         "places": ["loc-a"]},
    ]
    [bundle] = await rows(
        neo4j_driver, neo4j_database,
        "MATCH (:ProductSpecification {id: 'spec-bundle'})"
        "-[b:BUNDLES]->(:ProductSpecification {id: 'spec-extra'}) "
        "RETURN b.max AS max, count { (:ProductSpecification)-[:BUNDLES]->() } AS all",
    )
    assert bundle == {"max": 3, "all": 2}


async def test_an_invalid_file_writes_nothing(
    neo4j_driver: AsyncDriver, neo4j_database: str, neo4j_settings: Settings
) -> None:
    doc = copy.deepcopy(demo_document())
    doc["accounts"][0]["inventory"][0]["children"][0]["specificationId"] = "spec-6g-connectivity"
    out = io.StringIO()

    status = await import_text(json.dumps(doc), "broken.json", neo4j_settings, out)

    assert status == 1
    expected = "accounts[0].inventory[0].children[0].specificationId: unknown product specification"
    assert expected in out.getvalue()
    assert await counts_by_label(neo4j_driver, neo4j_database) == {}


async def test_cli_demo_imports_once_when_asked_to_respect_existing_data(
    neo4j_driver: AsyncDriver, neo4j_database: str, neo4j_settings: Settings
) -> None:
    first, second = io.StringIO(), io.StringIO()
    assert await import_text(demo_text(), "demo.json", neo4j_settings, first, if_empty=True) == 0
    assert "inventory: 50 product and" in first.getvalue()
    assert await import_text(demo_text(), "demo.json", neo4j_settings, second, if_empty=True) == 0
    assert "already holds accounts" in second.getvalue()
    assert (await counts_by_label(neo4j_driver, neo4j_database))["ProductInventory"] == 50
