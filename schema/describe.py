"""Registering the rules' enums with GraphQL, with a description for the enum and every value."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[Enum])


def described_enum(cls: E, description: str, values: Mapping[str, str], name: str | None = None) -> E:
    """`strawberry.enum(cls)` with `values[member name]` as each value's description.

    The rules' enums stay plain Python; a value without a description is a programming error
    caught at import, so a new member cannot reach the schema undocumented.
    """
    missing = sorted(m.name for m in cls if m.name not in values)  # type: ignore[attr-defined]
    extra = sorted(set(values) - {m.name for m in cls})  # type: ignore[attr-defined]
    if missing or extra:
        raise ValueError(f"enum {cls.__name__}: undescribed values {missing}, unknown values {extra}")
    strawberry.enum(cls, name=name, description=description)
    for value in cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[value.name]
    return cls
