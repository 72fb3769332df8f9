"""Reading the installed base: accounts, items, trees and the catalog."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import catalog, inventory
from schema.context import Context, authorize
from schema.errors import ArgumentError
from schema.inventory_tree import InventoryTree
from schema.pagination import AccountConnection, AccountEdge, decode_cursor, encode_cursor, page_info
from schema.types import Account, ProductInventory, ProductSpecification

Ctx = Info[Context, Any]
MAX_PAGE = 100


async def account(
    info: Ctx,
    id: Annotated[strawberry.ID, strawberry.argument(description="Account id.")],
) -> Account | None:
    authorize(info, "account.read")
    found = await info.context.loaders.account.load(str(id))
    return Account.of(found) if found else None


async def accounts(
    info: Ctx,
    first: Annotated[int | None, strawberry.argument(description="Page size, 1 to 100 (default 20).")] = 20,
    after: Annotated[str | None, strawberry.argument(description="Cursor of the last account already seen (`endCursor`).")] = None,
    search: Annotated[str | None, strawberry.argument(description="Text the account's name or id contains, any case.")] = None,
) -> AccountConnection:
    authorize(info, "account.list")
    first = 20 if first is None else first
    if not 1 <= first <= MAX_PAGE:
        raise ArgumentError("first", f"must be between 1 and {MAX_PAGE}, got {first}")
    page = await inventory.list_accounts(info.context.graph, first, decode_cursor("after", after), search)
    edges = [AccountEdge(cursor=encode_cursor(a.id), node=Account.of(a)) for a in page.items]
    return AccountConnection(
        edges=edges,
        page_info=page_info([e.cursor for e in edges], page.has_next, after),
        total_count=page.total,
    )


async def inventory_item(
    info: Ctx,
    id: Annotated[strawberry.ID, strawberry.argument(description="Item id.")],
) -> ProductInventory | None:
    authorize(info, "inventory.read")
    found = await info.context.loaders.item.load(str(id))
    return ProductInventory.of(found) if found else None


async def inventory_tree(
    info: Ctx,
    root_id: Annotated[strawberry.ID, strawberry.argument(description="The item whose subtree is returned (any item, not only a root).")],
    max_depth: Annotated[int | None, strawberry.argument(description="Levels below the root to include; none for the whole subtree (at most 64).")] = None,
) -> InventoryTree:
    authorize(info, "inventory.read")
    if max_depth is not None and max_depth < 0:
        raise ArgumentError("maxDepth", f"must be zero or more, got {max_depth}")
    result = await inventory.tree(info.context.graph, str(root_id), max_depth)
    loader = info.context.loaders.item
    for node in result.nodes:
        loader.prime(node.id, node)
    return InventoryTree.of(result)


async def product_specification(
    info: Ctx,
    id: Annotated[strawberry.ID, strawberry.argument(description="Specification id.")],
) -> ProductSpecification | None:
    authorize(info, "catalog.read")
    found = await info.context.loaders.spec.load(str(id))
    return ProductSpecification.of(found) if found else None


async def product_specifications(info: Ctx) -> list[ProductSpecification]:
    authorize(info, "catalog.read")
    specs = await catalog.all_specs(info.context.graph)
    for s in specs:
        info.context.loaders.spec.prime(s.id, s)
    return [ProductSpecification.of(s) for s in specs]
