"""Errors as part of the schema: typed payload errors, argument errors, and masking of the rest.

Every GraphQL error leaves with an `extensions.code`: the limit that refused the document, FORBIDDEN,
the rule code of a RuleError, INVALID_INPUT for a malformed argument, SERVICE_UNAVAILABLE when
Neo4j cannot be reached, and INTERNAL_SERVER_ERROR (with the request id) for anything unexpected,
whose details are logged and never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextvars import ContextVar

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from neo4j.exceptions import ConnectionPoolError, DatabaseUnavailable, ServiceUnavailable, SessionExpired
from strawberry.extensions import SchemaExtension

from graph.driver import DatabaseNotReady
from rules.model import RuleError, RuleViolation
from schema.enums import OrderErrorCode

log = logging.getLogger("macd.api")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

UNAVAILABLE_MESSAGE = "The database is not reachable right now; try again in a few seconds."


class ArgumentError(Exception):
    """A malformed argument; its message names the argument and reaches the client."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"Argument '{argument}': {message}")
        self.argument = argument


UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionPoolError, DatabaseUnavailable, DatabaseNotReady,
               TimeoutError)


@strawberry.type(description="Why a mutation refused: a code, a sentence, the input field and the ids involved.")
class OrderError:
    code: OrderErrorCode = strawberry.field(description="What kind of refusal; the mutation's description lists the codes it can return.")
    message: str = strawberry.field(description="A sentence for people, naming ids and the rule.")
    field: str | None = strawberry.field(description="The input field the refusal is about (e.g. `inventoryIds`), when there is one.")
    ids: list[strawberry.ID] = strawberry.field(description="Every id involved (items, lines, orders).")

    @classmethod
    def of(cls, v: RuleViolation) -> OrderError:
        return cls(code=v.code, message=v.message, field=v.field, ids=[strawberry.ID(i) for i in v.ids])


def _with(error: GraphQLError, message: str | None = None, **extensions: object) -> GraphQLError:
    return GraphQLError(
        message if message is not None else error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), **extensions},
    )


def client_error(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: user errors kept and coded, unexpected ones masked and logged."""
    original = error.original_error
    request_id = request_id_var.get()
    syntax = error if isinstance(error, GraphQLSyntaxError) else original
    if isinstance(syntax, GraphQLSyntaxError):  # raised directly, or wrapped by a parsing extension
        code = "TOO_MANY_TOKENS" if "tokens. Parsing aborted" in syntax.message else "GRAPHQL_PARSE_FAILED"
        return _with(error, code=code)
    if original is None:
        if error.extensions and "code" in error.extensions:
            return error
        return _with(error, code="GRAPHQL_VALIDATION_FAILED")
    if isinstance(original, GraphQLError):
        return _with(error, **(original.extensions or {}))
    if isinstance(original, ArgumentError):
        return _with(error, code="INVALID_INPUT", field=original.argument)
    if isinstance(original, RuleError):
        first = original.violations[0]
        return _with(error, code=first.code.value, field=first.field, ids=list(first.ids))
    if isinstance(original, UNAVAILABLE):
        log.warning("request %s: Neo4j unavailable: %s", request_id, original)
        return _with(error, UNAVAILABLE_MESSAGE, code="SERVICE_UNAVAILABLE", requestId=request_id)
    log.error("request %s failed: %s", request_id, error.message, exc_info=original)
    return _with(error, "Unexpected error.", code="INTERNAL_SERVER_ERROR", requestId=request_id)


class ServiceErrors(SchemaExtension):
    """Applies `client_error` to every error of a result (in place of Strawberry's MaskErrors)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [client_error(e) for e in errors]
