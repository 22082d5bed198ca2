"""Voting: frozen ballot rules, ballots, the voter-to-ballot link, participation, receipts and
idempotency keys (SECURITY.md, secrecy data model; T1, T3, T8).

`ballot` holds no voter id, IP, user agent or time, and a random id, so nothing in it joins to a
voter. The only join is `ballot_link`, keyed by HMAC(link key, entry, budget) and destroyed by
the close step. `participation` says who voted in which budget (and how), never which ballot.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import cents, utc


class FrozenBudget(SQLModel, table=True):
    """A budget's ballot and counting rules as they were when voting opened (T8): what every
    ballot is validated against and the count will use. The lottery seed and its published
    SHA-256 are drawn at the same moment and kept on `budget`."""

    __tablename__ = "frozen_budget"

    budget_id: int = Field(primary_key=True, foreign_key="budget.id")
    ballot_type: str = Field(max_length=16)
    limits: str = Field(sa_type=Text)  # canonical JSON of the limits, defaults filled
    amount: int = cents()
    rule: str = Field(max_length=40)
    rule_options: str = Field(sa_type=Text)  # canonical JSON
    tie_break: str = Field(max_length=200)
    frozen_at: datetime = utc()


class BallotProject(SQLModel, table=True):
    """A project on a frozen budget's ballot, with its final cost as frozen."""

    __tablename__ = "ballot_project"

    budget_id: int = Field(primary_key=True, foreign_key="frozen_budget.budget_id")
    proposal_id: int = Field(primary_key=True, foreign_key="proposal.id")
    cost: int = cents()


class Receipt(SQLModel, table=True):
    """SHA-256 of a receipt shown to a voter (never the receipt itself), and whether its ballot
    still counts (`recorded`) or was replaced by a revision (`replaced`)."""

    __tablename__ = "receipt"

    receipt_hash: str = Field(primary_key=True, max_length=64)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    state: str = Field(max_length=16)  # recorded | replaced


class Ballot(SQLModel, table=True):
    """One counted ballot: a random 128-bit id, its budget, the canonical choices and its
    receipt's hash (online) or its paper batch (paper). Nothing about who cast it or when (T3)."""

    __tablename__ = "ballot"

    id: str = Field(primary_key=True, max_length=32)  # secrets.token_hex(16)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    choices: str = Field(sa_type=Text)  # canonical JSON: [id, ...] or [[id, points], ...]
    # Online ballots only: a paper ballot has no receipt, only the batch it was accepted in.
    receipt_hash: str | None = Field(
        default=None, foreign_key="receipt.receipt_hash", unique=True, max_length=64
    )
    channel: str = Field(max_length=8)  # online | paper
    batch_id: int | None = Field(default=None, foreign_key="paper_batch.id", index=True)


class BallotLink(SQLModel, table=True):
    """Which ballot a voter's revision replaces, until close destroys this table's rows.

    `voter_key` = HMAC-SHA256(link key, "entry:budget"): a dump alone does not name the voter."""

    __tablename__ = "ballot_link"

    voter_key: str = Field(primary_key=True, max_length=64)
    budget_id: int = Field(primary_key=True, foreign_key="budget.id")
    ballot_id: str = Field(foreign_key="ballot.id", unique=True, max_length=32)


class Participation(SQLModel, table=True):
    """That a roll entry voted in a budget, and by which channel (account, code or paper).
    UNIQUE(entry, budget) is the database's one-ballot-per-voter rule (T1)."""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("roll_entry_id", "budget_id"),)

    id: int | None = Field(default=None, primary_key=True)
    roll_entry_id: int = Field(foreign_key="roll_entry.id", index=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    channel: str = Field(max_length=8)  # account | code | paper
    voted_on: date  # the day only: "used on 12 September" (T6), no time to correlate


class IdempotencyKey(SQLModel, table=True):
    """A ballot form already processed: SHA-256 of (voter key, form key). A resubmitted form
    finds it and gets the same receipt (derived from the form key), never a second ballot."""

    __tablename__ = "idempotency_key"

    key_hash: str = Field(primary_key=True, max_length=64)
    budget_id: int = Field(foreign_key="budget.id", index=True)
