"""Revision decisions (R14) without a database: the delta, the point of no return per bundle, and the
plan that applies a revision to the running order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rules.effects import ApprovalRecord
from rules.fulfillment import DomainOrder, OrderTask, ReturnAuthorization, WorkOrder, close_task, start_task
from rules.lifecycle_model import (
    DomainOrderKind,
    ReturnReason,
    ReturnState,
    TaskState,
    TaskTemplate,
    WorkOrderKind,
)
from rules.model import (
    CharacteristicChange,
    ErrorCode,
    InventoryItem,
    InventoryState,
    LineAction,
    Order,
    OrderAction,
    OrderLine,
    OrderState,
    RuleError,
)
from rules.order_lines import TreeView
from rules.revision import (
    PointOfNoReturn,
    check_point_of_no_return,
    check_revisable,
    frozen_lines,
    line_delta,
    revision_view,
    summarize,
)
from rules.revision_plan import revision_effects
from tests.rules_lifecycle.builders import ACCOUNT, Ids, catalog, spec


def item(item_id: str, state: InventoryState = InventoryState.ACTIVE, parent: str | None = None,
         spec_id: str = "S", **chars: str) -> InventoryItem:
    return InventoryItem(item_id, item_id, state, spec_id, ACCOUNT, parent, "LOC", dict(chars), "O-1")


def line(line_id: str, action: LineAction, item_id: str, parent: str | None = None, spec_id: str = "S",
         *changes: tuple[str, str | None, str]) -> OrderLine:
    return OrderLine(
        line_id, action, item_id, spec_id, parent,
        characteristic_changes=tuple(CharacteristicChange(n, o, v) for n, o, v in changes),
        state=OrderState.IN_PROGRESS,
    )


def order(*lines: OrderLine, state: OrderState = OrderState.IN_PROGRESS) -> Order:
    return Order("O-1", ACCOUNT, OrderAction.CHANGE, state, lines=list(lines))


def test_only_an_order_in_progress_is_revised_with_a_reason() -> None:
    check_revisable(order(), "more speed")
    check_revisable(Order("O-3", ACCOUNT, OrderAction.MOVE, OrderState.IN_PROGRESS), "the voice system too")
    with pytest.raises(RuleError) as pending:
        check_revisable(order(state=OrderState.REVISION_IN_PROGRESS), "again")
    assert [v.code for v in pending.value.violations] == [ErrorCode.REVISION_PENDING]
    with pytest.raises(RuleError) as wrong:
        check_revisable(Order("O-2", ACCOUNT, OrderAction.MOVE, OrderState.COMPLETED), " ")
    assert [v.code for v in wrong.value.violations] == [ErrorCode.INVALID_STATE, ErrorCode.INVALID_INPUT]


def test_the_delta_matches_lines_by_item_and_keeps_running_ids() -> None:
    running = [
        line("L-root", LineAction.NO_CHANGE, "root"),
        line("L-a", LineAction.CHANGE, "a", "L-root", "S", ("speed", "100", "500")),
        line("L-b", LineAction.DISCONNECT, "b", "L-root"),
        line("L-c", LineAction.CHANGE, "c", "L-root", "S", ("plan", "x", "y")),
    ]
    revised = [
        running[0],
        line("L-a", LineAction.CHANGE, "a", "L-root", "S", ("speed", "100", "1000")),  # changed
        line("L-c2", LineAction.CHANGE, "c", "L-root", "S", ("plan", "x", "y")),  # removed and selected again
        line("L-d", LineAction.DISCONNECT, "d", "L-root"),  # new
        line("L-e", LineAction.ADD, "e", "L-c2"),  # new, under a re-selected line
    ]
    delta = line_delta(running, revised)
    assert [ln.id for ln in delta.added] == ["L-d", "L-e"]
    assert [ln.id for ln in delta.removed] == ["L-b"]
    assert [(c.before.id, c.after.id) for c in delta.changed] == [("L-a", "L-a")]
    assert [ln.id for ln in delta.unchanged] == ["L-root", "L-c"]
    assert next(ln for ln in delta.lines if ln.id == "L-e").parent_line_id == "L-c"

    summary = summarize(delta)
    (changed,) = summary.changed
    assert [(c.field, c.old, c.new) for c in changed.changes] == [("characteristics.speed", "500", "1000")]
    assert [s.inventory_id for s in summary.removed] == ["b"]


def test_a_change_of_action_is_reported_with_what_it_drops() -> None:
    running = [line("L-a", LineAction.CHANGE, "a", None, "S", ("speed", "100", "500"))]
    delta = line_delta(running, [line("L-a", LineAction.DISCONNECT, "a")])
    (changed,) = summarize(delta).changed
    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("action", "CHANGE", "DISCONNECT"), ("characteristics.speed", "500", "100"),
    ]


def test_a_point_of_no_return_freezes_the_whole_bundle_only() -> None:
    running = [
        line("L-root", LineAction.NO_CHANGE, "root"),
        line("L-a", LineAction.CHANGE, "a", "L-root"),
        line("L-a1", LineAction.CHANGE, "a1", "L-a"),
        line("L-other", LineAction.CHANGE, "other"),
    ]
    mark = PointOfNoReturn("L-a1", "T-9", "Activate service")
    frozen = frozen_lines(running, [mark])
    assert set(frozen) == {"L-root", "L-a", "L-a1"}

    removing_sibling = line_delta(running, [running[0], running[2], running[3]])
    with pytest.raises(RuleError) as refused:
        check_point_of_no_return(removing_sibling, frozen)
    (violation,) = refused.value.violations
    assert violation.code is ErrorCode.PAST_POINT_OF_NO_RETURN
    assert violation.ids == ("L-a", "T-9")
    assert "Activate service" in violation.message

    other_changed = line_delta(running, [*running[:3], line("L-other", LineAction.DISCONNECT, "other")])
    check_point_of_no_return(other_changed, frozen)  # another bundle may still change


def test_the_revision_view_shows_items_as_before_the_running_order() -> None:
    running = order(line("L-a", LineAction.CHANGE, "a"), line("L-n", LineAction.ADD, "n"))
    view = TreeView(
        {"a": item("a", InventoryState.CHANGE_PENDING), "n": item("n", InventoryState.INSTALLATION_PENDING)}
    )
    seen = revision_view(view, running, ApprovalRecord(previous_states={"a": InventoryState.ACTIVE}))
    assert seen.items["a"].state is InventoryState.ACTIVE
    assert seen.items["n"].state is InventoryState.INSTALLATION_PENDING


def _domain(do_id: str, kind: DomainOrderKind, line_ids: tuple[str, ...], *tasks: tuple[str, TaskState]) -> DomainOrder:
    done = all(s is TaskState.CLOSED_COMPLETE for _, s in tasks)
    return DomainOrder(
        do_id, kind, TaskState.CLOSED_COMPLETE if done else TaskState.IN_PROGRESS, line_ids,
        tuple(OrderTask(f"{do_id}-T{i}", do_id, name, i, False, s) for i, (name, s) in enumerate(tasks, start=1)),
    )


def test_applying_a_revision_compensates_removed_lines_and_decomposes_the_rest() -> None:
    specs = catalog(spec("S"), spec("DEV", physical=True))
    templates = {
        "DEV": (
            TaskTemplate("Reserve device", DomainOrderKind.RESOURCE, undo="Release device"),
            TaskTemplate("Collect device", DomainOrderKind.RESOURCE, actions=(LineAction.DISCONNECT,)),
        ),
        "S": (TaskTemplate("Update billing", DomainOrderKind.PRODUCT),),
    }
    running = order(
        line("L-a", LineAction.CHANGE, "a", None, "S", ("speed", "100", "500")),
        line("L-dev", LineAction.DISCONNECT, "dev", None, "DEV"),
        line("L-new", LineAction.ADD, "new", None, "DEV"),
    )
    items = {
        "a": item("a", InventoryState.CHANGE_PENDING, speed="100"),
        "dev": item("dev", InventoryState.DISCONNECT_PENDING, spec_id="DEV"),
        "new": item("new", InventoryState.INSTALLATION_PENDING, spec_id="DEV"),
        "b": item("b", spec_id="S"),
    }
    record = ApprovalRecord(previous_states={"a": InventoryState.ACTIVE, "dev": InventoryState.SUSPENDED})
    domain_orders = [
        _domain("DO-P", DomainOrderKind.PRODUCT, ("L-a", "L-dev", "L-new"), ("Update billing", TaskState.CLOSED_COMPLETE)),
        _domain("DO-R", DomainOrderKind.RESOURCE, ("L-dev", "L-new"),
                ("Reserve device", TaskState.CLOSED_COMPLETE), ("Collect device", TaskState.OPEN)),
    ]
    returns = [ReturnAuthorization("RMA-1", "L-dev", "dev", ReturnReason.DISCONNECT)]
    work = [WorkOrder("WO-1", WorkOrderKind.COLLECT_DEVICE, ("L-dev",), "dev", "LOC")]
    revised = [
        line("L-a", LineAction.CHANGE, "a", None, "S", ("speed", "100", "1000")),
        line("L-b", LineAction.CHANGE, "b", None, "S", ("speed", None, "200")),
    ]
    plan = revision_effects(
        running, line_delta(running.lines, revised), items, record, domain_orders, work, returns, specs,
        templates, {}, Ids(),
    )

    states = {c.item_id: (c.from_state, c.to_state) for c in plan.state_changes}
    assert states == {
        "dev": (InventoryState.DISCONNECT_PENDING, InventoryState.SUSPENDED),  # restored as recorded
        "new": (InventoryState.INSTALLATION_PENDING, InventoryState.INACTIVE),  # created: retired
        "b": (InventoryState.ACTIVE, InventoryState.CHANGE_PENDING),  # new line
    }  # "a" is changed but stays CHANGE_PENDING: no write
    assert {r.line_id: (r.previous_state, r.copy_id) for r in plan.remembered} == {
        "L-a": (InventoryState.ACTIVE, None), "L-b": (InventoryState.ACTIVE, None),
    }
    assert [(c.return_id, c.to_state) for c in plan.return_changes] == [("RMA-1", ReturnState.CANCELLED)]
    assert [c.record_id for c in plan.work_order_changes] == ["WO-1"]
    assert [(c.record_id, c.to_state) for c in plan.task_changes] == [("DO-R-T2", TaskState.CANCELLED)]
    appended = [(a.task.domain_order_id, a.task.name, a.task.sequence, a.redo, a.undo_of) for a in plan.appended_tasks]
    assert appended == [
        ("DO-P", "Update billing", 2, True, None),  # redo for the changed and the new line
        ("DO-R", "Release device", 3, False, "DO-R-T1"),  # undo of the reserved device
    ]
    assert ("DO-P", "L-b") in plan.covered_lines
    assert [(c.record_id, c.to_state) for c in plan.domain_order_changes] == [("DO-P", TaskState.IN_PROGRESS)]
    assert plan.released_item_ids == ("dev", "new")
    assert not plan.completes


def test_a_revision_that_only_removes_finished_work_completes_the_order() -> None:
    running = order(line("L-a", LineAction.CHANGE, "a"), line("L-b", LineAction.CHANGE, "b"))
    items = {"a": item("a", InventoryState.CHANGE_PENDING), "b": item("b", InventoryState.CHANGE_PENDING)}
    domain_orders = [
        _domain("DO-P", DomainOrderKind.PRODUCT, ("L-a",), ("Update billing", TaskState.CLOSED_COMPLETE)),
        _domain("DO-Q", DomainOrderKind.SERVICE, ("L-b",), ("Design service", TaskState.OPEN)),
    ]
    plan = revision_effects(
        running, line_delta(running.lines, [running.lines[0]]), items, ApprovalRecord(), domain_orders, [], [],
        catalog(spec("S")), {}, {}, Ids(),
    )
    assert plan.completes
    assert [(c.record_id, c.to_state) for c in plan.domain_order_changes] == [("DO-Q", TaskState.CANCELLED)]


def test_held_tasks_neither_start_nor_close_and_cancelled_domain_orders_count_as_done() -> None:
    held = OrderTask("T-1", "DO-1", "Design service", 1, held_by=("rev-1",))
    with pytest.raises(RuleError) as refused:
        start_task(held)
    assert [v.code for v in refused.value.violations] == [ErrorCode.TASK_ON_HOLD]
    done = DomainOrder("DO-0", DomainOrderKind.RESOURCE, TaskState.CANCELLED, (),
                       (OrderTask("T-0", "DO-0", "Ship device", 1, state=TaskState.CANCELLED),))
    free = DomainOrder("DO-1", DomainOrderKind.PRODUCT, TaskState.OPEN, (), (OrderTask("T-1", "DO-1", "x", 1),))
    assert close_task([done, free], "T-1").order_completes
    with pytest.raises(RuleError):
        close_task([done, DomainOrder("DO-1", DomainOrderKind.PRODUCT, TaskState.OPEN, (), (held,))], "T-1")


def _moving(line_: OrderLine, target: str = "NEW") -> OrderLine:
    return replace(line_, move=True, target_location_id=target)


def test_a_revised_move_keeps_its_copies_retires_those_it_no_longer_needs_and_relinks_new_products() -> None:
    specs = catalog(spec("S"), spec("DEV", physical=True))
    running = Order("O-1", ACCOUNT, OrderAction.MOVE, OrderState.IN_PROGRESS, lines=[
        _moving(line("L-r", LineAction.CHANGE, "r")),
        _moving(line("L-c1", LineAction.CHANGE, "c1", "L-r", "S")),
        _moving(line("L-c2", LineAction.CHANGE, "c2", "L-r", "DEV")),
    ])
    copies = {"r": "PI-r2", "c1": "PI-c12", "c2": "PI-c22"}
    items = {
        "r": item("r", InventoryState.CHANGE_PENDING),
        "c1": item("c1", InventoryState.CHANGE_PENDING, "r", speed="100"),
        "c2": item("c2", InventoryState.CHANGE_PENDING, "r", "DEV"),
        "n": item("n", InventoryState.INSTALLATION_PENDING, "r"),
        **{c: item(c, InventoryState.INSTALLATION_PENDING) for c in copies.values()},
    }
    record = ApprovalRecord(previous_states=dict.fromkeys(copies, InventoryState.ACTIVE), copies=copies)
    revised = [
        running.lines[0],
        _moving(line("L-c1", LineAction.CHANGE, "c1", "L-r", "S", ("speed", "100", "200"))),
        _moving(line("L-c2", LineAction.DISCONNECT, "c2", "L-r", "DEV")),
        _moving(line("L-n", LineAction.ADD, "n", "L-r", "S")),
    ]
    site = WorkOrder("WO-1", WorkOrderKind.SITE_INSTALL, ("L-r", "L-c1", "L-c2"), None, "NEW")
    domain_orders = [_domain("DO-P", DomainOrderKind.PRODUCT, ("L-r", "L-c1", "L-c2"), ("Update billing", TaskState.OPEN))]
    plan = revision_effects(
        running, line_delta(running.lines, revised), items, record, domain_orders, [site], [], specs, {}, {}, Ids(),
    )

    states = {c.item_id: (c.from_state, c.to_state) for c in plan.state_changes}
    assert states == {
        "c2": (InventoryState.CHANGE_PENDING, InventoryState.DISCONNECT_PENDING),  # left behind
        "PI-c22": (InventoryState.INSTALLATION_PENDING, InventoryState.INACTIVE),  # its copy retires
    }  # "r" and "c1" still move to the same place: their copies stay, nothing is written for them
    assert plan.copies == ()
    assert [(r.item_id, r.to_parent_id, r.location_id) for r in plan.relinks] == [("n", "PI-r2", "NEW")]
    assert [(u.item_id, u.characteristics) for u in plan.characteristic_updates] == [("PI-c12", {"speed": "200"})]
    assert plan.forgotten_copy_line_ids == ("L-c2",)
    assert "PI-c22" in plan.released_item_ids
    assert [(r.item_id, r.reason) for r in plan.decomposition.returns] == [("c2", ReturnReason.MOVE_NOT_KEPT)]
    # The site visit already booked serves the product that arrives with the move.
    assert plan.extended_work_orders == (("WO-1", ("L-n",)),)
    assert all(w.kind is not WorkOrderKind.SITE_INSTALL for w in plan.decomposition.work_orders)


def test_a_move_sent_elsewhere_gets_new_copies_and_retires_the_old_ones() -> None:
    running = Order("O-1", ACCOUNT, OrderAction.MOVE, OrderState.IN_PROGRESS, lines=[
        _moving(line("L-r", LineAction.CHANGE, "r")), _moving(line("L-c", LineAction.CHANGE, "c", "L-r")),
    ])
    copies = {"r": "PI-r2", "c": "PI-c2"}
    items = {
        "r": item("r", InventoryState.CHANGE_PENDING), "c": item("c", InventoryState.CHANGE_PENDING, "r"),
        **{c: item(c, InventoryState.INSTALLATION_PENDING) for c in copies.values()},
    }
    record = ApprovalRecord(previous_states=dict.fromkeys(copies, InventoryState.ACTIVE), copies=copies)
    revised = [_moving(ln, "OTHER") for ln in running.lines]
    plan = revision_effects(
        running, line_delta(running.lines, revised), items, record, [], [], [], catalog(spec("S")), {}, {}, Ids(),
    )
    assert {c.item_id: c.to_state for c in plan.state_changes} == dict.fromkeys(copies.values(), InventoryState.INACTIVE)
    made = {c.replaces: c.item for c in plan.copies}
    assert set(made) == {"r", "c"} and {c.location_id for c in made.values()} == {"OTHER"}
    assert made["c"].parent_id == made["r"].id
    assert {r.line_id: r.copy_id for r in plan.remembered} == {"L-r": made["r"].id, "L-c": made["c"].id}
    assert plan.forgotten_copy_line_ids == ()
