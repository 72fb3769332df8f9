"""Revisions of orders in progress (R14) as GraphQL shows them: versions and what each changed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from graph.revisions import RevisionRecord
from rules import revision as revision_rules
from rules.model import Order
from rules.revision import LineSummary, RevisionSummary
from schema.context import Context
from schema.enums import LineAction
from schema.orders import OrderLine

Ctx = Info[Context, Any]

@strawberry.enum(description="Where a revision of an order in progress stands (R14).")
class RevisionState(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Open and edited with the capture mutations.")
    SUBMITTED = strawberry.enum_value("SUBMITTED", description="Validated, awaiting approveOrder.")
    APPROVED = strawberry.enum_value("APPROVED", description="Applied to the running order.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Dropped with cancelRevision.")


@strawberry.type(description="One value a revision changed on a line.")
class RevisionFieldChange:
    field: str = strawberry.field(
        description="`action`, `moveOperation`, `targetLocationId` or `characteristics.<name>`."
    )
    old_value: str | None = strawberry.field(description="The value before the revision (null: none).")
    new_value: str | None = strawberry.field(description="The value after the revision (null: none).")


@strawberry.type(description="A line a revision added, removed or changed, with the values concerned.")
class RevisionLineChange:
    line_id: strawberry.ID = strawberry.field(description="The line (a removed line keeps its id in history).")
    inventory_item_id: strawberry.ID | None = strawberry.field(description="The item the line acts on.")
    specification_id: strawberry.ID = strawberry.field(description="The line's product specification.")
    action: LineAction = strawberry.field(description="The line's action (a removed line's last action).")
    changes: list[RevisionFieldChange] = strawberry.field(
        description="Added lines: the values they set; removed lines: what they would have set (old) and what "
        "stays (new); changed lines: every value that differs between the versions."
    )

    @classmethod
    def of(cls, s: LineSummary) -> RevisionLineChange:
        return cls(
            line_id=strawberry.ID(s.line_id),
            inventory_item_id=strawberry.ID(s.inventory_id) if s.inventory_id else None,
            specification_id=strawberry.ID(s.spec_id),
            action=s.action,
            changes=[RevisionFieldChange(field=c.field, old_value=c.old, new_value=c.new) for c in s.changes],
        )


@strawberry.type(description="A version of an order in progress: its revised line tree and what it changed (R14).")
class OrderRevision:
    id: strawberry.ID = strawberry.field(description="The revision's id (`rev-…`).")
    version: int = strawberry.field(description="The order version this revision makes: the one before plus one.")
    state: RevisionState = strawberry.field(description="Where the revision stands.")
    reason: str | None = strawberry.field(description="Why the revision was asked for.")
    requested_by: str | None = strawberry.field(description="Who asked for the revision.")
    decided_by: str | None = strawberry.field(description="Who approved or cancelled it.")
    created_at: datetime | None = strawberry.field(description="When the revision was opened.")
    decided_at: datetime | None = strawberry.field(description="When it was approved or cancelled.")
    record: strawberry.Private[RevisionRecord]
    running: strawberry.Private[Order]

    @classmethod
    def of(cls, r: RevisionRecord, running: Order) -> OrderRevision:
        return cls(
            id=strawberry.ID(r.id), version=r.version, state=RevisionState(r.state),
            reason=r.reason, requested_by=r.requested_by, decided_by=r.decided_by, created_at=r.created_at,
            decided_at=r.decided_at, record=r, running=running,
        )

    def _summary(self) -> RevisionSummary:
        if self.record.summary is not None:
            return self.record.summary
        if self.record.state in revision_rules.OPEN_REVISION_STATES:
            return revision_rules.summarize(revision_rules.line_delta(self.running.lines, self.record.lines))
        return RevisionSummary()

    @strawberry.field(description="The revised line tree, parents before children, as captured in the revision.")
    def lines(self) -> list[OrderLine]:
        tree = Order(
            id=self.running.id, account_id=self.running.account_id, action=self.running.action,
            state=self.running.state, lines=list(self.record.lines),
        )
        return [OrderLine.of(tree, ln) for ln in tree.lines]

    @strawberry.field(description="Lines the revision adds (so far, while it is open).")
    def lines_added(self) -> list[RevisionLineChange]:
        return [RevisionLineChange.of(s) for s in self._summary().added]

    @strawberry.field(description="Lines the revision removes; their effects are undone on approval.")
    def lines_removed(self) -> list[RevisionLineChange]:
        return [RevisionLineChange.of(s) for s in self._summary().removed]

    @strawberry.field(description="Lines the revision changes, with old and new values.")
    def lines_changed(self) -> list[RevisionLineChange]:
        return [RevisionLineChange.of(s) for s in self._summary().changed]
