"""GraphQL enums: the rules' own enums, registered with Strawberry under their GraphQL names."""

from __future__ import annotations

import strawberry

from rules import model

strawberry.enum(model.InventoryState, description="Product inventory state (TMF637-like).")
strawberry.enum(model.OrderAction, description="What a customer order does as a whole.")
strawberry.enum(model.LineAction, description="What one order line does to one item.")
strawberry.enum(model.OrderState, description="Customer order and order line state.")
strawberry.enum(model.ErrorCode, name="OrderErrorCode", description="Why a mutation refused.")

InventoryState = model.InventoryState
OrderAction = model.OrderAction
LineAction = model.LineAction
OrderState = model.OrderState
OrderErrorCode = model.ErrorCode
