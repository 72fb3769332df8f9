"""GraphQL calls the order tests share, so each test reads as the domain story it tells."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

ORDER_FIELDS = """
  id action state version
  lines { id action state moveOperation inventoryItem { id state } specification { id }
          parentLine { id } targetLocation { id } characteristicChanges { name oldValue newValue } }
"""
PAYLOAD = f"order {{ {ORDER_FIELDS} }} errors {{ code message field ids }}"


async def create_order(api: Api, account_id: str, action: str, key: str | None = None) -> dict[str, Any]:
    data = await api(
        f"mutation ($a: ID!, $act: OrderAction!, $k: String) {{ createOrder(input: "
        f"{{accountId: $a, action: $act, idempotencyKey: $k}}) {{ {PAYLOAD} }} }}",
        a=account_id,
        act=action,
        k=key,
    )
    return data["createOrder"]  # type: ignore[no-any-return]


async def new_order(api: Api, account_id: str, action: str) -> str:
    payload = await create_order(api, account_id, action)
    assert payload["errors"] == []
    return payload["order"]["id"]  # type: ignore[no-any-return]


async def add_inventory(
    api: Api,
    order_id: str,
    *ids: str,
    line_action: str | None = None,
    target: str | None = None,
    characteristics: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    data = await api(
        "mutation ($o: ID!, $ids: [ID!]!, $la: LineAction, $t: ID, $c: [CharacteristicInput!]) {"
        " addInventoryToOrder(input: {orderId: $o, inventoryIds: $ids, lineAction: $la, targetLocationId: $t,"
        f" characteristics: $c}}) {{ {PAYLOAD} }} }}",
        o=order_id,
        ids=list(ids),
        la=line_action,
        t=target,
        c=characteristics,
    )
    return data["addInventoryToOrder"]  # type: ignore[no-any-return]


async def add_product(
    api: Api, order_id: str, spec_id: str, parent: str | None = None, location: str | None = None
) -> dict[str, Any]:
    data = await api(
        "mutation ($o: ID!, $s: ID!, $p: ID, $l: ID) { addProductToOrder(input: {orderId: $o, "
        f"specificationId: $s, parentInventoryId: $p, locationId: $l}}) {{ {PAYLOAD} }} }}",
        o=order_id,
        s=spec_id,
        p=parent,
        l=location,
    )
    return data["addProductToOrder"]  # type: ignore[no-any-return]


async def update_line(api: Api, line_id: str, **fields: Any) -> dict[str, Any]:
    data = await api(
        "mutation ($in: UpdateOrderLineInput!) { updateOrderLine(input: $in) { " + PAYLOAD + " } }",
        **{"in": {"lineId": line_id, **fields}},
    )
    return data["updateOrderLine"]  # type: ignore[no-any-return]


async def remove_line(api: Api, line_id: str) -> dict[str, Any]:
    data = await api(
        "mutation ($l: ID!) { removeOrderLine(lineId: $l) { " + PAYLOAD + " } }", l=line_id
    )
    return data["removeOrderLine"]  # type: ignore[no-any-return]


async def submit(api: Api, order_id: str) -> dict[str, Any]:
    data = await api("mutation ($o: ID!) { submitOrder(orderId: $o) { " + PAYLOAD + " } }", o=order_id)
    return data["submitOrder"]  # type: ignore[no-any-return]


async def get_order(api: Api, order_id: str) -> dict[str, Any]:
    data = await api("query ($o: ID!) { order(id: $o) { " + ORDER_FIELDS + " } }", o=order_id)
    return data["order"]  # type: ignore[no-any-return]


def lines_by_item(order: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {ln["inventoryItem"]["id"]: ln for ln in order["lines"] if ln["inventoryItem"]}


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def count_nodes(api: Api, graph: Any) -> dict[str, int]:
    records, _, _ = await graph.driver.execute_query(
        "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n", database_=graph.database
    )
    return {r["label"]: r["n"] for r in records}
