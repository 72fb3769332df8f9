"""createLocation: a new service address, so a move can go where nothing was imported yet."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import lookup
from graph.records import LocationRecord
from resolvers.order_mutation import new_id, not_found
from rules.model import ErrorCode, RuleError, RuleViolation
from schema.context import Context, authorize
from schema.errors import OrderError
from schema.lookup import CreateLocationInput, LocationPayload
from schema.types import Location

Ctx = Info[Context, Any]


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


async def create_location(
    info: Ctx,
    input: Annotated[CreateLocationInput, strawberry.argument(description="The account and the address.")],
) -> LocationPayload:
    account_id = str(input.account_id)
    authorize(info, "location.create", account_id)
    graph = info.context.graph
    row = {
        "id": new_id("loc"),
        "name": _text(input.name),
        "address": _text(input.address),
        "city": _text(input.city),
        "country": _text(input.country),
    }

    async def work(tx: AsyncManagedTransaction) -> LocationRecord:
        if row["name"] is None:
            raise RuleError(RuleViolation(ErrorCode.INVALID_INPUT, "A location needs a name", "name", ()))
        created = await lookup.create_location(tx, graph, account_id, row)
        if created is None:
            raise not_found("accountId", account_id, what="account")
        return created

    try:
        created = await graph.write(work)
    except RuleError as refused:
        return LocationPayload(location=None, errors=[OrderError.of(v) for v in refused.violations])
    return LocationPayload(location=Location.of(created), errors=[])
