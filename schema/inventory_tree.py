"""A whole subtree as one flat answer: nodes plus parent/child edges, and exports of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (registers ExportFormat and LayoutDirection)
from exports.tree_formats import ExportFormat, ExportNode, LayoutDirection, export_tree
from graph.records import TreeRecord
from schema.context import Context
from schema.types import InventoryEdge, ProductInventory

FORMAT_ARGUMENT = strawberry.argument(description="The text format to write.")
DIRECTION_ARGUMENT = strawberry.argument(description="Which way the drawing grows (default TOP_DOWN).")


async def export_items(
    info: Info[Context, Any],
    items: Sequence[tuple[str, str, str, str | None]],
    edges: Sequence[tuple[str, str]],
    format: ExportFormat,
    direction: LayoutDirection,
) -> str:
    """`items` as (id, name, state, specification id), with specification names from the catalog."""
    spec_ids = sorted({spec_id for *_, spec_id in items if spec_id})
    specs = dict(zip(spec_ids, await info.context.loaders.spec.load_many(spec_ids), strict=True))
    nodes = [
        ExportNode(
            id=item_id,
            name=name,
            specification=specs[spec_id].name if spec_id and specs.get(spec_id) else None,
            state=state,
            specification_id=spec_id,
        )
        for item_id, name, state, spec_id in items
    ]
    return export_tree(ExportFormat(format), nodes, edges, LayoutDirection(direction))


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
        format: Annotated[ExportFormat, FORMAT_ARGUMENT],
        direction: Annotated[LayoutDirection, DIRECTION_ARGUMENT] = LayoutDirection.TOP_DOWN,
    ) -> str:
        items = [(n.id, n.name, n.state, n.spec_id) for n in self.record.nodes]
        return await export_items(info, items, self.record.edges, format, direction)
