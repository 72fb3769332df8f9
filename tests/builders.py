"""Small installed bases for tests, written in the import file format and loaded through the importer."""

from __future__ import annotations

from typing import Any

from graph.driver import Graph
from graph.importer import import_installed_base
from installed_base.validate import parse

Doc = dict[str, Any]


def spec(
    id: str,
    *,
    bundles: list[tuple[str, int, int]] = (),  # type: ignore[assignment]
    physical: bool = False,
    characteristics: dict[str, list[str]] | None = None,
    realized_as: list[str] = (),  # type: ignore[assignment]
    name: str | None = None,
) -> Doc:
    return {
        "id": id,
        "name": name or id,
        "version": "1",
        "physical": physical,
        "characteristics": [{"name": n, "values": v} for n, v in (characteristics or {}).items()],
        "bundles": [{"specificationId": c, "min": lo, "max": hi} for c, lo, hi in bundles],
        "realizedAs": list(realized_as),
    }


def item(
    id: str, spec_id: str, *children: Doc, state: str = "ACTIVE", location: str = "loc-a", **chars: str
) -> Doc:
    return {
        "id": id,
        "name": id,
        "specificationId": spec_id,
        "state": state,
        "locationId": location,
        "characteristics": dict(chars),
        "children": list(children),
    }


def account(id: str, *inventory: Doc, locations: tuple[str, ...] = ("loc-a", "loc-b")) -> Doc:
    return {
        "id": id,
        "name": id,
        "segment": "SMB",
        "locations": [
            {"id": loc, "name": loc, "address": "1 Test St", "city": "Testville", "country": "GB"}
            for loc in locations
        ],
        "inventory": list(inventory),
        "contracts": [],
    }


def document(specs: list[Doc], *accounts: Doc, service_specs: list[Doc] = ()) -> Doc:  # type: ignore[assignment]
    return {
        "catalog": {"serviceSpecifications": list(service_specs), "productSpecifications": specs},
        "accounts": list(accounts),
    }


async def load(graph: Graph, doc: Doc) -> None:
    """Validate and import `doc` (the test fails with every problem if it is invalid)."""
    await import_installed_base(graph.driver, graph.database, parse(doc))


def wide_and_deep(prefix: str, levels: int, width: int) -> tuple[list[Doc], Doc]:
    """Specs and one root whose tree has `levels` levels below the root, `width` children each."""
    specs = [spec(f"{prefix}-spec-{d}", bundles=[(f"{prefix}-spec-{d + 1}", 0, width)]) for d in range(levels)]
    specs.append(spec(f"{prefix}-spec-{levels}"))

    def node(path: str, depth: int) -> Doc:
        children = [node(f"{path}.{i}", depth + 1) for i in range(width)] if depth < levels else []
        return item(f"{prefix}{path}", f"{prefix}-spec-{depth}", *children)

    return specs, node("-0", 0)
