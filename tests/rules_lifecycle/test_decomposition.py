"""R7, R9, R11: which domain orders, tasks, work orders and RMAs an approved order produces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from rules.fulfillment import Decomposition, DomainOrder, decompose, realized_as
from rules.lifecycle_model import DomainOrderKind, ReturnReason, TaskState, TaskTemplate, WorkOrderKind
from rules.model import ErrorCode, InventoryItem, InventoryState, LineAction, OrderLine, RuleError

from .builders import HOME, NEW_HOME, Ids, by_id, catalog, item, line, order, spec

SPECS = catalog(
    spec("BUNDLE", services=("SVC-BUNDLE",)),
    spec("PLAN", services=("SVC-DATA", "SVC-VOICE")),
    spec("ROUTER", physical=True),
    spec("ADDON"),
)
P, S, R = DomainOrderKind.PRODUCT, DomainOrderKind.SERVICE, DomainOrderKind.RESOURCE


def _decompose(
    *lines: OrderLine,
    templates: Mapping[str, Sequence[TaskTemplate]] | None = None,
    items: Mapping[str, InventoryItem] | None = None,
) -> Decomposition:
    return decompose(order(*lines), items or {}, SPECS, templates or {}, realized_as(SPECS), Ids())


def _only(plan: Decomposition, kind: DomainOrderKind) -> DomainOrder:
    domain_order = plan.domain_order(kind)
    assert domain_order is not None, f"no {kind} domain order"
    return domain_order


def _names(domain_order: DomainOrder) -> list[str]:
    return [t.name for t in domain_order.tasks]


def test_no_change_lines_get_no_fulfillment_work() -> None:
    plan = _decompose(line("L1", LineAction.NO_CHANGE, item("b", "BUNDLE")))

    assert plan.domain_orders == ()
    assert plan.work_orders == ()
    assert plan.returns == ()


def test_every_working_line_joins_the_product_order_and_only_realized_lines_join_the_service_order() -> None:
    plan = _decompose(
        line("L0", LineAction.NO_CHANGE, item("b", "BUNDLE")),
        line("L1", LineAction.CHANGE, item("p", "PLAN"), parent="L0"),
        line("L2", LineAction.CHANGE, item("a", "ADDON"), parent="L0"),
    )

    assert _only(plan, P).line_ids == ("L1", "L2")
    assert _only(plan, S).line_ids == ("L1",)
    assert plan.domain_order(R) is None
    assert [d.kind for d in plan.domain_orders] == [P, S]


def test_domain_orders_start_open_and_their_tasks_point_back_to_them() -> None:
    plan = _decompose(line("L1", LineAction.CHANGE, item("p", "PLAN")))

    for domain_order in plan.domain_orders:
        assert domain_order.state is TaskState.OPEN
        assert {t.domain_order_id for t in domain_order.tasks} == {domain_order.id}
        assert [t.sequence for t in domain_order.tasks] == list(range(1, len(domain_order.tasks) + 1))
        assert all(t.state is TaskState.OPEN for t in domain_order.tasks)
    assert len({t.id for t in plan.tasks}) == len(plan.tasks)


def test_defaults_apply_when_the_catalog_has_no_templates() -> None:
    plan = _decompose(line("L1", LineAction.CHANGE, item("p", "PLAN")))

    assert _names(_only(plan, P)) == ["Validate order", "Update billing"]
    assert [(t.name, t.point_of_no_return) for t in _only(plan, S).tasks] == [
        ("Design service", False),
        ("Activate service", True),
    ]
    assert not any(t.point_of_no_return for t in _only(plan, P).tasks)


def test_catalog_templates_replace_the_defaults_of_their_domain_only() -> None:
    templates = {
        "PLAN": (
            TaskTemplate("Check credit", P),
            TaskTemplate("Rate plan", P, point_of_no_return=True),
        ),
        "SVC-DATA": (TaskTemplate("Provision APN", S),),
    }

    plan = _decompose(line("L1", LineAction.CHANGE, item("p", "PLAN")), templates=templates)

    assert [(t.name, t.point_of_no_return) for t in _only(plan, P).tasks] == [
        ("Check credit", False),
        ("Rate plan", True),
    ]
    # SVC-DATA has its own template; SVC-VOICE has none and falls back to the defaults.
    assert _names(_only(plan, S)) == ["Provision APN", "Design service", "Activate service"]


def test_tasks_are_deduplicated_by_name_in_first_seen_order() -> None:
    templates = {
        "PLAN": (TaskTemplate("Validate order", P), TaskTemplate("Update billing", P)),
        "ADDON": (TaskTemplate("Update billing", P), TaskTemplate("Notify partner", P)),
    }

    plan = _decompose(
        line("L1", LineAction.CHANGE, item("p1", "PLAN")),
        line("L2", LineAction.CHANGE, item("a1", "ADDON")),
        line("L3", LineAction.CHANGE, item("p2", "PLAN")),
        templates=templates,
    )

    product = _only(plan, P)
    assert _names(product) == ["Validate order", "Update billing", "Notify partner"]
    assert [t.sequence for t in product.tasks] == [1, 2, 3]
    # Two service specs with default templates still give one task per name.
    assert _names(_only(plan, S)) == ["Design service", "Activate service"]


def test_a_deduplicated_task_is_a_point_of_no_return_when_any_of_its_templates_is() -> None:
    templates = {
        "PLAN": (TaskTemplate("Update billing", P),),
        "ADDON": (TaskTemplate("Update billing", P, point_of_no_return=True),),
    }

    plan = _decompose(
        line("L1", LineAction.CHANGE, item("p", "PLAN")),
        line("L2", LineAction.CHANGE, item("a", "ADDON")),
        templates=templates,
    )

    assert [(t.name, t.point_of_no_return) for t in _only(plan, P).tasks] == [("Update billing", True)]


def test_no_point_of_no_return_beyond_what_the_templates_say() -> None:
    templates = {
        "SVC-DATA": (TaskTemplate("Activate service", S),),
        "SVC-VOICE": (TaskTemplate("Port number", S),),
    }

    plan = _decompose(line("L1", LineAction.CHANGE, item("p", "PLAN")), templates=templates)

    assert not any(t.point_of_no_return for t in plan.tasks)


def test_a_template_counts_only_where_its_spec_takes_part_in_that_domain() -> None:
    templates = {"ADDON": (TaskTemplate("Validate order", P), TaskTemplate("Stage hardware", R))}

    plan = _decompose(line("L1", LineAction.CHANGE, item("a", "ADDON")), templates=templates)

    assert plan.domain_order(R) is None
    assert _names(_only(plan, P)) == ["Validate order"]


def test_a_template_limited_to_some_actions_applies_only_to_lines_with_those_actions() -> None:
    templates = {
        "ROUTER": (
            TaskTemplate("Pick from stock", R, actions=(LineAction.ADD,)),
            TaskTemplate("Courier pickup", R, actions=(LineAction.DISCONNECT,)),
        )
    }
    new = item("r1", "ROUTER", state=InventoryState.INSTALLATION_PENDING)
    old = item("r2", "ROUTER")
    kept = item("r3", "ROUTER", model="R1")

    added = _decompose(line("L1", LineAction.ADD, new), templates=templates)
    removed = _decompose(line("L1", LineAction.DISCONNECT, old), templates=templates)
    changed = _decompose(line("L1", LineAction.CHANGE, kept, changes={"firmware": "2"}), templates=templates)

    assert _names(_only(added, R)) == ["Pick from stock"]
    assert _names(_only(removed, R)) == ["Courier pickup"]
    assert _names(_only(changed, R)) == ["Configure device"]  # nothing applies: the defaults do


def test_a_physical_add_reserves_and_ships_a_device_to_its_location() -> None:
    router = item("r", "ROUTER", state=InventoryState.INSTALLATION_PENDING)

    plan = _decompose(line("L1", LineAction.ADD, router), items=by_id(router))

    assert _names(_only(plan, R)) == ["Reserve device", "Ship device"]
    assert [(w.kind, w.line_ids, w.item_id, w.location_id) for w in plan.work_orders] == [
        (WorkOrderKind.SHIP_DEVICE, ("L1",), "r", HOME)
    ]
    assert plan.returns == ()


def test_a_physical_disconnect_collects_the_device_and_authorizes_its_return() -> None:
    router = item("r", "ROUTER")

    plan = _decompose(line("L1", LineAction.DISCONNECT, router), items=by_id(router))

    assert _names(_only(plan, R)) == ["Collect device"]
    assert [(w.kind, w.item_id, w.location_id) for w in plan.work_orders] == [
        (WorkOrderKind.COLLECT_DEVICE, "r", HOME)
    ]
    assert [(r.line_id, r.item_id, r.reason) for r in plan.returns] == [("L1", "r", ReturnReason.DISCONNECT)]


def test_a_model_change_is_a_device_swap_shipping_one_and_returning_the_other() -> None:
    router = item("r", "ROUTER", model="R1", firmware="1.0")

    plan = _decompose(line("L1", LineAction.CHANGE, router, changes={"model": "R2"}), items=by_id(router))

    assert _names(_only(plan, R)) == ["Reserve device", "Ship device", "Collect device"]
    assert [w.kind for w in plan.work_orders] == [WorkOrderKind.SHIP_DEVICE, WorkOrderKind.COLLECT_DEVICE]
    assert [(r.item_id, r.reason) for r in plan.returns] == [("r", ReturnReason.DEVICE_SWAP)]


@pytest.mark.parametrize(
    "changes",
    [{"firmware": "2.0"}, {"model": "R1"}, {}],
    ids=["other characteristic", "same model", "no characteristic"],
)
def test_a_change_that_keeps_the_device_needs_no_field_work_and_no_return(changes: dict[str, str]) -> None:
    router = item("r", "ROUTER", model="R1", firmware="1.0")

    plan = _decompose(line("L1", LineAction.CHANGE, router, changes=changes), items=by_id(router))

    assert _names(_only(plan, R)) == ["Configure device"]
    assert plan.work_orders == ()
    assert plan.returns == ()


@pytest.mark.parametrize("action", [LineAction.SUSPEND, LineAction.RESUME])
def test_suspend_and_resume_get_product_and_service_work_only(action: LineAction) -> None:
    router = item("r", "ROUTER")
    bundle = item("b", "BUNDLE")

    plan = _decompose(
        line("L1", action, bundle), line("L2", action, router, parent="L1"), items=by_id(router)
    )

    assert [d.kind for d in plan.domain_orders] == [P, S]
    assert _only(plan, P).line_ids == ("L1", "L2")
    assert _only(plan, S).line_ids == ("L1",)
    assert plan.work_orders == ()
    assert plan.returns == ()


def test_a_move_installs_each_new_site_once_and_returns_the_device_it_leaves_behind() -> None:
    bundle = item("b", "BUNDLE")
    plan_item = item("p", "PLAN", parent="b")
    router = item("r", "ROUTER", parent="b")
    new_router = item("r2", "ROUTER", parent="b", state=InventoryState.INSTALLATION_PENDING)
    other = item("b2", "BUNDLE")

    plan = _decompose(
        line("L1", LineAction.CHANGE, bundle, move=True, to=NEW_HOME),
        line("L2", LineAction.CHANGE, plan_item, parent="L1", move=True, to=NEW_HOME),
        line("L3", LineAction.DISCONNECT, router, parent="L1", move=True, to=NEW_HOME),
        line("L4", LineAction.ADD, new_router, parent="L1", move=True, to=NEW_HOME),
        line("L5", LineAction.CHANGE, other, move=True, to="LOC-OFFICE"),
        items=by_id(bundle, plan_item, router, new_router, other),
    )

    sites = [(w.location_id, w.line_ids) for w in plan.work_orders if w.kind is WorkOrderKind.SITE_INSTALL]
    assert sites == [(NEW_HOME, ("L1", "L2", "L4")), ("LOC-OFFICE", ("L5",))]
    devices = [(w.kind, w.item_id, w.location_id) for w in plan.work_orders if w.item_id]
    assert devices == [
        (WorkOrderKind.COLLECT_DEVICE, "r", HOME),
        (WorkOrderKind.SHIP_DEVICE, "r2", NEW_HOME),
    ]
    assert [(r.line_id, r.item_id, r.reason) for r in plan.returns] == [
        ("L3", "r", ReturnReason.MOVE_NOT_KEPT)
    ]


def test_a_move_line_marked_no_change_still_counts_as_a_change() -> None:
    bundle = item("b", "BUNDLE")

    plan = _decompose(line("L1", LineAction.NO_CHANGE, bundle, move=True, to=NEW_HOME))

    assert _only(plan, P).line_ids == ("L1",)
    assert [w.kind for w in plan.work_orders] == [WorkOrderKind.SITE_INSTALL]


def test_a_line_on_an_unknown_specification_is_refused() -> None:
    ghost = item("g", "GHOST")

    with pytest.raises(RuleError) as raised:
        _decompose(line("L1", LineAction.CHANGE, ghost))

    (violation,) = raised.value.violations
    assert violation.code is ErrorCode.NOT_FOUND
    assert violation.ids == ("GHOST",)
