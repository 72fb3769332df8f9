"""Recorded changes to inventory items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry


@strawberry.type(description="One recorded change to an item: what changed, by which order and line, when.")
class InventoryEvent:
    id: strawberry.ID = strawberry.field(description="Stable event id.")
    item_id: strawberry.ID = strawberry.field(description="The item that changed.")
    order_id: strawberry.ID | None = strawberry.field(description="The order whose effect this was; none for an import.")
    line_id: strawberry.ID | None = strawberry.field(description="The order line whose effect this was.")
    field: str = strawberry.field(description="state, characteristics, location or parent.")
    from_value: str | None = strawberry.field(description="Value before the change.")
    to_value: str | None = strawberry.field(description="Value after the change.")
    at: datetime = strawberry.field(description="When the change landed.")
    caller_id: str | None = strawberry.field(
        description="The verified caller whose request made the change (null for events recorded before "
        "callers were verified)."
    )

    @classmethod
    def of(cls, e: dict[str, Any]) -> InventoryEvent:
        at = e["at"].to_native() if hasattr(e["at"], "to_native") else e["at"]
        return cls(
            id=strawberry.ID(e["id"]), item_id=strawberry.ID(e["itemId"]),
            order_id=e.get("orderId"), line_id=e.get("lineId"), field=e["field"],
            from_value=e.get("fromValue"), to_value=e.get("toValue"), at=at, caller_id=e.get("callerId"),
        )
