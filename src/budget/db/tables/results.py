"""Results: the ballot box sealed at close, its count, the other rules' outcomes for comparison,
amendments, certifications, the certificate and the publication (PRODUCT.md "Results"; T8-T10).

Once written, a box never changes; a count and a certificate never change once certified. The
migration adds triggers on both backends that refuse the writes (`IMMUTABLE_TABLES`), so a raw
UPDATE or DELETE is refused as well as the application's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import cents, utc


class ClosedBox(SQLModel, table=True):
    """A budget's ballot box as written at close: the canonical .pb bytes, their SHA-256 (the
    box fingerprint) and the ballot counts (valid, blank, invalid; online and paper)."""

    __tablename__ = "closed_box"

    budget_id: int = Field(primary_key=True, foreign_key="budget.id")
    box: bytes = Field(sa_type=LargeBinary)
    sha256: str = Field(max_length=64)
    valid_online: int = 0
    valid_paper: int = 0
    blank_online: int = 0
    blank_paper: int = 0
    invalid_online: int = 0
    invalid_paper: int = 0
    closed_at: datetime = utc()


class BudgetCount(SQLModel, table=True):
    """The count of a closed box with its locked rule: results.json bytes and their SHA-256."""

    __tablename__ = "budget_count"

    budget_id: int = Field(primary_key=True, foreign_key="closed_box.budget_id")
    rule: str = Field(max_length=40)
    engine_version: str = Field(max_length=40)
    result: bytes = Field(sa_type=LargeBinary)
    sha256: str = Field(max_length=64)
    counted_at: datetime = utc()
    counted_by: int = Field(foreign_key="account.id")


class RuleComparison(SQLModel, table=True):
    """The same box under another rule accepting its ballots, for information only."""

    __tablename__ = "rule_comparison"

    budget_id: int = Field(primary_key=True, foreign_key="budget_count.budget_id")
    rule: str = Field(primary_key=True, max_length=40)
    funded: str = Field(sa_type=Text)  # JSON list of project ids in selection order
    spent: int = cents()
    satisfied: int = 0  # voters with at least one funded project


class Amendment(SQLModel, table=True):
    """A council change to the computed winners, with its public reason: shown beside the
    computed outcome, never replacing it."""

    __tablename__ = "amendment"

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget_count.budget_id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    funded: bool  # True: funded although not computed; False: not funded although computed
    reason: str = Field(sa_type=Text)
    at: datetime = utc()
    actor_id: int = Field(foreign_key="account.id")


class Certification(SQLModel, table=True):
    """One council member's confirmation of a count (fingerprint, rule, winners and totals)."""

    __tablename__ = "certification"
    __table_args__ = (UniqueConstraint("budget_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget_count.budget_id", index=True)
    account_id: int = Field(foreign_key="account.id")
    at: datetime = utc()


class Certificate(SQLModel, table=True):
    """Two distinct council members confirmed the count: who, when, and the audit-log head."""

    __tablename__ = "certificate"

    budget_id: int = Field(primary_key=True, foreign_key="budget_count.budget_id")
    first_member: int = Field(foreign_key="account.id")
    second_member: int = Field(foreign_key="account.id")
    certified_at: datetime = utc()
    audit_head: str = Field(max_length=64)
    box_sha256: str = Field(max_length=64)
    result_sha256: str = Field(max_length=64)


class Publication(SQLModel, table=True):
    """The budget's results are public from `published_at`."""

    __tablename__ = "publication"

    budget_id: int = Field(primary_key=True, foreign_key="certificate.budget_id")
    published_at: datetime = utc()
    published_by: int = Field(foreign_key="account.id")
