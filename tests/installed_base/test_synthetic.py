"""The synthetic generator: the tree shape it promises, and what it writes."""

from __future__ import annotations

from neo4j import AsyncDriver

from installed_base.synthetic import build_tree_rows, generate, items_per_tree, synthetic_catalog


def test_items_per_tree() -> None:
    assert items_per_tree(1, 7) == 1
    assert items_per_tree(3, 4) == 1 + 4 + 16
    assert items_per_tree(2, 10_000) == 10_001


def test_tree_rows_put_parents_first_and_respect_the_catalog() -> None:
    rows = list(build_tree_rows(3, depth=4, width=3, seed=7))
    assert len(rows) == items_per_tree(4, 3)
    seen: set[str] = set()
    children: dict[str, int] = {}
    for row in rows:
        assert row["parentId"] is None or row["parentId"] in seen
        seen.add(row["id"])
        if row["parentId"] is not None:
            children[row["parentId"]] = children.get(row["parentId"], 0) + 1
    assert [r["parentId"] for r in rows].count(None) == 1
    assert set(children.values()) == {3}
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["accountId"] for r in rows} == {"acc-syn-00003"}
    specs = {s.id: s for s in synthetic_catalog(4, 3).product_specifications}
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        if row["parentId"] is not None:
            rule = specs[by_id[row["parentId"]]["specificationId"]].bundles[0]
            assert rule.specification_id == row["specificationId"] and rule.max >= 3


def test_tree_rows_are_deterministic_per_seed() -> None:
    first = list(build_tree_rows(1, depth=3, width=5, seed=1))
    assert first == list(build_tree_rows(1, depth=3, width=5, seed=1))
    assert first != list(build_tree_rows(1, depth=3, width=5, seed=2))


async def test_generate_writes_the_expected_trees(neo4j_driver: AsyncDriver, neo4j_database: str) -> None:
    written = await generate(neo4j_driver, neo4j_database, accounts=3, depth=4, width=3, batch_size=17,
                             progress=False)

    assert written == 3 * 40
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (p:ProductInventory) "
        "RETURN count(p) AS items, count { MATCH (:Account)-[:OWNS]->(:ProductInventory) } AS roots, "
        "count { MATCH (:Entitlement)-[:COVERS]->(:ProductInventory) } AS covered, "
        "max(size([(p)<-[:HAS_CHILD*]-(x) | x])) AS depth, "
        "min(count { (p)-[:INSTANCE_OF]->() }) AS typed",
        database_=neo4j_database,
    )
    assert records[0].data() == {"items": 120, "roots": 3, "covered": 3, "depth": 3, "typed": 1}
    widths, _, _ = await neo4j_driver.execute_query(
        "MATCH (p:ProductInventory) WHERE (p)-[:HAS_CHILD]->() "
        "RETURN DISTINCT count { (p)-[:HAS_CHILD]->() } AS width",
        database_=neo4j_database,
    )
    assert [r["width"] for r in widths] == [3]


async def test_generating_again_adds_a_separate_base(neo4j_driver: AsyncDriver, neo4j_database: str) -> None:
    await generate(neo4j_driver, neo4j_database, accounts=2, depth=3, width=2, progress=False)
    await generate(neo4j_driver, neo4j_database, accounts=2, depth=3, width=2, progress=False)
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (n) RETURN count(n) AS nodes, count { MATCH ()-[r]->() } AS links", database_=neo4j_database
    )
    items = 2 * items_per_tree(3, 2)
    # Per run (each run has its own id prefix): 3 level specifications with their stored versions,
    # then an account, location, contract and entitlement per account.
    # Links: 2 BUNDLES on the specifications and 2 on their versions, 3 HAS_VERSION; HAS_LOCATION,
    # HAS_CONTRACT, GRANTS, COVERS and OWNS per account; HAS_CHILD per non-root item; INSTANCE_OF and AT per item.
    per_run = {"nodes": 6 + 4 * 2 + items, "links": 7 + 5 * 2 + (items - 2) + 2 * items}
    assert records[0].data() == {"nodes": 2 * per_run["nodes"], "links": 2 * per_run["links"]}
