"""Schema migrations applied at start-up; every statement is idempotent (IF NOT EXISTS)."""

from __future__ import annotations

from graph.driver import Graph

# Every node label has a unique `id`; then the lookups the API makes.
STATEMENTS = (
    "CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT location_id IF NOT EXISTS FOR (n:Location) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT contract_id IF NOT EXISTS FOR (n:Contract) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT entitlement_id IF NOT EXISTS FOR (n:Entitlement) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT productspecification_id IF NOT EXISTS FOR (n:ProductSpecification) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT servicespecification_id IF NOT EXISTS FOR (n:ServiceSpecification) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT productinventory_id IF NOT EXISTS FOR (n:ProductInventory) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT serviceinventory_id IF NOT EXISTS FOR (n:ServiceInventory) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT customerorder_id IF NOT EXISTS FOR (n:CustomerOrder) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT orderline_id IF NOT EXISTS FOR (n:OrderLine) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT domainorder_id IF NOT EXISTS FOR (n:DomainOrder) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT ordertask_id IF NOT EXISTS FOR (n:OrderTask) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT workorder_id IF NOT EXISTS FOR (n:WorkOrder) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT returnauthorization_id IF NOT EXISTS FOR (n:ReturnAuthorization) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT inventoryevent_id IF NOT EXISTS FOR (n:InventoryEvent) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT orderevent_id IF NOT EXISTS FOR (n:OrderEvent) REQUIRE n.id IS UNIQUE",
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
    # R13: task history, the fallout queue, a technician's day, the collection a return completes.
    "CREATE CONSTRAINT taskevent_id IF NOT EXISTS FOR (n:TaskEvent) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX task_fallout IF NOT EXISTS FOR (t:OrderTask) ON (t.falloutKey)",
    "CREATE INDEX work_order_location IF NOT EXISTS FOR (w:WorkOrder) ON (w.locationId, w.scheduledDate)",
    "CREATE INDEX work_order_return IF NOT EXISTS FOR (w:WorkOrder) ON (w.returnId)",
    # Follow-on orders (R15) and revisions (R14).
    "CREATE INDEX inventory_follow_on_order IF NOT EXISTS FOR (p:ProductInventory) ON (p.followOnOrderId)",
    "CREATE INDEX order_follows IF NOT EXISTS FOR (o:CustomerOrder) ON (o.followsOrderId)",
    "CREATE CONSTRAINT orderrevision_id IF NOT EXISTS FOR (n:OrderRevision) REQUIRE n.id IS UNIQUE",
)


async def migrate(graph: Graph) -> int:
    """Apply every migration; returns how many statements ran."""
    async with graph.driver.session(database=graph.database) as session:
        for statement in STATEMENTS:
            await (await session.run(statement)).consume()
        await (await session.run("CALL db.awaitIndexes(300)")).consume()
    return len(STATEMENTS)
