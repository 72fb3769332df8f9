"""Settling the follow-on orders of an order that completed, ended or was revised (R15), inside that
order's transaction: claims it let go of pass to the follow-ons, and each QUEUED follow-on is checked
again and becomes SUBMITTED, stays QUEUED, or goes back to DRAFT with notes."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph import catalog, fulfillment
from graph import orders as order_graph
from graph.driver import Graph
from rules.effects import ApprovalRecord
from rules.follow_on import project_for, settle_follow_on
from rules.model import FOLLOWABLE_ORDER_STATES, OrderState
from rules.order_lines import TreeView

Tx = AsyncManagedTransaction


async def settle_follow_ons(tx: Tx, graph: Graph, first_id: str, what_happened: str) -> None:
    """Run after the order `first_id` has been written in its new state and released its items."""
    follow_ons = await order_graph.follow_on_orders(tx, graph, first_id)
    if not follow_ons:
        return
    await order_graph.transfer_follow_on_claims(tx, graph, [f.id for f in follow_ons])
    queued = [f for f in follow_ons if f.state is OrderState.QUEUED]
    if not queued:
        return
    first = await order_graph.order_in(tx, graph, first_id)
    assert first is not None
    record = (
        await fulfillment.approval_record(tx, graph, first_id)
        if first.state in FOLLOWABLE_ORDER_STATES
        else ApprovalRecord()
    )
    wanted = [ln.inventory_id for f in queued for ln in f.lines if ln.inventory_id]
    items, children = await order_graph.load_trees(tx, graph, wanted) if wanted else ({}, {})
    spec_ids = {i.spec_id for i in items.values()} | {ln.spec_id for f in queued for ln in f.lines}
    specs = {sid: r.as_rule_spec() for sid, r in (await catalog.specs_in(tx, graph, sorted(spec_ids))).items()}
    view = project_for(TreeView(items=items, children=children), first, record)
    for follow_on in queued:
        outcome = settle_follow_on(follow_on, first, view, specs, what_happened)
        if outcome.state is not follow_on.state:
            reason = f"Order {first_id} {what_happened}"
            await order_graph.set_order_state(tx, graph, follow_on.id, outcome.state, reason)
        await order_graph.add_order_notes(tx, graph, follow_on.id, list(outcome.notes))
