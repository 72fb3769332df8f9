"""Write one inventory tree (nodes plus parent -> child edges) as text another tool can open.

Pure functions over plain data: no GraphQL, no Neo4j. Every format escapes names itself, so an
inventory name may hold quotes, `<`, `>`, `&`, backslashes, newlines or any unicode character.

- `MERMAID`: a `flowchart TD` for Markdown renderers (GitHub, GitLab, Notion).
- `DOT`: a Graphviz `digraph` (`dot -Tsvg tree.gv > tree.svg`).
- `GRAPHML`: GraphML XML for yEd, Gephi, networkx; name, specification and state are declared keys.
- `CYTOSCAPE_JSON`: the `elements` JSON that Cytoscape.js (`cy.add`) and Cytoscape Desktop import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr


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


@dataclass(frozen=True)
class ExportNode:
    """One inventory item as the exports show it."""

    id: str
    name: str
    specification: str | None
    state: str


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
    fmt: ExportFormat | str, nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]]
) -> str:
    """Render `nodes` and their `(parent_id, child_id)` edges in `fmt`.

    Raises `ExportError` when an id repeats or an edge names an item that is not in `nodes`.
    """
    fmt = ExportFormat(fmt)
    _check_graph(nodes, edges)
    return _WRITERS[fmt](nodes, edges)


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


def _write_mermaid(nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]]) -> str:
    # Inventory ids may hold any character and words like `end` are reserved, so nodes get
    # positional ids; a comment line maps each back to its inventory id.
    safe_ids = {node.id: f"n{index}" for index, node in enumerate(nodes)}
    lines = ["flowchart TD"]
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


def _write_dot(nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]]) -> str:
    lines = [
        "digraph inventory {",
        "    rankdir=TB;",
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


# --- GraphML -------------------------------------------------------------------------------------

_GRAPHML_KEYS = ("name", "specification", "state")


def _write_graphml(nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]
    for key in _GRAPHML_KEYS:
        lines.append(f'  <key id="{key}" for="node" attr.name="{key}" attr.type="string"/>')
    lines.append('  <graph id="inventory" edgedefault="directed">')
    for node in nodes:
        lines.append(f"    <node id={_xml_attr(node.id)}>")
        values = {"name": node.name, "specification": node.specification, "state": node.state}
        for key in _GRAPHML_KEYS:
            if values[key] is not None:
                lines.append(f'      <data key="{key}">{_xml_text(values[key])}</data>')
        lines.append("    </node>")
    for parent_id, child_id in edges:
        lines.append(f"    <edge source={_xml_attr(parent_id)} target={_xml_attr(child_id)}/>")
    lines.append("  </graph>")
    lines.append("</graphml>")
    return "\n".join(lines) + "\n"


def _xml_text(value: str | None) -> str:
    return xml_escape(plain_text(value))


def _xml_attr(value: str) -> str:
    return quoteattr(plain_text(value), {"\n": "&#10;", "\t": "&#9;"})


# --- Cytoscape JSON ------------------------------------------------------------------------------


def _write_cytoscape_json(nodes: Sequence[ExportNode], edges: Sequence[tuple[str, str]]) -> str:
    node_ids = {node.id for node in nodes}
    cy_nodes = [
        {
            "data": {
                "id": node.id,
                "name": node.name,
                "specification": node.specification,
                "state": node.state,
                "label": "\n".join(node_caption(node)),
                "color": STATE_COLORS.get(node.state, DEFAULT_COLOR),
            }
        }
        for node in nodes
    ]
    cy_edges = []
    for index, (parent_id, child_id) in enumerate(edges):
        edge_id = f"e{index}"
        while edge_id in node_ids:  # every element id must be unique in Cytoscape
            edge_id = "_" + edge_id
        cy_edges.append({"data": {"id": edge_id, "source": parent_id, "target": child_id}})
    document = {
        "format_version": "1.0",
        "data": {"name": "inventory"},
        "elements": {"nodes": cy_nodes, "edges": cy_edges},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


_WRITERS = {
    ExportFormat.MERMAID: _write_mermaid,
    ExportFormat.DOT: _write_dot,
    ExportFormat.GRAPHML: _write_graphml,
    ExportFormat.CYTOSCAPE_JSON: _write_cytoscape_json,
}
