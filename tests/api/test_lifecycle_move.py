"""A move (R4, R8-R10): copies at the new location replace the old items on completion, and
cancelling before the point of no return restores the old ones."""

from __future__ import annotations

from typing import Any

from graph.driver import Graph
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    NORTHWIND,
    ROUTER_4G,
    add_inventory,
    approve,
    cancel,
    close_all_tasks,
    create_order,
    items,
    load_demo_data,
    ok,
    submit,
)
from tests.conftest import Api

WAREHOUSE = "loc-northwind-warehouse"
HQ = "loc-northwind-hq"


async def approved_move(api: Api) -> dict[str, Any]:
    order_id = await create_order(api, NORTHWIND, "MOVE")
    ok(await add_inventory(api, order_id, [MBB], targetLocationId=WAREHOUSE))
    ok(await submit(api, order_id))
    return ok(await approve(api, order_id))


async def copies_of(graph: Graph) -> dict[str, str]:
    """Old item id -> the id of the copy that replaces it."""
    rows = await graph.fetch("MATCH (c:ProductInventory)-[:REPLACES]->(old) RETURN old.id AS old, c.id AS copy")
    return {r["old"]: r["copy"] for r in rows}


async def test_a_move_completes_with_the_tree_at_the_new_location(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    approved = await approved_move(api)
    assert all(ln["moveOperation"] for ln in approved["lines"])

    copy_of = await copies_of(clean_graph)
    assert set(copy_of) == {MBB, CONN_4G, ROUTER_4G}
    pending = await items(api, MBB, CONN_4G, ROUTER_4G, *copy_of.values())
    assert {pending[i]["state"] for i in (MBB, CONN_4G, ROUTER_4G)} == {"CHANGE_PENDING"}
    assert {pending[c]["state"] for c in copy_of.values()} == {"INSTALLATION_PENDING"}
    assert {pending[c]["location"]["id"] for c in copy_of.values()} == {WAREHOUSE}
    assert pending[copy_of[CONN_4G]]["parent"]["id"] == copy_of[MBB]
    assert pending[copy_of[MBB]]["parent"] is None
    assert approved["returns"] == []  # the router moves along: nothing comes back
    assert {(w["kind"], w["location"]["id"]) for w in approved["workOrders"]} == {("SITE_INSTALL", WAREHOUSE)}

    done = await close_all_tasks(api, approved["id"])

    assert done["state"] == "COMPLETED"
    found = await items(api, MBB, CONN_4G, ROUTER_4G, *copy_of.values())
    assert {found[i]["state"] for i in (MBB, CONN_4G, ROUTER_4G)} == {"INACTIVE"}
    for old, copy in copy_of.items():
        assert found[copy]["state"] == "ACTIVE"
        assert found[copy]["location"]["id"] == WAREHOUSE
        assert found[copy]["openOrder"] is None
        assert found[copy]["characteristics"] == found[old]["characteristics"]
        # The entitlement moved with the product; the old item's services ended and new ones run.
        assert found[copy]["entitlement"]["contract"]["id"] == "ctr-northwind-2024"
        assert found[old]["entitlement"] is None
    assert [s["state"] for s in found[CONN_4G]["services"]] == ["TERMINATED"]
    assert [s["state"] for s in found[copy_of[CONN_4G]]["services"]] == ["ACTIVE"]

    roots = await api(
        '{ account(id: "acc-northwind") { active: roots(includeInactive: false) { id location { id } '
        "children { id location { id } } } all: roots { id state } } }"
    )
    active = {r["id"]: r for r in roots["account"]["active"]}
    assert copy_of[MBB] in active and MBB not in active
    moved = active[copy_of[MBB]]
    assert {c["id"] for c in moved["children"]} == {copy_of[CONN_4G], copy_of[ROUTER_4G]}
    assert {c["location"]["id"] for c in moved["children"]} == {WAREHOUSE}
    assert {r["id"]: r["state"] for r in roots["account"]["all"]}[MBB] == "INACTIVE"  # kept for history

    history = await api(
        "query ($id: ID!) { inventoryHistory(id: $id) { field fromValue toValue } }", id=copy_of[CONN_4G]
    )
    changes = {(e["field"], e["fromValue"], e["toValue"]) for e in history["inventoryHistory"]}
    assert ("location", None, WAREHOUSE) in changes
    assert ("parent", None, copy_of[MBB]) in changes
    assert ("state", "INSTALLATION_PENDING", "ACTIVE") in changes


async def test_cancelling_a_move_before_the_point_of_no_return_restores_the_old_items(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    approved = await approved_move(api)
    copy_of = await copies_of(clean_graph)

    cancelled = ok(await cancel(api, approved["id"], "customer stays"))

    assert cancelled["state"] == "CANCELLED" and cancelled["reason"] == "customer stays"
    found = await items(api, MBB, CONN_4G, ROUTER_4G, *copy_of.values())
    assert {found[i]["state"] for i in (MBB, CONN_4G, ROUTER_4G)} == {"ACTIVE"}
    assert {found[i]["location"]["id"] for i in (MBB, CONN_4G, ROUTER_4G)} == {HQ}
    assert {found[c]["state"] for c in copy_of.values()} == {"INACTIVE"}
    assert all(found[i]["openOrder"] is None for i in found)
    assert found[MBB]["entitlement"]["state"] == "ACTIVE"
    assert {w["state"] for w in cancelled["workOrders"]} == {"CANCELLED"}
