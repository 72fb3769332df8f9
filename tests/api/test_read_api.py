"""The read API through GraphQL over HTTP against the real Neo4j."""

from __future__ import annotations

import httpx

from graph.driver import Graph
from graph.importer import import_installed_base
from installed_base.demo import load_demo
from tests.builders import account, document, item, load, spec, wide_and_deep
from tests.conftest import Api, LiveServer

NESTED = """
query ($id: ID!) {
  account(id: $id) {
    name
    roots { id name state specification { id name physical } location { id name }
      children { id name state specification { id physical } location { id }
        children { id name } } }
  }
}
"""


async def load_demo_data(graph: Graph) -> None:
    await import_installed_base(graph.driver, graph.database, load_demo())


async def test_nested_account_query_returns_the_4g_to_5g_tree(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    data = await api(NESTED, id="acc-northwind")
    roots = {r["id"]: r for r in data["account"]["roots"]}
    mbb = roots["pi-northwind-mbb"]
    assert mbb["specification"]["name"] == "Mobile Broadband"
    children = {c["id"]: c for c in mbb["children"]}
    assert set(children) == {"pi-northwind-4g-connectivity", "pi-northwind-4g-router"}
    assert children["pi-northwind-4g-router"]["specification"]["physical"] is True
    assert children["pi-northwind-4g-connectivity"]["specification"]["physical"] is False
    assert all(c["state"] == "ACTIVE" for c in children.values())
    assert mbb["location"]["id"] == "loc-northwind-hq"


async def test_unknown_ids_give_null_or_empty(clean_graph: Graph, api: Api) -> None:
    data = await api(
        'query { account(id: "nope") { id } inventoryItem(id: "nope") { id } '
        'productSpecification(id: "nope") { id } order(id: "nope") { id } '
        'inventoryTree(rootId: "nope") { nodes { id } edges { parentId } } }'
    )
    assert data == {
        "account": None,
        "inventoryItem": None,
        "productSpecification": None,
        "order": None,
        "inventoryTree": {"nodes": [], "edges": []},
    }


async def test_malformed_arguments_name_the_argument(clean_graph: Graph, api: Api) -> None:
    body = await api.raw("query { accounts(first: 0) { totalCount } }")
    assert "first" in body["errors"][0]["message"]
    body = await api.raw('query { inventoryTree(rootId: "x", maxDepth: -1) { nodes { id } } }')
    assert "maxDepth" in body["errors"][0]["message"]
    body = await api.raw('query { accounts(after: "not-a-cursor") { totalCount } }')
    assert "after" in body["errors"][0]["message"]
    body = await api.raw("query { inventoryTree { nodes { id } } }")
    assert "rootId" in body["errors"][0]["message"]
    assert "Traceback" not in str(body)


async def test_accounts_paginate_and_search(clean_graph: Graph, api: Api) -> None:
    specs = [spec("s-root")]
    await load(clean_graph, document(
        specs,
        *(account(f"acc-{i:02d}", item(f"pi-{i:02d}", "s-root", location=f"loc-{i:02d}"),
                  locations=(f"loc-{i:02d}",)) for i in range(5)),
    ))
    query = "query ($after: String, $search: String) { accounts(first: 2, after: $after, search: $search) " \
            "{ totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"
    seen: list[str] = []
    after = None
    while True:
        page = (await api(query, after=after))["accounts"]
        assert page["totalCount"] == 5
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"acc-{i:02d}" for i in range(5)]
    defaults = await api("{ accounts(first: null) { edges { node { id } } } }")
    assert len(defaults["accounts"]["edges"]) == 5
    found = (await api(query, search="ACC-03"))["accounts"]
    assert [e["node"]["id"] for e in found["edges"]] == ["acc-03"]


async def test_inventory_tree_is_one_flat_answer_with_depth_limit(clean_graph: Graph, api: Api) -> None:
    specs, root = wide_and_deep("t", levels=3, width=4)
    await load(clean_graph, document(specs, account("acc-1", root)))
    query = "query ($d: Int) { inventoryTree(rootId: \"t-0\", maxDepth: $d) " \
            "{ nodes { id depth } edges { parentId childId } } }"
    full = (await api(query, d=None))["inventoryTree"]
    assert len(full["nodes"]) == 1 + 4 + 16 + 64
    assert len(full["edges"]) == len(full["nodes"]) - 1
    assert {"parentId": "t-0.1", "childId": "t-0.1.2"} in full["edges"]
    two = (await api(query, d=1))["inventoryTree"]
    assert sorted(n["id"] for n in two["nodes"]) == ["t-0", "t-0.0", "t-0.1", "t-0.2", "t-0.3"]
    assert max(n["depth"] for n in two["nodes"]) == 1


async def test_ancestors_parent_and_account_of_a_deep_item(clean_graph: Graph, api: Api) -> None:
    specs, root = wide_and_deep("d", levels=12, width=1)
    await load(clean_graph, document(specs, account("acc-1", root)))
    deepest = "d-0" + ".0" * 12
    data = await api(
        "query ($id: ID!) { inventoryItem(id: $id) { parent { id } ancestors { id } account { id } } }", id=deepest
    )
    node = data["inventoryItem"]
    assert node["parent"]["id"] == "d-0" + ".0" * 11
    assert [a["id"] for a in node["ancestors"]] == ["d-0" + ".0" * k for k in range(12)]
    assert node["account"]["id"] == "acc-1"


async def test_nested_fields_cost_a_query_per_level_not_per_parent(
    clean_graph: Graph, api: Api, live_server: LiveServer
) -> None:
    specs, root = wide_and_deep("w", levels=2, width=30)
    await load(clean_graph, document(specs, account("acc-1", root)))
    query = "{ account(id: \"acc-1\") { roots { id specification { id } children { id specification { id } " \
            "location { id } children { id specification { id } location { id } } } } } }"
    before = live_server.round_trips
    data = await api(query)
    cost = live_server.round_trips - before
    assert len(data["account"]["roots"][0]["children"]) == 30
    # account, roots, children, grandchildren, specifications and locations: a few per level
    assert cost <= 8, cost


async def test_specification_exposes_bundles_and_physical_flag(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    data = await api(
        '{ productSpecification(id: "spec-mobile-broadband") { name physical '
        "bundles { min max specification { id physical } } } }"
    )
    bundles = {b["specification"]["id"]: b for b in data["productSpecification"]["bundles"]}
    assert bundles["spec-4g-router"]["specification"]["physical"] is True
    assert {"spec-4g-connectivity", "spec-5g-connectivity", "spec-5g-router"} <= set(bundles)
    assert all(b["max"] >= 1 for b in bundles.values())


async def test_account_contracts_entitlements_services(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    data = await api(
        '{ account(id: "acc-northwind") { locations { id } contracts { id state entitlements { id product { id } } } } '
        'inventoryItem(id: "pi-northwind-4g-connectivity") { services { id state } entitlement { id state } } }'
    )
    covered = {e["product"]["id"] for c in data["account"]["contracts"] for e in c["entitlements"] if e["product"]}
    assert "pi-northwind-4g-connectivity" in covered
    assert data["inventoryItem"]["services"][0]["state"] == "ACTIVE"
    assert data["inventoryItem"]["entitlement"]["state"] == "ACTIVE"


def test_health_and_readiness(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{live_server.url}/readyz").json() == {"status": "ready"}
