"""What every resolver reads first: the caller, the graph and the per-request loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from strawberry.types import Info

from graph.driver import Graph

if TYPE_CHECKING:
    from resolvers.loaders import Loaders


@dataclass(frozen=True)
class Caller:
    """Who sends a request: an id and roles, read from the `X-Caller` and `X-Roles` headers."""

    id: str = "anonymous"
    roles: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Context:
    """Per-request context; loaders live exactly as long as one request."""

    graph: Graph
    caller: Caller
    loaders: Loaders
    request_id: str
    request: Any = None
    plan_reads: bool = True  # answer plannable reads with one statement (schema/planner.py)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def now_of(info: Info[Context, Any]) -> datetime:
    """The instant the request is decided at (`service.clock`: the system clock, or a test clock)."""
    return info.context.now


def caller_of(info: Info[Context, Any]) -> Caller:
    return info.context.caller


def authorize(info: Info[Context, Any], action: str, account_id: str | None = None) -> Caller:
    """The one place where roles and per-account scoping are decided; every resolver calls it.

    Every caller may do everything today; a rule added here applies to the whole API.
    """
    return caller_of(info)
