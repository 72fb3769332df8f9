"""The Relay `Node` interface: every object with a stable id can be fetched again by `node(id)`."""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="An object with a stable id, unique across the whole graph; `node(id)` fetches it again (Relay)."
)
class Node:
    id: strawberry.ID = strawberry.field(description="Stable id, unique across every kind of object.")
