"""Cursor connections (Relay style) and their opaque cursors."""

from __future__ import annotations

import base64
import binascii

import strawberry

from schema.errors import ArgumentError
from schema.types import Account


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"c:{key}".encode()).decode()


def decode_cursor(argument: str, cursor: str | None) -> str | None:
    """The key inside a cursor; a cursor this API did not issue is an argument error."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ArgumentError(argument, "is not a cursor this API issued") from None
    if not raw.startswith("c:"):
        raise ArgumentError(argument, "is not a cursor this API issued")
    return raw[2:]


@strawberry.type(description="Where a page is in the whole list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    end_cursor: str | None = strawberry.field(description="Cursor of the page's last item; pass it as `after`.")
    has_previous_page: bool = strawberry.field(
        default=False, description="Items come before this page (the page was asked for `after` a cursor)."
    )
    start_cursor: str | None = strawberry.field(default=None, description="Cursor of the page's first item.")


def page_info(cursors: list[str], has_next: bool, after: str | None) -> PageInfo:
    """The PageInfo of a page whose items have `cursors`, read forward from `after`."""
    return PageInfo(
        has_next_page=has_next,
        end_cursor=cursors[-1] if cursors else None,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
    )


@strawberry.type(description="An account in a page of accounts, with its cursor.")
class AccountEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this account; pass it as `after` for the next page.")
    node: Account = strawberry.field(description="The account.")


@strawberry.type(description="A page of accounts (Relay connection).")
class AccountConnection:
    edges: list[AccountEdge] = strawberry.field(description="One page of accounts, by id.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
    total_count: int = strawberry.field(description="How many accounts match, over all pages.")
