"""resumeEntitlement: "resume this entitlement" creates a DRAFT RESUME order for the product it
covers (and, by R5, everything under it)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.entitlement_suspend import order_for
from rules.model import OrderAction
from schema.context import Context
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def resume_entitlement(
    info: Ctx,
    entitlement_id: Annotated[strawberry.ID, strawberry.argument(description="A SUSPENDED entitlement.")],
) -> OrderPayload:
    return await order_for(info, str(entitlement_id), OrderAction.RESUME)
