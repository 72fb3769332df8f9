"""One async driver per process, opened and closed in the app's lifespan, with a round-trip counter.

Each request works through its own view of the driver (`Graph.for_request`): the view carries
the caller's id (recorded on every event it writes), the accounts the caller may see (every read
statement that starts from an id filters on `$accounts`, None meaning all), and a semaphore that
bounds how many statements the request runs at once, so one request cannot take the whole pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Record

from rules.model import MAX_TREE_DEPTH

T = TypeVar("T")

# Prefix for a statement anchored on unique-id seeks, whose plan does not depend on how many nodes
# there are: Neo4j keeps its cached plan instead of planning it again whenever the statistics have
# drifted (after every large write), which costs 100 ms and more per statement for no better plan.
STABLE_PLAN = "CYPHER replan=skip "


class DatabaseNotReady(Exception):
    """The service has not yet reached Neo4j and applied its migrations since it started."""


@dataclass
class RoundTrips:
    """Counts the Cypher statements sent, so benchmarks and tests can see how many a request costs,
    and the most transactions the process has had open at once (`peak`)."""

    count: int = 0
    in_flight: int = 0
    peak: int = 0


@dataclass
class Graph:
    """The driver plus the database every call names, and the request's caller, scope and bound."""

    driver: AsyncDriver
    database: str
    round_trips: RoundTrips = field(default_factory=RoundTrips)
    max_depth: int = MAX_TREE_DEPTH
    """The configured depth bound every write of the installed base enforces (at most MAX_TREE_DEPTH)."""
    caller_id: str | None = None
    accounts: list[str] | None = None
    gate: asyncio.Semaphore | None = None
    ready: asyncio.Event | None = None

    def for_request(
        self, caller_id: str, accounts: list[str] | None, statements: int, ready: asyncio.Event | None = None
    ) -> Graph:
        """This graph as one request uses it: its caller, its account scope, at most `statements` at
        once, and no statement at all before `ready` is set (Neo4j reached and migrated)."""
        return dataclasses.replace(
            self, caller_id=caller_id, accounts=accounts, gate=asyncio.Semaphore(max(1, statements)), ready=ready
        )

    @contextlib.asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        if self.ready is not None and not self.ready.is_set():
            raise DatabaseNotReady("Neo4j has not been reached and migrated yet")
        async with self.gate or contextlib.nullcontext():
            counter = self.round_trips
            counter.in_flight += 1
            counter.peak = max(counter.peak, counter.in_flight)
            try:
                yield
            finally:
                counter.in_flight -= 1

    async def read(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` in a retried read transaction (keep it idempotent)."""
        async with self._turn(), self.driver.session(database=self.database) as session:
            return await session.execute_read(work)

    async def write(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` in a retried write transaction: it commits whole or not at all."""
        async with self._turn(), self.driver.session(database=self.database) as session:
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


def open_graph(
    uri: str,
    user: str,
    password: str,
    database: str,
    max_depth: int = MAX_TREE_DEPTH,
    *,
    connect_seconds: float = 2.0,
    acquire_seconds: float = 3.0,
    retry_seconds: float = 2.0,
) -> Graph:
    """Open the driver; `bolt://` talks to one server, `neo4j://` routes across a cluster.

    The timeouts are short so that with Neo4j unreachable a request fails within seconds
    (SERVICE_UNAVAILABLE) instead of waiting out the driver's defaults of 30 to 60 s.
    """
    auth = (user, password) if password else None
    driver = AsyncGraphDatabase.driver(
        uri,
        auth=auth,
        max_connection_pool_size=50,
        notifications_min_severity="OFF",
        connection_timeout=connect_seconds,
        connection_acquisition_timeout=acquire_seconds,
        max_transaction_retry_time=retry_seconds,
    )
    return Graph(driver=driver, database=database, max_depth=max_depth)
