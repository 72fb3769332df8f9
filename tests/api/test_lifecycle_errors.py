"""Every refusal of the lifecycle is a typed error with a code, the field and the ids involved,
and leaves the graph as it was."""

from __future__ import annotations

from graph.driver import Graph
from tests.api.lifecycle_steps import (
    NORTHWIND,
    ROUTER_4G,
    add_inventory,
    approve,
    close_task,
    codes,
    create_order,
    four_g_to_five_g,
    load_demo_data,
    ok,
    snapshot,
    start_task,
    task_named,
    write,
)
from tests.conftest import Api


async def test_only_a_submitted_order_can_be_approved(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    draft = await create_order(api, NORTHWIND, "CHANGE")
    ok(await add_inventory(api, draft, ["pi-northwind-voice-line-3"], lineAction="DISCONNECT"))

    refused = await approve(api, draft)
    assert codes(refused) == ["NOT_APPROVABLE"]
    assert (refused["errors"][0]["field"], refused["errors"][0]["ids"]) == ("orderId", [draft])

    order_id, _ = await four_g_to_five_g(api)
    ok(await approve(api, order_id))
    before = await snapshot(clean_graph)
    assert codes(await approve(api, order_id)) == ["NOT_APPROVABLE"]
    assert await snapshot(clean_graph) == before

    missing = await approve(api, "ord-nope")
    assert codes(missing) == ["NOT_FOUND"] and missing["errors"][0]["ids"] == ["ord-nope"]


async def test_approval_checks_the_items_again(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    # Something outside the order changed the router meanwhile (e.g. a repair in another system).
    await write(clean_graph, "MATCH (p:ProductInventory {id: $id}) SET p.state = 'INACTIVE'", id=ROUTER_4G)
    before = await snapshot(clean_graph)

    refused = await approve(api, order_id)

    assert codes(refused) == ["INVALID_STATE"] and refused["errors"][0]["ids"] == [ROUTER_4G]
    assert await snapshot(clean_graph) == before


async def test_task_refusals(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id, _ = await four_g_to_five_g(api)
    approved = ok(await approve(api, order_id))
    task = task_named(approved, "PRODUCT", "Validate order")

    ok(await start_task(api, task["id"]))
    started_twice = await start_task(api, task["id"])
    assert codes(started_twice) == ["TASK_NOT_OPEN"] and started_twice["errors"][0]["ids"] == [task["id"]]
    ok(await close_task(api, task["id"]))
    assert codes(await close_task(api, task["id"])) == ["TASK_NOT_OPEN"]
    assert codes(await start_task(api, task["id"])) == ["TASK_NOT_OPEN"]

    for refused in (await start_task(api, "task-nope"), await close_task(api, "task-nope")):
        assert codes(refused) == ["NOT_FOUND"] and refused["errors"][0]["field"] == "taskId"


async def test_unknown_return(clean_graph: Graph, api: Api) -> None:
    data = await api('mutation { receiveReturn(returnId: "rma-nope") { returnAuthorization { id } '
                     "errors { code field ids } } }")
    assert data["receiveReturn"] == {
        "returnAuthorization": None,
        "errors": [{"code": "NOT_FOUND", "field": "returnId", "ids": ["rma-nope"]}],
    }
    assert (await api('{ returnAuthorization(id: "rma-nope") { id } }')) == {"returnAuthorization": None}


async def test_open_tasks_arguments(clean_graph: Graph, api: Api) -> None:
    body = await api.raw("{ openTasks(first: 0) { totalCount } }")
    assert "first" in body["errors"][0]["message"]
    body = await api.raw('{ openTasks(after: "nope") { totalCount } }')
    assert "after" in body["errors"][0]["message"]
    empty = await api("{ openTasks { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }")
    assert empty["openTasks"] == {
        "totalCount": 0, "edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}
    }
