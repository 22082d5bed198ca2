"""Districts, cycles, their schedules and budgets, as view models."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.tables import (
    Budget,
    Cycle,
    District,
    PhaseSchedule,
    Proposal,
)
from budget.domain import cycle as cycle_rules
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.domain.errors import NotFound
from budget.domain.proposals import ProposalStatus


@dataclass(frozen=True)
class DistrictView:
    id: int
    cycle_id: int
    code: str
    name: str


@dataclass(frozen=True)
class PhaseDates:
    phase: Phase
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class BudgetView:
    id: int
    cycle_id: int
    name_fr: str
    name_en: str
    scope: str
    district_id: int | None
    district_code: str | None
    district_name: str | None
    amount: int
    currency: str
    ballot_type: BallotType | None
    limits: BallotLimits
    rule: str | None
    rule_options: Mapping[str, object]
    tie_break: str | None
    max_project_cost: int | None
    lottery_commitment: str | None
    projects_on_ballot: int


@dataclass(frozen=True)
class CycleSummary:
    id: int
    name_fr: str
    name_en: str
    instance: str
    phase: Phase
    currency: str


@dataclass(frozen=True)
class CycleView:
    id: int
    name_fr: str
    name_en: str
    instance: str
    time_zone: str
    currency: str
    eligibility_mode: str
    district_mode: str
    min_age: int | None
    reference_date: date
    max_proposals_per_author: int
    proposers_must_be_eligible: bool
    phase: Phase
    schedule: tuple[PhaseDates, ...]
    budgets: tuple[BudgetView, ...]
    targets: tuple[Phase, ...]
    is_locked: bool

    def dates(self, phase: Phase) -> PhaseDates | None:
        return next((d for d in self.schedule if d.phase is phase), None)


def _district_view(row: District) -> DistrictView:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return DistrictView(id=row.id, cycle_id=row.cycle_id, code=row.code, name=row.name)


def list_districts(db: Session, cycle_id: int) -> tuple[DistrictView, ...]:
    """The cycle's districts by code."""
    query = select(District).where(District.cycle_id == cycle_id).order_by(col(District.code))
    return tuple(_district_view(r) for r in db.exec(query))


def get_district(db: Session, district_id: int) -> DistrictView:
    row = db.get(District, district_id)
    if row is None:
        raise NotFound(kind="district", id=district_id)
    return _district_view(row)


def _on_ballot_counts(db: Session, budget_ids: Collection[int]) -> dict[int, int]:
    query = (
        select(Proposal.budget_id, func.count())
        .where(col(Proposal.budget_id).in_(budget_ids))
        .where(Proposal.status == ProposalStatus.ON_BALLOT)
        .group_by(col(Proposal.budget_id))
    )
    return dict(db.exec(query).all())


def _budget_view(row: Budget, district: District | None, on_ballot: int) -> BudgetView:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return BudgetView(
        id=row.id,
        cycle_id=row.cycle_id,
        name_fr=row.name_fr,
        name_en=row.name_en,
        scope=row.scope,
        district_id=row.district_id,
        district_code=district.code if district else None,
        district_name=district.name if district else None,
        amount=row.amount,
        currency=row.currency,
        ballot_type=BallotType(row.ballot_type) if row.ballot_type else None,
        limits=limits_of(row),
        rule=row.rule,
        rule_options=json.loads(row.rule_options),
        tie_break=row.tie_break,
        max_project_cost=row.max_project_cost,
        lottery_commitment=row.lottery_commitment,
        projects_on_ballot=on_ballot,
    )


def limits_of(row: Budget) -> BallotLimits:
    return BallotLimits(
        min_choices=row.min_choices,
        max_choices=row.max_choices,
        min_spend_pct=row.min_spend_pct,
        points=row.points,
        max_per_project=row.max_per_project,
        min_ranks=row.min_ranks,
        max_ranks=row.max_ranks,
    )


def list_budgets(db: Session, cycle_id: int) -> tuple[BudgetView, ...]:
    """The cycle's budgets: city-wide first, then districts by code."""
    query = (
        select(Budget, District)
        .join(District, col(Budget.district_id) == col(District.id), isouter=True)
        .where(Budget.cycle_id == cycle_id)
        .order_by(col(Budget.scope), col(District.code), col(Budget.id))
    )
    rows = db.exec(query).all()
    counts = _on_ballot_counts(db, [b.id for b, _ in rows if b.id is not None])
    return tuple(_budget_view(b, d, counts.get(b.id or 0, 0)) for b, d in rows)


def get_budget(db: Session, budget_id: int) -> BudgetView:
    row = db.get(Budget, budget_id)
    if row is None or row.id is None:
        raise NotFound(kind="budget", id=budget_id)
    district = db.get(District, row.district_id) if row.district_id else None
    return _budget_view(row, district, _on_ballot_counts(db, [row.id]).get(row.id, 0))


def list_cycles(db: Session) -> tuple[CycleSummary, ...]:
    """Every cycle, newest instance first."""
    rows = db.exec(select(Cycle).order_by(col(Cycle.instance).desc(), col(Cycle.id).desc()))
    return tuple(
        CycleSummary(
            id=r.id, name_fr=r.name_fr, name_en=r.name_en, instance=r.instance,
            phase=Phase(r.phase), currency=r.currency,
        )
        for r in rows
        if r.id is not None
    )  # fmt: skip


def schedule_of(db: Session, cycle_id: int) -> tuple[PhaseDates, ...]:
    rows = db.exec(select(PhaseSchedule).where(PhaseSchedule.cycle_id == cycle_id)).all()
    dates = [PhaseDates(Phase(r.phase), r.starts_at, r.ends_at) for r in rows]
    return tuple(sorted(dates, key=lambda d: cycle_rules.ORDER.index(d.phase)))


def get_cycle(db: Session, cycle_id: int) -> CycleView:
    row = db.get(Cycle, cycle_id)
    if row is None or row.id is None:
        raise NotFound(kind="cycle", id=cycle_id)
    phase = Phase(row.phase)
    return CycleView(
        id=row.id,
        name_fr=row.name_fr,
        name_en=row.name_en,
        instance=row.instance,
        time_zone=row.time_zone,
        currency=row.currency,
        eligibility_mode=row.eligibility_mode,
        district_mode=row.district_mode,
        min_age=row.min_age,
        reference_date=row.reference_date,
        max_proposals_per_author=row.max_proposals_per_author,
        proposers_must_be_eligible=row.proposers_must_be_eligible,
        phase=phase,
        schedule=schedule_of(db, row.id),
        budgets=list_budgets(db, row.id),
        targets=cycle_rules.targets(phase),
        is_locked=cycle_rules.is_locked(phase),
    )
