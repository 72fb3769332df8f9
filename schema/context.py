"""What every resolver reads first: the verified caller, the graph and the per-request loaders,
and `authorize`, the one place where roles and per-account scoping are decided.

Reads are scoped in their Cypher as well: the request's graph carries the caller's accounts
(`Graph.accounts`, None meaning all) and every statement a read starts from filters on it, so a
customer never reads another account's data and another account's id answers as unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from strawberry.types import Info

from graph.driver import Graph
from rules.model import ErrorCode, RuleError, RuleViolation

if TYPE_CHECKING:
    from resolvers.loaders import Loaders


ROLES = ("viewer", "customer", "agent", "approver", "fulfillment", "catalog", "admin")
ADMIN = "admin"
SCOPED_ROLE = "customer"
READERS = frozenset(ROLES)

# action -> roles that may perform it (admin may do everything, unknown actions included).
# docs/security.md shows the same table by role; a test keeps the two in step.
PERMISSIONS: Mapping[str, frozenset[str]] = {
    # reads: every role; a customer only for its own accounts (scoped in the Cypher)
    "node.read": READERS,
    "account.read": READERS,
    "account.list": READERS,
    "inventory.read": READERS,
    "inventory.history": READERS,
    "inventory.search": READERS,
    "contract.read": READERS,
    "catalog.read": READERS,
    "order.read": READERS,
    "order.preview": READERS,
    "task.read": READERS,
    "return.read": READERS,
    "workorder.read": READERS,
    "revision.read": READERS,
    # capture: customers for their own accounts, agents for any
    "order.create": frozenset({"customer", "agent"}),
    "order.edit": frozenset({"customer", "agent"}),
    "order.submit": frozenset({"customer", "agent"}),
    "order.cancel": frozenset({"customer", "agent", "approver"}),  # then by state, below
    "order.cancel.draft": frozenset({"customer", "agent"}),
    "order.cancel.submitted": frozenset({"agent"}),
    "order.cancel.in_progress": frozenset({"approver"}),
    "entitlement.suspend": frozenset({"customer", "agent"}),
    "entitlement.resume": frozenset({"customer", "agent"}),
    "contract.cancel": frozenset({"customer", "agent"}),
    "order.hold": frozenset({"agent"}),
    "order.resume": frozenset({"agent"}),
    "order.revise": frozenset({"agent"}),
    "revision.cancel": frozenset({"agent"}),
    "location.create": frozenset({"agent"}),
    # decisions
    "order.approve": frozenset({"approver"}),
    "order.reject": frozenset({"approver"}),
    # fulfillment
    "task.start": frozenset({"fulfillment"}),
    "task.close": frozenset({"fulfillment"}),
    "task.fail": frozenset({"fulfillment"}),
    "task.retry": frozenset({"fulfillment"}),
    "task.skip": frozenset(),  # admin only
    "workorder.schedule": frozenset({"fulfillment"}),
    "workorder.start": frozenset({"fulfillment"}),
    "workorder.complete": frozenset({"fulfillment"}),
    "workorder.fail": frozenset({"fulfillment"}),
    "return.receive": frozenset({"fulfillment"}),
    "return.close": frozenset({"fulfillment"}),
    # catalog
    "catalog.import": frozenset({"catalog"}),
    "catalog.change": frozenset({"catalog"}),
}

CANCEL_ACTION_BY_STATE: Mapping[str, str] = {
    "DRAFT": "order.cancel.draft",
    "SUBMITTED": "order.cancel.submitted",
}


def cancel_action(order_state: str) -> str:
    """Which cancel permission an order in `order_state` needs."""
    return CANCEL_ACTION_BY_STATE.get(order_state, "order.cancel.in_progress")


@dataclass(frozen=True)
class Caller:
    """Who sends a request, from a verified bearer token: an id, roles and the accounts it acts for."""

    id: str = "anonymous"
    roles: frozenset[str] = field(default_factory=frozenset)
    accounts: frozenset[str] = field(default_factory=frozenset)

    @property
    def account_scope(self) -> list[str] | None:
        """The accounts this caller may see, or None for all; a customer sees only its own."""
        return sorted(self.accounts) if SCOPED_ROLE in self.roles else None


class Forbidden(GraphQLError):
    """The caller's roles do not allow the action; the same answer whatever the ids, so none leak."""

    def __init__(self, action: str, caller: Caller) -> None:
        allowed = sorted(roles_for(action) | {ADMIN})
        super().__init__(
            f"Forbidden: '{action}' needs the role {' or '.join(allowed)}; "
            f"the caller has {', '.join(sorted(caller.roles)) or 'no role'}",
            extensions={"code": "FORBIDDEN", "action": action},
        )


@dataclass
class Context:
    """Per-request context; loaders live exactly as long as one request.

    `graph` is this request's view of the driver: it carries the caller's id (recorded on every
    event), the caller's account scope, and a bound on the statements the request runs at once.
    """

    graph: Graph
    caller: Caller
    loaders: Loaders
    request_id: str
    request: Any = None
    plan_reads: bool = True  # answer plannable reads with one statement (schema/planner.py)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def now_of(info: Info[Context, Any]) -> datetime:
    """The instant the request is decided at (`service.clock`: the system clock, or a test clock)."""
    return info.context.now


def caller_of(info: Info[Context, Any]) -> Caller:
    return info.context.caller


def roles_for(action: str) -> frozenset[str]:
    """The roles besides admin that may perform `action`; an unknown action has none."""
    return PERMISSIONS.get(action, frozenset())


def allowed(caller: Caller, action: str) -> bool:
    return ADMIN in caller.roles or bool(caller.roles & roles_for(action))


def hidden_account(account_id: str) -> RuleError:
    """How an account outside the caller's scope answers: exactly like one that does not exist."""
    return RuleError(RuleViolation(ErrorCode.NOT_FOUND, f"No account with id {account_id}", "accountId",
                                   (account_id,)))


def authorize(info: Info[Context, Any], action: str, account_id: str | None = None) -> Caller:
    """The one place where roles and per-account scoping are decided; every resolver calls it.

    Refuses with `Forbidden` when no role of the caller allows `action` (an action missing from
    PERMISSIONS is allowed to admin only, so a forgotten mapping fails safe), and with NOT_FOUND
    when `account_id` is outside a customer's accounts.
    """
    caller = caller_of(info)
    if not allowed(caller, action):
        raise Forbidden(action, caller)
    scope = caller.account_scope
    if account_id is not None and scope is not None and account_id not in scope:
        raise hidden_account(account_id)
    return caller
