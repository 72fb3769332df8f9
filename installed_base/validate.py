"""Checks an installed-base document (decoded JSON) and turns a clean one into dataclasses.

`validate` reports every problem it finds, each with a JSONPath-like `path`
(`accounts[1].inventory[0].children[2].specificationId`), so a file can be fixed in one pass.
`parse` builds an `InstalledBase` and refuses a document that has any problem. Both are pure:
no files, no database. The format is described in `docs/import-format.md`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from installed_base.format import (
    IMPORTABLE_INVENTORY_STATES,
    TASK_ACTIONS,
    Account,
    AgreementState,
    Bundle,
    Catalog,
    Characteristic,
    Contract,
    Entitlement,
    FulfillmentDomain,
    FulfillmentTask,
    InstalledBase,
    Location,
    ProductInventory,
    ProductSpecification,
    ServiceInventory,
    ServiceSpecification,
    ServiceState,
    TaskDependency,
    WorkOrderKind,
)
from rules.model import MAX_TREE_DEPTH, InventoryState, LineAction


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an import document: where (`path`) and what (`message`)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidInstalledBase(ValueError):
    """Raised by `parse` for a document with problems; nothing should be written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the installed-base document")
        self.problems = problems


DOCUMENT_FIELDS = frozenset({"catalog", "accounts"})
CATALOG_FIELDS = frozenset({"serviceSpecifications", "productSpecifications"})
SERVICE_SPEC_FIELDS = frozenset({"id", "name", "fulfillment"})
PRODUCT_SPEC_FIELDS = frozenset(
    {"id", "name", "version", "physical", "description", "characteristics", "bundles", "realizedAs",
     "fulfillment"}
)
CHARACTERISTIC_FIELDS = frozenset({"name", "values", "default"})
BUNDLE_FIELDS = frozenset({"specificationId", "min", "max"})
TASK_FIELDS = frozenset(
    {"name", "domain", "pointOfNoReturn", "actions", "after", "durationHours", "workOrder", "activation", "undo"}
)
DEPENDENCY_FIELDS = frozenset({"domain", "name", "makeBeforeBreak"})
ACCOUNT_FIELDS = frozenset({"id", "name", "segment", "locations", "inventory", "contracts"})
LOCATION_FIELDS = frozenset({"id", "name", "address", "city", "country"})
INVENTORY_FIELDS = frozenset(
    {"id", "name", "specificationId", "state", "locationId", "characteristics", "services", "children"}
)
SERVICE_FIELDS = frozenset({"id", "name", "specificationId", "state"})
CONTRACT_FIELDS = frozenset({"id", "name", "state", "startDate", "endDate", "entitlements"})
ENTITLEMENT_FIELDS = frozenset({"id", "name", "state", "startDate", "endDate", "covers"})

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def validate(document: object, max_depth: int = MAX_TREE_DEPTH) -> list[ImportProblem]:
    """Every problem in `document`; an empty list means `parse` will accept it.

    An item may sit at most `max_depth` levels below its root (the configured depth bound)."""
    checker = _Checker(max_depth)
    checker.check_document(document)
    return sorted(checker.problems, key=lambda p: _natural_key(p.path))


def parse(document: object, max_depth: int = MAX_TREE_DEPTH) -> InstalledBase:
    """The `InstalledBase` a valid document describes; raises `InvalidInstalledBase` otherwise."""
    problems = validate(document, max_depth)
    if problems:
        raise InvalidInstalledBase(problems)
    assert isinstance(document, dict)
    catalog = document["catalog"]
    return InstalledBase(
        catalog=Catalog(
            service_specifications=tuple(
                _service_specification(s) for s in catalog.get("serviceSpecifications") or ()
            ),
            product_specifications=tuple(
                _product_specification(s) for s in catalog.get("productSpecifications") or ()
            ),
        ),
        accounts=tuple(_account(a) for a in document.get("accounts") or ()),
    )


# --- parsing a validated document -------------------------------------------------------------


def _tasks(values: Iterable[dict[str, Any]]) -> tuple[FulfillmentTask, ...]:
    return tuple(
        FulfillmentTask(
            name=t["name"],
            domain=FulfillmentDomain(t["domain"]),
            point_of_no_return=bool(t.get("pointOfNoReturn") or False),
            actions=tuple(LineAction(a) for a in t.get("actions") or ()),
            after=tuple(
                TaskDependency(FulfillmentDomain(d["domain"]), d["name"], bool(d.get("makeBeforeBreak") or False))
                for d in t.get("after") or ()
            ),
            duration_hours=None if t.get("durationHours") is None else float(t["durationHours"]),
            work_order=None if t.get("workOrder") is None else WorkOrderKind(t["workOrder"]),
            activation=bool(t.get("activation") or False),
            undo=t.get("undo") or None,
        )
        for t in values
    )


def _service_specification(raw: dict[str, Any]) -> ServiceSpecification:
    return ServiceSpecification(
        id=raw["id"], name=raw["name"], fulfillment=_tasks(raw.get("fulfillment") or ())
    )


def _product_specification(raw: dict[str, Any]) -> ProductSpecification:
    return ProductSpecification(
        id=raw["id"],
        name=raw["name"],
        version=raw.get("version") or "1",
        physical=bool(raw.get("physical") or False),
        description=raw.get("description") or "",
        characteristics=tuple(
            Characteristic(name=c["name"], values=tuple(c.get("values") or ()), default=c.get("default"))
            for c in raw.get("characteristics") or ()
        ),
        bundles=tuple(
            Bundle(specification_id=b["specificationId"], min=_or(b.get("min"), 0), max=_or(b.get("max"), 1))
            for b in raw.get("bundles") or ()
        ),
        realized_as=tuple(raw.get("realizedAs") or ()),
        fulfillment=_tasks(raw.get("fulfillment") or ()),
    )


def _inventory(raw: dict[str, Any]) -> ProductInventory:
    return ProductInventory(
        id=raw["id"],
        name=raw["name"],
        specification_id=raw["specificationId"],
        state=InventoryState(raw["state"]),
        location_id=raw["locationId"],
        characteristics=dict(raw.get("characteristics") or {}),
        services=tuple(
            ServiceInventory(id=s["id"], name=s["name"], specification_id=s["specificationId"],
                             state=ServiceState(s["state"]))
            for s in raw.get("services") or ()
        ),
        children=tuple(_inventory(c) for c in raw.get("children") or ()),
    )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def _account(raw: dict[str, Any]) -> Account:
    return Account(
        id=raw["id"],
        name=raw["name"],
        segment=raw.get("segment") or "",
        locations=tuple(
            Location(id=loc["id"], name=loc["name"], address=loc["address"], city=loc["city"],
                     country=loc["country"])
            for loc in raw.get("locations") or ()
        ),
        inventory=tuple(_inventory(i) for i in raw.get("inventory") or ()),
        contracts=tuple(
            Contract(
                id=c["id"],
                name=c["name"],
                state=AgreementState(c["state"]),
                start_date=date.fromisoformat(c["startDate"]),
                end_date=_optional_date(c.get("endDate")),
                entitlements=tuple(
                    Entitlement(
                        id=e["id"],
                        name=e["name"],
                        state=AgreementState(e["state"]),
                        start_date=date.fromisoformat(e["startDate"]),
                        end_date=_optional_date(e.get("endDate")),
                        covers=e["covers"],
                    )
                    for e in c.get("entitlements") or ()
                ),
            )
            for c in raw.get("contracts") or ()
        ),
    )


# --- checking ---------------------------------------------------------------------------------


def _natural_key(path: str) -> list[tuple[int, int | str]]:
    """Sort `a[10]` after `a[2]`: digits compare as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", path)]


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _choices(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


@dataclass
class _SpecFacts:
    path: str
    bundles: list[tuple[str, int, int, str]] = field(default_factory=list)
    characteristics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    realized_as: dict[str, str] = field(default_factory=dict)


@dataclass
class _ItemFacts:
    path: str
    account_id: str | None
    id: str | None = None
    spec_id: str | None = None
    state: InventoryState | None = None
    location_id: str | None = None
    characteristics: dict[str, str] = field(default_factory=dict)
    services: list[tuple[str, str]] = field(default_factory=list)
    children: list[_ItemFacts] = field(default_factory=list)


@dataclass
class _EntitlementFacts:
    path: str
    account_id: str | None
    covers: str


class _Checker:
    """Reads the document once, collecting problems and the facts the cross-checks need."""

    def __init__(self, max_depth: int = MAX_TREE_DEPTH) -> None:
        self.max_depth = max_depth
        self.problems: list[ImportProblem] = []
        self.seen_ids: dict[str, dict[str, str]] = {}
        self.product_specs: dict[str, _SpecFacts] = {}
        self.service_specs: set[str] = set()
        self.locations: dict[str, str | None] = {}
        self.roots: list[_ItemFacts] = []
        self.items: dict[str, _ItemFacts] = {}
        self.entitlements: list[_EntitlementFacts] = []

    # reading fields

    def report(self, path: str, message: str) -> None:
        self.problems.append(ImportProblem(path or "$", message))

    def record(self, value: object, path: str, fields: frozenset[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.report(path, f"must be an object, got {_json_type(value)}")
            return None
        for key in value:
            if key not in fields:
                self.report(_at(path, str(key)), f"unknown field; expected one of {_choices(fields)}")
        return value

    def array(self, obj: dict[str, Any], key: str, path: str) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.report(_at(path, key), f"must be an array, got {_json_type(value)}")
            return []
        return value

    def text(self, obj: dict[str, Any], key: str, path: str, required: bool = True) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.report(_at(path, key), "is required")
            return None
        if not isinstance(value, str):
            self.report(_at(path, key), f"must be a string, got {_json_type(value)}")
            return None
        return value

    def identifier(self, obj: dict[str, Any], key: str, path: str) -> str | None:
        value = self.text(obj, key, path)
        if value is not None and not value.strip():
            self.report(_at(path, key), "must not be empty")
            return None
        return value

    def integer(self, obj: dict[str, Any], key: str, path: str, default: int) -> int | None:
        value = obj.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(_at(path, key), f"must be an integer, got {_json_type(value)}")
            return None
        return value

    def boolean(self, obj: dict[str, Any], key: str, path: str) -> None:
        value = obj.get(key)
        if value is not None and not isinstance(value, bool):
            self.report(_at(path, key), f"must be true or false, got {_json_type(value)}")

    def choice(self, obj: dict[str, Any], key: str, path: str, allowed: Iterable[str]) -> str | None:
        value = self.text(obj, key, path)
        allowed = set(allowed)
        if value is not None and value not in allowed:
            self.report(_at(path, key), f"'{value}' is not one of {_choices(allowed)}")
            return None
        return value

    def day(self, obj: dict[str, Any], key: str, path: str, required: bool) -> date | None:
        value = self.text(obj, key, path, required)
        if value is None:
            return None
        if DATE_PATTERN.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.report(_at(path, key), f"'{value}' is not a date (YYYY-MM-DD)")
        return None

    def claim(self, label: str, obj: dict[str, Any], path: str) -> str | None:
        """Read an `id` and note it; ids are unique per node label across the whole file."""
        value = self.identifier(obj, "id", path)
        if value is None:
            return None
        seen = self.seen_ids.setdefault(label, {})
        if value in seen:
            self.report(_at(path, "id"), f"duplicate {label} id '{value}' (first used at {seen[value]})")
            return None
        seen[value] = path
        return value

    # the document

    def check_document(self, document: object) -> None:
        doc = self.record(document, "", DOCUMENT_FIELDS)
        if doc is None:
            return
        if "catalog" not in doc:
            self.report("catalog", "is required")
        else:
            self.check_catalog(doc["catalog"], "catalog")
        for i, account in enumerate(self.array(doc, "accounts", "")):
            self.check_account(account, f"accounts[{i}]")
        self.check_catalog_references()
        self.check_inventory_references()
        self.check_entitlement_references()

    # catalog

    def check_catalog(self, value: object, path: str) -> None:
        catalog = self.record(value, path, CATALOG_FIELDS)
        if catalog is None:
            return
        for i, spec in enumerate(self.array(catalog, "serviceSpecifications", path)):
            self.check_service_spec(spec, f"{path}.serviceSpecifications[{i}]")
        for i, spec in enumerate(self.array(catalog, "productSpecifications", path)):
            self.check_product_spec(spec, f"{path}.productSpecifications[{i}]")

    def check_service_spec(self, value: object, path: str) -> None:
        spec = self.record(value, path, SERVICE_SPEC_FIELDS)
        if spec is None:
            return
        spec_id = self.claim("ServiceSpecification", spec, path)
        self.text(spec, "name", path)
        self.check_tasks(spec, path)
        if spec_id is not None:
            self.service_specs.add(spec_id)

    def check_tasks(self, spec: dict[str, Any], path: str) -> None:
        names: set[str] = set()
        for i, value in enumerate(self.array(spec, "fulfillment", path)):
            task_path = f"{path}.fulfillment[{i}]"
            task = self.record(value, task_path, TASK_FIELDS)
            if task is None:
                continue
            name = self.text(task, "name", task_path)
            if name is not None:
                if name in names:
                    self.report(_at(task_path, "name"), f"duplicate task '{name}' in this specification")
                names.add(name)
            self.choice(task, "domain", task_path, (d.value for d in FulfillmentDomain))
            self.boolean(task, "pointOfNoReturn", task_path)
            self.text(task, "undo", task_path, required=False)
            allowed = {a.value for a in TASK_ACTIONS}
            for j, action in enumerate(self.array(task, "actions", task_path)):
                if not isinstance(action, str) or action not in allowed:
                    shown = f"'{action}'" if isinstance(action, str) else _json_type(action)
                    self.report(f"{task_path}.actions[{j}]", f"{shown} is not one of {_choices(allowed)}")
            self.check_task_extras(task, task_path)

    def check_task_extras(self, task: dict[str, Any], task_path: str) -> None:
        """The scheduling fields of a task template (R13): dependencies, duration, field work, activation."""
        own = (task.get("domain"), task.get("name"))
        for j, value in enumerate(self.array(task, "after", task_path)):
            dep_path = f"{task_path}.after[{j}]"
            dep = self.record(value, dep_path, DEPENDENCY_FIELDS)
            if dep is None:
                continue
            self.choice(dep, "domain", dep_path, (d.value for d in FulfillmentDomain))
            self.text(dep, "name", dep_path)
            self.boolean(dep, "makeBeforeBreak", dep_path)
            if (dep.get("domain"), dep.get("name")) == own:
                self.report(dep_path, "a task cannot wait for itself")
        hours = task.get("durationHours")
        if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0):
            self.report(_at(task_path, "durationHours"), f"must be a number of hours above 0, got {hours!r}")
        if task.get("workOrder") is not None:
            self.choice(task, "workOrder", task_path, (k.value for k in WorkOrderKind))
        self.boolean(task, "activation", task_path)

    def check_product_spec(self, value: object, path: str) -> None:
        spec = self.record(value, path, PRODUCT_SPEC_FIELDS)
        if spec is None:
            return
        spec_id = self.claim("ProductSpecification", spec, path)
        facts = _SpecFacts(path)
        self.text(spec, "name", path)
        self.text(spec, "version", path, required=False)
        self.text(spec, "description", path, required=False)
        self.boolean(spec, "physical", path)
        for i, char in enumerate(self.array(spec, "characteristics", path)):
            self.check_characteristic(char, f"{path}.characteristics[{i}]", facts)
        for i, bundle in enumerate(self.array(spec, "bundles", path)):
            self.check_bundle(bundle, f"{path}.bundles[{i}]", facts)
        for i, service_spec_id in enumerate(self.array(spec, "realizedAs", path)):
            item_path = f"{path}.realizedAs[{i}]"
            if not isinstance(service_spec_id, str):
                self.report(item_path, f"must be a string, got {_json_type(service_spec_id)}")
            elif service_spec_id in facts.realized_as:
                self.report(item_path, f"'{service_spec_id}' is listed twice")
            else:
                facts.realized_as[service_spec_id] = item_path
        self.check_tasks(spec, path)
        if spec_id is not None:
            self.product_specs[spec_id] = facts

    def check_characteristic(self, value: object, path: str, facts: _SpecFacts) -> None:
        char = self.record(value, path, CHARACTERISTIC_FIELDS)
        if char is None:
            return
        name = self.text(char, "name", path)
        values: list[str] = []
        for i, allowed in enumerate(self.array(char, "values", path)):
            if not isinstance(allowed, str):
                self.report(f"{path}.values[{i}]", f"must be a string, got {_json_type(allowed)}")
            elif allowed in values:
                self.report(f"{path}.values[{i}]", f"'{allowed}' is listed twice")
            else:
                values.append(allowed)
        default = self.text(char, "default", path, required=False)
        if default is not None and values and default not in values:
            self.report(_at(path, "default"), f"'{default}' is not one of the values: {', '.join(values)}")
        if name is None:
            return
        if name in facts.characteristics:
            self.report(_at(path, "name"), f"characteristic '{name}' is defined twice")
            return
        facts.characteristics[name] = tuple(values)

    def check_bundle(self, value: object, path: str, facts: _SpecFacts) -> None:
        bundle = self.record(value, path, BUNDLE_FIELDS)
        if bundle is None:
            return
        child_id = self.identifier(bundle, "specificationId", path)
        low = self.integer(bundle, "min", path, default=0)
        high = self.integer(bundle, "max", path, default=1)
        if low is not None and low < 0:
            self.report(_at(path, "min"), f"must be 0 or more, got {low}")
        if high is not None and high < 1:
            self.report(_at(path, "max"), f"must be 1 or more, got {high}")
        if low is not None and high is not None and low > high:
            self.report(_at(path, "max"), f"must not be less than min ({low}), got {high}")
        if child_id is None or low is None or high is None:
            return
        if any(b[0] == child_id for b in facts.bundles):
            self.report(_at(path, "specificationId"), f"'{child_id}' is bundled twice by this specification")
            return
        facts.bundles.append((child_id, low, high, _at(path, "specificationId")))

    def check_catalog_references(self) -> None:
        for facts in self.product_specs.values():
            for child_id, _, _, ref_path in facts.bundles:
                if child_id not in self.product_specs:
                    self.report(ref_path, f"unknown product specification '{child_id}'")
            for service_spec_id, ref_path in facts.realized_as.items():
                if service_spec_id not in self.service_specs:
                    self.report(ref_path, f"unknown service specification '{service_spec_id}'")
        self.check_bundle_cycles()

    def check_bundle_cycles(self) -> None:
        """A specification must not bundle itself, directly or through its children."""
        done: set[str] = set()
        for start in self.product_specs:
            if start in done:
                continue
            trail: list[str] = []
            on_trail: set[str] = set()
            stack: list[tuple[str, int]] = [(start, 0)]
            while stack:
                spec_id, next_edge = stack.pop()
                if next_edge == 0:
                    trail.append(spec_id)
                    on_trail.add(spec_id)
                edges = self.product_specs[spec_id].bundles
                if next_edge < len(edges):
                    stack.append((spec_id, next_edge + 1))
                    child_id, _, _, ref_path = edges[next_edge]
                    if child_id in on_trail:
                        cycle = trail[trail.index(child_id):] + [child_id]
                        self.report(ref_path, f"bundling forms a cycle: {' -> '.join(cycle)}")
                    elif child_id in self.product_specs and child_id not in done:
                        stack.append((child_id, 0))
                    continue
                trail.pop()
                on_trail.discard(spec_id)
                done.add(spec_id)

    # accounts

    def check_account(self, value: object, path: str) -> None:
        account = self.record(value, path, ACCOUNT_FIELDS)
        if account is None:
            return
        account_id = self.claim("Account", account, path)
        self.text(account, "name", path)
        self.text(account, "segment", path, required=False)
        for i, loc in enumerate(self.array(account, "locations", path)):
            self.check_location(loc, f"{path}.locations[{i}]", account_id)
        for i, item in enumerate(self.array(account, "inventory", path)):
            facts = self.check_item(item, f"{path}.inventory[{i}]", account_id)
            if facts is not None:
                self.roots.append(facts)
        for i, contract in enumerate(self.array(account, "contracts", path)):
            self.check_contract(contract, f"{path}.contracts[{i}]", account_id)

    def check_location(self, value: object, path: str, account_id: str | None) -> None:
        loc = self.record(value, path, LOCATION_FIELDS)
        if loc is None:
            return
        loc_id = self.claim("Location", loc, path)
        for key in ("name", "address", "city", "country"):
            self.text(loc, key, path)
        if loc_id is not None:
            self.locations[loc_id] = account_id

    def check_item(self, value: object, path: str, account_id: str | None, depth: int = 0) -> _ItemFacts | None:
        item = self.record(value, path, INVENTORY_FIELDS)
        if item is None:
            return None
        if depth == self.max_depth + 1:  # reported once, at the first item past the bound
            self.report(path, f"is {depth} levels below its root; trees are at most {self.max_depth} levels "
                              "deep (MACD_MAX_TREE_DEPTH)")
        facts = _ItemFacts(path=path, account_id=account_id)
        facts.id = self.claim("ProductInventory", item, path)
        self.text(item, "name", path)
        facts.spec_id = self.identifier(item, "specificationId", path)
        state = self.choice(item, "state", path, (s.value for s in InventoryState))
        if state is not None and InventoryState(state) not in IMPORTABLE_INVENTORY_STATES:
            self.report(_at(path, "state"),
                        f"'{state}' belongs to an open order; an import takes "
                        f"{_choices(s.value for s in IMPORTABLE_INVENTORY_STATES)}")
        elif state is not None:
            facts.state = InventoryState(state)
        facts.location_id = self.identifier(item, "locationId", path)
        chars = item.get("characteristics")
        if chars is not None and not isinstance(chars, dict):
            self.report(_at(path, "characteristics"), f"must be an object, got {_json_type(chars)}")
        elif chars:
            for name, char_value in chars.items():
                if not isinstance(char_value, str):
                    self.report(f"{path}.characteristics.{name}",
                                f"must be a string, got {_json_type(char_value)}")
                else:
                    facts.characteristics[name] = char_value
        for i, service in enumerate(self.array(item, "services", path)):
            self.check_service(service, f"{path}.services[{i}]", facts)
        for i, child in enumerate(self.array(item, "children", path)):
            child_facts = self.check_item(child, f"{path}.children[{i}]", account_id, depth + 1)
            if child_facts is not None:
                facts.children.append(child_facts)
        if facts.id is not None:
            self.items[facts.id] = facts
        return facts

    def check_service(self, value: object, path: str, owner: _ItemFacts) -> None:
        service = self.record(value, path, SERVICE_FIELDS)
        if service is None:
            return
        self.claim("ServiceInventory", service, path)
        self.text(service, "name", path)
        spec_id = self.identifier(service, "specificationId", path)
        self.choice(service, "state", path, (s.value for s in ServiceState))
        if spec_id is not None:
            owner.services.append((spec_id, _at(path, "specificationId")))

    def check_contract(self, value: object, path: str, account_id: str | None) -> None:
        contract = self.record(value, path, CONTRACT_FIELDS)
        if contract is None:
            return
        self.claim("Contract", contract, path)
        self.text(contract, "name", path)
        self.choice(contract, "state", path, (s.value for s in AgreementState))
        start, end = self.period(contract, path)
        for i, value_ in enumerate(self.array(contract, "entitlements", path)):
            entitlement_path = f"{path}.entitlements[{i}]"
            entitlement = self.record(value_, entitlement_path, ENTITLEMENT_FIELDS)
            if entitlement is None:
                continue
            self.claim("Entitlement", entitlement, entitlement_path)
            self.text(entitlement, "name", entitlement_path)
            self.choice(entitlement, "state", entitlement_path, (s.value for s in AgreementState))
            e_start, e_end = self.period(entitlement, entitlement_path)
            if start is not None and e_start is not None and e_start < start:
                self.report(_at(entitlement_path, "startDate"),
                            f"{e_start.isoformat()} is before the contract starts ({start.isoformat()})")
            if end is not None and e_end is not None and e_end > end:
                self.report(_at(entitlement_path, "endDate"),
                            f"{e_end.isoformat()} is after the contract ends ({end.isoformat()})")
            covers = self.identifier(entitlement, "covers", entitlement_path)
            if covers is not None:
                covers_path = _at(entitlement_path, "covers")
                self.entitlements.append(_EntitlementFacts(covers_path, account_id, covers))

    def period(self, obj: dict[str, Any], path: str) -> tuple[date | None, date | None]:
        start = self.day(obj, "startDate", path, required=True)
        end = self.day(obj, "endDate", path, required=False)
        if start is not None and end is not None and end < start:
            self.report(_at(path, "endDate"), f"{end.isoformat()} is before startDate {start.isoformat()}")
        return start, end

    # cross-references inside the inventory trees

    def check_inventory_references(self) -> None:
        stack: list[tuple[_ItemFacts, _ItemFacts | None]] = [(root, None) for root in reversed(self.roots)]
        while stack:
            item, parent = stack.pop()
            self.check_item_references(item, parent)
            stack.extend((child, item) for child in reversed(item.children))

    def check_item_references(self, item: _ItemFacts, parent: _ItemFacts | None) -> None:
        spec = self.product_specs.get(item.spec_id) if item.spec_id is not None else None
        if item.spec_id is not None and spec is None:
            self.report(_at(item.path, "specificationId"), f"unknown product specification '{item.spec_id}'")
        if item.location_id is not None:
            if item.location_id not in self.locations:
                self.report(_at(item.path, "locationId"), f"unknown location '{item.location_id}'")
            elif self.locations[item.location_id] not in (None, item.account_id) and item.account_id:
                self.report(_at(item.path, "locationId"),
                            f"location '{item.location_id}' belongs to account "
                            f"'{self.locations[item.location_id]}', not '{item.account_id}'")
        if parent is not None:
            self.check_place_under(item, parent)
        for spec_id, ref_path in item.services:
            if spec_id not in self.service_specs:
                self.report(ref_path, f"unknown service specification '{spec_id}'")
            elif spec is not None and spec_id not in spec.realized_as:
                self.report(ref_path, f"service specification '{spec_id}' does not realize '{item.spec_id}'")
        if spec is None:
            return
        for name, char_value in item.characteristics.items():
            if name not in spec.characteristics:
                self.report(f"{item.path}.characteristics.{name}",
                            f"'{item.spec_id}' has no characteristic '{name}'")
            elif spec.characteristics[name] and char_value not in spec.characteristics[name]:
                self.report(f"{item.path}.characteristics.{name}",
                            f"'{char_value}' is not allowed; '{item.spec_id}' allows "
                            f"{', '.join(spec.characteristics[name])}")
        if item.state is not InventoryState.INACTIVE:
            self.check_cardinality(item, spec)

    def check_place_under(self, item: _ItemFacts, parent: _ItemFacts) -> None:
        parent_spec = self.product_specs.get(parent.spec_id) if parent.spec_id is not None else None
        if parent_spec is not None and item.spec_id in self.product_specs and not any(
            b[0] == item.spec_id for b in parent_spec.bundles
        ):
            self.report(_at(item.path, "specificationId"),
                        f"'{item.spec_id}' is not bundled by the parent's specification '{parent.spec_id}'")
        if parent.state is InventoryState.INACTIVE and item.state not in (None, InventoryState.INACTIVE):
            self.report(_at(item.path, "state"), f"'{item.state}' under an INACTIVE parent; must be INACTIVE")
        if parent.state is InventoryState.SUSPENDED and item.state is InventoryState.ACTIVE:
            self.report(_at(item.path, "state"),
                        "'ACTIVE' under a SUSPENDED parent; must be SUSPENDED or INACTIVE")

    def check_cardinality(self, item: _ItemFacts, spec: _SpecFacts) -> None:
        counts = Counter(
            child.spec_id for child in item.children
            if child.state is not InventoryState.INACTIVE and child.spec_id is not None
        )
        for child_spec_id, low, high, _ in spec.bundles:
            found = counts.get(child_spec_id, 0)
            if found > high:
                self.report(_at(item.path, "children"),
                            f"{found} '{child_spec_id}' children that are not INACTIVE; "
                            f"'{item.spec_id}' allows at most {high}")
            elif found < low:
                self.report(_at(item.path, "children"),
                            f"{found} '{child_spec_id}' children that are not INACTIVE; "
                            f"'{item.spec_id}' requires at least {low}")

    def check_entitlement_references(self) -> None:
        for entitlement in self.entitlements:
            item = self.items.get(entitlement.covers)
            if item is None:
                self.report(entitlement.path, f"unknown product inventory '{entitlement.covers}'")
            elif entitlement.account_id is not None and item.account_id not in (None, entitlement.account_id):
                self.report(entitlement.path,
                            f"'{entitlement.covers}' belongs to account '{item.account_id}', "
                            f"not '{entitlement.account_id}'")
