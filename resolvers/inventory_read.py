"""Reading the installed base: accounts, items, trees and the catalog."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import catalog, inventory
from schema.context import Context, authorize
from schema.errors import ArgumentError
from schema.inventory_tree import InventoryTree
from schema.pagination import AccountConnection, AccountEdge, PageInfo, decode_cursor, encode_cursor
from schema.types import Account, ProductInventory, ProductSpecification

Ctx = Info[Context, Any]
MAX_PAGE = 100


async def account(info: Ctx, id: strawberry.ID) -> Account | None:
    authorize(info, "account.read")
    found = await info.context.loaders.account.load(str(id))
    return Account.of(found) if found else None


async def accounts(
    info: Ctx, first: int | None = 20, after: str | None = None, search: str | None = None
) -> AccountConnection:
    authorize(info, "account.list")
    first = 20 if first is None else first
    if not 1 <= first <= MAX_PAGE:
        raise ArgumentError("first", f"must be between 1 and {MAX_PAGE}, got {first}")
    page = await inventory.list_accounts(info.context.graph, first, decode_cursor("after", after), search)
    edges = [AccountEdge(cursor=encode_cursor(a.id), node=Account.of(a)) for a in page.items]
    return AccountConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None),
        total_count=page.total,
    )


async def inventory_item(info: Ctx, id: strawberry.ID) -> ProductInventory | None:
    authorize(info, "inventory.read")
    found = await info.context.loaders.item.load(str(id))
    return ProductInventory.of(found) if found else None


async def inventory_tree(info: Ctx, root_id: strawberry.ID, max_depth: int | None = None) -> InventoryTree:
    authorize(info, "inventory.read")
    if max_depth is not None and max_depth < 0:
        raise ArgumentError("maxDepth", f"must be zero or more, got {max_depth}")
    result = await inventory.tree(info.context.graph, str(root_id), max_depth)
    loader = info.context.loaders.item
    for node in result.nodes:
        loader.prime(node.id, node)
    return InventoryTree.of(result)


async def product_specification(info: Ctx, id: strawberry.ID) -> ProductSpecification | None:
    authorize(info, "catalog.read")
    found = await info.context.loaders.spec.load(str(id))
    return ProductSpecification.of(found) if found else None


async def product_specifications(info: Ctx) -> list[ProductSpecification]:
    authorize(info, "catalog.read")
    specs = await catalog.all_specs(info.context.graph)
    for s in specs:
        info.context.loaders.spec.prime(s.id, s)
    return [ProductSpecification.of(s) for s in specs]
