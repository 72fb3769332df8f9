"""Approving a revision (R14), inside approveOrder's transaction: the delta between the revised and
the running line tree is applied at once. Unchanged lines keep their tasks and progress; removed
lines are compensated (move copies included); new and changed lines are approved and decomposed as
at approval (`resolvers.approval_writes`), and their tasks join the running domain orders with the
catalog's dependencies and due dates; the held tasks move again. When nothing is left to do the
order completes in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import fulfillment, history, revisions
from graph import orders as order_graph
from graph.driver import Graph
from graph.records import DomainOrderRecord
from resolvers.approval_writes import (
    queue_stamp,
    remember,
    task_row,
    write_fulfillment_states,
    write_moves,
    write_work,
)
from resolvers.follow_on_settle import settle_follow_ons
from resolvers.order_lifecycle import (
    apply_item_states,
    complete_order,
    lifecycle_id,
    line_of_items,
    load_catalog,
)
from rules.capture import diff_lines
from rules.effects import ApprovalRecord
from rules.lifecycle_model import OPEN_TASK_STATES
from rules.model import ErrorCode, Order, OrderState, RuleError, RuleViolation
from rules.revision import RevisionState, check_point_of_no_return, frozen_lines, line_delta
from rules.revision_plan import RevisionPlan, revision_effects
from rules.schedule import TaskDates, plan_joining_tasks, planning_start
from schema.context import Context, caller_of, now_of

Ctx = Info[Context, Any]
Tx = AsyncManagedTransaction


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
    items = await fulfillment.items_in(tx, graph, [*targets, *record.copies.values()])
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

    # Inventory: net states, move copies and re-links, what completion and cancellation need later.
    line_of = _line_of(order, revised, record, plan)
    events = await apply_item_states(tx, graph, order.id, plan.state_changes, line_of)
    await fulfillment.set_characteristics(
        tx,
        graph,
        [{"id": u.item_id, "characteristics": fulfillment.characteristics_json(u.characteristics)}
         for u in plan.characteristic_updates],
    )
    await remember(tx, graph, plan.remembered)
    await revisions.forget_copies(tx, graph, plan.forgotten_copy_line_ids)
    events.extend(await write_moves(tx, graph, order.id, items, plan.copies, plan.relinks, line_of))

    # Fulfillment: compensation, then the new work with its dependencies and dates.
    await write_fulfillment_states(
        tx, graph, plan.task_changes, plan.domain_order_changes, plan.work_order_changes, plan.return_changes
    )
    await revisions.drop_dependencies(tx, graph, order.id, [c.record_id for c in plan.task_changes])
    await _write_new_work(tx, graph, info, order, plan, stored.domain_orders)

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


def _line_of(order: Order, revised: Order, record: ApprovalRecord, plan: RevisionPlan) -> dict[str, str]:
    """Line id per item the revision touches: its line now, or the removed line it had; copies
    belong to their item's line."""
    line_of = {ln.inventory_id: ln.id for ln in order.lines if ln.inventory_id}
    line_of.update(line_of_items(revised))
    for old_id, copy_id in record.copies.items():
        if old_id in line_of:
            line_of[copy_id] = line_of[old_id]
    line_of.update({c.item.id: c.line_id for c in plan.copies})
    return line_of


async def _write_new_work(
    tx: Tx, graph: Graph, info: Ctx, order: Order, plan: RevisionPlan, running: list[DomainOrderRecord]
) -> None:
    """Tasks joining running domain orders and new domain orders, planned like an approval's (R13):
    from the order's requested start, after the running tasks they wait for are due."""
    starts_at = planning_start(now_of(info), order.requested_start)
    cancelled = {c.record_id for c in plan.task_changes}
    more = dict(plan.added_dependencies)
    planned = {
        t.id: (replace(t, depends_on=(*t.depends_on, *more.get(t.id, ()))), TaskDates(record.planned_start_at, record.due_at))
        for d in running
        for t, record in zip(fulfillment.as_rule_domain_order(d).tasks, d.tasks, strict=True)
        if t.state in OPEN_TASK_STATES and t.id not in cancelled
        and record.planned_start_at is not None and record.due_at is not None
    }
    dates = plan_joining_tasks(plan.created_tasks, starts_at, planned)
    created = {t.id for t in plan.created_tasks}
    await revisions.set_task_dates(
        tx,
        graph,
        [{"id": i, "plannedStartAt": d.planned_start, "dueAt": d.due} for i, d in dates.items() if i not in created],
    )
    stamp = queue_stamp()
    kind_of = {d.id: d.kind for d in running}
    await revisions.append_tasks(
        tx,
        graph,
        order.id,
        [
            {**task_row(a.task, order.id, kind_of.get(a.task.domain_order_id, ""), stamp, dates),
             "redo": a.redo, "undoOf": a.undo_of}
            for a in plan.appended_tasks
        ],
    )
    await revisions.add_dependencies(
        tx, graph, [{"id": task_id, "dependsOn": list(deps)} for task_id, deps in plan.added_dependencies]
    )
    await revisions.cover_lines(
        tx, graph, [{"domainOrderId": d, "lineId": line_id} for d, line_id in plan.covered_lines]
    )
    await revisions.extend_work_orders(
        tx, graph, [{"id": w, "lineIds": list(line_ids)} for w, line_ids in plan.extended_work_orders]
    )
    await write_work(tx, graph, order.id, plan.new_domain_orders, plan.decomposition, dates, stamp)
    if dates:
        await revisions.extend_order_due(tx, graph, order.id, max(d.due for d in dates.values()))

