"""Inventory tree exports, each read back by a real parser for its format.

A missing parser skips its tests locally and fails them when `CI` is set (`tests.exports.tooling`).
"""

from __future__ import annotations

import json

import pytest

from exports import ExportFormat, ExportNode, LayoutDirection, export_tree
from exports.tree_formats import STATE_COLORS, ExportError, node_caption
from tests.exports.parsers import (
    graphml_keys,
    load_cytoscape,
    parse_export,
    read_cytoscape_json,
    read_dot,
    read_graphml,
    read_mermaid,
    render_dot,
    run_mermaid_parser,
    yed_nodes,
)

# The 4G bundle from the domain example, with names chosen to break naive escaping.
NODES = [
    ExportNode("inv-bundle", 'Mobile "Broadband" <Gold> & more', "Mobile Broadband", "ACTIVE", "spec-mbb"),
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


def test_graphml_round_trips_through_networkx() -> None:
    graph = read_graphml(export_tree(ExportFormat.GRAPHML, NODES, EDGES))

    assert graph.is_directed()
    assert set(graph.nodes) == {node.id for node in NODES}
    assert set(graph.edges) == set(EDGES)
    for node in NODES:
        data = graph.nodes[node.id]
        assert data["name"] == node.name
        assert data["state"] == node.state
        assert data.get("specification") == node.specification


def test_graphml_declares_its_keys_and_is_well_formed_xml() -> None:
    keys = graphml_keys(export_tree(ExportFormat.GRAPHML, NODES, EDGES))
    assert keys == {"name": "string", "specification": "string", "specificationId": "string", "state": "string"}


def test_graphml_carries_the_specification_id_and_yed_labels() -> None:
    text = export_tree(ExportFormat.GRAPHML, NODES, EDGES)
    graph = read_graphml(text)
    assert graph.nodes["inv-bundle"]["specificationId"] == "spec-mbb"
    assert "specificationId" not in graph.nodes["end"]
    # networkx reads yEd's node label back as `label`; yEd shows the same caption in the state's colour.
    assert {n: graph.nodes[n.id if isinstance(n, ExportNode) else n]["label"] for n in graph.nodes} == {
        node.id: expected_caption(node) for node in NODES
    }
    yed = yed_nodes(text)
    assert {node_id: found["label"] for node_id, found in yed.items()} == {
        node.id: expected_caption(node) for node in NODES
    }
    assert yed["inv router 'quoted\""]["fill"] == STATE_COLORS["SUSPENDED"]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize("direction", list(LayoutDirection))
def test_graphml_positions_form_a_tidy_tree_yed_opens_readable(direction: LayoutDirection) -> None:
    yed = yed_nodes(export_tree(ExportFormat.GRAPHML, NODES, EDGES, direction))
    boxes = {node_id: found["box"] for node_id, found in yed.items()}
    ids = list(boxes)
    assert not [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if _overlap(boxes[a], boxes[b])]
    axis = 1 if direction is LayoutDirection.TOP_DOWN else 0  # children come below, or to the right
    for parent_id, child_id in EDGES:
        assert boxes[child_id][axis] > boxes[parent_id][axis] + boxes[parent_id][axis + 2]


# --- Graphviz DOT --------------------------------------------------------------------------------


def test_dot_renders_with_graphviz_and_shows_every_name_exactly() -> None:
    drawing = render_dot(export_tree(ExportFormat.DOT, NODES, EDGES))

    # Graphviz reads a backslash inside a quoted id back as two; no test id holds one.
    assert drawing.captions == {node.id: expected_caption(node) for node in NODES}
    assert drawing.edge_count == len(EDGES)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dot_parses_with_pydot() -> None:
    graph = read_dot(export_tree(ExportFormat.DOT, NODES, EDGES))

    assert graph.get_type() == "digraph"
    names = {node.get_name() for node in graph.get_nodes()} - {"node", "edge", "graph"}
    assert len(names) == len(NODES)
    assert len(graph.get_edges()) == len(EDGES)


# --- Cytoscape JSON ------------------------------------------------------------------------------


def test_cytoscape_json_holds_every_item_and_edge() -> None:
    document = read_cytoscape_json(export_tree(ExportFormat.CYTOSCAPE_JSON, NODES, EDGES))

    nodes = [element["data"] for element in document["elements"]["nodes"]]
    edges = [element["data"] for element in document["elements"]["edges"]]
    assert [(n["id"], n["name"], n["specification"], n["specificationId"], n["state"]) for n in nodes] == [
        (node.id, node.name, node.specification, node.specification_id, node.state) for node in NODES
    ]
    assert [(e["source"], e["target"]) for e in edges] == EDGES
    element_ids = [n["id"] for n in nodes] + [e["id"] for e in edges]
    assert len(element_ids) == len(set(element_ids))


def test_cytoscape_json_loads_in_cytoscape_js() -> None:
    loaded = load_cytoscape(export_tree(ExportFormat.CYTOSCAPE_JSON, NODES, EDGES))
    assert [n["id"] for n in loaded["nodes"]] == [node.id for node in NODES]
    assert [tuple(e) for e in loaded["edges"]] == EDGES
    assert loaded["roots"] == ["inv-bundle"]
    assert loaded["nodes"][1]["label"] == expected_caption(NODES[1])


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


def test_mermaid_parses_with_mermaid_and_shows_every_name_exactly() -> None:
    parsed = read_mermaid(export_tree(ExportFormat.MERMAID, NODES, EDGES))

    assert parsed["type"].startswith("flowchart")
    shown = {vertex["id"]: vertex["text"] for vertex in parsed["vertices"]}
    assert shown == {f"n{i}": expected_caption(node) for i, node in enumerate(NODES)}
    assert parsed["edges"] == [["n0", "n1"], ["n0", "n2"], ["n0", "n3"], ["n1", "n4"]]
    classes = {vertex["id"]: vertex["classes"] for vertex in parsed["vertices"]}
    assert classes["n2"] == ["state_SUSPENDED"]


@pytest.mark.parametrize(("direction", "code"), [(LayoutDirection.TOP_DOWN, "TD"), (LayoutDirection.LEFT_RIGHT, "LR")])
def test_mermaid_follows_the_layout_direction(direction: LayoutDirection, code: str) -> None:
    source = export_tree(ExportFormat.MERMAID, NODES, EDGES, direction)
    assert source.splitlines()[0] == f"flowchart {code}"
    parsed = read_mermaid(source)
    assert parsed["direction"] in {code, "TB" if code == "TD" else code}


@pytest.mark.parametrize("direction", list(LayoutDirection))
def test_dot_follows_the_layout_direction_when_graphviz_draws_it(direction: LayoutDirection) -> None:
    from tests.exports.parsers import dot_positions

    positions = dot_positions(export_tree(ExportFormat.DOT, NODES, EDGES, direction))
    for parent_id, child_id in EDGES:
        (px, py), (cx, cy) = positions[parent_id], positions[child_id]
        if direction is LayoutDirection.TOP_DOWN:
            assert cy > py  # SVG y grows downwards: the child is drawn below its parent
        else:
            assert cx > px  # the child is drawn to the right of its parent


def test_the_mermaid_parser_check_rejects_a_broken_label() -> None:
    result = run_mermaid_parser('flowchart TD\n  n0["a " b"]\n')
    assert result.returncode == 1


# --- every format through the shared readers the browser tests use -------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_format_reads_back_as_the_same_tree(fmt: ExportFormat) -> None:
    parsed = parse_export(fmt.value, export_tree(fmt, NODES, EDGES))

    assert parsed.shown.keys() == {node.id for node in NODES}
    assert sorted(parsed.edges) == sorted(EDGES)
    for node in NODES:
        assert node.name.split("\n")[0] in parsed.shown[node.id]
