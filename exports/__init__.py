"""Inventory trees written in the formats other tools read (Mermaid, Graphviz, GraphML, Cytoscape)."""

from exports.tree_formats import ExportError, ExportFormat, ExportNode, export_tree

__all__ = ["ExportError", "ExportFormat", "ExportNode", "export_tree"]
