"""R13 over GraphQL: work orders are scheduled, started, completed or failed on their own; the task that
needs the visit waits for it; receiving a returned device completes its collection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from graph.driver import Graph
from tests.api.fulfillment_steps import hold, resume, task
from tests.api.lifecycle_steps import (
    WORK_ORDER,
    approve,
    close_task,
    close_through,
    codes,
    four_g_to_five_g,
    load_demo_data,
    ok,
    order,
    work_order_mutation,
)
from tests.conftest import Api

HQ = "loc-northwind-hq"


def _today() -> date:
    return datetime.now(UTC).date()


def _work_order(current: dict[str, object], kind: str) -> dict[str, object]:
    return next(w for w in current["workOrders"] if w["kind"] == kind)  # type: ignore[attr-defined, index]


async def _technicians_day(api: Api, day: date | None) -> list[dict[str, object]]:
    data = await api(
        "query ($l: ID!, $d: Date) { openWorkOrders(locationId: $l, date: $d) { id kind state window "
        "scheduledDate order { id } } }",
        l=HQ,
        d=day.isoformat() if day else None,
    )
    return data["openWorkOrders"]  # type: ignore[no-any-return]


async def test_the_shipment_task_waits_for_its_visit_which_is_booked_started_and_completed(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    shipping = _work_order(approved, "SHIP_DEVICE")
    await close_through(api, order_id, "RESOURCE", "Reserve device")

    ship = await task(api, order_id, "RESOURCE", "Ship device")
    assert ship["ready"] is False and ship["blockedBy"] == []
    waiting = await api(
        "query ($o: ID!) { order(id: $o) { domainOrders { tasks { name waitsForWorkOrder "
        "blockedByWorkOrders { id } } } } }",
        o=order_id,
    )
    shown = next(t for d in waiting["order"]["domainOrders"] for t in d["tasks"] if t["name"] == "Ship device")
    assert shown["waitsForWorkOrder"] == "SHIP_DEVICE" and shown["blockedByWorkOrders"] == [{"id": shipping["id"]}]
    refused = await close_task(api, str(ship["id"]))
    assert codes(refused) == ["TASK_NOT_READY"] and refused["errors"][0]["ids"] == [shipping["id"]]

    day = _today() + timedelta(days=1)
    booked = await work_order_mutation(api, "scheduleWorkOrder", str(shipping["id"]), date=day.isoformat(),
                                       window=" 08:00-12:00 ")
    assert booked["errors"] == []
    assert (booked["workOrder"]["state"], booked["workOrder"]["scheduledDate"], booked["workOrder"]["window"]) == (
        "SCHEDULED", day.isoformat(), "08:00-12:00"
    )
    listed = await _technicians_day(api, day)
    assert [(w["id"], w["order"]["id"]) for w in listed] == [(shipping["id"], order_id)]  # type: ignore[index]
    assert await _technicians_day(api, day + timedelta(days=1)) == []
    everything = await _technicians_day(api, None)
    assert {w["kind"] for w in everything} == {"SHIP_DEVICE", "COLLECT_DEVICE"}

    started = await work_order_mutation(api, "startWorkOrder", str(shipping["id"]))
    assert started["workOrder"]["state"] == "IN_PROGRESS"
    assert (await task(api, order_id, "RESOURCE", "Ship device"))["ready"] is False
    done = await work_order_mutation(api, "completeWorkOrder", str(shipping["id"]))
    assert done["workOrder"]["state"] == "CLOSED_COMPLETE"

    assert (await task(api, order_id, "RESOURCE", "Ship device"))["ready"] is True
    assert await _technicians_day(api, day) == []


async def test_a_failed_visit_puts_the_order_in_fallout_until_it_is_booked_again(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    shipping = str(_work_order(ok(await approve(api, order_id)), "SHIP_DEVICE")["id"])
    today = _today().isoformat()
    ok_booking = await work_order_mutation(api, "scheduleWorkOrder", shipping, date=today, window="13:00-17:00")
    assert ok_booking["errors"] == []

    failed = await work_order_mutation(api, "failWorkOrder", shipping, reason=" Nobody home ")

    assert (failed["workOrder"]["state"], failed["workOrder"]["failureReason"]) == ("FAILED", "Nobody home")
    assert (await order(api, order_id))["fallout"] is True
    again = await work_order_mutation(api, "scheduleWorkOrder", shipping, date=today, window="08:00-10:00")
    assert (again["workOrder"]["state"], again["workOrder"]["attempt"]) == ("SCHEDULED", 2)
    assert (await order(api, order_id))["fallout"] is False


async def test_work_order_refusals_name_the_field_or_the_work_order(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    shipping = str(_work_order(ok(await approve(api, order_id)), "SHIP_DEVICE")["id"])
    today = _today()

    for window in ("morning", "12:00-08:00", "25:00-26:00"):
        bad = await work_order_mutation(api, "scheduleWorkOrder", shipping, date=today.isoformat(), window=window)
        assert codes(bad) == ["INVALID_INPUT"] and bad["errors"][0]["field"] == "window"
    past = await work_order_mutation(
        api, "scheduleWorkOrder", shipping, date=(today - timedelta(days=1)).isoformat(), window="08:00-12:00"
    )
    assert codes(past) == ["INVALID_INPUT"] and past["errors"][0]["field"] == "date"
    for name in ("startWorkOrder", "completeWorkOrder"):
        refused = await work_order_mutation(api, name, shipping)
        assert codes(refused) == ["INVALID_STATE"] and refused["errors"][0]["ids"] == [shipping]
    assert codes(await work_order_mutation(api, "failWorkOrder", shipping, reason="x")) == ["INVALID_STATE"]
    unknown = await work_order_mutation(api, "startWorkOrder", "wo-nope")
    assert codes(unknown) == ["NOT_FOUND"] and unknown["errors"][0]["ids"] == ["wo-nope"]

    booked = await work_order_mutation(api, "scheduleWorkOrder", shipping, date=today.isoformat(), window="08:00-12:00")
    assert booked["errors"] == []
    assert codes(await work_order_mutation(api, "failWorkOrder", shipping, reason="  ")) == ["INVALID_INPUT"]
    ok(await hold(api, order_id))
    held = await work_order_mutation(api, "startWorkOrder", shipping)
    assert codes(held) == ["ORDER_ON_HOLD"] and held["errors"][0]["ids"] == [order_id]
    ok(await resume(api, order_id))
    assert (await work_order_mutation(api, "startWorkOrder", shipping))["errors"] == []


async def test_receiving_the_returned_device_completes_its_collection(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    collection = _work_order(approved, "COLLECT_DEVICE")
    (rma,) = approved["returns"]
    linked = await api(
        "query ($o: ID!) { order(id: $o) { workOrders { id kind returnAuthorization { id } } } }", o=order_id
    )
    links = {w["kind"]: w["returnAuthorization"] for w in linked["order"]["workOrders"]}
    assert links == {"COLLECT_DEVICE": {"id": rma["id"]}, "SHIP_DEVICE": None}

    received = await api(
        "mutation ($r: ID!) { receiveReturn(returnId: $r) { returnAuthorization { state } errors { code } } }",
        r=rma["id"],
    )
    assert received["receiveReturn"]["returnAuthorization"]["state"] == "RECEIVED"

    after = await order(api, order_id)
    assert _work_order(after, "COLLECT_DEVICE")["state"] == "CLOSED_COMPLETE"
    assert collection["state"] == "OPEN"
    collect = await api(
        "query ($o: ID!) { order(id: $o) { domainOrders { tasks { name blockedByWorkOrders { id } } } } }",
        o=order_id,
    )
    (collect_task,) = [t for d in collect["order"]["domainOrders"] for t in d["tasks"] if t["name"] == "Collect device"]
    assert collect_task["blockedByWorkOrders"] == []


async def test_work_orders_and_a_technicians_day_answer_to_their_short_argument_names(
    clean_graph: Graph, api: Api
) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    shipping = str(_work_order(ok(await approve(api, order_id)), "SHIP_DEVICE")["id"])
    day = (_today() + timedelta(days=1)).isoformat()

    booked = await api(
        f"mutation ($w: ID!, $d: Date!) {{ scheduleWorkOrder(id: $w, date: $d, window: \"08:00-12:00\") "
        f"{{ {WORK_ORDER} }} }}", w=shipping, d=day,
    )
    assert booked["scheduleWorkOrder"]["errors"] == []
    assert booked["scheduleWorkOrder"]["workOrder"]["state"] == "SCHEDULED"
    by_location = await api("query ($l: ID!, $d: Date) { openWorkOrders(location: $l, date: $d) { id } }", l=HQ, d=day)
    assert by_location["openWorkOrders"] == [{"id": shipping}]
    started = await api(f'mutation ($w: ID!) {{ startWorkOrder(id: $w, workOrderId: $w) {{ {WORK_ORDER} }} }}',
                        w=shipping)
    assert started["startWorkOrder"]["workOrder"]["state"] == "IN_PROGRESS"

    for arguments in ("", '(id: "wo-a", workOrderId: "wo-b")'):
        refused = await api.raw(f"mutation {{ completeWorkOrder{arguments} {{ {WORK_ORDER} }} }}")
        errors = refused["data"]["completeWorkOrder"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", "workOrderId")]
        assert errors[0]["ids"] == sorted({"wo-a", "wo-b"} if arguments else set())
    assert (await work_order_mutation(api, "completeWorkOrder", shipping))["workOrder"]["state"] == "CLOSED_COMPLETE"
    neither = await api.raw("{ openWorkOrders { id } }")
    assert "locationId" in neither["errors"][0]["message"] and neither["data"] is None
