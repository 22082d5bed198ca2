"""What the phase guards check, read from the database at a given time."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.queries.categories import list_categories
from budget.db.queries.cycles import BudgetView, get_cycle
from budget.db.queries.implementation import unfinished_projects
from budget.db.queries.proposals import list_proposals
from budget.db.queries.results import all_published, certification_level
from budget.db.queries.voting import has_participations, has_roll
from budget.db.tables import (
    Proposal,
)
from budget.domain import ballots
from budget.domain import cycle as cycle_rules
from budget.domain.cycle import BudgetSnapshot, CycleSnapshot, Phase, Reason
from budget.domain.proposals import UNDECIDED, ProposalStatus


def _status_count(db: Session, cycle_id: int, statuses: Collection[ProposalStatus]) -> int:
    query = (
        select(func.count())
        .select_from(Proposal)
        .where(Proposal.cycle_id == cycle_id)
        .where(col(Proposal.status).in_([s.value for s in statuses]))
    )
    return db.exec(query).one()


def _budget_snapshot(db: Session, view: BudgetView) -> BudgetSnapshot:
    on_ballot = list_proposals(
        db, view.cycle_id, budget_id=view.id, statuses=[ProposalStatus.ON_BALLOT]
    )
    codes = {c.id: c.code for c in list_categories(db, view.cycle_id)}
    return BudgetSnapshot(
        name=view.name_en or view.name_fr,
        is_district=view.scope == "district",
        has_district=view.district_id is not None,
        amount=view.amount,
        ballot_type=view.ballot_type,
        limits=view.limits,
        rule=view.rule,
        tie_break=view.tie_break,
        max_project_cost=view.max_project_cost,
        costs={f"#{p.id}": p.final_cost or 0 for p in on_ballot},
        envelopes=ballots.envelope_codes(view.rule_options),
        categories=frozenset(codes[p.category_id] for p in on_ballot if p.category_id in codes),
    )


def cycle_snapshot(db: Session, cycle_id: int, now: datetime) -> CycleSnapshot:
    """Everything the phase guards check, read at `now`."""
    cycle = get_cycle(db, cycle_id)
    voting = cycle.dates(Phase.VOTING)
    never_submitted = {ProposalStatus.DRAFT}
    return CycleSnapshot(
        phase=cycle.phase,
        now=now,
        budgets=tuple(_budget_snapshot(db, b) for b in cycle.budgets),
        scheduled=frozenset(d.phase for d in cycle.schedule),
        voting_ends_at=voting.ends_at if voting else None,
        needs_roll=cycle.eligibility_mode == "roll",
        has_roll=has_roll(db, cycle_id),
        submitted_proposals=_status_count(db, cycle_id, set(ProposalStatus) - never_submitted),
        undecided_proposals=_status_count(db, cycle_id, UNDECIDED),
        unfinished_projects=unfinished_projects(db, cycle_id),
        has_votes=has_participations(db, cycle_id),
        certifications=certification_level(db, cycle_id),
        results_published=all_published(db, cycle_id),
    )


def transition_problems(
    db: Session, cycle_id: int, target: Phase, now: datetime
) -> tuple[Reason, ...]:
    """Why moving the cycle to `target` would be refused now (empty: it would be allowed)."""
    return cycle_rules.transition_problems(cycle_snapshot(db, cycle_id, now), target)
