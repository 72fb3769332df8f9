"""One async driver per process, opened and closed in the app's lifespan, with a round-trip counter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Record

from rules.model import MAX_TREE_DEPTH

T = TypeVar("T")


@dataclass
class RoundTrips:
    """Counts the Cypher statements sent, so benchmarks and tests can see how many a request costs."""

    count: int = 0


@dataclass
class Graph:
    """The driver plus the database every call names."""

    driver: AsyncDriver
    database: str
    round_trips: RoundTrips = field(default_factory=RoundTrips)
    max_depth: int = MAX_TREE_DEPTH
    """The configured depth bound every write of the installed base enforces (at most MAX_TREE_DEPTH)."""

    async def read(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` in a retried read transaction (keep it idempotent)."""
        async with self.driver.session(database=self.database) as session:
            return await session.execute_read(work)

    async def write(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` in a retried write transaction: it commits whole or not at all."""
        async with self.driver.session(database=self.database) as session:
            return await session.execute_write(work)

    async def fetch(self, cypher: str, **params: Any) -> list[Record]:
        """One read statement in its own transaction."""

        async def work(tx: AsyncManagedTransaction) -> list[Record]:
            return await run(tx, self, cypher, params)

        return await self.read(work)

    async def ping(self) -> None:
        """Raise unless the database answers a trivial read."""
        await self.fetch("RETURN 1 AS ok")

    async def close(self) -> None:
        await self.driver.close()


async def run(tx: AsyncManagedTransaction, graph: Graph, cypher: str, params: dict[str, Any]) -> list[Record]:
    """Send one statement inside `tx`, counting it, and return all its records."""
    graph.round_trips.count += 1
    result = await tx.run(cypher, params)
    return [record async for record in result]


def open_graph(uri: str, user: str, password: str, database: str, max_depth: int = MAX_TREE_DEPTH) -> Graph:
    """Open the driver; `bolt://` talks to one server, `neo4j://` routes across a cluster."""
    auth = (user, password) if password else None
    driver = AsyncGraphDatabase.driver(
        uri, auth=auth, max_connection_pool_size=50, notifications_min_severity="OFF"
    )
    return Graph(driver=driver, database=database, max_depth=max_depth)
