"""Synthetic installed bases for load tests: many accounts, each with a deep and wide tree.

The catalog has one specification per level; level k bundles level k+1 up to `width` times,
so every generated tree is valid for the rules. Each account gets `sum(width**k for k < depth)`
items, one location, an active contract and an entitlement for its root. Every id carries the
run's prefix (`acc-<prefix>-00001`, `pi-<prefix>-00001-0000042`, `spec-<prefix>-level-0`), a fresh
one per run by default, so a run never touches existing accounts, items or catalog entries; a
prefix already in the database is refused. The rows are deterministic for a prefix and seed.
"""

from __future__ import annotations

import random
import secrets
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
from rules.model import MAX_TREE_DEPTH, InventoryState

TIERS = ("bronze", "silver", "gold")
CONTRACT_START = date(2024, 1, 1)


DEFAULT_PREFIX = "syn"
PROGRESS_STEP = 1000
"""The progress bar advances at least every this many items."""

PREFIX_IN_USE = (
    "RETURN EXISTS { MATCH (a:Account) WHERE a.id STARTS WITH $account } "
    "OR EXISTS { MATCH (s:ProductSpecification) WHERE s.id STARTS WITH $spec } AS used"
)


def fresh_prefix() -> str:
    """A prefix no earlier run has used (with overwhelming likelihood): `syn` and six hex digits."""
    return f"{DEFAULT_PREFIX}{secrets.token_hex(3)}"


def level_spec_id(level: int, prefix: str = DEFAULT_PREFIX) -> str:
    return f"spec-{prefix}-level-{level}"


def account_id(number: int, prefix: str = DEFAULT_PREFIX) -> str:
    return f"acc-{prefix}-{number:05d}"


def location_id(number: int, prefix: str = DEFAULT_PREFIX) -> str:
    return f"loc-{prefix}-{number:05d}"


def contract_id(number: int, prefix: str = DEFAULT_PREFIX) -> str:
    return f"ctr-{prefix}-{number:05d}"


def item_id(account_number: int, sequence: int, prefix: str = DEFAULT_PREFIX) -> str:
    return f"pi-{prefix}-{account_number:05d}-{sequence:07d}"


def items_per_tree(depth: int, width: int) -> int:
    """How many items one account's tree has: a root, `width` children each, `depth` levels."""
    return sum(width**k for k in range(depth))


def shape_problem(
    accounts: int, depth: int, width: int, batch_size: int = 5000, max_depth: int = MAX_TREE_DEPTH
) -> str | None:
    """Why these generator arguments cannot work, or None when they can.

    `depth` counts levels with the root, so the deepest item sits `depth - 1` below it; that must
    not pass the configured depth bound."""
    if accounts < 0 or depth < 1 or width < 1 or batch_size < 1:
        return "accounts must be 0 or more; depth, width and batch size 1 or more"
    if depth - 1 > max_depth:
        return (f"depth {depth} puts items {depth - 1} levels below their root; trees are at most {max_depth} "
                f"levels deep (MACD_MAX_TREE_DEPTH), so depth is at most {max_depth + 1}")
    return None


def synthetic_catalog(depth: int, width: int, prefix: str = DEFAULT_PREFIX) -> Catalog:
    """One product specification per level, each bundling the next level 0..`width` times."""
    tasks = (
        FulfillmentTask("Validate order", FulfillmentDomain.PRODUCT),
        FulfillmentTask("Update billing", FulfillmentDomain.PRODUCT),
    )
    return Catalog(
        product_specifications=tuple(
            ProductSpecification(
                id=level_spec_id(level, prefix),
                name=f"Synthetic level {level}",
                description=f"Level {level} of a synthetic product tree.",
                characteristics=(Characteristic("tier", TIERS, TIERS[0]),),
                bundles=(Bundle(level_spec_id(level + 1, prefix), 0, max(width, 1)),) if level + 1 < depth else (),
                fulfillment=tasks,
            )
            for level in range(depth)
        )
    )


def synthetic_accounts(accounts: int, prefix: str = DEFAULT_PREFIX) -> tuple[Account, ...]:
    """The accounts with their location and contract, without inventory."""
    return tuple(
        Account(
            id=account_id(n, prefix),
            name=f"Synthetic customer {n}",
            segment="SYNTHETIC",
            locations=(Location(location_id(n, prefix), f"Site of customer {n}", f"{n} Synthetic Street",
                                "Testville", "GB"),),
            contracts=(Contract(contract_id(n, prefix), f"Agreement of customer {n}", AgreementState.ACTIVE,
                                CONTRACT_START),),
        )
        for n in range(1, accounts + 1)
    )


def build_tree_rows(
    account_number: int, depth: int, width: int, seed: int = 0, prefix: str = DEFAULT_PREFIX
) -> Iterator[Row]:
    """The rows of one account's tree, level by level (parents before children); deterministic."""
    rng = random.Random(f"{seed}:{account_number}")
    acc, loc = account_id(account_number, prefix), location_id(account_number, prefix)
    sequence = 0
    level: list[str] = []
    for depth_index in range(depth):
        parents: list[str | None] = list(level) if depth_index else [None]
        level = []
        for parent in parents:
            for _ in range(width if parent is not None else 1):
                sequence += 1
                current = item_id(account_number, sequence, prefix)
                level.append(current)
                yield inventory_row(
                    id=current,
                    name=f"Synthetic level {depth_index} item {sequence}",
                    state=InventoryState.ACTIVE.value,
                    account_id=acc,
                    parent_id=parent,
                    specification_id=level_spec_id(depth_index, prefix),
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
    prefix: str | None = None,
    max_depth: int = MAX_TREE_DEPTH,
) -> int:
    """Write a synthetic installed base; returns how many product inventory items were written.

    The catalog and accounts go in one transaction, then the items `batch_size` at a time, one
    transaction per batch (statements of at most PROGRESS_STEP rows, the bar advancing after
    each), and finally one entitlement per root. Raises ValueError for a bad shape or a prefix
    already in the database.
    """
    problem = shape_problem(accounts, depth, width, batch_size, max_depth)
    if problem:
        raise ValueError(problem)
    prefix = prefix or fresh_prefix()
    records, _, _ = await driver.execute_query(
        PREFIX_IN_USE, account=f"acc-{prefix}-", spec=f"spec-{prefix}-", database_=database
    )
    if records[0]["used"]:
        raise ValueError(f"prefix '{prefix}' is already used in the database; choose another")
    base = InstalledBase(
        catalog=synthetic_catalog(depth, width, prefix), accounts=synthetic_accounts(accounts, prefix)
    )
    await import_installed_base(driver, database, base, batch_size)

    rows = (row for n in range(1, accounts + 1) for row in build_tree_rows(n, depth, width, seed, prefix))
    written = 0
    total = accounts * items_per_tree(depth, width)
    step = min(batch_size, PROGRESS_STEP)
    with tqdm(total=total, unit="item", desc="inventory", disable=not progress, miniters=1) as bar:
        async with driver.session(database=database) as session:
            for chunk in _chunks(rows, batch_size):
                start = bar.n

                async def write(tx: AsyncManagedTransaction, chunk: list[Row] = chunk, start: int = start) -> None:
                    bar.n = start  # a retried transaction starts its part of the bar again
                    for part in _chunks(chunk, step):
                        await write_inventory_rows(tx, part, step)
                        bar.update(len(part))

                await session.execute_write(write)
                written += len(chunk)

            entitlements = [
                entitlement_row(
                    id=f"ent-{prefix}-{n:05d}",
                    name=f"Root entitlement of customer {n}",
                    state=AgreementState.ACTIVE.value,
                    start_date=CONTRACT_START,
                    end_date=None,
                    contract_id=contract_id(n, prefix),
                    covers=item_id(n, 1, prefix),
                )
                for n in range(1, accounts + 1)
            ]

            async def grant(tx: AsyncManagedTransaction) -> None:
                await write_entitlement_rows(tx, entitlements, batch_size)

            await session.execute_write(grant)
    return written
