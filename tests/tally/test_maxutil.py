from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.tally.explain import explain
from budget.tally.greedy import greedy
from budget.tally.maxutil import knapsack, max_utilitarian
from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.options import Options
from budget.tally.ties import TieBreak, default_ties
from tests import corpus
from tests.oracles import best_total_score, feasible_sets, max_utilitarian_set, total_score
from tests.strategies import elections

# Scores: a 5, b 4, c 4 (greedy takes a alone; the best pair is b and c), d 0, e costs too much.
ELECTION = Election(
    (Project("a", 6), Project("b", 5), Project("c", 5), Project("d", 1), Project("e", 11)),
    10,
    VoteType.APPROVAL,
    (Ballot(("a", "b", "c", "e"), count=4), Ballot(("a",))),
)


def capacity_table(costs: list[int], values: list[int], capacity: int) -> int:
    """The textbook 0/1 knapsack table over capacities, as an independent check."""
    best = [0] * (capacity + 1)
    for cost, value in zip(costs, values, strict=True):
        for room in range(capacity, cost - 1, -1):
            best[room] = max(best[room], best[room - cost] + value)
    return best[capacity]


def test_max_utilitarian_beats_greedy_where_a_pair_outscores_the_leader() -> None:
    assert greedy(ELECTION, Options()).funded == ("a",)
    outcome = max_utilitarian(ELECTION, Options())
    assert outcome.funded == ("b", "c")
    assert outcome.spent == 10
    assert outcome.details["score"] == 8


def test_explanations_compare_with_the_best_set_with_or_without_the_project() -> None:
    outcome = max_utilitarian(ELECTION, Options())
    a, b = outcome.explanation_for("a"), outcome.explanation_for("b")
    assert (b.code, b.figures["best_without"], b.figures["chosen"]) == ("maxutil-funded", 5, 8)
    assert (a.code, a.figures["best_with"], a.figures["chosen"]) == ("maxutil-not-funded", 5, 8)
    assert explain(b) == "Funded: the best set without it scores 5, the chosen set 8."
    assert explain(a) == "Not funded: the best set with it scores 5, the chosen set 8."
    assert outcome.explanation_for("d").code == "unsupported"
    assert outcome.explanation_for("e").code == "over-budget"


def test_equal_optimal_sets_are_decided_by_the_priority_order() -> None:
    pair = Election((Project("x", 5), Project("y", 4)), 5, VoteType.APPROVAL, (Ballot(("x", "y")),))
    # {x} and {y} both score 1: the votes tie, lower cost puts y first.
    chosen = max_utilitarian(pair, Options())
    assert chosen.funded == ("y",)
    x, y = chosen.explanation_for("x"), chosen.explanation_for("y")
    assert (y.code, y.figures["best_without"]) == ("maxutil-funded-tie", 1)
    assert (x.code, x.figures["best_with"]) == ("maxutil-not-funded-tie", 1)
    assert explain(x) == (
        "Not funded: the best set with it also scores 1; the tie-break order preferred the "
        "chosen set."
    )
    by_cost = max_utilitarian(pair, Options(ties=TieBreak.parse("higher-cost")))
    assert by_cost.funded == ("x",)


def test_priority_order_is_compared_lexicographically_beyond_the_first_project() -> None:
    # {x}, {u, v} and {u, w} all score 3 within 4.
    election = Election(
        (Project("u", 2), Project("v", 2), Project("w", 2), Project("x", 4)),
        4,
        VoteType.APPROVAL,
        (Ballot(("u", "v", "x")), Ballot(("u", "w", "x")), Ballot(("x",))),
    )
    assert max_utilitarian(election, Options()).funded == ("x",)
    cheap_first = Options(ties=TieBreak.parse("lower-cost"))
    assert max_utilitarian(election, cheap_first).funded == ("u", "v")


def test_knapsack_returns_the_best_value_and_a_set_achieving_it() -> None:
    assert knapsack([], [], 10) == (0, 0)
    assert knapsack([3], [7], 2) == (0, 0)
    value, mask = knapsack([6, 5, 5], [5, 4, 4], 10)
    assert (value, mask) == (8, 0b110)


def test_knapsack_agrees_with_the_capacity_table_on_medium_instances() -> None:
    rng = random.Random(2027)
    for _ in range(40):
        n = rng.randint(1, 30)
        costs = [rng.randint(1, 300) for _ in range(n)]
        values = [rng.randint(1, 50) if rng.random() < 0.5 else costs[i] for i in range(n)]
        capacity = rng.randint(0, sum(costs))
        value, mask = knapsack(costs, values, capacity)
        assert value == capacity_table(costs, values, capacity)
        assert sum(c for i, c in enumerate(costs) if mask >> i & 1) <= capacity
        assert sum(v for i, v in enumerate(values) if mask >> i & 1) == value


@given(elections(max_projects=7))
def test_max_utilitarian_equals_brute_force_including_ties(election) -> None:
    outcome = max_utilitarian(election, Options())
    assert set(outcome.funded) == max_utilitarian_set(election, default_ties("greedy"))
    assert outcome.details["score"] == best_total_score(election)
    assert outcome.spent == election.cost_of(outcome.funded) <= election.budget


@given(elections(max_projects=6))
def test_each_explanation_quotes_the_brute_force_best_with_or_without(election) -> None:
    outcome = max_utilitarian(election, Options())
    sets = list(feasible_sets(election))
    for explanation in outcome.explanations:
        p, figures = explanation.project_id, explanation.figures
        if explanation.code.startswith("maxutil-funded"):
            best = max(total_score(election, s) for s in sets if p not in s)
            assert figures["best_without"] == best
        elif explanation.code.startswith("maxutil-not-funded"):
            assert figures["best_with"] == max(total_score(election, s) for s in sets if p in s)


@given(elections(), st.randoms(use_true_random=False))
def test_voter_order_and_ballot_splitting_do_not_matter(election, rng) -> None:
    singles = [Ballot(b.projects, b.points) for b in election.ballots for _ in range(b.count)]
    rng.shuffle(singles)
    shuffled = replace(election, ballots=tuple(singles))
    assert max_utilitarian(shuffled, Options()) == max_utilitarian(election, Options())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["Poland_Warszawa_2026.pb", "Poland_Lodz_2022.pb"])
def test_real_elections_count_exactly_and_never_below_greedy(name) -> None:
    election = corpus.load(name)
    outcome = max_utilitarian(election, Options())
    greedy_score = total_score(election, greedy(election, Options()).funded)
    best = outcome.details["score"]
    assert isinstance(best, int)
    assert outcome.spent <= election.budget
    assert best >= greedy_score
    for explanation in outcome.explanations:
        without = explanation.figures.get("best_without")
        if explanation.code == "maxutil-funded":
            assert isinstance(without, int)
            assert without < best
