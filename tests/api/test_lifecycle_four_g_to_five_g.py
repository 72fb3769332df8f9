"""DOMAIN.md section 5 end to end over GraphQL: capture, submit, approve, work the tasks, complete."""

from __future__ import annotations

from graph.driver import Graph
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    ROUTER_4G,
    approve,
    close_all_tasks,
    close_task,
    codes,
    four_g_to_five_g,
    items,
    load_demo_data,
    ok,
    start_task,
    task_named,
)
from tests.conftest import Api

RETURN = "returnAuthorization { id state device { id } line { id } } errors { code message ids }"


async def test_approval_applies_pending_states_and_decomposes(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, added = await four_g_to_five_g(api)
    conn_5g, router_5g = added["spec-5g-connectivity"], added["spec-5g-router"]

    approved = ok(await approve(api, order_id))

    assert approved["state"] == "IN_PROGRESS"
    assert {ln["state"] for ln in approved["lines"]} == {"IN_PROGRESS"}
    found = await items(api, CONN_4G, ROUTER_4G, conn_5g, router_5g, MBB)
    assert found[CONN_4G]["state"] == found[ROUTER_4G]["state"] == "DISCONNECT_PENDING"
    assert found[conn_5g]["state"] == found[router_5g]["state"] == "INSTALLATION_PENDING"
    assert found[MBB]["state"] == "ACTIVE"  # the bundle's line is NO_CHANGE
    assert all(found[i]["openOrder"]["id"] == order_id for i in (CONN_4G, ROUTER_4G, conn_5g, router_5g))

    by_kind = {d["kind"]: d for d in approved["domainOrders"]}
    assert set(by_kind) == {"PRODUCT", "SERVICE", "RESOURCE"}
    assert all(d["state"] == "OPEN" for d in by_kind.values())
    line_of = {ln["inventoryItem"]["id"]: ln["id"] for ln in approved["lines"]}
    assert {ln["id"] for ln in by_kind["PRODUCT"]["lines"]} == {
        line_of[i] for i in (CONN_4G, ROUTER_4G, conn_5g, router_5g)
    }
    assert {ln["id"] for ln in by_kind["RESOURCE"]["lines"]} == {line_of[ROUTER_4G], line_of[router_5g]}
    service_tasks = {t["name"]: t["pointOfNoReturn"] for t in by_kind["SERVICE"]["tasks"]}
    assert service_tasks["Activate service"] is True and service_tasks["Deactivate service"] is True
    assert [t["sequence"] for t in by_kind["PRODUCT"]["tasks"]] == [1, 2]

    (rma,) = approved["returns"]
    assert (rma["state"], rma["reason"], rma["device"]["id"]) == ("AUTHORIZED", "DISCONNECT", ROUTER_4G)
    assert rma["line"]["id"] == line_of[ROUTER_4G]
    work = {(w["kind"], w["item"]["id"]) for w in approved["workOrders"]}
    assert work == {("SHIP_DEVICE", router_5g), ("COLLECT_DEVICE", ROUTER_4G)}
    assert all(w["location"]["id"] == "loc-northwind-hq" for w in approved["workOrders"])
    assert [e["toState"] for e in approved["history"]] == ["SUBMITTED", "IN_PROGRESS"]

    queue = await api(
        "query ($o: ID) { openTasks(orderId: $o, first: 3) { totalCount edges { cursor node { id order { id } "
        "domainOrder { kind } } } pageInfo { hasNextPage endCursor } } }",
        o=order_id,
    )
    page = queue["openTasks"]
    all_tasks = sum(len(d["tasks"]) for d in approved["domainOrders"])
    assert page["totalCount"] == all_tasks and page["pageInfo"]["hasNextPage"] is True
    assert page["edges"][0]["node"]["domainOrder"]["kind"] == "PRODUCT"
    assert {e["node"]["order"]["id"] for e in page["edges"]} == {order_id}
    rest = await api(
        "query ($o: ID, $after: String) { openTasks(orderId: $o, after: $after, first: 100) "
        "{ edges { node { id } } pageInfo { hasNextPage } } }",
        o=order_id,
        after=page["pageInfo"]["endCursor"],
    )
    seen = [e["node"]["id"] for e in page["edges"]] + [e["node"]["id"] for e in rest["openTasks"]["edges"]]
    assert sorted(seen) == sorted(t["id"] for d in approved["domainOrders"] for t in d["tasks"])


async def test_the_upgrade_completes_with_its_whole_effect(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, added = await four_g_to_five_g(api)
    conn_5g, router_5g = added["spec-5g-connectivity"], added["spec-5g-router"]
    approved = ok(await approve(api, order_id))

    validated = ok(await close_task(api, task_named(approved, "PRODUCT", "Validate order")["id"]))
    assert task_named(validated, "RESOURCE", "Reserve device")["ready"] is True
    started = ok(await start_task(api, task_named(approved, "RESOURCE", "Reserve device")["id"]))
    resource = next(d for d in started["domainOrders"] if d["kind"] == "RESOURCE")
    assert resource["state"] == "IN_PROGRESS"
    assert task_named(started, "RESOURCE", "Reserve device")["state"] == "IN_PROGRESS"

    done = await close_all_tasks(api, order_id)

    assert done["state"] == "COMPLETED"
    assert {ln["state"] for ln in done["lines"]} == {"COMPLETED"}
    assert {d["state"] for d in done["domainOrders"]} == {"CLOSED_COMPLETE"}
    assert {w["state"] for w in done["workOrders"]} == {"CLOSED_COMPLETE"}
    assert [r["state"] for r in done["returns"]] == ["AUTHORIZED"]  # the RMA waits for the device
    assert [e["toState"] for e in done["history"]] == ["SUBMITTED", "IN_PROGRESS", "COMPLETED"]
    assert done["pastPointOfNoReturn"] is True

    found = await items(api, CONN_4G, ROUTER_4G, conn_5g, router_5g, MBB)
    assert found[CONN_4G]["state"] == found[ROUTER_4G]["state"] == "INACTIVE"
    assert found[conn_5g]["state"] == found[router_5g]["state"] == "ACTIVE"
    assert found[conn_5g]["parent"]["id"] == found[router_5g]["parent"]["id"] == MBB
    assert all(item["openOrder"] is None for item in found.values())

    assert found[CONN_4G]["entitlement"]["state"] == "CANCELLED"
    assert found[ROUTER_4G]["entitlement"]["state"] == "CANCELLED"
    for new in (conn_5g, router_5g):
        entitlement = found[new]["entitlement"]
        assert entitlement["state"] == "ACTIVE"
        assert entitlement["contract"]["id"] == "ctr-northwind-2024"
    assert found[MBB]["entitlement"]["state"] == "ACTIVE"

    assert [s["state"] for s in found[CONN_4G]["services"]] == ["TERMINATED"]
    assert [s["state"] for s in found[ROUTER_4G]["services"]] == ["TERMINATED"]
    assert [(s["state"], s["specification"]["id"]) for s in found[conn_5g]["services"]] == [
        ("ACTIVE", "svc-spec-5g-data")
    ]
    assert [(s["state"], s["specification"]["id"]) for s in found[router_5g]["services"]] == [
        ("ACTIVE", "svc-spec-cpe-management")
    ]

    tree = await api(
        '{ account(id: "acc-northwind") { roots(includeInactive: false) { id children { id state } } } }'
    )
    bundle = next(r for r in tree["account"]["roots"] if r["id"] == MBB)
    assert {c["id"]: c["state"] for c in bundle["children"]} == {
        CONN_4G: "INACTIVE", ROUTER_4G: "INACTIVE", conn_5g: "ACTIVE", router_5g: "ACTIVE"
    }

    history = await api(
        "query ($id: ID!) { inventoryHistory(id: $id) { field fromValue toValue orderId lineId } }", id=ROUTER_4G
    )
    states = [(e["fromValue"], e["toValue"]) for e in reversed(history["inventoryHistory"]) if e["field"] == "state"]
    assert states == [("ACTIVE", "DISCONNECT_PENDING"), ("DISCONNECT_PENDING", "INACTIVE")]
    assert {e["orderId"] for e in history["inventoryHistory"]} == {order_id}
    assert all(e["lineId"] for e in history["inventoryHistory"])

    (rma,) = done["returns"]
    received = (await api(f'mutation {{ receiveReturn(returnId: "{rma["id"]}") {{ {RETURN} }} }}'))["receiveReturn"]
    assert received["errors"] == [] and received["returnAuthorization"]["state"] == "RECEIVED"
    again = (await api(f'mutation {{ receiveReturn(returnId: "{rma["id"]}") {{ {RETURN} }} }}'))["receiveReturn"]
    assert codes(again) == ["INVALID_STATE"] and again["errors"][0]["ids"] == [rma["id"]]
    closed = (await api(f'mutation {{ closeReturn(returnId: "{rma["id"]}") {{ {RETURN} }} }}'))["closeReturn"]
    assert closed["returnAuthorization"]["state"] == "CLOSED"
    assert closed["returnAuthorization"]["device"]["id"] == ROUTER_4G

    # The bundle is free again for the next order (R6).
    follow_up = await api(
        'mutation { createOrder(input: {accountId: "acc-northwind", action: CHANGE}) { order { id } } }'
    )
    next_id = follow_up["createOrder"]["order"]["id"]
    nxt = await api(
        "mutation ($o: ID!) { addInventoryToOrder(input: {orderId: $o, inventoryIds: [\"pi-northwind-mbb\"], "
        'characteristics: [{name: "contractTerm", value: "36 months"}]}) { errors { code } } }',
        o=next_id,
    )
    assert nxt["addInventoryToOrder"]["errors"] == []

