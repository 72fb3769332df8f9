"""Per-request DataLoaders, so nested fields cost one query per level, not one per parent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from graph import catalog, inventory
from graph.driver import Graph

V = TypeVar("V")


def by_key(
    graph: Graph, fetch: Callable[[Graph, list[str]], Awaitable[dict[str, Any]]], default: Any = None
) -> DataLoader[str, Any]:
    async def load(keys: Sequence[str]) -> list[Any]:
        found = await fetch(graph, list(keys))
        return [found.get(k, default() if callable(default) else default) for k in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    """Every loader a request may use, created fresh per request."""

    item: DataLoader[str, Any]
    children: DataLoader[str, Any]
    ancestors: DataLoader[str, Any]
    roots: DataLoader[str, Any]
    account: DataLoader[str, Any]
    location: DataLoader[str, Any]
    account_locations: DataLoader[str, Any]
    spec: DataLoader[str, Any]
    service_spec: DataLoader[str, Any]
    services: DataLoader[str, Any]
    contracts: DataLoader[str, Any]
    contract: DataLoader[str, Any]
    entitlements: DataLoader[str, Any]
    entitlement: DataLoader[str, Any]
    item_entitlement: DataLoader[str, Any]
    extra: dict[str, DataLoader[str, Any]]

    def named(
        self, name: str, graph: Graph, fetch: Callable[[Graph, list[str]], Awaitable[dict[str, Any]]], default: Any
    ) -> DataLoader[str, Any]:
        """A loader other modules register lazily (orders, tasks, history), one per request."""
        if name not in self.extra:
            self.extra[name] = by_key(graph, fetch, default)
        return self.extra[name]


def create_loaders(graph: Graph) -> Loaders:
    return Loaders(
        item=by_key(graph, inventory.items_by_ids),
        children=by_key(graph, inventory.children_of, list),
        ancestors=by_key(graph, inventory.ancestors_of, list),
        roots=by_key(graph, inventory.roots_of_accounts, list),
        account=by_key(graph, inventory.accounts_by_ids),
        location=by_key(graph, inventory.locations_by_ids),
        account_locations=by_key(graph, inventory.locations_of_accounts, list),
        spec=by_key(graph, catalog.specs_by_ids),
        service_spec=by_key(graph, catalog.service_specs_by_ids),
        services=by_key(graph, inventory.services_of_items, list),
        contracts=by_key(graph, inventory.contracts_of_accounts, list),
        contract=by_key(graph, inventory.contracts_by_ids),
        entitlements=by_key(graph, inventory.entitlements_of_contracts, list),
        entitlement=by_key(graph, inventory.entitlements_by_ids),
        item_entitlement=by_key(graph, inventory.entitlements_of_items),
        extra={},
    )
