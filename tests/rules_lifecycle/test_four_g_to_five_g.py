"""docs/domain.md (the 4G to 5G upgrade) from approval to completion."""

from __future__ import annotations

from dataclasses import replace

from rules.effects import approval_effects, completion_effects
from rules.fulfillment import DomainOrder, close_task, decompose, start_task
from rules.lifecycle_model import (
    DomainOrderKind,
    EntitlementState,
    ReturnReason,
    ReturnState,
    ServiceState,
    TaskState,
    WorkOrderKind,
)
from rules.model import InventoryState, OrderState

from .builders import TODAY, Ids
from .scenarios import four_g_to_five_g, targets


def test_approval_puts_the_4g_items_in_disconnect_pending_and_leaves_the_5g_items_pending() -> None:
    scenario = four_g_to_five_g()

    plan = approval_effects(scenario.order, targets(scenario), Ids())
    scenario.account.apply_approval(plan)

    assert plan.order_state is OrderState.IN_PROGRESS
    assert scenario.account.state("conn4g") is InventoryState.DISCONNECT_PENDING
    assert scenario.account.state("router4g") is InventoryState.DISCONNECT_PENDING
    assert scenario.account.state("conn5g") is InventoryState.INSTALLATION_PENDING
    assert scenario.account.state("router5g") is InventoryState.INSTALLATION_PENDING
    assert scenario.account.state("mbb") is InventoryState.ACTIVE
    assert plan.copies == ()
    assert plan.record.previous_states == {"conn4g": InventoryState.ACTIVE, "router4g": InventoryState.ACTIVE}


def test_decomposition_opens_one_rma_for_the_4g_router_and_ships_the_5g_router() -> None:
    scenario = four_g_to_five_g()

    plan = decompose(scenario.order, targets(scenario), scenario.specs, {}, scenario.service_specs_of, Ids())

    assert [(r.line_id, r.item_id, r.reason, r.state) for r in plan.returns] == [
        ("L-router4g", "router4g", ReturnReason.DISCONNECT, ReturnState.AUTHORIZED)
    ]
    assert [(w.kind, w.item_id) for w in plan.work_orders] == [
        (WorkOrderKind.COLLECT_DEVICE, "router4g"),
        (WorkOrderKind.SHIP_DEVICE, "router5g"),
    ]


def test_decomposition_creates_product_service_and_resource_orders_with_tasks() -> None:
    scenario = four_g_to_five_g()

    plan = decompose(scenario.order, targets(scenario), scenario.specs, {}, scenario.service_specs_of, Ids())

    product = plan.domain_order(DomainOrderKind.PRODUCT)
    service = plan.domain_order(DomainOrderKind.SERVICE)
    resource = plan.domain_order(DomainOrderKind.RESOURCE)
    assert product and service and resource
    assert product.line_ids == ("L-conn4g", "L-router4g", "L-conn5g", "L-router5g")
    assert service.line_ids == ("L-conn4g", "L-conn5g")
    assert resource.line_ids == ("L-router4g", "L-router5g")
    assert [t.name for t in product.tasks] == ["Validate order", "Update billing"]
    assert [(t.name, t.point_of_no_return) for t in service.tasks] == [
        ("Design service", False),
        ("Activate service", True),
    ]
    assert [t.name for t in resource.tasks] == ["Collect device", "Reserve device", "Ship device"]
    assert all(d.state is TaskState.OPEN for d in plan.domain_orders)


def test_closing_every_task_completes_the_order_and_lands_the_upgrade() -> None:
    scenario = four_g_to_five_g()
    ids = Ids()
    approval = approval_effects(scenario.order, targets(scenario), ids)
    scenario.account.apply_approval(approval)
    decomposition = decompose(
        scenario.order, targets(scenario), scenario.specs, {}, scenario.service_specs_of, ids
    )
    domain_orders = list(decomposition.domain_orders)

    closures = []
    for task in decomposition.tasks:
        assert start_task(task) is TaskState.IN_PROGRESS
        closure = close_task(domain_orders, task.id)
        closures.append(closure)
        domain_orders = [_with_closed_task(d, task.id, closure.domain_order_state) for d in domain_orders]

    assert [c.order_completes for c in closures] == [False] * (len(closures) - 1) + [True]

    in_progress = replace(scenario.order, state=approval.order_state)
    plan = completion_effects(
        in_progress,
        targets(scenario),
        approval.record,
        scenario.services(),
        scenario.entitlements(),
        scenario.specs,
        scenario.service_specs_of,
        "CON-1",
        TODAY,
        ids,
    )
    scenario.account.apply_completion(plan)
    account = scenario.account

    assert plan.order_state is OrderState.COMPLETED
    assert account.state("conn4g") is InventoryState.INACTIVE
    assert account.state("router4g") is InventoryState.INACTIVE
    assert account.state("conn5g") is InventoryState.ACTIVE
    assert account.state("router5g") is InventoryState.ACTIVE
    assert account.state("mbb") is InventoryState.ACTIVE
    assert account.entitlements["ent-conn4g"].state is EntitlementState.CANCELLED
    assert account.entitlements["ent-router4g"].state is EntitlementState.CANCELLED
    assert account.entitlements["ent-mbb"].state is EntitlementState.ACTIVE
    granted = {(e.product_id, e.contract_id, e.state) for e in plan.new_entitlements}
    assert granted == {
        ("conn5g", "CON-1", EntitlementState.ACTIVE),
        ("router5g", "CON-1", EntitlementState.ACTIVE),
    }
    assert account.services["svc-conn4g"].state is ServiceState.TERMINATED
    assert [(s.product_id, s.spec_id, s.state) for s in plan.new_services] == [
        ("conn5g", "SVC-CONN-5G", ServiceState.ACTIVE)
    ]
    assert plan.root_links == ()
    assert len(account.items) == 5  # nothing deleted


def _with_closed_task(domain_order: DomainOrder, task_id: str, state_if_owner: TaskState) -> DomainOrder:
    if all(t.id != task_id for t in domain_order.tasks):
        return domain_order
    tasks = tuple(
        replace(t, state=TaskState.CLOSED_COMPLETE) if t.id == task_id else t for t in domain_order.tasks
    )
    return replace(domain_order, tasks=tasks, state=state_if_owner)
