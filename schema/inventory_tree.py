"""A whole subtree as one flat answer: nodes plus parent/child edges, and exports of it."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from exports.tree_formats import ExportFormat, ExportNode, export_tree
from graph.records import TreeRecord
from schema.context import Context
from schema.describe import described_enum
from schema.types import InventoryEdge, ProductInventory

described_enum(
    ExportFormat,
    "Formats visualization tools read.",
    {
        "MERMAID": "A Mermaid flowchart, for Markdown renderers (GitHub, GitLab, Notion).",
        "DOT": "A Graphviz digraph (`dot -Tsvg`).",
        "GRAPHML": "GraphML for yEd, Gephi and networkx, with yEd node labels.",
        "CYTOSCAPE_JSON": "Cytoscape.js / Cytoscape Desktop `elements` JSON.",
    },
    name="TreeExportFormat",
)


@strawberry.type(description="A subtree as flat lists, for big trees and visualization tools.")
class InventoryTree:
    nodes: list[ProductInventory] = strawberry.field(description="Every item of the subtree, by depth then name.")
    edges: list[InventoryEdge] = strawberry.field(description="One parent/child link per item below the root.")
    record: strawberry.Private[TreeRecord]

    @classmethod
    def of(cls, r: TreeRecord) -> InventoryTree:
        return cls(
            nodes=[ProductInventory.of(n) for n in r.nodes],
            edges=[InventoryEdge(parent_id=strawberry.ID(p), child_id=strawberry.ID(c)) for p, c in r.edges],
            record=r,
        )

    @strawberry.field(description="The same subtree as Mermaid, Graphviz DOT, GraphML or Cytoscape JSON text.")
    async def export(
        self,
        info: Info[Context, Any],
        format: Annotated[ExportFormat, strawberry.argument(description="The text format to write.")],
    ) -> str:
        spec_ids = sorted({n.spec_id for n in self.record.nodes})
        specs = dict(zip(spec_ids, await info.context.loaders.spec.load_many(spec_ids), strict=True))
        nodes = [
            ExportNode(
                id=n.id,
                name=n.name,
                specification=specs[n.spec_id].name if specs.get(n.spec_id) else None,
                state=n.state,
            )
            for n in self.record.nodes
        ]
        return export_tree(ExportFormat(format), nodes, self.record.edges)
