"""Proposals, minimal: draft, submit, withdraw and the council's decision, so that the phase
guards ("at least one project per budget", "every proposal decided") are real. The proposals
and review features extend this module (co-authors, versions, merging, the review rubric).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.tables import Budget, Cycle, Proposal
from budget.domain import cycle as rules
from budget.domain.cycle import Phase
from budget.domain.errors import (
    BudgetError,
    NotFound,
    PermissionDenied,
    ProposalLimit,
    ProposalState,
    WrongPhase,
    collect,
    raise_if_any,
)
from budget.domain.proposals import SUMMARY_MAX, TITLE_MAX, ProposalStatus, check_text
from budget.services import audit


def _cycle_of_budget(db: Session, budget_id: int) -> tuple[Budget, Cycle]:
    budget = db.get(Budget, budget_id)
    cycle = db.get(Cycle, budget.cycle_id) if budget else None
    if budget is None or cycle is None:
        raise NotFound(kind="budget", id=budget_id)
    return budget, cycle


def _proposal(db: Session, proposal_id: int) -> tuple[Proposal, Budget, Cycle]:
    row = db.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    budget, cycle = _cycle_of_budget(db, row.budget_id)
    return row, budget, cycle


def _require_phase(cycle: Cycle, *phases: Phase) -> None:
    if cycle.phase not in phases:
        raise WrongPhase(phase=cycle.phase)


def _require_status(row: Proposal, *statuses: ProposalStatus) -> None:
    if row.status not in statuses:
        raise ProposalState(status=row.status)


def _log(
    db: Session, now: datetime, actor: int, action: str, row: Proposal, **details: object
) -> None:
    audit.append(
        db, now, actor=actor, action=action, object=f"proposal:{row.id}",
        details={"status": row.status, **details},
    )  # fmt: skip


def create_proposal(
    db: Session, now: datetime, *, author_id: int, budget_id: int, title: str, summary: str
) -> int:
    """A private draft by `author_id` for this budget, during the submission phase."""
    budget, cycle = _cycle_of_budget(db, budget_id)
    _require_phase(cycle, Phase.SUBMISSION)
    errors: dict[str, BudgetError] = {}
    collect(errors, "title", lambda: check_text(title, TITLE_MAX))
    collect(errors, "summary", lambda: check_text(summary, SUMMARY_MAX))
    raise_if_any(errors)
    row = Proposal(
        cycle_id=cycle.id or 0, budget_id=budget_id, title=title.strip(), summary=summary.strip(),
        status=ProposalStatus.DRAFT, created_by=author_id, created_at=now,
    )  # fmt: skip
    db.add(row)
    db.flush()
    _log(db, now, author_id, "proposal.create", row, budget=budget.id)
    return row.id or 0


def submit_proposal(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> None:
    """Make the creator's draft public, within the per-author limit of the cycle."""
    row, _, cycle = _proposal(db, proposal_id)
    if row.created_by != actor_id:
        raise PermissionDenied(role="author")
    _require_phase(cycle, Phase.SUBMISSION)
    _require_status(row, ProposalStatus.DRAFT)
    counted = [ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.ON_BALLOT]
    query = (
        select(func.count()).select_from(Proposal)
        .where(Proposal.cycle_id == row.cycle_id, Proposal.created_by == actor_id)
        .where(col(Proposal.status).in_([s.value for s in counted]))
    )  # fmt: skip
    if db.exec(query).one() >= cycle.max_proposals_per_author:
        raise ProposalLimit(max=cycle.max_proposals_per_author)
    row.status, row.submitted_at = ProposalStatus.SUBMITTED, now
    db.add(row)
    _log(db, now, actor_id, "proposal.submit", row)


def withdraw_proposal(db: Session, now: datetime, *, actor_id: int, proposal_id: int) -> None:
    """The creator withdraws the proposal, until voting opens."""
    row, _, cycle = _proposal(db, proposal_id)
    if row.created_by != actor_id:
        raise PermissionDenied(role="author")
    if rules.is_locked(Phase(cycle.phase)):
        raise WrongPhase(phase=cycle.phase)
    _require_status(
        row, ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW,
        ProposalStatus.ON_BALLOT,
    )  # fmt: skip
    row.status = ProposalStatus.WITHDRAWN
    db.add(row)
    _log(db, now, actor_id, "proposal.withdraw", row)
