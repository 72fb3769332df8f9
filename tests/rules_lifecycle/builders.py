"""Small builders for lifecycle tests: catalog, inventory items, orders, and an in-memory account
that applies plans the way the graph layer would."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from rules.effects import ApprovalPlan, CancellationPlan, CompletionPlan
from rules.lifecycle_model import EntitlementItem, EntitlementState, ServiceItem, ServiceState
from rules.model import (
    BundleRule,
    CharacteristicChange,
    InventoryItem,
    InventoryState,
    LineAction,
    Order,
    OrderAction,
    OrderLine,
    OrderState,
    ProductSpec,
)

ACCOUNT = "ACC-1"
HOME = "LOC-HOME"
NEW_HOME = "LOC-NEW"
TODAY = date(2026, 3, 12)


class Ids:
    """A `new_id` that numbers ids per prefix: PI-1, PI-2, TASK-1, ..."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, prefix: str) -> str:
        self.counts[prefix] += 1
        return f"{prefix}-{self.counts[prefix]}"


def spec(
    spec_id: str,
    *,
    physical: bool = False,
    services: tuple[str, ...] = (),
    bundles: tuple[str, ...] = (),
) -> ProductSpec:
    return ProductSpec(
        id=spec_id,
        name=spec_id,
        physical=physical,
        bundles=tuple(BundleRule(child, 0, 5) for child in bundles),
        service_spec_ids=services,
    )


def catalog(*specs: ProductSpec) -> dict[str, ProductSpec]:
    return {s.id: s for s in specs}


def item(
    item_id: str,
    spec_id: str,
    *,
    state: InventoryState = InventoryState.ACTIVE,
    parent: str | None = None,
    location: str = HOME,
    **characteristics: str,
) -> InventoryItem:
    return InventoryItem(
        id=item_id,
        name=item_id.title(),
        state=state,
        spec_id=spec_id,
        account_id=ACCOUNT,
        parent_id=parent,
        location_id=location,
        characteristics=dict(characteristics),
    )


def by_id(*items: InventoryItem) -> dict[str, InventoryItem]:
    return {i.id: i for i in items}


def line(
    line_id: str,
    action: LineAction,
    target: InventoryItem,
    *,
    parent: str | None = None,
    move: bool = False,
    to: str | None = None,
    changes: dict[str, str] | None = None,
) -> OrderLine:
    return OrderLine(
        id=line_id,
        action=action,
        inventory_id=target.id,
        spec_id=target.spec_id,
        parent_line_id=parent,
        move=move,
        target_location_id=to,
        characteristic_changes=tuple(
            CharacteristicChange(name, target.characteristics.get(name), new)
            for name, new in (changes or {}).items()
        ),
    )


def order(
    *lines: OrderLine,
    action: OrderAction = OrderAction.CHANGE,
    state: OrderState = OrderState.SUBMITTED,
    order_id: str = "ORD-1",
) -> Order:
    return Order(id=order_id, account_id=ACCOUNT, action=action, state=state, lines=list(lines))


def service(
    service_id: str, product: InventoryItem, state: ServiceState = ServiceState.ACTIVE
) -> ServiceItem:
    return ServiceItem(service_id, f"SVC-{product.spec_id}", state, product.id)


def entitlement(
    entitlement_id: str,
    product: InventoryItem,
    state: EntitlementState = EntitlementState.ACTIVE,
    *,
    contract: str = "CON-1",
    end_date: date | None = None,
) -> EntitlementItem:
    return EntitlementItem(entitlement_id, contract, product.id, state, end_date)


@dataclass
class Account:
    """An account's installed base held in memory, changed only by applying plans."""

    items: dict[str, InventoryItem]
    services: dict[str, ServiceItem] = field(default_factory=dict)
    entitlements: dict[str, EntitlementItem] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)

    def state(self, item_id: str) -> InventoryState:
        return self.items[item_id].state

    def services_of(self) -> dict[str, list[ServiceItem]]:
        out: dict[str, list[ServiceItem]] = {}
        for s in self.services.values():
            out.setdefault(s.product_id, []).append(s)
        return out

    def entitlements_of(self) -> dict[str, list[EntitlementItem]]:
        out: dict[str, list[EntitlementItem]] = {}
        for e in self.entitlements.values():
            out.setdefault(e.product_id, []).append(e)
        return out

    def apply_approval(self, plan: ApprovalPlan) -> None:
        for change in plan.state_changes:
            assert self.items[change.item_id].state is change.from_state
            self.items[change.item_id] = replace(self.items[change.item_id], state=change.to_state)
        for copy in plan.copies:
            self.items[copy.item.id] = copy.item
        for relink in plan.relinks:
            self.items[relink.item_id] = replace(
                self.items[relink.item_id], parent_id=relink.to_parent_id, location_id=relink.location_id
            )

    def apply_completion(self, plan: CompletionPlan) -> None:
        for change in plan.state_changes:
            assert self.items[change.item_id].state is change.from_state
            self.items[change.item_id] = replace(self.items[change.item_id], state=change.to_state)
        for update in plan.characteristic_updates:
            self.items[update.item_id] = replace(
                self.items[update.item_id], characteristics=update.characteristics
            )
        for link in plan.root_links:
            self.roots[self.roots.index(link.old_root_id)] = link.new_root_id
        for service_change in plan.service_changes:
            self.services[service_change.service_id] = replace(
                self.services[service_change.service_id], state=service_change.to_state
            )
        for new_service in plan.new_services:
            self.services[new_service.id] = new_service
        for ent_change in plan.entitlement_changes:
            self.entitlements[ent_change.entitlement_id] = replace(
                self.entitlements[ent_change.entitlement_id], state=ent_change.to_state
            )
        for repoint in plan.entitlement_repoints:
            self.entitlements[repoint.entitlement_id] = replace(
                self.entitlements[repoint.entitlement_id], product_id=repoint.to_product_id
            )
        for new_entitlement in plan.new_entitlements:
            self.entitlements[new_entitlement.id] = new_entitlement

    def apply_cancellation(self, plan: CancellationPlan) -> None:
        for change in plan.state_changes:
            assert self.items[change.item_id].state is change.from_state
            self.items[change.item_id] = replace(self.items[change.item_id], state=change.to_state)
