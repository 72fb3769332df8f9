"""What the benchmark scripts share: a Neo4j (throwaway unless NEO4J_URI is set), the API on a
real HTTP server, installed bases of a chosen size, and a table printer."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from graph.driver import Graph, open_graph
from graph.importer import import_installed_base
from installed_base.validate import parse
from service.live import LiveServer, free_port
from service.local_neo4j import LocalNeo4j
from service.settings import load_settings


@contextlib.contextmanager
def neo4j_env() -> Iterator[dict[str, str]]:
    """Connection settings; starts a throwaway local Neo4j when NEO4J_URI is not set."""
    if os.environ.get("NEO4J_URI"):
        yield {k: v for k, v in os.environ.items() if k.startswith("NEO4J_")}
        return
    home = Path(tempfile.mkdtemp(prefix="macd-bench-"))
    server = LocalNeo4j(home, free_port(), heap="2g", page_cache="512m")
    server.start()
    try:
        yield {"NEO4J_URI": server.uri, "NEO4J_DATABASE": "neo4j"}
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def api_server(env: dict[str, str]) -> Iterator[LiveServer]:
    server = LiveServer(env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def tree_document(items: int, *, physical_leaves: bool = False, prefix: str = "") -> dict[str, Any]:
    """One account whose single root has about `items` items in three levels (ids start with `prefix`)."""
    middle = max(1, int(math.sqrt(items - 1)))
    leaves_total = max(0, items - 1 - middle)
    per = math.ceil(leaves_total / middle) if middle else 0
    specs = [
        {"id": "b-root", "name": "Bundle", "bundles": [{"specificationId": "b-mid", "min": 0, "max": items}]},
        {"id": "b-mid", "name": "Site", "bundles": [{"specificationId": "b-leaf", "min": 0, "max": items}]},
        {"id": "b-leaf", "name": "Port", "physical": physical_leaves,
         "characteristics": [{"name": "speed", "values": ["1G", "10G"]}]},
    ]
    made = 0
    mids = []
    for m in range(middle):
        leaves = []
        for leaf in range(per):
            if made >= leaves_total:
                break
            leaves.append({"id": f"{prefix}leaf-{m}-{leaf}", "name": "Port", "specificationId": "b-leaf",
                           "state": "ACTIVE", "locationId": f"{prefix}loc-1", "characteristics": {"speed": "1G"}})
            made += 1
        mids.append({"id": f"{prefix}mid-{m}", "name": "Site", "specificationId": "b-mid", "state": "ACTIVE",
                     "locationId": f"{prefix}loc-1", "children": leaves})
    root = {"id": f"{prefix}root", "name": "Bundle", "specificationId": "b-root", "state": "ACTIVE", "locationId": f"{prefix}loc-1",
            "children": mids}
    return {
        "catalog": {"productSpecifications": specs},
        "accounts": [{"id": f"acc-bench{prefix}", "name": "Bench", "segment": "ENTERPRISE",
                      "locations": [{"id": f"{prefix}loc-{i}", "name": f"Site {i}", "address": "1 Road", "city": "Town",
                                     "country": "GB"} for i in (1, 2)],
                      "inventory": [root],
                      "contracts": [{"id": f"{prefix}ctr-bench", "name": "Bench", "state": "ACTIVE", "startDate": "2024-01-01",
                                     "entitlements": []}]}],
    }


def graph_for(env: dict[str, str]) -> Graph:
    """A driver for the benchmark's Neo4j, as the service would open it from `env`."""
    settings = load_settings(env)
    return open_graph(settings.bolt_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database)


async def reset(env: dict[str, str], doc: dict[str, Any]) -> int:
    """Empty the database and import `doc`; returns the number of inventory items."""
    graph = graph_for(env)
    try:
        async with graph.driver.session(database=graph.database) as session:
            statement = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
            await (await session.run(statement)).consume()
        await import_installed_base(graph.driver, graph.database, parse(doc))
        records, _, _ = await graph.driver.execute_query("MATCH (p:ProductInventory) RETURN count(p) AS n",
                                                        database_=graph.database)
        return int(records[0]["n"])
    finally:
        await graph.close()


class Client:
    """Times GraphQL calls and counts the Neo4j statements the server sent for each."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=600,
                                 headers={"Authorization": f"Bearer {server.token('admin')}"})

    def call(self, query: str, **variables: Any) -> tuple[dict[str, Any], float, int]:
        before = self.server.round_trips
        started = time.perf_counter()
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        elapsed = time.perf_counter() - started
        body = response.json()
        if "errors" in body:
            raise RuntimeError(body["errors"])
        return body["data"], elapsed, self.server.round_trips - before


def print_table(title: str, header: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    print(f"\n{title}")
    print("  ".join(str(h).rjust(w) for h, w in zip(header, widths, strict=False)))
    for row in rows:
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=False)))
