"""Proposals, their authors, versions and public history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import cents, utc


class Proposal(SQLModel, table=True):
    """A resident's proposal. Coordinates are integer micro-degrees (exact, same on both
    backends). `decision_justification` is internal (T7): never on a public page or export."""

    __tablename__ = "proposal"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    title: str = Field(max_length=120)
    summary: str = Field(max_length=500)
    description: str = Field(default="", sa_type=Text)  # Markdown source, rendered sanitised
    category_id: int | None = Field(default=None, foreign_key="category.id")
    address: str | None = Field(default=None, max_length=200)
    lat_e6: int | None = None
    lon_e6: int | None = None
    estimated_cost: int | None = cents(nullable=True)  # the proposer's estimate
    language: str = Field(default="fr", max_length=2)
    status: str = Field(max_length=16)
    final_cost: int | None = cents(nullable=True)
    public_explanation: str | None = Field(default=None, sa_type=Text)  # why infeasible
    decision_justification: str | None = Field(default=None, sa_type=Text)  # internal
    merged_into_id: int | None = Field(default=None, foreign_key="proposal.id")
    created_by: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = utc()
    updated_at: datetime | None = utc(nullable=True)
    submitted_at: datetime | None = utc(nullable=True)
    withdrawn_at: datetime | None = utc(nullable=True)
    decided_at: datetime | None = utc(nullable=True)
    # Moderation: a hidden proposal leaves listings, map and exports; its page shows only the
    # public reason, the text stays for the audit.
    hidden_at: datetime | None = utc(nullable=True)
    hidden_reason: str | None = Field(default=None, max_length=500)


class ProposalAuthor(SQLModel, table=True):
    """Who wrote a proposal: the creator, invited co-authors, and on a merged proposal the
    authors of its sources (`credited_from`). Only `accepted` authors are shown and may edit."""

    __tablename__ = "proposal_author"
    __table_args__ = (UniqueConstraint("proposal_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    role: str = Field(max_length=16)  # creator | coauthor
    state: str = Field(max_length=16)  # invited | accepted | declined | left
    credited_from: int | None = Field(default=None, foreign_key="proposal.id")
    invited_at: datetime = utc()
    answered_at: datetime | None = utc(nullable=True)


class ProposalVersion(SQLModel, table=True):
    """Every saved edit of a proposal's public text: the page shows versions and a diff."""

    __tablename__ = "proposal_version"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    number: int
    title: str = Field(max_length=120)
    summary: str = Field(max_length=500)
    description: str = Field(sa_type=Text)
    address: str | None = Field(default=None, max_length=200)
    edited_by: int = Field(foreign_key="account.id")
    edited_at: datetime = utc()


class ProposalEvent(SQLModel, table=True):
    """The public history of a proposal (created, submitted, edited, review started, decided,
    merged, withdrawn...). `details` is canonical JSON of public facts only."""

    __tablename__ = "proposal_event"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    at: datetime = utc()
    kind: str = Field(max_length=32)
    details: str = Field(default="{}", sa_type=Text)
