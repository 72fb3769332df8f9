"""Inventory trees written in the formats other tools read (Mermaid, Graphviz, GraphML, Cytoscape)."""

from exports.tree_formats import ExportError, ExportFormat, ExportNode, LayoutDirection, export_tree

__all__ = ["ExportError", "ExportFormat", "ExportNode", "LayoutDirection", "export_tree"]
