"""Reads planned from the selection set: one Cypher statement per root field whose rows already
have the answer's shape, instead of thousands of resolver calls.

The shape comes from the GraphQL schema Strawberry built from `schema/types.py` (field names,
nesting, lists, nullability, scalar and enum serialization); where each field is stored comes
from `graph/planned_reads.py`. Fields are collected with graphql-core's own `collect_fields`,
so aliases, fragments, `@skip`/`@include` and `__typename` mean what GraphQL says.

A query is planned only when every field it selects can be; otherwise, and whenever the data
would not fit the schema (a null in a non-null field, an unknown enum value), or anything else
goes wrong, the resolvers answer instead, so the planned answer is always the one they give.
`tests/api/test_planned_reads.py` checks that byte for byte.

Plans are compiled once per query text, operation name and `@skip`/`@include` values (the only
variables that change which fields are collected) and kept in a bounded cache; a request only
binds its arguments. Each node is one positional row from Neo4j, turned into the answer object
by `dict(zip(keys, row))` after the few columns that need it are converted.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    TypeNode,
    get_nullable_type,
    get_operation_ast,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from neo4j import AsyncManagedTransaction
from strawberry.extensions import SchemaExtension

from graph import planned_reads as storage
from graph.driver import Graph, run
from schema.answer_shapes import Column, NotPlanned, Shape, compile_shape, memoized
from schema.context import Context, authorize
from schema.errors import UNAVAILABLE

log = logging.getLogger("macd.planner")

GroupedFields = dict[str, list[FieldDetails]]
Convert = Callable[[Any], Any]
BUILT_IN_SCALARS = frozenset({"String", "ID", "Int", "Float", "Boolean"})
PLAN_CACHE_SIZE = 512
__all__ = ["NotPlanned", "PlannedReads", "plan", "plannable", "storage_of"]


@dataclass
class Planning:
    """What collecting fields needs at every level of one operation."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDetails]
    variables: VariableValues
    operation: OperationDefinitionNode

    def subfields(self, type_: GraphQLObjectType, details: list[FieldDetails]) -> GroupedFields:
        return collect_subfields(self.schema, self.fragments, self.variables, self.operation, type_,
                                 details).grouped_field_set


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while an answer is shaped: it allocates tens of thousands of
    dicts and lists, none in a cycle, and would otherwise trigger collections that walk them all.
    Only around synchronous code, so no other request runs meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def leaf_column(key: str, index: int, type_: Any, non_null: bool, decode: Convert | None) -> Column:
    """Decoding, then GraphQL serialization, as the resolver path would do for this leaf; none when
    the stored value is the answer."""
    named = get_nullable_type(type_)
    serialize: Convert | None = None
    if isinstance(named, GraphQLEnumType) or (isinstance(named, GraphQLScalarType)
                                               and named.name not in BUILT_IN_SCALARS):
        serialize = named.serialize
    elif isinstance(named, GraphQLList):
        item = get_nullable_type(named.of_type)
        if not (isinstance(item, GraphQLScalarType) and item.name in BUILT_IN_SCALARS):
            raise NotPlanned("a list of non-built-in leaves")
    if decode is None and serialize is None:
        return Column(key, index, non_null=non_null)

    def convert(raw: Any) -> Any:
        value = decode(raw) if decode is not None else raw
        if value is None:
            if non_null:
                raise NotPlanned("null in a non-null field")
            return None
        if serialize is None:
            return value
        try:
            return serialize(value)
        except Exception as exc:  # the resolvers would report it as a field error
            raise NotPlanned(str(exc)) from exc

    # Enum serialization is a pure function of the stored value (a few states), so remember it.
    if isinstance(named, GraphQLEnumType) and decode is None:
        remembered, memo = memoized(convert)
        return Column(key, index, convert=remembered, memo=memo)
    return Column(key, index, convert=convert)


def object_type_of(type_: Any) -> tuple[GraphQLObjectType, bool]:
    """The object type a field returns, and whether it is a list of them."""
    nullable = get_nullable_type(type_)
    if isinstance(nullable, GraphQLList):
        item = get_nullable_type(nullable.of_type)
        if not isinstance(item, GraphQLObjectType):
            raise NotPlanned("a list of non-objects")
        if not isinstance(nullable.of_type, GraphQLNonNull):
            raise NotPlanned("a list of nullable objects")
        return item, True
    if not isinstance(nullable, GraphQLObjectType):
        raise NotPlanned("not an object")
    return nullable, False


def is_typename(details: list[FieldDetails]) -> bool:
    return details[0].node.name.value == "__typename"


def field_of(type_: GraphQLObjectType, details: list[FieldDetails]) -> tuple[str, GraphQLField]:
    name = details[0].node.name.value
    field = type_.fields.get(name)
    if field is None:
        raise NotPlanned(f"{type_.name}.{name} is not a plain field")
    return name, field


def storage_of(type_: GraphQLObjectType, name: str, field: GraphQLField) -> storage.Storage:
    known = storage.FIELDS.get((type_.name, name))
    if known is not None:
        return known
    definition = (field.extensions or {}).get("strawberry-definition")
    if definition is None or getattr(definition, "base_resolver", None) is not None:
        raise NotPlanned(f"{type_.name}.{name} has a resolver and no planned storage")
    return storage.Property(name)


def embedded_picks(planning: Planning, type_: GraphQLObjectType,
                   details: list[FieldDetails]) -> list[tuple[str, str | None, Any]]:
    """(answer key, field name or None for a constant, the constant) for items of plain leaves."""
    picks: list[tuple[str, str | None, Any]] = []
    for key, sub in planning.subfields(type_, details).items():
        if is_typename(sub):
            picks.append((key, None, type_.name))
            continue
        name, field = field_of(type_, sub)
        if field.args or sub[0].node.selection_set is not None:
            raise NotPlanned(f"{type_.name}.{name} is not a plain leaf")
        picks.append((key, name, None))
    return picks


def embedded_shaper(planning: Planning, type_: GraphQLObjectType, details: list[FieldDetails]) -> Convert:
    """Shapes maps decoded from a JSON property (keyed by GraphQL field names) into answer objects."""
    picks = embedded_picks(planning, type_, details)

    def shape(maps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{key: (constant if name is None else m[name]) for key, name, constant in picks} for m in maps]

    return shape


def node_plan(planning: Planning, type_: GraphQLObjectType, fields: GroupedFields, level: int,
              depth: str) -> tuple[str, Shape]:
    """The Cypher list of one node's selected values, bound to the level's variable, and its shape."""
    cypher, columns = node_columns(planning, type_, fields, level, depth)
    return storage.row(cypher), compile_shape(columns)


def node_columns(planning: Planning, type_: GraphQLObjectType, fields: GroupedFields, level: int, depth: str,
                 offset: int = 0) -> tuple[list[str], list[Column]]:
    """The Cypher expressions of one node's selected values and the answer's columns; the values
    sit at `offset` onwards in the row."""
    if type_.name not in storage.LABELS or level >= len(storage.VARIABLES) - 1:
        raise NotPlanned(f"{type_.name} at level {level}")
    var = storage.VARIABLES[level]
    cypher: list[str] = []
    columns: list[Column] = []
    for key, details in fields.items():
        index = offset + len(cypher)
        if is_typename(details):
            columns.append(Column(key, constant=type_.name))
            continue
        name, field = field_of(type_, details)
        if field.args:
            raise NotPlanned(f"{type_.name}.{name} takes arguments")
        place = storage_of(type_, name, field)
        non_null = isinstance(field.type, GraphQLNonNull)
        if isinstance(place, storage.Property):
            cypher.append(storage.property_of(var, place.name))
            columns.append(leaf_column(key, index, field.type, non_null, place.decode))
        elif isinstance(place, storage.Level):
            cypher.append(depth)
            columns.append(leaf_column(key, index, field.type, non_null, None))
        elif isinstance(place, storage.Count):
            cypher.append(storage.count(var, place))
            columns.append(leaf_column(key, index, field.type, non_null, None))
        elif isinstance(place, storage.Embedded):
            item_type, _ = object_type_of(field.type)
            cypher.append(storage.property_of(var, place.name))
            shape_items = embedded_shaper(planning, item_type, details)
            columns.append(Column(key, index, convert=embedded_converter(place.decode, shape_items)))
        else:
            target, many = object_type_of(field.type)
            if storage.LABELS.get(target.name) != place.label or many != place.many:
                raise NotPlanned(f"{type_.name}.{name} does not match its storage")
            if place.not_from_walks and depth == storage.TREE_DEPTH:
                raise NotPlanned(f"{type_.name}.{name} on the nodes of a walk")
            inner, shape = node_plan(planning, target, planning.subfields(target, details), level + 1,
                                     "0" if place.depth_restarts else storage.next_level(depth))
            cypher.append(storage.follow(var, place, storage.VARIABLES[level + 1], inner))
            columns.append(Column(key, index, non_null=non_null, link=shape, many=many))
    return cypher, columns


def embedded_converter(decode: Callable[[Any], list[dict[str, Any]]], shape: Convert) -> Convert:
    return lambda raw: shape(decode(raw))


Run = Callable[[AsyncManagedTransaction, Graph, Context], Awaitable[Any]]
Bind = Callable[[VariableValues], Run]
"""A compiled root field: given one request's variables, the work that answers it."""
Plan = list[tuple[str, Bind | str]]


@dataclass(frozen=True)
class PlannedInfo:
    """What `authorize` reads from a resolver's `info`, for reads answered without resolvers."""

    context: Context


def plan_inventory_item(planning: Planning, field: GraphQLField, details: list[FieldDetails]) -> Bind:
    type_, _ = object_type_of(field.type)
    projection, shape = node_plan(planning, type_, planning.subfields(type_, details), 0, "0")
    statement = storage.ITEM_HEAD + projection + storage.ITEM_TAIL
    node = details[0].node

    def bind(variables: VariableValues) -> Run:
        args = get_argument_values(field, node, variables)
        params = {"id": str(args["id"])}

        async def run_item(tx: AsyncManagedTransaction, graph: Graph, context: Context) -> Any:
            authorize(cast(Any, PlannedInfo(context)), "inventory.read")
            rows = await run(tx, graph, statement, {**params, "accounts": graph.accounts})
            if not rows:
                return None
            authorize(cast(Any, PlannedInfo(context)), "inventory.read", rows[0]["accountId"])
            with collector_paused():
                return shape(rows[0]["row"])

        return run_item

    return bind


def edges_shaper(picks: list[tuple[str, str | None, Any]]) -> Edges:
    """The edges of a walk from its node rows: one per node below the walk's start."""
    up, depth = storage.WALK_PARENT, storage.WALK_DEPTH
    if len(picks) <= 2 and all(name in ("parentId", "childId") for _, name, _ in picks):
        (k0, n0, _), (k1, n1, _) = picks[0], picks[-1]

        def two(values: list[list[Any]], walk: Walk) -> list[dict[str, Any]]:
            i0, i1 = (up if n == "parentId" else walk.id for n in (n0, n1))
            if len(picks) == 1:
                return [{k0: v[i0]} for v in values if v[up] is not None and v[depth] > 0]
            return [{k0: v[i0], k1: v[i1]} for v in values if v[up] is not None and v[depth] > 0]

        return two

    def general(values: list[list[Any]], walk: Walk) -> list[dict[str, Any]]:
        columns = {"parentId": up, "childId": walk.id}
        return [{key: (constant if name is None else v[columns[name]]) for key, name, constant in picks}
                for v in values if v[up] is not None and v[depth] > 0]

    return general


HIGH_BMP, ASTRAL = "\ue000", "\U00010000"


def sorts_alike(texts: list[str]) -> bool:
    """Whether code-point order (Python's) and UTF-16 order (Neo4j's for some values) agree on these
    texts: they differ only where one text has a character from U+E000 to U+FFFF and another a
    character beyond U+FFFF."""
    if "".join(texts).isascii():
        return True
    high = astral = False
    for text in texts:
        if text.isascii():
            continue
        if max(text) >= ASTRAL:
            astral = True
        if any(HIGH_BMP <= c < ASTRAL for c in text):
            high = True
    return not (high and astral)


@dataclass(frozen=True)
class Walk:
    """Where a walk's row (`[depth, parent id, …the node's columns]`) holds what sorting and edges need."""

    id: int
    name: int

    def sort(self, values: list[list[Any]]) -> None:
        """By depth, name and id, as the resolvers' `ORDER BY depth, n.name, n.id`; stable sorts from
        the last key to the first cost less than one sort on tuples."""
        try:
            if not sorts_alike([v[self.name] for v in values] + [v[self.id] for v in values]):
                raise NotPlanned("names whose order depends on the string encoding")
            for index in (self.id, self.name, storage.WALK_DEPTH):
                values.sort(key=itemgetter(index))
        except (AttributeError, TypeError) as missing:  # a null name or id: the resolvers report it
            raise NotPlanned("a node without a name or id") from missing


def walk_columns(cypher: list[str]) -> tuple[list[str], Walk]:
    """The node's columns plus the id and name when the selection does not already read them."""
    found = {}
    for name in ("id", "name"):
        column = storage.property_of(storage.VARIABLES[0], name)
        if column not in cypher:
            cypher = [*cypher, column]
        found[name] = storage.WALK_COLUMNS + cypher.index(column)
    return cypher, Walk(found["id"], found["name"])


Edges = Callable[[list[list[Any]], Walk], list[dict[str, Any]]]


def plan_inventory_tree(planning: Planning, field: GraphQLField, details: list[FieldDetails]) -> Bind:
    tree_type, _ = object_type_of(field.type)
    parts: list[tuple[str, str, Any]] = []  # (key, what, shaper or constant)
    cypher: list[str] = []
    for key, sub in planning.subfields(tree_type, details).items():
        if is_typename(sub):
            parts.append((key, "constant", tree_type.name))
            continue
        name, tree_field = field_of(tree_type, sub)
        if name == "nodes":
            node_type, _ = object_type_of(tree_field.type)
            if any(what == "nodes" for _, what, _ in parts):
                raise NotPlanned("nodes selected twice")
            cypher, columns = node_columns(planning, node_type, planning.subfields(node_type, sub), 0,
                                           storage.TREE_DEPTH, offset=storage.WALK_COLUMNS)
            parts.append((key, "nodes", compile_shape(columns)))
        elif name == "edges":
            edge_type, _ = object_type_of(tree_field.type)
            parts.append((key, "edges", edges_shaper(embedded_picks(planning, edge_type, sub))))
        else:
            raise NotPlanned(f"{tree_type.name}.{name}")
    cypher, walk = walk_columns(cypher)
    statement = storage.TREE_HEAD + ", ".join(cypher) + storage.TREE_TAIL
    node = details[0].node

    def bind(variables: VariableValues) -> Run:
        args = get_argument_values(field, node, variables)
        max_depth = args.get("maxDepth")
        if max_depth is not None and max_depth < 0:
            raise NotPlanned("maxDepth is refused by the resolver")
        depth = storage.MAX_DEPTH if max_depth is None else min(max_depth, storage.MAX_DEPTH)
        params = {"rootId": str(args["rootId"]), "depth": depth}

        async def run_tree(tx: AsyncManagedTransaction, graph: Graph, context: Context) -> Any:
            authorize(cast(Any, PlannedInfo(context)), "inventory.read")
            rows = await run(tx, graph, statement, {**params, "accounts": graph.accounts})
            values = rows[0]["nodes"] if rows else []
            if values:
                authorize(cast(Any, PlannedInfo(context)), "inventory.read", rows[0]["accountId"])
            out: dict[str, Any] = {}
            with collector_paused():
                walk.sort(values)
                for key, what, part in parts:
                    if what == "constant":
                        out[key] = part
                    elif what == "nodes":
                        out[key] = list(map(part, values))
                    else:
                        out[key] = part(values, walk)
            return out

        return run_tree

    return bind


ROOTS: dict[str, Callable[[Planning, GraphQLField, list[FieldDetails]], Bind]] = {
    "inventoryItem": plan_inventory_item,
    "inventoryTree": plan_inventory_tree,
}


def compile_plan(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                 variables: VariableValues) -> Plan:
    """The planned root fields of a query, in answer order; raises NotPlanned when it cannot be."""
    fragments = {d.name.value: FragmentDetails(d) for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    planning = Planning(schema, fragments, variables, operation)
    query_type = schema.query_type
    assert query_type is not None
    roots = collect_fields(schema, fragments, variables, query_type, operation).grouped_field_set
    planned: Plan = []
    for key, details in roots.items():
        name = details[0].node.name.value
        if name == "__typename":
            planned.append((key, query_type.name))
            continue
        build = ROOTS.get(name)
        if build is None:
            raise NotPlanned(f"Query.{name}")
        planned.append((key, build(planning, query_type.fields[name], details)))
    return planned


def boolean_variable(type_: TypeNode) -> bool:
    """Whether a variable is declared `Boolean` or `Boolean!`: the only ones `@skip`/`@include` take."""
    inner = type_.type if isinstance(type_, NonNullTypeNode) else type_
    return isinstance(inner, NamedTypeNode) and inner.name.value == "Boolean"


# Compiled plans per schema, keyed by query text, operation name and the @skip/@include values; a
# query that cannot be planned is remembered as its reason.
PLANS: WeakKeyDictionary[GraphQLSchema, OrderedDict[tuple[Any, ...], Plan | NotPlanned]] = WeakKeyDictionary()


def cached_plan(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                variables: VariableValues, query: str | None) -> Plan:
    if query is None:
        return compile_plan(schema, document, operation, variables)
    switches = tuple((d.variable.name.value, variables.coerced.get(d.variable.name.value))
                     for d in operation.variable_definitions or () if boolean_variable(d.type))
    key = (query, operation.name.value if operation.name else None, switches)
    plans = PLANS.setdefault(schema, OrderedDict())
    found = plans.get(key)
    if found is None:
        try:
            found = compile_plan(schema, document, operation, variables)
        except NotPlanned as reason:
            found = reason
        plans[key] = found
        if len(plans) > PLAN_CACHE_SIZE:
            plans.popitem(last=False)
    else:
        plans.move_to_end(key)
    if isinstance(found, NotPlanned):
        raise found
    return found


def plan(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
         inputs: dict[str, Any] | None, query: str | None = None) -> list[tuple[str, Run | str]]:
    """The work answering each root field of a query, in answer order; raises NotPlanned when it
    cannot be planned. With the query text given, the compiled plan is cached."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        raise NotPlanned("not one query")
    coerced = get_variable_values(schema, operation.variable_definitions or (), inputs or {})
    if isinstance(coerced, list):
        raise NotPlanned("variables do not coerce")
    compiled = cached_plan(schema, document, operation, coerced, query)
    return [(key, part if isinstance(part, str) else part(coerced)) for key, part in compiled]


async def answer(graph: Graph, context: Context, planned: list[tuple[str, Run | str]]) -> dict[str, Any]:
    """Run every planned root field in one read transaction."""

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, part in planned:
            data[key] = part if isinstance(part, str) else await part(tx, graph, context)
        return data

    return await graph.read(work)


class PlannedReads(SchemaExtension):
    """Answers plannable queries before graphql-core executes them; leaves every other one alone."""

    async def on_execute(self) -> Any:  # type: ignore[override]
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        already = self.execution_context.result is not None  # refused by a limit before execution
        if isinstance(context, Context) and context.plan_reads and document is not None and not already:
            try:
                planned = plan(self.execution_context.schema._schema, document,
                               self.execution_context.operation_name, self.execution_context.variables,
                               self.execution_context.query)
                data = await answer(context.graph, context, planned)
            except NotPlanned as reason:
                log.debug("answered by the resolvers: %s", reason)
            except UNAVAILABLE as gone:  # the resolvers would only wait for Neo4j a second time
                self.execution_context.result = ExecutionResult(
                    data=None, errors=[GraphQLError(str(gone), original_error=gone)]
                )
            except Exception:  # the resolvers answer, and report whatever it is the GraphQL way
                log.debug("planned read failed; answered by the resolvers", exc_info=True)
            else:
                self.execution_context.result = ExecutionResult(data=data, errors=None)
        yield


def plannable(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None = None,
              variables: dict[str, Any] | None = None) -> bool:
    """Whether the planner would answer this query (for tests and the benchmark)."""
    try:
        plan(schema, document, operation_name, variables)
    except NotPlanned:
        return False
    return True
