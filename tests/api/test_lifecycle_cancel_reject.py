"""Cancellation (R12) and rejection over GraphQL, with every refusal a typed error."""

from __future__ import annotations

from graph.driver import Graph
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    NORTHWIND,
    ROUTER_4G,
    add_inventory,
    add_product,
    approve,
    cancel,
    close_all_tasks,
    close_task,
    close_through,
    codes,
    create_order,
    four_g_to_five_g,
    items,
    load_demo_data,
    ok,
    reject,
    snapshot,
    task_named,
)
from tests.conftest import Api


async def test_a_draft_is_cancelled_outright_and_its_new_products_retired(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, order_id, [CONN_4G], lineAction="DISCONNECT"))
    lines = ok(await add_product(api, order_id, MBB, "spec-5g-connectivity"))["lines"]
    (new_item,) = [ln["inventoryItem"]["id"] for ln in lines if ln["action"] == "ADD"]

    cancelled = ok(await cancel(api, order_id))

    assert cancelled["state"] == "CANCELLED"
    assert [(e["fromState"], e["toState"]) for e in cancelled["history"]] == [("DRAFT", "CANCELLED")]
    found = await items(api, CONN_4G, new_item, MBB)
    assert found[CONN_4G]["state"] == "ACTIVE" and found[new_item]["state"] == "INACTIVE"
    assert all(i["openOrder"] is None for i in found.values())
    assert cancelled["domainOrders"] == []


async def test_a_submitted_order_is_cancelled_outright(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, added = await four_g_to_five_g(api)

    cancelled = ok(await cancel(api, order_id, "changed my mind"))

    assert cancelled["state"] == "CANCELLED" and cancelled["reason"] == "changed my mind"
    found = await items(api, CONN_4G, ROUTER_4G, *added.values())
    assert found[CONN_4G]["state"] == found[ROUTER_4G]["state"] == "ACTIVE"
    assert {found[i]["state"] for i in added.values()} == {"INACTIVE"}
    assert all(i["openOrder"] is None for i in found.values())


async def test_cancelling_in_progress_before_the_point_of_no_return_compensates(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id, added = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    validated = task_named(approved, "PRODUCT", "Validate order")
    ok(await close_task(api, validated["id"]))

    cancelled = ok(await cancel(api, order_id, "customer withdrew"))

    assert cancelled["state"] == "CANCELLED"
    assert [e["toState"] for e in cancelled["history"]] == [
        "SUBMITTED", "IN_PROGRESS", "CANCELLATION_IN_PROGRESS", "CANCELLED"
    ]
    assert cancelled["history"][-1]["reason"] == "customer withdrew"
    found = await items(api, CONN_4G, ROUTER_4G, *added.values())
    assert found[CONN_4G]["state"] == found[ROUTER_4G]["state"] == "ACTIVE"
    assert {found[i]["state"] for i in added.values()} == {"INACTIVE"}
    assert all(i["openOrder"] is None for i in found.values())
    assert found[ROUTER_4G]["entitlement"]["state"] == "ACTIVE"
    assert [s["state"] for s in found[CONN_4G]["services"]] == ["ACTIVE"]
    tasks = {t["id"]: t["state"] for d in cancelled["domainOrders"] for t in d["tasks"]}
    assert tasks.pop(validated["id"]) == "CLOSED_COMPLETE"  # work already done stays done
    assert set(tasks.values()) == {"CANCELLED"}
    assert {d["state"] for d in cancelled["domainOrders"]} == {"CANCELLED"}
    assert {w["state"] for w in cancelled["workOrders"]} == {"CANCELLED"}
    assert [r["state"] for r in cancelled["returns"]] == ["CANCELLED"]

    history = await api("query ($id: ID!) { inventoryHistory(id: $id) { field fromValue toValue } }", id=CONN_4G)
    states = [(e["fromValue"], e["toValue"]) for e in reversed(history["inventoryHistory"])]
    assert states == [("ACTIVE", "DISCONNECT_PENDING"), ("DISCONNECT_PENDING", "ACTIVE")]


async def test_cancelling_after_the_point_of_no_return_is_refused_naming_the_task(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    activate = task_named(approved, "SERVICE", "Activate service")
    assert activate["pointOfNoReturn"] is True
    assert (await close_through(api, order_id, "SERVICE", "Activate service"))["pastPointOfNoReturn"] is True
    before = await snapshot(clean_graph)

    refused = await cancel(api, order_id)

    assert refused["order"] is None
    assert codes(refused) == ["PAST_POINT_OF_NO_RETURN"]
    assert refused["errors"][0]["ids"] == [activate["id"]]
    assert "Activate service" in refused["errors"][0]["message"]
    assert await snapshot(clean_graph) == before
    rows = await clean_graph.fetch(
        "MATCH (l:OrderLine {orderId: $id}) WHERE l.pastPointOfNoReturn RETURN count(l) AS n", id=order_id
    )
    assert rows[0]["n"] > 0


async def test_finished_orders_cannot_be_cancelled(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    ok(await cancel(api, order_id))
    assert codes(await cancel(api, order_id)) == ["INVALID_STATE"]
    assert codes(await cancel(api, "ord-nope")) == ["NOT_FOUND"]

    completed_id, _ = await four_g_to_five_g(api)
    ok(await approve(api, completed_id))
    assert (await close_all_tasks(api, completed_id))["state"] == "COMPLETED"
    assert codes(await cancel(api, completed_id)) == ["INVALID_STATE"]


async def test_reject_says_why_and_frees_the_items(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, added = await four_g_to_five_g(api)

    blank = await reject(api, order_id, "   ")
    assert codes(blank) == ["INVALID_INPUT"] and blank["errors"][0]["field"] == "reason"

    rejected = ok(await reject(api, order_id, "credit check failed"))

    assert rejected["state"] == "REJECTED" and rejected["reason"] == "credit check failed"
    assert rejected["history"][-1] == {
        "fromState": "SUBMITTED", "toState": "REJECTED", "reason": "credit check failed"
    }
    found = await items(api, CONN_4G, ROUTER_4G, *added.values())
    assert found[CONN_4G]["state"] == "ACTIVE"
    assert {found[i]["state"] for i in added.values()} == {"INACTIVE"}
    assert all(i["openOrder"] is None for i in found.values())
    assert codes(await reject(api, order_id, "again")) == ["NOT_APPROVABLE"]
    assert codes(await approve(api, order_id)) == ["NOT_APPROVABLE"]
