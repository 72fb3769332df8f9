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


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class AccountEdge:
    cursor: str
    node: Account


@strawberry.type
class AccountConnection:
    edges: list[AccountEdge]
    page_info: PageInfo
    total_count: int
