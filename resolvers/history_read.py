"""Reading an item's history, newest first."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.history import events_of_items
from schema.context import Context, authorize
from schema.history import InventoryEvent

Ctx = Info[Context, Any]


async def inventory_history(
    info: Ctx,
    id: Annotated[strawberry.ID, strawberry.argument(description="Item id.")],
) -> list[InventoryEvent]:
    authorize(info, "inventory.history")
    loader = info.context.loaders.named("history", info.context.graph, events_of_items, list)
    return [InventoryEvent.of(e) for e in await loader.load(str(id))]
