"""R5, R8-R10 for suspend and resume: items, services and entitlements follow, expiry on resume."""

from __future__ import annotations

from datetime import timedelta

from rules.effects import ApprovalRecord, approval_effects, completion_effects
from rules.fulfillment import decompose, realized_as
from rules.lifecycle_model import DomainOrderKind, EntitlementState, ServiceState
from rules.model import InventoryState, LineAction, OrderAction, OrderLine, OrderState

from .builders import TODAY, Account, Ids, by_id, catalog, entitlement, item, line, order, service, spec

SPECS = catalog(spec("BUNDLE"), spec("PLAN", services=("SVC-DATA",)), spec("ROUTER", physical=True))


def _account(
    state: InventoryState, entitlement_state: EntitlementState, service_state: ServiceState
) -> Account:
    bundle = item("b", "BUNDLE", state=state)
    plan_item = item("p", "PLAN", parent="b", state=state)
    router = item("r", "ROUTER", parent="b", state=state)
    return Account(
        items=by_id(bundle, plan_item, router),
        services={"s-p": service("s-p", plan_item, service_state)},
        entitlements={
            "e-b": entitlement("e-b", bundle, entitlement_state),
            "e-p": entitlement("e-p", plan_item, entitlement_state, end_date=TODAY - timedelta(days=1)),
            "e-r": entitlement("e-r", router, entitlement_state, end_date=TODAY),
        },
        roots=["b"],
    )


def _lines(account: Account, action: LineAction) -> tuple[OrderLine, ...]:
    items = account.items
    return (
        line("L-b", action, items["b"]),
        line("L-p", action, items["p"], parent="L-b"),
        line("L-r", action, items["r"], parent="L-b"),
    )


def _run(account: Account, action: LineAction) -> None:
    the_order = order(*_lines(account, action), action=OrderAction(action.value))
    approval = approval_effects(the_order, account.items, Ids())
    account.apply_approval(approval)
    assert approval.state_changes == ()
    plan = completion_effects(
        order(*the_order.lines, state=OrderState.IN_PROGRESS),
        account.items,
        ApprovalRecord(),
        account.services_of(),
        account.entitlements_of(),
        SPECS,
        realized_as(SPECS),
        "CON-1",
        TODAY,
        Ids(),
    )
    account.apply_completion(plan)
    assert plan.new_services == ()
    assert plan.new_entitlements == ()


def test_suspending_a_bundle_suspends_items_services_and_entitlements() -> None:
    account = _account(InventoryState.ACTIVE, EntitlementState.ACTIVE, ServiceState.ACTIVE)

    _run(account, LineAction.SUSPEND)

    assert {i.state for i in account.items.values()} == {InventoryState.SUSPENDED}
    assert account.services["s-p"].state is ServiceState.INACTIVE
    assert {e.state for e in account.entitlements.values()} == {EntitlementState.SUSPENDED}


def test_resuming_reactivates_entitlements_and_expires_those_past_their_end_date() -> None:
    account = _account(InventoryState.SUSPENDED, EntitlementState.SUSPENDED, ServiceState.INACTIVE)

    _run(account, LineAction.RESUME)

    assert {i.state for i in account.items.values()} == {InventoryState.ACTIVE}
    assert account.services["s-p"].state is ServiceState.ACTIVE
    assert account.entitlements["e-b"].state is EntitlementState.ACTIVE  # no end date
    assert account.entitlements["e-p"].state is EntitlementState.EXPIRED  # ended yesterday
    assert account.entitlements["e-r"].state is EntitlementState.ACTIVE  # ends today: still valid


def test_resuming_leaves_cancelled_entitlements_alone() -> None:
    account = _account(InventoryState.SUSPENDED, EntitlementState.CANCELLED, ServiceState.TERMINATED)

    _run(account, LineAction.RESUME)

    assert {e.state for e in account.entitlements.values()} == {EntitlementState.CANCELLED}
    assert account.services["s-p"].state is ServiceState.TERMINATED


def test_suspend_and_resume_never_ship_or_return_a_device() -> None:
    account = _account(InventoryState.ACTIVE, EntitlementState.ACTIVE, ServiceState.ACTIVE)

    plan = decompose(
        order(*_lines(account, LineAction.SUSPEND), action=OrderAction.SUSPEND),
        account.items,
        SPECS,
        {},
        realized_as(SPECS),
        Ids(),
    )

    assert [d.kind for d in plan.domain_orders] == [DomainOrderKind.PRODUCT, DomainOrderKind.SERVICE]
    assert plan.work_orders == ()
    assert plan.returns == ()
