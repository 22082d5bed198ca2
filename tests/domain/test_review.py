"""The review rubric, cost checks and the even spreading of proposals over reviewers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain import review
from budget.domain.errors import FieldErrors, OutOfRange, Required, TooLong
from budget.domain.review import Criterion, Recommendation, ReviewInput, Score, spread_evenly

COMPLETE = ReviewInput(
    scores={c: Score(4, f"{c.value} is fine") for c in Criterion},
    cost_total=120_000_00,
    cost_breakdown="Trees: 80 000; works: 40 000",
    running_cost_yearly=2_000_00,
    duration_months=18,
    recommendation=Recommendation.FEASIBLE,
)


def codes(error: FieldErrors) -> dict[str, str]:
    return {name: e.code for name, e in error.fields.items()}


def test_a_complete_review_passes_both_checks() -> None:
    review.check_review(COMPLETE, complete=True)
    review.check_review(COMPLETE, complete=False)


def test_an_empty_draft_is_allowed_but_cannot_be_submitted() -> None:
    review.check_review(ReviewInput(), complete=False)
    with pytest.raises(FieldErrors) as caught:
        review.check_review(ReviewInput(), complete=True)
    expected = {f"{c.value}_{part}" for c in Criterion for part in ("score", "comment")}
    expected |= {"cost_total", "running_cost_yearly", "duration_months", "recommendation"}
    assert set(caught.value.fields) == expected
    assert all(e.code == Required.code for e in caught.value.fields.values())


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"scores": {Criterion.LEGAL: Score(6, "x")}}, "legal_score", OutOfRange.code),
        ({"scores": {Criterion.LEGAL: Score(-1, "x")}}, "legal_score", OutOfRange.code),
        (
            {"scores": {Criterion.TECHNICAL: Score(3, "x" * 2001)}},
            "technical_comment",
            TooLong.code,
        ),
        ({"cost_total": -1}, "cost_total", OutOfRange.code),
        ({"cost_total": review.COST_MAX + 1}, "cost_total", OutOfRange.code),
        ({"running_cost_yearly": -5}, "running_cost_yearly", OutOfRange.code),
        ({"duration_months": 0}, "duration_months", OutOfRange.code),
        ({"duration_months": 241}, "duration_months", OutOfRange.code),
        ({"cost_breakdown": "y" * 5001}, "cost_breakdown", TooLong.code),
        ({"recommendation": Recommendation.FEASIBLE_WITH_CHANGES}, "changes", Required.code),
        ({"changes": "z" * 2001}, "changes", TooLong.code),
    ],
)
def test_each_bad_value_is_named_even_in_a_draft(changes, field, code) -> None:
    draft = ReviewInput(**changes)
    with pytest.raises(FieldErrors) as caught:
        review.check_review(draft, complete=False)
    assert codes(caught.value) == {field: code}


def test_a_comment_is_mandatory_with_each_score_on_submission() -> None:
    scores = {**COMPLETE.scores, Criterion.INVESTMENT: Score(0, "   ")}
    with pytest.raises(FieldErrors) as caught:
        review.check_review(ReviewInput(**{**COMPLETE.__dict__, "scores": scores}), complete=True)
    assert codes(caught.value) == {"investment_comment": Required.code}


def test_feasible_with_changes_needs_the_changes() -> None:
    with_changes = ReviewInput(
        **{**COMPLETE.__dict__, "recommendation": Recommendation.FEASIBLE_WITH_CHANGES}
    )
    with pytest.raises(FieldErrors):
        review.check_review(with_changes, complete=True)
    review.check_review(
        ReviewInput(**{**with_changes.__dict__, "changes": "Smaller"}), complete=True
    )


def test_a_zero_is_a_blocking_objection() -> None:
    assert review.has_blocking_objection([5, 0, None])
    assert not review.has_blocking_objection([1, 5, None])
    assert not review.has_blocking_objection([])


def test_notes_and_conflict_reasons_are_trimmed_and_bounded() -> None:
    assert review.check_note("  a note ") == "a note"
    assert review.check_conflict_reason(" my neighbour ") == "my neighbour"
    with pytest.raises(Required):
        review.check_note("  ")
    with pytest.raises(TooLong):
        review.check_conflict_reason("x" * 1001)


def test_per_proposal_must_be_between_one_and_ten() -> None:
    for bad in (0, 11):
        with pytest.raises(OutOfRange):
            review.check_per_proposal(bad)
    review.check_per_proposal(1)


# -- spread_evenly ----------------------------------------------------------------------------


def test_proposals_are_dealt_in_turn_by_id() -> None:
    spread = spread_evenly([30, 10, 20, 40], [7, 8, 9], 1, {}, {})
    assert spread.assignments == ((10, 7), (20, 8), (30, 9), (40, 7))
    assert spread.loads == {7: 2, 8: 1, 9: 1}
    assert spread.short == {}


def test_authors_and_conflicted_reviewers_are_skipped() -> None:
    spread = spread_evenly([1, 2], [7, 8], 1, {1: {7}, 2: {7, 8}}, {})
    assert spread.assignments == ((1, 8),)
    assert spread.short == {2: 1}


def test_existing_assignments_count_towards_the_number_wanted() -> None:
    spread = spread_evenly([1, 2], [7, 8, 9], 2, {}, {7: 1}, assigned={1: {7}, 2: {7, 8}})
    assert spread.assignments == ((1, 8),)
    assert spread.short == {}
    assert spread.loads == {7: 1, 8: 1, 9: 0}


def test_current_loads_are_evened_out_first() -> None:
    spread = spread_evenly([1, 2, 3], [7, 8], 1, {}, {7: 3, 8: 0})
    assert [r for _, r in spread.assignments] == [8, 8, 8]


def test_an_absurd_number_of_reviewers_per_proposal_is_refused() -> None:
    with pytest.raises(OutOfRange):
        spread_evenly([1], [7], 0, {}, {})


proposal_sets = st.sets(st.integers(1, 60), max_size=25)
reviewer_lists = st.lists(st.integers(100, 130), min_size=1, max_size=8, unique=True)


@given(proposal_sets, reviewer_lists, st.integers(1, 4))
def test_without_exclusions_loads_differ_by_at_most_one(proposals, reviewers, r) -> None:
    spread = spread_evenly(proposals, reviewers, r, {}, {})
    loads = spread.loads.values()
    assert max(loads) - min(loads) <= 1
    assert len(spread.assignments) == len(proposals) * min(r, len(reviewers))


@given(
    proposal_sets,
    reviewer_lists,
    st.integers(1, 4),
    st.dictionaries(st.integers(100, 130), st.integers(0, 6)),
)
def test_without_exclusions_the_spread_never_grows(proposals, reviewers, r, loads) -> None:
    before = {reviewer: loads.get(reviewer, 0) for reviewer in reviewers}
    spread = spread_evenly(proposals, reviewers, r, {}, loads)
    after = spread.loads.values()
    assert max(after) - min(after) <= max(max(before.values()) - min(before.values()), 1)


@st.composite
def with_exclusions(draw):
    proposals = draw(proposal_sets)
    reviewers = draw(reviewer_lists)
    excluded = {
        p: draw(st.sets(st.sampled_from(reviewers), max_size=len(reviewers))) for p in proposals
    }
    return proposals, reviewers, draw(st.integers(1, 4)), excluded


@given(with_exclusions())
def test_never_an_excluded_reviewer_and_each_gets_what_it_can(case) -> None:
    proposals, reviewers, r, excluded = case
    spread = spread_evenly(proposals, reviewers, r, excluded, {})
    per_proposal: dict[int, list[int]] = {p: [] for p in proposals}
    for proposal, reviewer in spread.assignments:
        assert reviewer not in excluded[proposal]
        assert reviewer in reviewers
        per_proposal[proposal].append(reviewer)
    for proposal, given_to in per_proposal.items():
        eligible = len(set(reviewers) - excluded[proposal])
        assert len(given_to) == len(set(given_to)) == min(r, eligible)
        assert spread.short.get(proposal, 0) == r - min(r, eligible)


@given(with_exclusions())
def test_spreading_is_deterministic_and_blind_to_proposal_order(case) -> None:
    proposals, reviewers, r, excluded = case
    first = spread_evenly(sorted(proposals), reviewers, r, excluded, {})
    again = spread_evenly(sorted(proposals, reverse=True), reviewers, r, excluded, {})
    assert first == again
