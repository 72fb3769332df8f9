"""Settling the follow-on orders of an order that completed, ended or was revised (R15), inside that
order's transaction: claims it let go of pass to the follow-ons, products the follow-ons added under
items that are now INACTIVE become INACTIVE too (nothing was installed), and each QUEUED follow-on
is checked again and becomes SUBMITTED, stays QUEUED, or goes back to DRAFT with notes."""

from __future__ import annotations

from dataclasses import replace

from neo4j import AsyncManagedTransaction

from graph import catalog, fulfillment, history
from graph import orders as order_graph
from graph.driver import Graph
from rules.effects import ApprovalRecord
from rules.follow_on import orphaned_additions, project_for, settle_follow_on
from rules.model import FOLLOWABLE_ORDER_STATES, OrderState
from rules.order_lines import TreeView

Tx = AsyncManagedTransaction


async def settle_follow_ons(tx: Tx, graph: Graph, first_id: str, what_happened: str) -> None:
    """Run after the order `first_id` has been written in its new state and released its items."""
    follow_ons = await order_graph.follow_on_orders(tx, graph, first_id)
    if not follow_ons:
        return
    await order_graph.transfer_follow_on_claims(tx, graph, [f.id for f in follow_ons])
    first = await order_graph.order_in(tx, graph, first_id)
    assert first is not None
    wanted = [ln.inventory_id for f in follow_ons for ln in f.lines if ln.inventory_id]
    items, children = await order_graph.load_trees(tx, graph, wanted) if wanted else ({}, {})
    real = TreeView(items=items, children=children)

    for follow_on in follow_ons:
        retired = orphaned_additions(follow_on, real)
        if retired:
            line_of = {ln.inventory_id: ln.id for ln in follow_on.lines if ln.inventory_id}
            await fulfillment.set_item_states(tx, graph, [{"id": c.item_id, "state": c.to_state.value} for c in retired])
            await history.record_events(
                tx,
                graph,
                [
                    {"itemId": c.item_id, "orderId": follow_on.id, "lineId": line_of.get(c.item_id), "field": "state",
                     "from": c.from_state.value, "to": c.to_state.value}
                    for c in retired
                ],
            )
            for change in retired:
                items[change.item_id] = replace(items[change.item_id], state=change.to_state)

    queued = [f for f in follow_ons if f.state is OrderState.QUEUED]
    if not queued:
        return
    record = (
        await fulfillment.approval_record(tx, graph, first_id)
        if first.state in FOLLOWABLE_ORDER_STATES
        else ApprovalRecord()
    )
    spec_ids = {i.spec_id for i in items.values()} | {ln.spec_id for f in queued for ln in f.lines}
    specs = {sid: r.as_rule_spec() for sid, r in (await catalog.specs_in(tx, graph, sorted(spec_ids))).items()}
    view = project_for(TreeView(items=items, children=children), first, record)
    for follow_on in queued:
        outcome = settle_follow_on(follow_on, first, view, specs, what_happened)
        if outcome.state is not follow_on.state:
            reason = f"Order {first_id} {what_happened}"
            await order_graph.set_order_state(tx, graph, follow_on.id, outcome.state, reason)
        await order_graph.add_order_notes(tx, graph, follow_on.id, list(outcome.notes))
