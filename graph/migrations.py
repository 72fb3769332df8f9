"""Schema migrations applied at start-up; every statement is idempotent (IF NOT EXISTS)."""

from __future__ import annotations

from graph.driver import Graph

LABELS_WITH_ID = (
    "Account",
    "Location",
    "Contract",
    "Entitlement",
    "ProductSpecification",
    "ServiceSpecification",
    "ProductInventory",
    "ServiceInventory",
    "CustomerOrder",
    "OrderLine",
    "DomainOrder",
    "OrderTask",
    "WorkOrder",
    "ReturnAuthorization",
    "InventoryEvent",
    "OrderEvent",
)

# Labels come from the constant above, never from input, so building the statement text is safe.
STATEMENTS = tuple(
    f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
    for label in LABELS_WITH_ID
) + (
    "CREATE CONSTRAINT order_idempotency IF NOT EXISTS FOR (o:CustomerOrder) REQUIRE o.idempotencyKey IS UNIQUE",
    "CREATE INDEX inventory_account IF NOT EXISTS FOR (p:ProductInventory) ON (p.accountId)",
    "CREATE INDEX inventory_state IF NOT EXISTS FOR (p:ProductInventory) ON (p.state)",
    "CREATE INDEX account_name IF NOT EXISTS FOR (a:Account) ON (a.name)",
    "CREATE TEXT INDEX account_name_text IF NOT EXISTS FOR (a:Account) ON (a.name)",
    "CREATE INDEX order_state IF NOT EXISTS FOR (o:CustomerOrder) ON (o.state)",
    "CREATE INDEX task_state IF NOT EXISTS FOR (t:OrderTask) ON (t.state)",
    "CREATE INDEX inventory_event_item IF NOT EXISTS FOR (e:InventoryEvent) ON (e.itemId)",
    # The order lifecycle: releasing an order's claims, the open-task queue, tasks of one order.
    "CREATE INDEX inventory_open_order IF NOT EXISTS FOR (p:ProductInventory) ON (p.openOrderId)",
    "CREATE INDEX task_queue IF NOT EXISTS FOR (t:OrderTask) ON (t.queueKey)",
    "CREATE INDEX task_order IF NOT EXISTS FOR (t:OrderTask) ON (t.orderId)",
)


async def migrate(graph: Graph) -> int:
    """Apply every migration; returns how many statements ran."""
    async with graph.driver.session(database=graph.database) as session:
        for statement in STATEMENTS:
            await (await session.run(statement)).consume()
        await (await session.run("CALL db.awaitIndexes(300)")).consume()
    return len(STATEMENTS)
