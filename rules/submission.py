"""Submission validation (R7): what must hold before a draft order goes to approval."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from rules.invariants import order_tree_violations
from rules.model import (
    EDITABLE_ORDER_STATES,
    ErrorCode,
    Order,
    OrderAction,
    ProductSpec,
    RuleViolation,
)
from rules.move import validate_move
from rules.order_lines import (
    Findings,
    TreeView,
    check_characteristics,
    check_open_order,
    check_state,
    describe_items,
    not_editable,
    spec_after,
)


def validate_submission(
    order: Order, view: TreeView, specs: Mapping[str, ProductSpec]
) -> list[RuleViolation]:
    """Every reason `order` cannot be submitted yet; an empty list means it can.

    The order must be DRAFT and have lines; a move order must pass R4; and since capture, no other
    open order may have claimed its items (R6), their states must still allow the lines' actions,
    and the characteristics the lines set must still be allowed by the catalog. The resulting tree
    must keep its invariants (`rules.invariants`: nothing live under what the order ends, bundle
    minimums across open orders, required children of added bundles).
    `view` must hold every item the order's lines target, and for a move order each moved
    product's complete subtree.
    """
    findings = Findings()
    if order.state not in EDITABLE_ORDER_STATES:
        findings.add(not_editable(order))
    if not order.lines:
        findings.add(
            RuleViolation(
                ErrorCode.INVALID_INPUT,
                f"Order {order.id} has no lines; select inventory or add a product first",
                "lines",
                (order.id,),
            )
        )
    reported: set[str] = set()  # items R4 already names: the tree check does not name them twice
    if order.action is OrderAction.MOVE:
        item_of_line = {ln.id: ln.inventory_id for ln in order.lines if ln.inventory_id}
        for violation in validate_move(order, view):
            findings.add(violation)
            reported.update(item_of_line.get(i, i) for i in violation.ids)

    missing: list[str] = []
    for line in order.lines:
        if line.inventory_id is None:
            continue
        item = view.items.get(line.inventory_id)
        if item is None or item.account_id != order.account_id:
            missing.append(line.inventory_id)
            continue
        check_open_order(findings, item, order, field="lines")
        check_state(findings, item, line.action, move=line.move, field="lines")
        if line.characteristic_changes:
            values = {c.name: c.new for c in line.characteristic_changes}
            check_characteristics(findings, spec_after(specs, item, line.specification_version), line.spec_id, values,
                                  item.id)
    if missing:
        findings.add(
            RuleViolation(
                ErrorCode.NOT_FOUND,
                f"{describe_items(missing, 'Item')} of order {order.id} no longer exist on account "
                f"{order.account_id}",
                "lines",
                tuple(missing),
            )
        )
    else:
        for violation in order_tree_violations(order, view, specs):
            if violation.code is ErrorCode.LIVE_UNDER_INACTIVE:
                ids = tuple(i for i in violation.ids if i not in reported)
                if not ids:
                    continue
                violation = replace(violation, ids=ids)
            findings.add(violation)
    return findings.violations()
