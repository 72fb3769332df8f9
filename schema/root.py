"""The schema: root Query and Mutation, assembled from the resolver modules."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache

from resolvers import (
    contract_cancel,
    entitlement_resume,
    entitlement_suspend,
    history_read,
    inventory_read,
    order_add_inventory,
    order_add_product,
    order_approve,
    order_cancel,
    order_create,
    order_hold,
    order_line_remove,
    order_line_update,
    order_preview,
    order_read,
    order_reject,
    order_revise,
    order_submit,
    return_receive,
    revision_cancel,
    task_close,
    task_fail,
    task_retry,
    task_skip,
    task_start,
    tasks_read,
    work_order_lifecycle,
)
from resolvers.order_preview import OrderPreview
from schema.errors import should_mask
from schema.fulfillment import (
    OrderTaskConnection,
    ReturnAuthorization,
    ReturnPayload,
    WorkOrder,
    WorkOrderPayload,
)
from schema.history import InventoryEvent
from schema.inventory_tree import InventoryTree
from schema.orders import CustomerOrder, OrderLinePreview, OrderPayload
from schema.pagination import AccountConnection
from schema.planner import PlannedReads
from schema.types import Account, ProductInventory, ProductSpecification


@strawberry.type
class Query:
    account: Account | None = strawberry.field(resolver=inventory_read.account)
    accounts: AccountConnection = strawberry.field(
        resolver=inventory_read.accounts, description="Accounts by id; `search` matches name or id."
    )
    inventory_item: ProductInventory | None = strawberry.field(resolver=inventory_read.inventory_item)
    inventory_tree: InventoryTree = strawberry.field(
        resolver=inventory_read.inventory_tree, description="A subtree as one flat answer (empty when unknown)."
    )
    product_specification: ProductSpecification | None = strawberry.field(
        resolver=inventory_read.product_specification
    )
    product_specifications: list[ProductSpecification] = strawberry.field(
        resolver=inventory_read.product_specifications
    )
    order: CustomerOrder | None = strawberry.field(resolver=order_read.order)
    inventory_history: list[InventoryEvent] = strawberry.field(
        resolver=history_read.inventory_history, description="Every recorded change to an item, newest first."
    )
    preview_order: list[OrderLinePreview] = strawberry.field(
        resolver=order_preview.preview_order,
        description="The lines an action on a selection would create; nothing is written.",
    )
    order_preview: OrderPreview = strawberry.field(
        resolver=order_preview.preview_lines,
        description="Like previewOrder, but refusals come back as typed errors instead of a GraphQL error.",
    )
    open_tasks: OrderTaskConnection = strawberry.field(
        resolver=tasks_read.open_tasks,
        description="Tasks still OPEN or IN_PROGRESS, oldest approval first; `orderId` limits them to one order, "
        "`jeopardy` to some levels, `orderBy: DUE_DATE` sorts earliest due first.",
    )
    fallout_tasks: OrderTaskConnection = strawberry.field(
        resolver=tasks_read.fallout_tasks,
        description="The fallout queue: FAILED tasks across orders, oldest failure first; `category` and "
        "`jeopardy` filter it, `orderBy: DUE_DATE` sorts earliest due first.",
    )
    return_authorization: ReturnAuthorization | None = strawberry.field(resolver=tasks_read.return_authorization)
    open_work_orders: list[WorkOrder] = strawberry.field(
        resolver=work_order_lifecycle.open_work_orders,
        description="A technician's day: the visits booked at a location on a day (SCHEDULED or IN_PROGRESS), "
        "by date and window; without a day, every unfinished visit there.",
    )


@strawberry.type
class Mutation:
    create_order: OrderPayload = strawberry.field(resolver=order_create.create_order)
    add_inventory_to_order: OrderPayload = strawberry.field(resolver=order_add_inventory.add_inventory_to_order)
    add_product_to_order: OrderPayload = strawberry.field(resolver=order_add_product.add_product_to_order)
    update_order_line: OrderPayload = strawberry.field(resolver=order_line_update.update_order_line)
    remove_order_line: OrderPayload = strawberry.field(resolver=order_line_remove.remove_order_line)
    submit_order: OrderPayload = strawberry.field(resolver=order_submit.submit_order)
    approve_order: OrderPayload = strawberry.field(
        resolver=order_approve.approve_order,
        description="Approve a SUBMITTED order: pending states land and it is decomposed into domain orders, "
        "tasks, work orders and returns.",
    )
    reject_order: OrderPayload = strawberry.field(
        resolver=order_reject.reject_order, description="Reject a SUBMITTED order, saying why."
    )
    cancel_order: OrderPayload = strawberry.field(
        resolver=order_cancel.cancel_order,
        description="Cancel an order: outright before approval, with compensation in progress until a "
        "point-of-no-return task is closed.",
    )
    revise_order: OrderPayload = strawberry.field(
        resolver=order_revise.revise_order,
        description="Open a revision of an order in progress (R14): the order goes REVISION_IN_PROGRESS, its "
        "unfinished tasks are held, and the revision (version + 1) is edited with the capture mutations, "
        "submitted with submitOrder and applied with approveOrder.",
    )
    cancel_revision: OrderPayload = strawberry.field(
        resolver=revision_cancel.cancel_revision,
        description="Drop the open revision: what it added is removed, its holds are released, and the order "
        "runs on as before.",
    )
    start_order_task: OrderPayload = strawberry.field(
        resolver=task_start.start_order_task,
        description="Start a ready OPEN task (TASK_NOT_READY while what it depends on is not done, ORDER_ON_HOLD "
        "while its order is held).",
    )
    close_order_task: OrderPayload = strawberry.field(
        resolver=task_close.close_order_task,
        description="Close a ready task; closing the last one completes the order and lands its effects.",
    )
    fail_order_task: OrderPayload = strawberry.field(
        resolver=task_fail.fail_order_task,
        description="An OPEN or IN_PROGRESS task failed: it becomes FAILED with the reason and category, its order "
        "is in fallout and nothing that depends on it moves until it is retried or skipped.",
    )
    retry_order_task: OrderPayload = strawberry.field(
        resolver=task_retry.retry_order_task,
        description="A FAILED task is OPEN again as its next attempt (the attempt count is kept).",
    )
    skip_order_task: OrderPayload = strawberry.field(
        resolver=task_skip.skip_order_task,
        description="Declare a task done without doing it, saying why (allowed to administrators); it counts as "
        "closed for its dependants and for completion, and is recorded in the task's history.",
    )
    hold_order: OrderPayload = strawberry.field(
        resolver=order_hold.hold_order,
        description="Put an order IN_PROGRESS on hold, saying why: no task can be started or closed until it is "
        "resumed; it can still be cancelled before its point of no return.",
    )
    resume_order: OrderPayload = strawberry.field(
        resolver=order_hold.resume_order, description="Resume a held order: its tasks may move again."
    )
    suspend_entitlement: OrderPayload = strawberry.field(
        resolver=entitlement_suspend.suspend_entitlement,
        description="Create a DRAFT SUSPEND order for the product the entitlement covers.",
    )
    resume_entitlement: OrderPayload = strawberry.field(
        resolver=entitlement_resume.resume_entitlement,
        description="Create a DRAFT RESUME order for the product the entitlement covers.",
    )
    cancel_contract: OrderPayload = strawberry.field(
        resolver=contract_cancel.cancel_contract,
        description="Create a DRAFT DISCONNECT order for what the contract covers; the contract is "
        "CANCELLED when it completes (at once, with no order, when nothing is left to disconnect).",
    )
    schedule_work_order: WorkOrderPayload = strawberry.field(
        resolver=work_order_lifecycle.schedule_work_order,
        description="Book a visit for a day and a time window (OPEN, SCHEDULED to rebook, or FAILED to try again "
        "as the next attempt).",
    )
    start_work_order: WorkOrderPayload = strawberry.field(
        resolver=work_order_lifecycle.start_work_order,
        description="The technician or courier starts a SCHEDULED visit (not while the order is on hold).",
    )
    complete_work_order: WorkOrderPayload = strawberry.field(
        resolver=work_order_lifecycle.complete_work_order,
        description="The visit is done; the task that waits for it becomes ready (not while the order is on hold).",
    )
    fail_work_order: WorkOrderPayload = strawberry.field(
        resolver=work_order_lifecycle.fail_work_order,
        description="The visit failed, saying why: the order is in fallout until the visit is scheduled again.",
    )
    receive_return: ReturnPayload = strawberry.field(
        resolver=return_receive.receive_return,
        description="The returned device arrived; the collection linked to the return is complete.",
    )
    close_return: ReturnPayload = strawberry.field(
        resolver=return_receive.close_return, description="The received device is processed."
    )


# Parsed and validated documents are cached across requests (bounded LRU, keyed by the query text).
DOCUMENT_CACHE_SIZE = 512
schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        PlannedReads,
        lambda: MaskErrors(should_mask_error=should_mask),
    ],
)
