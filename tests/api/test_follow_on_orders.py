"""Follow-on orders (R15) over GraphQL: captured against the future, queued, submitted on completion,
sent back to DRAFT when the order they follow is cancelled."""

from __future__ import annotations

from typing import Any

from graph.driver import Graph
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    NORTHWIND,
    PAYLOAD,
    ROUTER_4G,
    add_inventory,
    approve,
    cancel,
    close_all_tasks,
    codes,
    create_order,
    four_g_to_five_g,
    items,
    load_demo_data,
    ok,
    order,
    submit,
)
from tests.conftest import Api

FOLLOW_ON = """
  followsOrder { id state }
  followOnOrders { id state }
"""


async def create_follow_on(api: Api, first_id: str, action: str = "CHANGE") -> dict[str, Any]:
    data = await api(
        f"mutation ($a: ID!, $act: OrderAction!, $f: ID) {{ createOrder(input: "
        f"{{accountId: $a, action: $act, followsOrderId: $f}}) {{ {PAYLOAD} }} }}",
        a=NORTHWIND,
        act=action,
        f=first_id,
    )
    return data["createOrder"]  # type: ignore[no-any-return]


async def follow_on_view(api: Api, order_id: str) -> dict[str, Any]:
    data = await api(f"query ($id: ID!) {{ order(id: $id) {{ id state notes {FOLLOW_ON} }} }}", id=order_id)
    return data["order"]  # type: ignore[no-any-return]


async def running_allowance_change(api: Api, value: str = "Unlimited") -> str:
    """An approved CHANGE order raising the 4G data allowance (100 GB today)."""
    first = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, first, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": value}]))
    ok(await submit(api, first))
    ok(await approve(api, first))
    return first


async def test_only_a_follow_on_may_target_an_item_of_an_open_order(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    first = await running_allowance_change(api)

    plain = await create_order(api, NORTHWIND, "CHANGE")
    refused = await add_inventory(api, plain, [CONN_4G], characteristics=[{"name": "maxDownlink", "value": "150 Mbps"}])
    assert "ALREADY_IN_OPEN_ORDER" in codes(refused)
    assert any(first in e["ids"] for e in refused["errors"] if e["code"] == "ALREADY_IN_OPEN_ORDER")

    follow_on = ok(await create_follow_on(api, first))["id"]
    captured = ok(
        await add_inventory(api, follow_on, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "20 GB"}])
    )
    (line,) = captured["lines"]
    assert line["action"] == "CHANGE"
    # Captured against the item as the first order leaves it: Unlimited, not today's 100 GB.
    data = await api(
        "query ($id: ID!) { order(id: $id) { lines { characteristicChanges { name oldValue newValue } } } }",
        id=follow_on,
    )
    assert data["order"]["lines"][0]["characteristicChanges"] == [
        {"name": "dataAllowance", "oldValue": "Unlimited", "newValue": "20 GB"}
    ]
    # The item stays the first order's until it completes.
    assert (await items(api, CONN_4G))[CONN_4G]["openOrder"]["id"] == first

    # A second follow-on cannot take the same item: one follow-on per item.
    second = ok(await create_follow_on(api, first))["id"]
    clash = await add_inventory(api, second, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "50 GB"}])
    assert codes(clash) == ["ALREADY_IN_OPEN_ORDER"]
    assert follow_on in clash["errors"][0]["ids"]


async def test_a_queued_follow_on_is_submitted_when_the_first_order_completes(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    first = await running_allowance_change(api)
    follow_on = ok(await create_follow_on(api, first))["id"]
    ok(await add_inventory(api, follow_on, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "20 GB"}]))

    queued = ok(await submit(api, follow_on))
    assert queued["state"] == "QUEUED"
    assert codes(await approve(api, follow_on)) == ["NOT_APPROVABLE"]
    shown = await follow_on_view(api, first)
    assert shown["followOnOrders"] == [{"id": follow_on, "state": "QUEUED"}]

    done = await close_all_tasks(api, first)
    assert done["state"] == "COMPLETED"

    after = await follow_on_view(api, follow_on)
    assert after["state"] == "SUBMITTED"
    assert after["followsOrder"] == {"id": first, "state": "COMPLETED"}
    found = (await items(api, CONN_4G))[CONN_4G]
    assert found["openOrder"]["id"] == follow_on
    assert {"name": "dataAllowance", "value": "Unlimited"} in found["characteristics"]

    ok(await approve(api, follow_on))
    assert (await close_all_tasks(api, follow_on))["state"] == "COMPLETED"
    final = (await items(api, CONN_4G))[CONN_4G]
    assert {"name": "dataAllowance", "value": "20 GB"} in final["characteristics"]
    assert final["openOrder"] is None


async def test_a_follow_on_returns_to_draft_when_the_first_order_is_cancelled(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    first, added = await four_g_to_five_g(api)
    ok(await approve(api, first))
    router_5g = added["spec-5g-router"]

    follow_on = ok(await create_follow_on(api, first))["id"]
    # In the future the 4G router is gone and the 5G router is ACTIVE: the capture rules see that.
    gone = await add_inventory(api, follow_on, [ROUTER_4G], lineAction="DISCONNECT")
    assert codes(gone) == ["INVALID_STATE"]
    ok(await add_inventory(api, follow_on, [router_5g], characteristics=[{"name": "model", "value": "NR-500"}]))
    assert ok(await submit(api, follow_on))["state"] == "QUEUED"

    ok(await cancel(api, first, "customer changed their mind"))

    after = await follow_on_view(api, follow_on)
    assert after["state"] == "DRAFT"
    assert after["notes"], "the notes say what changed"
    assert any(first in note and "cancelled" in note and router_5g in note for note in after["notes"])
    history = (await order(api, follow_on))["history"]
    assert [h["toState"] for h in history] == ["QUEUED", "DRAFT"]
    # The first order's items are free again; the follow-on's own claim stays with its line.
    found = await items(api, router_5g, CONN_4G, MBB)
    assert found[router_5g]["state"] == "INACTIVE"
    assert found[router_5g]["openOrder"]["id"] == follow_on
    assert found[CONN_4G]["openOrder"] is None


async def test_a_follow_on_whose_values_no_longer_hold_returns_to_draft(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    first = await running_allowance_change(api)
    follow_on = ok(await create_follow_on(api, first))["id"]
    ok(await add_inventory(api, follow_on, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "20 GB"}]))
    ok(await submit(api, follow_on))

    ok(await cancel(api, first))

    after = await follow_on_view(api, follow_on)
    assert after["state"] == "DRAFT"
    assert any("dataAllowance" in n and "100 GB" in n and "Unlimited" in n for n in after["notes"])
    assert (await items(api, CONN_4G))[CONN_4G]["openOrder"]["id"] == follow_on


async def test_following_needs_an_open_order_of_the_same_account(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    draft = await create_order(api, NORTHWIND, "CHANGE")
    assert codes(await create_follow_on(api, draft)) == ["INVALID_STATE"]
    assert codes(await create_follow_on(api, "ord-nope")) == ["NOT_FOUND"]
    first = await running_allowance_change(api)
    follow_on = ok(await create_follow_on(api, first))["id"]
    assert codes(await create_follow_on(api, follow_on)) == ["INVALID_STATE"]
    ok(await cancel(api, follow_on))


async def test_a_revision_of_the_first_order_sends_a_follow_on_that_no_longer_applies_to_draft(
    clean_graph: Graph, api: Api
) -> None:
    from tests.api.revision_steps import line_for, mutate, revise

    await load_demo_data(clean_graph)
    first = await running_allowance_change(api)
    follow_on = ok(await create_follow_on(api, first))["id"]
    ok(await add_inventory(api, follow_on, [CONN_4G], characteristics=[{"name": "dataAllowance", "value": "20 GB"}]))
    ok(await submit(api, follow_on))

    pending = ok(await revise(api, first, "50 GB is enough"))["pendingRevision"]
    ok(await mutate(api, "updateOrderLine", **{"in": {
        "lineId": line_for(pending, CONN_4G)["id"], "characteristics": [{"name": "dataAllowance", "value": "50 GB"}]}}))
    ok(await mutate(api, "submitOrder", o=first))
    assert (await follow_on_view(api, follow_on))["state"] == "QUEUED"  # only approval changes the outcome
    ok(await mutate(api, "approveOrder", o=first))

    after = await follow_on_view(api, follow_on)
    assert after["state"] == "DRAFT"
    assert any("was revised (version 2)" in n and "'50 GB', not 'Unlimited'" in n for n in after["notes"])
