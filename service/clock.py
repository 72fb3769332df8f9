"""The time a request is decided at.

Production reads the system clock. Tests need to see work age without sleeping, so a server
started with `MACD_TEST_CLOCK_TOKEN` set also accepts a request's own "now": the `X-Test-Now`
header (ISO 8601) counts only when `X-Test-Clock-Token` carries that token (compared in constant
time). Without the setting, or with a wrong token, both headers are ignored, so no production
caller can move the clock. See docs/lifecycle.md ("The clock").
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

TOKEN_HEADER = "x-test-clock-token"
NOW_HEADER = "x-test-now"


def system_now() -> datetime:
    return datetime.now(UTC)


def request_now(headers: Mapping[str, str], token: str | None) -> datetime:
    """The request's instant: the system clock, or the test clock when the token matches."""
    if not token:
        return system_now()
    given, when = headers.get(TOKEN_HEADER), headers.get(NOW_HEADER)
    if given is None or when is None or not hmac.compare_digest(given.encode(), token.encode()):
        return system_now()
    try:
        parsed = datetime.fromisoformat(when)
    except ValueError:
        return system_now()
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
