"""Polling places and paper ballots (PRODUCT.md "Paper ballots (urns)"; T1, T2, T7, T9).

A place belongs to a cycle and lists the budgets voted there; officers hold dated shifts at it.
A check-in is the paper `participation` itself (UNIQUE entry+budget, the same one-ballot rule as
online, T1) plus the place and officer that recorded it. Paper ballots are numbered in batches of
at most 50, each entered twice (sides A and B, by two accounts); only an accepted batch stores
its ballots, with the batch id and never a voter link or receipt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import utc


class PollingPlace(SQLModel, table=True):
    __tablename__ = "polling_place"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    name: str = Field(max_length=120)
    address: str = Field(default="", sa_type=Text)
    created_at: datetime = utc()


class PlaceBudget(SQLModel, table=True):
    """A budget voted at a place."""

    __tablename__ = "place_budget"

    place_id: int = Field(primary_key=True, foreign_key="polling_place.id")
    budget_id: int = Field(primary_key=True, foreign_key="budget.id")


class OfficerShift(SQLModel, table=True):
    """An officer's hours at a place: their officer pages exist there only in [starts, ends)."""

    __tablename__ = "officer_shift"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ordered"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="polling_place.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    starts_at: datetime = utc()
    ends_at: datetime = utc()


class CheckIn(SQLModel, table=True):
    """Where and by whom a paper participation was recorded (émargement)."""

    __tablename__ = "check_in"

    participation_id: int = Field(primary_key=True, foreign_key="participation.id")
    place_id: int = Field(foreign_key="polling_place.id", index=True)
    officer_id: int = Field(foreign_key="account.id")


class PaperBatch(SQLModel, table=True):
    """Up to 50 numbered paper ballots of one budget at one place. State: open (nothing entered),
    entering, accepted (its ballots stored), voided (by the council, with the reason)."""

    __tablename__ = "paper_batch"
    __table_args__ = (
        UniqueConstraint("place_id", "budget_id", "number"),
        CheckConstraint("size BETWEEN 1 AND 50", name="size"),
        CheckConstraint("officer_a_id IS NULL OR officer_b_id IS NULL OR "
                        "officer_a_id <> officer_b_id", name="two_officers"),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="polling_place.id", index=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    number: int
    size: int
    state: str = Field(max_length=16)  # open | entering | accepted | voided
    officer_a_id: int | None = Field(default=None, foreign_key="account.id")
    officer_b_id: int | None = Field(default=None, foreign_key="account.id")
    void_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc()


class PaperEntry(SQLModel, table=True):
    """One side's reading of one numbered ballot: its kind and, for `choices`, the canonical
    ballot as JSON (the same form as `ballot.choices`)."""

    __tablename__ = "paper_entry"
    __table_args__ = (UniqueConstraint("batch_id", "side", "ballot_number"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="paper_batch.id", index=True)
    side: str = Field(max_length=1)  # A | B
    ballot_number: int
    officer_id: int = Field(foreign_key="account.id")
    kind: str = Field(max_length=24)  # choices | blank | invalid-over-limit | invalid-unreadable
    choices: str = Field(default="", sa_type=Text)
    entered_at: datetime = utc()
