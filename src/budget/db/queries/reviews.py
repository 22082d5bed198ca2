"""Review: reviewers' queues, reviews, internal notes, committees and assignments (T7).

Everything a reviewer reads goes through `reviewer_filter`: the SQL itself leaves out the
proposals the reviewer (co-)authored or was invited to co-author, and those they declared a
conflict on, whatever a template later does. Reviews and notes are internal: only the
reviewer's own pages and the council's pages read them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, union_all
from sqlmodel import Session, col, select

from budget.db.queries.proposals import ProposalView, _proposal_view
from budget.db.rows import id_of
from budget.db.tables import (
    Account,
    Committee,
    CommitteeMember,
    InternalNote,
    Proposal,
    ProposalAuthor,
    Review,
    ReviewAssignment,
    RoleGrant,
)
from budget.domain.accounts import Role
from budget.domain.errors import NotFound
from budget.domain.proposals import AuthorState, ProposalStatus
from budget.domain.review import AssignmentState, Criterion, has_blocking_objection

# Proposals a reviewer may work on: submitted and not withdrawn or merged away.
REVIEWABLE = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.IN_REVIEW,
    ProposalStatus.ON_BALLOT,
    ProposalStatus.INFEASIBLE,
)
AUTHOR_STATES = (AuthorState.ACCEPTED, AuthorState.INVITED)


def exclusions() -> Any:
    """The one rule of who may never review which proposal (T7), as (proposal_id, account_id)
    rows: its creator, every author row accepted or still invited, and every reviewer who
    declared a conflict on it. The reviewer's pages (`reviewer_filter`) and the assignment
    services (`excluded_reviewers`) both read it."""
    creators: Any = select(
        col(Proposal.id).label("proposal_id"), col(Proposal.created_by).label("account_id")
    )
    authors = select(ProposalAuthor.proposal_id, ProposalAuthor.account_id).where(
        col(ProposalAuthor.state).in_([s.value for s in AUTHOR_STATES])
    )
    conflicts = select(ReviewAssignment.proposal_id, ReviewAssignment.reviewer_id).where(
        ReviewAssignment.state == AssignmentState.CONFLICT
    )
    return union_all(creators, authors, conflicts).subquery()


def reviewer_filter(query: Any, reviewer_id: int) -> Any:
    """Restrict a query over Proposal to what this reviewer may see: actively assigned,
    reviewable, not excluded (`exclusions`)."""
    active = select(ReviewAssignment.proposal_id).where(
        ReviewAssignment.reviewer_id == reviewer_id,
        ReviewAssignment.state == AssignmentState.ACTIVE,
    )
    excluded = exclusions()
    mine = select(excluded.c.proposal_id).where(excluded.c.account_id == reviewer_id)
    return (
        query.where(col(Proposal.id).in_(active))
        .where(col(Proposal.status).in_([s.value for s in REVIEWABLE]))
        .where(col(Proposal.id).not_in(mine))
    )


def excluded_reviewers(db: Session, proposal_ids: Collection[int]) -> dict[int, set[int]]:
    """Per proposal, the accounts that may never review it (`exclusions`)."""
    found: dict[int, set[int]] = {p: set() for p in proposal_ids}
    if not found:
        return found
    excluded = exclusions()
    query = select(excluded.c.proposal_id, excluded.c.account_id).where(
        excluded.c.proposal_id.in_(list(found))
    )
    for proposal_id, account_id in db.execute(query).all():
        found[proposal_id].add(account_id)
    return found


@dataclass(frozen=True)
class QueueItem:
    proposal: ProposalView
    review_state: str | None  # None: not started


@dataclass(frozen=True)
class ReviewView:
    id: int
    proposal_id: int
    reviewer_id: int
    reviewer_name: str
    state: str
    scores: dict[str, int | None]
    comments: dict[str, str]
    cost_total: int | None
    cost_breakdown: str
    running_cost_yearly: int | None
    duration_months: int | None
    recommendation: str | None
    changes: str
    updated_at: datetime
    submitted_at: datetime | None

    @property
    def is_blocking(self) -> bool:
        return self.state == "submitted" and has_blocking_objection(self.scores.values())


@dataclass(frozen=True)
class NoteView:
    id: int
    author_name: str
    at: datetime
    body: str


@dataclass(frozen=True)
class AssignmentView:
    proposal_id: int
    reviewer_id: int
    reviewer_name: str
    state: str
    assigned_at: datetime
    conflict_reason: str | None
    conflict_at: datetime | None


@dataclass(frozen=True)
class ProposalAssignments:
    proposal: ProposalView
    assignments: tuple[AssignmentView, ...]

    @property
    def active(self) -> int:
        return sum(1 for a in self.assignments if a.state == AssignmentState.ACTIVE)


@dataclass(frozen=True)
class PersonView:
    id: int
    display_name: str
    email: str


@dataclass(frozen=True)
class CommitteeView:
    id: int
    cycle_id: int
    name: str
    members: tuple[PersonView, ...]


def reviewer_queue(db: Session, reviewer_id: int) -> tuple[QueueItem, ...]:
    query = reviewer_filter(select(Proposal), reviewer_id).order_by(col(Proposal.id))
    rows = list(db.exec(query).all())
    states = {
        r.proposal_id: r.state
        for r in db.exec(select(Review).where(Review.reviewer_id == reviewer_id)).all()
    }
    return tuple(QueueItem(_proposal_view(r), states.get(id_of(r))) for r in rows)


def proposal_for_reviewer(db: Session, reviewer_id: int, proposal_id: int) -> ProposalView:
    """The proposal if this reviewer may review it now; else NotFound, as if it did not exist."""
    query = reviewer_filter(select(Proposal).where(Proposal.id == proposal_id), reviewer_id)
    row = db.exec(query).first()
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    return _proposal_view(row)


def _review_view(row: Review, name: str) -> ReviewView:
    return ReviewView(
        id=id_of(row),
        proposal_id=row.proposal_id,
        reviewer_id=row.reviewer_id,
        reviewer_name=name,
        state=row.state,
        scores={c.value: getattr(row, f"{c.value}_score") for c in Criterion},
        comments={c.value: getattr(row, f"{c.value}_comment") for c in Criterion},
        cost_total=row.cost_total,
        cost_breakdown=row.cost_breakdown,
        running_cost_yearly=row.running_cost_yearly,
        duration_months=row.duration_months,
        recommendation=row.recommendation,
        changes=row.changes,
        updated_at=row.updated_at,
        submitted_at=row.submitted_at,
    )


def _reviews(db: Session, *conditions: Any) -> tuple[ReviewView, ...]:
    query = (
        select(Review, Account.display_name)
        .join(Account, col(Account.id) == col(Review.reviewer_id))
        .where(*conditions)
        .order_by(col(Review.id))
    )
    return tuple(_review_view(row, name) for row, name in db.exec(query).all())


def own_review(db: Session, reviewer_id: int, proposal_id: int) -> ReviewView | None:
    found = _reviews(db, Review.reviewer_id == reviewer_id, Review.proposal_id == proposal_id)
    return found[0] if found else None


def reviews_of(db: Session, proposal_id: int) -> tuple[ReviewView, ...]:
    """Every review of the proposal (council only)."""
    return _reviews(db, Review.proposal_id == proposal_id)


def notes_of(db: Session, proposal_id: int) -> tuple[NoteView, ...]:
    query = (
        select(InternalNote, Account.display_name)
        .join(Account, col(Account.id) == col(InternalNote.author_id))
        .where(InternalNote.proposal_id == proposal_id)
        .order_by(col(InternalNote.id))
    )
    return tuple(
        NoteView(id=id_of(n), author_name=name, at=n.at, body=n.body)
        for n, name in db.exec(query).all()
    )


def _assignments(db: Session, *conditions: Any) -> list[AssignmentView]:
    query = (
        select(ReviewAssignment, Account.display_name)
        .join(Account, col(Account.id) == col(ReviewAssignment.reviewer_id))
        .where(*conditions)
        .order_by(col(ReviewAssignment.id))
    )
    return [
        AssignmentView(
            proposal_id=a.proposal_id,
            reviewer_id=a.reviewer_id,
            reviewer_name=name,
            state=a.state,
            assigned_at=a.assigned_at,
            conflict_reason=a.conflict_reason,
            conflict_at=a.conflict_at,
        )
        for a, name in db.exec(query).all()
    ]


def assignments_of(db: Session, proposal_id: int) -> tuple[AssignmentView, ...]:
    return tuple(_assignments(db, ReviewAssignment.proposal_id == proposal_id))


def assignment_overview(db: Session, cycle_id: int) -> tuple[ProposalAssignments, ...]:
    """The cycle's reviewable proposals, each with its assignments (council)."""
    query = (
        select(Proposal)
        .where(Proposal.cycle_id == cycle_id)
        .where(col(Proposal.status).in_([s.value for s in REVIEWABLE]))
        .order_by(col(Proposal.id))
    )
    proposals = list(db.exec(query).all())
    ids = [p.id for p in proposals]
    by_proposal: dict[int, list[AssignmentView]] = {}
    for view in _assignments(db, col(ReviewAssignment.proposal_id).in_(ids)):
        by_proposal.setdefault(view.proposal_id, []).append(view)
    return tuple(
        ProposalAssignments(_proposal_view(p), tuple(by_proposal.get(id_of(p), ())))
        for p in proposals
    )


def _members(db: Session, committee_ids: list[int]) -> dict[int, list[PersonView]]:
    query = (
        select(CommitteeMember.committee_id, Account)
        .join(Account, col(Account.id) == col(CommitteeMember.account_id))
        .where(col(CommitteeMember.committee_id).in_(committee_ids))
        .order_by(col(Account.display_name), col(Account.id))
    )
    members: dict[int, list[PersonView]] = {i: [] for i in committee_ids}
    for committee_id, account in db.exec(query).all():
        members[committee_id].append(
            PersonView(id_of(account), account.display_name, account.email)
        )
    return members


def committees_of(db: Session, cycle_id: int) -> tuple[CommitteeView, ...]:
    rows = list(
        db.exec(
            select(Committee).where(Committee.cycle_id == cycle_id).order_by(col(Committee.name))
        )
    )
    members = _members(db, [id_of(r) for r in rows])
    return tuple(
        CommitteeView(id_of(r), r.cycle_id, r.name, tuple(members[id_of(r)])) for r in rows
    )


def get_committee(db: Session, committee_id: int) -> CommitteeView:
    row = db.get(Committee, committee_id)
    if row is None:
        raise NotFound(kind="committee", id=committee_id)
    return CommitteeView(
        id_of(row), row.cycle_id, row.name, tuple(_members(db, [committee_id])[committee_id])
    )


def list_reviewers(db: Session) -> tuple[PersonView, ...]:
    """Accounts holding the reviewer role, by name."""
    query = (
        select(Account)
        .join(RoleGrant, col(RoleGrant.account_id) == col(Account.id))
        .where(RoleGrant.role == Role.REVIEWER)
        .order_by(col(Account.display_name), col(Account.id))
    )
    return tuple(PersonView(id_of(a), a.display_name, a.email) for a in db.exec(query).all())


def active_loads(db: Session, cycle_id: int) -> dict[int, int]:
    """Active assignments per reviewer over the cycle's proposals."""
    query = (
        select(ReviewAssignment.reviewer_id, func.count())
        .join(Proposal, col(Proposal.id) == col(ReviewAssignment.proposal_id))
        .where(Proposal.cycle_id == cycle_id, ReviewAssignment.state == AssignmentState.ACTIVE)
        .group_by(col(ReviewAssignment.reviewer_id))
    )
    return dict(db.exec(query).all())


def is_assigned(db: Session, reviewer_id: int, proposal_id: int) -> bool:
    """Whether the reviewer may see this proposal now (the same filter as the queue)."""
    query = reviewer_filter(select(Proposal.id).where(Proposal.id == proposal_id), reviewer_id)
    return db.exec(query).first() is not None


def justification_of(db: Session, proposal_id: int) -> str | None:
    """The council's internal justification of a decision (council pages only, T7)."""
    row = db.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    return row.decision_justification
