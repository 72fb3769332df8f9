"""Order lifecycle benchmark: approval, completion and cancellation of orders of 10 to 10,000 lines,
with the Neo4j round trips of each call.

Run with `python -m benchmarks.lifecycle [--sizes 10,100]` (also part of `make bench`). Two orders
per size on the tree of `benchmarks.common.tree_document` (physical leaves, so a disconnect opens
a return and a collection work order per device):

- change: every leaf gets a new speed; approved, then its tasks closed (the last close completes
  the order and lands every change in one transaction);
- disconnect: the root and everything under it; approved, then cancelled with compensation.

Round trips must stay flat as the order grows: every batch is one UNWIND statement.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from benchmarks.common import Client, api_server, neo4j_env, print_table, reset, tree_document

TREE = "query ($r: ID!) { inventoryTree(rootId: $r) { nodes { id specification { id } } } }"
BASELINE = "query ($r: ID!) { inventoryTree(rootId: $r) { nodes { id state } edges { parentId childId } } }"
CREATE = ("mutation ($a: ID!, $act: OrderAction!) { createOrder(input: {accountId: $a, action: $act}) "
          "{ order { id } errors { code } } }")
CAPTURE = ("mutation ($o: ID!, $ids: [ID!]!, $c: [CharacteristicInput!]) { addInventoryToOrder(input: "
           "{orderId: $o, inventoryIds: $ids, characteristics: $c}) { order { id } errors { code message } } }")
SUBMIT = "mutation ($o: ID!) { submitOrder(orderId: $o) { order { state } errors { code message } } }"
APPROVE = ("mutation ($o: ID!) { approveOrder(orderId: $o) { order { state domainOrders { tasks { id } } } "
           "errors { code message } } }")
CLOSE = "mutation ($t: ID!) { closeOrderTask(taskId: $t) { order { state } errors { code message } } }"
CANCEL = "mutation ($o: ID!) { cancelOrder(orderId: $o, reason: \"benchmark\") { order { state } errors { code } } }"


def _ok(data: dict[str, Any], field: str) -> dict[str, Any]:
    payload: dict[str, Any] = data[field]
    if payload["errors"]:
        raise RuntimeError(f"{field}: {payload['errors']}")
    return payload


def _captured(client: Client, action: str, ids: list[str], characteristics: Any = None) -> str:
    created, _, _ = client.call(CREATE, a="acc-bench", act=action)
    order_id: str = _ok(created, "createOrder")["order"]["id"]
    _ok(client.call(CAPTURE, o=order_id, ids=ids, c=characteristics)[0], "addInventoryToOrder")
    _ok(client.call(SUBMIT, o=order_id)[0], "submitOrder")
    return order_id


def _row(size: int, case: str, step: str, lines: int, seconds: float, round_trips: int) -> list[Any]:
    return [size, case, step, lines, f"{seconds * 1000:.1f}", f"{seconds * 1e6 / max(lines, 1):.0f}", round_trips]


def measure(client: Client, size: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    tree, _, _ = client.call(TREE, r="root")
    leaves = [n["id"] for n in tree["inventoryTree"]["nodes"] if n["specification"]["id"] == "b-leaf"]

    change = _captured(client, "CHANGE", leaves, [{"name": "speed", "value": "10G"}])
    approved, seconds, trips = client.call(APPROVE, o=change)
    tasks = [t["id"] for d in _ok(approved, "approveOrder")["order"]["domainOrders"] for t in d["tasks"]]
    rows.append(_row(size, "change", "approve", len(leaves), seconds, trips))
    for task_id in tasks[:-1]:
        _ok(client.call(CLOSE, t=task_id)[0], "closeOrderTask")
    closed, seconds, trips = client.call(CLOSE, t=tasks[-1])
    assert _ok(closed, "closeOrderTask")["order"]["state"] == "COMPLETED"
    rows.append(_row(size, "change", "complete (last task)", len(leaves), seconds, trips))

    disconnect = _captured(client, "DISCONNECT", ["root"])
    approved, seconds, trips = client.call(APPROVE, o=disconnect)
    _ok(approved, "approveOrder")
    rows.append(_row(size, "disconnect", "approve", len(tree["inventoryTree"]["nodes"]), seconds, trips))
    cancelled, seconds, trips = client.call(CANCEL, o=disconnect)
    assert _ok(cancelled, "cancelOrder")["order"]["state"] == "CANCELLED"
    rows.append(_row(size, "disconnect", "cancel (compensation)", len(tree["inventoryTree"]["nodes"]), seconds,
                     trips))
    return rows


def run(sizes: list[int]) -> None:
    rows: list[list[Any]] = []
    with neo4j_env() as env, api_server(env) as server:
        client = Client(server)
        # The first pass over a small tree warms the server's query caches and is not reported.
        for warm_up, size in [(True, 10), *((False, s) for s in sizes)]:
            asyncio.run(reset(env, tree_document(size, physical_leaves=True)))
            _, base_s, _ = client.call(BASELINE, r="root")
            measured = measure(client, size)
            if not warm_up:
                rows.append([size, "baseline", "read the tree", "", f"{base_s * 1000:.1f}", "", "1.00", 1])
                rows.extend([*row[:6], f"{float(row[4]) / (base_s * 1000):.2f}", row[6]] for row in measured)
    print_table(
        "Order lifecycle (ms per call, microseconds per line, ratio to reading the same tree, Neo4j round trips)",
        ["items", "order", "step", "lines", "ms", "us/line", "x baseline", "round trips"],
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lifecycle", description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000,10000")
    args = parser.parse_args(argv)
    run([int(s) for s in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
