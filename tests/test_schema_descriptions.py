"""The API explains itself: every type, field, argument, input field and enum value is described,
and every mutation says which error codes it can return."""

from __future__ import annotations

import re

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

from schema.enums import OrderErrorCode
from schema.root import schema


def undescribed(s: GraphQLSchema) -> list[str]:
    """Every schema coordinate (Type, Type.field, Type.field(arg:), Enum.VALUE) without a description."""
    missing: list[str] = []

    def check(coordinate: str, description: str | None) -> None:
        if not (description or "").strip():
            missing.append(coordinate)

    for name, t in s.type_map.items():
        if name.startswith("__"):
            continue
        check(name, t.description)
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType)):
            for fname, f in t.fields.items():
                check(f"{name}.{fname}", f.description)
                for aname, a in f.args.items():
                    check(f"{name}.{fname}({aname}:)", a.description)
        elif isinstance(t, GraphQLInputObjectType):
            for fname, f in t.fields.items():
                check(f"{name}.{fname}", f.description)
        elif isinstance(t, GraphQLEnumType):
            for vname, v in t.values.items():
                check(f"{name}.{vname}", v.description)
        elif isinstance(t, GraphQLUnionType):
            pass
    for d in s.directives:
        check(f"@{d.name}", d.description)
        for aname, a in d.args.items():
            check(f"@{d.name}({aname}:)", a.description)
    return missing


def test_every_schema_element_has_a_description() -> None:
    missing = undescribed(schema._schema)
    assert missing == [], f"{len(missing)} schema elements without a description: {missing}"


def test_the_walk_finds_what_lacks_a_description() -> None:
    from graphql import build_schema

    probe = build_schema('"A query" type Query { "described" a(x: Int): Int b: Int } enum E { "v" V W }')
    assert undescribed(probe) == ["Query.a(x:)", "Query.b", "E", "E.W"]


CODE = re.compile(r"\b[A-Z][A-Z_]{2,}\b")


def test_every_mutation_lists_the_error_codes_it_can_return() -> None:
    known = {c.value for c in OrderErrorCode}
    mutation = schema._schema.mutation_type
    assert mutation is not None
    for name, field in mutation.fields.items():
        description = field.description or ""
        assert "Errors:" in description, f"{name} does not list its error codes"
        listed = set(CODE.findall(description.split("Errors:", 1)[1]))
        assert listed, f"{name} lists no error code"
        assert listed <= known, f"{name} lists codes the API does not have: {listed - known}"
