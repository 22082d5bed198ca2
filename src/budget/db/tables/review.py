"""Feasibility review: committees, assignments, reviews, internal notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import cents, utc


class Committee(SQLModel, table=True):
    """A review committee of a cycle (a city department's reviewers)."""

    __tablename__ = "committee"
    __table_args__ = (UniqueConstraint("cycle_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    name: str = Field(max_length=120)


class CommitteeMember(SQLModel, table=True):
    __tablename__ = "committee_member"
    __table_args__ = (UniqueConstraint("committee_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)


class ReviewAssignment(SQLModel, table=True):
    """A proposal given to a reviewer. A declared conflict ends the assignment (state
    `conflict`, reason kept for the council); the reviewer then never sees the proposal (T7)."""

    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    reviewer_id: int = Field(foreign_key="account.id", index=True)
    state: str = Field(max_length=16)  # active | conflict | removed
    assigned_by: int = Field(foreign_key="account.id")
    assigned_at: datetime = utc()
    conflict_reason: str | None = Field(default=None, max_length=1000)
    conflict_at: datetime | None = utc(nullable=True)


class Review(SQLModel, table=True):
    """A reviewer's rubric, cost estimate and recommendation for one proposal. Submitted
    reviews are locked until the council reopens them. Internal: never public (T7)."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    reviewer_id: int = Field(foreign_key="account.id", index=True)
    state: str = Field(max_length=16)  # draft | submitted | reopened
    competence_score: int | None = None
    competence_comment: str = Field(default="", sa_type=Text)
    legal_score: int | None = None
    legal_comment: str = Field(default="", sa_type=Text)
    technical_score: int | None = None
    technical_comment: str = Field(default="", sa_type=Text)
    investment_score: int | None = None
    investment_comment: str = Field(default="", sa_type=Text)
    cost_total: int | None = cents(nullable=True)
    cost_breakdown: str = Field(default="", sa_type=Text)
    running_cost_yearly: int | None = cents(nullable=True)
    duration_months: int | None = None
    recommendation: str | None = Field(default=None, max_length=24)
    changes: str = Field(default="", sa_type=Text)  # with feasible_with_changes
    updated_at: datetime = utc()
    submitted_at: datetime | None = utc(nullable=True)


class InternalNote(SQLModel, table=True):
    """Reviewers' and council's notes on a proposal: internal, never public (T7 sentinel)."""

    __tablename__ = "internal_note"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    author_id: int = Field(foreign_key="account.id")
    at: datetime = utc()
    body: str = Field(sa_type=Text)
