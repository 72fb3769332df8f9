"""Order capture through GraphQL against the real Neo4j: rules R1–R6 and every capture error code."""

from __future__ import annotations

import asyncio

import pytest

from graph.driver import Graph
from tests.api.orders import (
    add_inventory,
    add_product,
    codes,
    count_nodes,
    create_order,
    get_order,
    lines_by_item,
    new_order,
    remove_line,
    submit,
    update_line,
)
from tests.builders import account, document, item, load, spec, wide_and_deep
from tests.conftest import Api, LiveServer

SPECS = [
    spec("s-bundle", bundles=[("s-access", 1, 1), ("s-addon", 0, 2), ("s-router", 0, 1)]),
    spec("s-access", bundles=[("s-port", 0, 5)]),
    spec("s-port"),
    spec("s-addon", characteristics={"speed": ["100", "500", "1000"]}),
    spec("s-router", physical=True, characteristics={"model": []}),
]


def bundle(prefix: str, state: str = "ACTIVE", location: str = "loc-a") -> dict:
    return item(
        prefix, "s-bundle",
        item(f"{prefix}-access", "s-access",
             item(f"{prefix}-port-1", "s-port", state=state, location=location),
             item(f"{prefix}-port-2", "s-port", state=state, location=location),
             state=state, location=location),
        item(f"{prefix}-addon", "s-addon", state=state, location=location, speed="100"),
        item(f"{prefix}-router", "s-router", state=state, location=location, model="R1"),
        state=state, location=location,
    )


R1_SUBTREE = {"r1", "r1-access", "r1-port-1", "r1-port-2", "r1-addon", "r1-router"}


@pytest.fixture
async def base(clean_graph: Graph) -> Graph:
    await load(clean_graph, document(
        SPECS,
        account("acc-1", bundle("r1"), bundle("r2", state="SUSPENDED"), locations=("loc-a", "loc-b", "loc-c")),
        account("acc-2", bundle("x1", location="loc-x"), locations=("loc-x",)),
    ))
    return clean_graph


# --- creating orders ---------------------------------------------------------------------------


async def test_create_order_is_a_draft_and_idempotent_on_its_key(base: Graph, api: Api) -> None:
    first = await create_order(api, "acc-1", "CHANGE", key="req-42")
    again = await create_order(api, "acc-1", "CHANGE", key="req-42")
    assert first["order"]["state"] == "DRAFT"
    assert again["order"]["id"] == first["order"]["id"]
    other = await create_order(api, "acc-1", "CHANGE", key="req-43")
    assert other["order"]["id"] != first["order"]["id"]
    reused = await create_order(api, "acc-2", "CHANGE", key="req-42")
    assert codes(reused) == ["INVALID_INPUT"] and reused["errors"][0]["field"] == "idempotencyKey"
    assert first["order"]["id"] in reused["errors"][0]["ids"]


async def test_concurrent_creates_with_one_key_make_one_order(base: Graph, api: Api) -> None:
    results = await asyncio.gather(*(create_order(api, "acc-1", "CHANGE", key="same") for _ in range(6)))
    assert len({r["order"]["id"] for r in results}) == 1
    records, _, _ = await base.driver.execute_query("MATCH (o:CustomerOrder) RETURN count(o) AS n",
                                                    database_=base.database)
    assert records[0]["n"] == 1


async def test_create_order_for_an_unknown_account_is_not_found(base: Graph, api: Api) -> None:
    payload = await create_order(api, "acc-nope", "CHANGE")
    assert payload["order"] is None
    assert payload["errors"] == [{"code": "NOT_FOUND", "message": payload["errors"][0]["message"],
                                  "field": "accountId", "ids": ["acc-nope"]}]


# --- R1: change selects exactly what was chosen -----------------------------------------------------


async def test_change_on_a_root_creates_a_line_for_the_root_alone(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    payload = await add_inventory(api, order_id, "r1")
    assert payload["errors"] == []
    assert [(ln["action"], ln["inventoryItem"]["id"]) for ln in payload["order"]["lines"]] == [("CHANGE", "r1")]


async def test_change_on_a_child_creates_a_line_for_that_child_alone(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    payload = await add_inventory(api, order_id, "r1-access",
                                  characteristics=None)
    assert set(lines_by_item(payload["order"])) == {"r1-access"}
    assert payload["order"]["lines"][0]["parentLine"] is None


async def test_change_records_characteristics_and_validates_them(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    bad = await add_inventory(api, order_id, "r1-addon", characteristics=[{"name": "speed", "value": "9"}])
    assert codes(bad) == ["INVALID_INPUT"] and bad["errors"][0]["field"] == "characteristics"
    assert "r1-addon" in bad["errors"][0]["ids"]
    assert (await get_order(api, order_id))["lines"] == []
    good = await add_inventory(api, order_id, "r1-addon", characteristics=[{"name": "speed", "value": "500"}])
    line = lines_by_item(good["order"])["r1-addon"]
    assert line["characteristicChanges"] == [{"name": "speed", "oldValue": "100", "newValue": "500"}]


# --- R3: disconnect cascades down, never up -------------------------------------------------------


async def test_disconnecting_a_root_brings_every_descendant(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "DISCONNECT")
    payload = await add_inventory(api, order_id, "r1")
    lines = lines_by_item(payload["order"])
    assert set(lines) == R1_SUBTREE
    assert {ln["action"] for ln in lines.values()} == {"DISCONNECT"}
    ids = {ln["id"]: ln["inventoryItem"]["id"] for ln in payload["order"]["lines"]}
    assert ids[lines["r1-port-1"]["parentLine"]["id"]] == "r1-access"
    assert ids[lines["r1-access"]["parentLine"]["id"]] == "r1"


async def test_disconnecting_a_child_never_reaches_its_ancestors(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "DISCONNECT")
    payload = await add_inventory(api, order_id, "r1-addon")
    assert set(lines_by_item(payload["order"])) == {"r1-addon"}


async def test_disconnecting_a_deep_child_brings_its_subtree_only(clean_graph: Graph, api: Api) -> None:
    specs, root = wide_and_deep("d", levels=11, width=2)
    await load(clean_graph, document(specs, account("acc-1", root)))
    order_id = await new_order(api, "acc-1", "DISCONNECT")
    middle = "d-0.1.0.1.1"  # depth 4: 7 levels below it
    payload = await add_inventory(api, order_id, middle)
    got = set(lines_by_item(payload["order"]))
    assert middle in got and len(got) == 2 ** 8 - 1
    assert all(i.startswith(middle) for i in got)


async def test_a_required_child_cannot_be_disconnected_alone(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "DISCONNECT")
    payload = await add_inventory(api, order_id, "r1-access")
    assert codes(payload) == ["REQUIRED_CHILD"]
    assert set(payload["errors"][0]["ids"]) >= {"r1-access", "r1"}
    assert "parent" in payload["errors"][0]["message"]
    assert (await get_order(api, order_id))["lines"] == []


async def test_selecting_a_child_then_its_root_merges_without_duplicates(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "DISCONNECT")
    first = await add_inventory(api, order_id, "r1-addon")
    addon_line = first["order"]["lines"][0]["id"]
    merged = await add_inventory(api, order_id, "r1", "r1-access")
    lines = lines_by_item(merged["order"])
    assert len(merged["order"]["lines"]) == len(R1_SUBTREE)
    assert lines["r1-addon"]["id"] == addon_line
    assert lines["r1-addon"]["parentLine"]["id"] == lines["r1"]["id"]


# --- R5: suspend and resume follow the parent -----------------------------------------------------


async def test_suspending_a_root_suspends_its_subtree(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "SUSPEND")
    payload = await add_inventory(api, order_id, "r1")
    assert set(lines_by_item(payload["order"])) == R1_SUBTREE
    assert {ln["action"] for ln in payload["order"]["lines"]} == {"SUSPEND"}


async def test_suspend_and_resume_need_the_right_state(base: Graph, api: Api) -> None:
    suspend = await new_order(api, "acc-1", "SUSPEND")
    payload = await add_inventory(api, suspend, "r2")
    assert codes(payload) == ["INVALID_STATE"] and "SUSPENDED" in payload["errors"][0]["message"]
    resume = await new_order(api, "acc-1", "RESUME")
    payload = await add_inventory(api, resume, "r1")
    assert codes(payload) == ["INVALID_STATE"] and "ACTIVE" in payload["errors"][0]["message"]


async def test_a_child_cannot_resume_while_its_parent_stays_suspended(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "RESUME")
    payload = await add_inventory(api, order_id, "r2-addon")
    assert codes(payload) == ["ANCESTOR_SUSPENDED"] and "r2" in payload["errors"][0]["ids"]
    whole = await add_inventory(api, order_id, "r2")
    assert set(lines_by_item(whole["order"])) == {i.replace("r1", "r2") for i in R1_SUBTREE}


async def test_change_needs_an_active_item(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    payload = await add_inventory(api, order_id, "r2-addon")
    assert codes(payload) == ["INVALID_STATE"] and "r2-addon" in payload["errors"][0]["ids"]


# --- R6: one open order per item ------------------------------------------------------------------


async def test_an_item_in_another_open_order_is_refused_naming_that_order(base: Graph, api: Api) -> None:
    first = await new_order(api, "acc-1", "CHANGE")
    assert (await add_inventory(api, first, "r1-port-2"))["errors"] == []
    second = await new_order(api, "acc-1", "DISCONNECT")
    payload = await add_inventory(api, second, "r1-access", "r1")  # the cascade reaches r1-port-2
    assert codes(payload) == ["ALREADY_IN_OPEN_ORDER"]
    assert first in payload["errors"][0]["ids"] and "r1-port-2" in payload["errors"][0]["ids"]
    assert first in payload["errors"][0]["message"]
    assert (await get_order(api, second))["lines"] == []
    data = await api('{ inventoryItem(id: "r1-port-2") { openOrder { id } } r1: inventoryItem(id: "r1") '
                     "{ openOrder { id } } }")
    assert data["inventoryItem"]["openOrder"]["id"] == first
    assert data["r1"]["openOrder"] is None


async def test_two_orders_racing_for_one_item_one_wins(base: Graph, api: Api) -> None:
    orders = [await new_order(api, "acc-1", "CHANGE") for _ in range(4)]
    results = await asyncio.gather(*(add_inventory(api, o, "r1-addon") for o in orders))
    winners = [r for r in results if not r["errors"]]
    losers = [r for r in results if r["errors"]]
    assert len(winners) == 1
    assert all(codes(r) == ["ALREADY_IN_OPEN_ORDER"] for r in losers)
    winner_id = winners[0]["order"]["id"]
    assert all(winner_id in r["errors"][0]["ids"] for r in losers)
    records, _, _ = await base.driver.execute_query(
        "MATCH (l:OrderLine)-[:TARGETS]->(:ProductInventory {id: 'r1-addon'}) RETURN count(l) AS n",
        database_=base.database,
    )
    assert records[0]["n"] == 1


async def test_items_of_another_account_are_not_found(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    payload = await add_inventory(api, order_id, "x1", "nope")
    assert codes(payload) == ["NOT_FOUND"] and set(payload["errors"][0]["ids"]) >= {"x1", "nope"}


# --- R2: products added to a change order join the hierarchy ---------------------------------------


async def test_added_product_gets_a_pending_item_under_the_parent_and_a_no_change_parent_line(
    base: Graph, api: Api
) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    payload = await add_product(api, order_id, "s-addon", parent="r1")
    assert payload["errors"] == []
    lines = payload["order"]["lines"]
    parent_line = next(ln for ln in lines if ln["inventoryItem"]["id"] == "r1")
    add_line = next(ln for ln in lines if ln["action"] == "ADD")
    assert parent_line["action"] == "NO_CHANGE"
    assert add_line["parentLine"]["id"] == parent_line["id"]
    new_item = add_line["inventoryItem"]["id"]
    data = await api("query ($id: ID!) { inventoryItem(id: $id) { state parent { id } openOrder { id } "
                     "specification { id } location { id } } }", id=new_item)
    assert data["inventoryItem"] == {"state": "INSTALLATION_PENDING", "parent": {"id": "r1"},
                                     "openOrder": {"id": order_id}, "specification": {"id": "s-addon"},
                                     "location": {"id": "loc-a"}}


async def test_the_catalog_decides_what_may_be_added(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    not_allowed = await add_product(api, order_id, "s-port", parent="r1")
    assert codes(not_allowed) == ["SPEC_NOT_ALLOWED"] and {"r1", "s-port"} <= set(not_allowed["errors"][0]["ids"])
    assert (await add_product(api, order_id, "s-addon", parent="r1"))["errors"] == []
    too_many = await add_product(api, order_id, "s-addon", parent="r1")  # one existing + one added = max 2
    assert codes(too_many) == ["CARDINALITY_EXCEEDED"]
    assert len([ln for ln in (await get_order(api, order_id))["lines"] if ln["action"] == "ADD"]) == 1


async def test_removing_an_add_line_removes_the_pending_item(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    suspended_parent = await add_product(api, order_id, "s-port", parent="r2-access")
    assert codes(suspended_parent) == ["INVALID_STATE"] and "r2-access" in suspended_parent["errors"][0]["ids"]
    payload = await add_product(api, order_id, "s-port", parent="r1-access")
    add_line = next(ln for ln in payload["order"]["lines"] if ln["action"] == "ADD")
    removed = await remove_line(api, add_line["id"])
    assert removed["errors"] == []
    assert all(ln["action"] != "ADD" for ln in removed["order"]["lines"])
    data = await api("query ($id: ID!) { inventoryItem(id: $id) { id } }", id=add_line["inventoryItem"]["id"])
    assert data["inventoryItem"] is None


# --- R4: move orders ----------------------------------------------------------------------------------


async def test_a_move_takes_the_whole_subtree_to_one_location_and_submits(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "MOVE")
    missing = await add_inventory(api, order_id, "r1")
    assert codes(missing) == ["INVALID_INPUT"] and missing["errors"][0]["field"] == "targetLocationId"
    foreign = await add_inventory(api, order_id, "r1", target="loc-x")
    assert codes(foreign) == ["NOT_FOUND"] and foreign["errors"][0]["field"] == "targetLocationId"
    payload = await add_inventory(api, order_id, "r1", target="loc-b")
    lines = lines_by_item(payload["order"])
    assert set(lines) == R1_SUBTREE
    assert all(ln["moveOperation"] and ln["action"] == "CHANGE" and ln["targetLocation"]["id"] == "loc-b"
               for ln in lines.values())
    submitted = await submit(api, order_id)
    assert submitted["errors"] == [] and submitted["order"]["state"] == "SUBMITTED"


async def test_move_validation_reports_each_failed_rule_with_the_offenders(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "MOVE")
    lines = lines_by_item((await add_inventory(api, order_id, "r1", target="loc-b"))["order"])
    assert (await update_line(api, lines["r1-addon"]["id"], moveOperation=False))["errors"] == []
    assert (await update_line(api, lines["r1-router"]["id"], targetLocationId="loc-c"))["errors"] == []
    assert (await remove_line(api, lines["r1-port-2"]["id"]))["errors"] == []
    payload = await submit(api, order_id)
    by_code = {e["code"]: e for e in payload["errors"]}
    assert set(by_code) == {"MOVE_FLAG_MISSING", "MOVE_LOCATION_MISMATCH", "MOVE_INCOMPLETE"}
    assert lines["r1-addon"]["id"] in by_code["MOVE_FLAG_MISSING"]["ids"]
    assert lines["r1-router"]["id"] in by_code["MOVE_LOCATION_MISMATCH"]["ids"]
    assert by_code["MOVE_INCOMPLETE"]["ids"] == ["r1-port-2"]
    assert (await get_order(api, order_id))["state"] == "DRAFT"


async def test_each_move_rule_alone(base: Graph, api: Api) -> None:
    for breaker, code in (("flag", "MOVE_FLAG_MISSING"), ("location", "MOVE_LOCATION_MISMATCH"),
                          ("missing", "MOVE_INCOMPLETE")):
        await base.driver.execute_query("MATCH (p:ProductInventory) REMOVE p.openOrderId", database_=base.database)
        order_id = await new_order(api, "acc-1", "MOVE")
        lines = lines_by_item((await add_inventory(api, order_id, "r1", target="loc-b"))["order"])
        if breaker == "flag":
            await update_line(api, lines["r1-port-1"]["id"], moveOperation=False)
        elif breaker == "location":
            await update_line(api, lines["r1-port-1"]["id"], targetLocationId="loc-c")
        else:
            await remove_line(api, lines["r1-port-1"]["id"])
        assert codes(await submit(api, order_id)) == [code], breaker
        await base.driver.execute_query("MATCH (o:CustomerOrder {id: $id}) SET o.state = 'CANCELLED'",
                                        id=order_id, database_=base.database)


# --- editing, submitting, previewing ----------------------------------------------------------------


async def test_a_submitted_order_is_no_longer_editable(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    lines = lines_by_item((await add_inventory(api, order_id, "r1-addon"))["order"])
    assert (await submit(api, order_id))["order"]["state"] == "SUBMITTED"
    assert codes(await add_inventory(api, order_id, "r1")) == ["ORDER_NOT_EDITABLE"]
    assert codes(await update_line(api, lines["r1-addon"]["id"], action="DISCONNECT")) == ["ORDER_NOT_EDITABLE"]
    assert codes(await remove_line(api, lines["r1-addon"]["id"])) == ["ORDER_NOT_EDITABLE"]
    assert codes(await submit(api, order_id)) == ["ORDER_NOT_EDITABLE"]


async def test_an_empty_order_cannot_be_submitted(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    payload = await submit(api, order_id)
    assert codes(payload) == ["INVALID_INPUT"] and payload["order"] is None


async def test_unknown_order_and_line_are_not_found(base: Graph, api: Api) -> None:
    assert (await add_inventory(api, "ord-nope", "r1"))["errors"][0] == {
        "code": "NOT_FOUND", "message": "No order with id ord-nope", "field": "orderId", "ids": ["ord-nope"]}
    assert (await remove_line(api, "line-nope"))["errors"][0]["field"] == "lineId"


async def test_updating_a_line_changes_its_action(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "CHANGE")
    lines = lines_by_item((await add_inventory(api, order_id, "r1-addon"))["order"])
    payload = await update_line(api, lines["r1-addon"]["id"], action="DISCONNECT")
    assert lines_by_item(payload["order"])["r1-addon"]["action"] == "DISCONNECT"


async def test_preview_shows_the_lines_and_writes_nothing(base: Graph, api: Api) -> None:
    before = await count_nodes(api, base)
    data = await api('{ previewOrder(accountId: "acc-1", action: DISCONNECT, inventoryIds: ["r1"]) '
                     "{ action parentInventoryId inventoryItem { id } } }")
    assert {p["inventoryItem"]["id"] for p in data["previewOrder"]} == R1_SUBTREE
    assert {p["parentInventoryId"] for p in data["previewOrder"] if p["inventoryItem"]["id"] == "r1-port-1"} == {
        "r1-access"}
    refused = await api('{ orderPreview(accountId: "acc-1", action: DISCONNECT, inventoryIds: ["r1-access"]) '
                        "{ lines { action } errors { code ids } } }")
    assert refused["orderPreview"]["errors"][0]["code"] == "REQUIRED_CHILD"
    assert await count_nodes(api, base) == before


async def test_a_refused_selection_leaves_no_trace(base: Graph, api: Api) -> None:
    order_id = await new_order(api, "acc-1", "DISCONNECT")
    before = await count_nodes(api, base)
    payload = await add_inventory(api, order_id, "r1-addon", "r2-access")  # r2-access: required child
    assert payload["errors"]
    assert await count_nodes(api, base) == before
    records, _, _ = await base.driver.execute_query(
        "MATCH (p:ProductInventory) WHERE p.openOrderId IS NOT NULL RETURN count(p) AS n", database_=base.database)
    assert records[0]["n"] == 0


# --- the worked example and scale --------------------------------------------------------------------


async def test_the_4g_to_5g_order_is_captured_and_submitted(clean_graph: Graph, api: Api) -> None:
    from graph.importer import import_installed_base
    from installed_base.demo import load_demo

    await import_installed_base(clean_graph.driver, clean_graph.database, load_demo())
    order_id = await new_order(api, "acc-northwind", "CHANGE")
    disconnected = await add_inventory(api, order_id, "pi-northwind-4g-connectivity", "pi-northwind-4g-router",
                                       line_action="DISCONNECT")
    assert disconnected["errors"] == []
    for spec_id in ("spec-5g-connectivity", "spec-5g-router"):
        assert (await add_product(api, order_id, spec_id, parent="pi-northwind-mbb"))["errors"] == []
    order = (await submit(api, order_id))["order"]
    assert order["state"] == "SUBMITTED"
    top = [ln for ln in order["lines"] if ln["parentLine"] is None]
    assert [(ln["action"], ln["inventoryItem"]["id"]) for ln in top] == [("NO_CHANGE", "pi-northwind-mbb")]
    under = sorted((ln["action"], ln["specification"]["id"]) for ln in order["lines"]
                   if ln["parentLine"] and ln["parentLine"]["id"] == top[0]["id"])
    assert under == [("ADD", "spec-5g-connectivity"), ("ADD", "spec-5g-router"),
                     ("DISCONNECT", "spec-4g-connectivity"), ("DISCONNECT", "spec-4g-router")]
    tree = await api('{ inventoryTree(rootId: "pi-northwind-mbb") { nodes { state specification { id } } } }')
    pending = {n["specification"]["id"] for n in tree["inventoryTree"]["nodes"] if n["state"] == "INSTALLATION_PENDING"}
    assert pending == {"spec-5g-connectivity", "spec-5g-router"}


async def test_capture_round_trips_do_not_grow_with_the_tree(
    clean_graph: Graph, api: Api, live_server: LiveServer
) -> None:
    small_specs, small = wide_and_deep("s", levels=2, width=3)
    big_specs, big = wide_and_deep("b", levels=3, width=12)
    await load(clean_graph, document(small_specs + big_specs, account("acc-1", small, big)))
    costs = []
    for root, size in (("s-0", 13), ("b-0", 1 + 12 + 144 + 1728)):
        order_id = await new_order(api, "acc-1", "DISCONNECT")
        before = live_server.round_trips
        payload = await add_inventory(api, order_id, root)
        costs.append(live_server.round_trips - before)
        assert len(payload["order"]["lines"]) == size
    assert costs[0] == costs[1], costs
