"""The minimal proposal life the phase guards rely on."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from budget.domain.errors import (
    FieldErrors,
    NotFound,
    PermissionDenied,
    ProposalLimit,
    ProposalState,
    WrongPhase,
)
from budget.domain.proposals import ProposalStatus
from budget.services import budgets, cycles, decisions, proposals
from tests.services.conftest import NOW, budget_form, cycle_form, resident, schedule


@pytest.fixture
def budget_id(db: Session, council: int, cycle_id: int) -> int:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    return queries.get_cycle(db, cycle_id).budgets[0].id


def draft(db: Session, author: int, budget_id: int, title: str = "Shade trees") -> int:
    return proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title=title, summary="Plant trees."
    )


def test_a_draft_is_submitted_by_its_author(db: Session, hasher, budget_id: int) -> None:
    author, other = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)
    assert queries.get_proposal(db, proposal).status is ProposalStatus.DRAFT
    with pytest.raises(PermissionDenied):
        proposals.submit_proposal(db, NOW, actor_id=other, proposal_id=proposal)
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    with pytest.raises(ProposalState):
        proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    assert queries.get_proposal(db, proposal).status is ProposalStatus.SUBMITTED
    with pytest.raises(NotFound):
        queries.get_proposal(db, 999)
    with pytest.raises(NotFound):
        proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=999)


def test_bad_texts_are_named(db: Session, hasher, budget_id: int) -> None:
    with pytest.raises(FieldErrors) as caught:
        proposals.create_proposal(
            db,
            NOW,
            author_id=resident(db, hasher),
            budget_id=budget_id,
            title="x" * 121,
            summary="",
        )
    assert {k: v.code for k, v in caught.value.fields.items()} == {
        "title": "field.too-long", "summary": "field.required",
    }  # fmt: skip
    with pytest.raises(NotFound):
        proposals.create_proposal(db, NOW, author_id=1, budget_id=999, title="t", summary="s")


def test_each_author_submits_at_most_the_cycle_limit(db: Session, council: int, hasher) -> None:
    form = cycle_form(instance="small", max_proposals_per_author=1)
    small = cycles.create_cycle(db, NOW, actor_id=council, form=form)
    budget = budgets.create_budget(db, NOW, actor_id=council, cycle_id=small, form=budget_form())
    cycles.set_schedule(db, NOW, actor_id=council, cycle_id=small, dates=schedule())
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=small, target=Phase.SUBMISSION)
    author = resident(db, hasher)
    first, second = draft(db, author, budget), draft(db, author, budget, "Benches")
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=first)
    with pytest.raises(ProposalLimit):
        proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=second)
    proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=first)
    proposals.submit_proposal(
        db, NOW, actor_id=author, proposal_id=second
    )  # withdrawn ones free a place


def test_withdrawal_is_for_the_creator_before_voting(
    db: Session, hasher, council: int, budget_id: int
) -> None:
    author = resident(db, hasher)
    proposal = draft(db, author, budget_id)
    with pytest.raises(PermissionDenied):
        proposals.withdraw_proposal(db, NOW, actor_id=council, proposal_id=proposal)
    proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    with pytest.raises(ProposalState):
        proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=proposal)


def test_the_council_decides_in_review_within_the_envelope(
    db: Session, hasher, council: int, cycle_id: int, budget_id: int
) -> None:
    author = resident(db, hasher)
    proposal = draft(db, author, budget_id)
    with pytest.raises(WrongPhase):
        decisions.decide_proposal(db, NOW, actor_id=council, proposal_id=proposal, feasible=False)
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    with pytest.raises(WrongPhase):
        draft(db, author, budget_id)
    for cost, code in (
        (None, "field.required"),
        (0, "field.out-of-range"),
        (10**12, "field.out-of-range"),
    ):
        with pytest.raises(FieldErrors) as caught:
            decisions.decide_proposal(
                db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=cost
            )
        assert caught.value.fields["final_cost"].code == code
    decisions.decide_proposal(db, NOW, actor_id=council, proposal_id=proposal, feasible=False)
    assert queries.get_proposal(db, proposal).status is ProposalStatus.INFEASIBLE
    decisions.decide_proposal(
        db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=90_000_00
    )
    decided = queries.list_proposals(
        db, cycle_id, budget_id=budget_id, statuses=[ProposalStatus.ON_BALLOT]
    )
    assert [(p.id, p.final_cost) for p in decided] == [(proposal, 90_000_00)]
    with pytest.raises(PermissionDenied):
        decisions.decide_proposal(db, NOW, actor_id=author, proposal_id=proposal, feasible=False)
