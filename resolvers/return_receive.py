"""receiveReturn and closeReturn: a returned device arrives (AUTHORIZED -> RECEIVED) and is
processed (RECEIVED -> CLOSED), per the RMA lifecycle of R11."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, work_orders
from resolvers.order_mutation import not_found
from rules.lifecycle_model import ReturnState, WorkOrderState
from rules.model import RuleError
from rules.returns import close_return as close_rule
from rules.returns import receive_return as receive_rule
from rules.work_orders import completes_on_receipt
from schema.context import Context, authorize, now_of
from schema.errors import OrderError
from schema.fulfillment import ReturnAuthorization, ReturnPayload

Ctx = Info[Context, Any]


async def _advance(
    info: Ctx, return_id: str, action: str, decide: Callable[[ReturnState, str], ReturnState]
) -> ReturnPayload:
    graph = info.context.graph

    authorize(info, action)

    async def work(tx: AsyncManagedTransaction) -> str:
        found = await fulfillment.lock_return(tx, graph, return_id)
        if found is None:
            raise not_found("returnId", return_id, what="return")
        state = decide(ReturnState(found.state), found.id)
        await fulfillment.set_return_states(tx, graph, [{"id": found.id, "state": state.value}])
        if state is ReturnState.RECEIVED:
            # The device is back: its collection is done (R13).
            collection = await work_orders.collection_of_return(tx, graph, found.id)
            if collection is not None and completes_on_receipt(fulfillment.as_rule_work_order(collection)):
                await work_orders.set_state(
                    tx, graph, collection.id, WorkOrderState.CLOSED_COMPLETE.value, now_of(info)
                )
        return found.id

    try:
        saved = await graph.write(work)
    except RuleError as refused:
        return ReturnPayload(return_authorization=None, errors=[OrderError.of(v) for v in refused.violations])
    record = (await fulfillment.returns_by_ids(graph, [saved])).get(saved)
    return ReturnPayload(return_authorization=ReturnAuthorization.of(record) if record else None, errors=[])


async def receive_return(
    info: Ctx,
    return_id: Annotated[strawberry.ID, strawberry.argument(description="An AUTHORIZED return.")],
) -> ReturnPayload:
    return await _advance(info, str(return_id), "return.receive", receive_rule)


async def close_return(
    info: Ctx,
    return_id: Annotated[strawberry.ID, strawberry.argument(description="A RECEIVED return.")],
) -> ReturnPayload:
    return await _advance(info, str(return_id), "return.close", close_rule)
