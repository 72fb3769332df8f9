"""The schema: root Query and Mutation, assembled from the resolver modules."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import AddValidationRules, ParserCache, SchemaExtension, ValidationCache

from resolvers import (
    contract_cancel,
    entitlement_resume,
    entitlement_suspend,
    history_read,
    inventory_read,
    inventory_search,
    location_create,
    node_read,
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
from schema.errors import ServiceErrors
from schema.fulfillment import (
    DomainOrder,
    OrderTask,
    OrderTaskConnection,
    ReturnAuthorization,
    ReturnPayload,
    WorkOrder,
    WorkOrderPayload,
)
from schema.history import InventoryEvent
from schema.inventory_tree import InventoryTree
from schema.limits import ArgumentLengths, HideSuggestions, TokenLimit, validation_rules
from schema.lookup import InventorySearchResult, LocationPayload
from schema.node import Node
from schema.orders import CustomerOrder, OrderLine, OrderLinePreview, OrderPayload
from schema.pagination import AccountConnection
from schema.planner import PlannedReads
from schema.types import (
    Account,
    Contract,
    Entitlement,
    Location,
    ProductInventory,
    ProductSpecification,
    ServiceSpecification,
)
from service.settings import Limits


@strawberry.type(
    description="Reads: accounts and their installed base, the catalog, orders, tasks and history. "
    "Rules R1–R12 are explained in docs/domain.md."
)
class Query:
    node: Node | None = strawberry.field(
        resolver=node_read.node, description="Any object by its id (Relay `Node`); null when nothing has that id."
    )
    account: Account | None = strawberry.field(
        resolver=inventory_read.account, description="One account by id; null when unknown."
    )
    accounts: AccountConnection = strawberry.field(
        resolver=inventory_read.accounts, description="Accounts by id; `search` matches name or id."
    )
    inventory_item: ProductInventory | None = strawberry.field(
        resolver=inventory_read.inventory_item, description="One product inventory item by id; null when unknown."
    )
    inventory_tree: InventoryTree = strawberry.field(
        resolver=inventory_read.inventory_tree, description="A subtree as one flat answer (empty when unknown)."
    )
    search_inventory: InventorySearchResult = strawberry.field(
        resolver=inventory_search.search_inventory,
        description="An account's items whose name, id or a characteristic value (a phone number, a serial) "
        "contains the text, by name.",
    )
    product_specification: ProductSpecification | None = strawberry.field(
        resolver=inventory_read.product_specification, description="One catalog specification by id."
    )
    product_specifications: list[ProductSpecification] = strawberry.field(
        resolver=inventory_read.product_specifications, description="The whole product catalog, by name."
    )
    order: CustomerOrder | None = strawberry.field(
        resolver=order_read.order, description="One customer order by id; null when unknown."
    )
    inventory_history: list[InventoryEvent] = strawberry.field(
        resolver=history_read.inventory_history, description="Every recorded change to an item, newest first."
    )
    preview_order: list[OrderLinePreview] = strawberry.field(
        resolver=order_preview.preview_order,
        description="The lines an action on a selection would create; nothing is written. "
        "Refusals come back as a GraphQL error.",
        deprecation_reason="Use orderPreview: it returns refusals as typed errors with codes, fields and ids.",
    )
    order_preview: OrderPreview = strawberry.field(
        resolver=order_preview.preview_lines,
        description="The lines an action on a selection would create, or the typed errors saying why it would be "
        "refused; nothing is written.",
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
    return_authorization: ReturnAuthorization | None = strawberry.field(
        resolver=tasks_read.return_authorization, description="One return (RMA) by id; null when unknown."
    )
    open_work_orders: list[WorkOrder] = strawberry.field(
        resolver=work_order_lifecycle.open_work_orders,
        description="A technician's day: the visits booked at a location on a day (SCHEDULED or IN_PROGRESS), "
        "by date and window; without a day, every unfinished visit there.",
    )


@strawberry.type(
    description="Changes. Every mutation is one transaction: it answers with the result, or with typed `errors` "
    "and nothing written."
)
class Mutation:
    create_order: OrderPayload = strawberry.field(
        resolver=order_create.create_order,
        description="Start a DRAFT order for an account. Errors: NOT_FOUND (account), INVALID_INPUT (idempotency "
        "key used for another account or action).",
    )
    add_inventory_to_order: OrderPayload = strawberry.field(
        resolver=order_add_inventory.add_inventory_to_order,
        description="Select installed items; the order's action decides which lines they bring (R1, R3, R4, R5). "
        "Errors: NOT_FOUND, ORDER_NOT_EDITABLE, INVALID_INPUT, INVALID_STATE, ALREADY_IN_OPEN_ORDER, "
        "REQUIRED_CHILD, ANCESTOR_SUSPENDED.",
    )
    add_product_to_order: OrderPayload = strawberry.field(
        resolver=order_add_product.add_product_to_order,
        description="Add a new product under an item of the order, or as a new root in an ADD order (R2). "
        "Errors: NOT_FOUND, ORDER_NOT_EDITABLE, INVALID_INPUT, INVALID_STATE, SPEC_NOT_ALLOWED, "
        "CARDINALITY_EXCEEDED, ALREADY_IN_OPEN_ORDER, DEPTH_EXCEEDED.",
    )
    update_order_line: OrderPayload = strawberry.field(
        resolver=order_line_update.update_order_line,
        description="Change one line's action, move flag, target location or characteristics; no cascade. "
        "Errors: NOT_FOUND, ORDER_NOT_EDITABLE, INVALID_INPUT, INVALID_STATE, COVERED_BY_ANCESTOR, "
        "CARDINALITY_EXCEEDED.",
    )
    remove_order_line: OrderPayload = strawberry.field(
        resolver=order_line_remove.remove_order_line,
        description="Remove one line; its children move up to its parent line. Errors: NOT_FOUND, "
        "ORDER_NOT_EDITABLE, INVALID_INPUT.",
    )
    submit_order: OrderPayload = strawberry.field(
        resolver=order_submit.submit_order,
        description="Validate a DRAFT order (states, characteristics, R6, and R4 for moves) and make it SUBMITTED. "
        "Errors: NOT_FOUND, ORDER_NOT_EDITABLE, INVALID_INPUT, INVALID_STATE, ALREADY_IN_OPEN_ORDER, "
        "MOVE_FLAG_MISSING, MOVE_LOCATION_MISMATCH, MOVE_INCOMPLETE, LIVE_UNDER_INACTIVE.",
    )
    approve_order: OrderPayload = strawberry.field(
        resolver=order_approve.approve_order,
        description="Approve a SUBMITTED order: pending states land and it is decomposed into domain orders, "
        "tasks, work orders and returns (R7, R8). Errors: NOT_FOUND, NOT_APPROVABLE, INVALID_STATE, INVALID_INPUT.",
    )
    reject_order: OrderPayload = strawberry.field(
        resolver=order_reject.reject_order,
        description="Reject a SUBMITTED order, saying why. Errors: NOT_FOUND, NOT_APPROVABLE, INVALID_INPUT.",
    )
    cancel_order: OrderPayload = strawberry.field(
        resolver=order_cancel.cancel_order,
        description="Cancel an order: outright before approval, with compensation in progress until a "
        "point-of-no-return task is closed (R12). Errors: NOT_FOUND, INVALID_STATE, PAST_POINT_OF_NO_RETURN.",
    )
    revise_order: OrderPayload = strawberry.field(
        resolver=order_revise.revise_order,
        description="Open a revision of an order in progress (R14): the order goes REVISION_IN_PROGRESS, its "
        "unfinished tasks are held, and the revision (version + 1) is edited with the capture mutations, "
        "submitted with submitOrder and applied with approveOrder. Errors: NOT_FOUND, INVALID_STATE, "
        "REVISION_PENDING, PAST_POINT_OF_NO_RETURN.",
    )
    cancel_revision: OrderPayload = strawberry.field(
        resolver=revision_cancel.cancel_revision,
        description="Drop the open revision: what it added is removed, its holds are released, and the order "
        "runs on as before. Errors: NOT_FOUND, INVALID_STATE.",
    )
    start_order_task: OrderPayload = strawberry.field(
        resolver=task_start.start_order_task,
        description="Start a ready OPEN task: what it depends on is done (R13) and its order is not held. "
        "Errors: NOT_FOUND, TASK_NOT_OPEN, TASK_NOT_READY, ORDER_ON_HOLD, INVALID_STATE.",
    )
    close_order_task: OrderPayload = strawberry.field(
        resolver=task_close.close_order_task,
        description="Close a ready task; closing the last one completes the order and lands its effects (R8–R11). "
        "Errors: NOT_FOUND, TASK_NOT_OPEN, TASK_NOT_READY, ORDER_ON_HOLD, INVALID_STATE.",
    )
    fail_order_task: OrderPayload = strawberry.field(
        resolver=task_fail.fail_order_task,
        description="An OPEN or IN_PROGRESS task failed: it becomes FAILED with the reason and category, its order "
        "is in fallout and nothing that depends on it moves until it is retried or skipped. "
        "Errors: NOT_FOUND, TASK_NOT_OPEN, INVALID_INPUT, ORDER_ON_HOLD.",
    )
    retry_order_task: OrderPayload = strawberry.field(
        resolver=task_retry.retry_order_task,
        description="A FAILED task is OPEN again as its next attempt (the attempt count is kept). "
        "Errors: NOT_FOUND, INVALID_STATE, ORDER_ON_HOLD.",
    )
    skip_order_task: OrderPayload = strawberry.field(
        resolver=task_skip.skip_order_task,
        description="Declare a task done without doing it, saying why (allowed to administrators); it counts as "
        "closed for its dependants and for completion, and is recorded in the task's history. "
        "Errors: NOT_FOUND, TASK_NOT_OPEN, INVALID_INPUT, ORDER_ON_HOLD.",
    )
    hold_order: OrderPayload = strawberry.field(
        resolver=order_hold.hold_order,
        description="Put an order IN_PROGRESS on hold, saying why: no task can be started or closed until it is "
        "resumed; it can still be cancelled before its point of no return. "
        "Errors: NOT_FOUND, INVALID_STATE, INVALID_INPUT, ORDER_ON_HOLD.",
    )
    resume_order: OrderPayload = strawberry.field(
        resolver=order_hold.resume_order, description="Resume a held order: its tasks may move again. Errors: NOT_FOUND, INVALID_STATE."
    )
    suspend_entitlement: OrderPayload = strawberry.field(
        resolver=entitlement_suspend.suspend_entitlement,
        description="Create a DRAFT SUSPEND order for the product the entitlement covers. "
        "Errors: NOT_FOUND, INVALID_INPUT, INVALID_STATE, ALREADY_IN_OPEN_ORDER.",
    )
    resume_entitlement: OrderPayload = strawberry.field(
        resolver=entitlement_resume.resume_entitlement,
        description="Create a DRAFT RESUME order for the product the entitlement covers. "
        "Errors: NOT_FOUND, INVALID_INPUT, INVALID_STATE, ALREADY_IN_OPEN_ORDER, ANCESTOR_SUSPENDED.",
    )
    cancel_contract: OrderPayload = strawberry.field(
        resolver=contract_cancel.cancel_contract,
        description="Create a DRAFT DISCONNECT order for what the contract covers; the contract is "
        "CANCELLED when it completes (at once, with no order, when nothing is left to disconnect). "
        "Errors: NOT_FOUND, INVALID_STATE, ALREADY_IN_OPEN_ORDER.",
    )
    schedule_work_order: WorkOrderPayload = strawberry.field(
        resolver=work_order_lifecycle.schedule_work_order,
        description="Book a visit for a day and a time window (OPEN, SCHEDULED to rebook, or FAILED to try again "
        "as the next attempt). Errors: NOT_FOUND, INVALID_STATE, INVALID_INPUT, ORDER_ON_HOLD.",
    )
    start_work_order: WorkOrderPayload = strawberry.field(
        resolver=work_order_lifecycle.start_work_order,
        description="The technician or courier starts a SCHEDULED visit (not while the order is on hold). "
        "Errors: NOT_FOUND, INVALID_STATE, ORDER_ON_HOLD.",
    )
    complete_work_order: WorkOrderPayload = strawberry.field(
        resolver=work_order_lifecycle.complete_work_order,
        description="The visit is done; the task that waits for it becomes ready (not while the order is on hold). "
        "Errors: NOT_FOUND, INVALID_STATE, ORDER_ON_HOLD.",
    )
    fail_work_order: WorkOrderPayload = strawberry.field(
        resolver=work_order_lifecycle.fail_work_order,
        description="The visit failed, saying why: the order is in fallout until the visit is scheduled again. "
        "Errors: NOT_FOUND, INVALID_STATE, INVALID_INPUT, ORDER_ON_HOLD.",
    )
    receive_return: ReturnPayload = strawberry.field(
        resolver=return_receive.receive_return,
        description="The returned device arrived (R11); the collection linked to the return is complete. "
        "Errors: NOT_FOUND, INVALID_STATE.",
    )
    close_return: ReturnPayload = strawberry.field(
        resolver=return_receive.close_return,
        description="The received device is processed (R11). Errors: NOT_FOUND, INVALID_STATE.",
    )
    create_location: LocationPayload = strawberry.field(
        resolver=location_create.create_location,
        description="Add a service address to an account, e.g. where a move goes when it was not imported. "
        "Errors: NOT_FOUND (account), INVALID_INPUT (blank name).",
    )


DOCUMENT_CACHE_SIZE = 512


def build_schema(limits: Limits | None = None) -> strawberry.Schema:
    """The schema with the request limits (depth, aliases, tokens, cost, argument lengths) in force."""
    limits = limits or Limits()
    settled = limits
    rules = validation_rules(limits)
    # Factories, not instances: each request gets its own extension objects. The parse and validation
    # caches are shared (bounded LRU, keyed by the query text); the limits run before the planner.
    extensions: list[Callable[[], SchemaExtension]] = [
        ServiceErrors,
        lambda: TokenLimit(settled),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ArgumentLengths(settled),
        PlannedReads,
    ]
    if not limits.suggestions:
        extensions.append(HideSuggestions)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Location, ServiceSpecification, Contract, Entitlement, DomainOrder, OrderTask, WorkOrder, OrderLine],
        extensions=extensions,  # type: ignore[arg-type]
    )


schema = build_schema()
