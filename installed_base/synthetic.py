"""Synthetic installed bases for load tests: many accounts, each with a deep and wide tree.

The catalog has one specification per level; level k bundles level k+1 up to `width` times,
so every generated tree is valid for the rules. Each account gets `sum(width**k for k < depth)`
items, one location, an active contract and an entitlement for its root. Ids are stable
(`acc-syn-00001`, `pi-syn-00001-0000042`), so generating again updates instead of duplicating.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice

from neo4j import AsyncDriver, AsyncManagedTransaction
from tqdm import tqdm

from graph.importer import (
    Row,
    entitlement_row,
    import_installed_base,
    inventory_row,
    write_entitlement_rows,
    write_inventory_rows,
)
from installed_base.format import (
    Account,
    AgreementState,
    Bundle,
    Catalog,
    Characteristic,
    Contract,
    FulfillmentDomain,
    FulfillmentTask,
    InstalledBase,
    Location,
    ProductSpecification,
)
from rules.model import InventoryState

TIERS = ("bronze", "silver", "gold")
CONTRACT_START = date(2024, 1, 1)


def level_spec_id(level: int) -> str:
    return f"spec-syn-level-{level}"


def account_id(number: int) -> str:
    return f"acc-syn-{number:05d}"


def location_id(number: int) -> str:
    return f"loc-syn-{number:05d}"


def contract_id(number: int) -> str:
    return f"ctr-syn-{number:05d}"


def item_id(account_number: int, sequence: int) -> str:
    return f"pi-syn-{account_number:05d}-{sequence:07d}"


def items_per_tree(depth: int, width: int) -> int:
    """How many items one account's tree has: a root, `width` children each, `depth` levels."""
    return sum(width**k for k in range(depth))


def shape_problem(accounts: int, depth: int, width: int, batch_size: int = 5000) -> str | None:
    """Why these generator arguments cannot work, or None when they can."""
    if accounts < 0 or depth < 1 or width < 1 or batch_size < 1:
        return "accounts must be 0 or more; depth, width and batch size 1 or more"
    return None


def synthetic_catalog(depth: int, width: int) -> Catalog:
    """One product specification per level, each bundling the next level 0..`width` times."""
    tasks = (
        FulfillmentTask("Validate order", FulfillmentDomain.PRODUCT),
        FulfillmentTask("Update billing", FulfillmentDomain.PRODUCT),
    )
    return Catalog(
        product_specifications=tuple(
            ProductSpecification(
                id=level_spec_id(level),
                name=f"Synthetic level {level}",
                description=f"Level {level} of a synthetic product tree.",
                characteristics=(Characteristic("tier", TIERS, TIERS[0]),),
                bundles=(Bundle(level_spec_id(level + 1), 0, max(width, 1)),) if level + 1 < depth else (),
                fulfillment=tasks,
            )
            for level in range(depth)
        )
    )


def synthetic_accounts(accounts: int) -> tuple[Account, ...]:
    """The accounts with their location and contract, without inventory."""
    return tuple(
        Account(
            id=account_id(n),
            name=f"Synthetic customer {n}",
            segment="SYNTHETIC",
            locations=(Location(location_id(n), f"Site of customer {n}", f"{n} Synthetic Street",
                                "Testville", "GB"),),
            contracts=(Contract(contract_id(n), f"Agreement of customer {n}", AgreementState.ACTIVE,
                                CONTRACT_START),),
        )
        for n in range(1, accounts + 1)
    )


def build_tree_rows(account_number: int, depth: int, width: int, seed: int = 0) -> Iterator[Row]:
    """The rows of one account's tree, level by level (parents before children); deterministic."""
    rng = random.Random(f"{seed}:{account_number}")
    acc, loc = account_id(account_number), location_id(account_number)
    sequence = 0
    level: list[str] = []
    for depth_index in range(depth):
        parents: list[str | None] = list(level) if depth_index else [None]
        level = []
        for parent in parents:
            for _ in range(width if parent is not None else 1):
                sequence += 1
                current = item_id(account_number, sequence)
                level.append(current)
                yield inventory_row(
                    id=current,
                    name=f"Synthetic level {depth_index} item {sequence}",
                    state=InventoryState.ACTIVE.value,
                    account_id=acc,
                    parent_id=parent,
                    specification_id=level_spec_id(depth_index),
                    location_id=loc,
                    characteristics={"tier": rng.choice(TIERS)},
                )


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


async def generate(
    driver: AsyncDriver,
    database: str,
    accounts: int,
    depth: int,
    width: int,
    batch_size: int = 5000,
    progress: bool = True,
    seed: int = 0,
) -> int:
    """Write a synthetic installed base; returns how many product inventory items were written.

    The catalog and accounts go in one transaction, then the items `batch_size` at a time, one
    transaction per batch, and finally one entitlement per root.
    """
    problem = shape_problem(accounts, depth, width, batch_size)
    if problem:
        raise ValueError(problem)
    base = InstalledBase(catalog=synthetic_catalog(depth, width), accounts=synthetic_accounts(accounts))
    await import_installed_base(driver, database, base, batch_size)

    rows = (row for n in range(1, accounts + 1) for row in build_tree_rows(n, depth, width, seed))
    written = 0
    total = accounts * items_per_tree(depth, width)
    with tqdm(total=total, unit="item", desc="inventory", disable=not progress) as bar:
        async with driver.session(database=database) as session:
            for chunk in _chunks(rows, batch_size):

                async def write(tx: AsyncManagedTransaction, chunk: list[Row] = chunk) -> None:
                    await write_inventory_rows(tx, chunk, batch_size)

                await session.execute_write(write)
                written += len(chunk)
                bar.update(len(chunk))

            entitlements = [
                entitlement_row(
                    id=f"ent-syn-{n:05d}",
                    name=f"Root entitlement of customer {n}",
                    state=AgreementState.ACTIVE.value,
                    start_date=CONTRACT_START,
                    end_date=None,
                    contract_id=contract_id(n),
                    covers=item_id(n, 1),
                )
                for n in range(1, accounts + 1)
            ]

            async def grant(tx: AsyncManagedTransaction) -> None:
                await write_entitlement_rows(tx, entitlements, batch_size)

            await session.execute_write(grant)
    return written
