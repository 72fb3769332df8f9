"""Planned reads answer byte for byte what the resolvers answer.

Every query of a hand-written corpus, and of a corpus generated from the schema's fields, is sent
twice over HTTP: once as usual and once with `X-Read-Plan: off` (every field through its
resolver). The response bodies must be the same bytes, and the round trips show which path
answered: a planned query costs one statement per root field.
"""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest
from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLScalarType, get_named_type

from graph.driver import Graph
from graph.importer import import_installed_base
from installed_base import synthetic
from installed_base.demo import load_demo
from schema.planner import NotPlanned, storage_of
from schema.root import schema
from tests import builders
from tests.conftest import Api, LiveServer

ITEM_FIELDS = "id name state version depth createdAt characteristics { name value }"
SPEC_FIELDS = "id name version physical description characteristics { name values default }"
LOCATION_FIELDS = "id name address city country"

CORPUS: list[tuple[str, str, dict[str, Any], int]] = [
    # (name, query, variables, statements when planned)
    ("every planned field, three levels", f"""
     query ($id: ID!) {{ inventoryItem(id: $id) {{ {ITEM_FIELDS} specification {{ {SPEC_FIELDS} }}
       location {{ {LOCATION_FIELDS} }}
       children {{ {ITEM_FIELDS} specification {{ id name }} location {{ id }}
         children {{ id name state depth specification {{ name physical }} children {{ id depth }} }} }} }} }}""",
     {"id": "ROOT"}, 1),
    ("aliases, the same field twice, __typename everywhere", """
     query ($id: ID!) { first: inventoryItem(id: $id) { __typename key: id id label: name
       kids: children { __typename id n: name s: specification { __typename id } }
       again: children { id } } }""", {"id": "ROOT"}, 1),
    ("named and inline fragments merge", """
     fragment Spec on ProductSpecification { id name }
     fragment Node on ProductInventory { id state specification { ...Spec } }
     query ($id: ID!) { inventoryItem(id: $id) { ...Node ... on ProductInventory { name specification { version } }
       children { ...Node children { ...Node } } } }""", {"id": "ROOT"}, 1),
    ("skip and include", """
     query ($id: ID!, $yes: Boolean!, $no: Boolean!) { inventoryItem(id: $id) {
       id name @include(if: $yes) state @skip(if: $yes) children @include(if: $yes) { id location @skip(if: $no) { id } }
       specification @include(if: $no) { id } } }""", {"id": "ROOT", "yes": True, "no": False}, 1),
    ("unknown item is null", 'query { inventoryItem(id: "nope") { id children { id } } }', {}, 1),
    ("several roots and __typename", """
     query ($a: ID!, $b: ID!) { __typename one: inventoryItem(id: $a) { id } two: inventoryItem(id: $b) { id name }
       inventoryTree(rootId: $a, maxDepth: 1) { nodes { id } } }""", {"a": "ROOT", "b": "CHILD"}, 3),
    ("a tree, flat", f"""
     query ($id: ID!) {{ inventoryTree(rootId: $id) {{ __typename nodes {{ {ITEM_FIELDS} specification {{ name }}
       location {{ name city }} }} edges {{ parentId childId __typename }} }} }}""", {"id": "ROOT"}, 1),
    ("a tree cut at depth zero and one", """
     query ($id: ID!) { zero: inventoryTree(rootId: $id, maxDepth: 0) { nodes { id depth } edges { childId } }
       one: inventoryTree(rootId: $id, maxDepth: 1) { e: edges { p: parentId c: childId } nodes { d: depth id } } }""",
     {"id": "ROOT"}, 2),
    ("a tree node's children are one level deeper", """
     query ($id: ID!) { inventoryTree(rootId: $id, maxDepth: 1) { nodes { id depth children { id depth } } } }""",
     {"id": "ROOT"}, 1),
    ("an unknown tree is empty", 'query { inventoryTree(rootId: "nope") { nodes { id } edges { parentId } } }', {}, 1),
    ("a subtree from a child", """
     query ($id: ID!) { inventoryItem(id: $id) { id depth children { id depth } } }""", {"id": "CHILD"}, 1),
    ("parents and child counts, at every level", """
     query ($id: ID!) { inventoryItem(id: $id) { id childCount parent { id depth childCount }
       children { id n: childCount parent { id name depth children { id depth } } children { parent { id } } } } }""",
     {"id": "CHILD"}, 1),
    ("a root has no parent", """
     query ($id: ID!) { inventoryItem(id: $id) { __typename id parent { id } childCount } }""", {"id": "ROOT"}, 1),
    ("tree edges aliased, one field, the same field twice, __typename", """
     query ($id: ID!) { a: inventoryTree(rootId: $id) { e: edges { c: childId } n: nodes { id childCount } }
       b: inventoryTree(rootId: $id, maxDepth: 1) { edges { up: parentId parentId } }
       c: inventoryTree(rootId: $id) { __typename edges { __typename childId parentId } nodes { __typename } } }""",
     {"id": "ROOT"}, 3),
    ("the level an explorer asks for", """
     query ($r0: ID!, $r1: ID!) {
       t0: inventoryTree(rootId: $r0, maxDepth: 1) { nodes { id name state childCount specification { id name }
         location { id name } } edges { parentId childId } }
       t1: inventoryTree(rootId: $r1, maxDepth: 1) { nodes { id name state childCount specification { id name }
         location { id name } } edges { parentId childId } } }""", {"r0": "ROOT", "r1": "CHILD"}, 2),
]

# Queries the planner leaves to the resolvers: the answer must still be the same.
RESOLVED: list[tuple[str, str, dict[str, Any]]] = [
    ("the parent of a walk's nodes (the resolvers say none at the walk's start)",
     "query ($id: ID!) { inventoryTree(rootId: $id) { nodes { id parent { id } specification { id } } } }",
     {"id": "ROOT"}),
    ("a field with a resolver and no planned storage",
     "query ($id: ID!) { inventoryItem(id: $id) { id parent { id } children { id openOrder { id } } } }",
     {"id": "ROOT"}),
    ("a root field the planner does not know", 'query { account(id: "acc-northwind") { id roots { id } } }', {}),
    ("an export", "query ($id: ID!) { inventoryTree(rootId: $id) { export(format: MERMAID) } }", {"id": "ROOT"}),
    ("a refused argument", "query ($id: ID!) { inventoryTree(rootId: $id, maxDepth: -1) { nodes { id } } }",
     {"id": "ROOT"}),
    ("another root field", "query ($id: ID!) { inventoryItem(id: $id) { id } productSpecifications { id } }",
     {"id": "ROOT"}),
]


async def post(api: Api, query: str, variables: dict[str, Any], planned: bool) -> bytes:
    headers = {} if planned else {"X-Read-Plan": "off"}
    response = await api.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.content


async def both_ways(api: Api, server: LiveServer, query: str, variables: dict[str, Any]) -> tuple[bytes, int]:
    """Both answers (asserted equal) and the statements the default path sent."""
    before = server.round_trips
    planned = await post(api, query, variables, planned=True)
    statements = server.round_trips - before
    resolved = await post(api, query, variables, planned=False)
    assert planned == resolved
    # Errors only where expected: a refused maxDepth, or a generated document over the request limits
    # (docs/security.md), which both paths refuse before running anything.
    limited = b'"QUERY_TOO_COSTLY"' in planned or b'"QUERY_TOO_DEEP"' in planned
    assert b'"errors"' not in planned or "maxDepth" in query or limited, planned
    return planned, statements


def bind(variables: dict[str, Any], root: str, child: str) -> dict[str, Any]:
    return {k: {"ROOT": root, "CHILD": child}.get(v, v) if isinstance(v, str) else v for k, v in variables.items()}


async def roots_with_child(graph: Graph) -> list[tuple[str, str]]:
    records, _, _ = await graph.driver.execute_query(
        "MATCH (r:ProductInventory) WHERE NOT ()-[:HAS_CHILD]->(r) MATCH (r)-[:HAS_CHILD]->(c) "
        "RETURN r.id AS root, min(c.id) AS child ORDER BY root", database_=graph.database)
    return [(r["root"], r["child"]) for r in records]


@pytest.fixture
async def demo(clean_graph: Graph) -> list[tuple[str, str]]:
    await import_installed_base(clean_graph.driver, clean_graph.database, load_demo())
    return await roots_with_child(clean_graph)


@pytest.fixture
async def generated(clean_graph: Graph) -> list[tuple[str, str]]:
    await synthetic.generate(clean_graph.driver, clean_graph.database, accounts=2, depth=4, width=5,
                             progress=False, seed=3)
    return await roots_with_child(clean_graph)


async def test_the_corpus_is_answered_the_same_by_the_planner_on_the_demo_data(
    demo: list[tuple[str, str]], api: Api, live_server: LiveServer
) -> None:
    assert len(demo) >= 3
    for root, child in demo:
        for name, query, variables, statements in CORPUS:
            answer, sent = await both_ways(api, live_server, query, bind(variables, root, child))
            assert sent == statements, f"{name} was not planned ({sent} statements)"
            assert answer.startswith(b'{"data":')
    # A spot check that the answers are about the data, not two equal empty shapes.
    body = await post(api, CORPUS[0][1], {"id": "pi-northwind-mbb"}, planned=True)
    assert b"pi-northwind-4g-router" in body and b"Mobile Broadband" in body and b'"depth":1' in body


async def test_queries_the_planner_cannot_answer_go_to_the_resolvers(
    demo: list[tuple[str, str]], api: Api, live_server: LiveServer
) -> None:
    root, child = next(pair for pair in demo if pair[0] == "pi-northwind-mbb")
    for name, query, variables in RESOLVED:
        _, sent = await both_ways(api, live_server, query, bind(variables, root, child))
        assert sent != 1, f"{name} was planned"


async def test_the_corpus_is_answered_the_same_on_a_generated_tree(
    generated: list[tuple[str, str]], api: Api, live_server: LiveServer
) -> None:
    root, child = generated[0]
    for name, query, variables, statements in CORPUS:
        answer, sent = await both_ways(api, live_server, query, bind(variables, root, child))
        assert sent == statements, f"{name} was not planned"
        assert b'"id"' in answer or "nope" in query, name


def planned_leaves(type_name: str) -> list[str]:
    """Every scalar or enum field of the type that the planner answers, read from the schema itself,
    so a field added to the type is in the generated corpus the day it is added."""
    type_ = schema._schema.get_type(type_name)
    assert isinstance(type_, GraphQLObjectType)
    leaves = ["__typename"]
    for name, field in type_.fields.items():
        if field.args or not isinstance(get_named_type(field.type), GraphQLScalarType | GraphQLEnumType):
            continue
        try:
            storage_of(type_, name, field)
        except NotPlanned:
            continue
        leaves.append(name)
    return leaves


def test_the_generated_corpus_covers_the_planned_leaves() -> None:
    assert {"id", "name", "state", "version", "depth", "createdAt"} <= set(planned_leaves("ProductInventory"))
    assert {"id", "name", "version", "physical", "description"} <= set(planned_leaves("ProductSpecification"))
    assert {"id", "name", "address", "city", "country"} <= set(planned_leaves("Location"))


def random_selection(rng: random.Random, type_name: str, level: int, fragments: list[str], walk: bool = False) -> str:
    """A random selection set over the planned fields of `type_name`, with aliases, fragments and directives
    (`walk`: for the nodes of an inventoryTree, where `parent` is left to the resolvers)."""
    leaves = planned_leaves(type_name)
    parts = []
    for leaf in rng.sample(leaves, rng.randint(1, len(leaves))):
        alias = f"a{rng.randint(0, 3)}_{leaf.strip('_')}: " if rng.random() < 0.3 else ""
        directive = rng.choice(["", "", "", " @include(if: $yes)", " @skip(if: $yes)", " @skip(if: $no)"])
        parts.append(f"{alias}{leaf}{directive}")
    if type_name == "ProductInventory":
        if rng.random() < 0.5:
            parts.append("characteristics { " + " ".join(rng.sample(["name", "value", "__typename"], 2)) + " }")
        if rng.random() < 0.6:
            parts.append("specification { " + random_selection(rng, "ProductSpecification", level + 1, fragments) + " }")
        if rng.random() < 0.4:
            parts.append("location { " + random_selection(rng, "Location", level + 1, fragments) + " }")
        if level < 3 and rng.random() < 0.7:
            parts.append("children { " + random_selection(rng, "ProductInventory", level + 1, fragments) + " }")
        if level < 3 and not walk and rng.random() < 0.2:
            parts.append("parent { " + random_selection(rng, "ProductInventory", level + 2, fragments) + " }")
    if type_name == "ProductSpecification" and rng.random() < 0.3:
        parts.append("characteristics { name values default }")
    if rng.random() < 0.25:
        name = f"F{len(fragments)}"
        fragments.append(f"fragment {name} on {type_name} {{ {' '.join(rng.sample(leaves, 2))} }}")
        parts.append(f"...{name}")
    if rng.random() < 0.2:
        parts.append(f"... on {type_name} {{ {rng.choice(leaves)} }}")
    rng.shuffle(parts)
    return " ".join(parts)


def random_query(rng: random.Random) -> str:
    fragments: list[str] = []
    if rng.random() < 0.6:
        body = "inventoryItem(id: $id) { " + random_selection(rng, "ProductInventory", 0, fragments) + " }"
    else:
        edges = " edges { parentId childId }" if rng.random() < 0.5 else ""
        depth = rng.choice(["", ", maxDepth: 1", ", maxDepth: 2"])
        body = (f"inventoryTree(rootId: $id{depth}) {{ nodes {{ "
                + random_selection(rng, "ProductInventory", 2, fragments, walk=True) + f" }}{edges} }}")
    text = " ".join(fragments) + " " + body
    declared = ["$id: ID!"] + [f"${v}: Boolean!" for v in ("yes", "no") if f"${v})" in text]
    return " ".join(fragments) + " query (" + ", ".join(declared) + ") { " + body + " }"


async def test_generated_queries_are_answered_the_same_on_demo_and_generated_trees(
    clean_graph: Graph, api: Api, live_server: LiveServer
) -> None:
    await import_installed_base(clean_graph.driver, clean_graph.database, load_demo())
    await synthetic.generate(clean_graph.driver, clean_graph.database, accounts=1, depth=4, width=4,
                             progress=False, seed=5)
    trees = await roots_with_child(clean_graph)
    rng = random.Random(20261201)
    for _ in range(40):
        query = random_query(rng)
        root, child = rng.choice(trees)
        variables = {"id": rng.choice([root, child]), "yes": rng.random() < 0.5, "no": False}
        answer, sent = await both_ways(api, live_server, query, variables)
        refused = b'"QUERY_TOO_COSTLY"' in answer or b'"QUERY_TOO_DEEP"' in answer  # before any statement
        assert sent == (0 if refused else 1), query


def named(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return {**doc, "name": name}


def tree_named(prefix: str, names: list[str]) -> dict[str, Any]:
    """A root, two sites and under each site leaves called `names` (so one depth holds every name twice)."""
    sites = [builders.item(f"{prefix}-site-{s}", "s-site", *(named(builders.item(f"{prefix}-{s}-{i}", "s-leaf"), n)
                                                               for i, n in enumerate(names)))
             for s in (1, 2)]
    return builders.item(f"{prefix}-root", "s-root", *sites)


TREE_QUERY = """query ($id: ID!) { inventoryTree(rootId: $id) { nodes { id name depth childCount
  children { id parent { id } } } edges { parentId childId } } }"""


async def test_a_walk_is_ordered_by_name_as_neo4j_orders_it(clean_graph: Graph, api: Api,
                                                             live_server: LiveServer) -> None:
    """Names from every part of Unicode sort alike in Python and in Neo4j, and the planner answers;
    names where the two orders could differ (U+E000..U+FFFF against beyond U+FFFF) go to the resolvers."""
    specs = [builders.spec("s-root", bundles=[("s-site", 0, 9)]), builders.spec("s-site", bundles=[("s-leaf", 0, 99)]),
             builders.spec("s-leaf")]
    alike = ["zeta", "Zeta", "alpha", "Émile", "e\u0301mile", "\uff21 wide", "\ue000 private", "b", "", "ñ", "Ω"]
    ambiguous = ["\uff21 wide", "\U0001f600 smile", "plain"]
    await builders.load(clean_graph, builders.document(
        specs, builders.account("acc-sort", tree_named("alike", alike), tree_named("mixed", ambiguous))))
    answer, sent = await both_ways(api, live_server, TREE_QUERY, {"id": "alike-root"})
    assert sent == 1
    names = [n["name"] for n in orjson.loads(answer)["data"]["inventoryTree"]["nodes"] if n["depth"] == 2]
    assert names == sorted(alike * 2)
    answer, sent = await both_ways(api, live_server, TREE_QUERY, {"id": "mixed-root"})
    assert sent > 1  # the resolvers' statements
    assert len(orjson.loads(answer)["data"]["inventoryTree"]["nodes"]) == 1 + 2 + 2 * len(ambiguous)
