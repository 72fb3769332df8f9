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
