"""Reads of results: how far certification went, whether a budget's results are public, and
the results view the pages, the downloads and the API share (T9: nothing before publication)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.tables import (
    Account,
    Amendment,
    BallotProject,
    Budget,
    BudgetCount,
    Category,
    Certificate,
    Certification,
    ClosedBox,
    District,
    Participation,
    Proposal,
    Publication,
    Receipt,
    RollEntry,
    RuleComparison,
)


def _closed_budgets(db: Session, cycle_id: int) -> list[int]:
    query = (
        select(ClosedBox.budget_id)
        .join(Budget, col(Budget.id) == col(ClosedBox.budget_id))
        .where(Budget.cycle_id == cycle_id)
    )
    return list(db.exec(query).all())


def certification_level(db: Session, cycle_id: int) -> int:
    """Distinct council members who certified, for the least certified closed budget (0 when
    the cycle has none): the phase guard's figure for `closed -> certified`."""
    budgets = _closed_budgets(db, cycle_id)
    counts = [
        len(db.exec(select(Certification).where(Certification.budget_id == b)).all())
        for b in budgets
    ]
    return min(counts, default=0)


def all_published(db: Session, cycle_id: int) -> bool:
    """Whether every closed budget of the cycle has published results (and there is one)."""
    budgets = _closed_budgets(db, cycle_id)
    return bool(budgets) and all(db.get(Publication, b) is not None for b in budgets)


def is_published(db: Session, budget_id: int) -> bool:
    """The one visibility rule of results: public once published, never before (T9)."""
    return db.get(Publication, budget_id) is not None


@dataclass(frozen=True)
class AmendmentView:
    proposal_id: int
    funded: bool
    reason: str
    at: datetime


@dataclass(frozen=True)
class CertificateView:
    first_member: str
    second_member: str
    certified_at: datetime
    audit_head: str
    box_sha256: str
    result_sha256: str


@dataclass(frozen=True)
class ComparisonView:
    rule: str
    funded: tuple[str, ...]
    spent: int
    satisfied: int


@dataclass(frozen=True)
class ResultsView:
    """A counted budget's results: the stored document, the box fingerprint, the comparison,
    amendments, certifications so far and the certificate. `published_at` None until public."""

    budget_id: int
    document: Mapping[str, Any]
    box_sha256: str
    result_sha256: str
    engine_version: str
    comparisons: tuple[ComparisonView, ...]
    amendments: tuple[AmendmentView, ...]
    certifiers: tuple[int, ...]
    certificate: CertificateView | None
    published_at: datetime | None


@dataclass(frozen=True)
class BoxView:
    """A closed box before or after counting: its fingerprint and ballot counts."""

    budget_id: int
    sha256: str
    valid: int
    blank: int
    invalid: int
    counted: bool


def closed_box(db: Session, budget_id: int) -> BoxView | None:
    box = db.get(ClosedBox, budget_id)
    if box is None:
        return None
    return BoxView(
        budget_id, box.sha256, box.valid_online + box.valid_paper,
        box.blank_online + box.blank_paper, box.invalid_online + box.invalid_paper,
        db.get(BudgetCount, budget_id) is not None,
    )  # fmt: skip


def box_bytes(db: Session, budget_id: int) -> bytes | None:
    box = db.get(ClosedBox, budget_id)
    return None if box is None else box.box


def result_bytes(db: Session, budget_id: int) -> bytes | None:
    count = db.get(BudgetCount, budget_id)
    return None if count is None else count.result


def receipt_hashes(db: Session, budget_id: int) -> list[str]:
    """The budget's counted receipts' hashes, sorted (receipts.txt)."""
    query = select(Receipt.receipt_hash).where(
        Receipt.budget_id == budget_id, Receipt.state == "recorded"
    )
    return sorted(db.exec(query).all())


def district_turnout(db: Session, budget_id: int) -> dict[str, int]:
    """Voters of the budget per district (of residence, else the one chosen), by district
    name, "" for voters with neither: raw counts, for `domain.results.suppress` to hide."""
    district = func.coalesce(RollEntry.district_id, RollEntry.chosen_district_id)
    query = (
        select(District.name, func.count())
        .select_from(Participation)
        .join(RollEntry, col(RollEntry.id) == col(Participation.roll_entry_id))
        .join(District, col(District.id) == district, isouter=True)
        .where(Participation.budget_id == budget_id)
        .group_by(col(District.name))
    )
    return {name or "": count for name, count in db.exec(query).all()}


@dataclass(frozen=True)
class CategoryName:
    """A category's names (both empty: the project has none)."""

    name_fr: str
    name_en: str


def project_categories(db: Session, budget_id: int) -> dict[str, CategoryName]:
    """The category of each project on the budget's ballot, by project id as in the box."""
    query = (
        select(BallotProject.proposal_id, Category.name_fr, Category.name_en)
        .join(Proposal, col(Proposal.id) == col(BallotProject.proposal_id))
        .join(Category, col(Category.id) == col(Proposal.category_id), isouter=True)
        .where(BallotProject.budget_id == budget_id)
    )
    return {
        str(project): CategoryName(name_fr or "", name_en or "")
        for project, name_fr, name_en in db.exec(query).all()
    }


def _name(db: Session, account_id: int) -> str:
    account = db.get(Account, account_id)
    return account.display_name if account is not None else ""


def budget_results(db: Session, budget_id: int) -> ResultsView | None:
    """The budget's results once counted (None before), whoever asks: callers check
    `is_published` for everyone but the council."""
    count = db.get(BudgetCount, budget_id)
    box = db.get(ClosedBox, budget_id)
    if count is None or box is None:
        return None
    comparisons = db.exec(
        select(RuleComparison)
        .where(RuleComparison.budget_id == budget_id)
        .order_by(col(RuleComparison.rule))
    ).all()
    amendments = db.exec(
        select(Amendment).where(Amendment.budget_id == budget_id).order_by(col(Amendment.id))
    ).all()
    certifications = db.exec(
        select(Certification)
        .where(Certification.budget_id == budget_id)
        .order_by(col(Certification.id))
    ).all()
    certificate = db.get(Certificate, budget_id)
    publication = db.get(Publication, budget_id)
    return ResultsView(
        budget_id=budget_id, document=json.loads(count.result), box_sha256=box.sha256,
        result_sha256=count.sha256, engine_version=count.engine_version,
        comparisons=tuple(
            ComparisonView(c.rule, tuple(json.loads(c.funded)), c.spent, c.satisfied)
            for c in comparisons
        ),
        amendments=tuple(
            AmendmentView(a.proposal_id, a.funded, a.reason, a.at) for a in amendments
        ),
        certifiers=tuple(c.account_id for c in certifications),
        certificate=None if certificate is None else CertificateView(
            _name(db, certificate.first_member), _name(db, certificate.second_member),
            certificate.certified_at, certificate.audit_head, certificate.box_sha256,
            certificate.result_sha256,
        ),
        published_at=None if publication is None else publication.published_at,
    )  # fmt: skip
