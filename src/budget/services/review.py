"""Reviews and internal notes (PRODUCT.md "Feasibility review"; SECURITY.md T7): the assigned
reviewer saves a draft of the rubric, cost estimate and recommendation, then submits it (the
whole rubric required; locked afterwards); the council may reopen it. Internal notes are for
the proposal's assigned reviewers and the council. Reviews are written only during review;
everything is audited, and none of it reaches a public page, the history or a notification.
Assignments and conflicts of interest are services/assignments.py's.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from budget.db import queries
from budget.db.rows import id_of
from budget.db.tables import InternalNote, Proposal, Review
from budget.domain import review as rules
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.errors import (
    BudgetError,
    FieldErrors,
    NotFound,
    ProposalState,
    ReviewLocked,
)
from budget.domain.review import Criterion, ReviewInput, ReviewState
from budget.services import audit
from budget.services.cycles import require_council
from budget.services.guards import proposal_row, require_phase
from budget.services.mail_text import Kind
from budget.services.notifications import notify


def _audit(
    db: Session, now: datetime, actor: int, action: str, obj: str, **details: object
) -> None:
    audit.append(db, now, actor=actor, action=action, object=obj, details=details)


def _reviewable(db: Session, actor_id: int, proposal_id: int) -> Proposal:
    queries.proposal_for_reviewer(db, actor_id, proposal_id)  # NotFound unless assigned (T7)
    row, _, cycle = proposal_row(db, proposal_id)
    require_phase(cycle, Phase.REVIEW)
    return row


def _write(row: Review, review: ReviewInput, now: datetime) -> None:
    for criterion in Criterion:
        score = review.score(criterion)
        setattr(row, f"{criterion.value}_score", score.value)
        setattr(row, f"{criterion.value}_comment", score.comment.strip())
    row.cost_total, row.cost_breakdown = review.cost_total, review.cost_breakdown.strip()
    row.running_cost_yearly, row.duration_months = (
        review.running_cost_yearly,
        review.duration_months,
    )
    row.recommendation = review.recommendation.value if review.recommendation else None
    row.changes = review.changes.strip()
    row.updated_at = now


def _save(
    db: Session,
    now: datetime,
    actor_id: int,
    proposal_id: int,
    review: ReviewInput,
    *,
    submit: bool,
) -> None:
    _reviewable(db, actor_id, proposal_id)
    rules.check_review(review, complete=submit)
    query = select(Review).where(Review.proposal_id == proposal_id, Review.reviewer_id == actor_id)
    row = db.exec(query).first() or Review(
        proposal_id=proposal_id, reviewer_id=actor_id, state=ReviewState.DRAFT, updated_at=now
    )
    if row.state == ReviewState.SUBMITTED:
        raise ReviewLocked()
    _write(row, review, now)
    if submit:
        row.state, row.submitted_at = ReviewState.SUBMITTED, now
    db.add(row)
    db.flush()
    _audit(
        db, now, actor_id, "review.submit" if submit else "review.save", f"proposal:{proposal_id}",
        review=row.id, recommendation=row.recommendation,
    )  # fmt: skip


def save_review(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, review: ReviewInput
) -> None:
    """Save the assigned reviewer's draft: any subset of the fields, each valid."""
    _save(db, now, actor_id, proposal_id, review, submit=False)


def submit_review(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, review: ReviewInput
) -> None:
    """Save and submit: the whole rubric is required; the review is then locked."""
    _save(db, now, actor_id, proposal_id, review, submit=True)


def reopen_review(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, reviewer_id: int
) -> None:
    """The council unlocks a submitted review so its reviewer may change it."""
    require_council(db, actor_id)
    row, _, cycle = proposal_row(db, proposal_id)
    require_phase(cycle, Phase.REVIEW)
    query = select(Review).where(
        Review.proposal_id == proposal_id, Review.reviewer_id == reviewer_id
    )
    review = db.exec(query).first()
    if review is None:
        raise NotFound(kind="review", id=reviewer_id)
    if review.state != ReviewState.SUBMITTED:
        raise ProposalState(status=review.state)
    review.state, review.updated_at = ReviewState.REOPENED, now
    db.add(review)
    _audit(db, now, actor_id, "review.reopen", f"proposal:{proposal_id}", reviewer=reviewer_id)
    notify(db, now, reviewer_id, Kind.REVIEW_REOPENED, proposal_id=proposal_id, title=row.title)


def add_note(db: Session, now: datetime, *, actor_id: int, proposal_id: int, body: str) -> int:
    """An internal note by the council or a reviewer assigned to the proposal (T7: never
    public). Anyone else is told the proposal does not exist."""
    account = queries.get_account(db, actor_id)
    if not account.has_role(Role.COUNCIL) and not queries.is_assigned(db, actor_id, proposal_id):
        raise NotFound(kind="proposal", id=proposal_id)
    proposal_row(db, proposal_id)
    try:
        cleaned = rules.check_note(body)
    except BudgetError as error:
        raise FieldErrors({"body": error}) from None
    note = InternalNote(proposal_id=proposal_id, author_id=actor_id, at=now, body=cleaned)
    db.add(note)
    db.flush()
    _audit(db, now, actor_id, "note.add", f"proposal:{proposal_id}", note=note.id)
    return id_of(note)
