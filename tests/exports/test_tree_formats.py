"""Inventory tree exports, each read back by a real parser for its format."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from exports import ExportFormat, ExportNode, export_tree
from exports.tree_formats import ExportError, node_caption

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MERMAID_PARSER = PROJECT_ROOT / "web" / "scripts" / "parse_mermaid.mjs"
WEB_NODE_MODULES = PROJECT_ROOT / "web" / "node_modules"

# The 4G bundle from the domain example, with names chosen to break naive escaping.
NODES = [
    ExportNode("inv-bundle", 'Mobile "Broadband" <Gold> & more', "Mobile Broadband", "ACTIVE"),
    ExportNode("inv-4g", "4G Connectivity\nsecond line", "4G Connectivity", "DISCONNECT_PENDING"),
    ExportNode("inv router 'quoted\"", "Routeur 4G – Ünïcødé 🚀 ]]> #quot; `md`", "4G Router", "SUSPENDED"),
    ExportNode("end", "C:\\path\\N \\", None, "INSTALLATION_PENDING"),
    ExportNode("inv-5g&<x>", "", "5G Connectivity", "ACTIVE"),
]
EDGES = [
    ("inv-bundle", "inv-4g"),
    ("inv-bundle", "inv router 'quoted\""),
    ("inv-bundle", "end"),
    ("inv-4g", "inv-5g&<x>"),
]


def expected_caption(node: ExportNode) -> str:
    return "\n".join(node_caption(node))


# --- behaviour shared by every format ------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_format_accepts_an_empty_tree(fmt: ExportFormat) -> None:
    assert export_tree(fmt, [], []).strip()


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_an_edge_to_an_unknown_item_is_refused(fmt: ExportFormat) -> None:
    with pytest.raises(ExportError, match="inv-missing"):
        export_tree(fmt, NODES[:1], [("inv-bundle", "inv-missing")])


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_a_repeated_item_is_refused(fmt: ExportFormat) -> None:
    with pytest.raises(ExportError, match="inv-bundle"):
        export_tree(fmt, [NODES[0], NODES[0]], [])


def test_formats_are_named_by_their_string_values() -> None:
    assert export_tree("cytoscape_json", [], []) == export_tree(ExportFormat.CYTOSCAPE_JSON, [], [])
    assert {fmt.file_extension for fmt in ExportFormat} == {"mmd", "gv", "graphml", "cyjs"}
    with pytest.raises(ValueError):
        export_tree("png", [], [])


def test_caption_shows_the_name_then_specification_and_state() -> None:
    assert node_caption(NODES[1]) == [
        "4G Connectivity",
        "second line",
        "4G Connectivity · DISCONNECT_PENDING",
    ]
    assert node_caption(NODES[4]) == ["inv-5g&<x>", "5G Connectivity · ACTIVE"]


def test_control_characters_are_replaced_not_emitted() -> None:
    node = ExportNode("inv-ctl", "bell\x07 and\r\nCRLF", None, "ACTIVE")
    assert node_caption(node) == ["bell\ufffd and", "CRLF", "ACTIVE"]


def test_ten_thousand_children_export_in_every_format() -> None:
    children = [ExportNode(f"inv-{i}", f"Line {i}", "SIM", "ACTIVE") for i in range(10_000)]
    nodes = [NODES[0], *children]
    edges = [("inv-bundle", child.id) for child in children]
    for fmt in ExportFormat:
        assert "inv-9999" in export_tree(fmt, nodes, edges)


# --- GraphML -------------------------------------------------------------------------------------


def test_graphml_round_trips_through_networkx(tmp_path: Path) -> None:
    networkx = pytest.importorskip("networkx")
    path = tmp_path / "tree.graphml"
    path.write_text(export_tree(ExportFormat.GRAPHML, NODES, EDGES), encoding="utf-8")

    graph = networkx.read_graphml(path)

    assert graph.is_directed()
    assert set(graph.nodes) == {node.id for node in NODES}
    assert set(graph.edges) == set(EDGES)
    for node in NODES:
        data = graph.nodes[node.id]
        assert data["name"] == node.name
        assert data["state"] == node.state
        assert data.get("specification") == node.specification


def test_graphml_declares_its_keys_and_is_well_formed_xml() -> None:
    etree = pytest.importorskip("lxml.etree")
    document = etree.fromstring(export_tree(ExportFormat.GRAPHML, NODES, EDGES).encode("utf-8"))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {key.get("attr.name"): key.get("attr.type") for key in document.findall("g:key", ns)}
    assert keys == {"name": "string", "specification": "string", "state": "string"}


# --- Graphviz DOT --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_dot_renders_with_graphviz_and_shows_every_name_exactly(tmp_path: Path) -> None:
    etree = pytest.importorskip("lxml.etree")
    source = export_tree(ExportFormat.DOT, NODES, EDGES)
    result = subprocess.run(["dot", "-Tsvg"], input=source.encode("utf-8"), capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()

    svg = etree.fromstring(result.stdout)
    ns = {"s": "http://www.w3.org/2000/svg"}
    drawn = {}
    for group in svg.iterfind(".//s:g[@class='node']", ns):
        title = group.findtext("s:title", namespaces=ns)
        drawn[title] = "\n".join(text.text or "" for text in group.iterfind(".//s:text", ns))
    edges = svg.findall(".//s:g[@class='edge']", ns)

    # Graphviz reads a backslash inside a quoted id back as two; no test id holds one.
    assert drawn == {node.id: expected_caption(node) for node in NODES}
    assert len(edges) == len(EDGES)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dot_parses_with_pydot() -> None:
    pydot = pytest.importorskip("pydot")
    (graph,) = pydot.graph_from_dot_data(export_tree(ExportFormat.DOT, NODES, EDGES))

    assert graph.get_type() == "digraph"
    names = {node.get_name() for node in graph.get_nodes()} - {"node", "edge", "graph"}
    assert len(names) == len(NODES)
    assert len(graph.get_edges()) == len(EDGES)


# --- Cytoscape JSON ------------------------------------------------------------------------------


def test_cytoscape_json_holds_every_item_and_edge() -> None:
    document = json.loads(export_tree(ExportFormat.CYTOSCAPE_JSON, NODES, EDGES))

    nodes = [element["data"] for element in document["elements"]["nodes"]]
    edges = [element["data"] for element in document["elements"]["edges"]]
    assert [(n["id"], n["name"], n["specification"], n["state"]) for n in nodes] == [
        (node.id, node.name, node.specification, node.state) for node in NODES
    ]
    assert [(e["source"], e["target"]) for e in edges] == EDGES
    element_ids = [n["id"] for n in nodes] + [e["id"] for e in edges]
    assert len(element_ids) == len(set(element_ids))


def test_cytoscape_edge_ids_never_collide_with_item_ids() -> None:
    nodes = [ExportNode("e0", "a", None, "ACTIVE"), ExportNode("e1", "b", None, "ACTIVE")]
    document = json.loads(export_tree(ExportFormat.CYTOSCAPE_JSON, nodes, [("e0", "e1")]))
    (edge,) = document["elements"]["edges"]
    assert edge["data"]["id"] not in {"e0", "e1"}


# --- Mermaid -------------------------------------------------------------------------------------


def test_mermaid_is_a_top_down_flowchart_with_one_line_per_item_and_edge() -> None:
    source = export_tree(ExportFormat.MERMAID, NODES, EDGES)
    lines = source.splitlines()
    assert lines[0] == "flowchart TD"
    node_lines = [line.strip() for line in lines if line.strip().startswith("n") and '["' in line]
    edge_lines = [line.strip() for line in lines if "-->" in line]
    assert len(node_lines) == len(NODES)
    assert edge_lines == ["n0 --> n1", "n0 --> n2", "n0 --> n3", "n1 --> n4"]
    for line in node_lines:
        label = line.split('["', 1)[1].rsplit('"]', 1)[0]
        assert '"' not in label and "\n" not in label
        assert "<" not in label.replace("<br/>", "")


def parse_mermaid(source: str) -> dict:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    if not (WEB_NODE_MODULES / "mermaid").is_dir() or not (WEB_NODE_MODULES / "jsdom").is_dir():
        pytest.skip("Mermaid is not installed: run `python web/build_assets.py`")
    result = subprocess.run(
        ["node", str(MERMAID_PARSER)], input=source.encode("utf-8"), capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def test_mermaid_parses_with_mermaid_and_shows_every_name_exactly() -> None:
    parsed = parse_mermaid(export_tree(ExportFormat.MERMAID, NODES, EDGES))

    assert parsed["type"].startswith("flowchart")
    shown = {vertex["id"]: vertex["text"] for vertex in parsed["vertices"]}
    assert shown == {f"n{i}": expected_caption(node) for i, node in enumerate(NODES)}
    assert parsed["edges"] == [["n0", "n1"], ["n0", "n2"], ["n0", "n3"], ["n1", "n4"]]
    classes = {vertex["id"]: vertex["classes"] for vertex in parsed["vertices"]}
    assert classes["n2"] == ["state_SUSPENDED"]


def test_the_mermaid_parser_check_rejects_a_broken_label() -> None:
    if shutil.which("node") is None or not (WEB_NODE_MODULES / "mermaid").is_dir():
        pytest.skip("Mermaid is not installed: run `python web/build_assets.py`")
    result = subprocess.run(
        ["node", str(MERMAID_PARSER)],
        input=b'flowchart TD\n  n0["a " b"]\n',
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1
