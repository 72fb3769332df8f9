"""Bounds on what one GraphQL document may ask for, checked before any Cypher runs.

Depth, aliases and tokens use Strawberry's own limiters; the cost limit and the argument lengths
are written here because they need this schema's shape (which lists are pages, which are trees).
Every refusal is a GraphQL error whose `extensions.code` names the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    ValidationContext,
    ValidationRule,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    value_from_ast_untyped,
    visit,
)
from graphql.language import ArgumentNode, DocumentNode
from graphql.validation import ASTValidationRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension

from service.settings import Limits

MAX_PAGE = 100  # the largest `first` any connection accepts (resolvers.inventory_read.MAX_PAGE)
TREE_TYPES = frozenset({"InventoryTree"})  # whose lists hold a whole subtree
ID_LIKE_ARGUMENTS = frozenset({"idempotencyKey"})  # strings that are identifiers in all but type


class _ReportingWith:
    """A validation context that stamps `extensions.code` on every error a rule reports."""

    def __init__(self, context: ValidationContext, code: str) -> None:
        self._context = context
        self._code = code

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": self._code}
        self._context.report_error(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def coded(rule: type[ASTValidationRule], code: str) -> type[ASTValidationRule]:
    """`rule` with its errors carrying `code`; for rules that decide in their constructor, as
    Strawberry's limiters do."""

    class Coded(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            rule(_ReportingWith(context, code))  # type: ignore[arg-type]

    Coded.__name__ = f"Coded{rule.__name__}"
    return Coded


def _page_size(field: FieldNode, default: Any) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(0, int(argument.value.value))
            return MAX_PAGE  # a variable: assume the largest page it may ask for
    return int(default) if isinstance(default, int) else MAX_PAGE


def query_cost(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode,
    parent: GraphQLNamedType,
    fragments: Mapping[str, FragmentDefinitionNode],
    limits: Limits,
    multiplier: int = 1,
    page: int | None = None,
    seen: frozenset[str] = frozenset(),
) -> int:
    """Objects the selection may return: every object field counts once per parent it can be read
    for, a list multiplies by its page size (`first`), its tree size or the assumed list size."""
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__") or not isinstance(parent, GraphQLObjectType) or name not in parent.fields:
                continue
            definition = parent.fields[name]
            named = get_named_type(definition.type)
            if is_leaf_type(named) or selection.selection_set is None:
                continue
            size = 1
            if isinstance(get_nullable_type(definition.type), GraphQLList):
                if name == "edges" and page is not None:
                    size = page
                elif parent.name in TREE_TYPES:
                    size = limits.tree_size
                else:
                    size = limits.list_size
            first = definition.args.get("first")
            child_page = _page_size(selection, first.default_value) if first is not None else None
            here = multiplier * size
            total += here + query_cost(schema, selection.selection_set, named, fragments, limits, here,
                                       child_page, seen)
        elif isinstance(selection, InlineFragmentNode):
            condition = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            total += query_cost(schema, selection.selection_set, condition or parent, fragments, limits,
                                multiplier, page, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue
            condition = schema.get_type(fragment.type_condition.name.value) or parent
            total += query_cost(schema, fragment.selection_set, condition, fragments, limits, multiplier, page,
                                seen | {name})
    return total


def cost_rule(limits: Limits) -> type[ValidationRule]:
    """Refuse documents whose cost (see `query_cost`) is over `limits.max_cost`."""

    class QueryCostRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            schema = context.schema
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            for definition in document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                root = schema.get_root_type(definition.operation)
                if root is None:
                    continue
                cost = query_cost(schema, definition.selection_set, root, fragments, limits)
                if cost > limits.max_cost:
                    context.report_error(
                        GraphQLError(
                            f"The query may return about {cost} objects; at most {limits.max_cost} are allowed. "
                            "Ask for smaller pages, fewer levels of children, or use inventoryTree for a subtree.",
                            definition,
                            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limits.max_cost},
                        )
                    )

    return QueryCostRule


def validation_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """Depth, alias and cost limits (and no introspection unless enabled), each with its code."""
    rules: list[type[ASTValidationRule]] = [
        *(coded(r, "QUERY_TOO_DEEP") for r in QueryDepthLimiter(max_depth=limits.max_depth).validation_rules),
        *(coded(r, "TOO_MANY_ALIASES")
          for r in MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules),
        cost_rule(limits),
    ]
    if not limits.introspection:
        rules.append(NoIntrospection)
    return rules


class NoIntrospection(ValidationRule):
    """Refuse `__schema` and `__type` (as graphql-core's NoSchemaIntrospectionCustomRule does), with a code."""

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value in ("__schema", "__type"):
            self.report_error(GraphQLError(
                f"Introspection is disabled on this server ('{node.name.value}'); see docs/security.md",
                node, extensions={"code": "INTROSPECTION_DISABLED"},
            ))


class TokenLimit(SchemaExtension):
    """At most `limits.max_tokens` tokens per document (graphql-core stops parsing beyond)."""

    def __init__(self, limits: Limits) -> None:
        self.max_tokens = limits.max_tokens

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        yield


def too_long(
    value: Any, type_: GraphQLInputType, field: str, limits: Limits
) -> GraphQLError | None:
    """The first string in `value` longer than its type allows (IDs and identifiers less than text)."""
    nullable = get_nullable_type(type_)  # type: ignore[type-var]
    if value is None:
        return None
    if isinstance(nullable, GraphQLList):
        for item in value if isinstance(value, list) else [value]:
            error = too_long(item, nullable.of_type, field, limits)
            if error:
                return error
        return None
    if isinstance(nullable, GraphQLInputObjectType):
        if not isinstance(value, dict):
            return None
        for key, inner in value.items():
            if key in nullable.fields:
                error = too_long(inner, nullable.fields[key].type, key, limits)
                if error:
                    return error
        return None
    if isinstance(value, str):
        limit = limits.max_id_length if getattr(nullable, "name", "") == "ID" or field in ID_LIKE_ARGUMENTS \
            else limits.max_text_length
        if len(value) > limit:
            return GraphQLError(
                f"'{field}' is {len(value)} characters long; at most {limit} are allowed",
                extensions={"code": "INVALID_INPUT", "field": field, "limit": limit},
            )
    return None


def argument_too_long(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], limits: Limits
) -> GraphQLError | None:
    """The first argument of the document (inline or through variables) over its length limit."""
    type_info = TypeInfo(schema)
    found: list[GraphQLError] = []

    class Arguments(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            definition = type_info.get_argument()
            if definition is None or found:
                return
            raw = value_from_ast_untyped(node.value, dict(variables))
            error = too_long(raw, definition.type, node.name.value, limits)
            if error:
                found.append(error)

    visit(document, TypeInfoVisitor(type_info, Arguments()))
    return found[0] if found else None


class ArgumentLengths(SchemaExtension):
    """Refuse over-long ids and free text before the resolvers see them (INVALID_INPUT naming the field)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            error = argument_too_long(context.schema._schema, context.graphql_document, context.variables or {},
                                      self.limits)
            if error is not None:
                context.result = ExecutionResult(data=None, errors=[error])
        yield


SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class HideSuggestions(SchemaExtension):
    """Drop graphql-core's "Did you mean …?" hints, which spell out the schema to whoever probes it."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            error.message = SUGGESTION.sub("", error.message)
