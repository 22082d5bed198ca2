"""What every service checks first: the object exists, and the cycle's phase and the proposal's
status allow the action. One place for these, so that a refusal reads the same everywhere
(NotFound, WrongPhase, ProposalState) and no service grows its own variant.
"""

from __future__ import annotations

from sqlmodel import Session

from budget.db.tables import Budget, Cycle, Proposal
from budget.domain.cycle import Phase
from budget.domain.errors import NotFound, ProposalState, WrongPhase


def cycle_row(db: Session, cycle_id: int) -> Cycle:
    row = db.get(Cycle, cycle_id)
    if row is None:
        raise NotFound(kind="cycle", id=cycle_id)
    return row


def budget_row(db: Session, budget_id: int) -> tuple[Budget, Cycle]:
    """The budget and its cycle."""
    budget = db.get(Budget, budget_id)
    cycle = db.get(Cycle, budget.cycle_id) if budget else None
    if budget is None or cycle is None:
        raise NotFound(kind="budget", id=budget_id)
    return budget, cycle


def proposal_row(db: Session, proposal_id: int) -> tuple[Proposal, Budget, Cycle]:
    """The proposal, its budget and its cycle."""
    row = db.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    budget, cycle = budget_row(db, row.budget_id)
    return row, budget, cycle


def require_phase(cycle: Cycle, *phases: Phase) -> None:
    if cycle.phase not in phases:
        raise WrongPhase(phase=cycle.phase)


def require_status(row: Proposal, *statuses: str) -> None:
    if row.status not in statuses:
        raise ProposalState(status=row.status)
