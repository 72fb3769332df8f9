"""R8-R10: what completion does to items, services and entitlements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pytest

from rules.effects import ApprovalRecord, CompletionPlan, completion_effects
from rules.fulfillment import realized_as
from rules.lifecycle_model import EntitlementItem, EntitlementState, ServiceItem, ServiceState
from rules.model import (
    ErrorCode,
    InventoryItem,
    InventoryState,
    LineAction,
    Order,
    OrderLine,
    OrderState,
    RuleError,
)

from .builders import TODAY, Ids, by_id, catalog, entitlement, item, line, order, service, spec

SPECS = catalog(
    spec("PLAN", services=("SVC-DATA", "SVC-VOICE")), spec("ADDON"), spec("ROUTER", physical=True)
)


def _complete(
    the_order: Order,
    items: Mapping[str, InventoryItem],
    *,
    services: Sequence[ServiceItem] = (),
    entitlements: Sequence[EntitlementItem] = (),
    contract: str | None = "CON-1",
    today: date = TODAY,
    approval: ApprovalRecord | None = None,
) -> CompletionPlan:
    services_of: dict[str, list[ServiceItem]] = {}
    for s in services:
        services_of.setdefault(s.product_id, []).append(s)
    entitlements_of: dict[str, list[EntitlementItem]] = {}
    for e in entitlements:
        entitlements_of.setdefault(e.product_id, []).append(e)
    return completion_effects(
        the_order,
        items,
        approval or ApprovalRecord(),
        services_of,
        entitlements_of,
        SPECS,
        realized_as(SPECS),
        contract,
        today,
        Ids(),
    )


def _in_progress(*lines: OrderLine) -> Order:
    return order(*lines, state=OrderState.IN_PROGRESS)


def test_a_change_lands_its_characteristics_and_updates_the_entitlement() -> None:
    plan_item = item("p", "PLAN", state=InventoryState.CHANGE_PENDING, speed="100", plan="basic")
    change = line("L1", LineAction.CHANGE, plan_item, changes={"speed": "500"})

    plan = _complete(
        _in_progress(change),
        by_id(plan_item),
        services=[service("s1", plan_item)],
        entitlements=[
            entitlement("e1", plan_item),
            entitlement("e-old", plan_item, EntitlementState.CANCELLED),
        ],
    )

    assert [(c.item_id, c.from_state, c.to_state) for c in plan.state_changes] == [
        ("p", InventoryState.CHANGE_PENDING, InventoryState.ACTIVE)
    ]
    assert [(u.item_id, u.characteristics) for u in plan.characteristic_updates] == [
        ("p", {"speed": "500", "plan": "basic"})
    ]
    assert [(u.entitlement_id, u.line_id, u.changes) for u in plan.entitlement_updates] == [
        ("e1", "L1", change.characteristic_changes)
    ]
    assert plan.service_changes == ()
    assert plan.new_services == ()
    assert plan.order_state is OrderState.COMPLETED


def test_an_added_product_gets_a_service_per_realizing_spec_and_an_entitlement() -> None:
    plan_item = item("p", "PLAN", state=InventoryState.INSTALLATION_PENDING)
    addon = item("a", "ADDON", state=InventoryState.INSTALLATION_PENDING)

    plan = _complete(
        _in_progress(line("L1", LineAction.ADD, plan_item), line("L2", LineAction.ADD, addon)),
        by_id(plan_item, addon),
    )

    assert {(c.item_id, c.to_state) for c in plan.state_changes} == {
        ("p", InventoryState.ACTIVE),
        ("a", InventoryState.ACTIVE),
    }
    assert [(s.product_id, s.spec_id, s.state) for s in plan.new_services] == [
        ("p", "SVC-DATA", ServiceState.ACTIVE),
        ("p", "SVC-VOICE", ServiceState.ACTIVE),
    ]
    assert [(e.product_id, e.contract_id, e.state, e.end_date) for e in plan.new_entitlements] == [
        ("p", "CON-1", EntitlementState.ACTIVE, None),
        ("a", "CON-1", EntitlementState.ACTIVE, None),
    ]
    assert len({s.id for s in plan.new_services} | {e.id for e in plan.new_entitlements}) == 4


def test_without_an_active_contract_an_added_product_gets_no_entitlement_and_the_plan_says_so() -> None:
    addon = item("a", "ADDON", state=InventoryState.INSTALLATION_PENDING)

    plan = _complete(_in_progress(line("L1", LineAction.ADD, addon)), by_id(addon), contract=None)

    assert plan.new_entitlements == ()
    assert plan.items_without_entitlement == ("a",)
    assert any("no active contract" in note for note in plan.notes)
    assert [(c.item_id, c.to_state) for c in plan.state_changes] == [("a", InventoryState.ACTIVE)]


def test_a_disconnect_terminates_services_and_cancels_live_entitlements_only() -> None:
    addon = item("a", "PLAN", state=InventoryState.DISCONNECT_PENDING)

    plan = _complete(
        _in_progress(line("L1", LineAction.DISCONNECT, addon)),
        by_id(addon),
        services=[
            service("s-active", addon),
            service("s-inactive", addon, ServiceState.INACTIVE),
            service("s-gone", addon, ServiceState.TERMINATED),
        ],
        entitlements=[
            entitlement("e-active", addon),
            entitlement("e-suspended", addon, EntitlementState.SUSPENDED),
            entitlement("e-expired", addon, EntitlementState.EXPIRED),
        ],
    )

    assert [(c.item_id, c.to_state) for c in plan.state_changes] == [("a", InventoryState.INACTIVE)]
    assert [(c.service_id, c.from_state, c.to_state) for c in plan.service_changes] == [
        ("s-active", ServiceState.ACTIVE, ServiceState.TERMINATED),
        ("s-inactive", ServiceState.INACTIVE, ServiceState.TERMINATED),
    ]
    assert [(c.entitlement_id, c.from_state, c.to_state) for c in plan.entitlement_changes] == [
        ("e-active", EntitlementState.ACTIVE, EntitlementState.CANCELLED),
        ("e-suspended", EntitlementState.SUSPENDED, EntitlementState.CANCELLED),
    ]


def test_no_change_lines_change_nothing() -> None:
    bundle = item("b", "PLAN")

    plan = _complete(
        _in_progress(line("L1", LineAction.NO_CHANGE, bundle)), {}, services=[service("s", bundle)]
    )

    assert plan.state_changes == ()
    assert plan.service_changes == ()
    assert plan.entitlement_changes == ()


@pytest.mark.parametrize("state", [s for s in OrderState if s is not OrderState.IN_PROGRESS])
def test_only_an_order_in_progress_completes(state: OrderState) -> None:
    addon = item("a", "ADDON", state=InventoryState.INSTALLATION_PENDING)

    with pytest.raises(RuleError) as raised:
        _complete(order(line("L1", LineAction.ADD, addon), state=state), by_id(addon))

    (violation,) = raised.value.violations
    assert (violation.code, violation.ids) == (ErrorCode.INVALID_STATE, ("ORD-1",))
