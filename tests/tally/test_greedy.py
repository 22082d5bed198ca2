from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.tally.explain import explain
from budget.tally.greedy import (
    ExclusionError,
    greedy,
    greedy_exclusive,
    greedy_no_skip,
    greedy_order,
    greedy_reserve,
    greedy_threshold,
)
from budget.tally.model import Ballot, Election, Outcome, Project, VoteType
from budget.tally.options import Options
from budget.tally.ties import TieBreak, default_ties
from tests.strategies import elections

# Votes: a 5, b 4, c 3, d 2, e 0.
ELECTION = Election(
    (Project("a", 60), Project("b", 50), Project("c", 30), Project("d", 10), Project("e", 5)),
    100,
    VoteType.APPROVAL,
    (
        Ballot(("a", "b", "c", "d"), count=2),
        Ballot(("a", "b", "c")),
        Ballot(("a", "b")),
        Ballot(("a",)),
    ),
)
RULES = [greedy, greedy_no_skip, greedy_threshold, greedy_exclusive]


def codes(outcome: Outcome) -> dict[str, str]:
    return {e.project_id: e.code for e in outcome.explanations}


def split_and_shuffle(election: Election, order: list[int]) -> Election:
    singles = [Ballot(b.projects, b.points) for b in election.ballots for _ in range(b.count)]
    return replace(election, ballots=tuple(singles[i] for i in order))


def test_greedy_skips_what_does_not_fit_and_continues() -> None:
    outcome = greedy(ELECTION, Options())
    assert outcome.funded == ("a", "c", "d")
    assert outcome.spent == 100
    assert outcome.remaining == 0
    assert codes(outcome) == {
        "a": "greedy-funded",
        "b": "greedy-did-not-fit",
        "c": "greedy-funded",
        "d": "greedy-funded",
        "e": "unsupported",
    }
    b = outcome.explanation_for("b")
    assert not b.funded
    assert b.figures["rank"] == 2
    assert (b.figures["remaining"], b.figures["cost"], b.figures["score"]) == (40, 50, 4)
    assert explain(b) == "Ranked 2nd with 4 votes; 40 remained, it costs 50: did not fit."
    assert outcome.details["ties"] == "more-votes,lower-cost,source-order"


def test_no_skip_stops_at_the_first_project_that_does_not_fit() -> None:
    outcome = greedy_no_skip(ELECTION, Options())
    assert outcome.funded == ("a",)
    assert codes(outcome) == {
        "a": "greedy-funded",
        "b": "greedy-stopped-here",
        "c": "greedy-not-reached",
        "d": "greedy-not-reached",
        "e": "unsupported",
    }
    assert outcome.explanation_for("c").figures["stopped_at"] == "b"
    assert explain(outcome.explanation_for("c")) == "Not reached: the count stopped at #b."


def test_reserve_funds_the_stopping_project_when_80_percent_of_it_is_left() -> None:
    # a (60) is funded, 40 remain; b costs 50 and 100 * 40 >= 80 * 50: the reserve pays 10.
    outcome = greedy_reserve(ELECTION, Options())
    assert outcome.funded == ("a", "b")
    assert (outcome.spent, outcome.remaining, outcome.details["reserve"]) == (110, -10, 10)
    assert codes(outcome) == {
        "a": "greedy-funded",
        "b": "funded-from-reserve",
        "c": "greedy-not-reached",
        "d": "greedy-not-reached",
        "e": "unsupported",
    }
    b = outcome.explanation_for("b")
    assert (b.figures["remaining"], b.figures["cost"], b.figures["reserve_pct"]) == (40, 50, 80)
    assert explain(b) == (
        "Ranked 2nd with 4 votes; only 40 remained, it costs 50: at least 80% of its cost was "
        "left, so it was funded, 10 coming from the reserve beyond the budget."
    )
    assert outcome.explanation_for("c").figures["stopped_at"] == "b"


def test_reserve_below_the_percentage_stops_like_no_skip() -> None:
    strict = greedy_reserve(ELECTION, Options(reserve_pct=Fraction(81)))
    assert strict.funded == greedy_no_skip(ELECTION, Options()).funded == ("a",)
    assert codes(strict)["b"] == "greedy-stopped-here"
    assert "reserve" not in strict.details
    assert greedy_reserve(replace(ELECTION, budget=99), Options()).funded == ("a",)  # 39 < 40
    half = greedy_reserve(ELECTION, Options(reserve_pct=Fraction(159, 2)))
    assert half.explanation_for("b").figures["reserve_pct"] == Fraction(159, 2)
    assert "at least 79.50% of its cost" in explain(half.explanation_for("b"))


def test_reserve_rule_funds_everything_that_fits_without_the_reserve() -> None:
    roomy = greedy_reserve(replace(ELECTION, budget=1000), Options())
    assert roomy.funded == ("a", "b", "c", "d")
    assert roomy.spent == 150


def test_a_project_dearer_than_the_whole_budget_does_not_stop_the_walk() -> None:
    # Wroclaw 2017 Rejon 11 750: a project withdrawn after the vote, written with a huge cost.
    withdrawn = Election(
        (Project("w", 999_999_999), Project("x", 750), Project("y", 750)),
        750,
        VoteType.CHOOSE_ONE,
        (Ballot(("w",), count=3), Ballot(("x",), count=2), Ballot(("y",))),
    )
    for rule in [*RULES, greedy_reserve]:
        outcome = rule(withdrawn, Options())
        assert outcome.funded == ("x",)
        w = outcome.explanation_for("w")
        assert (w.code, w.figures["budget"]) == ("over-budget", 750)
    sentence = explain(greedy_no_skip(withdrawn, Options()).explanation_for("w"))
    assert sentence == "It costs 999,999,999, more than the whole budget of 750: not funded."


def test_unsupported_project_is_never_funded_even_when_it_fits() -> None:
    roomy = replace(ELECTION, budget=1000)
    for rule in RULES:
        outcome = rule(roomy, Options())
        assert set(outcome.funded) == {"a", "b", "c", "d"}
        assert outcome.explanation_for("e").code == "unsupported"


def test_absolute_threshold_applies_to_every_greedy_variant() -> None:
    for rule in RULES:
        outcome = rule(ELECTION, Options(threshold=4))
        assert outcome.funded == ("a",)
        assert codes(outcome)["c"] == "below-threshold"
        assert outcome.details["threshold"] == 4
    below = greedy(ELECTION, Options(threshold=4)).explanation_for("d")
    assert explain(below) == "Below the threshold of 4 votes (2)."


def test_percentage_threshold_keeps_a_score_exactly_at_the_limit() -> None:
    # n = 5 voters; c has 3 votes = 60%.
    kept = greedy(ELECTION, Options(threshold_pct=Fraction(60)))
    assert "c" in kept.funded
    dropped = greedy(ELECTION, Options(threshold_pct=Fraction(601, 10)))
    assert "c" not in dropped.funded
    c = dropped.explanation_for("c")
    assert c.code == "below-threshold-pct"
    assert (c.figures["threshold_pct"], c.figures["voters"]) == (Fraction(601, 10), 5)
    assert explain(c) == "Below the threshold of 60.10% of 5 voters (3 votes)."
    assert dropped.details["threshold_pct"] == Fraction(601, 10)


def test_greedy_threshold_without_a_threshold_is_greedy_with_threshold_zero() -> None:
    outcome = greedy_threshold(ELECTION, Options())
    assert outcome.funded == greedy(ELECTION, Options()).funded
    assert outcome.details["threshold"] == 0
    assert outcome.rule == "greedy-threshold"


def test_exclusion_set_skips_a_project_once_another_of_its_set_is_funded() -> None:
    options = Options(exclusions=(frozenset({"a", "c"}),))
    for rule in (greedy, greedy_exclusive):
        outcome = rule(ELECTION, options)
        assert outcome.funded == ("a", "d")
        c = outcome.explanation_for("c")
        assert (c.code, c.figures["excluded_by"]) == ("excluded", "a")
        assert explain(c) == "Excluded by #a, funded first."


def test_an_unaffordable_project_does_not_exclude_its_set() -> None:
    options = Options(exclusions=(frozenset({"b", "c"}),))
    assert greedy_exclusive(ELECTION, options).funded == ("a", "c", "d")


def test_exclusion_set_naming_an_unknown_project_is_refused() -> None:
    with pytest.raises(ExclusionError, match="'zz'"):
        greedy_exclusive(ELECTION, Options(exclusions=(frozenset({"a", "zz"}),)))


def test_tie_records_the_neighbour_and_the_deciding_criterion() -> None:
    tied = Election(
        (Project("x", 60), Project("y", 50), Project("z", 50)),
        60,
        VoteType.APPROVAL,
        (Ballot(("x", "y", "z")),),
    )
    outcome = greedy(tied, Options())
    assert outcome.funded == ("y",)
    y, z, x = (outcome.explanation_for(p) for p in "yzx")
    # y (funded) and z (did not fit) were separated by the source order, x came last on cost.
    assert (y.figures["tied_with"], y.figures["tie"], y.figures["tie_criterion"]) == (
        "z",
        "won",
        "source-order",
    )
    assert (z.figures["tied_with"], z.figures["tie"]) == ("y", "lost")
    assert (x.figures["tied_with"], x.figures["tie"], x.figures["tie_criterion"]) == (
        "z",
        "lost",
        "lower-cost",
    )
    assert explain(y).endswith("Tied with #z on 1 vote; it came first by the published order.")
    assert explain(z).endswith("Tied with #y on 1 vote; #y came first by the published order.")


def test_a_project_with_a_unique_score_records_no_tie() -> None:
    outcome = greedy(ELECTION, Options())
    assert "tied_with" not in outcome.explanation_for("a").figures


def test_cumulative_points_order_the_walk() -> None:
    points = Election(
        (Project("a", 10), Project("b", 10)),
        10,
        VoteType.CUMULATIVE,
        (Ballot(("a", "b"), (1, 5)), Ballot(("a",), (3,))),
    )
    outcome = greedy(points, Options())
    assert outcome.funded == ("b",)
    a = outcome.explanation_for("a")
    assert (a.figures["score"], a.figures["votes"], a.figures["score_kind"]) == (4, 2, "points")


def test_chosen_tie_break_chain_is_used() -> None:
    tied = Election(
        (Project("x", 30), Project("y", 20)), 30, VoteType.APPROVAL, (Ballot(("x", "y")),)
    )
    assert greedy(tied, Options()).funded == ("y",)
    assert greedy(tied, Options(ties=TieBreak.parse("higher-cost"))).funded == ("x",)


@given(elections(), st.sampled_from(RULES))
def test_every_greedy_rule_stays_within_budget_and_explains_each_project(election, rule) -> None:
    outcome = rule(election, Options())
    assert outcome.spent == election.cost_of(outcome.funded) <= election.budget
    assert [e.project_id for e in outcome.explanations] == [p.id for p in election.projects]
    assert {e.project_id for e in outcome.explanations if e.funded} == set(outcome.funded)
    assert all(election.votes[p] > 0 for p in outcome.funded)


@given(elections(), st.randoms(use_true_random=False), st.sampled_from(RULES))
def test_voter_order_and_ballot_splitting_do_not_matter(election, random, rule) -> None:
    order = list(range(election.num_voters))
    random.shuffle(order)
    assert rule(split_and_shuffle(election, order), Options()) == rule(election, Options())


@given(elections(), st.integers(0, 6), st.data())
def test_greedy_is_exhaustive_except_for_excluded_and_below_threshold(
    election, threshold, data
) -> None:
    ids = [p.id for p in election.projects]
    group = frozenset(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    outcome = greedy(election, Options(threshold=threshold, exclusions=(group,)))
    funded = set(outcome.funded)
    for project in election.projects:
        fits = project.cost <= outcome.remaining
        if project.id in funded or not fits or election.scores[project.id] < threshold:
            continue
        assert election.votes[project.id] == 0 or (project.id in group and funded & group)


@given(elections())
def test_no_skip_funds_a_prefix_of_the_greedy_order(election) -> None:
    outcome = greedy_no_skip(election, Options())
    order = [
        p
        for p in greedy_order(election, default_ties("greedy"))
        if election.votes[p] and election.project_by_id[p].cost <= election.budget
    ]
    assert list(outcome.funded) == order[: len(outcome.funded)]
    if len(outcome.funded) < len(order):
        stopper = election.project_by_id[order[len(outcome.funded)]]
        assert stopper.cost > outcome.remaining
