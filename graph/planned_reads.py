"""How GraphQL fields of the installed base are stored, for reads planned as one statement.

`schema/planner.py` walks a query's selection set over the GraphQL schema (the shape of the
answer) and asks this module, field by field, where the value lives: a property of the node,
a relationship to follow, a JSON property to decode. It assembles one statement per root field
from the constant fragments below, chosen by the selection set: labels, relationship types,
property names and variable names are fixed here or taken from the schema's own field names,
and every value (ids, depth bounds) travels as a parameter.

A plain field with no entry here reads the node property of the same name (`id`, `name`,
`state`, `address`...). Fields with a resolver must have an entry to be planned; a query that
selects anything else is served by the resolvers instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph import inventory
from graph.catalog import spec_physical, spec_version
from graph.records import item_version, parse_characteristic_specs, parse_json_map, to_datetime

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Property:
    """The node property `name`, decoded in Python by `decode` when given."""

    name: str
    decode: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Link:
    """Nodes of `label` reached from the node along `pattern` (one, or many ordered by `order`).

    `scoped`: only nodes in the caller's accounts, as the resolver's statement filters them;
    `depth_restarts`: the nodes reached say depth 0, as the resolver's record of them does;
    `not_from_walks`: not planned on the nodes of a walk (`inventoryTree`), whose records the
    resolvers build without it (the walk's first node says no parent).
    """

    pattern: str
    label: str
    many: bool
    order: tuple[str, ...] = ()
    scoped: bool = False
    depth_restarts: bool = False
    not_from_walks: bool = False


@dataclass(frozen=True)
class Count:
    """How many nodes of `label` the node reaches along `pattern`, counted without reading them."""

    pattern: str
    label: str


@dataclass(frozen=True)
class Embedded:
    """A JSON property decoded into a list of maps keyed by the GraphQL field names of the items."""

    name: str
    decode: Callable[[Any], list[dict[str, Any]]]


@dataclass(frozen=True)
class Level:
    """How many levels below the start of the walk the node is (computed, not stored)."""


Storage = Property | Link | Embedded | Level | Count

# GraphQL object type -> node label, for the types a planned read can return.
LABELS = {
    "ProductInventory": "ProductInventory",
    "ProductSpecification": "ProductSpecification",
    "Location": "Location",
}


def _item_characteristics(raw: Any) -> list[dict[str, Any]]:
    return [{"name": k, "value": v} for k, v in sorted(parse_json_map(raw).items())]


def _spec_characteristics(raw: Any) -> list[dict[str, Any]]:
    return [{"name": c.name, "values": list(c.values), "default": c.default}
            for c in parse_characteristic_specs(raw)]


# (GraphQL type, GraphQL field) -> where the value is, for fields that are not a same-named property.
FIELDS: dict[tuple[str, str], Storage] = {
    ("ProductInventory", "version"): Property("version", item_version),
    ("ProductInventory", "createdAt"): Property("createdAt", to_datetime),
    ("ProductInventory", "depth"): Level(),
    ("ProductInventory", "characteristics"): Embedded("characteristics", _item_characteristics),
    ("ProductInventory", "specification"): Link("-[:INSTANCE_OF]->", "ProductSpecification", many=False),
    ("ProductInventory", "location"): Link("-[:AT]->", "Location", many=False),
    ("ProductInventory", "children"): Link("-[:HAS_CHILD]->", "ProductInventory", many=True, order=("name", "id")),
    ("ProductInventory", "parent"): Link("<-[:HAS_CHILD]-", "ProductInventory", many=False, scoped=True,
                                         depth_restarts=True, not_from_walks=True),
    ("ProductInventory", "childCount"): Count("-[:HAS_CHILD]->", "ProductInventory"),
    ("ProductSpecification", "version"): Property("version", spec_version),
    ("ProductSpecification", "physical"): Property("physical", spec_physical),
    ("ProductSpecification", "characteristics"): Embedded("characteristics", _spec_characteristics),
}

# Variable names by nesting level; a planned statement nests at most this deep.
VARIABLES = tuple("n" + str(i) for i in range(64))
MAX_DEPTH = inventory.MAX_DEPTH


def checked(name: str) -> str:
    """A label or property name taken from the schema, refused unless it is a plain identifier."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def property_of(var: str, name: str) -> str:
    return var + "." + checked(name)


def row(columns: list[str]) -> str:
    """The values of one node as a list, in the planner's column order."""
    return "[" + ", ".join(columns) + "]"


def follow(var: str, link: Link, target: str, projection: str) -> str:
    """The projection of the nodes `link` reaches from `var` (bound to `target` inside)."""
    step = "(" + var + ")" + link.pattern + "(" + target + ":" + checked(link.label) + ")"
    if link.scoped:
        step += " WHERE $accounts IS NULL OR " + target + ".accountId IN $accounts"
    if not link.many:
        return "[" + step + " | " + projection + "][0]"
    if not link.order:
        return "[" + step + " | " + projection + "]"
    order = ", ".join(property_of(target, p) for p in link.order)
    return "COLLECT { MATCH " + step + " WITH " + target + " ORDER BY " + order + " RETURN " + projection + " }"


def count(var: str, counted: Count) -> str:
    return "COUNT { (" + var + ")" + counted.pattern + "(:" + checked(counted.label) + ") }"


def next_level(depth: str) -> str:
    return "(" + depth + " + 1)"


# One item by id, in the caller's accounts ($accounts, null for all): its account and the planned projection.
ITEM_HEAD = (
    "MATCH (n0:ProductInventory {id: $id}) WHERE $accounts IS NULL OR n0.accountId IN $accounts "
    "RETURN n0.accountId AS accountId, "
)
ITEM_TAIL = " AS row"

# A subtree as flat nodes, as `graph.inventory.TREE` walks it: each node is `[depth, parent id, …the
# node's columns]`, unordered (the planner sorts by depth, name, id, as TREE's ORDER BY does; a
# sort of 10,000 rows costs Neo4j more than the walk itself).
TREE_HEAD = (
    "MATCH (r:ProductInventory {id: $rootId}) WHERE $accounts IS NULL OR r.accountId IN $accounts "
    "MATCH path = (r)" + inventory.WALK_DOWN + "(n0:ProductInventory) WHERE length(path) <= $depth "
    "WITH r, n0, length(path) AS depth, CASE WHEN length(path) = 0 THEN null ELSE nodes(path)[-2].id END AS up "
    "RETURN r.accountId AS accountId, collect([depth, up, "
)
TREE_TAIL = "]) AS nodes"
TREE_DEPTH = "depth"
WALK_DEPTH, WALK_PARENT, WALK_COLUMNS = 0, 1, 2  # where a walk's row holds its depth, the parent id, the node
