"""Errors as part of the schema: typed payload errors, argument errors, and masking of the rest."""

from __future__ import annotations

import logging
from contextvars import ContextVar

import strawberry
from graphql import GraphQLError

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
    code: OrderErrorCode
    message: str
    field: str | None
    ids: list[strawberry.ID]

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
