"""Write one inventory tree (nodes plus parent -> child edges) as text another tool can open.

Pure functions over plain data: no GraphQL, no Neo4j. Every format escapes names itself, so an
inventory name may hold quotes, `<`, `>`, `&`, backslashes, newlines or any unicode character.

- `MERMAID`: a `flowchart TD` (or `LR`) for Markdown renderers (GitHub, GitLab, Notion).
- `DOT`: a Graphviz `digraph` with `rankdir=TB` (or `LR`) (`dot -Tsvg tree.gv > tree.svg`).
- `GRAPHML`: GraphML written by networkx for yEd, Gephi and networkx; name, specification,
  specification id and state are declared keys, and yEd's `nodegraphics` data gives every node
  its label, colour, size and a tidy-tree position, so yEd opens it readable without a layout run.
- `CYTOSCAPE_JSON`: networkx's Cytoscape JSON (`cytoscape_data`), the `elements` Cytoscape.js
  (`cy.add`) and Cytoscape Desktop import; edges get ids that never collide with item ids.

A forest (several roots, e.g. a whole account) is as welcome as one tree.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter


class ExportFormat(StrEnum):
    """A text format an inventory tree can be exported to."""

    MERMAID = "mermaid"
    DOT = "dot"
    GRAPHML = "graphml"
    CYTOSCAPE_JSON = "cytoscape_json"

    @property
    def file_extension(self) -> str:
        """The usual file name extension, without the dot."""
        return _FILE_EXTENSIONS[self]

    @property
    def media_type(self) -> str:
        """The content type to serve the export with."""
        return _MEDIA_TYPES[self]


_FILE_EXTENSIONS = {
    ExportFormat.MERMAID: "mmd",
    ExportFormat.DOT: "gv",
    ExportFormat.GRAPHML: "graphml",
    ExportFormat.CYTOSCAPE_JSON: "cyjs",
}
_MEDIA_TYPES = {
    ExportFormat.MERMAID: "text/vnd.mermaid; charset=utf-8",
    ExportFormat.DOT: "text/vnd.graphviz; charset=utf-8",
    ExportFormat.GRAPHML: "application/graphml+xml; charset=utf-8",
    ExportFormat.CYTOSCAPE_JSON: "application/json",
}


class LayoutDirection(StrEnum):
    """Which way a drawn tree grows: roots at the top, or roots on the left."""

    TOP_DOWN = "top_down"
    LEFT_RIGHT = "left_right"


@dataclass(frozen=True)
class ExportNode:
    """One inventory item as the exports show it."""

    id: str
    name: str
    specification: str | None
    state: str
    specification_id: str | None = None


class ExportError(ValueError):
    """The nodes and edges do not describe one graph (duplicate ids, edges to unknown items)."""


# Fill colours per inventory state, shared by every format that can colour nodes.
STATE_COLORS: dict[str, str] = {
    "ACTIVE": "#c8e6c9",
    "INSTALLATION_PENDING": "#bbdefb",
    "CHANGE_PENDING": "#ffe0b2",
    "SUSPENDED": "#fff59d",
    "DISCONNECT_PENDING": "#ffccbc",
    "INACTIVE": "#e0e0e0",
}
DEFAULT_COLOR = "#f5f5f5"

# XML 1.0 cannot carry these code points at all, escaped or not; every drawn text replaces them
# with U+FFFD so all formats show the same (Cytoscape JSON's data fields keep the exact value).
_UNREPRESENTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def export_tree(
    fmt: ExportFormat | str,
    nodes: Sequence[ExportNode],
    edges: Sequence[tuple[str, str]],
    direction: LayoutDirection | str = LayoutDirection.TOP_DOWN,
) -> str:
    """Render `nodes` and their `(parent_id, child_id)` edges in `fmt`, growing in `direction`.

    Raises `ExportError` when an id repeats or an edge names an item that is not in `nodes`.
    """
    fmt = ExportFormat(fmt)
    _check_graph(nodes, edges)
    return _WRITERS[fmt](nodes, edges, LayoutDirection(direction))


def plain_text(value: str | None) -> str:
    """The text an export shows for `value`: line breaks unified, unrepresentable characters replaced."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _UNREPRESENTABLE.sub("\ufffd", text)


def node_caption(node: ExportNode) -> list[str]:
    """The lines a drawn node shows: its name (or id when unnamed), then specification and state."""
    lines = plain_text(node.name or node.id).split("\n")
    details = " · ".join(part for part in (plain_text(node.specification), plain_text(node.state)) if part)
    return [*lines, details] if details else lines


def _check_graph(nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for node in nodes:
        if node.id in seen:
            raise ExportError(f"inventory item {node.id!r} appears twice")
        seen.add(node.id)
    for parent_id, child_id in edges:
        missing = [item for item in (parent_id, child_id) if item not in seen]
        if missing:
            raise ExportError(f"edge {parent_id!r} -> {child_id!r} names unknown items {missing!r}")


# --- Mermaid -------------------------------------------------------------------------------------


# `#` starts Mermaid's own entity syntax and a backtick opens a Markdown string, so both are coded too.
_MERMAID_ESCAPES = str.maketrans(
    {'"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "#": "#35;", "`": "#96;"}
)


def _mermaid_label(lines: Sequence[str]) -> str:
    """A double-quoted Mermaid label; `#code;` entities for special characters, `<br/>` between lines."""
    label = "<br/>".join(line.translate(_MERMAID_ESCAPES) for line in lines)
    return f'"{label or " "}"'


def _mermaid_class(state: str) -> str:
    return "state_" + re.sub(r"[^A-Za-z0-9_]", "_", state or "UNKNOWN")


def _write_mermaid(
    nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]], direction: LayoutDirection
) -> str:
    # Inventory ids may hold any character and words like `end` are reserved, so nodes get
    # positional ids; a comment line maps each back to its inventory id.
    safe_ids = {node.id: f"n{index}" for index, node in enumerate(nodes)}
    lines = ["flowchart LR" if direction is LayoutDirection.LEFT_RIGHT else "flowchart TD"]
    for node in nodes:
        inventory_id = plain_text(node.id).replace("\n", " ")
        lines.append(f"    %% {safe_ids[node.id]} = {inventory_id}")
        lines.append(f"    {safe_ids[node.id]}[{_mermaid_label(node_caption(node))}]")
    for parent_id, child_id in edges:
        lines.append(f"    {safe_ids[parent_id]} --> {safe_ids[child_id]}")
    by_class: dict[str, list[str]] = {}
    for node in nodes:
        by_class.setdefault(node.state or "UNKNOWN", []).append(safe_ids[node.id])
    for state, ids in by_class.items():
        color = STATE_COLORS.get(state, DEFAULT_COLOR)
        lines.append(f"    classDef {_mermaid_class(state)} fill:{color},stroke:#555,color:#111")
        lines.append(f"    class {','.join(ids)} {_mermaid_class(state)}")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT --------------------------------------------------------------------------------


def _dot_id(text: str) -> str:
    """A double-quoted DOT identifier (Graphviz reads a backslash in an id back as two)."""
    escaped = plain_text(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _dot_label(lines: Sequence[str]) -> str:
    """A double-quoted DOT label; `\\n` breaks lines, and `\\\\` keeps `\\N`-style codes literal."""
    escaped = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return '"' + "\\n".join(escaped) + '"'


def _write_dot(nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]], direction: LayoutDirection) -> str:
    lines = [
        "digraph inventory {",
        "    rankdir=LR;" if direction is LayoutDirection.LEFT_RIGHT else "    rankdir=TB;",
        '    node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for node in nodes:
        color = STATE_COLORS.get(node.state, DEFAULT_COLOR)
        lines.append(
            f"    {_dot_id(node.id)} [label={_dot_label(node_caption(node))}, "
            f'fillcolor="{color}", tooltip={_dot_id(node.id)}];'
        )
    for parent_id, child_id in edges:
        lines.append(f"    {_dot_id(parent_id)} -> {_dot_id(child_id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- GraphML (networkx) --------------------------------------------------------------------------

YED_NS = "http://www.yworks.com/xml/graphml"
ET.register_namespace("y", YED_NS)
_YED_KEY = "yed_graphics"
_CHAR_WIDTH, _LINE_HEIGHT, _GAP = 7.0, 16.0, 24.0


def _graph(nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]]) -> nx.DiGraph:
    """The tree as a networkx graph; attributes a writer cannot carry (None) are left out."""
    graph = nx.DiGraph()
    for node in nodes:
        values = {
            "name": plain_text(node.name),
            "specification": plain_text(node.specification) if node.specification is not None else None,
            "specificationId": plain_text(node.specification_id) if node.specification_id is not None else None,
            "state": plain_text(node.state),
        }
        graph.add_node(plain_text(node.id), **{k: v for k, v in values.items() if v is not None})
    for parent_id, child_id in edges:
        graph.add_edge(plain_text(parent_id), plain_text(child_id))
    return graph


def _node_size(caption: Sequence[str]) -> tuple[float, float]:
    return max(80.0, _CHAR_WIDTH * max((len(line) for line in caption), default=1) + 16), _LINE_HEIGHT * len(
        caption
    ) + 12


def tidy_positions(
    nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]], direction: LayoutDirection
) -> dict[str, tuple[float, float]]:
    """Top-left corners of a simple tidy tree: leaves side by side, each parent centred over its children.

    Good enough for yEd to open readable; yEd's own layouts (Layout > Tree) refine it.
    """
    children: dict[str, list[str]] = {n.id: [] for n in nodes}
    has_parent: set[str] = set()
    for parent_id, child_id in edges:
        children[parent_id].append(child_id)
        has_parent.add(child_id)
    sizes = {n.id: _node_size(node_caption(n)) for n in nodes}
    across = 0 if direction is LayoutDirection.TOP_DOWN else 1  # the axis siblings are spread along
    breadth = max((size[across] for size in sizes.values()), default=80.0) + _GAP
    depth_step = max((size[1 - across] for size in sizes.values()), default=30.0) + 2 * _GAP
    centre: dict[str, float] = {}
    level: dict[str, int] = {}
    next_leaf = 0.0
    for root in (n.id for n in nodes if n.id not in has_parent):
        stack: list[tuple[str, int, bool]] = [(root, 0, False)]
        while stack:  # iterative post-order: deep trees never hit the recursion limit
            node_id, depth, done = stack.pop()
            level[node_id] = depth
            kids = children[node_id]
            if done or not kids:
                if kids:
                    centre[node_id] = (centre[kids[0]] + centre[kids[-1]]) / 2
                else:
                    centre[node_id] = next_leaf
                    next_leaf += breadth
                continue
            stack.append((node_id, depth, True))
            stack.extend((kid, depth + 1, False) for kid in reversed(kids))
    positions = {}
    for node_id, c in centre.items():
        width, height = sizes[node_id]
        along = level[node_id] * depth_step
        if direction is LayoutDirection.TOP_DOWN:
            positions[node_id] = (c - width / 2, along)
        else:
            positions[node_id] = (along, c - height / 2)
    return positions


def _yed_graphics(node: ExportNode, position: tuple[float, float]) -> ET.Element:
    """yEd's `nodegraphics` for a node: a rounded box in its state's colour, sized to its label."""
    caption = node_caption(node)
    width, height = _node_size(caption)
    shape = ET.Element(f"{{{YED_NS}}}ShapeNode")
    ET.SubElement(
        shape, f"{{{YED_NS}}}Geometry", x=f"{position[0]:.1f}", y=f"{position[1]:.1f}",
        width=f"{width:.1f}", height=f"{height:.1f}",
    )
    ET.SubElement(shape, f"{{{YED_NS}}}Fill", color=STATE_COLORS.get(node.state, DEFAULT_COLOR), transparent="false")
    ET.SubElement(shape, f"{{{YED_NS}}}BorderStyle", color="#555555", type="line", width="1.0")
    label = ET.SubElement(
        shape, f"{{{YED_NS}}}NodeLabel", alignment="center", autoSizePolicy="content", fontSize="12",
        modelName="internal", modelPosition="c", textColor="#111111", visible="true",
    )
    label.text = "\n".join(caption)
    ET.SubElement(shape, f"{{{YED_NS}}}Shape", type="roundrectangle")
    return shape


def _write_graphml(
    nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]], direction: LayoutDirection
) -> str:
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True, named_key_ids=True)
    writer.add_graph_element(_graph(nodes, edges))
    root = writer.xml
    # networkx writes GraphML elements without a namespace prefix (the default namespace is an attribute).
    graph_element = root.find("graph")
    assert graph_element is not None
    root.insert(list(root).index(graph_element), ET.Element("key", {"for": "node", "id": _YED_KEY, "yfiles.type": "nodegraphics"}))
    positions = tidy_positions(nodes, edges, direction)
    by_id = {plain_text(n.id): n for n in nodes}
    for element in graph_element.iter("node"):
        node = by_id[element.get("id", "")]
        data = ET.SubElement(element, "data", key=_YED_KEY)
        data.append(_yed_graphics(node, positions[node.id]))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(writer)


# --- Cytoscape JSON (networkx) -------------------------------------------------------------------


def _write_cytoscape_json(
    nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]], direction: LayoutDirection
) -> str:
    graph = nx.DiGraph()
    for node in nodes:
        graph.add_node(
            node.id,
            name=node.name,
            specification=node.specification,
            specificationId=node.specification_id,
            state=node.state,
            label="\n".join(node_caption(node)),
            color=STATE_COLORS.get(node.state, DEFAULT_COLOR),
        )
    node_ids = {node.id for node in nodes}
    for index, (parent_id, child_id) in enumerate(edges):
        edge_id = f"e{index}"
        while edge_id in node_ids:  # every element id must be unique in Cytoscape
            edge_id = "_" + edge_id
        graph.add_edge(parent_id, child_id, id=edge_id)
    document = nx.cytoscape_data(graph)
    for element, node in zip(document["elements"]["nodes"], nodes, strict=True):
        element["data"]["name"] = node.name  # networkx shows the id for an empty name; keep the name as it is
    document["format_version"] = "1.0"
    document["data"] = {"name": "inventory", "direction": direction.value}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


_WRITERS = {
    ExportFormat.MERMAID: _write_mermaid,
    ExportFormat.DOT: _write_dot,
    ExportFormat.GRAPHML: _write_graphml,
    ExportFormat.CYTOSCAPE_JSON: _write_cytoscape_json,
}
