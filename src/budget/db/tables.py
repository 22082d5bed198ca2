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
    # GeoJSON (Polygon/MultiPolygon geometry, Feature or FeatureCollection) the council uploads:
    # the map draws it and locations of district proposals must lie inside it.
    boundary: str | None = Field(default=None, sa_type=Text)


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
    # Optional email notifications may be turned off; mandatory ones (decisions) are always sent.
    notify_by_email: bool = True
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


class Category(SQLModel, table=True):
    """A proposal category of one cycle (Paris: environment, mobility, schools...)."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("cycle_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    code: str = Field(max_length=32)
    name_fr: str = Field(max_length=80)
    name_en: str = Field(max_length=80)


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
    estimated_cost: int | None = _cents(nullable=True)  # the proposer's estimate
    language: str = Field(default="fr", max_length=2)
    status: str = Field(max_length=16)
    final_cost: int | None = _cents(nullable=True)
    public_explanation: str | None = Field(default=None, sa_type=Text)  # why infeasible
    decision_justification: str | None = Field(default=None, sa_type=Text)  # internal
    merged_into_id: int | None = Field(default=None, foreign_key="proposal.id")
    created_by: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = _utc()
    updated_at: datetime | None = _utc(nullable=True)
    submitted_at: datetime | None = _utc(nullable=True)
    withdrawn_at: datetime | None = _utc(nullable=True)
    decided_at: datetime | None = _utc(nullable=True)


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
    invited_at: datetime = _utc()
    answered_at: datetime | None = _utc(nullable=True)


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
    edited_at: datetime = _utc()


class ProposalEvent(SQLModel, table=True):
    """The public history of a proposal (created, submitted, edited, review started, decided,
    merged, withdrawn...). `details` is canonical JSON of public facts only."""

    __tablename__ = "proposal_event"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    at: datetime = _utc()
    kind: str = Field(max_length=32)
    details: str = Field(default="{}", sa_type=Text)


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
    assigned_at: datetime = _utc()
    conflict_reason: str | None = Field(default=None, max_length=1000)
    conflict_at: datetime | None = _utc(nullable=True)


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
    cost_total: int | None = _cents(nullable=True)
    cost_breakdown: str = Field(default="", sa_type=Text)
    running_cost_yearly: int | None = _cents(nullable=True)
    duration_months: int | None = None
    recommendation: str | None = Field(default=None, max_length=24)
    changes: str = Field(default="", sa_type=Text)  # with feasible_with_changes
    updated_at: datetime = _utc()
    submitted_at: datetime | None = _utc(nullable=True)


class InternalNote(SQLModel, table=True):
    """Reviewers' and council's notes on a proposal: internal, never public (T7 sentinel)."""

    __tablename__ = "internal_note"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    author_id: int = Field(foreign_key="account.id")
    at: datetime = _utc()
    body: str = Field(sa_type=Text)


class Notification(SQLModel, table=True):
    """An in-app notification. `kind` and `params` (JSON) are rendered in the reader's language;
    never any ballot content."""

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    at: datetime = _utc()
    kind: str = Field(max_length=32)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    params: str = Field(default="{}", sa_type=Text)
    read_at: datetime | None = _utc(nullable=True)


class OutboxEmail(SQLModel, table=True):
    """Mail to send. A sender delivers it by SMTP when configured; otherwise it stays here for
    an administrator to read. Written in the same transaction as the event it reports."""

    __tablename__ = "outbox_email"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(nullable=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
