from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.tally.explain import explain
from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.options import Options
from budget.tally.phragmen import PhragmenError, sequential_phragmen
from budget.tally.ties import TieBreak, default_ties
from tests.oracles import phragmen_reference
from tests.strategies import approval_elections, elections

# Three voters approve a, c, f; one approves b, c, e, f; nobody approves d.
ELECTION = Election(
    (
        Project("a", 6),
        Project("b", 2),
        Project("c", 3),
        Project("d", 1),
        Project("e", 5),
        Project("f", 11),
    ),
    10,
    VoteType.APPROVAL,
    (Ballot(("a", "c", "f"), count=3), Ballot(("b", "c", "e", "f"))),
)


def test_loads_rise_step_by_step_until_the_next_in_line_does_not_fit() -> None:
    outcome = sequential_phragmen(ELECTION, Options())
    # Step 1: t(c) = 3/4. Step 2: t(a) = (6 + 3 * 3/4) / 3 = 11/4 = t(b) = (2 + 3/4) / 1; more
    # votes puts a first. Step 3: b is next (11/4) but costs 2 with 1 left: the count stops.
    assert outcome.funded == ("c", "a")
    assert outcome.spent == 9
    c, a, b = (outcome.explanation_for(p) for p in "cab")
    assert (c.code, c.figures["step"], c.figures["load"]) == ("phragmen-funded", 1, Fraction(3, 4))
    assert (a.code, a.figures["step"], a.figures["load"]) == ("phragmen-funded", 2, Fraction(11, 4))
    assert (a.figures["tied_with"], a.figures["tie_criterion"]) == ("b", "more-votes")
    assert (b.code, b.figures["step"], b.figures["remaining"]) == ("phragmen-did-not-fit", 3, 1)
    assert outcome.details["steps"] == 3


def test_every_project_left_is_explained() -> None:
    outcome = sequential_phragmen(ELECTION, Options())
    codes = {e.project_id: e.code for e in outcome.explanations}
    assert codes["d"] == "unsupported"
    assert codes["e"] == "phragmen-stopped"
    assert codes["f"] == "over-budget"
    e = outcome.explanation_for("e")
    assert explain(e) == "Not funded: the count stopped when #b, next in line, did not fit."
    assert explain(outcome.explanation_for("c")) == (
        "Funded in step 1; its supporters' load rose to 0.75, the lowest."
    )
    assert explain(outcome.explanation_for("a")).endswith(
        "Tied with #b on that load; it came first by more votes."
    )
    assert explain(outcome.explanation_for("f")) == (
        "It costs 11, more than the whole budget of 10: not funded."
    )


def test_the_count_ends_when_every_candidate_is_funded() -> None:
    roomy = replace(ELECTION, budget=27)
    outcome = sequential_phragmen(roomy, Options())
    assert set(outcome.funded) == {"a", "b", "c", "e", "f"}
    assert outcome.explanation_for("d").code == "unsupported"


def test_tie_break_chain_decides_equal_loads() -> None:
    outcome = sequential_phragmen(ELECTION, Options(ties=TieBreak.parse("lower-cost")))
    assert outcome.funded[:2] == ("c", "b")
    assert outcome.explanation_for("b").figures["tie_criterion"] == "lower-cost"


def test_non_approval_ballots_are_refused() -> None:
    points = Election((Project("a", 1),), 1, VoteType.CUMULATIVE, (Ballot(("a",), (2,)),))
    with pytest.raises(PhragmenError, match="approval"):
        sequential_phragmen(points, Options())


@given(elections((VoteType.APPROVAL, VoteType.CHOOSE_ONE)))
def test_phragmen_matches_its_definition_voter_by_voter(election) -> None:
    outcome = sequential_phragmen(election, Options())
    assert outcome.funded == phragmen_reference(election, default_ties("greedy"))
    assert outcome.spent == election.cost_of(outcome.funded) <= election.budget
    assert all(election.votes[p] > 0 for p in outcome.funded)


@given(approval_elections(), st.randoms(use_true_random=False))
def test_voter_order_and_ballot_splitting_do_not_matter(election, random) -> None:
    singles = [Ballot(b.projects, count=1) for b in election.ballots for _ in range(b.count)]
    random.shuffle(singles)
    shuffled = replace(election, ballots=tuple(singles))
    assert sequential_phragmen(shuffled, Options()) == sequential_phragmen(election, Options())
