"""Fluent builders of inventory trees, catalogs and draft orders for the capture rule tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from rules.capture import TreeView
from rules.model import (
    BundleRule,
    CharacteristicSpec,
    ErrorCode,
    InventoryItem,
    InventoryState,
    Order,
    OrderAction,
    OrderLine,
    OrderState,
    ProductSpec,
    RuleError,
    RuleViolation,
)

ACCOUNT = "ACC-1"
OTHER_ACCOUNT = "ACC-2"
HOME = "LOC-HOME"
NEW_HOME = "LOC-NEW"
ORDER = "ORD-1"
OTHER_ORDER = "ORD-9"


class Tree:
    """An installed base under construction: `Tree().add("b", "MBB").add("c", "CONN4G", under="b")`."""

    def __init__(self, account_id: str = ACCOUNT, location_id: str = HOME) -> None:
        self.account_id = account_id
        self.location_id = location_id
        self.items: dict[str, InventoryItem] = {}
        self.children: dict[str, list[str]] = {}

    def add(
        self,
        item_id: str,
        spec_id: str,
        *,
        under: str | None = None,
        state: InventoryState = InventoryState.ACTIVE,
        location: str | None = None,
        characteristics: Mapping[str, str] | None = None,
        open_order: str | None = None,
        account: str | None = None,
    ) -> Tree:
        assert item_id not in self.items, item_id
        self.items[item_id] = InventoryItem(
            id=item_id,
            name=item_id,
            state=state,
            spec_id=spec_id,
            account_id=account or self.account_id,
            parent_id=under,
            location_id=location or self.location_id,
            characteristics=dict(characteristics or {}),
            open_order_id=open_order,
        )
        if under is not None:
            self.children.setdefault(under, []).append(item_id)
        return self

    def chain(self, prefix: str, depth: int, spec_id: str, *, under: str | None = None) -> Tree:
        """`prefix-1` under `under`, `prefix-2` under `prefix-1`, ... down to `prefix-{depth}`."""
        parent = under
        for level in range(1, depth + 1):
            self.add(f"{prefix}-{level}", spec_id, under=parent)
            parent = f"{prefix}-{level}"
        return self

    def fan(self, prefix: str, count: int, spec_id: str, *, under: str, **fields: object) -> Tree:
        """`prefix-1` ... `prefix-{count}` side by side under `under`."""
        for n in range(1, count + 1):
            self.add(f"{prefix}-{n}", spec_id, under=under, **fields)  # type: ignore[arg-type]
        return self

    def set(self, *item_ids: str, **fields: object) -> Tree:
        """Replace fields of existing items, e.g. `.set("a", "b", state=SUSPENDED)`."""
        for item_id in item_ids:
            self.items[item_id] = replace(self.items[item_id], **fields)  # type: ignore[arg-type]
        return self

    def in_order(self, order_id: str, *item_ids: str) -> Tree:
        """Mark items as targeted by the open order `order_id`."""
        return self.set(*item_ids, open_order_id=order_id)

    def view(self) -> TreeView:
        return TreeView(items=dict(self.items), children={k: list(v) for k, v in self.children.items()})

    def without(self, *item_ids: str) -> TreeView:
        """A view missing some items, as when the graph layer did not fetch them."""
        view = self.view()
        for item_id in item_ids:
            view.items.pop(item_id, None)
        return view


class Catalog:
    """Product specifications under construction: `Catalog().spec("MBB", bundles={"CONN": (1, 2)})`."""

    def __init__(self) -> None:
        self.specs: dict[str, ProductSpec] = {}

    def spec(
        self,
        spec_id: str,
        *,
        bundles: Mapping[str, tuple[int, int]] | None = None,
        characteristics: Mapping[str, Sequence[str]] | None = None,
        defaults: Mapping[str, str] | None = None,
        physical: bool = False,
    ) -> Catalog:
        defaults = defaults or {}
        self.specs[spec_id] = ProductSpec(
            id=spec_id,
            name=spec_id.title(),
            physical=physical,
            bundles=tuple(BundleRule(child, lo, hi) for child, (lo, hi) in (bundles or {}).items()),
            characteristics=tuple(
                CharacteristicSpec(name, tuple(values), defaults.get(name))
                for name, values in (characteristics or {}).items()
            ),
        )
        return self

    def build(self) -> dict[str, ProductSpec]:
        return dict(self.specs)


def draft(
    action: OrderAction,
    *lines: OrderLine,
    state: OrderState = OrderState.DRAFT,
    order_id: str = ORDER,
) -> Order:
    return Order(id=order_id, account_id=ACCOUNT, action=action, state=state, lines=list(lines))


def with_lines(order: Order, lines: Iterable[OrderLine]) -> Order:
    """The same order carrying `lines`, as the graph layer would reload it after a write."""
    return Order(
        id=order.id,
        account_id=order.account_id,
        action=order.action,
        state=order.state,
        version=order.version,
        lines=list(lines),
    )


class LineIds:
    """A `new_line_id` that counts: L-1, L-2, ... and remembers how often it was asked."""

    def __init__(self, prefix: str = "L") -> None:
        self.prefix = prefix
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"{self.prefix}-{self.calls}"


def line_of(lines: Iterable[OrderLine], item_id: str) -> OrderLine:
    """The only line targeting `item_id`."""
    found = [line for line in lines if line.inventory_id == item_id]
    assert len(found) == 1, f"{len(found)} lines target {item_id}"
    return found[0]


def by_item(lines: Iterable[OrderLine]) -> dict[str | None, OrderLine]:
    return {line.inventory_id: line for line in lines}


def parent_item(lines: Sequence[OrderLine], item_id: str) -> str | None:
    """The item targeted by the parent line of `item_id`'s line, or None for a top-level line."""
    by_id = {line.id: line for line in lines}
    parent_line = line_of(lines, item_id).parent_line_id
    return by_id[parent_line].inventory_id if parent_line is not None else None


def assert_parents_first(lines: Sequence[OrderLine]) -> None:
    seen: set[str] = set()
    for line in lines:
        assert line.parent_line_id is None or line.parent_line_id in seen, line
        seen.add(line.id)
    assert len(seen) == len(lines), "duplicate line ids"


def codes(error: RuleError | Sequence[RuleViolation]) -> list[ErrorCode]:
    violations = error.violations if isinstance(error, RuleError) else error
    return [v.code for v in violations]


def only(error: RuleError | Sequence[RuleViolation], code: ErrorCode) -> RuleViolation:
    """The single violation with `code`."""
    violations = error.violations if isinstance(error, RuleError) else error
    found = [v for v in violations if v.code is code]
    assert len(found) == 1, violations
    return found[0]


def mobile_broadband_catalog() -> dict[str, ProductSpec]:
    """The catalog of docs/domain.md (the 4G to 5G upgrade), plus a site bundle with required children."""
    return (
        Catalog()
        .spec(
            "MBB",
            bundles={"CONN4G": (0, 1), "ROUTER4G": (0, 1), "CONN5G": (0, 1), "ROUTER5G": (0, 1)},
            characteristics={"plan": ("basic", "pro")},
            defaults={"plan": "basic"},
        )
        .spec("CONN4G", characteristics={"speed": ("50", "100")})
        .spec(
            "CONN5G",
            characteristics={"speed": ("500", "1000"), "label": ()},
            defaults={"speed": "500"},
        )
        .spec("ROUTER4G", physical=True)
        .spec("ROUTER5G", physical=True, bundles={"SIM": (0, 2)})
        .spec("SIM")
        .spec("SITE", bundles={"ACCESS": (1, 2), "CPE": (1, 1), "ADDON": (0, 3)})
        .spec("ACCESS", bundles={"PORT": (0, 100)}, characteristics={"speed": ("100", "1000")})
        .spec("CPE", physical=True)
        .spec("PORT", bundles={"PORT": (0, 100)})
        .spec("ADDON")
        .build()
    )


def mobile_broadband_tree() -> Tree:
    """An MBB bundle with 4G connectivity and a 4G router."""
    return (
        Tree()
        .add("mbb", "MBB", characteristics={"plan": "basic"})
        .add("conn4g", "CONN4G", under="mbb", characteristics={"speed": "50"})
        .add("router4g", "ROUTER4G", under="mbb")
    )


def site_tree() -> Tree:
    """A SITE with two ACCESS lines (each with two ports), one CPE and an add-on."""
    return (
        Tree()
        .add("site", "SITE")
        .add("acc1", "ACCESS", under="site", characteristics={"speed": "100"})
        .add("p11", "PORT", under="acc1")
        .add("p12", "PORT", under="acc1")
        .add("acc2", "ACCESS", under="site", characteristics={"speed": "100"})
        .add("p21", "PORT", under="acc2")
        .add("p22", "PORT", under="acc2")
        .add("cpe", "CPE", under="site")
        .add("addon", "ADDON", under="site")
    )
