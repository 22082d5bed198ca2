"""Review through the services: committees, assignment by hand and spread evenly, conflicts of
interest and reassignment, reviews (draft, submit, locked, reopened) and internal notes. A
reviewer never gets a proposal they authored or declared a conflict on (T7)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import Notification, ReviewAssignment
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.errors import (
    AlreadyAssigned,
    AlreadyMember,
    FieldErrors,
    NotFound,
    NotReviewer,
    PermissionDenied,
    ProposalState,
    ReviewerConflicted,
    ReviewerIsAuthor,
    ReviewLocked,
    WrongPhase,
)
from budget.domain.review import ReviewInput
from budget.services import accounts, assignments, committees, cycles, history, proposals, review
from tests.domain.test_review import COMPLETE
from tests.security.test_csrf import snapshot
from tests.services.conftest import NOW, resident

pytestmark = pytest.mark.threat("T7")


def reviewer(db: Session, hasher, council: int, name: str) -> int:
    account = resident(db, hasher, name)
    accounts.grant_role(db, NOW, actor_id=council, account_id=account, role=Role.REVIEWER)
    return account


def open_submissions(db: Session, council: int, cycle_id: int) -> int:
    """Moves the cycle to submission; returns its budget's id."""
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    return queries.get_cycle(db, cycle_id).budgets[0].id


def submitted(db: Session, author: int, budget_id: int, title: str = "Shade trees") -> int:
    proposal = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title=title,
        summary="Plant trees along the canal.", address="1 quai de Valmy",
    )  # fmt: skip
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    return proposal


def start_review(db: Session, council: int, cycle_id: int) -> None:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)


def queue_ids(db: Session, account: int) -> list[int]:
    return [item.proposal.id for item in queries.reviewer_queue(db, account)]


@pytest.fixture
def budget_id(db: Session, council: int, cycle_id: int) -> int:
    return open_submissions(db, council, cycle_id)


# -- committees -------------------------------------------------------------------------------


def test_council_builds_committees_of_reviewers(db, hasher, council, cycle_id) -> None:
    ana = reviewer(db, hasher, council, "ana")
    plain = resident(db, hasher, "plain")
    committee = committees.create_committee(
        db, NOW, actor_id=council, cycle_id=cycle_id, name=" Voirie "
    )
    committees.add_member(db, NOW, actor_id=council, committee_id=committee, account_id=ana)
    with pytest.raises(AlreadyMember):
        committees.add_member(db, NOW, actor_id=council, committee_id=committee, account_id=ana)
    with pytest.raises(NotReviewer):
        committees.add_member(db, NOW, actor_id=council, committee_id=committee, account_id=plain)
    with pytest.raises(FieldErrors) as caught:
        committees.create_committee(db, NOW, actor_id=council, cycle_id=cycle_id, name="Voirie")
    assert caught.value.fields["name"].code == "committee.name-taken"
    with pytest.raises(FieldErrors):
        committees.create_committee(db, NOW, actor_id=council, cycle_id=cycle_id, name="  ")
    with pytest.raises(PermissionDenied):
        committees.create_committee(db, NOW, actor_id=ana, cycle_id=cycle_id, name="Parcs")
    [view] = queries.committees_of(db, cycle_id)
    assert (view.name, [m.id for m in view.members]) == ("Voirie", [ana])
    committees.remove_member(db, NOW, actor_id=council, committee_id=committee, account_id=ana)
    assert queries.get_committee(db, committee).members == ()
    with pytest.raises(NotFound):
        committees.remove_member(db, NOW, actor_id=council, committee_id=committee, account_id=ana)


# -- assignment -------------------------------------------------------------------------------


def test_assignment_by_hand_refuses_authors_invitees_and_non_reviewers(
    db, hasher, council, budget_id
) -> None:
    author = reviewer(db, hasher, council, "author")
    invited = reviewer(db, hasher, council, "invited")
    ana = reviewer(db, hasher, council, "ana")
    plain = resident(db, hasher, "plain")
    proposal = submitted(db, author, budget_id)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="invited@example.fr"
    )
    before = snapshot(db)
    for account, error in ((author, ReviewerIsAuthor), (invited, ReviewerIsAuthor),
                           (plain, NotReviewer)):  # fmt: skip
        with pytest.raises(error):
            assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=account)
    with pytest.raises(PermissionDenied):
        assignments.assign(db, NOW, actor_id=ana, proposal_id=proposal, reviewer_id=ana)
    assert snapshot(db) == before
    assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    with pytest.raises(AlreadyAssigned):
        assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    assert queue_ids(db, ana) == [proposal]
    assert queue_ids(db, author) == []
    notes = db.exec(select(Notification).where(Notification.account_id == ana)).all()
    assert [n.kind for n in notes] == ["review.assigned"]


def test_drafts_and_decided_phases_cannot_be_assigned(db, hasher, council, budget_id, cycle_id):
    ana = reviewer(db, hasher, council, "ana")
    author = resident(db, hasher, "author")
    draft = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title="Draft", summary="Not yet.",
        address="2 rue Oberkampf",
    )  # fmt: skip
    with pytest.raises(ProposalState):
        assignments.assign(db, NOW, actor_id=council, proposal_id=draft, reviewer_id=ana)
    with pytest.raises(NotFound):
        assignments.assign(db, NOW, actor_id=council, proposal_id=10**6, reviewer_id=ana)


def test_a_reviewer_who_becomes_an_invitee_leaves_the_queue(db, hasher, council, budget_id):
    """The SQL of the queue itself excludes authored proposals, whenever authorship began."""
    author = resident(db, hasher, "author")
    ana = reviewer(db, hasher, council, "ana")
    proposal = submitted(db, author, budget_id)
    assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    assert queue_ids(db, ana) == [proposal]
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="ana@example.fr"
    )
    assert queue_ids(db, ana) == []
    with pytest.raises(NotFound):
        queries.proposal_for_reviewer(db, ana, proposal)


def test_unassign_takes_the_proposal_back(db, hasher, council, budget_id) -> None:
    author = resident(db, hasher, "author")
    ana = reviewer(db, hasher, council, "ana")
    proposal = submitted(db, author, budget_id)
    assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    assignments.unassign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    assert queue_ids(db, ana) == []
    with pytest.raises(NotFound):
        assignments.unassign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    assert queue_ids(db, ana) == [proposal]


def test_spreading_deals_evenly_and_skips_authors(db, hasher, council, cycle_id, budget_id):
    names = ["ana", "ben", "chloe"]
    team = [reviewer(db, hasher, council, n) for n in names]
    committee = committees.create_committee(
        db, NOW, actor_id=council, cycle_id=cycle_id, name="All"
    )
    for member in team:
        committees.add_member(db, NOW, actor_id=council, committee_id=committee, account_id=member)
    authors = [resident(db, hasher, f"author{i}") for i in range(3)]
    own = submitted(db, team[0], budget_id, "By Ana")  # a reviewer may also propose
    others = [submitted(db, authors[i % 3], budget_id, f"Idea {i}") for i in range(6)]
    spread = assignments.spread(
        db, NOW, actor_id=council, cycle_id=cycle_id, committee_id=committee, per_proposal=2
    )
    assert spread.short == {}
    assert (own, team[0]) not in spread.assignments
    loads = [len(queue_ids(db, member)) for member in team]
    assert sum(loads) == 2 * 7
    assert max(loads) - min(loads) <= 1
    assert own not in queue_ids(db, team[0])
    again = assignments.spread(
        db, NOW, actor_id=council, cycle_id=cycle_id, committee_id=committee, per_proposal=2
    )
    assert again.assignments == ()
    more = assignments.spread(
        db, NOW, actor_id=council, cycle_id=cycle_id, committee_id=committee, per_proposal=3
    )
    assert more.short == {own: 1}  # only two reviewers may review Ana's own proposal
    assert len(more.assignments) == len(others)


def test_spreading_checks_the_committee_and_the_phase(db, hasher, council, cycle_id) -> None:
    committee = committees.create_committee(db, NOW, actor_id=council, cycle_id=cycle_id, name="A")
    with pytest.raises(WrongPhase):
        assignments.spread(
            db, NOW, actor_id=council, cycle_id=cycle_id, committee_id=committee, per_proposal=1
        )
    with pytest.raises(NotFound):
        assignments.spread(
            db, NOW, actor_id=council, cycle_id=cycle_id, committee_id=999, per_proposal=1
        )


# -- conflicts --------------------------------------------------------------------------------


def test_a_declared_conflict_hides_the_proposal_and_reassigns_it(
    db, hasher, council, cycle_id, budget_id
) -> None:
    team = [reviewer(db, hasher, council, n) for n in ("ana", "ben", "chloe")]
    committee = committees.create_committee(
        db, NOW, actor_id=council, cycle_id=cycle_id, name="All"
    )
    for member in team:
        committees.add_member(db, NOW, actor_id=council, committee_id=committee, account_id=member)
    author = resident(db, hasher, "author")
    busy = submitted(db, author, budget_id, "Busy")
    target = submitted(db, author, budget_id, "Target")
    assignments.assign(db, NOW, actor_id=council, proposal_id=busy, reviewer_id=team[1])
    assignments.assign(db, NOW, actor_id=council, proposal_id=target, reviewer_id=team[0])
    with pytest.raises(FieldErrors):
        assignments.declare_conflict(db, NOW, actor_id=team[0], proposal_id=target, reason=" ")
    replacement = assignments.declare_conflict(
        db, NOW, actor_id=team[0], proposal_id=target, reason="My sister wrote it."
    )
    assert replacement == team[2]  # chloe has no load; ben has one
    assert queue_ids(db, team[0]) == []
    assert queue_ids(db, team[2]) == [target]
    [conflict] = [a for a in queries.assignments_of(db, target) if a.state == "conflict"]
    assert (conflict.reviewer_id, conflict.conflict_reason) == (team[0], "My sister wrote it.")
    with pytest.raises(ReviewerConflicted):
        assignments.assign(db, NOW, actor_id=council, proposal_id=target, reviewer_id=team[0])
    with pytest.raises(NotFound):
        assignments.declare_conflict(db, NOW, actor_id=team[0], proposal_id=target, reason="again")
    actions = [e.action for e in queries.list_audit(db, limit=5)]
    assert "review.conflict" in actions
    assert "review.reassign" in actions


def test_a_conflict_without_a_fellow_member_stays_unassigned(db, hasher, council, budget_id):
    ana = reviewer(db, hasher, council, "ana")
    proposal = submitted(db, resident(db, hasher, "author"), budget_id)
    assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    assert (
        assignments.declare_conflict(db, NOW, actor_id=ana, proposal_id=proposal, reason="Mine")
        is None
    )
    assert [a.state for a in queries.assignments_of(db, proposal)] == ["conflict"]


# -- reviews and notes ------------------------------------------------------------------------


@pytest.fixture
def assigned(db, hasher, council, cycle_id, budget_id) -> tuple[int, int]:
    """(reviewer, proposal): assigned in submission, the cycle then in review."""
    ana = reviewer(db, hasher, council, "ana")
    proposal = submitted(db, resident(db, hasher, "author"), budget_id)
    assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    return ana, proposal


def test_reviews_wait_for_the_review_phase(db, council, assigned) -> None:
    ana, proposal = assigned
    with pytest.raises(WrongPhase):
        review.save_review(db, NOW, actor_id=ana, proposal_id=proposal, review=ReviewInput())


def test_a_review_is_drafted_submitted_locked_and_reopened(db, council, cycle_id, assigned):
    ana, proposal = assigned
    start_review(db, council, cycle_id)
    draft = ReviewInput(cost_total=50_000_00)
    review.save_review(db, NOW, actor_id=ana, proposal_id=proposal, review=draft)
    mine = queries.own_review(db, ana, proposal)
    assert mine is not None
    assert (mine.state, mine.cost_total) == ("draft", 50_000_00)
    before = snapshot(db)
    with pytest.raises(FieldErrors):
        review.submit_review(db, NOW, actor_id=ana, proposal_id=proposal, review=draft)
    assert snapshot(db) == before
    review.submit_review(db, NOW, actor_id=ana, proposal_id=proposal, review=COMPLETE)
    assert getattr(queries.own_review(db, ana, proposal), "state", None) == "submitted"
    with pytest.raises(ReviewLocked):
        review.save_review(db, NOW, actor_id=ana, proposal_id=proposal, review=draft)
    with pytest.raises(PermissionDenied):
        review.reopen_review(db, NOW, actor_id=ana, proposal_id=proposal, reviewer_id=ana)
    review.reopen_review(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    with pytest.raises(ProposalState):
        review.reopen_review(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    review.save_review(db, NOW, actor_id=ana, proposal_id=proposal, review=draft)
    assert getattr(queries.own_review(db, ana, proposal), "state", None) == "reopened"
    assert [r.reviewer_id for r in queries.reviews_of(db, proposal)] == [ana]
    assert queue_ids(db, ana) == [proposal]
    assert queries.reviewer_queue(db, ana)[0].review_state == "reopened"


def test_only_the_assigned_reviewer_reviews(db, hasher, council, cycle_id, assigned) -> None:
    _, proposal = assigned
    ben = reviewer(db, hasher, council, "ben")
    start_review(db, council, cycle_id)
    with pytest.raises(NotFound):
        review.save_review(db, NOW, actor_id=ben, proposal_id=proposal, review=ReviewInput())
    with pytest.raises(NotFound):
        review.reopen_review(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ben)


def test_internal_notes_are_for_assigned_reviewers_and_the_council(
    db, hasher, council, assigned
) -> None:
    ana, proposal = assigned
    ben = reviewer(db, hasher, council, "ben")
    review.add_note(db, NOW, actor_id=ana, proposal_id=proposal, body=" Check the permit. ")
    review.add_note(db, NOW, actor_id=council, proposal_id=proposal, body="Asked the roads unit.")
    with pytest.raises(NotFound):
        review.add_note(db, NOW, actor_id=ben, proposal_id=proposal, body="Not mine")
    with pytest.raises(FieldErrors):
        review.add_note(db, NOW, actor_id=ana, proposal_id=proposal, body="")
    assert [n.body for n in queries.notes_of(db, proposal)] == [
        "Check the permit.",
        "Asked the roads unit.",
    ]


def test_review_start_is_recorded_once_and_told_to_authors(
    db, hasher, council, cycle_id, budget_id
) -> None:
    author = resident(db, hasher, "author")
    ana = reviewer(db, hasher, council, "ana")
    proposal = submitted(db, author, budget_id)
    start_review(db, council, cycle_id)  # entering review records it for every proposal
    assert not history.record_review_started(db, NOW, proposal)
    assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    assert not history.record_review_started(db, NOW, proposal)
    kinds = db.exec(select(Notification.kind).where(Notification.account_id == author)).all()
    assert list(kinds) == ["proposal.review-started"]
    rows = db.exec(select(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal))
    assert [r.state for r in rows] == ["active"]
