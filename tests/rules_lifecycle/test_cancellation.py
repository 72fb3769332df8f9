"""R12: cancelling an order outright, in flight with compensation, or not at all past its PONR."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from rules.effects import ApprovalRecord, CancellationPlan, approval_effects, cancellation_effects
from rules.fulfillment import Decomposition, DomainOrder, ReturnAuthorization, WorkOrder, decompose
from rules.lifecycle_model import DomainOrderKind, ReturnState, TaskState, WorkOrderKind, WorkOrderState
from rules.model import ErrorCode, InventoryState, LineAction, OrderState, RuleError

from .builders import Ids, by_id, item, line, order
from .scenarios import Scenario, four_g_to_five_g, targets


def _approved() -> tuple[Scenario, ApprovalRecord, Decomposition]:
    scenario = four_g_to_five_g()
    ids = Ids()
    approval = approval_effects(scenario.order, targets(scenario), ids)
    scenario.account.apply_approval(approval)
    decomposition = decompose(
        scenario.order, targets(scenario), scenario.specs, {}, scenario.service_specs_of, ids
    )
    scenario.order = replace(scenario.order, state=OrderState.IN_PROGRESS)
    return scenario, approval.record, decomposition


def _set_task(domain_orders: tuple[DomainOrder, ...], name: str, state: TaskState) -> tuple[DomainOrder, ...]:
    return tuple(
        replace(d, tasks=tuple(replace(t, state=state) if t.name == name else t for t in d.tasks))
        for d in domain_orders
    )


def _cancel(
    scenario: Scenario,
    record: ApprovalRecord,
    domain_orders: Sequence[DomainOrder],
    returns: Sequence[ReturnAuthorization],
    work_orders: Sequence[WorkOrder] = (),
) -> CancellationPlan:
    return cancellation_effects(
        scenario.order, dict(scenario.account.items), domain_orders, returns, record, work_orders
    )


@pytest.mark.parametrize("state", [OrderState.DRAFT, OrderState.SUBMITTED])
def test_a_draft_or_submitted_order_is_cancelled_outright_retiring_the_items_it_added(
    state: OrderState,
) -> None:
    scenario = four_g_to_five_g()
    the_order = replace(scenario.order, state=state)

    plan = cancellation_effects(the_order, targets(scenario), (), ())

    assert plan.order_state is OrderState.CANCELLED
    assert [(c.item_id, c.from_state, c.to_state) for c in plan.state_changes] == [
        ("conn5g", InventoryState.INSTALLATION_PENDING, InventoryState.INACTIVE),
        ("router5g", InventoryState.INSTALLATION_PENDING, InventoryState.INACTIVE),
    ]
    assert (plan.task_changes, plan.domain_order_changes, plan.return_changes) == ((), (), ())


def test_cancelling_before_the_point_of_no_return_undoes_every_pending_effect() -> None:
    scenario, record, decomposition = _approved()
    domain_orders = _set_task(decomposition.domain_orders, "Validate order", TaskState.CLOSED_COMPLETE)
    domain_orders = _set_task(domain_orders, "Design service", TaskState.IN_PROGRESS)

    plan = _cancel(scenario, record, domain_orders, decomposition.returns, decomposition.work_orders)
    scenario.account.apply_cancellation(plan)
    account = scenario.account

    assert plan.order_state is OrderState.CANCELLED
    assert account.state("conn4g") is InventoryState.ACTIVE
    assert account.state("router4g") is InventoryState.ACTIVE
    assert account.state("conn5g") is InventoryState.INACTIVE
    assert account.state("router5g") is InventoryState.INACTIVE
    assert account.state("mbb") is InventoryState.ACTIVE
    assert [(c.from_state, c.to_state) for c in plan.return_changes] == [
        (ReturnState.AUTHORIZED, ReturnState.CANCELLED)
    ]
    cancelled = {c.record_id: c.from_state for c in plan.task_changes}
    tasks = {t.id: t for d in domain_orders for t in d.tasks}
    assert {tasks[i].name for i in cancelled} == {t.name for t in tasks.values()} - {"Validate order"}
    assert TaskState.IN_PROGRESS in cancelled.values()
    assert {c.record_id for c in plan.domain_order_changes} == {d.id for d in domain_orders}
    assert {c.record_id for c in plan.work_order_changes} == {w.id for w in decomposition.work_orders}
    assert all(c.to_state is TaskState.CANCELLED for c in plan.task_changes + plan.domain_order_changes)


def test_cancelling_after_the_point_of_no_return_is_refused_naming_the_task() -> None:
    scenario, record, decomposition = _approved()
    domain_orders = _set_task(decomposition.domain_orders, "Activate service", TaskState.CLOSED_COMPLETE)
    activate = next(t for d in domain_orders for t in d.tasks if t.name == "Activate service")

    with pytest.raises(RuleError) as raised:
        _cancel(scenario, record, domain_orders, decomposition.returns)

    (violation,) = raised.value.violations
    assert violation.code is ErrorCode.PAST_POINT_OF_NO_RETURN
    assert violation.ids == (activate.id,)
    assert "Activate service" in violation.message


def test_a_point_of_no_return_task_still_in_progress_does_not_block_cancellation() -> None:
    scenario, record, decomposition = _approved()
    domain_orders = _set_task(decomposition.domain_orders, "Activate service", TaskState.IN_PROGRESS)

    plan = _cancel(scenario, record, domain_orders, decomposition.returns)

    assert plan.order_state is OrderState.CANCELLED


def test_a_device_already_received_stays_received_and_is_noted() -> None:
    scenario, record, decomposition = _approved()
    (rma,) = decomposition.returns
    received = replace(rma, state=ReturnState.RECEIVED)

    plan = _cancel(scenario, record, decomposition.domain_orders, (received,))

    assert plan.return_changes == ()
    assert any(rma.id in note and "received" in note for note in plan.notes)


def test_finished_domain_and_work_orders_stay_closed_and_are_noted() -> None:
    scenario, record, decomposition = _approved()
    product = decomposition.domain_order(DomainOrderKind.PRODUCT)
    assert product is not None
    closed_product = replace(
        product,
        state=TaskState.CLOSED_COMPLETE,
        tasks=tuple(replace(t, state=TaskState.CLOSED_COMPLETE) for t in product.tasks),
    )
    domain_orders = tuple(closed_product if d.id == product.id else d for d in decomposition.domain_orders)
    collected = next(w for w in decomposition.work_orders if w.kind is WorkOrderKind.COLLECT_DEVICE)
    work_orders: tuple[WorkOrder, ...] = tuple(
        replace(w, state=WorkOrderState.CLOSED_COMPLETE) if w.id == collected.id else w
        for w in decomposition.work_orders
    )

    plan = _cancel(scenario, record, domain_orders, decomposition.returns, work_orders)

    assert product.id not in {c.record_id for c in plan.domain_order_changes}
    assert not {t.id for t in product.tasks} & {c.record_id for c in plan.task_changes}
    assert collected.id not in {c.record_id for c in plan.work_order_changes}
    assert any(product.id in note for note in plan.notes)
    assert any(collected.id in note for note in plan.notes)


def test_a_disconnect_of_a_suspended_item_restores_it_to_suspended() -> None:
    addon = item("a", "ADDON", state=InventoryState.SUSPENDED)
    the_order = order(line("L1", LineAction.DISCONNECT, addon))
    approval = approval_effects(the_order, by_id(addon), Ids())
    pending = replace(addon, state=InventoryState.DISCONNECT_PENDING)

    plan = cancellation_effects(
        replace(the_order, state=OrderState.IN_PROGRESS), by_id(pending), (), (), approval.record
    )

    assert [(c.item_id, c.from_state, c.to_state) for c in plan.state_changes] == [
        ("a", InventoryState.DISCONNECT_PENDING, InventoryState.SUSPENDED)
    ]


def test_a_pending_item_without_a_recorded_state_goes_back_to_active_with_a_note() -> None:
    plan_item = item("p", "PLAN", state=InventoryState.CHANGE_PENDING)
    the_order = order(line("L1", LineAction.CHANGE, plan_item), state=OrderState.IN_PROGRESS)

    plan = cancellation_effects(the_order, by_id(plan_item), (), ())

    assert [(c.item_id, c.to_state) for c in plan.state_changes] == [("p", InventoryState.ACTIVE)]
    assert any("p" in note and "ACTIVE" in note for note in plan.notes)


def test_an_interrupted_cancellation_can_be_planned_again_without_repeating_itself() -> None:
    scenario, record, decomposition = _approved()
    first = _cancel(scenario, record, decomposition.domain_orders, decomposition.returns)
    scenario.account.apply_cancellation(first)
    scenario.order = replace(scenario.order, state=OrderState.CANCELLATION_IN_PROGRESS)

    again = _cancel(scenario, record, (), ())

    assert again.state_changes == ()
    assert again.order_state is OrderState.CANCELLED


@pytest.mark.parametrize("state", [OrderState.COMPLETED, OrderState.REJECTED, OrderState.CANCELLED])
def test_a_finished_order_cannot_be_cancelled(state: OrderState) -> None:
    scenario = four_g_to_five_g()

    with pytest.raises(RuleError) as raised:
        cancellation_effects(replace(scenario.order, state=state), targets(scenario), (), ())

    (violation,) = raised.value.violations
    assert (violation.code, violation.ids) == (ErrorCode.INVALID_STATE, ("ORD-1",))
    assert state.value in violation.message
