"""inventoryTree { export(format) } through GraphQL: the subtree in formats other tools read."""

from __future__ import annotations

import io
import json

import networkx as nx
import pydot

from graph.driver import Graph
from tests.builders import account, document, load, wide_and_deep
from tests.conftest import Api

QUERY = 'query ($f: TreeExportFormat!) { inventoryTree(rootId: "e-0", maxDepth: 2) { export(format: $f) } }'


async def test_every_export_format_holds_the_subtree(clean_graph: Graph, api: Api) -> None:
    specs, root = wide_and_deep("e", levels=3, width=3)
    await load(clean_graph, document(specs, account("acc-1", root)))
    expected_nodes = 1 + 3 + 9  # maxDepth 2

    graphml = (await api(QUERY, f="GRAPHML"))["inventoryTree"]["export"]
    parsed = nx.read_graphml(io.BytesIO(graphml.encode()))
    assert parsed.number_of_nodes() == expected_nodes and parsed.number_of_edges() == expected_nodes - 1

    dot = (await api(QUERY, f="DOT"))["inventoryTree"]["export"]
    (graph,) = pydot.graph_from_dot_data(dot)
    assert len(graph.get_edges()) == expected_nodes - 1

    cyto = json.loads((await api(QUERY, f="CYTOSCAPE_JSON"))["inventoryTree"]["export"])
    assert len(cyto["elements"]["nodes"]) == expected_nodes
    assert {e["data"]["source"] for e in cyto["elements"]["edges"]} >= {"e-0"}

    mermaid = (await api(QUERY, f="MERMAID"))["inventoryTree"]["export"]
    assert mermaid.startswith("flowchart TD")
    assert mermaid.count("-->") == expected_nodes - 1


ACCOUNT_EXPORT = """query ($f: TreeExportFormat!, $d: LayoutDirection, $all: Boolean) {
  account(id: "acc-northwind") { export(format: $f, direction: $d, includeInactive: $all) } }"""


async def test_an_account_exports_every_tree_not_only_the_first(clean_graph: Graph, api: Api) -> None:
    from tests.api.lifecycle_steps import load_demo_data
    from tests.exports.parsers import load_cytoscape, parse_dot, read_mermaid, yed_nodes

    await load_demo_data(clean_graph)
    roots = (await api('{ account(id: "acc-northwind") { roots { id } } }'))["account"]["roots"]
    tree_sizes = [
        len((await api("query ($r: ID!) { inventoryTree(rootId: $r) { nodes { id } } }", r=r["id"]))
            ["inventoryTree"]["nodes"])
        for r in roots
    ]
    assert len(roots) > 1

    graphml = (await api(ACCOUNT_EXPORT, f="GRAPHML", d="LEFT_RIGHT"))["account"]["export"]
    parsed = nx.read_graphml(io.BytesIO(graphml.encode()))
    assert parsed.number_of_nodes() == sum(tree_sizes)
    assert parsed.number_of_edges() == sum(tree_sizes) - len(roots)
    assert {n for n, d in parsed.in_degree() if d == 0} == {r["id"] for r in roots}
    assert parsed.nodes["pi-northwind-4g-router"]["specificationId"] == "spec-4g-router"
    assert yed_nodes(graphml)["pi-northwind-4g-router"]["label"].startswith("4G Router")

    cyto = load_cytoscape((await api(ACCOUNT_EXPORT, f="CYTOSCAPE_JSON"))["account"]["export"])
    assert sorted(cyto["roots"]) == sorted(r["id"] for r in roots)
    dot = (await api(ACCOUNT_EXPORT, f="DOT", d="LEFT_RIGHT"))["account"]["export"]
    assert "rankdir=LR;" in dot and len(parse_dot(dot).edges) == sum(tree_sizes) - len(roots)
    mermaid = read_mermaid((await api(ACCOUNT_EXPORT, f="MERMAID", d="LEFT_RIGHT"))["account"]["export"])
    assert mermaid["direction"] == "LR" and len(mermaid["vertices"]) == sum(tree_sizes)


async def test_an_account_export_can_leave_out_what_is_gone(clean_graph: Graph, api: Api) -> None:
    from tests.api.lifecycle_steps import load_demo_data, write

    await load_demo_data(clean_graph)
    # The voice service and its lines were disconnected (everything under an INACTIVE item is INACTIVE too).
    await write(
        clean_graph,
        "MATCH (p:ProductInventory) WHERE p.id STARTS WITH 'pi-northwind-voice' SET p.state = 'INACTIVE'",
    )
    everything = json.loads((await api(ACCOUNT_EXPORT, f="CYTOSCAPE_JSON"))["account"]["export"])
    live = json.loads((await api(ACCOUNT_EXPORT, f="CYTOSCAPE_JSON", all=False))["account"]["export"])
    all_ids = {n["data"]["id"] for n in everything["elements"]["nodes"]}
    live_ids = {n["data"]["id"] for n in live["elements"]["nodes"]}
    assert "pi-northwind-voice" in all_ids and "pi-northwind-voice-line-1" in all_ids
    assert not {i for i in live_ids if i.startswith("pi-northwind-voice")}
    assert "pi-northwind-mbb" in live_ids
