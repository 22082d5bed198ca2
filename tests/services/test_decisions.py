"""The council's decisions and merges through the services: feasible at a final cost (with an
internal justification over a blocking objection), infeasible with a public explanation, merging
proposals with their authors credited; authors are told; bad input writes nothing."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import (
    Account,
    Notification,
    OutboxEmail,
    Proposal,
    ProposalEvent,
    ProposalVersion,
)
from budget.domain.cycle import Phase
from budget.domain.errors import (
    FieldErrors,
    MergeBudgets,
    MergeTooFew,
    PermissionDenied,
    ProposalState,
    WrongPhase,
)
from budget.domain.proposals import AuthorRole, ProposalStatus
from budget.domain.review import Criterion, ReviewInput, Score
from budget.services import (
    assignments,
    budgets,
    cycles,
    decisions,
    notifications,
    proposals,
    review,
)
from budget.services.decisions import MergeForm
from tests.domain.test_review import COMPLETE
from tests.security.test_csrf import snapshot
from tests.services.conftest import NOW, budget_form, resident
from tests.services.test_review import open_submissions, reviewer, start_review, submitted

EXPLANATION = "The site belongs to the State, not the city."


@pytest.fixture
def budget_id(db: Session, council: int, cycle_id: int) -> int:
    return open_submissions(db, council, cycle_id)


def events(db: Session, proposal: int) -> list[tuple[str, dict[str, object]]]:
    rows = db.exec(
        select(ProposalEvent)
        .where(ProposalEvent.proposal_id == proposal)
        .order_by(col(ProposalEvent.id))
    )
    return [(e.kind, json.loads(e.details)) for e in rows]


def mails_to(db: Session, account: int) -> list[OutboxEmail]:
    row = db.get(Account, account)
    assert row is not None
    email = row.email
    query = select(OutboxEmail).where(OutboxEmail.to_address == email)
    return list(db.exec(query.order_by(col(OutboxEmail.id))).all())  # in the order sent


def test_infeasible_needs_a_public_explanation(db, hasher, council, cycle_id, budget_id) -> None:
    author = resident(db, hasher, "author")
    proposal = submitted(db, author, budget_id)
    with pytest.raises(WrongPhase):
        decisions.decide_proposal(
            db, NOW, actor_id=council, proposal_id=proposal, feasible=False, explanation=EXPLANATION
        )
    start_review(db, council, cycle_id)
    before = snapshot(db)
    for text, code in ((None, "field.required"), ("Too short.", "field.too-short"),
                       ("x" * 5001, "field.too-long")):  # fmt: skip
        with pytest.raises(FieldErrors) as caught:
            decisions.decide_proposal(
                db, NOW, actor_id=council, proposal_id=proposal, feasible=False, explanation=text
            )
        assert caught.value.fields["explanation"].code == code
    with pytest.raises(PermissionDenied):
        decisions.decide_proposal(
            db, NOW, actor_id=author, proposal_id=proposal, feasible=False, explanation=EXPLANATION
        )
    assert snapshot(db) == before
    decisions.decide_proposal(
        db, NOW, actor_id=council, proposal_id=proposal, feasible=False, explanation=EXPLANATION
    )
    view = queries.get_proposal(db, proposal)
    assert (view.status, view.public_explanation, view.decided_at) == (
        ProposalStatus.INFEASIBLE, EXPLANATION, NOW,
    )  # fmt: skip
    assert events(db, proposal)[-1] == ("decided_infeasible", {})


def test_feasible_within_the_envelope_and_the_cap(db, hasher, council, cycle_id, budget_id):
    budgets.update_budget(
        db, NOW, actor_id=council, budget_id=budget_id,
        form=budget_form(max_project_cost=200_000_00),
    )  # fmt: skip
    proposal = submitted(db, resident(db, hasher, "author"), budget_id)
    start_review(db, council, cycle_id)
    for cost, code in ((None, "field.required"), (0, "field.out-of-range"),
                       (200_000_01, "field.out-of-range")):  # fmt: skip
        with pytest.raises(FieldErrors) as caught:
            decisions.decide_proposal(
                db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=cost
            )
        assert caught.value.fields["final_cost"].code == code
    decisions.decide_proposal(
        db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=200_000_00
    )
    view = queries.get_proposal(db, proposal)
    assert (view.status, view.final_cost, view.public_explanation) == (
        ProposalStatus.ON_BALLOT, 200_000_00, None,
    )  # fmt: skip
    assert events(db, proposal)[-1] == ("decided_feasible", {"final_cost": 200_000_00})


def test_a_blocking_objection_needs_an_internal_justification(
    db, hasher, council, cycle_id, budget_id
) -> None:
    ana = reviewer(db, hasher, council, "ana")
    author = resident(db, hasher, "author")
    proposal = submitted(db, author, budget_id)
    assignments.assign(db, NOW, actor_id=council, proposal_id=proposal, reviewer_id=ana)
    start_review(db, council, cycle_id)
    objection = ReviewInput(
        **{**COMPLETE.__dict__, "scores": {**COMPLETE.scores, Criterion.LEGAL: Score(0, "No.")}}
    )
    review.submit_review(db, NOW, actor_id=ana, proposal_id=proposal, review=objection)
    with pytest.raises(FieldErrors) as caught:
        decisions.decide_proposal(
            db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=1_000_00
        )
    assert caught.value.fields["justification"].code == "decision.justification"
    decisions.decide_proposal(
        db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=1_000_00,
        justification="The legal unit lifted the objection on 3 May.",
    )  # fmt: skip
    row = db.get(Proposal, proposal)
    assert row.decision_justification == "The legal unit lifted the objection on 3 May."
    view = queries.get_proposal(db, proposal)
    assert not hasattr(view, "decision_justification")
    public = json.dumps(events(db, proposal)) + json.dumps(
        [n.params for n in db.exec(select(Notification))]
    )
    assert "legal unit" not in public
    assert all("legal unit" not in m.body for m in mails_to(db, author))


def test_every_accepted_author_is_told_even_without_optional_email(
    db, hasher, council, cycle_id, budget_id
) -> None:
    author = resident(db, hasher, "author")
    partner = resident(db, hasher, "partner")
    proposal = submitted(db, author, budget_id)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="partner@example.fr"
    )
    proposals.answer_invitation(db, NOW, actor_id=partner, proposal_id=proposal, accept=True)
    notifications.set_email_preference(db, NOW, account_id=partner, enabled=False)
    start_review(db, council, cycle_id)
    decisions.decide_proposal(
        db, NOW, actor_id=council, proposal_id=proposal, feasible=False, explanation=EXPLANATION
    )
    for account in (author, partner):
        [mail] = [m for m in mails_to(db, account) if EXPLANATION in m.body]
        assert mail.subject.startswith("Décision")  # residents read French here
        kinds = db.exec(select(Notification.kind).where(Notification.account_id == account))
        assert "proposal.infeasible" in list(kinds)


# -- merging ----------------------------------------------------------------------------------


FORM = MergeForm(title="A greener canal", summary="Trees and benches together.")


def test_merging_credits_every_author_and_keeps_the_history(
    db, hasher, council, cycle_id, budget_id
) -> None:
    ana, ben, cleo = (resident(db, hasher, n) for n in ("ana", "ben", "cleo"))
    first = submitted(db, ana, budget_id, "Trees")
    second = submitted(db, ben, budget_id, "Benches")
    proposals.invite_coauthor(db, NOW, actor_id=ben, proposal_id=second, email="cleo@example.fr")
    proposals.answer_invitation(db, NOW, actor_id=cleo, proposal_id=second, accept=True)
    merged = decisions.merge_proposals(
        db, NOW, actor_id=council, source_ids=[second, first], form=FORM
    )
    view = queries.get_proposal(db, merged)
    assert (view.title, view.status, view.created_by) == (
        "A greener canal", ProposalStatus.SUBMITTED, ana,
    )  # fmt: skip
    credits = {(a.account_id, a.role, a.credited_from) for a in queries.authors_of(db, merged)}
    assert credits == {
        (ana, AuthorRole.CREATOR, first), (ben, AuthorRole.COAUTHOR, second),
        (cleo, AuthorRole.COAUTHOR, second),
    }  # fmt: skip
    for source in (first, second):
        row = db.get(Proposal, source)
        assert (row.status, row.merged_into_id) == (ProposalStatus.MERGED, merged)
        assert events(db, source)[-1] == ("merged_into", {"into": merged})
    assert events(db, merged) == [("merged_from", {"sources": [first, second]})]
    versions = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == merged))
    assert [v.number for v in versions] == [1]
    for account in (ana, ben, cleo):
        kinds = db.exec(select(Notification.kind).where(Notification.account_id == account))
        assert "proposal.merged" in list(kinds)


def test_a_merge_made_in_review_is_in_review(db, hasher, council, cycle_id, budget_id) -> None:
    author = resident(db, hasher, "author")
    ids = [submitted(db, author, budget_id, f"Idea {i}") for i in range(2)]
    start_review(db, council, cycle_id)
    merged = decisions.merge_proposals(db, NOW, actor_id=council, source_ids=ids, form=FORM)
    assert queries.get_proposal(db, merged).status is ProposalStatus.IN_REVIEW


def test_bad_merges_are_refused_and_write_nothing(db, hasher, council, cycle_id, budget_id):
    author = resident(db, hasher, "author")
    one = submitted(db, author, budget_id, "One")
    two = submitted(db, author, budget_id, "Two")
    other_budget = budgets.create_budget(
        db,
        NOW,
        actor_id=council,
        cycle_id=cycle_id,
        form=budget_form(name_en="Other", name_fr="Autre"),
    )
    elsewhere = submitted(db, author, other_budget, "Elsewhere")
    draft = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title="Draft", summary="Draft.",
        address="3 rue Oberkampf",
    )  # fmt: skip
    before = snapshot(db)
    cases = [
        ([one], MergeTooFew), ([one, one], MergeTooFew), ([one, elsewhere], MergeBudgets),
        ([one, draft], ProposalState),
    ]  # fmt: skip
    for ids, error in cases:
        with pytest.raises(error):
            decisions.merge_proposals(db, NOW, actor_id=council, source_ids=ids, form=FORM)
    with pytest.raises(FieldErrors) as caught:
        decisions.merge_proposals(
            db, NOW, actor_id=council, source_ids=[one, two],
            form=MergeForm(title=" ", summary="s", description="d" * 10_001),
        )  # fmt: skip
    assert set(caught.value.fields) == {"title", "description"}
    with pytest.raises(PermissionDenied):
        decisions.merge_proposals(db, NOW, actor_id=author, source_ids=[one, two], form=FORM)
    assert snapshot(db) == before
    proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=two)
    with pytest.raises(ProposalState):
        decisions.merge_proposals(db, NOW, actor_id=council, source_ids=[one, two], form=FORM)


def test_no_merge_once_voting_is_near(db, hasher, council, cycle_id, budget_id) -> None:
    author = resident(db, hasher, "author")
    ids = [submitted(db, author, budget_id, f"Idea {i}") for i in range(2)]
    start_review(db, council, cycle_id)
    for pid in ids:
        decisions.decide_proposal(
            db, NOW, actor_id=council, proposal_id=pid, feasible=True, final_cost=1_000_00
        )
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.VOTING)
    with pytest.raises(WrongPhase):
        decisions.merge_proposals(db, NOW, actor_id=council, source_ids=ids, form=FORM)
    with pytest.raises(WrongPhase):
        decisions.decide_proposal(
            db, NOW, actor_id=council, proposal_id=ids[0], feasible=False, explanation=EXPLANATION
        )
