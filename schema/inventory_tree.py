"""A whole subtree as one flat answer: nodes plus parent/child edges, and exports of it."""

from __future__ import annotations

import strawberry

from graph.records import TreeRecord
from schema.types import InventoryEdge, ProductInventory


@strawberry.type(description="A subtree as flat lists, for big trees and visualization tools.")
class InventoryTree:
    nodes: list[ProductInventory]
    edges: list[InventoryEdge]
    record: strawberry.Private[TreeRecord]

    @classmethod
    def of(cls, r: TreeRecord) -> InventoryTree:
        return cls(
            nodes=[ProductInventory.of(n) for n in r.nodes],
            edges=[InventoryEdge(parent_id=strawberry.ID(p), child_id=strawberry.ID(c)) for p, c in r.edges],
            record=r,
        )
