"""Ready-made accounts and orders from docs/domain.md: the 4G to 5G upgrade and a move."""

from __future__ import annotations

from dataclasses import dataclass

from rules.fulfillment import realized_as
from rules.lifecycle_model import EntitlementItem, ServiceItem
from rules.model import InventoryItem, InventoryState, LineAction, Order, OrderAction, ProductSpec

from .builders import NEW_HOME, Account, by_id, catalog, entitlement, item, line, order, service, spec


@dataclass
class Scenario:
    specs: dict[str, ProductSpec]
    account: Account
    order: Order

    @property
    def service_specs_of(self) -> dict[str, tuple[str, ...]]:
        return realized_as(self.specs)

    def services(self) -> dict[str, list[ServiceItem]]:
        return self.account.services_of()

    def entitlements(self) -> dict[str, list[EntitlementItem]]:
        return self.account.entitlements_of()


def mobile_broadband_catalog() -> dict[str, ProductSpec]:
    return catalog(
        spec("MBB", bundles=("CONN-4G", "ROUTER-4G", "CONN-5G", "ROUTER-5G")),
        spec("CONN-4G", services=("SVC-CONN-4G",)),
        spec("ROUTER-4G", physical=True),
        spec("CONN-5G", services=("SVC-CONN-5G",)),
        spec("ROUTER-5G", physical=True),
    )


def four_g_to_five_g() -> Scenario:
    """docs/domain.md (the 4G to 5G upgrade), as captured: the bundle's NO_CHANGE line with two disconnects and two adds."""
    bundle = item("mbb", "MBB")
    conn4 = item("conn4g", "CONN-4G", parent="mbb")
    router4 = item("router4g", "ROUTER-4G", parent="mbb", model="4G-R1")
    conn5 = item("conn5g", "CONN-5G", parent="mbb", state=InventoryState.INSTALLATION_PENDING)
    router5 = item("router5g", "ROUTER-5G", parent="mbb", state=InventoryState.INSTALLATION_PENDING)
    account = Account(
        items=by_id(bundle, conn4, router4, conn5, router5),
        services={"svc-conn4g": service("svc-conn4g", conn4)},
        entitlements={
            e.id: e
            for e in (
                entitlement("ent-mbb", bundle),
                entitlement("ent-conn4g", conn4),
                entitlement("ent-router4g", router4),
            )
        },
        roots=["mbb"],
    )
    upgrade = order(
        line("L-mbb", LineAction.NO_CHANGE, bundle),
        line("L-conn4g", LineAction.DISCONNECT, conn4, parent="L-mbb"),
        line("L-router4g", LineAction.DISCONNECT, router4, parent="L-mbb"),
        line("L-conn5g", LineAction.ADD, conn5, parent="L-mbb"),
        line("L-router5g", LineAction.ADD, router5, parent="L-mbb"),
    )
    return Scenario(mobile_broadband_catalog(), account, upgrade)


def home_move() -> Scenario:
    """A 5G bundle moving house: the bundle and its connectivity move, the router is left behind,
    a new router is added at the new home."""
    bundle = item("mbb", "MBB", plan="home")
    conn = item("conn5g", "CONN-5G", parent="mbb", speed="500")
    old_router = item("router5g", "ROUTER-5G", parent="mbb", model="5G-R1")
    new_router = item(
        "router5g-new",
        "ROUTER-5G",
        parent="mbb",
        location=NEW_HOME,
        state=InventoryState.INSTALLATION_PENDING,
    )
    account = Account(
        items=by_id(bundle, conn, old_router, new_router),
        services={"svc-conn5g": service("svc-conn5g", conn)},
        entitlements={
            e.id: e
            for e in (
                entitlement("ent-mbb", bundle),
                entitlement("ent-conn5g", conn),
                entitlement("ent-router5g", old_router),
            )
        },
        roots=["mbb"],
    )
    move = order(
        line("L-mbb", LineAction.CHANGE, bundle, move=True, to=NEW_HOME),
        line(
            "L-conn",
            LineAction.CHANGE,
            conn,
            parent="L-mbb",
            move=True,
            to=NEW_HOME,
            changes={"speed": "1000"},
        ),
        line("L-old-router", LineAction.DISCONNECT, old_router, parent="L-mbb", move=True, to=NEW_HOME),
        line("L-new-router", LineAction.ADD, new_router, parent="L-mbb", move=True, to=NEW_HOME),
        action=OrderAction.MOVE,
    )
    return Scenario(mobile_broadband_catalog(), account, move)


def targets(scenario: Scenario) -> dict[str, InventoryItem]:
    """The items the scenario's order lines target, as the graph layer would load them."""
    return {i: scenario.account.items[i] for i in (ln.inventory_id for ln in scenario.order.lines) if i}
