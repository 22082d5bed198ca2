"""The brute-force oracles are code too: check them on cases worked by hand."""

from __future__ import annotations

from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.ties import TieBreak
from tests.oracles import best_total_score, is_ejr_up_to_one, max_utilitarian_set

# Seven voters approve a and b (5 each); three approve c (3). Budget 10, so the three deserve
# 3 of it: {c} is cohesive for them (3 * 10 >= 10 * 3).
MINORITY = Election(
    (Project("a", 5), Project("b", 5), Project("c", 3)),
    10,
    VoteType.APPROVAL,
    (Ballot(("a", "b"), count=7), Ballot(("c",), count=3)),
)


def test_ejr_up_to_one_fails_when_a_cohesive_minority_gets_nothing() -> None:
    assert not is_ejr_up_to_one(MINORITY, ["a", "b"])


def test_ejr_up_to_one_holds_when_the_minority_is_served() -> None:
    assert is_ejr_up_to_one(MINORITY, ["a", "c"])


def test_ejr_up_to_one_is_vacuous_with_no_budget() -> None:
    broke = Election(MINORITY.projects, 0, VoteType.APPROVAL, MINORITY.ballots)
    assert is_ejr_up_to_one(broke, [])


def test_ejr_up_to_one_allows_being_one_project_short() -> None:
    # Ten voters deserve {a, b} (cost 10). {a, c} gives them 7 < 10, but adding b would give
    # 12 > 10: satisfied up to one project. {c} alone gives 2, and 2 + 5 is not above 10.
    trio = Election(
        (Project("a", 5), Project("b", 5), Project("c", 2)),
        10,
        VoteType.APPROVAL,
        (Ballot(("a", "b", "c"), count=10),),
    )
    assert is_ejr_up_to_one(trio, ["a", "c"])
    assert not is_ejr_up_to_one(trio, ["c"])


def test_brute_force_best_set_and_its_tie_break() -> None:
    assert best_total_score(MINORITY) == 14
    assert max_utilitarian_set(MINORITY, TieBreak.parse("source-order")) == {"a", "b"}
    tied = Election((Project("x", 2), Project("y", 2)), 2, VoteType.APPROVAL, (Ballot(("x", "y")),))
    assert max_utilitarian_set(tied, TieBreak.parse("source-order")) == {"x"}
    assert max_utilitarian_set(tied, TieBreak.parse("higher-cost,lottery", b"s")) in (
        {"x"},
        {"y"},
    )
