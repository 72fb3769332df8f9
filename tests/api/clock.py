"""Asking the API at a chosen instant: the test clock of service/clock.py, so tests never sleep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.clock import NOW_HEADER, TOKEN_HEADER
from tests.conftest import TEST_CLOCK_TOKEN, Api


async def at(api: Api, when: datetime, query: str, **variables: Any) -> dict[str, Any]:
    """`api(query)` as if it were `when` (data, failing on GraphQL errors)."""
    body = await api.raw(query, headers={TOKEN_HEADER: TEST_CLOCK_TOKEN, NOW_HEADER: when.isoformat()}, **variables)
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[no-any-return]
