"""Read exported trees back with a real parser for each format, for the export and browser tests.

- GraphML: networkx (and lxml for the declared keys).
- DOT: Graphviz `dot` renders it to SVG, and pydot parses it.
- Mermaid: Mermaid's own parser, through `web/scripts/parse_mermaid.mjs` on Node.js.
- Cytoscape JSON: Cytoscape.js itself (headless, `web/scripts/load_cytoscape.mjs` on Node.js), and
  networkx's `cytoscape_graph`.

A missing parser skips the test locally and fails it in CI (see `tests.exports.tooling`).
"""

from __future__ import annotations

import io
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.exports.tooling import need_executable, need_module, unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MERMAID_PARSER = PROJECT_ROOT / "web" / "scripts" / "parse_mermaid.mjs"
CYTOSCAPE_LOADER = PROJECT_ROOT / "web" / "scripts" / "load_cytoscape.mjs"
WEB_NODE_MODULES = PROJECT_ROOT / "web" / "node_modules"
SVG = {"s": "http://www.w3.org/2000/svg"}


@dataclass(frozen=True)
class ParsedTree:
    """What a parser read from one export: the text shown per inventory id, and the edges."""

    shown: dict[str, str]  # inventory id -> name (GraphML, Cytoscape) or drawn caption (DOT, Mermaid)
    edges: list[tuple[str, str]]  # (parent id, child id), in file order


# --- GraphML -------------------------------------------------------------------------------------


def read_graphml(text: str) -> Any:
    """The export as a networkx graph (`networkx.read_graphml`)."""
    networkx = need_module("networkx")
    return networkx.read_graphml(io.BytesIO(text.encode("utf-8")))


GRAPHML_NS = {"g": "http://graphml.graphdrawing.org/xmlns", "y": "http://www.yworks.com/xml/graphml"}


def graphml_keys(text: str) -> dict[str, str]:
    """The declared GraphML data keys, `attr.name -> attr.type`, read with lxml (yEd's keys aside)."""
    etree = need_module("lxml.etree")
    document = etree.fromstring(text.encode("utf-8"))
    return {
        key.get("attr.name"): key.get("attr.type")
        for key in document.findall("g:key", GRAPHML_NS)
        if key.get("yfiles.type") is None
    }


def yed_nodes(text: str) -> dict[str, dict[str, Any]]:
    """What yEd reads per node id: the `nodegraphics` label, fill colour and geometry, read with lxml."""
    etree = need_module("lxml.etree")
    document = etree.fromstring(text.encode("utf-8"))
    (key,) = [k.get("id") for k in document.findall("g:key", GRAPHML_NS) if k.get("yfiles.type") == "nodegraphics"]
    found = {}
    for node in document.iterfind(".//g:node", GRAPHML_NS):
        shape = node.find(f"g:data[@key='{key}']/y:ShapeNode", GRAPHML_NS)
        assert shape is not None, f"node {node.get('id')} has no yEd ShapeNode"
        geometry = shape.find("y:Geometry", GRAPHML_NS)
        found[node.get("id")] = {
            "label": shape.findtext("y:NodeLabel", namespaces=GRAPHML_NS),
            "fill": shape.find("y:Fill", GRAPHML_NS).get("color"),
            "box": tuple(float(geometry.get(a)) for a in ("x", "y", "width", "height")),
        }
    return found


def parse_graphml(text: str) -> ParsedTree:
    graph = read_graphml(text)
    assert graph.is_directed(), "a GraphML export must be a directed graph"
    names = {node: data.get("name", "") for node, data in graph.nodes(data=True)}
    return ParsedTree(names, list(graph.edges))


# --- Graphviz DOT --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DotDrawing:
    """What Graphviz drew: each node's caption by its title (the node id), and the edge count."""

    captions: dict[str, str]
    edge_count: int


def render_dot(text: str) -> DotDrawing:
    """Render the export with Graphviz `dot -Tsvg`; fail the test when Graphviz rejects it."""
    dot = need_executable("dot", "apt-get install -y graphviz")
    etree = need_module("lxml.etree")
    result = subprocess.run([dot, "-Tsvg"], input=text.encode("utf-8"), capture_output=True, check=False)
    assert result.returncode == 0, f"Graphviz rejected the DOT export: {result.stderr.decode()}"
    svg = etree.fromstring(result.stdout)
    captions = {}
    for group in svg.iterfind(".//s:g[@class='node']", SVG):
        title = group.findtext("s:title", namespaces=SVG)
        captions[title] = "\n".join(text.text or "" for text in group.iterfind(".//s:text", SVG))
    return DotDrawing(captions, len(svg.findall(".//s:g[@class='edge']", SVG)))


def dot_positions(text: str) -> dict[str, tuple[float, float]]:
    """Where Graphviz drew each node (by its id): the centre of its caption in SVG coordinates."""
    dot = need_executable("dot", "apt-get install -y graphviz")
    etree = need_module("lxml.etree")
    result = subprocess.run([dot, "-Tsvg"], input=text.encode("utf-8"), capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    svg = etree.fromstring(result.stdout)
    found = {}
    for group in svg.iterfind(".//s:g[@class='node']", SVG):
        title = group.findtext("s:title", namespaces=SVG)
        texts = list(group.iterfind(".//s:text", SVG))
        xs, ys = [float(t.get("x")) for t in texts], [float(t.get("y")) for t in texts]
        found[title] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return found


def _dot_unquote(name: str) -> str:
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        return name[1:-1].replace('\\"', '"')
    return name


def read_dot(text: str) -> Any:
    """The export parsed by pydot (its only graph)."""
    pydot = need_module("pydot")
    graphs = pydot.graph_from_dot_data(text)
    assert graphs and len(graphs) == 1, "a DOT export must hold exactly one graph"
    return graphs[0]


def parse_dot(text: str) -> ParsedTree:
    graph = read_dot(text)
    assert graph.get_type() == "digraph", "a DOT export must be a digraph"
    drawing = render_dot(text)
    ids = [_dot_unquote(node.get_name()) for node in graph.get_nodes()]
    ids = [node_id for node_id in ids if node_id not in {"node", "edge", "graph"}]
    edges = [(_dot_unquote(e.get_source()), _dot_unquote(e.get_destination())) for e in graph.get_edges()]
    assert drawing.edge_count == len(edges), "Graphviz and pydot disagree on the edges"
    return ParsedTree({node_id: drawing.captions.get(node_id, "") for node_id in ids}, edges)


# --- Mermaid -------------------------------------------------------------------------------------


def mermaid_available() -> None:
    """Skip/fail the test unless Node.js and Mermaid (with jsdom) are installed."""
    need_executable("node", "install Node.js 18 or newer")
    if not (WEB_NODE_MODULES / "mermaid").is_dir() or not (WEB_NODE_MODULES / "jsdom").is_dir():
        unavailable("Mermaid is not installed: run `python web/build_assets.py`")


def run_mermaid_parser(source: str) -> subprocess.CompletedProcess[bytes]:
    """Mermaid's parser over `source`; exit status 1 when Mermaid rejects it."""
    mermaid_available()
    return subprocess.run(
        ["node", str(MERMAID_PARSER)], input=source.encode("utf-8"), capture_output=True, check=False
    )


def read_mermaid(source: str) -> dict[str, Any]:
    """`{"type", "vertices": [{"id", "text", "classes"}], "edges": [[from, to]]}` as Mermaid reads it."""
    result = run_mermaid_parser(source)
    assert result.returncode == 0, f"Mermaid rejected the export: {result.stderr.decode()}"
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def mermaid_inventory_ids(source: str) -> dict[str, str]:
    """The `%% n0 = inventory-id` comments the Mermaid export writes: positional id -> inventory id."""
    found = {}
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("%% ") and " = " in text:
            safe_id, inventory_id = text[3:].split(" = ", 1)
            found[safe_id] = inventory_id
    return found


def parse_mermaid(source: str) -> ParsedTree:
    parsed = read_mermaid(source)
    assert parsed["type"].startswith("flowchart"), parsed["type"]
    ids = mermaid_inventory_ids(source)
    shown = {vertex["id"]: vertex["text"] for vertex in parsed["vertices"]}
    assert shown.keys() == ids.keys(), "every Mermaid node needs its inventory id comment"
    return ParsedTree(
        {ids[safe_id]: text for safe_id, text in shown.items()},
        [(ids[parent], ids[child]) for parent, child in parsed["edges"]],
    )


# --- Cytoscape JSON ------------------------------------------------------------------------------


def load_cytoscape(text: str) -> dict[str, Any]:
    """The export loaded by headless Cytoscape.js: `{"nodes": [{id, name, label}], "edges", "roots"}`."""
    need_executable("node", "install Node.js 18 or newer")
    if not (WEB_NODE_MODULES / "cytoscape").is_dir():
        unavailable("Cytoscape.js is not installed: run `python web/build_assets.py`")
    result = subprocess.run(
        ["node", str(CYTOSCAPE_LOADER)], input=text.encode("utf-8"), capture_output=True, check=False
    )
    assert result.returncode == 0, f"Cytoscape.js rejected the export: {result.stderr.decode()}"
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def read_cytoscape_json(text: str) -> dict[str, Any]:
    """The export as JSON, loaded by Cytoscape.js and by networkx, and checked the way both read it."""
    load_cytoscape(text)
    networkx = need_module("networkx")
    networkx.cytoscape_graph(json.loads(text))
    document = json.loads(text)
    elements = document["elements"]
    nodes = [element["data"] for element in elements["nodes"]]
    edges = [element["data"] for element in elements["edges"]]
    element_ids = [n["id"] for n in nodes] + [e["id"] for e in edges]
    assert len(element_ids) == len(set(element_ids)), "Cytoscape element ids must be unique"
    node_ids = {n["id"] for n in nodes}
    for edge in edges:
        assert {edge["source"], edge["target"]} <= node_ids, f"edge {edge['id']} names an unknown node"
    return document  # type: ignore[no-any-return]


def parse_cytoscape_json(text: str) -> ParsedTree:
    elements = read_cytoscape_json(text)["elements"]
    return ParsedTree(
        {element["data"]["id"]: element["data"]["name"] for element in elements["nodes"]},
        [(element["data"]["source"], element["data"]["target"]) for element in elements["edges"]],
    )


PARSERS = {
    "mermaid": parse_mermaid,
    "dot": parse_dot,
    "graphml": parse_graphml,
    "cytoscape_json": parse_cytoscape_json,
}


def parse_export(fmt: str, text: str) -> ParsedTree:
    """Read `text` back with the real parser for `fmt` (an `ExportFormat` value, e.g. "graphml")."""
    return PARSERS[fmt](text)
