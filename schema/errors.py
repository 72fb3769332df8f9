"""Errors as part of the schema: typed payload errors, argument errors, and masking of the rest."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextvars import ContextVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from rules.model import RuleViolation
from schema.enums import OrderErrorCode

log = logging.getLogger("macd.api")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class ArgumentError(Exception):
    """A malformed argument; its message names the argument and reaches the client."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"Argument '{argument}': {message}")
        self.argument = argument


@strawberry.type(description="Why a mutation refused: a code, a sentence, the input field and the ids involved.")
class OrderError:
    code: OrderErrorCode = strawberry.field(description="What kind of refusal; the mutation's description lists the codes it can return.")
    message: str = strawberry.field(description="A sentence for people, naming ids and the rule.")
    field: str | None = strawberry.field(description="The input field the refusal is about (e.g. `inventoryIds`), when there is one.")
    ids: list[strawberry.ID] = strawberry.field(description="Every id involved (items, lines, orders).")

    @classmethod
    def of(cls, v: RuleViolation) -> OrderError:
        return cls(code=v.code, message=v.message, field=v.field, ids=[strawberry.ID(i) for i in v.ids])


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected failures from clients (logging them with the request id); keep user errors."""
    original = error.original_error
    if original is None or isinstance(original, (ArgumentError, GraphQLError)):
        return False
    log.error("request %s failed: %s", request_id_var.get(), error.message, exc_info=original)
    return True


# `extensions.code` of GraphQL errors (payload errors carry `OrderErrorCode` instead); see docs/api.md.
BAD_USER_INPUT = "BAD_USER_INPUT"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


def error_code(error: GraphQLError) -> str:
    """The machine-readable code of a GraphQL error, for clients to branch on instead of messages."""
    known = (error.extensions or {}).get("code")
    if isinstance(known, str):
        return known
    original = error.original_error
    if isinstance(original, ArgumentError):
        return BAD_USER_INPUT
    if original is not None and not isinstance(original, GraphQLError):
        return INTERNAL_SERVER_ERROR
    if error.path is not None:  # a resolver failed and was masked, or a non-null field came back null
        return INTERNAL_SERVER_ERROR
    if error.message.startswith("Syntax Error"):
        return GRAPHQL_PARSE_FAILED
    return GRAPHQL_VALIDATION_FAILED


class ErrorCodes(SchemaExtension):
    """Give every GraphQL error `extensions.code` (listed first, so it sees errors after masking)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            extensions = dict(error.extensions or {})
            extensions["code"] = error_code(error)
            original = error.original_error
            if isinstance(original, ArgumentError):
                extensions.setdefault("argument", original.argument)
            error.extensions = extensions
