"""Who reviews what: assignment by hand, spreading evenly across a committee, unassigning,
conflicts of interest and reassignment (PRODUCT.md "Feasibility review"; SECURITY.md T7).

A reviewer never gets a proposal they authored (the creator, or any author row accepted or
still invited) or declared a conflict on: one rule in SQL, `queries.exclusions`, which both
these services (`queries.excluded_reviewers`) and the reviewer's pages read. Assignments are
made during submission or review; reviews are written only during review. Every change is
audited. Reviews and internal notes themselves are services/review.py's.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.rows import id_of
from budget.db.tables import (
    Committee,
    CommitteeMember,
    Cycle,
    Proposal,
    ReviewAssignment,
)
from budget.domain import review as rules
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.errors import (
    AlreadyAssigned,
    BudgetError,
    FieldErrors,
    NotFound,
    NotReviewer,
    ReviewerConflicted,
    ReviewerIsAuthor,
)
from budget.domain.proposals import ProposalStatus
from budget.domain.review import AssignmentState, Spread
from budget.services import audit, history
from budget.services.cycles import require_council
from budget.services.guards import cycle_row, proposal_row, require_phase, require_status
from budget.services.mail_text import Kind
from budget.services.notifications import notify

ASSIGNMENT_PHASES = (Phase.SUBMISSION, Phase.REVIEW)
ASSIGNABLE = (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW)


# -- helpers ----------------------------------------------------------------------------------


def _committee(db: Session, committee_id: int) -> Committee:
    row = db.get(Committee, committee_id)
    if row is None:
        raise NotFound(kind="committee", id=committee_id)
    return row


def _assignment(db: Session, proposal_id: int, reviewer_id: int) -> ReviewAssignment | None:
    query = select(ReviewAssignment).where(
        ReviewAssignment.proposal_id == proposal_id, ReviewAssignment.reviewer_id == reviewer_id
    )
    return db.exec(query).first()


def _place(
    db: Session, now: datetime, row: Proposal, cycle: Cycle, reviewer_id: int, assigned_by: int
) -> None:
    """Make (or make again) the assignment active and tell the reviewer; checks done before."""
    assignment = _assignment(db, id_of(row), reviewer_id) or ReviewAssignment(
        proposal_id=id_of(row), reviewer_id=reviewer_id, state=AssignmentState.ACTIVE,
        assigned_by=assigned_by, assigned_at=now,
    )  # fmt: skip
    assignment.state, assignment.assigned_by, assignment.assigned_at = (
        AssignmentState.ACTIVE, assigned_by, now,
    )  # fmt: skip
    db.add(assignment)
    notify(db, now, reviewer_id, Kind.REVIEW_ASSIGNED, proposal_id=row.id, title=row.title)
    if cycle.phase == Phase.REVIEW:
        history.record_review_started(db, now, id_of(row))


# -- assignments ------------------------------------------------------------------------------


def _check_assignable(db: Session, row: Proposal, cycle: Cycle, reviewer_id: int) -> None:
    require_phase(cycle, *ASSIGNMENT_PHASES)
    require_status(row, *ASSIGNABLE)
    if not queries.has_role(db, reviewer_id, Role.REVIEWER):
        raise NotReviewer()
    existing = _assignment(db, id_of(row), reviewer_id)
    if existing is not None and existing.state == AssignmentState.CONFLICT:
        raise ReviewerConflicted()
    if reviewer_id in queries.excluded_reviewers(db, [id_of(row)])[id_of(row)]:
        raise ReviewerIsAuthor()
    if existing is not None and existing.state == AssignmentState.ACTIVE:
        raise AlreadyAssigned()


def assign(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, reviewer_id: int
) -> None:
    """The council gives the proposal to a reviewer by hand."""
    require_council(db, actor_id)
    row, _, cycle = proposal_row(db, proposal_id)
    _check_assignable(db, row, cycle, reviewer_id)
    _place(db, now, row, cycle, reviewer_id, actor_id)
    audit.append(
        db,
        now,
        actor=actor_id,
        action="review.assign",
        object=f"proposal:{proposal_id}",
        details={"reviewer": reviewer_id},
    )


def unassign(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, reviewer_id: int
) -> None:
    """Take the proposal back from a reviewer (their review, if any, stays for the record)."""
    require_council(db, actor_id)
    _, _, cycle = proposal_row(db, proposal_id)
    require_phase(cycle, *ASSIGNMENT_PHASES)
    existing = _assignment(db, proposal_id, reviewer_id)
    if existing is None or existing.state != AssignmentState.ACTIVE:
        raise NotFound(kind="assignment", id=reviewer_id)
    existing.state = AssignmentState.REMOVED
    db.add(existing)
    audit.append(
        db,
        now,
        actor=actor_id,
        action="review.unassign",
        object=f"proposal:{proposal_id}",
        details={"reviewer": reviewer_id},
    )


def spread(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    cycle_id: int,
    committee_id: int,
    per_proposal: int,
) -> Spread:
    """Spread the cycle's submitted and in-review proposals that lack reviewers evenly over
    the committee's reviewers, `per_proposal` each (domain.review.spread_evenly). Authors and
    conflicted reviewers are skipped, and so are reviewers the council took off a proposal
    (assign them by hand to put them back). Returns what was dealt and what could not be."""
    require_council(db, actor_id)
    cycle = cycle_row(db, cycle_id)
    committee = _committee(db, committee_id)
    if committee.cycle_id != cycle_id:
        raise NotFound(kind="committee", id=committee_id)
    require_phase(cycle, *ASSIGNMENT_PHASES)
    rules.check_per_proposal(per_proposal)
    members = [m.id for m in queries.get_committee(db, committee_id).members]
    reviewers = sorted(m for m in members if queries.has_role(db, m, Role.REVIEWER))
    query = select(Proposal).where(
        Proposal.cycle_id == cycle_id, col(Proposal.status).in_([s.value for s in ASSIGNABLE])
    )
    proposals = {id_of(p): p for p in db.exec(query).all()}
    active: dict[int, set[int]] = {p: set() for p in proposals}
    excluded = queries.excluded_reviewers(db, list(proposals))
    assignments = select(ReviewAssignment).where(
        col(ReviewAssignment.proposal_id).in_(list(proposals))
    )
    for a in db.exec(assignments).all():
        if a.state == AssignmentState.ACTIVE:
            active[a.proposal_id].add(a.reviewer_id)
        elif a.state == AssignmentState.REMOVED:
            excluded[a.proposal_id].add(a.reviewer_id)
    lacking = [p for p in proposals if len(active[p]) < per_proposal]
    dealt = rules.spread_evenly(
        lacking, reviewers, per_proposal, excluded, queries.active_loads(db, cycle_id),
        assigned=active,
    )  # fmt: skip
    for proposal_id, reviewer_id in dealt.assignments:
        _place(db, now, proposals[proposal_id], cycle, reviewer_id, actor_id)
    audit.append(
        db,
        now,
        actor=actor_id,
        action="review.spread",
        object=f"cycle:{cycle_id}",
        details={
            "committee": committee_id,
            "per_proposal": per_proposal,
            "assigned": [list(pair) for pair in dealt.assignments],
            "short": {str(k): v for k, v in dealt.short.items()},
        },
    )
    return dealt


def declare_conflict(
    db: Session, now: datetime, *, actor_id: int, proposal_id: int, reason: str
) -> int | None:
    """The assigned reviewer declares a conflict of interest: the assignment ends (state
    `conflict`, reason kept for the council), the reviewer never sees the proposal again, and
    it goes to the least-loaded eligible member of a committee of this cycle the reviewer
    belongs to, if any (the reviewer's id is returned, else None)."""
    row = db.get(Proposal, proposal_id)
    existing = _assignment(db, proposal_id, actor_id)
    if row is None or existing is None or not queries.is_assigned(db, actor_id, proposal_id):
        raise NotFound(kind="proposal", id=proposal_id)
    cycle = cycle_row(db, row.cycle_id)
    require_phase(cycle, *ASSIGNMENT_PHASES)
    try:
        cleaned = rules.check_conflict_reason(reason)
    except BudgetError as error:
        raise FieldErrors({"reason": error}) from None
    existing.state, existing.conflict_reason, existing.conflict_at = (
        AssignmentState.CONFLICT, cleaned, now,
    )  # fmt: skip
    db.add(existing)
    db.flush()
    audit.append(
        db,
        now,
        actor=actor_id,
        action="review.conflict",
        object=f"proposal:{proposal_id}",
        details={"reason": cleaned},
    )
    replacement = _replacement(db, row, actor_id)
    if replacement is not None and row.status in ASSIGNABLE:
        _place(db, now, row, cycle, replacement, existing.assigned_by)
        audit.append(
            db,
            now,
            actor=actor_id,
            action="review.reassign",
            object=f"proposal:{proposal_id}",
            details={"reviewer": replacement, "replaces": actor_id},
        )
        return replacement
    return None


def _replacement(db: Session, row: Proposal, reviewer_id: int) -> int | None:
    """The least-loaded eligible fellow member (ties: lowest id) of the reviewer's committees
    in this cycle, who does not already hold the proposal."""
    mine = select(CommitteeMember.committee_id).where(CommitteeMember.account_id == reviewer_id)
    committees = select(Committee.id).where(
        Committee.cycle_id == row.cycle_id, col(Committee.id).in_(mine)
    )
    fellows = select(CommitteeMember.account_id).where(
        col(CommitteeMember.committee_id).in_(committees)
    )
    excluded = queries.excluded_reviewers(db, [id_of(row)])[id_of(row)]
    holding = {
        a.reviewer_id
        for a in db.exec(select(ReviewAssignment).where(ReviewAssignment.proposal_id == row.id))
        if a.state == AssignmentState.ACTIVE
    }
    candidates = sorted(set(db.exec(fellows).all()) - excluded - holding - {reviewer_id})
    candidates = [c for c in candidates if queries.has_role(db, c, Role.REVIEWER)]
    if not candidates:
        return None
    loads = queries.active_loads(db, row.cycle_id)
    return min(candidates, key=lambda c: (loads.get(c, 0), c))
