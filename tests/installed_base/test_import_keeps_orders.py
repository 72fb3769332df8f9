"""Import and generation never undo what orders did; specification versions are immutable."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from neo4j import AsyncDriver

from graph.driver import Graph
from graph.importer import ImportRefused, import_installed_base
from installed_base.cli import main
from installed_base.synthetic import generate, shape_problem
from installed_base.validate import parse, validate
from service.settings import Settings
from tests.builders import account, document, item, spec


def base_doc() -> dict:
    return document(
        [spec("v-bundle", bundles=[("v-leaf", 0, 2)]), spec("v-leaf", characteristics={"speed": ["1", "2"]})],
        account("acc-v", item("v-root", "v-bundle", item("v-leaf-1", "v-leaf", speed="1"))),
    )


async def fetch(driver: AsyncDriver, database: str, cypher: str, **params: object) -> list[dict]:
    records, _, _ = await driver.execute_query(cypher, params, database_=database)
    return [r.data() for r in records]


class TestReimportLeavesOrdersEffects:
    async def test_existing_items_are_skipped_and_keep_what_orders_did(
        self, neo4j_driver: AsyncDriver, neo4j_database: str
    ) -> None:
        await import_installed_base(neo4j_driver, neo4j_database, parse(base_doc()))
        # what an order did since: the leaf was disconnected, and the root is in an open order
        await fetch(neo4j_driver, neo4j_database,
                    "MATCH (p:ProductInventory {id: 'v-leaf-1'}) SET p.state = 'INACTIVE', p.version = 7")

        summary = await import_installed_base(neo4j_driver, neo4j_database, parse(base_doc()))

        [leaf] = await fetch(neo4j_driver, neo4j_database,
                             "MATCH (p:ProductInventory {id: 'v-leaf-1'}) RETURN p.state AS state, p.version AS v")
        assert leaf == {"state": "INACTIVE", "v": 7}
        assert sorted(summary.skipped["product inventory"]) == ["v-leaf-1", "v-root"]
        assert summary.skipped["accounts"] == ["acc-v"]
        assert not summary.written.changed_anything

    async def test_update_mode_writes_history_and_refuses_items_in_open_orders(
        self, neo4j_driver: AsyncDriver, neo4j_database: str
    ) -> None:
        await import_installed_base(neo4j_driver, neo4j_database, parse(base_doc()))
        changed = base_doc()
        changed["accounts"][0]["inventory"][0]["children"][0]["characteristics"] = {"speed": "2"}

        await import_installed_base(neo4j_driver, neo4j_database, parse(changed), mode="update")

        events = await fetch(neo4j_driver, neo4j_database,
                             "MATCH (:ProductInventory {id: 'v-leaf-1'})-[:HAS_EVENT]->(e) "
                             "RETURN e.field AS field, e.toValue AS to")
        assert events == [{"field": "characteristics", "to": json.dumps({"speed": "2"})}]

        await fetch(neo4j_driver, neo4j_database,
                    "CREATE (:CustomerOrder {id: 'ord-open', state: 'DRAFT'}) WITH 1 AS x "
                    "MATCH (p:ProductInventory {id: 'v-root'}) SET p.openOrderId = 'ord-open'")
        before = await fetch(neo4j_driver, neo4j_database, "MATCH (n) RETURN count(n) AS n")
        with pytest.raises(ImportRefused) as refused:
            await import_installed_base(neo4j_driver, neo4j_database, parse(base_doc()), mode="update")
        assert [p.path for p in refused.value.problems] == ["accounts[0].inventory[0]"]
        assert "ord-open" in refused.value.problems[0].message
        assert await fetch(neo4j_driver, neo4j_database, "MATCH (n) RETURN count(n) AS n") == before
        await fetch(neo4j_driver, neo4j_database, "MATCH (n:CustomerOrder) DETACH DELETE n "
                                                  "WITH 1 AS x MATCH (p:ProductInventory) REMOVE p.openOrderId")


class TestChildrenAddedUnderStoredParents:
    """R2 across imports: a bundle's maximum counts the children already stored, not only the file's."""

    @staticmethod
    def doc(*leaves: str) -> dict:
        return document(
            [spec("w-bundle", bundles=[("w-leaf", 0, 2)]), spec("w-leaf")],
            account("acc-w", item("w-root", "w-bundle", *(item(leaf, "w-leaf") for leaf in leaves))),
        )

    async def test_one_child_too_many_refuses_the_whole_file_and_writes_nothing(
        self, neo4j_driver: AsyncDriver, neo4j_database: str
    ) -> None:
        await import_installed_base(neo4j_driver, neo4j_database, parse(self.doc("w-leaf-1")))
        before = await fetch(neo4j_driver, neo4j_database, "MATCH (n) RETURN count(n) AS n")
        assert validate(self.doc("w-leaf-2", "w-leaf-3")) == [], "the file alone is within the bundle"

        with pytest.raises(ImportRefused) as refused:
            await import_installed_base(neo4j_driver, neo4j_database, parse(self.doc("w-leaf-2", "w-leaf-3")))

        [problem] = refused.value.problems
        assert problem.path == "accounts[0].inventory[0].children[0]"
        assert "w-leaf-2, w-leaf-3" in problem.message and "'w-root' 3 installed 'w-leaf'" in problem.message
        assert "at most 2" in problem.message
        assert await fetch(neo4j_driver, neo4j_database, "MATCH (n) RETURN count(n) AS n") == before

        # an INACTIVE child is history, not part of the bundle: with it, there is room again
        await fetch(neo4j_driver, neo4j_database, "MATCH (p:ProductInventory {id: 'w-leaf-1'}) SET p.state = 'INACTIVE'")
        summary = await import_installed_base(neo4j_driver, neo4j_database, parse(self.doc("w-leaf-2", "w-leaf-3")))
        assert summary.skipped["product inventory"] == ["w-root"]
        children = await fetch(neo4j_driver, neo4j_database,
                               "MATCH (:ProductInventory {id: 'w-root'})-[:HAS_CHILD]->(c) WHERE c.state = 'ACTIVE' "
                               "RETURN c.id AS id ORDER BY id")
        assert children == [{"id": "w-leaf-2"}, {"id": "w-leaf-3"}]


class TestSpecificationVersionsAreImmutable:
    async def test_a_different_definition_under_a_stored_version_is_a_problem(
        self, neo4j_driver: AsyncDriver, neo4j_database: str
    ) -> None:
        await import_installed_base(neo4j_driver, neo4j_database, parse(base_doc()))
        changed = base_doc()
        changed["catalog"]["productSpecifications"][0]["bundles"][0]["max"] = 5

        with pytest.raises(ImportRefused) as refused:
            await import_installed_base(neo4j_driver, neo4j_database, parse(changed))

        assert [p.path for p in refused.value.problems] == ["catalog.productSpecifications[0]"]
        [bundle] = await fetch(neo4j_driver, neo4j_database,
                               "MATCH (:ProductSpecification {id: 'v-bundle'})-[b:BUNDLES]->() RETURN b.max AS max")
        assert bundle == {"max": 2}

    async def test_a_new_version_is_stored_beside_and_items_keep_theirs(
        self, neo4j_driver: AsyncDriver, neo4j_database: str
    ) -> None:
        await import_installed_base(neo4j_driver, neo4j_database, parse(base_doc()))
        newer = base_doc()
        newer["catalog"]["productSpecifications"][0].update(version="2", name="Bundle v2")
        newer["catalog"]["productSpecifications"][0]["bundles"][0]["max"] = 5
        newer["accounts"][0]["inventory"] = [item("v-root-2", "v-bundle")]

        await import_installed_base(neo4j_driver, neo4j_database, parse(newer))

        versions = await fetch(neo4j_driver, neo4j_database,
                               "MATCH (:ProductSpecification {id: 'v-bundle'})-[:HAS_VERSION]->(v)-[b:BUNDLES]->() "
                               "RETURN v.version AS version, b.max AS max ORDER BY version")
        assert versions == [{"version": "1", "max": 2}, {"version": "2", "max": 5}]
        found = await fetch(neo4j_driver, neo4j_database,
                            "MATCH (p:ProductInventory)-[:INSTANCE_OF]->(s {id: 'v-bundle'}) "
                            "RETURN p.id AS id, p.specVersion AS version, s.version AS newest ORDER BY id")
        assert found == [{"id": "v-root", "version": "1", "newest": "2"},
                         {"id": "v-root-2", "version": "2", "newest": "2"}]


class TestDepthBound:
    def chain(self, depth: int) -> dict:
        specs = [spec(f"d-{d}", bundles=[(f"d-{d + 1}", 0, 1)]) for d in range(depth)] + [spec(f"d-{depth}")]
        node = item(f"pi-d-{depth}", f"d-{depth}")
        for d in range(depth - 1, -1, -1):
            node = item(f"pi-d-{d}", f"d-{d}", node)
        return document(specs, account("acc-d", node))

    def test_import_at_the_bound_and_one_past_it(self) -> None:
        assert validate(self.chain(5), max_depth=5) == []
        [problem] = validate(self.chain(6), max_depth=5)
        assert problem.path == "accounts[0].inventory[0]" + ".children[0]" * 6
        assert "at most 5 levels" in problem.message
        assert validate(self.chain(64)) == []
        assert len(validate(self.chain(65))) == 1  # the default bound is 64

    def test_generator_at_the_bound_and_one_past_it(self) -> None:
        assert shape_problem(1, 6, 1, max_depth=5) is None  # six levels: the deepest item 5 below the root
        assert "at most 5 levels" in (shape_problem(1, 7, 1, max_depth=5) or "")
        assert shape_problem(1, 65, 1) is None and shape_problem(1, 66, 1) is not None

    def test_cli_uses_the_configured_bound(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = tmp_path / "deep.json"
        path.write_text(json.dumps(self.chain(4)))
        out = io.StringIO()
        monkeypatch.setenv("MACD_MAX_TREE_DEPTH", "3")
        assert main(["import", "--check", str(path)], out=out) == 1
        assert "at most 3 levels" in out.getvalue()
        monkeypatch.setenv("MACD_MAX_TREE_DEPTH", "4")
        assert main(["import", "--check", str(path)], out=io.StringIO()) == 0


class TestGeneratorRuns:
    async def test_each_run_has_its_own_ids_and_never_touches_existing_data(
        self, clean_graph: Graph, neo4j_database: str
    ) -> None:
        driver = clean_graph.driver
        await import_installed_base(driver, neo4j_database, parse(copy.deepcopy(base_doc())))
        before = await fetch(driver, neo4j_database, "MATCH (n) RETURN n.id AS id, n.version AS v ORDER BY id")

        await generate(driver, neo4j_database, 2, 2, 2, progress=False)
        await generate(driver, neo4j_database, 2, 2, 2, progress=False)

        accounts = await fetch(driver, neo4j_database, "MATCH (a:Account) WHERE a.segment = 'SYNTHETIC' "
                                                       "RETURN a.id AS id")
        assert len(accounts) == 4 and len({a["id"] for a in accounts}) == 4
        kept = await fetch(driver, neo4j_database,
                           "MATCH (n) WHERE n.id IN $ids RETURN n.id AS id, n.version AS v ORDER BY id",
                           ids=[r["id"] for r in before])
        assert kept == before
        await generate(driver, neo4j_database, 1, 2, 2, progress=False, prefix="mine")
        with pytest.raises(ValueError, match="already used"):
            await generate(driver, neo4j_database, 1, 2, 2, progress=False, prefix="mine")

    async def test_the_progress_bar_advances_at_least_every_thousand_items(
        self, clean_graph: Graph, neo4j_database: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import installed_base.synthetic as synthetic

        steps: list[int] = []
        original = synthetic.tqdm

        class Recording(original):  # type: ignore[misc, valid-type]
            def update(self, n: float | None = 1) -> bool | None:
                steps.append(int(n or 0))
                return super().update(n)

        monkeypatch.setattr(synthetic, "tqdm", Recording)
        written = await generate(clean_graph.driver, neo4j_database, 1, 2, 2500, batch_size=5000, progress=False)

        assert written == 2501 and sum(steps) == 2501
        assert max(steps) <= 1000


def test_settings_refuse_a_bound_the_reads_cannot_walk(neo4j_settings: Settings) -> None:
    from service.settings import load_settings

    assert load_settings({"MACD_MAX_TREE_DEPTH": "10"}).max_tree_depth == 10
    assert load_settings({}).max_tree_depth == 64
    with pytest.raises(ValueError):
        load_settings({"MACD_MAX_TREE_DEPTH": "65"})
