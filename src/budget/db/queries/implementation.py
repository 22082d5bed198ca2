"""Funded projects and their building, as view models: the public list (filters by status,
district and year), the map and the exports, one project's page, and the API's answers.

A project is a proposal whose status is `funded` (PUBLIC_STATUSES has it); everything read
here is public (PRODUCT.md "Implementation tracking").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from budget.db.queries.proposals import PUBLIC_STATUSES, AuthorView, authors_of
from budget.db.tables import (
    Budget,
    Cycle,
    District,
    Implementation,
    ImplementationChange,
    Milestone,
    Proposal,
)
from budget.domain.cycle import Phase
from budget.domain.errors import NotFound
from budget.domain.implementation import FINISHED, ImplementationStatus
from budget.domain.proposals import ProposalStatus

assert ProposalStatus.FUNDED in PUBLIC_STATUSES  # noqa: S101 - a funded project is public


@dataclass(frozen=True)
class ProjectView:
    """One funded project with its current state; names in both languages."""

    id: int  # the proposal's id
    title: str
    summary: str
    cycle_id: int
    year: str  # the cycle's instance
    cycle_name_fr: str
    cycle_name_en: str
    budget_id: int
    budget_name_fr: str
    budget_name_en: str
    district_id: int | None
    district_code: str | None
    district_name: str | None
    currency: str
    cost: int | None
    status: ImplementationStatus
    progress: int
    spent: int | None
    reason: str | None
    lat_e6: int | None
    lon_e6: int | None
    funded_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MilestoneView:
    id: int
    title: str
    planned_on: date
    reached_on: date | None
    note: str


@dataclass(frozen=True)
class ChangeView:
    at: datetime
    status: ImplementationStatus
    progress: int
    spent: int | None
    note: str


@dataclass(frozen=True)
class ProjectDetail:
    project: ProjectView
    milestones: tuple[MilestoneView, ...]  # by planned date
    changes: tuple[ChangeView, ...]  # newest first
    authors: tuple[AuthorView, ...]


@dataclass(frozen=True)
class ProjectFilters:
    """Values already checked by the caller against the choices offered."""

    status: ImplementationStatus | None = None
    district_id: int | None = None
    year: str | None = None
    cycle_id: int | None = None


Row = tuple[Implementation, Proposal, Budget, Cycle]


def _query() -> Select[Implementation, Proposal, Budget, Cycle]:
    return (
        select(Implementation, Proposal, Budget, Cycle)
        .join(Proposal, col(Proposal.id) == col(Implementation.proposal_id))
        .join(Budget, col(Budget.id) == col(Proposal.budget_id))
        .join(Cycle, col(Cycle.id) == col(Proposal.cycle_id))
        .where(Proposal.status == ProposalStatus.FUNDED)
        .where(Cycle.phase != Phase.DRAFT)
    )


def _views(db: Session, rows: Sequence[Row]) -> tuple[ProjectView, ...]:
    ids = {budget.district_id for _, _, budget, _ in rows if budget.district_id is not None}
    found = db.exec(select(District).where(col(District.id).in_(ids))).all() if ids else []
    districts = {d.id: d for d in found}
    return tuple(
        _view(row, proposal, budget, cycle, districts.get(budget.district_id))
        for row, proposal, budget, cycle in rows
    )


def _view(
    row: Implementation, proposal: Proposal, budget: Budget, cycle: Cycle, district: District | None
) -> ProjectView:
    return ProjectView(
        id=row.proposal_id, title=proposal.title, summary=proposal.summary,
        cycle_id=cycle.id or 0, year=cycle.instance, cycle_name_fr=cycle.name_fr,
        cycle_name_en=cycle.name_en, budget_id=budget.id or 0, budget_name_fr=budget.name_fr,
        budget_name_en=budget.name_en, district_id=budget.district_id,
        district_code=district.code if district else None,
        district_name=district.name if district else None, currency=budget.currency,
        cost=proposal.final_cost, status=ImplementationStatus(row.status),
        progress=row.progress, spent=row.spent, reason=row.reason, lat_e6=proposal.lat_e6,
        lon_e6=proposal.lon_e6, funded_at=row.funded_at, updated_at=row.updated_at,
    )  # fmt: skip


def list_projects(
    db: Session, filters: ProjectFilters = ProjectFilters()
) -> tuple[ProjectView, ...]:
    """Funded projects matching the filters: newest year first, then by budget and id."""
    query = _query()
    if filters.status is not None:
        query = query.where(Implementation.status == filters.status)
    if filters.district_id is not None:
        query = query.where(Budget.district_id == filters.district_id)
    if filters.year is not None:
        query = query.where(Cycle.instance == filters.year)
    if filters.cycle_id is not None:
        query = query.where(Cycle.id == filters.cycle_id)
    query = query.order_by(col(Cycle.instance).desc(), col(Budget.scope), col(Proposal.id))
    projects = _views(db, db.exec(query).all())
    # newest year first; within a year city-wide first, then districts by code (stable sorts)
    by_district = sorted(projects, key=lambda p: p.district_code or "")
    return tuple(sorted(by_district, key=lambda p: p.year, reverse=True))


def get_project(db: Session, proposal_id: int) -> ProjectView:
    row = db.exec(_query().where(Implementation.proposal_id == proposal_id)).first()
    if row is None:
        raise NotFound(kind="project", id=proposal_id)
    return _views(db, [row])[0]


def project_detail(db: Session, proposal_id: int) -> ProjectDetail:
    """A project's page: its state, milestones, dated changes and authors."""
    project = get_project(db, proposal_id)
    milestones = db.exec(
        select(Milestone)
        .where(Milestone.proposal_id == proposal_id)
        .order_by(col(Milestone.planned_on), col(Milestone.id))
    ).all()
    changes = db.exec(
        select(ImplementationChange)
        .where(ImplementationChange.proposal_id == proposal_id)
        .order_by(col(ImplementationChange.at).desc(), col(ImplementationChange.id).desc())
    ).all()
    return ProjectDetail(
        project=project,
        milestones=tuple(
            MilestoneView(m.id or 0, m.title, m.planned_on, m.reached_on, m.note)
            for m in milestones
        ),
        changes=tuple(
            ChangeView(c.at, ImplementationStatus(c.status), c.progress, c.spent, c.note)
            for c in changes
        ),
        authors=authors_of(db, proposal_id),
    )


@dataclass(frozen=True)
class ProjectChoices:
    """What the list's filters offer: the years and districts that have funded projects."""

    years: tuple[str, ...]
    districts: tuple[tuple[int, str, str], ...]  # id, code, name


def project_choices(db: Session) -> ProjectChoices:
    projects = list_projects(db)
    years = tuple(sorted({p.year for p in projects}, reverse=True))
    districts = {
        (p.district_id, p.district_code or "", p.district_name or "")
        for p in projects
        if p.district_id is not None
    }
    return ProjectChoices(years=years, districts=tuple(sorted(districts, key=lambda d: d[1])))


def unfinished_projects(db: Session, cycle_id: int) -> int:
    """Funded projects of the cycle neither done nor abandoned (archiving waits for them)."""
    query = (
        select(func.count())
        .select_from(Implementation)
        .join(Proposal, col(Proposal.id) == col(Implementation.proposal_id))
        .where(Proposal.cycle_id == cycle_id)
        .where(col(Implementation.status).not_in([s.value for s in FINISHED]))
    )
    return db.exec(query).one()
