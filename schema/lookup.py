"""Types of the support lookups: search hits, and new locations."""

from __future__ import annotations

import strawberry

from schema.errors import OrderError
from schema.types import Location, ProductInventory


@strawberry.type(description="An item that matched a search, and where the text was found.")
class InventorySearchHit:
    item: ProductInventory = strawberry.field(description="The matching item.")
    matched_field: str = strawberry.field(
        description="Where the text occurs: `name`, `id` or `characteristics.<name>` (e.g. `characteristics.msisdn`)."
    )
    matched_value: str = strawberry.field(description="The whole value that contains the text.")


@strawberry.type(description="The items of an account that match a text, by name.")
class InventorySearchResult:
    hits: list[InventorySearchHit] = strawberry.field(description="At most `first` matching items, by name.")
    total_count: int = strawberry.field(description="How many items match in all (up to 5,000 are examined).")


@strawberry.input(description="A new service address for an account, e.g. the target of a move.")
class CreateLocationInput:
    account_id: strawberry.ID = strawberry.field(description="The account the address belongs to.")
    name: str = strawberry.field(description="Short name people use for the site (must not be blank).")
    address: str | None = strawberry.field(default=None, description="Street address.")
    city: str | None = strawberry.field(default=None, description="City.")
    country: str | None = strawberry.field(default=None, description="Country.")


@strawberry.type(description="createLocation's answer: the new location, or the errors and no change.")
class LocationPayload:
    location: Location | None = strawberry.field(description="The new location; none when the mutation refused.")
    errors: list[OrderError] = strawberry.field(description="Why the mutation refused; empty on success.")
