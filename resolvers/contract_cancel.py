"""cancelContract: "cancel this contract" creates a DRAFT DISCONNECT order for the products the
contract covers (topmost only; R3 cascades down). The contract becomes CANCELLED when that order
completes, or at once when nothing it covers is left to disconnect (the answer then has no order)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment
from graph import orders as order_graph
from resolvers.account_change_order import create_change_order
from resolvers.order_lifecycle import today
from resolvers.order_mutation import not_found
from resolvers.order_read import saved_order
from rules.account_changes import order_for_contract_cancellation
from rules.lifecycle_model import ContractState
from rules.model import RuleError
from schema.context import Context, authorize
from schema.errors import OrderError
from schema.orders import OrderPayload

Ctx = Info[Context, Any]


async def cancel_contract(
    info: Ctx,
    contract_id: Annotated[strawberry.ID, strawberry.argument(description="An ACTIVE contract of the account.")],
) -> OrderPayload:
    graph = info.context.graph
    authorize(info, "contract.cancel")

    async def work(tx: AsyncManagedTransaction) -> str | None:
        found = await fulfillment.contract_in(tx, graph, str(contract_id))
        if found is None:
            raise not_found("contractId", str(contract_id), what="contract")
        contract, entitlements = found
        authorize(info, "contract.cancel", contract.account_id)
        covered = sorted({e.product_id for e in entitlements if e.contract_id == contract.id})
        items, _ = await order_graph.load_trees(tx, graph, covered) if covered else ({}, {})
        action, selected = order_for_contract_cancellation(contract, entitlements, items)
        if not selected:
            await fulfillment.set_contract_state(tx, graph, contract.id, ContractState.CANCELLED, today())
            return None
        return await create_change_order(
            tx, graph, info, contract.account_id, action, selected, contract_id=contract.id
        )

    try:
        order_id = await graph.write(work)
    except RuleError as refused:
        return OrderPayload(order=None, errors=[OrderError.of(v) for v in refused.violations])
    if order_id is None:
        return OrderPayload(order=None, errors=[])
    return OrderPayload(order=await saved_order(info, order_id), errors=[])
