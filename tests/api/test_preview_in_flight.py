"""orderPreview and previewOrder for orders in flight: a follow-on's selection previewed against the
items as they will be when the order it follows completes (R15), and a selection previewed into an
order under revision against its revised tree (R14), exactly as capture then plans them."""

from __future__ import annotations

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
    codes,
    create_order,
    load_demo_data,
    ok,
    submit,
)
from tests.api.revision_steps import line_for, mutate, revise
from tests.api.test_follow_on_orders import create_follow_on
from tests.conftest import Api

VOICE_LINE_2 = "pi-northwind-voice-line-2"
PREVIEW = "lines { action inventoryItem { id } parentInventoryId } errors { code field ids }"


async def preview(api: Api, action: str, ids: list[str], **extra: str) -> dict[str, Any]:
    data = await api(
        "query ($a: ID!, $act: OrderAction!, $ids: [ID!]!, $f: ID, $o: ID) { orderPreview(accountId: $a, "
        f"action: $act, inventoryIds: $ids, followsOrderId: $f, orderId: $o) {{ {PREVIEW} }} }}",
        a=NORTHWIND, act=action, ids=ids, f=extra.get("follows"), o=extra.get("order"),
    )
    return data["orderPreview"]  # type: ignore[no-any-return]


def planned(lines: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(ln["action"], ln["inventoryItem"]["id"]) for ln in lines}


async def test_a_follow_on_is_previewed_against_the_items_as_they_will_be(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    first = await create_order(api, NORTHWIND, "CHANGE")
    lines = ok(await add_product(api, first, MBB, "spec-5g-connectivity"))["lines"]
    five_g = next(ln["inventoryItem"]["id"] for ln in lines if ln["action"] == "ADD")
    ok(await submit(api, first))
    ok(await approve(api, first))

    # Today the bundle is the running order's; behind it, it can be disconnected with the 5G product.
    assert "ALREADY_IN_OPEN_ORDER" in codes(await preview(api, "DISCONNECT", [MBB]))
    ahead = await preview(api, "DISCONNECT", [MBB], follows=first)
    assert ahead["errors"] == []
    expected = {("DISCONNECT", i) for i in (MBB, CONN_4G, ROUTER_4G, five_g)}
    assert planned(ahead["lines"]) == expected
    listed = await api(
        "query ($f: ID) { previewOrder(accountId: \"acc-northwind\", action: DISCONNECT, "
        "inventoryIds: [\"pi-northwind-mbb\"], followsOrderId: $f) { action inventoryItem { id } } }",
        f=first,
    )
    assert planned(listed["previewOrder"]) == expected

    # Capture plans the same lines.
    follow_on = ok(await create_follow_on(api, first, "DISCONNECT"))["id"]
    captured = ok(await add_inventory(api, follow_on, [MBB]))
    assert {(ln["action"], ln["inventoryItem"]["id"]) for ln in captured["lines"]} == expected
    refused = await preview(api, "DISCONNECT", [MBB], follows="ord-nope")
    assert codes(refused) == ["NOT_FOUND"] and refused["errors"][0]["field"] == "followsOrderId"


async def test_a_selection_is_previewed_into_the_revised_tree_of_an_order(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, order_id, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "Unlimited"}]))
    ok(await submit(api, order_id))
    ok(await approve(api, order_id))
    pending = ok(await revise(api, order_id, "start the allowance over"))["pendingRevision"]
    ok(await mutate(api, "removeOrderLine", l=line_for(pending, CONN_4G)["id"]))

    # The revision no longer changes the 4G connectivity: selecting it again would give it a line,
    # seen ACTIVE as before the order ran; outside the order it is still claimed.
    into = await preview(api, "CHANGE", [CONN_4G, VOICE_LINE_2], order=order_id)
    assert into["errors"] == []
    assert planned(into["lines"]) == {("CHANGE", CONN_4G), ("CHANGE", VOICE_LINE_2)}
    assert set(codes(await preview(api, "CHANGE", [CONN_4G]))) == {"ALREADY_IN_OPEN_ORDER", "INVALID_STATE"}
    # A line the revision already has is not shown again.
    ok(await mutate(api, "addInventoryToOrder", **{"in": {"orderId": order_id, "inventoryIds": [VOICE_LINE_2]}}))
    assert planned((await preview(api, "CHANGE", [CONN_4G, VOICE_LINE_2], order=order_id))["lines"]) == {
        ("CHANGE", CONN_4G)
    }
    wrong = await preview(api, "DISCONNECT", [CONN_4G], order=order_id)
    assert codes(wrong) == ["INVALID_INPUT"] and wrong["errors"][0]["field"] == "action"
    assert codes(await preview(api, "CHANGE", [CONN_4G], order="ord-nope")) == ["NOT_FOUND"]
