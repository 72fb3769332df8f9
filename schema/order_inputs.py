"""Inputs of the order capture mutations."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.enums import LineAction, OrderAction
from schema.orders import CharacteristicInput


@strawberry.input(description="A new draft order for an account.")
class CreateOrderInput:
    account_id: strawberry.ID
    action: OrderAction
    idempotency_key: str | None = strawberry.field(
        default=None, description="Sending the same key again returns the first order instead of a new one."
    )
    requested_start_date: date | None = strawberry.field(
        default=None, description="The day the customer wants the work to start; no task is ready before it."
    )
    requested_completion_date: date | None = strawberry.field(
        default=None,
        description="The day the customer wants the order complete (not before the start date); the order is "
        "due at its end and in jeopardy as it gets close.",
    )
    follows_order_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Make this a follow-on order of an open order of the account (R15): it may target that "
        "order's items, is captured against them as they will be once it completes, and waits (QUEUED) "
        "until then.",
    )


@strawberry.input(description="Select inventory items; the order's rules decide which lines they bring.")
class AddInventoryInput:
    order_id: strawberry.ID
    inventory_ids: list[strawberry.ID]
    characteristics: list[CharacteristicInput] | None = None
    target_location_id: strawberry.ID | None = strawberry.field(default=None, description="For moves.")
    line_action: LineAction | None = strawberry.field(
        default=None,
        description="Overrides the line action the order's action implies, e.g. DISCONNECT lines in a CHANGE order.",
    )
    specification_version: str | None = strawberry.field(
        default=None,
        description="CHANGE lines only: move each selected item to this stored version of its specification "
        "(checked against that version's bundle rules for the item's children); completion repoints the item.",
    )


@strawberry.input(description="Add a new product under an inventory item of the order (or a new root).")
class AddProductInput:
    order_id: strawberry.ID
    specification_id: strawberry.ID
    parent_inventory_id: strawberry.ID | None = None
    characteristics: list[CharacteristicInput] | None = None
    location_id: strawberry.ID | None = strawberry.field(default=None, description="Defaults to the parent's.")


@strawberry.input(description="Edit one line; omitted fields stay as they are.")
class UpdateOrderLineInput:
    line_id: strawberry.ID
    action: LineAction | None = None
    move_operation: bool | None = None
    target_location_id: strawberry.ID | None = None
    characteristics: list[CharacteristicInput] | None = None
    specification_version: str | None = strawberry.field(
        default=None,
        description="CHANGE lines only: move the item to this stored version of its specification "
        "(checked against that version's bundle rules for the item's children).",
    )
