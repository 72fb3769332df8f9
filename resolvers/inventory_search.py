"""searchInventory: an account's items by name, id or characteristic value (a phone number, a serial)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import lookup
from schema.context import Context, authorize
from schema.errors import ArgumentError
from schema.lookup import InventorySearchHit, InventorySearchResult
from schema.types import ProductInventory

Ctx = Info[Context, Any]
MAX_HITS = 500


async def search_inventory(
    info: Ctx,
    account_id: Annotated[strawberry.ID, strawberry.argument(description="The account whose items are searched.")],
    text: Annotated[
        str, strawberry.argument(description="Text to find, any case: part of a name, an id or a characteristic value.")
    ],
    first: Annotated[int | None, strawberry.argument(description="Most hits to return, 1 to 500 (default 50).")] = 50,
) -> InventorySearchResult:
    authorize(info, "inventory.search", str(account_id))
    first = 50 if first is None else first
    if not 1 <= first <= MAX_HITS:
        raise ArgumentError("first", f"must be between 1 and {MAX_HITS}, got {first}")
    if not text.strip():
        raise ArgumentError("text", "must not be blank")
    found = await lookup.search_items(info.context.graph, str(account_id), text)
    loader = info.context.loaders.item
    hits = []
    for item, field, value in found[:first]:
        loader.prime(item.id, item)
        hits.append(InventorySearchHit(item=ProductInventory.of(item), matched_field=field, matched_value=value))
    return InventorySearchResult(hits=hits, total_count=len(found))
