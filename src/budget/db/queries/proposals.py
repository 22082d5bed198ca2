"""Proposals, as view models."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from budget.db.tables import Account, Proposal, ProposalAuthor
from budget.domain.errors import NotFound
from budget.domain.proposals import AuthorRole, AuthorState, ProposalStatus


@dataclass(frozen=True)
class ProposalView:
    """A proposal's public fields. The council's internal justification is deliberately not
    here (T7): pages, fragments and exports built from this view cannot leak it."""

    id: int
    cycle_id: int
    budget_id: int
    title: str
    summary: str
    description: str
    category_id: int | None
    address: str | None
    lat_e6: int | None
    lon_e6: int | None
    estimated_cost: int | None
    language: str
    status: ProposalStatus
    final_cost: int | None
    public_explanation: str | None
    merged_into_id: int | None
    created_by: int
    created_at: datetime
    updated_at: datetime | None
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    decided_at: datetime | None


@dataclass(frozen=True)
class AuthorView:
    account_id: int
    display_name: str
    role: AuthorRole
    state: AuthorState
    credited_from: int | None


def _proposal_view(row: Proposal) -> ProposalView:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return ProposalView(
        id=row.id,
        cycle_id=row.cycle_id,
        budget_id=row.budget_id,
        title=row.title,
        summary=row.summary,
        description=row.description,
        category_id=row.category_id,
        address=row.address,
        lat_e6=row.lat_e6,
        lon_e6=row.lon_e6,
        estimated_cost=row.estimated_cost,
        language=row.language,
        status=ProposalStatus(row.status),
        final_cost=row.final_cost,
        public_explanation=row.public_explanation,
        merged_into_id=row.merged_into_id,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        submitted_at=row.submitted_at,
        withdrawn_at=row.withdrawn_at,
        decided_at=row.decided_at,
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


def authors_of(
    db: Session, proposal_id: int, *, states: Collection[AuthorState] = (AuthorState.ACCEPTED,)
) -> tuple[AuthorView, ...]:
    """The proposal's authors in the given states (by default those shown: accepted), creator
    first, then in order of invitation."""
    query = (
        select(ProposalAuthor, Account.display_name)
        .join(Account, col(Account.id) == col(ProposalAuthor.account_id))
        .where(ProposalAuthor.proposal_id == proposal_id)
        .where(col(ProposalAuthor.state).in_([s.value for s in states]))
        .order_by(col(ProposalAuthor.role).desc(), col(ProposalAuthor.id))
    )  # "creator" sorts after "coauthor": descending puts the creator first
    return tuple(
        AuthorView(
            account_id=author.account_id,
            display_name=name,
            role=AuthorRole(author.role),
            state=AuthorState(author.state),
            credited_from=author.credited_from,
        )
        for author, name in db.exec(query).all()
    )


def is_author(db: Session, proposal_id: int, account_id: int | None) -> bool:
    """Whether the account is an accepted author (creator or co-author) of the proposal."""
    if account_id is None:
        return False
    query = select(ProposalAuthor.id).where(
        ProposalAuthor.proposal_id == proposal_id,
        ProposalAuthor.account_id == account_id,
        ProposalAuthor.state == AuthorState.ACCEPTED,
    )
    return db.exec(query).first() is not None
