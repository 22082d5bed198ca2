"""SQLModel tables. Enumerations are stored as short strings (no database enum types, so adding
a value needs no migration dance); money as BIGINT minor units; times as UTC.

Read through `db.queries` (frozen view models), write through `services`.

One module per area; every table is importable from here, and importing the package registers
them all on `metadata` (the migrations and autogenerate need the whole schema).
"""

from __future__ import annotations

from budget.db.tables.accounts import (
    Account,
    AccountToken,
    LoginThrottle,
    OidcIdentity,
    OidcLogin,
    RoleGrant,
    WebSession,
)
from budget.db.tables.audit import AuditLog
from budget.db.tables.columns import UTCDateTime, metadata
from budget.db.tables.cycles import Budget, Category, Cycle, District, PhaseSchedule
from budget.db.tables.notifications import Notification, OutboxEmail
from budget.db.tables.pages import PublicPage
from budget.db.tables.proposals import Proposal, ProposalAuthor, ProposalEvent, ProposalVersion
from budget.db.tables.review import (
    Committee,
    CommitteeMember,
    InternalNote,
    Review,
    ReviewAssignment,
)

__all__ = [
    "Account",
    "AccountToken",
    "AuditLog",
    "Budget",
    "Category",
    "Committee",
    "CommitteeMember",
    "Cycle",
    "District",
    "InternalNote",
    "LoginThrottle",
    "Notification",
    "OidcIdentity",
    "OidcLogin",
    "OutboxEmail",
    "PhaseSchedule",
    "Proposal",
    "ProposalAuthor",
    "ProposalEvent",
    "ProposalVersion",
    "PublicPage",
    "Review",
    "ReviewAssignment",
    "RoleGrant",
    "UTCDateTime",
    "WebSession",
    "metadata",
]
