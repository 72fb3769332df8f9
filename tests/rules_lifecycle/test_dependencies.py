"""R13: tasks run in the order the catalog defines, and a removal waits for its replacement."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from rules.fulfillment import Decomposition, DomainOrder, OrderTask, decompose
from rules.lifecycle_model import (
    DomainOrderKind,
    FailureCategory,
    TaskDependency,
    TaskState,
    TaskTemplate,
    WorkOrderKind,
    WorkOrderState,
)
from rules.model import ErrorCode, LineAction, RuleError
from rules.schedule import Jeopardy, jeopardy, plan_tasks
from rules.task_flow import OrderFlow, blockers, fail_task, is_ready, require_ready, retry_task

from .builders import Ids, line, order
from .scenarios import four_g_to_five_g, targets

P, S, R = DomainOrderKind.PRODUCT, DomainOrderKind.SERVICE, DomainOrderKind.RESOURCE

SERVICE_STEPS = (
    TaskTemplate("Design service", S, actions=(LineAction.ADD, LineAction.CHANGE), after=(TaskDependency(P, "Validate order"),)),
    TaskTemplate("Activate service", S, True, (LineAction.ADD, LineAction.CHANGE),
                 after=(TaskDependency(R, "Ship device"),), activation=True, duration_hours=4),
    TaskTemplate("Deactivate service", S, True, (LineAction.DISCONNECT,),
                 after=(TaskDependency(S, "Activate service", make_before_break=True),)),
)
PRODUCT_STEPS = (
    TaskTemplate("Validate order", P),
    TaskTemplate("Update billing", P, after=(TaskDependency(S, "Activate service"), TaskDependency(S, "Deactivate service"))),
)
DEVICE_STEPS = (
    *PRODUCT_STEPS,
    TaskTemplate("Reserve device", R, actions=(LineAction.ADD, LineAction.CHANGE)),
    TaskTemplate("Ship device", R, actions=(LineAction.ADD, LineAction.CHANGE), work_order=WorkOrderKind.SHIP_DEVICE),
    TaskTemplate("Collect device", R, actions=(LineAction.DISCONNECT,), after=(TaskDependency(S, "Deactivate service"),)),
)
TEMPLATES = {
    "SVC-CONN-4G": SERVICE_STEPS, "SVC-CONN-5G": SERVICE_STEPS,
    "MBB": PRODUCT_STEPS, "CONN-4G": PRODUCT_STEPS, "CONN-5G": PRODUCT_STEPS,
    "ROUTER-4G": DEVICE_STEPS, "ROUTER-5G": DEVICE_STEPS,
}


def _upgrade() -> Decomposition:
    scenario = four_g_to_five_g()
    return decompose(scenario.order, targets(scenario), scenario.specs, TEMPLATES, scenario.service_specs_of, Ids())


def _task(plan: Decomposition | list[DomainOrder], name: str) -> OrderTask:
    tasks = plan.tasks if isinstance(plan, Decomposition) else [t for d in plan for t in d.tasks]
    return next(t for t in tasks if t.name == name)


def _done(domain_orders: list[DomainOrder], *names: str) -> list[DomainOrder]:
    return [
        replace(d, tasks=tuple(replace(t, state=TaskState.CLOSED_COMPLETE) if t.name in names else t for t in d.tasks))
        for d in domain_orders
    ]


def test_sequences_follow_the_catalogs_dependencies_so_the_removal_comes_after_the_activation() -> None:
    plan = _upgrade()

    service = plan.domain_order(S)
    resource = plan.domain_order(R)
    assert service and resource
    assert [t.name for t in service.tasks] == ["Design service", "Activate service", "Deactivate service"]
    assert [t.name for t in resource.tasks] == ["Reserve device", "Ship device", "Collect device"]
    deactivate, activate = _task(plan, "Deactivate service"), _task(plan, "Activate service")
    assert activate.id in deactivate.depends_on
    assert _task(plan, "Ship device").id in activate.depends_on
    assert set(_task(plan, "Update billing").depends_on) >= {activate.id, deactivate.id}
    # Within a domain order every task waits for the one before it.
    assert _task(plan, "Design service").id in activate.depends_on
    assert activate.activation and activate.duration_hours == 4
    assert _task(plan, "Ship device").work_order is WorkOrderKind.SHIP_DEVICE


def test_make_before_break_holds_only_when_the_order_replaces_what_it_removes() -> None:
    scenario = four_g_to_five_g()
    conn4, conn5 = scenario.account.items["conn4g"], scenario.account.items["conn5g"]
    # Disconnect 4G and change 5G under different bundles: nothing replaces the 4G service.
    elsewhere = order(
        line("L-conn4g", LineAction.DISCONNECT, conn4),
        line("L-conn5g", LineAction.CHANGE, replace(conn5, parent_id=None), changes={"speed": "1G"}),
    )
    plan = decompose(elsewhere, targets(scenario), scenario.specs, TEMPLATES, scenario.service_specs_of, Ids())

    deactivate, activate = _task(plan, "Deactivate service"), _task(plan, "Activate service")
    assert activate.id not in deactivate.depends_on


def test_a_task_is_ready_only_when_what_it_depends_on_is_done() -> None:
    domain_orders = list(_upgrade().domain_orders)
    flow = OrderFlow("ORD-1", domain_orders)
    deactivate = _task(domain_orders, "Deactivate service")

    assert is_ready(flow, _task(domain_orders, "Validate order"))
    assert not is_ready(flow, deactivate)
    with pytest.raises(RuleError) as refused:
        require_ready(flow, deactivate.id)
    (violation,) = refused.value.violations
    assert violation.code is ErrorCode.TASK_NOT_READY
    assert _task(domain_orders, "Activate service").id in violation.ids

    everything_before = _done(domain_orders, "Validate order", "Design service", "Reserve device", "Ship device",
                              "Activate service")
    assert is_ready(OrderFlow("ORD-1", everything_before), _task(everything_before, "Deactivate service"))


def test_field_work_a_hold_and_the_requested_start_keep_a_task_waiting() -> None:
    domain_orders = _done(list(_upgrade().domain_orders), "Validate order", "Reserve device")
    ship = _task(domain_orders, "Ship device")
    plan = _upgrade()
    shipping = next(w for w in plan.work_orders if w.kind is WorkOrderKind.SHIP_DEVICE)
    now = datetime(2026, 3, 12, 9, tzinfo=UTC)

    waiting = OrderFlow("ORD-1", domain_orders, [shipping], now=now)
    assert [w.id for w in blockers(waiting, ship).work_orders] == [shipping.id]
    delivered = OrderFlow("ORD-1", domain_orders, [replace(shipping, state=WorkOrderState.CLOSED_COMPLETE)], now=now)
    assert is_ready(delivered, ship)

    held = replace(delivered, on_hold=True)
    with pytest.raises(RuleError) as refused:
        require_ready(held, ship.id)
    assert refused.value.violations[0].code is ErrorCode.ORDER_ON_HOLD

    early = replace(delivered, starts_at=now + timedelta(days=1))
    assert blockers(early, ship).not_started and not is_ready(early, ship)


def test_a_dependency_cycle_in_the_catalog_refuses_the_decomposition() -> None:
    scenario = four_g_to_five_g()
    looping = {
        **TEMPLATES,
        "ROUTER-5G": (
            *PRODUCT_STEPS,
            # Activation waits for the shipment, and this shipment for the activation.
            TaskTemplate("Ship device", R, after=(TaskDependency(S, "Activate service"),)),
        ),
    }
    with pytest.raises(RuleError) as refused:
        decompose(scenario.order, targets(scenario), scenario.specs, looping, scenario.service_specs_of, Ids())
    (violation,) = refused.value.violations
    assert violation.code is ErrorCode.DEPENDENCY_CYCLE
    assert {"Ship device", "Activate service"} <= set(violation.ids)


def test_failing_and_retrying_keep_count_of_attempts() -> None:
    task = _task(_upgrade(), "Activate service")
    assert fail_task(task, "  HLR timeout ", FailureCategory.PROVISIONING) == "HLR timeout"
    with pytest.raises(RuleError) as blank:
        fail_task(task, " ", FailureCategory.PROVISIONING)
    assert blank.value.violations[0].code is ErrorCode.INVALID_INPUT
    failed = replace(task, state=TaskState.FAILED)
    assert retry_task(failed) == 2 and retry_task(replace(failed, attempt=2)) == 3
    with pytest.raises(RuleError) as not_failed:
        retry_task(task)
    assert not_failed.value.violations[0].code is ErrorCode.INVALID_STATE
    with pytest.raises(RuleError) as closed:
        fail_task(replace(task, state=TaskState.CLOSED_COMPLETE), "late", FailureCategory.PROVISIONING)
    assert closed.value.violations[0].code is ErrorCode.TASK_NOT_OPEN


def test_due_dates_follow_dependencies_and_jeopardy_grows_with_the_time_used() -> None:
    plan = _upgrade()
    start = datetime(2026, 3, 12, 8, tzinfo=UTC)
    dates = plan_tasks(plan.domain_orders, start)

    activate, ship = _task(plan, "Activate service"), _task(plan, "Ship device")
    assert dates[_task(plan, "Validate order").id].planned_start == start
    assert dates[activate.id].planned_start >= dates[ship.id].due
    assert dates[activate.id].due - dates[activate.id].planned_start == timedelta(hours=4)

    begin, due = dates[activate.id].planned_start, dates[activate.id].due
    assert jeopardy(begin, due, begin + timedelta(hours=1)) is Jeopardy.NONE
    assert jeopardy(begin, due, begin + timedelta(hours=2)) is Jeopardy.LOW
    assert jeopardy(begin, due, begin + timedelta(hours=3)) is Jeopardy.MEDIUM
    assert jeopardy(begin, due, begin + timedelta(hours=3.7)) is Jeopardy.HIGH
    assert jeopardy(begin, due, due) is Jeopardy.CRITICAL
    assert jeopardy(begin, due, due + timedelta(days=3), is_open=False) is Jeopardy.NONE
