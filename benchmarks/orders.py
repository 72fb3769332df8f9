"""Order capture benchmark: preview and capture for change, disconnect and move on trees of
10 to 10,000 items, with Neo4j round trips per call.

Run with `make bench` (or `python -m benchmarks.orders [--sizes 10,100]`). Times are printed as
milliseconds and as a ratio to a baseline measured in the same process: reading the same tree
with `inventoryTree`. Round trips are the statements the server sent to Neo4j for the call. The order lifecycle
tables of `benchmarks.lifecycle` (approval, completion, cancellation) follow.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from benchmarks.common import Client, api_server, graph_for, neo4j_env, print_table, reset, tree_document

TREE = "query ($r: ID!) { inventoryTree(rootId: $r) { nodes { id state } edges { parentId childId } } }"
PREVIEW = ("query ($a: ID!, $act: OrderAction!, $ids: [ID!]!, $t: ID) { orderPreview(accountId: $a, action: $act, "
           "inventoryIds: $ids, targetLocationId: $t) { lines { action } errors { code } } }")
CREATE = ("mutation ($a: ID!, $act: OrderAction!) { createOrder(input: {accountId: $a, action: $act}) "
          "{ order { id } errors { code } } }")
CAPTURE = ("mutation ($o: ID!, $ids: [ID!]!, $t: ID) { addInventoryToOrder(input: {orderId: $o, inventoryIds: $ids, "
           "targetLocationId: $t}) { order { id lines { id } } errors { code message } } }")
CASES = (
    ("change (every item selected)", "CHANGE", None),
    ("disconnect (root selected)", "DISCONNECT", None),
    ("move (root selected)", "MOVE", "loc-2"),
)


async def release(env: dict[str, str]) -> None:
    """Close the benchmark's orders so the next case may select the same items (rule R6)."""
    graph = graph_for(env)
    await graph.driver.execute_query(
        "MATCH (o:CustomerOrder) SET o.state = 'CANCELLED' WITH count(o) AS n "
        "MATCH (p:ProductInventory) REMOVE p.openOrderId", database_=graph.database)
    await graph.close()


def run(sizes: list[int]) -> None:
    rows: list[list[Any]] = []
    with neo4j_env() as env, api_server(env) as server:
        client = Client(server)
        # The first pass over a small tree warms the server's query caches and is not reported.
        for warm_up, size in [(True, 10), *((False, s) for s in sizes)]:
            items = asyncio.run(reset(env, tree_document(size)))
            tree, base_s, base_rt = client.call(TREE, r="root")
            every = [n["id"] for n in tree["inventoryTree"]["nodes"]]
            measured: list[list[Any]] = [[items, "baseline: read the tree", "", f"{base_s * 1000:.1f}", "1.00", base_rt]]
            for label, action, target in CASES:
                ids = every if action == "CHANGE" else ["root"]
                preview, p_s, p_rt = client.call(PREVIEW, a="acc-bench", act=action, ids=ids, t=target)
                assert not preview["orderPreview"]["errors"], preview
                created, _, _ = client.call(CREATE, a="acc-bench", act=action)
                order_id = created["createOrder"]["order"]["id"]
                captured, c_s, c_rt = client.call(CAPTURE, o=order_id, ids=ids, t=target)
                assert not captured["addInventoryToOrder"]["errors"], captured
                lines = len(captured["addInventoryToOrder"]["order"]["lines"])
                measured.append([items, f"preview {label}", lines, f"{p_s * 1000:.1f}", f"{p_s / base_s:.2f}", p_rt])
                measured.append([items, f"capture {label}", lines, f"{c_s * 1000:.1f}", f"{c_s / base_s:.2f}", c_rt])
                asyncio.run(release(env))
            if not warm_up:
                rows.extend(measured)
    print_table("Order capture (ms, ratio to reading the same tree, Neo4j round trips)",
                ["items", "operation", "lines", "ms", "x baseline", "round trips"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.orders", description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000,10000")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    run(sizes)
    # The same sizes through the rest of the lifecycle: approval, completion, cancellation.
    from benchmarks import lifecycle

    lifecycle.run(sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
