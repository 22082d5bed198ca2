"""Proposals, as view models."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from budget.db.tables import (
    Proposal,
)
from budget.domain.errors import NotFound
from budget.domain.proposals import ProposalStatus


@dataclass(frozen=True)
class ProposalView:
    id: int
    cycle_id: int
    budget_id: int
    title: str
    summary: str
    status: ProposalStatus
    final_cost: int | None
    created_by: int
    created_at: datetime


def _proposal_view(row: Proposal) -> ProposalView:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return ProposalView(
        id=row.id,
        cycle_id=row.cycle_id,
        budget_id=row.budget_id,
        title=row.title,
        summary=row.summary,
        status=ProposalStatus(row.status),
        final_cost=row.final_cost,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def get_proposal(db: Session, proposal_id: int) -> ProposalView:
    row = db.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    return _proposal_view(row)


def list_proposals(
    db: Session,
    cycle_id: int,
    *,
    budget_id: int | None = None,
    statuses: Collection[ProposalStatus] | None = None,
) -> tuple[ProposalView, ...]:
    query = select(Proposal).where(Proposal.cycle_id == cycle_id).order_by(col(Proposal.id))
    if budget_id is not None:
        query = query.where(Proposal.budget_id == budget_id)
    if statuses is not None:
        query = query.where(col(Proposal.status).in_([s.value for s in statuses]))
    return tuple(_proposal_view(r) for r in db.exec(query).all())
