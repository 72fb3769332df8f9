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
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

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
    OperationDefinitionNode,
    OperationType,
    get_nullable_type,
    get_operation_ast,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from neo4j import AsyncManagedTransaction
from strawberry.extensions import SchemaExtension

from graph import planned_reads as storage
from graph.driver import Graph, run
from schema.context import Context, authorize
from schema.errors import UNAVAILABLE

log = logging.getLogger("macd.planner")

GroupedFields = dict[str, list[FieldDetails]]
Convert = Callable[[Any], Any]
BUILT_IN_SCALARS = frozenset({"String", "ID", "Int", "Float", "Boolean"})


class NotPlanned(Exception):
    """The query, or the data it meets, needs the resolvers."""


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


@dataclass(frozen=True)
class Slot:
    """One key of an answer object: column `index` of the row (converted), or a constant when -1."""

    key: str
    index: int
    convert: Convert | None = None
    constant: Any = None


def shaper(slots: list[Slot]) -> Callable[[Any], dict[str, Any]]:
    """Turns one row (a list of column values) into the answer object, keys in selection order."""
    frozen = tuple((s.key, s.index, s.convert, s.constant) for s in slots)

    def shape(values: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, index, convert, constant in frozen:
            if index < 0:
                out[key] = constant
            elif convert is None:
                out[key] = values[index]
            else:
                out[key] = convert(values[index])
        return out

    return shape


def required(value: Any) -> Any:
    if value is None:
        raise NotPlanned("null in a non-null field")
    return value


def leaf_converter(type_: Any, non_null: bool, decode: Convert | None) -> Convert | None:
    """Decoding, then GraphQL serialization, as the resolver path would do for this leaf."""
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
        return required if non_null else None

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

    return convert


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


def typename_slot(key: str, type_: GraphQLObjectType, details: list[FieldDetails]) -> Slot | None:
    if details[0].node.name.value == "__typename":
        return Slot(key, -1, constant=type_.name)
    return None


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


def embedded_shaper(planning: Planning, type_: GraphQLObjectType, details: list[FieldDetails]) -> Convert:
    """Shapes maps decoded from a JSON property (keyed by GraphQL field names) into answer objects."""
    picks: list[tuple[str, str | None, Any]] = []
    for key, sub in planning.subfields(type_, details).items():
        slot = typename_slot(key, type_, sub)
        if slot is not None:
            picks.append((key, None, slot.constant))
            continue
        name, field = field_of(type_, sub)
        if field.args or sub[0].node.selection_set is not None:
            raise NotPlanned(f"{type_.name}.{name} is not a plain leaf")
        picks.append((key, name, None))

    def shape(maps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{key: (constant if name is None else m[name]) for key, name, constant in picks} for m in maps]

    return shape


def node_plan(
    planning: Planning, type_: GraphQLObjectType, fields: GroupedFields, level: int, depth: str
) -> tuple[str, Callable[[Any], dict[str, Any]]]:
    """The Cypher list of one node's selected values, bound to the level's variable, and its shaper."""
    if type_.name not in storage.LABELS or level >= len(storage.VARIABLES) - 1:
        raise NotPlanned(f"{type_.name} at level {level}")
    var = storage.VARIABLES[level]
    columns: list[str] = []
    slots: list[Slot] = []
    for key, details in fields.items():
        slot = typename_slot(key, type_, details)
        if slot is not None:
            slots.append(slot)
            continue
        name, field = field_of(type_, details)
        if field.args:
            raise NotPlanned(f"{type_.name}.{name} takes arguments")
        place = storage_of(type_, name, field)
        non_null = isinstance(field.type, GraphQLNonNull)
        index = len(columns)
        if isinstance(place, storage.Property):
            columns.append(storage.property_of(var, place.name))
            slots.append(Slot(key, index, leaf_converter(field.type, non_null, place.decode)))
        elif isinstance(place, storage.Level):
            columns.append(depth)
            slots.append(Slot(key, index, leaf_converter(field.type, non_null, None)))
        elif isinstance(place, storage.Embedded):
            item_type, _ = object_type_of(field.type)
            decode, shape_items = place.decode, embedded_shaper(planning, item_type, details)
            columns.append(storage.property_of(var, place.name))
            slots.append(Slot(key, index, embedded_converter(decode, shape_items)))
        else:
            target, many = object_type_of(field.type)
            if storage.LABELS.get(target.name) != place.label or many != place.many:
                raise NotPlanned(f"{type_.name}.{name} does not match its storage")
            inner, shape = node_plan(planning, target, planning.subfields(target, details), level + 1,
                                     storage.next_level(depth))
            columns.append(storage.follow(var, place, storage.VARIABLES[level + 1], inner))
            slots.append(Slot(key, index, link_converter(shape, many, non_null)))
    return storage.row(columns), shaper(slots)


def embedded_converter(decode: Callable[[Any], list[dict[str, Any]]], shape: Convert) -> Convert:
    return lambda raw: shape(decode(raw))


def link_converter(shape: Callable[[Any], dict[str, Any]], many: bool, non_null: bool) -> Convert:
    if many:
        return lambda rows: [shape(r) for r in rows]

    def one(value: Any) -> Any:
        if value is None:
            if non_null:
                raise NotPlanned("null in a non-null field")
            return None
        return shape(value)

    return one


Run = Callable[[AsyncManagedTransaction, Graph, Context], Awaitable[Any]]


@dataclass(frozen=True)
class PlannedInfo:
    """What `authorize` reads from a resolver's `info`, for reads answered without resolvers."""

    context: Context


def plan_inventory_item(planning: Planning, field: GraphQLField, details: list[FieldDetails]) -> Run:
    type_, _ = object_type_of(field.type)
    args = get_argument_values(field, details[0].node, planning.variables)
    projection, shape = node_plan(planning, type_, planning.subfields(type_, details), 0, "0")
    statement = storage.ITEM_HEAD + projection + storage.ITEM_TAIL

    async def run_item(tx: AsyncManagedTransaction, graph: Graph, context: Context) -> Any:
        authorize(cast(Any, PlannedInfo(context)), "inventory.read")
        rows = await run(tx, graph, statement, {"id": str(args["id"]), "accounts": graph.accounts})
        if not rows:
            return None
        authorize(cast(Any, PlannedInfo(context)), "inventory.read", rows[0]["accountId"])
        return shape(rows[0]["row"])

    return run_item


def plan_inventory_tree(planning: Planning, field: GraphQLField, details: list[FieldDetails]) -> Run:
    tree_type, _ = object_type_of(field.type)
    args = get_argument_values(field, details[0].node, planning.variables)
    max_depth = args.get("maxDepth")
    if max_depth is not None and max_depth < 0:
        raise NotPlanned("maxDepth is refused by the resolver")
    depth = storage.MAX_DEPTH if max_depth is None else min(max_depth, storage.MAX_DEPTH)
    parts: list[tuple[str, str, Any]] = []  # (key, what, shaper or constant)
    projection = storage.row([])
    for key, sub in planning.subfields(tree_type, details).items():
        slot = typename_slot(key, tree_type, sub)
        if slot is not None:
            parts.append((key, "constant", slot.constant))
            continue
        name, tree_field = field_of(tree_type, sub)
        if name == "nodes":
            node_type, _ = object_type_of(tree_field.type)
            if any(what == "nodes" for _, what, _ in parts):
                raise NotPlanned("nodes selected twice")
            projection, node_shape = node_plan(planning, node_type, planning.subfields(node_type, sub), 0,
                                               storage.TREE_DEPTH)
            parts.append((key, "nodes", node_shape))
        elif name == "edges":
            edge_type, _ = object_type_of(tree_field.type)
            parts.append((key, "edges", embedded_shaper(planning, edge_type, sub)))
        else:
            raise NotPlanned(f"{tree_type.name}.{name}")
    statement = storage.TREE_HEAD + projection + storage.TREE_TAIL

    async def run_tree(tx: AsyncManagedTransaction, graph: Graph, context: Context) -> Any:
        authorize(cast(Any, PlannedInfo(context)), "inventory.read")
        rows = await run(tx, graph, statement,
                         {"rootId": str(args["rootId"]), "depth": depth, "accounts": graph.accounts})
        values = rows[0]["nodes"] if rows else []
        if values:
            authorize(cast(Any, PlannedInfo(context)), "inventory.read", rows[0]["accountId"])
        out: dict[str, Any] = {}
        for key, what, part in parts:
            if what == "constant":
                out[key] = part
            elif what == "nodes":
                out[key] = [part(v[3]) for v in values]
            else:
                out[key] = part([{"parentId": v[2], "childId": v[1]} for v in values if v[0] > 0 and v[2] is not None])
        return out

    return run_tree


ROOTS: dict[str, Callable[[Planning, GraphQLField, list[FieldDetails]], Run]] = {
    "inventoryItem": plan_inventory_item,
    "inventoryTree": plan_inventory_tree,
}


def plan(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
         inputs: dict[str, Any] | None) -> list[tuple[str, Run | str]]:
    """The planned root fields of a query, in answer order; raises NotPlanned when it cannot be."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        raise NotPlanned("not one query")
    coerced = get_variable_values(schema, operation.variable_definitions or (), inputs or {})
    if isinstance(coerced, list):
        raise NotPlanned("variables do not coerce")
    fragments = {d.name.value: FragmentDetails(d) for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    planning = Planning(schema, fragments, coerced, operation)
    query_type = schema.query_type
    assert query_type is not None
    roots = collect_fields(schema, fragments, coerced, query_type, operation).grouped_field_set
    planned: list[tuple[str, Run | str]] = []
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
                               self.execution_context.operation_name, self.execution_context.variables)
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
