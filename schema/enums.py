"""GraphQL enums, each a view of the rules' enum of the same name."""

from __future__ import annotations

import strawberry

from rules import model

InventoryState = strawberry.enum(model.InventoryState, description="Product inventory state (TMF637-like).")
OrderAction = strawberry.enum(model.OrderAction, description="What a customer order does as a whole.")
LineAction = strawberry.enum(model.LineAction, description="What one order line does to one item.")
OrderState = strawberry.enum(model.OrderState, description="Customer order and order line state.")
OrderErrorCode = strawberry.enum(model.ErrorCode, name="OrderErrorCode", description="Why a mutation refused.")
