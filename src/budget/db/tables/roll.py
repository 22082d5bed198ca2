"""Eligibility: the per-cycle roll entries (imported or declared) and their voting codes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import utc


class RollEntry(SQLModel, table=True):
    """One voter of one cycle, from the imported roll (`source` roll, keyed by the council's
    `external_id`) or from a resident's declaration (`source` declared). Which budgets it is
    entitled to is `domain.eligibility`'s, from these columns and the cycle's rules.

    `district_id` is the district of residence (or the declared one); `chosen_district_id` the
    district of choice (mode `choice`), fixed by the first district ballot. An entry is bound to
    at most one account, and an account to at most one entry per cycle. Holds nothing about
    ballots (SECURITY.md, secrecy data model)."""

    __tablename__ = "roll_entry"
    __table_args__ = (
        UniqueConstraint("cycle_id", "external_id"),
        UniqueConstraint("cycle_id", "account_id"),
        # The officers' check-in search: birth date first narrows 200,000 entries to a handful.
        Index(None, "cycle_id", "birth_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    source: str = Field(max_length=16)  # roll | declared
    external_id: str | None = Field(default=None, max_length=64)
    given_name: str = Field(default="", max_length=120)
    family_name: str = Field(default="", max_length=120)
    birth_date: date | None = None
    birth_year: int | None = None  # the year of birth_date, or the declared year alone
    postal_address: str = Field(default="", sa_type=Text)  # for the mailed code letter
    district_id: int | None = Field(default=None, foreign_key="district.id")
    chosen_district_id: int | None = Field(default=None, foreign_key="district.id")
    district_chosen_at: datetime | None = utc(nullable=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    verified_by_provider: bool = False  # declared facts came from an identity provider's claims
    voided_at: datetime | None = utc(nullable=True)
    void_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc()
    updated_at: datetime = utc()


class VotingCode(SQLModel, table=True):
    """A roll entry's mailed voting code, stored only as HMAC-SHA256 under the code key (T6);
    `key_fingerprint` names that key, so a rotated SECRET_KEY is noticed instead of silently
    voiding every code. At most one live (not voided) code per entry, kept by services.codes."""

    __tablename__ = "voting_code"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    entry_id: int = Field(foreign_key="roll_entry.id", index=True)
    code_hmac: str = Field(max_length=64, unique=True)
    key_fingerprint: str = Field(max_length=16)
    issued_at: datetime = utc()
    voided_at: datetime | None = utc(nullable=True)
    void_reason: str | None = Field(default=None, max_length=500)
