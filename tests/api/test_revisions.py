"""Revisions of orders in progress (R14) over GraphQL: revise to add, remove and change lines before
the point of no return, refusal after it, exact compensation, cancelling a revision, and races."""

from __future__ import annotations

import asyncio
from typing import Any

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
    items,
    load_demo_data,
    ok,
    submit,
    task_named,
    tasks_of,
)
from tests.api.revision_steps import cancel_revision, line_for, mutate, revise, revised, tasks_named
from tests.conftest import Api

VOICE_LINE_1 = "pi-northwind-voice-line-1"  # plan National
VOICE_LINE_2 = "pi-northwind-voice-line-2"  # plan International


async def running_change(api: Api) -> str:
    """An approved CHANGE order: 4G data allowance 100 GB -> Unlimited, voice line 1 plan National -> Local."""
    order_id = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, order_id, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "Unlimited"}]))
    ok(await add_inventory(api, order_id, [VOICE_LINE_1], characteristics=[{"name": "plan", "value": "Local"}]))
    ok(await submit(api, order_id))
    ok(await approve(api, order_id))
    return order_id


def value(item: dict[str, Any], name: str) -> str | None:
    return next((c["value"] for c in item["characteristics"] if c["name"] == name), None)


async def test_revise_adds_removes_and_changes_lines_before_the_point_of_no_return(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id = await running_change(api)
    started = await revised(api, order_id)
    validate = task_named(started, "PRODUCT", "Validate order")
    ok(await close_task(api, validate["id"]))

    opened = ok(await revise(api, order_id, "make it 50 GB, leave line 1, change line 2"))
    assert opened["state"] == "REVISION_IN_PROGRESS"
    assert opened["version"] == 1
    pending = opened["pendingRevision"]
    assert (pending["version"], pending["state"]) == (2, "DRAFT")
    assert pending["reason"] == "make it 50 GB, leave line 1, change line 2"
    held = [t for d in opened["domainOrders"] for t in d["tasks"] if t["state"] in ("OPEN", "IN_PROGRESS")]
    assert held and all(t["heldBy"] == [pending["id"]] for t in held)
    assert codes(await mutate(api, "closeOrderTask", t=held[0]["id"])) == ["TASK_ON_HOLD"]
    assert codes(await revise(api, order_id)) == ["REVISION_PENDING"]
    assert codes(await cancel(api, order_id)) == ["INVALID_STATE"]

    conn_line = line_for(pending, CONN_4G)
    ok(await mutate(api, "updateOrderLine", **{"in": {
        "lineId": conn_line["id"], "characteristics": [{"name": "dataAllowance", "value": "50 GB"}]}}))
    ok(await mutate(api, "removeOrderLine", l=line_for(pending, VOICE_LINE_1)["id"]))
    edited = ok(await mutate(api, "addInventoryToOrder", **{"in": {
        "orderId": order_id, "inventoryIds": [VOICE_LINE_2], "characteristics": [{"name": "plan", "value": "Local"}]}}))
    # The running order is untouched while the revision is edited.
    assert {ln["inventoryItem"]["id"] for ln in edited["lines"]} == {CONN_4G, VOICE_LINE_1}
    draft = edited["pendingRevision"]
    assert [c["inventoryItemId"] for c in draft["linesAdded"]] == [VOICE_LINE_2]
    assert [c["inventoryItemId"] for c in draft["linesRemoved"]] == [VOICE_LINE_1]
    (changed,) = draft["linesChanged"]
    assert changed["inventoryItemId"] == CONN_4G
    assert changed["changes"] == [
        {"field": "characteristics.dataAllowance", "oldValue": "Unlimited", "newValue": "50 GB"}
    ]
    assert codes(await mutate(api, "approveOrder", o=order_id)) == ["NOT_APPROVABLE"]  # not submitted yet

    assert ok(await mutate(api, "submitOrder", o=order_id))["pendingRevision"]["state"] == "SUBMITTED"
    applied = ok(await mutate(api, "approveOrder", o=order_id))

    assert (applied["state"], applied["version"], applied["pendingRevision"]) == ("IN_PROGRESS", 2, None)
    (first_revision,) = applied["revisions"]
    assert first_revision["state"] == "APPROVED"
    assert [c["inventoryItemId"] for c in first_revision["linesRemoved"]] == [VOICE_LINE_1]
    assert {ln["inventoryItem"]["id"] for ln in applied["lines"]} == {CONN_4G, VOICE_LINE_2}
    assert line_for(applied, CONN_4G)["id"] == conn_line["id"]  # the changed line keeps its id
    assert all(t["heldBy"] == [] for d in applied["domainOrders"] for t in d["tasks"])
    # The closed task keeps its progress; the changed and added lines bring their work back (a redo).
    product = tasks_named(applied, "PRODUCT")
    assert product[0] == ("Validate order", "CLOSED_COMPLETE")
    assert ("Validate order", "OPEN") in product[2:]
    found = await items(api, CONN_4G, VOICE_LINE_1, VOICE_LINE_2)
    assert found[VOICE_LINE_1]["state"] == "ACTIVE" and found[VOICE_LINE_1]["openOrder"] is None
    assert found[VOICE_LINE_2]["state"] == "CHANGE_PENDING"
    assert found[VOICE_LINE_2]["openOrder"]["id"] == order_id
    assert found[CONN_4G]["state"] == "CHANGE_PENDING"

    done = await close_all_tasks(api, order_id)
    assert done["state"] == "COMPLETED"
    final = await items(api, CONN_4G, VOICE_LINE_1, VOICE_LINE_2)
    assert value(final[CONN_4G], "dataAllowance") == "50 GB"
    assert value(final[VOICE_LINE_1], "plan") == "National"
    assert value(final[VOICE_LINE_2], "plan") == "Local"
    assert {i["state"] for i in final.values()} == {"ACTIVE"}


async def test_lines_past_the_point_of_no_return_and_their_bundle_cannot_change(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, order_id, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "Unlimited"}]))
    ok(await add_inventory(api, order_id, [MBB], characteristics=[{"name": "contractTerm", "value": "36 months"}]))
    ok(await submit(api, order_id))
    ok(await approve(api, order_id))
    approved = await close_through(api, order_id, "SERVICE", "Activate service")
    assert approved["state"] == "IN_PROGRESS"
    activate = task_named(approved, "SERVICE", "Activate service")

    pending = ok(await revise(api, order_id))["pendingRevision"]
    conn_line, mbb_line = line_for(pending, CONN_4G), line_for(pending, MBB)
    refused = await mutate(api, "updateOrderLine", **{"in": {
        "lineId": conn_line["id"], "characteristics": [{"name": "dataAllowance", "value": "50 GB"}]}})
    assert codes(refused) == ["PAST_POINT_OF_NO_RETURN"]
    assert set(refused["errors"][0]["ids"]) == {conn_line["id"], activate["id"]}
    assert "Activate service" in refused["errors"][0]["message"]
    # The bundle's root line never passed a PONR task itself, but its bundle did.
    root = await mutate(api, "updateOrderLine", **{"in": {
        "lineId": mbb_line["id"], "characteristics": [{"name": "contractTerm", "value": "12 months"}]}})
    assert codes(root) == ["PAST_POINT_OF_NO_RETURN"]
    assert mbb_line["id"] in root["errors"][0]["ids"]
    assert codes(await mutate(api, "removeOrderLine", l=conn_line["id"])) == ["PAST_POINT_OF_NO_RETURN"]

    # Another bundle can still join the running order.
    ok(await mutate(api, "addInventoryToOrder", **{"in": {
        "orderId": order_id, "inventoryIds": [VOICE_LINE_2], "characteristics": [{"name": "plan", "value": "Local"}]}}))
    ok(await mutate(api, "submitOrder", o=order_id))
    applied = ok(await mutate(api, "approveOrder", o=order_id))
    service = tasks_named(applied, "SERVICE")
    assert service[:2] == [("Design service", "CLOSED_COMPLETE"), ("Activate service", "CLOSED_COMPLETE")]
    assert service[2:] == [("Design service", "OPEN"), ("Activate service", "OPEN")]
    assert next(d for d in applied["domainOrders"] if d["kind"] == "SERVICE")["state"] == "IN_PROGRESS"
    assert (await close_all_tasks(api, order_id))["state"] == "COMPLETED"


async def tree_state(api: Api, *ids: str) -> dict[str, tuple[Any, ...]]:
    found = await items(api, *ids)
    return {
        i: (f["state"], (f["openOrder"] or {}).get("id"), (f["parent"] or {}).get("id"),
            sorted((c["name"], c["value"]) for c in f["characteristics"]))
        for i, f in found.items()
    }


async def test_compensation_restores_the_tree_exactly(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    before = await tree_state(api, MBB, CONN_4G, ROUTER_4G)
    order_id = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, order_id, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "Unlimited"}]))
    # The 5G router first, so that its 'Reserve device' leads the resource order's tasks.
    lines = ok(await add_product(api, order_id, MBB, "spec-5g-router"))["lines"]
    router_5g = next(ln["inventoryItem"]["id"] for ln in lines if ln["action"] == "ADD")
    ok(await add_inventory(api, order_id, [ROUTER_4G], lineAction="DISCONNECT"))
    ok(await submit(api, order_id))
    ok(await approve(api, order_id))
    reserved = await close_through(api, order_id, "RESOURCE", "Reserve device")
    assert not reserved["pastPointOfNoReturn"]

    pending = ok(await revise(api, order_id, "keep the 4G router"))["pendingRevision"]
    ok(await mutate(api, "removeOrderLine", l=line_for(pending, router_5g)["id"]))
    ok(await mutate(api, "removeOrderLine", l=line_for(pending, ROUTER_4G)["id"]))
    ok(await mutate(api, "submitOrder", o=order_id))
    applied = ok(await mutate(api, "approveOrder", o=order_id))

    after = await tree_state(api, MBB, CONN_4G, ROUTER_4G, router_5g)
    # The bundle keeps its NO_CHANGE line (the 4G connectivity change still hangs under it).
    assert after[MBB] == (before[MBB][0], order_id, *before[MBB][2:])
    assert after[ROUTER_4G] == before[ROUTER_4G]
    assert after[router_5g][:2] == ("INACTIVE", None)
    assert after[CONN_4G][0] == "CHANGE_PENDING"
    data = await api(
        "query ($id: ID!) { order(id: $id) { returns { state device { id } } workOrders { kind state } } }",
        id=order_id,
    )
    assert data["order"]["returns"] == [{"state": "CANCELLED", "device": {"id": ROUTER_4G}}]
    assert {w["state"] for w in data["order"]["workOrders"]} == {"CANCELLED"}
    # The resource order lost every line: what was not done is cancelled, what was done is undone.
    resource = tasks_named(applied, "RESOURCE")
    assert sorted(resource[:3]) == [
        ("Collect device", "CANCELLED"), ("Reserve device", "CLOSED_COMPLETE"), ("Ship device", "CANCELLED"),
    ]
    assert resource[3:] == [("Release device", "OPEN")]
    done = await close_all_tasks(api, order_id)
    assert done["state"] == "COMPLETED"
    final = await tree_state(api, MBB, CONN_4G, ROUTER_4G, router_5g)
    assert final[ROUTER_4G] == before[ROUTER_4G]
    assert final[router_5g][0] == "INACTIVE"
    assert ("dataAllowance", "Unlimited") in final[CONN_4G][3]


async def test_cancelling_a_revision_leaves_the_order_as_it_ran(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await running_change(api)
    pending = ok(await revise(api, order_id))["pendingRevision"]
    added = ok(await mutate(api, "addProductToOrder", **{"in": {
        "orderId": order_id, "parentInventoryId": MBB, "specificationId": "spec-5g-connectivity"}}))
    new_item = next(
        ln["inventoryItem"]["id"] for ln in added["pendingRevision"]["lines"] if ln["action"] == "ADD"
    )
    ok(await mutate(api, "addInventoryToOrder", **{"in": {
        "orderId": order_id, "inventoryIds": [VOICE_LINE_2], "characteristics": [{"name": "plan", "value": "Local"}]}}))
    assert (await items(api, VOICE_LINE_2))[VOICE_LINE_2]["openOrder"]["id"] == order_id

    back = ok(await cancel_revision(api, order_id))

    assert (back["state"], back["version"], back["pendingRevision"]) == ("IN_PROGRESS", 1, None)
    assert [(r["version"], r["state"]) for r in back["revisions"]] == [(2, "CANCELLED")]
    assert back["revisions"][0]["id"] == pending["id"]
    assert all(t["heldBy"] == [] for d in back["domainOrders"] for t in d["tasks"])
    found = await items(api, new_item, VOICE_LINE_2, VOICE_LINE_1)
    assert found[new_item] is None  # never installed: removed with the revision
    assert found[VOICE_LINE_2]["openOrder"] is None
    assert found[VOICE_LINE_1]["openOrder"]["id"] == order_id
    assert codes(await cancel_revision(api, order_id)) == ["INVALID_STATE"]
    assert (await close_all_tasks(api, order_id))["state"] == "COMPLETED"


async def test_revise_and_cancel_race_exactly_one_wins(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await running_change(api)
    revised_payload, cancelled = await asyncio.gather(revise(api, order_id), cancel(api, order_id))
    winners = [p for p in (revised_payload, cancelled) if not p["errors"]]
    assert len(winners) == 1
    loser = cancelled if winners[0] is revised_payload else revised_payload
    assert codes(loser) == ["INVALID_STATE"]
    state = (await revised(api, order_id))["state"]
    assert state == ("REVISION_IN_PROGRESS" if winners[0] is revised_payload else "CANCELLED")


async def test_revise_and_closing_the_last_task_race_exactly_one_wins(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await running_change(api)
    current = await close_all_tasks(api, order_id, keep=1)
    (last,) = tasks_of(current, "OPEN", "IN_PROGRESS")
    revised_payload, closed = await asyncio.gather(revise(api, order_id), close_task(api, last["id"]))
    winners = [p for p in (revised_payload, closed) if not p["errors"]]
    assert len(winners) == 1
    if winners[0] is closed:
        assert codes(revised_payload) == ["INVALID_STATE"]
        assert (await revised(api, order_id))["state"] == "COMPLETED"
    else:
        assert codes(closed) == ["TASK_ON_HOLD"]
        assert (await revised(api, order_id))["state"] == "REVISION_IN_PROGRESS"


async def test_only_orders_in_progress_are_revised(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    draft = await create_order(api, NORTHWIND, "CHANGE")
    assert codes(await revise(api, draft)) == ["INVALID_STATE"]
    order_id = await running_change(api)
    assert codes(await revise(api, order_id, "  ")) == ["INVALID_INPUT"]
    assert codes(await cancel_revision(api, order_id)) == ["INVALID_STATE"]
