"""The order lifecycle through the service against hand-written UNWIND transactions doing the same
writes (the floors), on trees of 10 and 11,111 items: a CHANGE of every leaf's speed, captured,
submitted, approved, its first task started and closed (not the last), and the last task closed
(completion). The speed toggles every round, so every round finds the items ACTIVE and free.

A floor writes what the service writes for that step (order and line nodes, claims, states,
decomposition records with as many domain orders and tasks as the service made, history events)
with no validation and no reads beyond the nodes it writes: the least any implementation pays.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

WRITE_TREES = (("w10-", 10), ("w11k-", 11111))

CREATE = ("mutation ($a: ID!) { createOrder(input: {accountId: $a, action: CHANGE}) "
          "{ order { id } errors { code message } } }")
CAPTURE = ("mutation ($o: ID!, $ids: [ID!]!, $c: [CharacteristicInput!]) { addInventoryToOrder(input: "
           "{orderId: $o, inventoryIds: $ids, characteristics: $c}) { order { state } errors { code message } } }")
SUBMIT = "mutation ($o: ID!) { submitOrder(orderId: $o) { order { state } errors { code message } } }"
APPROVE = ("mutation ($o: ID!) { approveOrder(orderId: $o) { order { state domainOrders { tasks { id } } } "
           "errors { code message } } }")
START = "mutation ($t: ID!) { startOrderTask(taskId: $t) { order { state } errors { code message } } }"
CLOSE = "mutation ($t: ID!) { closeOrderTask(taskId: $t) { order { state } errors { code message } } }"
LEAVES = "MATCH (:ProductInventory {id: $root})-[:HAS_CHILD*1..2]->(p:ProductInventory) " \
         "WHERE NOT (p)-[:HAS_CHILD]->() RETURN collect(p.id) AS ids"

FLOOR_CREATE = (
    "MATCH (a:Account {id: $account}) CREATE (a)-[:PLACED]->(:CustomerOrder {id: $id, accountId: $account, "
    "action: 'CHANGE', state: 'DRAFT', version: 1, createdAt: datetime(), updatedAt: datetime()})"
)
FLOOR_CAPTURE = (
    "MATCH (o:CustomerOrder {id: $id}) SET o.lockedAt = datetime(), o.version = o.version + 1 "
    "WITH o UNWIND $lines AS line MATCH (p:ProductInventory {id: line.inventoryId}) WHERE p.openOrderId IS NULL "
    "SET p.openOrderId = $id "
    "CREATE (o)-[:HAS_LINE]->(l:OrderLine {id: line.id, orderId: $id, action: 'CHANGE', state: 'DRAFT', "
    "inventoryId: line.inventoryId, specId: 'b-leaf', move: false, changes: line.changes, seq: line.seq})"
    "-[:TARGETS]->(p)"
)
FLOOR_STATE = (
    "MATCH (o:CustomerOrder {id: $id}) "
    "CREATE (o)-[:HAS_EVENT]->(:OrderEvent {id: randomUUID(), orderId: $id, fromState: o.state, toState: $state, "
    "at: datetime()}) SET o.state = $state, o.version = o.version + 1, o.updatedAt = datetime() "
    "WITH o MATCH (o)-[:HAS_LINE]->(l:OrderLine) SET l.state = $state"
)
FLOOR_PENDING = (
    "UNWIND $ids AS itemId MATCH (p:ProductInventory {id: itemId}) SET p.state = 'CHANGE_PENDING', "
    "p.version = p.version + 1 "
    "CREATE (p)-[:HAS_EVENT]->(:InventoryEvent {id: randomUUID(), itemId: itemId, orderId: $id, field: 'state', "
    "fromValue: 'ACTIVE', toValue: 'CHANGE_PENDING', at: datetime()})"
)
FLOOR_DECOMPOSE = (
    "MATCH (o:CustomerOrder {id: $id}) UNWIND $domainOrders AS d "
    "CREATE (o)-[:DECOMPOSED_INTO]->(n:DomainOrder {id: d.id, orderId: $id, kind: 'PRODUCT', state: 'OPEN', "
    "createdAt: datetime()}) "
    "WITH o, n, d CALL (n, d) { UNWIND d.tasks AS t CREATE (n)-[:HAS_TASK]->(:OrderTask {id: t, orderId: $id, "
    "domainOrderId: d.id, name: t, sequence: 1, state: 'OPEN', pointOfNoReturn: false, createdAt: datetime()}) } "
    "WITH o, n MATCH (o)-[:HAS_LINE]->(l:OrderLine) CREATE (n)-[:COVERS_LINE]->(l)"
)
FLOOR_TASK = (
    "MATCH (t:OrderTask {id: $task}) SET t.state = $state, t.updatedAt = datetime(), "
    "t.startedAt = coalesce(t.startedAt, datetime()) "
    "WITH t MATCH (d:DomainOrder {id: t.domainOrderId}) SET d.state = 'IN_PROGRESS', d.updatedAt = datetime() "
    "WITH d MATCH (o:CustomerOrder {id: d.orderId}) SET o.lockedAt = datetime(), o.updatedAt = datetime()"
)
FLOOR_COMPLETE = (
    "UNWIND $items AS item MATCH (p:ProductInventory {id: item.id}) "
    "SET p.state = 'ACTIVE', p.characteristics = item.characteristics, p.version = p.version + 1 "
    "REMOVE p.openOrderId "
    "CREATE (p)-[:HAS_EVENT]->(:InventoryEvent {id: randomUUID(), itemId: item.id, orderId: $id, field: 'state', "
    "fromValue: 'CHANGE_PENDING', toValue: 'ACTIVE', at: datetime()}) "
    "CREATE (p)-[:HAS_EVENT]->(:InventoryEvent {id: randomUUID(), itemId: item.id, orderId: $id, "
    "field: 'speed', fromValue: item.old, toValue: item.new, at: datetime()})"
)
FLOOR_CLOSE_ALL = (
    "MATCH (o:CustomerOrder {id: $id})-[:DECOMPOSED_INTO]->(d:DomainOrder) SET d.state = 'CLOSED_COMPLETE' "
    "WITH DISTINCT o MATCH (o)-[:DECOMPOSED_INTO]->()-[:HAS_TASK]->(t:OrderTask) SET t.state = 'CLOSED_COMPLETE'"
)

STEPS = ("capture", "submit", "approve", "start a task", "close a task (not the last)", "complete (last task)")


def _ok(data: dict[str, Any], field: str) -> dict[str, Any]:
    payload: dict[str, Any] = data[field]
    if payload["errors"]:
        raise RuntimeError(f"{field}: {payload['errors']}")
    return payload


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


class FloorWriter:
    """Hand-written write transactions through the benchmark's own driver."""

    def __init__(self, floor: Any) -> None:
        self.floor = floor

    def write(self, *statements: tuple[str, dict[str, Any]]) -> None:
        graph = self.floor.graph

        async def work(tx: Any) -> None:
            for cypher, params in statements:
                await (await tx.run(cypher, params)).consume()

        async def session() -> None:
            async with graph.driver.session(database=graph.database) as s:
                await s.execute_write(work)

        self.floor.run(session())


def service_round(service: Any, account: str, leaves: list[str], speed: str) -> tuple[dict[str, float], tuple[int, int]]:
    """One lifecycle through the service; seconds per step, and how many domain orders and tasks
    per domain order it made."""
    seconds: dict[str, float] = {}
    order = _ok(service(CREATE, a=account), "createOrder")["order"]["id"]
    data, seconds["capture"] = _timed(lambda: service(CAPTURE, o=order, ids=leaves, c=[{"name": "speed", "value": speed}]))
    _ok(data, "addInventoryToOrder")
    data, seconds["submit"] = _timed(lambda: service(SUBMIT, o=order))
    _ok(data, "submitOrder")
    data, seconds["approve"] = _timed(lambda: service(APPROVE, o=order))
    domain_orders = _ok(data, "approveOrder")["order"]["domainOrders"]
    tasks = [t["id"] for d in domain_orders for t in d["tasks"]]
    if len(tasks) < 2:
        raise RuntimeError(f"the benchmark needs at least two tasks, the order has {len(tasks)}")
    data, seconds["start a task"] = _timed(lambda: service(START, t=tasks[0]))
    _ok(data, "startOrderTask")
    data, seconds["close a task (not the last)"] = _timed(lambda: service(CLOSE, t=tasks[0]))
    _ok(data, "closeOrderTask")
    for task in tasks[1:-1]:
        _ok(service(CLOSE, t=task), "closeOrderTask")
    data, seconds["complete (last task)"] = _timed(lambda: service(CLOSE, t=tasks[-1]))
    if _ok(data, "closeOrderTask")["order"]["state"] != "COMPLETED":
        raise RuntimeError("the order did not complete")
    return seconds, (len(domain_orders), max(len(d["tasks"]) for d in domain_orders))


def floor_round(writer: FloorWriter, account: str, leaves: list[str], speed: str, old: str,
                domain_orders: int, tasks_each: int) -> dict[str, float]:
    """The same lifecycle as hand-written transactions; seconds per step."""
    seconds: dict[str, float] = {}
    order = f"floor-{uuid.uuid4().hex[:12]}"
    writer.write((FLOOR_CREATE, {"id": order, "account": account}))
    lines = [{"id": f"{order}-{i}", "inventoryId": leaf, "seq": i,
              "changes": json.dumps([["speed", old, speed]])} for i, leaf in enumerate(leaves)]
    _, seconds["capture"] = _timed(lambda: writer.write((FLOOR_CAPTURE, {"id": order, "lines": lines})))
    _, seconds["submit"] = _timed(lambda: writer.write((FLOOR_STATE, {"id": order, "state": "SUBMITTED"})))
    decomposition = [{"id": f"{order}-d{d}", "tasks": [f"{order}-d{d}-t{t}" for t in range(tasks_each)]}
                     for d in range(domain_orders)]
    _, seconds["approve"] = _timed(lambda: writer.write(
        (FLOOR_PENDING, {"id": order, "ids": leaves}),
        (FLOOR_DECOMPOSE, {"id": order, "domainOrders": decomposition}),
        (FLOOR_STATE, {"id": order, "state": "IN_PROGRESS"}),
    ))
    first = decomposition[0]["tasks"][0]
    _, seconds["start a task"] = _timed(lambda: writer.write((FLOOR_TASK, {"task": first, "state": "IN_PROGRESS"})))
    _, seconds["close a task (not the last)"] = _timed(
        lambda: writer.write((FLOOR_TASK, {"task": first, "state": "CLOSED_COMPLETE"})))
    items = [{"id": leaf, "characteristics": json.dumps({"speed": speed}), "old": old, "new": speed}
             for leaf in leaves]
    _, seconds["complete (last task)"] = _timed(lambda: writer.write(
        (FLOOR_CLOSE_ALL, {"id": order}),
        (FLOOR_COMPLETE, {"id": order, "items": items}),
        (FLOOR_STATE, {"id": order, "state": "COMPLETED"}),
    ))
    return seconds


def lifecycle(floor: Any, service: Any, rounds: int) -> list[list[str]]:
    """Interleaved rounds (service, floor) per tree; rows of the comparison table."""
    writer = FloorWriter(floor)
    rows: list[list[str]] = []
    by_tree: dict[str, dict[str, dict[str, list[float]]]] = {}
    for prefix, _size in WRITE_TREES:
        account = f"acc-bench{prefix}"
        leaves: list[str] = floor.run(_leaves(floor, prefix + "root"))
        samples: dict[str, dict[str, list[float]]] = {s: {"service": [], "floor": []} for s in STEPS}
        for round_ in range(rounds + 1):  # the first round warms up
            # The service changes every leaf from 1G to 10G, the floor changes them back.
            measured, shape = service_round(service, account, leaves, "10G")
            floor_measured = floor_round(writer, account, leaves, "1G", "10G", *shape)
            if round_:
                for step in STEPS:
                    samples[step]["service"].append(measured[step])
                    samples[step]["floor"].append(floor_measured[step])
        by_tree[prefix] = samples
        for step in STEPS:
            f, s = samples[step]["floor"], samples[step]["service"]
            rows.append([
                f"{step}, {len(leaves):,} lines", f"{statistics.median(f) * 1000:.1f}",
                f"{min(f) * 1000:.1f}-{max(f) * 1000:.1f}", f"{statistics.median(s) * 1000:.1f}",
                f"{min(s) * 1000:.1f}-{max(s) * 1000:.1f}", "—", "—",
                f"{statistics.median(s) / statistics.median(f):.2f}", "—",
            ])
    small, large = (by_tree[p] for p, _ in WRITE_TREES)
    for step in ("start a task", "close a task (not the last)"):
        def growth(who: str, step: str = step) -> str:
            return f"{statistics.median(large[step][who]) / statistics.median(small[step][who]):.2f}"

        rows.append([f"{step}: 11,111-item tree / 10-item tree", growth("floor"), "", growth("service"), "", "—", "",
                     "—", "—"])
    return rows


async def _leaves(floor: Any, root: str) -> list[str]:
    records, _, _ = await floor.graph.driver.execute_query(LEAVES, root=root, database_=floor.graph.database)
    return sorted(records[0]["ids"])
