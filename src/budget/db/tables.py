"""SQLModel tables. Enumerations are stored as short strings (no database enum types, so adding
a value needs no migration dance); money as BIGINT minor units; times as UTC.

Read through `db.queries` (frozen view models), write through `services`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Dialect, LargeBinary, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Constraint names fixed by convention, so migrations can name what they alter on both backends.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = SQLModel.metadata


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both backends: SQLite keeps no zone, so values are stored as UTC
    and read back with `tzinfo=UTC`; naive values are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC time")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(nullable: bool = False) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable)


def _cents(nullable: bool = False) -> Any:
    return Field(sa_type=BigInteger, nullable=nullable)


class District(SQLModel, table=True):
    __tablename__ = "district"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)  # INSEE code, e.g. 75111
    name: str = Field(max_length=120)


class Cycle(SQLModel, table=True):
    __tablename__ = "cycle"

    id: int | None = Field(default=None, primary_key=True)
    name_fr: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    instance: str = Field(max_length=32, unique=True)
    time_zone: str = Field(max_length=64)
    currency: str = Field(max_length=3)
    eligibility_mode: str = Field(max_length=16)  # roll | declared
    district_mode: str = Field(max_length=16)  # residence | choice
    min_age: int | None = None
    reference_date: date
    max_proposals_per_author: int = 5
    phase: str = Field(max_length=16)
    created_at: datetime = _utc()


class PhaseSchedule(SQLModel, table=True):
    __tablename__ = "phase_schedule"
    __table_args__ = (UniqueConstraint("cycle_id", "phase"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id")
    phase: str = Field(max_length=16)
    starts_at: datetime = _utc()
    ends_at: datetime = _utc()


class Budget(SQLModel, table=True):
    __tablename__ = "budget"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    name_fr: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    scope: str = Field(max_length=16)  # city | district
    district_id: int | None = Field(default=None, foreign_key="district.id")
    amount: int = _cents()
    currency: str = Field(max_length=3)
    ballot_type: str | None = Field(default=None, max_length=16)
    min_choices: int | None = None
    max_choices: int | None = None
    min_spend_pct: int | None = None
    points: int | None = None
    max_per_project: int | None = None
    min_ranks: int | None = None
    max_ranks: int | None = None
    rule: str | None = Field(default=None, max_length=40)
    rule_options: str = Field(default="{}", sa_type=Text)  # JSON object
    tie_break: str | None = Field(default=None, max_length=200)
    max_project_cost: int | None = _cents(nullable=True)
    # Drawn when voting opens; only the commitment is public until the count reveals the seed.
    lottery_seed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    lottery_commitment: str | None = Field(default=None, max_length=64)


class Account(SQLModel, table=True):
    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # normalised by domain.accounts
    password_hash: str = Field(max_length=255)  # argon2id encoded hash, never the password
    display_name: str = Field(max_length=80)
    district_id: int | None = Field(default=None, foreign_key="district.id")
    birth_year: int | None = None
    language: str = Field(max_length=2)
    created_at: datetime = _utc()


class RoleGrant(SQLModel, table=True):
    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("account_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    role: str = Field(max_length=16)
    granted_at: datetime = _utc()


class WebSession(SQLModel, table=True):
    """A server-side session: the cookie carries the id, this row only its SHA-256 (T5). The
    CSRF token is derived from the id by the web layer, never stored (T12)."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    created_at: datetime = _utc()
    last_seen_at: datetime = _utc()
    idle_seconds: int


class LoginThrottle(SQLModel, table=True):
    """Failed logins per HMAC(login) or HMAC(client address bucket), shared by workers (T4)."""

    __tablename__ = "login_throttle"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=16)  # account | address
    failures: int = 0
    window_start: datetime = _utc()
    next_allowed_at: datetime | None = _utc(nullable=True)


class AuditLog(SQLModel, table=True):
    """Append-only, hash-chained (T10): triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = _utc()
    actor: str = Field(max_length=64)  # "account:<id>" or "system"
    action: str = Field(max_length=64)
    object: str = Field(max_length=64)
    details: str = Field(sa_type=Text)  # canonical JSON, scrubbed of secrets
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class Proposal(SQLModel, table=True):
    """The minimal proposal the phase guards need; the proposals feature extends it."""

    __tablename__ = "proposal"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    title: str = Field(max_length=120)
    summary: str = Field(max_length=500)
    status: str = Field(max_length=16)
    final_cost: int | None = _cents(nullable=True)
    created_by: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = _utc()
    submitted_at: datetime | None = _utc(nullable=True)
