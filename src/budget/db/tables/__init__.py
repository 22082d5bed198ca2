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
from budget.db.tables.engagement import (
    Comment,
    Flag,
    Follow,
    ProposalImage,
    Support,
    SupportSettings,
    TopicOptOut,
)
from budget.db.tables.implementation import Implementation, ImplementationChange, Milestone
from budget.db.tables.notifications import Notification, OutboxEmail
from budget.db.tables.pages import PublicPage
from budget.db.tables.polling import (
    CheckIn,
    OfficerShift,
    PaperBatch,
    PaperEntry,
    PlaceBudget,
    PollingPlace,
)
from budget.db.tables.proposals import Proposal, ProposalAuthor, ProposalEvent, ProposalVersion
from budget.db.tables.results import (
    Amendment,
    BudgetCount,
    Certificate,
    Certification,
    ClosedBox,
    Publication,
    RuleComparison,
)
from budget.db.tables.review import (
    Committee,
    CommitteeMember,
    InternalNote,
    Review,
    ReviewAssignment,
)
from budget.db.tables.roll import RollEntry, VotingCode
from budget.db.tables.voting import (
    Ballot,
    BallotLink,
    BallotProject,
    FrozenBudget,
    IdempotencyKey,
    Participation,
    Receipt,
)

__all__ = [
    "Account",
    "AccountToken",
    "Amendment",
    "AuditLog",
    "Ballot",
    "BallotLink",
    "BallotProject",
    "Budget",
    "BudgetCount",
    "Category",
    "Certificate",
    "Certification",
    "CheckIn",
    "ClosedBox",
    "Comment",
    "Committee",
    "CommitteeMember",
    "Cycle",
    "District",
    "Flag",
    "Follow",
    "FrozenBudget",
    "IdempotencyKey",
    "Implementation",
    "ImplementationChange",
    "InternalNote",
    "LoginThrottle",
    "Milestone",
    "Notification",
    "OfficerShift",
    "OidcIdentity",
    "OidcLogin",
    "OutboxEmail",
    "PaperBatch",
    "PaperEntry",
    "Participation",
    "PhaseSchedule",
    "PlaceBudget",
    "PollingPlace",
    "Proposal",
    "ProposalAuthor",
    "ProposalEvent",
    "ProposalImage",
    "ProposalVersion",
    "PublicPage",
    "Publication",
    "Receipt",
    "Review",
    "ReviewAssignment",
    "RoleGrant",
    "RollEntry",
    "RuleComparison",
    "Support",
    "SupportSettings",
    "TopicOptOut",
    "UTCDateTime",
    "VotingCode",
    "WebSession",
    "metadata",
]
