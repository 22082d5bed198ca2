from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.tally.model import (
    Ballot,
    Election,
    Explanation,
    Outcome,
    Project,
    VoteType,
    ordinal_points,
)
from tests.strategies import elections


def election(vote_type: VoteType, ballots: tuple[Ballot, ...], **kw: int) -> Election:
    projects = (Project("a", 10), Project("b", 20), Project("c", 30))
    return Election(projects, 50, vote_type, ballots, **kw)


def test_approval_votes_and_scores_count_multiplicity() -> None:
    e = election(VoteType.APPROVAL, (Ballot(("a", "b"), count=3), Ballot(("b",))))
    assert e.votes == {"a": 3, "b": 4, "c": 0}
    assert e.scores == e.votes
    assert e.num_voters == 4


def test_cumulative_scores_are_points() -> None:
    e = election(VoteType.CUMULATIVE, (Ballot(("a", "c"), (2, 5)), Ballot(("c",), (1,), count=2)))
    assert e.scores == {"a": 2, "b": 0, "c": 7}
    assert e.votes == {"a": 1, "b": 0, "c": 3}


def test_ordinal_scores_are_truncated_borda_over_max_length() -> None:
    e = election(VoteType.ORDINAL, (Ballot(("c", "a")), Ballot(("a",))), max_length=3)
    assert e.scores == {"a": 2 + 3, "b": 0, "c": 3}
    assert ordinal_points(0, 3) == 3
    assert ordinal_points(5, 3) == 0


def test_ordinal_without_max_length_uses_longest_ranking() -> None:
    e = election(VoteType.ORDINAL, (Ballot(("c", "a", "b")),))
    assert e.ranking_length == 3
    assert e.scores == {"c": 3, "a": 2, "b": 1}


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        Project("x", 0)
    with pytest.raises(ValueError, match="multiplicity"):
        Ballot(("a",), count=0)
    with pytest.raises(ValueError, match="alongside"):
        Ballot(("a",), (1, 2))
    with pytest.raises(ValueError, match="unique"):
        Election((Project("a", 1), Project("a", 2)), 5, VoteType.APPROVAL, ())
    with pytest.raises(ValueError, match="negative"):
        Election((), -1, VoteType.APPROVAL, ())


def test_is_approval_like() -> None:
    assert VoteType.CHOOSE_ONE.is_approval_like
    assert not VoteType.CUMULATIVE.is_approval_like


def test_rankings_longer_than_max_length_and_zero_points_give_no_utility() -> None:
    ordinal = election(VoteType.ORDINAL, (Ballot(("a", "b", "c")),), max_length=2)
    assert ordinal.scores == {"a": 2, "b": 1, "c": 0}
    cumulative = election(VoteType.CUMULATIVE, (Ballot(("a", "b"), (0, 3)),))
    assert cumulative.votes == {"a": 0, "b": 1, "c": 0}


def test_outcome_finds_each_explanation_and_refuses_unknown_ids() -> None:
    explanation = Explanation("a", True, "funded")
    outcome = Outcome("greedy", 50, ("a",), 10, (explanation,))
    assert outcome.explanation_for("a") is explanation
    assert outcome.remaining == 40
    with pytest.raises(KeyError):
        outcome.explanation_for("zz")


def defined_totals(e: Election) -> tuple[dict[str, int], dict[str, int]]:
    """Votes and scores straight from `utilities`, ballot by ballot (the definition)."""
    votes, scores = dict.fromkeys(e.project_by_id, 0), dict.fromkeys(e.project_by_id, 0)
    for ballot in e.ballots:
        for project_id, utility in e.utilities(ballot):
            votes[project_id] += ballot.count
            scores[project_id] += utility * ballot.count
    return votes, scores


@given(elections(), st.integers(1, 4))
def test_votes_and_scores_counted_in_bulk_follow_the_utilities(e: Election, cut: int) -> None:
    # Also with rankings longer than max_length, and points on approval-like ballots.
    short = Election(e.projects, e.budget, e.vote_type, e.ballots, max_length=cut)
    pointed = tuple(Ballot(b.projects, tuple(range(len(b.projects))), b.count) for b in e.ballots)
    with_points = Election(e.projects, e.budget, e.vote_type, e.ballots + pointed, e.max_length)
    for case in (e, short, with_points):
        assert (case.votes, case.scores) == defined_totals(case)
