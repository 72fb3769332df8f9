"""GraphQL enums: the rules' own enums, registered with Strawberry under their GraphQL names.

Every enum and every value carries a description (`schema.describe.described_enum`); the rules of
`docs/domain.md` are cited by number.
"""

from __future__ import annotations

from exports.tree_formats import ExportFormat, LayoutDirection
from rules import lifecycle_model, model
from rules.schedule import Jeopardy
from schema.describe import described_enum

described_enum(
    model.InventoryState,
    "Product inventory state (TMF637-like). A pending state means an open order is working on the item.",
    {
        "INSTALLATION_PENDING": "Added by an approved order and not installed yet; ACTIVE when the order completes.",
        "ACTIVE": "In service.",
        "CHANGE_PENDING": "An approved order changes (or moves) it; ACTIVE again when the order completes.",
        "SUSPENDED": "Temporarily out of service; a RESUME order brings it back (R5).",
        "DISCONNECT_PENDING": "An approved order disconnects it; INACTIVE when the order completes.",
        "INACTIVE": "Disconnected, or replaced by its copy at a new location after a move. Kept for history.",
    },
)
described_enum(
    model.OrderAction,
    "What a customer order does as a whole; it implies the action of the lines it creates.",
    {
        "ADD": "New products only: new roots, or new children under existing items (R2).",
        "CHANGE": "Change characteristics or specification of the selected items only (R1).",
        "MOVE": "Move whole subtrees to another location (R4).",
        "DISCONNECT": "Disconnect the selected items and everything below them (R3).",
        "SUSPEND": "Suspend the selected items and their subtrees (R5).",
        "RESUME": "Resume the selected suspended items and their subtrees (R5).",
    },
)
described_enum(
    model.LineAction,
    "What one order line does to one item (TMF622 item actions).",
    {
        "ADD": "Install a new product (the line's item was created by the order, INSTALLATION_PENDING).",
        "CHANGE": "Change characteristics, specification or location of an existing item.",
        "DISCONNECT": "Take the item out of service; it ends INACTIVE.",
        "SUSPEND": "Suspend the item.",
        "RESUME": "Resume the suspended item.",
        "NO_CHANGE": "The item is untouched; the line only holds child lines in the tree.",
    },
)
described_enum(
    model.OrderState,
    "Customer order and order line state (R7).",
    {
        "DRAFT": "Being captured; the only state in which lines can be edited.",
        "SUBMITTED": "Validated and waiting for approval or rejection.",
        "QUEUED": "A follow-on order waiting for the open order whose items it targets to complete (R15).",
        "IN_PROGRESS": "Approved and decomposed; fulfillment tasks are running.",
        "REVISION_IN_PROGRESS": "In progress while a revision of its lines is captured and approved (R14).",
        "COMPLETED": "Every task closed; effects landed on the installed base.",
        "REJECTED": "Refused at approval; nothing changed.",
        "CANCELLATION_IN_PROGRESS": "Cancelled in flight before the point of no return; compensation runs (R12).",
        "CANCELLED": "Cancelled; pending effects were undone.",
    },
)
described_enum(
    model.ErrorCode,
    "Why a mutation refused. Each mutation's description lists the codes it can return.",
    {
        "NOT_FOUND": "An id in the input names nothing (the `ids` say which).",
        "INVALID_INPUT": "The input is malformed or contradicts itself (unknown characteristic, empty reason, ...).",
        "INVALID_STATE": "An item or order is in a state the action does not start from.",
        "ALREADY_IN_OPEN_ORDER": "An item is already the target of another open order (R6); `ids` start with "
        "that order's id.",
        "REQUIRED_CHILD": "A child the parent's bundle requires cannot be disconnected alone (R3).",
        "SPEC_NOT_ALLOWED": "The parent's specification does not bundle the specification being added (R2).",
        "CARDINALITY_EXCEEDED": "Adding would exceed the bundle's maximum for that specification (R2).",
        "MOVE_FLAG_MISSING": "A line of a move lacks the move flag or has an action a move cannot carry (R4).",
        "MOVE_LOCATION_MISMATCH": "Lines of one moved product go to different locations (R4).",
        "MOVE_INCOMPLETE": "Items under a moved product have no line: a move carries the whole subtree (R4).",
        "ANCESTOR_SUSPENDED": "An item cannot resume while an ancestor stays suspended (R5).",
        "ORDER_NOT_EDITABLE": "Only DRAFT orders can be edited.",
        "PAST_POINT_OF_NO_RETURN": "A point-of-no-return task is closed; the order can no longer be cancelled (R12).",
        "NOT_APPROVABLE": "The order is not SUBMITTED, so it cannot be approved or rejected.",
        "TASK_NOT_OPEN": "The task is not in a state the step starts from (start needs OPEN, close IN_PROGRESS).",
        "CONFLICT": "Another request changed the same data at the same time; read again and retry.",
        "REVISION_PENDING": "The order has an open revision: finish or cancel it first (R14, one at a time).",
        "TASK_ON_HOLD": "The task is held while a revision of its order is open (R14).",
        "COVERED_BY_ANCESTOR": "The line's action is set by an ancestor's DISCONNECT, SUSPEND or RESUME line; edit "
        "or remove that line instead (`ids`: the line, then the covering line).",
        "LIVE_UNDER_INACTIVE": "Completing the order would leave live items under an item it makes INACTIVE; give them "
        "lines too (`ids` names them).",
        "DEPTH_EXCEEDED": "The new product would sit deeper below its root than a tree may go.",
        "TASK_NOT_READY": "The task waits for other tasks, its field work or the order's requested start; "
        "`ids` names what blocks it.",
        "ORDER_ON_HOLD": "The order is on hold: no task moves until it is resumed (or it is already on hold).",
        "DEPENDENCY_CYCLE": "The catalog's task dependencies for this order form a cycle; `ids` names the tasks.",
    },
    name="OrderErrorCode",
)
described_enum(
    lifecycle_model.ServiceState,
    "Service inventory state (TMF638).",
    {
        "DESIGNED": "Designed, not yet reserved.",
        "RESERVED": "Resources reserved, not yet active.",
        "ACTIVE": "In service.",
        "INACTIVE": "Out of service, resources kept.",
        "TERMINATED": "Ended; kept for history (R9).",
    },
)
described_enum(
    lifecycle_model.EntitlementState,
    "State of the right a contract grants for one product (R10).",
    {
        "ACTIVE": "The product may be used.",
        "SUSPENDED": "Suspended with its product.",
        "CANCELLED": "Ended by a disconnect or a contract cancellation.",
        "EXPIRED": "Past its end date.",
    },
)
described_enum(
    lifecycle_model.ContractState,
    "State of an account's contract (TMF651 agreement).",
    {
        "ACTIVE": "In force.",
        "CANCELLED": "Cancelled by the account (cancelContract).",
        "EXPIRED": "Past its end date.",
    },
)

described_enum(
    lifecycle_model.TaskState,
    "State of an order task or a domain order (R7, R13).",
    {
        "OPEN": "Waiting to be started.",
        "IN_PROGRESS": "Started (for a domain order: one of its tasks is).",
        "CLOSED_COMPLETE": "Done.",
        "CANCELLED": "Its order was cancelled before it was done.",
        "FAILED": "A task that failed: the order is in fallout until it is retried or skipped.",
        "SKIPPED": "A task declared done without being done, with a reason; counts as done.",
    },
)
described_enum(
    lifecycle_model.DomainOrderKind,
    "The fulfillment domain a customer order is decomposed into (R7).",
    {
        "PRODUCT": "Product order: every line that changes something.",
        "SERVICE": "Service order: lines whose specification is realized by services (R9).",
        "RESOURCE": "Resource order: lines on physical devices (shipping, collecting, installing).",
    },
)
described_enum(
    lifecycle_model.WorkOrderKind,
    "Field work: ship or collect a device, install a site.",
    {
        "SHIP_DEVICE": "Send a new physical device to the customer.",
        "COLLECT_DEVICE": "Pick up a device that must come back (R11).",
        "SITE_INSTALL": "Install at a new location, e.g. after a move.",
    },
)
described_enum(
    lifecycle_model.ReturnState,
    "Return authorization (RMA) lifecycle (R11).",
    {
        "AUTHORIZED": "The device is expected back.",
        "RECEIVED": "The device arrived (receiveReturn).",
        "CLOSED": "The device was processed (closeReturn).",
        "CANCELLED": "Not needed any more: the order was cancelled.",
    },
)
described_enum(
    lifecycle_model.ReturnReason,
    "Why a device must come back (R11).",
    {
        "DISCONNECT": "The device was disconnected.",
        "DEVICE_SWAP": "The device was replaced by another model.",
        "MOVE_NOT_KEPT": "The device does not move with its product to the new location.",
    },
)

described_enum(
    ExportFormat,
    "Formats visualization tools read.",
    {
        "MERMAID": "A Mermaid flowchart, for Markdown renderers (GitHub, GitLab, Notion).",
        "DOT": "A Graphviz digraph (`dot -Tsvg`).",
        "GRAPHML": "GraphML for yEd, Gephi and networkx, with yEd node labels.",
        "CYTOSCAPE_JSON": "Cytoscape.js / Cytoscape Desktop `elements` JSON.",
    },
    name="TreeExportFormat",
)
described_enum(
    LayoutDirection,
    "Which way an exported drawing grows (Mermaid, DOT, GraphML positions).",
    {"TOP_DOWN": "Roots at the top, children below.", "LEFT_RIGHT": "Roots on the left, children to the right."},
)

described_enum(
    lifecycle_model.WorkOrderState,
    "Field work lifecycle: scheduled, started, completed or failed.",
    {
        "OPEN": "Not scheduled yet.",
        "SCHEDULED": "Booked for a date and a time window.",
        "IN_PROGRESS": "The technician or courier is on it.",
        "CLOSED_COMPLETE": "Done (a collection also when its device is received).",
        "FAILED": "The visit failed; schedule it again to retry.",
        "CANCELLED": "Its order was cancelled, or completed without needing it.",
    },
)
described_enum(
    lifecycle_model.FailureCategory,
    "Why a task failed, for routing fallout to the team that fixes it.",
    {
        "PROVISIONING": "A network or service system could not do the step.",
        "INVENTORY_ALLOCATION": "No resource (number, port, device) could be allocated.",
        "BILLING": "The billing system refused or failed.",
        "OTHER": "Anything else.",
    },
)
described_enum(
    Jeopardy,
    "How close open work is to missing its due date, from the share of its allowed time used: LOW from 50 %, "
    "MEDIUM from 75 %, HIGH from 90 %, CRITICAL once due.",
    {
        "NONE": "Less than half of the allowed time used, or the work is finished.",
        "LOW": "At least half of the allowed time used.",
        "MEDIUM": "At least three quarters of the allowed time used.",
        "HIGH": "At least 90 % of the allowed time used.",
        "CRITICAL": "The due date has passed.",
    },
)
described_enum(
    lifecycle_model.OrderEventKind,
    "What an entry of an order's history records.",
    {
        "STATE_CHANGE": "The order moved from one state to another.",
        "HOLD": "The order was put on hold (the reason says why).",
        "RESUME": "The order was resumed after a hold.",
    },
)
described_enum(
    lifecycle_model.MilestoneKind,
    "Customer-facing progress points of an order.",
    {
        "ACCEPTED": "The order was submitted and validated.",
        "APPROVED": "The order was approved and decomposed.",
        "FIRST_ACTIVATION": "The first activation task was done: a new or changed service is up.",
        "POINT_OF_NO_RETURN_PASSED": "A point-of-no-return task was done: the order can no longer be cancelled.",
        "COMPLETED": "The order completed and its effects landed on the inventory.",
    },
)

InventoryState = model.InventoryState
OrderAction = model.OrderAction
LineAction = model.LineAction
OrderState = model.OrderState
OrderErrorCode = model.ErrorCode
ServiceState = lifecycle_model.ServiceState
EntitlementState = lifecycle_model.EntitlementState
ContractState = lifecycle_model.ContractState
TaskState = lifecycle_model.TaskState
DomainOrderKind = lifecycle_model.DomainOrderKind
WorkOrderKind = lifecycle_model.WorkOrderKind
ReturnState = lifecycle_model.ReturnState
ReturnReason = lifecycle_model.ReturnReason
TreeExportFormat = ExportFormat
ExportDirection = LayoutDirection
WorkOrderState = lifecycle_model.WorkOrderState
FailureCategory = lifecycle_model.FailureCategory
OrderEventKind = lifecycle_model.OrderEventKind
MilestoneKind = lifecycle_model.MilestoneKind


def describe_values(enum: type, descriptions: dict[str, str]) -> None:
    """Give the values of a registered enum their GraphQL descriptions (for enums registered elsewhere)."""
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        if value.name in descriptions:
            value.description = descriptions[value.name]
