"""Revisions of move orders (R14 with R4): lines added to, removed from and changed in a running move
before its point of no return, with the move copies kept, retired or made anew; refusal after it.
The consistency check (`macd check`) runs after every step that commits."""

from __future__ import annotations

from typing import Any

from graph.consistency import check_graph
from graph.driver import Graph
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    NORTHWIND,
    ROUTER_4G,
    add_inventory,
    approve,
    close_all_tasks,
    close_through,
    codes,
    create_order,
    items,
    load_demo_data,
    ok,
    submit,
)
from tests.api.revision_steps import line_for, mutate, revise
from tests.conftest import Api

WAREHOUSE = "loc-northwind-warehouse"
HQ = "loc-northwind-hq"
VOICE = "pi-northwind-voice"
VOICE_LINES = ("pi-northwind-voice-line-1", "pi-northwind-voice-line-2", "pi-northwind-voice-line-3")
MBB_TREE = (MBB, CONN_4G, ROUTER_4G)
VOICE_TREE = (VOICE, *VOICE_LINES)


async def running_move(api: Api, *roots: str) -> str:
    order_id = await create_order(api, NORTHWIND, "MOVE")
    ok(await add_inventory(api, order_id, list(roots), targetLocationId=WAREHOUSE))
    ok(await submit(api, order_id))
    ok(await approve(api, order_id))
    return order_id


async def copies_of(graph: Graph) -> dict[str, tuple[str, str]]:
    """Old item id -> (copy id, copy state), for every copy a move made."""
    rows = await graph.fetch(
        "MATCH (c:ProductInventory)-[:REPLACES]->(old) RETURN old.id AS old, c.id AS copy, c.state AS state"
    )
    return {r["old"]: (r["copy"], r["state"]) for r in rows}


async def consistent(graph: Graph) -> None:
    report = await check_graph(graph)
    assert report.ok, [str(v) for v in report.violations]


async def tree_state(api: Api, *ids: str) -> dict[str, tuple[Any, ...]]:
    found = await items(api, *ids)
    return {
        i: (f["state"], (f["openOrder"] or {}).get("id"), (f["parent"] or {}).get("id"),
            (f["location"] or {}).get("id"), sorted((c["name"], c["value"]) for c in f["characteristics"]))
        for i, f in found.items()
    }


async def work_orders(api: Api, order_id: str) -> list[dict[str, Any]]:
    data = await api(
        "query ($id: ID!) { order(id: $id) { workOrders { kind state location { id } lines { id } } "
        "returns { state reason device { id } } } }",
        id=order_id,
    )
    return data["order"]  # type: ignore[no-any-return]


async def test_revising_a_move_adds_a_product_and_another_product_to_move(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await running_move(api, MBB)
    first_copies = await copies_of(clean_graph)
    assert set(first_copies) == set(MBB_TREE)

    ok(await revise(api, order_id, "the voice system moves too, and add 5G"))
    ok(await mutate(api, "addInventoryToOrder", **{"in": {
        "orderId": order_id, "inventoryIds": [VOICE], "targetLocationId": WAREHOUSE}}))
    added = ok(await mutate(api, "addProductToOrder", **{"in": {
        "orderId": order_id, "parentInventoryId": MBB, "specificationId": "spec-5g-connectivity"}}))
    five_g = next(ln["inventoryItem"]["id"] for ln in added["pendingRevision"]["lines"] if ln["action"] == "ADD")
    draft = added["pendingRevision"]
    assert {c["inventoryItemId"] for c in draft["linesAdded"]} == {*VOICE_TREE, five_g}
    assert draft["linesRemoved"] == [] and draft["linesChanged"] == []
    ok(await mutate(api, "submitOrder", o=order_id))
    applied = ok(await mutate(api, "approveOrder", o=order_id))
    await consistent(clean_graph)

    assert applied["state"] == "IN_PROGRESS" and applied["version"] == 2
    assert all(ln["moveOperation"] for ln in applied["lines"])
    copies = await copies_of(clean_graph)
    # The running copies stay; the voice tree gets copies of its own at the warehouse.
    assert {old: copies[old] for old in MBB_TREE} == first_copies
    assert set(copies) == {*MBB_TREE, *VOICE_TREE}
    pending = await tree_state(api, *VOICE_TREE, *(copies[i][0] for i in VOICE_TREE), five_g)
    assert {pending[i][:2] for i in VOICE_TREE} == {("CHANGE_PENDING", order_id)}
    for old in VOICE_TREE:
        copy = pending[copies[old][0]]
        assert copy[0] == "INSTALLATION_PENDING" and copy[1] == order_id and copy[3] == WAREHOUSE
    assert pending[copies[VOICE_LINES[0]][0]][2] == copies[VOICE][0]
    # The new product arrives with the move: under the bundle's copy, at the warehouse.
    assert pending[five_g][:4] == ("INSTALLATION_PENDING", order_id, first_copies[MBB][0], WAREHOUSE)
    # One visit installs the site for both products.
    field = await work_orders(api, order_id)
    (site,) = field["workOrders"]
    assert site["kind"] == "SITE_INSTALL" and site["location"]["id"] == WAREHOUSE
    assert {ln["id"] for ln in site["lines"]} >= {line_for(applied, VOICE)["id"], line_for(applied, MBB)["id"]}

    done = await close_all_tasks(api, order_id)
    assert done["state"] == "COMPLETED"
    await consistent(clean_graph)
    final = await tree_state(api, *MBB_TREE, *VOICE_TREE, *(c for c, _ in copies.values()), five_g)
    assert {final[i][0] for i in (*MBB_TREE, *VOICE_TREE)} == {"INACTIVE"}
    assert {final[c][:2] + (final[c][3],) for c, _ in copies.values()} == {("ACTIVE", None, WAREHOUSE)}
    assert final[five_g][:4] == ("ACTIVE", None, first_copies[MBB][0], WAREHOUSE)


async def test_revising_a_move_to_drop_a_product_restores_it_exactly(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    before = await tree_state(api, *MBB_TREE, *VOICE_TREE)
    order_id = await running_move(api, MBB, VOICE)
    copies = await copies_of(clean_graph)
    assert set(copies) == {*MBB_TREE, *VOICE_TREE}

    pending = ok(await revise(api, order_id, "the voice system stays"))["pendingRevision"]
    for item_id in (*VOICE_LINES, VOICE):
        ok(await mutate(api, "removeOrderLine", l=line_for(pending, item_id)["id"]))
    ok(await mutate(api, "submitOrder", o=order_id))
    applied = ok(await mutate(api, "approveOrder", o=order_id))
    await consistent(clean_graph)

    assert {ln["inventoryItem"]["id"] for ln in applied["lines"]} == set(MBB_TREE)
    (revision,) = applied["revisions"]
    assert {c["inventoryItemId"] for c in revision["linesRemoved"]} == set(VOICE_TREE)
    after = await tree_state(api, *VOICE_TREE)
    assert after == {i: before[i] for i in VOICE_TREE}  # state, claim, parent, location, characteristics
    retired = await copies_of(clean_graph)
    assert {retired[i][1] for i in VOICE_TREE} == {"INACTIVE"}
    released = await tree_state(api, *(retired[i][0] for i in VOICE_TREE))
    assert {s[:2] for s in released.values()} == {("INACTIVE", None)}
    # The bundle still moves, with the copies it had.
    assert {retired[i] for i in MBB_TREE} == {copies[i] for i in MBB_TREE}
    assert {s[0] for s in (await tree_state(api, *MBB_TREE)).values()} == {"CHANGE_PENDING"}

    done = await close_all_tasks(api, order_id)
    assert done["state"] == "COMPLETED"
    await consistent(clean_graph)
    final = await tree_state(api, *MBB_TREE, *VOICE_TREE, *(copies[i][0] for i in MBB_TREE))
    assert {i: final[i] for i in VOICE_TREE} == {i: before[i] for i in VOICE_TREE}
    assert {final[i][0] for i in MBB_TREE} == {"INACTIVE"}
    assert {final[copies[i][0]][0] for i in MBB_TREE} == {"ACTIVE"}


async def test_revising_a_move_to_leave_the_router_behind(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await running_move(api, MBB)
    copies = await copies_of(clean_graph)

    pending = ok(await revise(api, order_id, "leave the router"))["pendingRevision"]
    router_line = line_for(pending, ROUTER_4G)
    ok(await mutate(api, "updateOrderLine", **{"in": {"lineId": router_line["id"], "action": "DISCONNECT"}}))
    ok(await mutate(api, "submitOrder", o=order_id))
    applied = ok(await mutate(api, "approveOrder", o=order_id))
    await consistent(clean_graph)

    assert line_for(applied, ROUTER_4G)["action"] == "DISCONNECT"
    assert line_for(applied, ROUTER_4G)["id"] == router_line["id"]
    now = await copies_of(clean_graph)
    assert now[ROUTER_4G] == (copies[ROUTER_4G][0], "INACTIVE")
    assert {now[i] for i in (MBB, CONN_4G)} == {copies[i] for i in (MBB, CONN_4G)}
    state = await tree_state(api, ROUTER_4G, copies[ROUTER_4G][0])
    assert state[ROUTER_4G][:2] == ("DISCONNECT_PENDING", order_id)
    assert state[copies[ROUTER_4G][0]][:2] == ("INACTIVE", None)
    field = await work_orders(api, order_id)
    assert field["returns"] == [{"state": "AUTHORIZED", "reason": "MOVE_NOT_KEPT", "device": {"id": ROUTER_4G}}]

    done = await close_all_tasks(api, order_id)
    assert done["state"] == "COMPLETED"
    await consistent(clean_graph)
    final = await tree_state(api, *MBB_TREE, copies[MBB][0], copies[CONN_4G][0], copies[ROUTER_4G][0])
    assert final[ROUTER_4G][0] == "INACTIVE" and final[copies[ROUTER_4G][0]][0] == "INACTIVE"
    assert final[copies[MBB][0]][0] == final[copies[CONN_4G][0]][0] == "ACTIVE"


async def test_a_move_past_its_point_of_no_return_cannot_be_revised_there(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await running_move(api, MBB)
    current = await close_through(api, order_id, "SERVICE", "Activate service")
    assert current["pastPointOfNoReturn"]

    pending = ok(await revise(api, order_id, "leave the router"))["pendingRevision"]
    router_line = line_for(pending, ROUTER_4G)
    refused = await mutate(api, "updateOrderLine", **{"in": {"lineId": router_line["id"], "action": "DISCONNECT"}})
    assert codes(refused) == ["PAST_POINT_OF_NO_RETURN"]
    assert router_line["id"] in refused["errors"][0]["ids"]
    assert codes(await mutate(api, "removeOrderLine", l=line_for(pending, CONN_4G)["id"])) == [
        "PAST_POINT_OF_NO_RETURN"
    ]
    # Another product may still join the move.
    ok(await mutate(api, "addInventoryToOrder", **{"in": {
        "orderId": order_id, "inventoryIds": [VOICE], "targetLocationId": WAREHOUSE}}))
    ok(await mutate(api, "submitOrder", o=order_id))
    ok(await mutate(api, "approveOrder", o=order_id))
    await consistent(clean_graph)
    assert (await close_all_tasks(api, order_id))["state"] == "COMPLETED"
    await consistent(clean_graph)
