"""The schema: root Query and Mutation, assembled from the resolver modules."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors

from resolvers import (
    history_read,
    inventory_read,
    order_add_inventory,
    order_add_product,
    order_create,
    order_line_remove,
    order_line_update,
    order_preview,
    order_read,
    order_submit,
)
from resolvers.order_preview import OrderPreview
from schema.errors import should_mask
from schema.history import InventoryEvent
from schema.inventory_tree import InventoryTree
from schema.orders import CustomerOrder, OrderLinePreview, OrderPayload
from schema.pagination import AccountConnection
from schema.types import Account, ProductInventory, ProductSpecification


@strawberry.type
class Query:
    account: Account | None = strawberry.field(resolver=inventory_read.account)
    accounts: AccountConnection = strawberry.field(
        resolver=inventory_read.accounts, description="Accounts by id; `search` matches name or id."
    )
    inventory_item: ProductInventory | None = strawberry.field(resolver=inventory_read.inventory_item)
    inventory_tree: InventoryTree = strawberry.field(
        resolver=inventory_read.inventory_tree, description="A subtree as one flat answer (empty when unknown)."
    )
    product_specification: ProductSpecification | None = strawberry.field(
        resolver=inventory_read.product_specification
    )
    product_specifications: list[ProductSpecification] = strawberry.field(
        resolver=inventory_read.product_specifications
    )
    order: CustomerOrder | None = strawberry.field(resolver=order_read.order)
    inventory_history: list[InventoryEvent] = strawberry.field(
        resolver=history_read.inventory_history, description="Every recorded change to an item, newest first."
    )
    preview_order: list[OrderLinePreview] = strawberry.field(
        resolver=order_preview.preview_order,
        description="The lines an action on a selection would create; nothing is written.",
    )
    order_preview: OrderPreview = strawberry.field(
        resolver=order_preview.preview_lines,
        description="Like previewOrder, but refusals come back as typed errors instead of a GraphQL error.",
    )


@strawberry.type
class Mutation:
    create_order: OrderPayload = strawberry.field(resolver=order_create.create_order)
    add_inventory_to_order: OrderPayload = strawberry.field(resolver=order_add_inventory.add_inventory_to_order)
    add_product_to_order: OrderPayload = strawberry.field(resolver=order_add_product.add_product_to_order)
    update_order_line: OrderPayload = strawberry.field(resolver=order_line_update.update_order_line)
    remove_order_line: OrderPayload = strawberry.field(resolver=order_line_remove.remove_order_line)
    submit_order: OrderPayload = strawberry.field(resolver=order_submit.submit_order)


schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[lambda: MaskErrors(should_mask_error=should_mask)])
