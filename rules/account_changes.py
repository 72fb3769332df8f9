"""Post-sale changes that start from the account (R10): "suspend this entitlement", "resume this
entitlement", "cancel this contract".

Each function decides the order action and the inventory items to select; the selection then goes
through the same capture rules as a selection made on the inventory tree (R3, R5, R6), so the
cascade to descendants happens there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rules.lifecycle_model import ContractItem, ContractState, EntitlementItem, EntitlementState
from rules.model import ErrorCode, InventoryItem, InventoryState, OrderAction, RuleError, RuleViolation

_ENTITLEMENT_STATE_FOR: dict[OrderAction, EntitlementState] = {
    OrderAction.SUSPEND: EntitlementState.ACTIVE,
    OrderAction.RESUME: EntitlementState.SUSPENDED,
}


def order_for_entitlement(
    action: OrderAction, entitlement: EntitlementItem, covered_item: InventoryItem
) -> tuple[OrderAction, tuple[str, ...]]:
    """The order that suspends or resumes the product `entitlement` covers.

    SUSPEND needs an ACTIVE entitlement, RESUME a SUSPENDED one (INVALID_STATE naming it);
    any other action, or an item the entitlement does not cover, is INVALID_INPUT.
    """
    required = _ENTITLEMENT_STATE_FOR.get(action)
    if required is None:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"An entitlement can start a SUSPEND or RESUME order, not {action}",
                field="action",
            )
        )
    if covered_item.id != entitlement.product_id:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Entitlement {entitlement.id} covers {entitlement.product_id}, not {covered_item.id}",
                field="entitlementId",
                ids=(entitlement.id, covered_item.id),
            )
        )
    if entitlement.state is not required:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Entitlement {entitlement.id} is {entitlement.state}; only a {required} entitlement "
                f"can be {'suspended' if action is OrderAction.SUSPEND else 'resumed'}",
                field="entitlementId",
                ids=(entitlement.id,),
            )
        )
    return action, (covered_item.id,)


def order_for_contract_cancellation(
    contract: ContractItem,
    entitlements: Sequence[EntitlementItem],
    items: Mapping[str, InventoryItem],
) -> tuple[OrderAction, tuple[str, ...]]:
    """The DISCONNECT order that cancels `contract`: its covered items, topmost only.

    A covered item under another covered item is left to the disconnect cascade (R3); INACTIVE
    items and items missing from `items` are skipped. `items` must hold the covered items and
    their ancestors (an account's tree). An empty selection means nothing is left to disconnect:
    the contract can be cancelled without an order. A CANCELLED contract is INVALID_STATE.
    Note that the cascade also disconnects uncovered descendants of a selected item.
    """
    if contract.state is ContractState.CANCELLED:
        raise RuleError(
            RuleViolation(
                ErrorCode.INVALID_STATE,
                f"Contract {contract.id} is already CANCELLED",
                field="contractId",
                ids=(contract.id,),
            )
        )
    covered: dict[str, None] = {}
    for entitlement in entitlements:
        item = items.get(entitlement.product_id)
        if entitlement.contract_id == contract.id and item and item.state is not InventoryState.INACTIVE:
            covered[item.id] = None

    under_covered: dict[str, bool] = {}

    def has_covered_ancestor(item_id: str) -> bool:
        # Walks up once per item; answers are kept so the whole selection stays linear.
        path: list[str] = []
        parent_id = items[item_id].parent_id
        answer = False
        while parent_id is not None and parent_id in items:
            if parent_id in under_covered:
                answer = under_covered[parent_id] or parent_id in covered
                break
            if parent_id in covered:
                answer = True
                break
            path.append(parent_id)
            parent_id = items[parent_id].parent_id
        for visited in path:
            under_covered[visited] = answer
        return answer

    selected = tuple(item_id for item_id in covered if not has_covered_ancestor(item_id))
    return OrderAction.DISCONNECT, selected
