"""Neo4j goes away and comes back: the API starts without it, says so, fails fast with a typed
transient error while it is gone, and recovers by itself, with no order half-applied.

This test runs its own throwaway Neo4j (not the session's), kills it with SIGKILL under a small
load and restarts it on the same data.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.consistency import check_graph
from graph.driver import Graph, open_graph
from service.live import LiveServer, free_port
from service.local_neo4j import LocalNeo4j
from tests.builders import account, document, item, load, spec

WORKERS = 3
FAIL_FAST_SECONDS = 10.0  # generous: the driver gives up after 2 s of retries plus its last pause (MACD_NEO4J_RETRY_SECONDS)
READY_ANSWER_SECONDS = 3.0  # /readyz waits at most 1.5 s for Neo4j (MACD_READY_TIMEOUT)
RECOVERY_SECONDS = 60.0


@pytest.fixture
def own_neo4j() -> Iterator[LocalNeo4j]:
    home = Path(tempfile.mkdtemp(prefix="macd-outage-"))
    server = LocalNeo4j(home, free_port(), heap="512m", page_cache="64m")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class Call:
    started: float
    seconds: float
    outcome: str  # "ok", a payload error code, or a GraphQL error code


@dataclass
class Load:
    """Workers that create, fill, submit and cancel orders on their own item, over and over."""

    url: str
    token: str
    calls: list[Call] = field(default_factory=list)
    running: bool = True

    async def call(self, client: httpx.AsyncClient, query: str, **variables: Any) -> tuple[str, dict[str, Any]]:
        started = time.monotonic()
        try:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            self.calls.append(Call(started, time.monotonic() - started, type(exc).__name__))
            return type(exc).__name__, {}
        if body.get("errors"):
            outcome = body["errors"][0].get("extensions", {}).get("code", "UNCODED")
        else:
            (payload,) = body["data"].values()
            errors = payload.get("errors") if isinstance(payload, dict) else None
            outcome = errors[0]["code"] if errors else "ok"
        self.calls.append(Call(started, time.monotonic() - started, outcome))
        return outcome, body.get("data") or {}

    async def worker(self, item_id: str) -> None:
        payload = "order { id } errors { code }"
        async with httpx.AsyncClient(base_url=self.url, timeout=60,
                                     headers={"Authorization": f"Bearer {self.token}"}) as client:
            while self.running:
                # Cancel whatever still holds the item from a cycle an outage interrupted.
                outcome, data = await self.call(client, "query ($i: ID!) { inventoryItem(id: $i) { openOrder { id } } }",
                                                i=item_id)
                held = ((data.get("inventoryItem") or {}).get("openOrder") or {}).get("id")
                if held:
                    await self.call(client, f"mutation ($o: ID!) {{ cancelOrder(orderId: $o) {{ {payload} }} }}", o=held)
                outcome, data = await self.call(
                    client, f'mutation {{ createOrder(input: {{accountId: "acc-1", action: CHANGE}}) {{ {payload} }} }}')
                if outcome != "ok":
                    await asyncio.sleep(0.2)
                    continue
                order_id = data["createOrder"]["order"]["id"]
                for document_ in (
                    f"mutation ($o: ID!, $i: ID!) {{ addInventoryToOrder(input: {{orderId: $o, inventoryIds: [$i], "
                    f"lineAction: DISCONNECT}}) {{ {payload} }} }}",
                    f"mutation ($o: ID!) {{ submitOrder(orderId: $o) {{ {payload} }} }}",
                    f"mutation ($o: ID!) {{ cancelOrder(orderId: $o) {{ {payload} }} }}",
                ):
                    variables = {"o": order_id, "i": item_id} if "$i" in document_ else {"o": order_id}
                    outcome, _ = await self.call(client, document_, **variables)
                    if outcome != "ok":
                        break
                await asyncio.sleep(0.05)

    def ok_after(self, moment: float) -> int:
        return sum(1 for c in self.calls if c.started > moment and c.outcome == "ok")

    async def until_ok_after(self, moment: float, workers: list[asyncio.Task[None]], seconds: float = 60) -> None:
        """Wait until a call started after `moment` succeeded; a worker that stopped says why."""
        deadline = time.monotonic() + seconds
        while self.ok_after(moment) == 0 and time.monotonic() < deadline:
            for worker in workers:
                if worker.done():
                    worker.result()
            await asyncio.sleep(0.2)


def probe(url: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        status = httpx.get(f"{url}/readyz", timeout=10).status_code
    except httpx.HTTPError:
        status = 0
    return status, time.monotonic() - started


async def wait_ready(url: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        status, _ = await asyncio.to_thread(probe, url)
        if status == 200:
            return time.monotonic() - started
        await asyncio.sleep(0.25)
    raise AssertionError(f"/readyz did not answer 200 within {seconds} s")


# Every order is whole: its lines are in its state, the items it claims are the items its lines
# target while it is open (and none once it is closed), and its history ends in its state.
HALF_APPLIED = (
    "MATCH (o:CustomerOrder)-[:HAS_LINE]->(l:OrderLine) WHERE l.state <> o.state RETURN o.id AS id",
    "MATCH (p:ProductInventory) WHERE p.openOrderId IS NOT NULL "
    "OPTIONAL MATCH (o:CustomerOrder {id: p.openOrderId}) "
    "WHERE o.state IN ['DRAFT', 'SUBMITTED', 'IN_PROGRESS', 'CANCELLATION_IN_PROGRESS'] "
    "AND EXISTS { (o)-[:HAS_LINE]->(:OrderLine)-[:TARGETS]->(p) } "
    "WITH p, o WHERE o IS NULL RETURN p.id AS id",
    "MATCH (o:CustomerOrder)-[:HAS_EVENT]->(e:OrderEvent) WITH o, e ORDER BY e.at DESC "
    "WITH o, collect(e)[0] AS last WHERE last.toState <> o.state RETURN o.id AS id",
)


async def half_applied(graph: Graph) -> list[str]:
    found: list[str] = []
    for statement in HALF_APPLIED:
        found += [r["id"] for r in await graph.fetch(statement)]
    return found


async def test_the_api_rides_out_a_neo4j_outage(own_neo4j: LocalNeo4j, auth_key: Path,
                                                token_for: Callable[..., str]) -> None:
    env = {"NEO4J_URI": own_neo4j.uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "", "NEO4J_DATABASE": "neo4j",
           "MACD_AUTH_LOCAL_KEY": str(auth_key)}
    server = LiveServer(env)
    server.start(wait_for="/healthz")  # Neo4j is not running yet
    token = token_for("admin", subject="outage-test")
    query = {"query": "{ accounts { totalCount } }"}
    headers = {"Authorization": f"Bearer {token}"}
    graph: Graph | None = None
    try:
        status, seconds = probe(server.url)
        assert status == 503 and seconds < READY_ANSWER_SECONDS
        started = time.monotonic()
        body = httpx.post(f"{server.url}/graphql", json=query, headers=headers, timeout=60).json()
        assert time.monotonic() - started < FAIL_FAST_SECONDS
        assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert body["errors"][0]["extensions"]["requestId"]

        await asyncio.to_thread(own_neo4j.start)
        await wait_ready(server.url, RECOVERY_SECONDS)  # connected and migrated by itself
        graph = open_graph(own_neo4j.uri, "neo4j", "", "neo4j")
        items = [item(f"pi-{w}", "leaf") for w in range(WORKERS)]
        await load(graph, document([spec("leaf")], account("acc-1", *items)))

        traffic = Load(server.url, token)
        workers = [asyncio.create_task(traffic.worker(f"pi-{w}")) for w in range(WORKERS)]
        await traffic.until_ok_after(0, workers)
        assert traffic.ok_after(0) > 0, traffic.calls
        await asyncio.sleep(2)

        killed = time.monotonic()
        await asyncio.to_thread(own_neo4j.kill)
        await asyncio.sleep(1)
        down_probes = [await asyncio.to_thread(probe, server.url) for _ in range(3)]
        assert all(status == 503 and seconds < READY_ANSWER_SECONDS for status, seconds in down_probes), down_probes
        await asyncio.sleep(FAIL_FAST_SECONDS)  # the load keeps calling into the outage

        restarted = time.monotonic()
        await asyncio.to_thread(own_neo4j.start)
        await wait_ready(server.url, RECOVERY_SECONDS)
        recovered = time.monotonic()
        await traffic.until_ok_after(recovered, workers)
        traffic.running = False
        await asyncio.gather(*workers)

        during = [c for c in traffic.calls if killed + 1 < c.started and c.started + c.seconds < restarted]
        assert during, "the load must have called while Neo4j was down"
        print(f"\noutage: {len(during)} calls, slowest {max(c.seconds for c in during):.2f} s; /readyz down "
              f"{max(s for _, s in down_probes):.2f} s; ready again {recovered - restarted:.1f} s after the restart")
        assert {c.outcome for c in during} == {"SERVICE_UNAVAILABLE"}
        assert max(c.seconds for c in during) < FAIL_FAST_SECONDS
        assert traffic.ok_after(recovered) > 0, "the API recovers by itself"
        assert await half_applied(graph) == []
        assert [str(v) for v in (await check_graph(graph)).violations] == []  # `macd check`
    finally:
        server.stop()
        if graph is not None:
            await graph.close()
