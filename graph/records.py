"""Plain dataclasses the graph layer returns; GraphQL types are thin views over them."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from rules.model import BundleRule, CharacteristicSpec, InventoryItem, InventoryState, ProductSpec

T = TypeVar("T")


@dataclass(frozen=True)
class AccountRecord:
    id: str
    name: str
    segment: str | None = None


@dataclass(frozen=True)
class LocationRecord:
    id: str
    name: str
    address: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class ItemRecord:
    """A product inventory node with the ids of what it links to."""

    id: str
    name: str
    state: str
    account_id: str
    spec_id: str
    parent_id: str | None
    location_id: str | None
    characteristics: dict[str, str]
    version: int = 1
    created_at: datetime | None = None
    depth: int = 0
    spec_version: str | None = None

    def as_rule_item(self, open_order_id: str | None = None) -> InventoryItem:
        return InventoryItem(
            id=self.id,
            name=self.name,
            state=InventoryState(self.state),
            spec_id=self.spec_id,
            account_id=self.account_id,
            parent_id=self.parent_id,
            location_id=self.location_id,
            characteristics=dict(self.characteristics),
            open_order_id=open_order_id,
            spec_version=self.spec_version,
        )


@dataclass(frozen=True)
class BundleRecord:
    parent_spec_id: str
    child_spec_id: str
    min: int
    max: int


@dataclass(frozen=True)
class TaskDependencyRecord:
    """A step waits for the order's task `name` of `domain` (`make_before_break`: only when replacing)."""

    domain: str
    name: str
    make_before_break: bool = False


@dataclass(frozen=True)
class TaskTemplateRecord:
    """A fulfillment step of a specification; `actions` limits it to lines with those actions (empty: all)."""

    name: str
    domain: str
    point_of_no_return: bool = False
    actions: tuple[str, ...] = ()
    after: tuple[TaskDependencyRecord, ...] = ()
    duration_hours: float | None = None
    work_order: str | None = None
    activation: bool = False
    undo: str | None = None


@dataclass(frozen=True)
class SpecRecord:
    id: str
    name: str
    version: str
    physical: bool
    description: str | None
    characteristics: tuple[CharacteristicSpec, ...]
    bundles: tuple[BundleRecord, ...] = ()
    service_spec_ids: tuple[str, ...] = ()
    fulfillment: tuple[TaskTemplateRecord, ...] = ()
    versions: tuple[str, ...] = ()
    """Every stored version of the specification, oldest first; `version` is the newest."""

    def as_rule_spec(self) -> ProductSpec:
        return ProductSpec(
            id=self.id,
            name=self.name,
            version=self.version,
            physical=self.physical,
            bundles=tuple(BundleRule(b.child_spec_id, b.min, b.max) for b in self.bundles),
            characteristics=self.characteristics,
            service_spec_ids=self.service_spec_ids,
        )


@dataclass(frozen=True)
class ServiceSpecRecord:
    id: str
    name: str
    fulfillment: tuple[TaskTemplateRecord, ...] = ()


@dataclass(frozen=True)
class ServiceRecord:
    id: str
    name: str
    state: str
    spec_id: str | None
    product_id: str


@dataclass(frozen=True)
class ContractRecord:
    id: str
    name: str
    state: str
    account_id: str
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class EntitlementRecord:
    id: str
    name: str
    state: str
    contract_id: str
    product_id: str | None
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class Page:
    """One page of a cursor connection."""

    items: list[Any]
    has_next: bool
    end_cursor: str | None
    total: int = 0


@dataclass
class TreeRecord:
    """A flat subtree: nodes (parents before children) and parent/child edges."""

    nodes: list[ItemRecord] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)


def parse_json_map(raw: Any) -> dict[str, str]:
    if not raw:
        return {}
    value = json.loads(raw) if isinstance(raw, str) else raw
    return {str(k): str(v) for k, v in dict(value).items()}


def parse_characteristic_specs(raw: Any) -> tuple[CharacteristicSpec, ...]:
    if not raw:
        return ()
    value = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(
        CharacteristicSpec(
            name=str(c["name"]),
            values=tuple(str(v) for v in c.get("values") or ()),
            default=None if c.get("default") is None else str(c["default"]),
        )
        for c in value
    )


def parse_templates(raw: Any) -> tuple[TaskTemplateRecord, ...]:
    if not raw:
        return ()
    value = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(
        TaskTemplateRecord(
            str(t["name"]),
            str(t["domain"]),
            bool(t.get("pointOfNoReturn", False)),
            tuple(str(a) for a in t.get("actions") or ()),
            tuple(
                TaskDependencyRecord(str(d["domain"]), str(d["name"]), bool(d.get("makeBeforeBreak", False)))
                for d in t.get("after") or ()
            ),
            None if t.get("durationHours") is None else float(t["durationHours"]),
            None if t.get("workOrder") is None else str(t["workOrder"]),
            bool(t.get("activation", False)),
            undo=str(t["undo"]) if t.get("undo") else None,
        )
        for t in value
    )


def item_version(raw: Any) -> int:
    """An item's stored `version`, 1 when it has none."""
    return raw or 1


def to_date(value: Any) -> date | None:
    if value is None:
        return None
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if hasattr(value, "to_native"):
        value = value.to_native()
    return value if isinstance(value, datetime) else None


@dataclass(frozen=True)
class TaskRecord:
    """An order task as stored: a step of domain order `domain_order_id` of order `order_id`."""

    id: str
    order_id: str
    domain_order_id: str
    name: str
    sequence: int
    state: str
    point_of_no_return: bool
    started_at: datetime | None = None
    closed_at: datetime | None = None
    depends_on: tuple[str, ...] = ()
    attempt: int = 1
    duration_hours: float | None = None
    work_order: str | None = None
    activation: bool = False
    failure_reason: str | None = None
    failure_category: str | None = None
    failed_at: datetime | None = None
    skip_reason: str | None = None
    planned_start_at: datetime | None = None
    due_at: datetime | None = None
    held_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskEventRecord:
    """One recorded transition of task `task_id`: who moved it, why, at which attempt."""

    id: str
    task_id: str
    from_state: str | None
    to_state: str
    reason: str | None
    category: str | None
    attempt: int
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class DomainOrderRecord:
    """A product, service or resource order of customer order `order_id`, with its tasks in sequence."""

    id: str
    order_id: str
    kind: str
    state: str
    line_ids: tuple[str, ...]
    tasks: tuple[TaskRecord, ...]


@dataclass(frozen=True)
class WorkOrderRecord:
    """Field work of order `order_id`: ship or collect device `item_id`, or install at `location_id`."""

    id: str
    order_id: str
    kind: str
    state: str
    item_id: str | None
    location_id: str | None
    line_ids: tuple[str, ...]
    return_id: str | None = None
    scheduled_date: date | None = None
    window: str | None = None
    attempt: int = 1
    failure_reason: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class ReturnRecord:
    """A return authorization (RMA): device `item_id`, removed by line `line_id` of order `order_id`."""

    id: str
    order_id: str
    line_id: str
    item_id: str
    reason: str
    state: str
    created_at: datetime | None = None
    received_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class OrderEventRecord:
    """One recorded transition of customer order `order_id`."""

    id: str
    order_id: str
    from_state: str | None
    to_state: str
    reason: str | None
    at: datetime | None
    kind: str = "STATE_CHANGE"
    caller_id: str | None = None


def grouped(rows: Iterable[Any], key: str, build: Callable[[Any], T]) -> dict[str, list[T]]:
    """`build(row)` for every row, grouped by the row's `key` column, in row order."""
    out: dict[str, list[T]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(build(row))
    return out


def rule_item_from(values: Any) -> InventoryItem:
    """An item as the rules see it, from the values `[id, name, state, accountId, characteristics,
    openOrderId, parentId, specId, locationId(, pendingRemoval, specVersion, followOnOrderId)]` that
    the order statements collect."""
    item_id, name, state, account_id, chars, open_order, parent_id, spec_id, location_id = values[:9]
    extra = list(values[9:]) + [False, None, None][len(values[9:]):]
    return InventoryItem(
        id=item_id,
        name=name,
        state=InventoryState(state),
        spec_id=spec_id,
        account_id=account_id,
        parent_id=parent_id,
        location_id=location_id,
        characteristics=parse_json_map(chars),
        open_order_id=open_order,
        pending_removal=bool(extra[0]),
        spec_version=None if extra[1] is None else str(extra[1]),
        follow_on_order_id=extra[2],
    )
