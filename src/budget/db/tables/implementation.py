"""The building of funded projects: current state, dated public changes, milestones."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import cents, utc


class Implementation(SQLModel, table=True):
    """A funded proposal's building, one row per funded proposal (created by `mark_funded`).
    Everything here is public."""

    __tablename__ = "implementation"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),)

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    status: str = Field(max_length=16)
    progress: int = 0
    spent: int | None = cents(nullable=True)
    reason: str | None = Field(default=None, sa_type=Text)  # public, when abandoned
    funded_at: datetime = utc()
    updated_at: datetime = utc()


class ImplementationChange(SQLModel, table=True):
    """One dated public change of status, progress or spending, with its note."""

    __tablename__ = "implementation_change"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="implementation.proposal_id", index=True)
    at: datetime = utc()
    status: str = Field(max_length=16)
    progress: int
    spent: int | None = cents(nullable=True)
    note: str = Field(default="", sa_type=Text)


class Milestone(SQLModel, table=True):
    """A step of the building: planned date, actual date once reached, a public note."""

    __tablename__ = "milestone"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="implementation.proposal_id", index=True)
    title: str = Field(max_length=120)
    planned_on: date
    reached_on: date | None = None
    note: str = Field(default="", sa_type=Text)
    created_at: datetime = utc()
    updated_at: datetime = utc()
