"""Changes that start from the account (R10): suspend and resume an entitlement, cancel a contract."""

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
    add_product,
    approve,
    close_all_tasks,
    codes,
    create_order,
    items,
    load_demo_data,
    ok,
    submit,
)
from tests.builders import account, document, item, load, spec
from tests.conftest import Api

VOICE = ("pi-northwind-voice", "pi-northwind-voice-line-1", "pi-northwind-voice-line-2", "pi-northwind-voice-line-3")


async def from_account(api: Api, mutation: str, argument: str, value: str) -> dict[str, Any]:
    data = await api(f"mutation ($v: ID!) {{ {mutation}({argument}: $v) {{ {PAYLOAD} }} }}", v=value)
    return data[mutation]  # type: ignore[no-any-return]


async def fulfil(api: Api, order_id: str) -> dict[str, Any]:
    ok(await submit(api, order_id))
    ok(await approve(api, order_id))
    return await close_all_tasks(api, order_id)


async def test_suspend_then_resume_an_entitlement(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)

    draft = ok(await from_account(api, "suspendEntitlement", "entitlementId", "ent-northwind-mbb"))

    assert (draft["action"], draft["state"]) == ("SUSPEND", "DRAFT")
    assert {ln["inventoryItem"]["id"]: ln["action"] for ln in draft["lines"]} == {
        MBB: "SUSPEND", CONN_4G: "SUSPEND", ROUTER_4G: "SUSPEND"
    }
    done = await fulfil(api, draft["id"])
    assert done["state"] == "COMPLETED"
    assert done["workOrders"] == [] and done["returns"] == []  # a suspension ships nothing
    found = await items(api, MBB, CONN_4G, ROUTER_4G)
    assert {i["state"] for i in found.values()} == {"SUSPENDED"}
    assert {i["entitlement"]["state"] for i in found.values()} == {"SUSPENDED"}
    assert [s["state"] for s in found[CONN_4G]["services"]] == ["INACTIVE"]

    again = await from_account(api, "suspendEntitlement", "entitlementId", "ent-northwind-mbb")
    assert codes(again) == ["INVALID_STATE"] and again["errors"][0]["ids"] == ["ent-northwind-mbb"]

    resumed = ok(await from_account(api, "resumeEntitlement", "entitlementId", "ent-northwind-mbb"))
    assert resumed["action"] == "RESUME" and len(resumed["lines"]) == 3
    assert (await fulfil(api, resumed["id"]))["state"] == "COMPLETED"
    found = await items(api, MBB, CONN_4G, ROUTER_4G)
    assert {i["state"] for i in found.values()} == {"ACTIVE"}
    assert {i["entitlement"]["state"] for i in found.values()} == {"ACTIVE"}
    assert [s["state"] for s in found[CONN_4G]["services"]] == ["ACTIVE"]


async def test_entitlement_refusals(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    assert codes(await from_account(api, "resumeEntitlement", "entitlementId", "ent-northwind-mbb")) == [
        "INVALID_STATE"
    ]
    assert codes(await from_account(api, "suspendEntitlement", "entitlementId", "ent-nope")) == ["NOT_FOUND"]

    busy = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, busy, [CONN_4G], lineAction="DISCONNECT"))
    held = await from_account(api, "suspendEntitlement", "entitlementId", "ent-northwind-mbb")
    assert codes(held) == ["ALREADY_IN_OPEN_ORDER"] and busy in held["errors"][0]["ids"]
    orders = await api('{ account(id: "acc-northwind") { orders { id } } }')
    assert [o["id"] for o in orders["account"]["orders"]] == [busy]  # the refused order left no trace


async def test_cancel_a_contract_disconnects_what_it_covers(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)

    draft = ok(await from_account(api, "cancelContract", "contractId", "ctr-northwind-2024"))

    assert (draft["action"], draft["state"]) == ("DISCONNECT", "DRAFT")
    targets = {ln["inventoryItem"]["id"] for ln in draft["lines"]}
    assert targets == {MBB, CONN_4G, ROUTER_4G, *VOICE}
    assert {ln["action"] for ln in draft["lines"]} == {"DISCONNECT"}
    contract = '{ account(id: "acc-northwind") { contracts { id state endDate entitlements { state } } } }'
    assert (await api(contract))["account"]["contracts"][0]["state"] == "ACTIVE"

    done = await fulfil(api, draft["id"])

    assert done["state"] == "COMPLETED"
    assert [(r["device"]["id"], r["state"]) for r in done["returns"]] == [(ROUTER_4G, "AUTHORIZED")]
    found = await items(api, *targets)
    assert {i["state"] for i in found.values()} == {"INACTIVE"}
    (after,) = (await api(contract))["account"]["contracts"]
    assert after["state"] == "CANCELLED" and after["endDate"] is not None
    assert {e["state"] for e in after["entitlements"]} == {"CANCELLED"}

    again = await from_account(api, "cancelContract", "contractId", "ctr-northwind-2024")
    assert codes(again) == ["INVALID_STATE"]
    assert codes(await from_account(api, "cancelContract", "contractId", "ctr-nope")) == ["NOT_FOUND"]


async def test_a_contract_with_nothing_left_to_disconnect_is_cancelled_at_once(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)

    answer = await from_account(api, "cancelContract", "contractId", "ctr-adatum-2021")

    assert answer == {"order": None, "errors": []}
    data = await api('{ account(id: "acc-adatum") { contracts { id state } orders { id } } }')
    assert {c["id"]: c["state"] for c in data["account"]["contracts"]} == {
        "ctr-adatum-2021": "CANCELLED", "ctr-adatum-2024": "ACTIVE"
    }
    assert data["account"]["orders"] == []


async def test_an_added_product_without_an_active_contract_gets_no_entitlement_and_a_note(
    clean_graph: Graph, api: Api
) -> None:
    specs = [spec("s-bundle", bundles=[("s-addon", 0, 2)]), spec("s-addon", realized_as=["svc-addon"])]
    await load(
        clean_graph,
        document(specs, account("acc-plain", item("bundle-1", "s-bundle")),
                 service_specs=[{"id": "svc-addon", "name": "Add-on service"}]),
    )
    order_id = await create_order(api, "acc-plain", "CHANGE")
    lines = ok(await add_product(api, order_id, "bundle-1", "s-addon"))["lines"]
    (added,) = [ln["inventoryItem"]["id"] for ln in lines if ln["action"] == "ADD"]

    done = await fulfil(api, order_id)

    assert done["state"] == "COMPLETED"
    assert len(done["notes"]) == 1 and added in done["notes"][0] and "no active contract" in done["notes"][0]
    found = (await items(api, added))[added]
    assert found["state"] == "ACTIVE" and found["entitlement"] is None
    assert [(s["state"], s["specification"]["id"]) for s in found["services"]] == [("ACTIVE", "svc-addon")]
