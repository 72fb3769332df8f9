"""How fast the request limits refuse the issue's attack documents, and how many statements
reached Neo4j for them (none should), next to the explorer's largest allowed request:
`python -m benchmarks.limits`.

A 46-wide, 3-level installed base is loaded so that the refused documents would have had
something to chew on.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

import httpx

from benchmarks.common import api_server, neo4j_env, print_table, reset
from tests.builders import account, document, item, spec

WIDTH = 46
RUNS = 5


def wide_tree() -> dict[str, object]:
    specs = [spec("s0", bundles=[("s1", 0, WIDTH)]), spec("s1", bundles=[("s2", 0, WIDTH)]), spec("s2")]
    root = item("r", "s0", *(item(f"r.{i}", "s1", *(item(f"r.{i}.{j}", "s2") for j in range(WIDTH)))
                             for i in range(WIDTH)))
    return document(specs, account("acc-1", root))


def chain(levels: int) -> str:
    inner = "id name"
    for _ in range(levels):
        inner = f"parent {{ children {{ {inner} }} }}"
    return f'{{ inventoryItem(id: "r.0") {{ {inner} }} }}'


ATTACKS: dict[str, str] = {
    "parent/children x4": chain(4),
    "parent/children x8": chain(8),
    "10,000 aliases": "{ " + " ".join(f"a{i}: accounts {{ totalCount }}" for i in range(10_000)) + " }",
    "60 aliased trees": "{ " + " ".join(f't{i}: inventoryTree(rootId: "r") {{ nodes {{ id }} }}' for i in range(60)) + " }",
    "explorer batch: 25 trees (allowed)": "{ " + " ".join(
        f't{i}: inventoryTree(rootId: "r.{i}") {{ nodes {{ id name state specification {{ id name }} }} '
        "edges { parentId childId } }" for i in range(25)) + " }",
}


def overrides() -> dict[str, str]:
    """MACD_* settings from the environment (e.g. MACD_STATEMENTS_PER_REQUEST) for the server."""
    return {k: v for k, v in os.environ.items() if k.startswith("MACD_")}


def main() -> None:
    with neo4j_env() as neo4j, api_server({**neo4j, **overrides()}) as server:
        env = neo4j
        items = asyncio.run(reset(env, wide_tree()))
        headers = {"Authorization": f"Bearer {server.token('admin')}"}
        rows = []
        with httpx.Client(base_url=server.url, timeout=600, headers=headers) as client:
            for name, query in ATTACKS.items():
                timings, codes, statements = [], set(), 0
                for _ in range(RUNS):
                    before = server.round_trips
                    started = time.perf_counter()
                    body = client.post("/graphql", json={"query": query}).json()
                    timings.append((time.perf_counter() - started) * 1000)
                    statements += server.round_trips - before
                    codes |= {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
                rows.append([name, f"{statistics.median(timings):.1f}", ",".join(sorted(map(str, codes))), statements])
            big = b'{"query": "{ accounts { totalCount } }", "pad": "' + b"x" * (100 * 1024 * 1024) + b'"}'
            started = time.perf_counter()
            status = client.post("/graphql", content=big, headers={"Content-Type": "application/json"}).status_code
            rows.append(["100 MB body", f"{(time.perf_counter() - started) * 1000:.1f}", f"HTTP {status}", 0])
        print_table(f"Refusals over {items} items (median of {RUNS}, ms)", ["document", "ms", "answer", "statements"],
                    rows)


if __name__ == "__main__":
    main()
