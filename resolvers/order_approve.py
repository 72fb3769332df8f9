"""approveOrder: a SUBMITTED order goes IN_PROGRESS; its pending effects land on the inventory (R8)
and it is decomposed into domain orders, tasks, work orders and returns (R7, R9, R11), in one
transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import strawberry
from neo4j import AsyncManagedTransaction
from strawberry.types import Info

from graph import catalog, history, task_flow
from graph import orders as order_graph
from graph.driver import Graph
from resolvers.approval_writes import queue_stamp, remember, write_moves, write_work
from resolvers.order_lifecycle import (
    Event,
    apply_item_states,
    complete_order,
    lifecycle_id,
    line_of_items,
    load_catalog,
    lock_order_for,
    target_ids,
)
from resolvers.order_mutation import run_order_mutation
from resolvers.revision_approve import approve_revision
from rules.effects import ApprovalPlan, approvable, approval_effects, remembered_lines
from rules.fulfillment import Decomposition, decompose
from rules.invariants import order_tree_violations
from rules.model import InventoryItem, Order, OrderState, RuleError
from rules.order_lines import TreeView
from rules.schedule import TaskDates, order_due, plan_tasks, planning_start
from schema.context import Context, now_of
from schema.orders import OrderPayload

Ctx = Info[Context, Any]
Tx = AsyncManagedTransaction


async def approve_order(
    info: Ctx,
    order_id: Annotated[strawberry.ID, strawberry.argument(description="A SUBMITTED order.")],
) -> OrderPayload:
    graph = info.context.graph

    async def work(tx: Tx) -> str:
        order = await lock_order_for(tx, graph, info, str(order_id), "order.approve")
        if order.state is OrderState.REVISION_IN_PROGRESS:
            await approve_revision(tx, graph, info, order)
            return order.id
        approvable(order.id, order.state)
        tree, children = await order_graph.lock_and_load_trees(tx, graph, target_ids(order))
        items = {item_id: tree[item_id] for item_id in target_ids(order) if item_id in tree}  # read with the trees
        known = await load_catalog(tx, graph, {ln.spec_id for ln in order.lines} | {i.spec_id for i in tree.values()})
        versions = await catalog.spec_versions_in(tx, graph, sorted({i.spec_id for i in tree.values()}))
        specs = {**known.specs, **{key: r.as_rule_spec() for key, r in versions.items()}}
        problems = order_tree_violations(order, TreeView(tree, children), specs)
        if problems:
            raise RuleError(*problems)
        plan = approval_effects(order, items, lifecycle_id)
        decomposition = decompose(
            order, items, known.specs, known.templates, known.service_specs_of, lifecycle_id
        )
        now = now_of(info)
        starts_at = planning_start(now, order.requested_start)
        dates = plan_tasks(decomposition.domain_orders, starts_at)
        await write_approval(tx, graph, order, items, plan, decomposition, dates)
        await order_graph.set_order_state(tx, graph, order.id, plan.order_state, milestones=["APPROVED"], at=now)
        await task_flow.set_order_due(
            tx, graph, order.id, starts_at, order_due(order.requested_completion, dates.values(), starts_at)
        )
        if not decomposition.domain_orders:
            # Nothing to fulfill (every line is NO_CHANGE): the order completes on approval.
            order.state = plan.order_state
            await complete_order(tx, graph, order, now)
        return order.id

    return await run_order_mutation(info, work)


async def write_approval(
    tx: Tx,
    graph: Graph,
    order: Order,
    items: Mapping[str, InventoryItem],
    plan: ApprovalPlan,
    decomposition: Decomposition,
    dates: Mapping[str, TaskDates],
) -> None:
    """Pending states, move copies and re-links, what cancellation needs later, the decomposition,
    and the inventory history of it all."""
    line_of = line_of_items(order, plan.record)
    events: list[Event] = await apply_item_states(tx, graph, order.id, plan.state_changes, line_of)

    await remember(tx, graph, remembered_lines(plan, line_of))
    events.extend(await write_moves(tx, graph, order.id, items, plan.copies, plan.relinks, line_of))
    await write_work(tx, graph, order.id, decomposition.domain_orders, decomposition, dates, queue_stamp())
    await history.record_events(tx, graph, events)
