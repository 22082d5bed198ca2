"""Voting reads: a budget's frozen ballot rules and projects, receipts, turnout, participations.

Nothing here returns a ballot together with anything about a voter (T3).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.tables import (
    Ballot,
    BallotProject,
    Budget,
    Category,
    Cycle,
    FrozenBudget,
    Participation,
    Proposal,
    Receipt,
)
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import ORDER, Phase
from budget.domain.errors import NotFound
from budget.domain.validation import BallotRules


@dataclass(frozen=True)
class BallotProjectView:
    """A project as the ballot page shows it (public facts only)."""

    id: int
    title: str
    summary: str
    cost: int
    category_code: str | None
    category_fr: str | None
    category_en: str | None
    lat_e6: int | None
    lon_e6: int | None


@dataclass(frozen=True)
class FrozenView:
    """A budget's rules as frozen when voting opened."""

    budget_id: int
    rules: BallotRules
    rule: str
    tie_break: str
    lottery_commitment: str | None


def limits_from_json(text: str) -> BallotLimits:
    return BallotLimits(**json.loads(text))


def frozen_budget(db: Session, budget_id: int) -> FrozenView:
    """The frozen rules of a budget open (or once opened) for voting; NotFound otherwise."""
    row = db.get(FrozenBudget, budget_id)
    budget = db.get(Budget, budget_id)
    if row is None or budget is None:
        raise NotFound(kind="budget", id=budget_id)
    projects = db.exec(select(BallotProject).where(BallotProject.budget_id == budget_id)).all()
    rules = BallotRules(
        ballot_type=BallotType(row.ballot_type),
        limits=limits_from_json(row.limits),
        costs={p.proposal_id: p.cost for p in projects},
        envelope=row.amount,
    )
    return FrozenView(
        budget_id=budget_id,
        rules=rules,
        rule=row.rule,
        tie_break=row.tie_break,
        lottery_commitment=budget.lottery_commitment,
    )


def ballot_projects(db: Session, budget_id: int) -> tuple[BallotProjectView, ...]:
    """The frozen budget's projects, by title, with their frozen cost and category."""
    query = (
        select(BallotProject, Proposal, Category)
        .join(Proposal, col(Proposal.id) == col(BallotProject.proposal_id))
        .join(Category, col(Category.id) == col(Proposal.category_id), isouter=True)
        .where(BallotProject.budget_id == budget_id)
        .order_by(col(Proposal.title), col(Proposal.id))
    )
    return tuple(
        BallotProjectView(
            id=project.proposal_id, title=proposal.title, summary=proposal.summary,
            cost=project.cost, category_code=category.code if category else None,
            category_fr=category.name_fr if category else None,
            category_en=category.name_en if category else None,
            lat_e6=proposal.lat_e6, lon_e6=proposal.lon_e6,
        )
        for project, proposal, category in db.exec(query).all()
    )  # fmt: skip


class ReceiptState:
    """What the public receipt check answers; never what the ballot chose."""

    UNKNOWN = "unknown"
    RECORDED = "recorded"
    REPLACED = "replaced"
    FROZEN = "frozen"  # in the frozen box: voting closed
    COUNTED = "counted"  # results published


def receipt_state(db: Session, receipt_hash: str) -> str:
    query = (
        select(Receipt.state, Cycle.phase)
        .join(Budget, col(Budget.id) == col(Receipt.budget_id))
        .join(Cycle, col(Cycle.id) == col(Budget.cycle_id))
        .where(Receipt.receipt_hash == receipt_hash)
    )
    found = db.exec(query).first()
    if found is None:
        return ReceiptState.UNKNOWN
    state, phase = found
    if state == ReceiptState.REPLACED:
        return ReceiptState.REPLACED
    position = ORDER.index(Phase(phase))
    if position >= ORDER.index(Phase.IMPLEMENTATION):  # entered only once results are published
        return ReceiptState.COUNTED
    if position >= ORDER.index(Phase.CLOSED):
        return ReceiptState.FROZEN
    return ReceiptState.RECORDED


def turnout(db: Session, budget_ids: Collection[int]) -> dict[int, int]:
    """Participations per budget (every channel): the only count public during voting (T9)."""
    query = (
        select(Participation.budget_id, func.count())
        .where(col(Participation.budget_id).in_(list(budget_ids)))
        .group_by(col(Participation.budget_id))
    )
    return dict(db.exec(query).all())


def ballot_count(db: Session, budget_id: int) -> int:
    query = select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget_id)
    return db.exec(query).one()


def has_participations(db: Session, cycle_id: int) -> bool:
    """Whether anyone voted in the cycle (online or checked in on paper)."""
    query = (
        select(func.count())
        .select_from(Participation)
        .join(Budget, col(Budget.id) == col(Participation.budget_id))
        .where(Budget.cycle_id == cycle_id)
    )
    return db.exec(query).one() > 0


@dataclass(frozen=True)
class ParticipationView:
    budget_id: int
    channel: str
    voted_on: date


def participations_of(db: Session, entry_id: int) -> dict[int, ParticipationView]:
    """Budget -> how and on which day this roll entry voted there."""
    rows = db.exec(select(Participation).where(Participation.roll_entry_id == entry_id)).all()
    return {r.budget_id: ParticipationView(r.budget_id, r.channel, r.voted_on) for r in rows}
