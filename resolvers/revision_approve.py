"""Approving a revision (R14), inside approveOrder's transaction: the delta between the revised and
the running line tree is applied at once. Unchanged lines keep their tasks and progress; removed
lines are compensated; new and changed lines are decomposed and join the running domain orders;
the held tasks move again. When nothing is left to do the order completes in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, history, revisions
from graph import orders as order_graph
from graph.driver import Graph
from resolvers.follow_on_settle import settle_follow_ons
from resolvers.order_lifecycle import (
    apply_item_states,
    complete_order,
    lifecycle_id,
    line_of_items,
    load_catalog,
)
from rules.capture import diff_lines
from rules.model import ErrorCode, Order, OrderState, RuleError, RuleViolation
from rules.revision import (
    RevisionState,
    check_point_of_no_return,
    frozen_lines,
    line_delta,
    revision_effects,
)
from schema.context import Context, caller_of

Ctx = Info[Context, Any]
Tx = AsyncManagedTransaction

_KIND_RANK = {"PRODUCT": 0, "SERVICE": 1, "RESOURCE": 2}


def _rows(changes: Any) -> list[dict[str, str]]:
    return [{"id": c.record_id, "state": c.to_state.value} for c in changes]


async def approve_revision(tx: Tx, graph: Graph, info: Ctx, order: Order) -> None:
    """Apply the order's SUBMITTED revision (the order is locked and REVISION_IN_PROGRESS)."""
    revision = await revisions.open_revision(tx, graph, order.id)
    if revision is None or revision.state != RevisionState.SUBMITTED:
        state = revision.state if revision is not None else "missing"
        raise RuleError(
            RuleViolation(
                ErrorCode.NOT_APPROVABLE,
                f"The revision of order {order.id} is {state}; only a SUBMITTED revision can be approved",
                "orderId",
                (order.id,),
            )
        )
    delta = line_delta(order.lines, revision.lines)
    passed = await revisions.points_of_no_return(tx, graph, order.id)
    check_point_of_no_return(delta, frozen_lines(order.lines, passed))

    stored = await fulfillment.fulfillment_in(tx, graph, order.id)
    record = await fulfillment.approval_record(tx, graph, order.id)
    targets = {ln.inventory_id for ln in [*order.lines, *revision.lines] if ln.inventory_id}
    items = await fulfillment.items_in(tx, graph, targets)
    known = await load_catalog(tx, graph, {ln.spec_id for ln in [*order.lines, *revision.lines]})
    plan = revision_effects(
        order,
        delta,
        items,
        record,
        [fulfillment.as_rule_domain_order(d) for d in stored.domain_orders],
        [fulfillment.as_rule_work_order(w) for w in stored.work_orders],
        [fulfillment.as_rule_return(r) for r in stored.returns],
        known.specs,
        known.templates,
        known.service_specs_of,
        lifecycle_id,
    )

    # The line tree: removed lines leave it (kept for history), new ones join, the rest are updated.
    final = [replace(ln, state=OrderState.IN_PROGRESS) for ln in plan.lines]
    await revisions.retire_lines(tx, graph, plan.removed_line_ids, revision.version)
    diff = diff_lines(order.lines, final)
    revised = replace(order, lines=final)
    await order_graph.write_lines(tx, graph, revised, diff.created, diff.updated, [])

    line_of = line_of_items(revised)
    line_of.update({ln.inventory_id: ln.id for ln in delta.removed if ln.inventory_id})
    events = await apply_item_states(tx, graph, order.id, plan.state_changes, line_of)
    await fulfillment.set_characteristics(
        tx,
        graph,
        [{"id": u.item_id, "characteristics": fulfillment.characteristics_json(u.characteristics)}
         for u in plan.characteristic_updates],
    )
    await fulfillment.remember_approval(
        tx, graph, [{"lineId": line_id, "previousState": state.value, "copyId": None} for line_id, state in plan.remembered]
    )
    await fulfillment.set_task_states(tx, graph, _rows(plan.task_changes))
    await fulfillment.set_domain_order_states(tx, graph, _rows(plan.domain_order_changes))
    await fulfillment.set_work_order_states(tx, graph, _rows(plan.work_order_changes))
    await fulfillment.set_return_states(
        tx, graph, [{"id": c.return_id, "state": c.to_state.value} for c in plan.return_changes]
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    kind_of = {d.id: d.kind for d in stored.domain_orders}
    await revisions.append_tasks(
        tx,
        graph,
        order.id,
        [
            {
                "id": a.task.id, "domainOrderId": a.task.domain_order_id, "name": a.task.name,
                "sequence": a.task.sequence, "pointOfNoReturn": a.task.point_of_no_return,
                "queueKey": f"{stamp}|{order.id}|{_KIND_RANK.get(kind_of.get(a.task.domain_order_id, ''), 0)}"
                f"|{a.task.sequence:05d}",
                "redo": a.redo, "undoOf": a.undo_of,
            }
            for a in plan.appended_tasks
        ],
    )
    await revisions.cover_lines(
        tx, graph, [{"domainOrderId": d, "lineId": line_id} for d, line_id in plan.covered_lines]
    )
    decomposition = plan.decomposition
    await fulfillment.write_decomposition(
        tx,
        graph,
        order.id,
        [
            {
                "id": d.id, "kind": d.kind.value, "state": d.state.value, "lineIds": list(d.line_ids),
                "tasks": [
                    {
                        "id": t.id, "name": t.name, "sequence": t.sequence, "state": t.state.value,
                        "pointOfNoReturn": t.point_of_no_return,
                        "queueKey": f"{stamp}|{order.id}|{_KIND_RANK[d.kind.value]}|{t.sequence:05d}",
                    }
                    for t in d.tasks
                ],
            }
            for d in plan.new_domain_orders
        ],
        [
            {
                "id": w.id, "kind": w.kind.value, "state": w.state.value, "itemId": w.item_id,
                "locationId": w.location_id, "lineIds": list(w.line_ids),
            }
            for w in decomposition.work_orders
        ],
        [
            {"id": r.id, "lineId": r.line_id, "itemId": r.item_id, "reason": r.reason.value, "state": r.state.value}
            for r in decomposition.returns
        ],
    )
    if plan.released_item_ids:
        await order_graph.release_items(tx, graph, order.id, list(plan.released_item_ids))
    await revisions.release_holds(tx, graph, order.id, revision.id)
    await revisions.set_revision_state(
        tx, graph, revision.id, RevisionState.APPROVED, caller_of(info).id, summary=plan.summary
    )
    await revisions.set_order_version(tx, graph, order.id, revision.version)
    await fulfillment.add_notes(tx, graph, order.id, plan.notes)
    await history.record_events(tx, graph, events)
    await order_graph.set_order_state(tx, graph, order.id, OrderState.IN_PROGRESS, None)
    if plan.completes:
        await complete_order(tx, graph, replace(revised, state=OrderState.IN_PROGRESS))
    else:
        await settle_follow_ons(tx, graph, order.id, f"was revised (version {revision.version})")
