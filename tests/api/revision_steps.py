"""GraphQL calls the revision and follow-on tests share (R14, R15)."""

from __future__ import annotations

from typing import Any

from tests.api.lifecycle_steps import ERRORS, ORDER, Payload
from tests.conftest import Api

REVISION = """
  id version state reason requestedBy decidedBy
  lines { id action inventoryItem { id } characteristicChanges { name oldValue newValue } }
  linesAdded { lineId inventoryItemId action changes { field oldValue newValue } }
  linesRemoved { lineId inventoryItemId action changes { field oldValue newValue } }
  linesChanged { lineId inventoryItemId action changes { field oldValue newValue } }
"""
REVISED_ORDER = f"""
  {ORDER}
  pendingRevision {{ {REVISION} }}
  revisions {{ {REVISION} }}
  domainOrders {{ id kind state tasks {{ id name sequence state heldBy }} }}
  lines {{ id action state inventoryItem {{ id state }} characteristicChanges {{ name oldValue newValue }} }}
"""
REVISED_PAYLOAD = f"order {{ {REVISED_ORDER} }} {ERRORS}"


async def revise(api: Api, order_id: str, reason: str = "the customer changed their mind") -> Payload:
    data = await api(
        f"mutation ($o: ID!, $r: String!) {{ reviseOrder(orderId: $o, reason: $r) {{ {REVISED_PAYLOAD} }} }}",
        o=order_id,
        r=reason,
    )
    return data["reviseOrder"]  # type: ignore[no-any-return]


async def cancel_revision(api: Api, order_id: str) -> Payload:
    data = await api(
        f"mutation ($o: ID!) {{ cancelRevision(orderId: $o, reason: \"not needed\") {{ {REVISED_PAYLOAD} }} }}",
        o=order_id,
    )
    return data["cancelRevision"]  # type: ignore[no-any-return]


async def revised(api: Api, order_id: str) -> dict[str, Any]:
    data = await api(f"query ($id: ID!) {{ order(id: $id) {{ {REVISED_ORDER} }} }}", id=order_id)
    return data["order"]  # type: ignore[no-any-return]


async def mutate(api: Api, name: str, **variables: Any) -> Payload:
    """A capture or lifecycle mutation answering the order with its revisions."""
    signatures = {
        "updateOrderLine": ("$in: UpdateOrderLineInput!", "input: $in"),
        "removeOrderLine": ("$l: ID!", "lineId: $l"),
        "addInventoryToOrder": ("$in: AddInventoryInput!", "input: $in"),
        "addProductToOrder": ("$in: AddProductInput!", "input: $in"),
        "submitOrder": ("$o: ID!", "orderId: $o"),
        "approveOrder": ("$o: ID!", "orderId: $o"),
        "startOrderTask": ("$t: ID!", "taskId: $t"),
        "closeOrderTask": ("$t: ID!", "taskId: $t"),
    }
    params, args = signatures[name]
    data = await api(f"mutation ({params}) {{ {name}({args}) {{ {REVISED_PAYLOAD} }} }}", **variables)
    return data[name]  # type: ignore[no-any-return]


def line_for(order_data: dict[str, Any], item_id: str, lines_key: str = "lines") -> dict[str, Any]:
    return next(ln for ln in order_data[lines_key] if ln["inventoryItem"] and ln["inventoryItem"]["id"] == item_id)


def tasks_named(order_data: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    domain = next(d for d in order_data["domainOrders"] if d["kind"] == kind)
    return [(t["name"], t["state"]) for t in domain["tasks"]]
