"""Side by side, in one run: the raw Cypher floor, this service, and @neo4j/graphql over the same
Neo4j and data. `make bench` runs it; `python -m benchmarks.compare --help` lists the knobs.

- Reads: a nested `children { children }` read of trees of 1,000 and 10,000 items, and the flat
  `inventoryTree` of 10,000 items. The floor is one Cypher statement returning one collected list
  of the same rows, decoded to dicts by the Python driver in this process.
- Throughput: a small item query with `--connections` clients for `--seconds`, per round, from
  `benchmarks/peer/load.mjs` (the same generator for both servers).
- Writes: the order lifecycle (capture, submit, approve, start and close tasks, completion) of a
  change of every leaf of a tree, against hand-written UNWIND transactions doing the same writes
  (`benchmarks/floors.py`); starting and closing a task that is not the last at 10 and 11,111 lines.
- Memory: the service workers' resident memory before and after the 10,000-item reads.

Contenders run interleaved (floor, service, peer, floor, service, peer ...) after warm-up rounds;
the table shows medians and the spread (min-max) over the rounds, and the ratios. Before timing,
it checks that every contender returns the same rows. The table is printed and written to
`docs/benchmarks.md`. The service runs as `macd run` does (its default worker count); with
`--header 'Authorization: Bearer ...'` every request to it carries that header.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from benchmarks import floors
from benchmarks.common import graph_for, neo4j_env, reset, tree_document
from graph.migrations import migrate
from service.live import free_port
from service.settings import PROJECT_ROOT, load_settings

PEER_DIR = PROJECT_ROOT / "benchmarks" / "peer"
REPORT = PROJECT_ROOT / "docs" / "benchmarks.md"
READ_SIZES = (1000, 10000)
SMALL = "query ($id: ID!) { inventoryItem(id: $id) { id name state specification { name } } }"
PEER_SMALL = ("query ($id: ID!) { productInventories(where: {id: {eq: $id}}) "
              "{ id name state specification { name } } }")
NODE = "id name state specification { name }"
NESTED = f"query ($id: ID!) {{ inventoryItem(id: $id) {{ {NODE} children {{ {NODE} children {{ {NODE} }} }} }} }}"
PEER_NESTED = (f"query ($id: ID!) {{ productInventories(where: {{id: {{eq: $id}}}}) {{ {NODE} "
               f"children {{ {NODE} children {{ {NODE} }} }} }} }}")
TREE = ("query ($id: ID!) { inventoryTree(rootId: $id) { nodes { id name state specification { name } } "
        "edges { parentId childId } } }")
FLOOR = (
    "MATCH (r:ProductInventory {id: $id}) MATCH path = (r)-[:HAS_CHILD*0..64]->(n:ProductInventory) "
    "WITH n, CASE WHEN length(path) = 0 THEN null ELSE nodes(path)[-2].id END AS parent "
    "RETURN collect({id: n.id, name: n.name, state: n.state, "
    "spec: [(n)-[:INSTANCE_OF]->(s:ProductSpecification) | s.name][0], parent: parent}) AS rows"
)

Row = tuple[str, str, str, str | None, str | None]


def prefix_of(size: int) -> str:
    return f"r{size}-"


@dataclass
class Samples:
    """Seconds per round for one contender of one case."""

    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self) -> str:
        return f"{min(self.seconds) * 1000:.1f}-{max(self.seconds) * 1000:.1f}"


class GraphQLClient:
    """POSTs GraphQL to one server and returns `data`, failing on errors."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.http = httpx.Client(timeout=600, headers=self.headers)

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post(self.url, json={"query": query, "variables": variables})
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"{self.url}: {response.status_code} {body.get('errors')}")
        return body["data"]  # type: ignore[no-any-return]


@contextmanager
def process(args: list[str], env: dict[str, str], ready: Callable[[], bool], cwd: Path = PROJECT_ROOT,
            ) -> Iterator[subprocess.Popen[bytes]]:
    """A server process started in its own process group, stopped (the whole group) afterwards."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, env={**os.environ, **env}, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while not ready():
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"{args[0]} did not start:\n{log.read().decode(errors='replace')[-3000:]}")
                time.sleep(0.3)
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


def worker_pids(parent: int) -> list[int]:
    """The service's processes: the one started and, with several workers, its children."""
    children = Path(f"/proc/{parent}/task/{parent}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    found = [parent]
    for kid in kids:
        found.extend(worker_pids(kid))
    return found


def rss_kib(pids: list[int], key: str = "VmRSS") -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def rows_of_nested(node: dict[str, Any], parent: str | None, out: list[Row]) -> list[Row]:
    spec = node["specification"]
    spec_name = (spec[0]["name"] if spec else None) if isinstance(spec, list) else spec["name"]
    out.append((node["id"], node["name"], node["state"], spec_name, parent))
    for child in node.get("children") or []:
        rows_of_nested(child, node["id"], out)
    return out


def rows_of_tree(tree: dict[str, Any]) -> list[Row]:
    parent = {e["childId"]: e["parentId"] for e in tree["edges"]}
    return [(n["id"], n["name"], n["state"], n["specification"]["name"], parent.get(n["id"])) for n in tree["nodes"]]


def rows_of_floor(found: list[dict[str, Any]]) -> list[Row]:
    return [(r["id"], r["name"], r["state"], r["spec"], r["parent"]) for r in found]


class Floor:
    """The raw Cypher floor: one statement, one collected list, decoded to dicts by the driver."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.loop = asyncio.new_event_loop()
        self.graph = graph_for(env)

    def rows(self, root: str) -> list[dict[str, Any]]:
        async def read() -> list[dict[str, Any]]:
            records, _, _ = await self.graph.driver.execute_query(FLOOR, id=root, database_=self.graph.database,
                                                                  routing_="r")
            return list(records[0]["rows"])

        return self.loop.run_until_complete(read())

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def close(self) -> None:
        self.loop.run_until_complete(self.graph.close())
        self.loop.close()


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def load_data(env: dict[str, str], reads: bool = True) -> None:
    docs = [tree_document(size, prefix=prefix_of(size)) for size in READ_SIZES] if reads else []
    docs += [tree_document(size, physical_leaves=False, prefix=prefix) for prefix, size in floors.WRITE_TREES]
    biggest = max(docs, key=lambda d: d["catalog"]["productSpecifications"][0]["bundles"][0]["max"])
    merged = {"catalog": biggest["catalog"], "accounts": [a for d in docs for a in d["accounts"]]}
    items = asyncio.run(migrated_reset(env, merged))
    print(f"loaded {items} inventory items", flush=True)


async def migrated_reset(env: dict[str, str], doc: dict[str, Any]) -> int:
    """Constraints and indexes first (the importer MERGEs on ids), then the data."""
    graph = graph_for(env)
    try:
        await migrate(graph)
    finally:
        await graph.close()
    return await reset(env, doc)


def check_same_rows(floor: Floor, service: GraphQLClient, peer: GraphQLClient) -> None:
    for size in READ_SIZES:
        root = prefix_of(size) + "root"
        expected = sorted(rows_of_floor(floor.rows(root)), key=str)
        nested = sorted(rows_of_nested(service(NESTED, id=root)["inventoryItem"], None, []), key=str)
        peer_nested = sorted(rows_of_nested(peer(PEER_NESTED, id=root)["productInventories"][0], None, []), key=str)
        tree = sorted(rows_of_tree(service(TREE, id=root)["inventoryTree"]), key=str)
        assert len(expected) >= size * 0.99, (size, len(expected))
        for name, got in (("service nested", nested), ("peer nested", peer_nested), ("service tree", tree)):
            if got != expected:
                raise SystemExit(f"{name} of {size} items differs from the floor ({len(got)} vs {len(expected)} rows)")
    print("every contender returns the same rows", flush=True)


def run_throughput(url: str, connections: int, seconds: float, bodies: list[dict[str, Any]],
                   headers: dict[str, str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(bodies, f)
    try:
        out = subprocess.run(["node", str(PEER_DIR / "load.mjs"), url, str(connections), str(seconds), f.name,
                              json.dumps(headers)], capture_output=True, text=True, check=True, timeout=seconds + 60)
    finally:
        os.unlink(f.name)
    result: dict[str, Any] = json.loads(out.stdout)
    if result["errors"]:
        raise RuntimeError(f"{url}: {result['errors']} failed requests")
    return result


def run_reads(args: argparse.Namespace, floor: Floor, service: GraphQLClient, peer: GraphQLClient,
              pids: list[int], table: list[list[str]]) -> int:
    """The interleaved reads (after checking every contender returns the same rows); the service's
    resident memory right after them."""
    check_same_rows(floor, service, peer)

    cases: list[tuple[str, dict[str, Callable[[], Any]]]] = []
    for size in READ_SIZES:
        root = prefix_of(size) + "root"
        cases.append((f"nested read, {size:,} items", {
            "floor": partial(floor.rows, root),
            "service": partial(service, NESTED, id=root),
            "peer": partial(peer, PEER_NESTED, id=root),
        }))
    big = prefix_of(READ_SIZES[-1]) + "root"
    cases.append((f"inventoryTree, {READ_SIZES[-1]:,} items", {
        "floor": lambda: floor.rows(big),
        "service": lambda: service(TREE, id=big),
    }))
    results = {name: {who: Samples() for who in calls} for name, calls in cases}
    for round_ in range(args.warm_up + args.rounds):
        for name, calls in cases:
            for who, call in calls.items():
                _, seconds = timed(call)
                if round_ >= args.warm_up:
                    results[name][who].seconds.append(seconds)
    peak_rss = rss_kib(pids)
    for name, by in results.items():
        f, s = by["floor"], by["service"]
        p = by.get("peer")
        table.append([
            name, ms(f.median), f.spread(), ms(s.median), s.spread(),
            ms(p.median) if p else "—", p.spread() if p else "—",
            f"{s.median / f.median:.2f}", f"{s.median / p.median:.2f}" if p else "—",
        ])
    return peak_rss


def run_small_queries(args: argparse.Namespace, service_url: str, peer_url: str, headers: dict[str, str],
                      table: list[list[str]]) -> None:
    """Small-query throughput, the same generator against each server in alternating rounds."""
    ids = [prefix_of(READ_SIZES[0]) + f"leaf-{m}-{k}" for m in range(30) for k in range(30)]
    service_bodies = [{"query": SMALL, "variables": {"id": i}} for i in ids]
    peer_bodies = [{"query": PEER_SMALL, "variables": {"id": i}} for i in ids]
    tput: dict[str, list[dict[str, Any]]] = {"service": [], "peer": []}
    for round_ in range(1 + max(5, args.rounds // 2 + 1)):
        s_run = run_throughput(service_url, args.connections, args.seconds if round_ else 1, service_bodies,
                               headers)
        p_run = run_throughput(peer_url, args.connections, args.seconds if round_ else 1, peer_bodies, {})
        if round_:
            tput["service"].append(s_run)
            tput["peer"].append(p_run)

    def med(who: str, key: str) -> float:
        return statistics.median(r[key] for r in tput[who])

    def rng(who: str, key: str) -> str:
        values = [r[key] for r in tput[who]]
        return f"{min(values):.0f}-{max(values):.0f}"

    table.append([
        f"small item query, {args.connections} connections: req/s", "—", "—",
        f"{med('service', 'rps'):.0f}", rng("service", "rps"), f"{med('peer', 'rps'):.0f}", rng("peer", "rps"),
        "—", f"{med('service', 'rps') / med('peer', 'rps'):.2f}",
    ])
    table.append([
        "small item query: p99 ms", "—", "—", f"{med('service', 'p99Ms'):.1f}", "",
        f"{med('peer', 'p99Ms'):.1f}", "", "—", f"{med('service', 'p99Ms') / med('peer', 'p99Ms'):.2f}",
    ])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--warm-up", type=int, default=2)
    parser.add_argument("--write-rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--header", action="append", default=[], help="'Name: value' sent to the service")
    parser.add_argument("--no-report", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--only", choices=("reads", "throughput", "writes"), action="append", default=[],
                        help="run only these parts (repeatable; implies --no-report); the peer is not started "
                             "for writes alone")
    args = parser.parse_args(argv)
    parts = set(args.only or ("reads", "throughput", "writes"))
    if args.only:
        args.no_report = True
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    if os.environ.get("MACD_BENCH_TOKEN"):
        headers.setdefault("Authorization", f"Bearer {os.environ['MACD_BENCH_TOKEN']}")

    table: list[list[str]] = []
    notes: list[str] = []
    started = time.monotonic()
    with neo4j_env() as env:
        load_data(env, reads=bool(parts & {"reads", "throughput"}))
        service_port, peer_port = free_port(), free_port()
        service_env = {**env, "PORT": str(service_port), "HOST": "127.0.0.1"}
        service_url = f"http://127.0.0.1:{service_port}/graphql"
        peer_url = f"http://127.0.0.1:{peer_port}/graphql"
        service_cmd = [sys.executable, "-m", "service.cli", "run", "--no-demo"]
        peer_env = {**env, "PORT": str(peer_port)}
        with contextlib.ExitStack() as running:
            svc = running.enter_context(
                process(service_cmd, service_env, lambda: answers(f"http://127.0.0.1:{service_port}/readyz")))
            if parts & {"reads", "throughput"}:
                running.enter_context(process(["node", "server.mjs"], peer_env,
                                              lambda: answers(peer_url + "?query=%7B__typename%7D"), cwd=PEER_DIR))
            floor = Floor(env)
            service = GraphQLClient(service_url, headers)
            peer = GraphQLClient(peer_url)
            pids = worker_pids(svc.pid)
            workers = load_settings({**os.environ, **service_env}).workers
            time.sleep(1)
            idle_rss = peak_rss = rss_kib(pids)
            if "reads" in parts:
                peak_rss = run_reads(args, floor, service, peer, pids, table)
            if "throughput" in parts:
                run_small_queries(args, service_url, peer_url, headers, table)
            if "writes" in parts:
                table.extend(floors.lifecycle(floor, service, args.write_rounds))
            if "reads" in parts:
                table.append([
                    "service memory (RSS of all worker processes, MiB): idle → after the 10k reads",
                    "—", "—", f"{idle_rss / 1024:.0f} → {peak_rss / 1024:.0f}", "", "—", "", "—",
                    f"{peak_rss / idle_rss:.2f}× idle",
                ])
            floor.close()
        notes.append(f"service workers: {workers}; {args.rounds} rounds after {args.warm_up} warm-up rounds "
                     f"({args.write_rounds} for writes); throughput {args.seconds:.0f} s per round per server")
    notes.append(f"total benchmark time: {time.monotonic() - started:.0f} s")
    report = render(table, notes)
    print(report)
    if not args.no_report:
        write_report(report)
    return 0


HEADER = ["case", "floor ms", "floor range", "service", "service range", "@neo4j/graphql", "peer range",
          "service / floor", "service / peer"]


def render(table: list[list[str]], notes: list[str]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in table]
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"


def write_report(report: str) -> None:
    """Replace the generated part of docs/benchmarks.md (between its markers) with this run's table."""
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    text = REPORT.read_text() if REPORT.exists() else f"# Benchmarks\n\n{begin}\n{end}\n"
    if begin not in text:
        text = text.rstrip() + f"\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    REPORT.write_text(f"{head}{begin}\nLast `make bench`: {stamp} on {machine}.\n\n{report}{end}{tail}")


if __name__ == "__main__":
    raise SystemExit(main())
