"""Ballot limits, the exact satisfiability check, rules and tie-break chains."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain import ballots
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.errors import (
    EnvelopeCategory,
    EnvelopesOverBudget,
    EnvelopesRanked,
    FieldErrors,
    InvalidChoice,
    InvalidRuleOption,
    InvalidTieBreak,
    OutOfRange,
)
from budget.tally.model import VoteType


@pytest.mark.parametrize(
    ("ballot_type", "limits", "expected"),
    [
        (
            BallotType.APPROVAL,
            BallotLimits(max_choices=5),
            BallotLimits(min_choices=1, max_choices=5),
        ),
        (BallotType.KNAPSACK, BallotLimits(points=3), BallotLimits(min_spend_pct=0)),
        (
            BallotType.CUMULATIVE,
            BallotLimits(points=10),
            BallotLimits(points=10, max_per_project=10),
        ),
        (BallotType.RANKED, BallotLimits(max_ranks=3), BallotLimits(min_ranks=1, max_ranks=3)),
        (BallotType.CHOOSE_ONE, BallotLimits(max_choices=4), BallotLimits()),
    ],
)
def test_limits_get_product_defaults_and_lose_foreign_fields(ballot_type, limits, expected) -> None:
    assert ballots.normalise_limits(ballot_type, limits) == expected


@pytest.mark.parametrize(
    ("ballot_type", "limits", "field", "error"),
    [
        (BallotType.APPROVAL, BallotLimits(), "max_choices", "field.required"),
        (BallotType.APPROVAL, BallotLimits(max_choices=0), "max_choices", "field.out-of-range"),
        (BallotType.APPROVAL, BallotLimits(max_choices=1001), "max_choices", "field.out-of-range"),
        (
            BallotType.APPROVAL,
            BallotLimits(min_choices=4, max_choices=3),
            "min_choices",
            "field.out-of-range",
        ),
        (
            BallotType.APPROVAL,
            BallotLimits(min_choices=0, max_choices=3),
            "min_choices",
            "field.out-of-range",
        ),
        (
            BallotType.KNAPSACK,
            BallotLimits(min_spend_pct=101),
            "min_spend_pct",
            "field.out-of-range",
        ),
        (
            BallotType.KNAPSACK,
            BallotLimits(min_spend_pct=-1),
            "min_spend_pct",
            "field.out-of-range",
        ),
        (BallotType.CUMULATIVE, BallotLimits(), "points", "field.required"),
        (
            BallotType.CUMULATIVE,
            BallotLimits(points=5, max_per_project=6),
            "max_per_project",
            "field.out-of-range",
        ),
        (
            BallotType.RANKED,
            BallotLimits(min_ranks=2, max_ranks=1),
            "min_ranks",
            "field.out-of-range",
        ),
    ],
)
def test_each_broken_limit_is_named(ballot_type, limits, field, error) -> None:
    with pytest.raises(FieldErrors) as caught:
        ballots.normalise_limits(ballot_type, limits)
    assert {k: v.code for k, v in caught.value.fields.items()} == {field: error}


def test_every_ballot_type_maps_to_a_tally_vote_type() -> None:
    assert {ballots.vote_type(t) for t in BallotType} == {
        VoteType.APPROVAL, VoteType.CUMULATIVE, VoteType.ORDINAL, VoteType.CHOOSE_ONE,
    }  # fmt: skip
    assert set(ballots.LIMIT_FIELDS) == set(BallotType)


@pytest.mark.parametrize(
    ("ballot_type", "limits", "n", "satisfiable"),
    [
        (BallotType.APPROVAL, BallotLimits(min_choices=3, max_choices=5), 2, False),
        (BallotType.APPROVAL, BallotLimits(min_choices=3, max_choices=5), 3, True),
        (BallotType.RANKED, BallotLimits(min_ranks=2, max_ranks=3), 1, False),
        (BallotType.RANKED, BallotLimits(max_ranks=3), 1, True),
        (BallotType.CUMULATIVE, BallotLimits(points=3), 1, True),
        (BallotType.CHOOSE_ONE, BallotLimits(), 1, True),
        (BallotType.CHOOSE_ONE, BallotLimits(), 0, False),
    ],
)
def test_count_based_ballots_need_enough_projects(ballot_type, limits, n, satisfiable) -> None:
    assert ballots.is_satisfiable(ballot_type, limits, [100] * n, 1000) is satisfiable


def brute_force_knapsack(costs: list[int], pct: int, envelope: int) -> bool:
    return any(
        100 * sum(subset) >= pct * envelope and sum(subset) <= envelope
        for size in range(1, len(costs) + 1)
        for subset in combinations(costs, size)
    )


@given(
    costs=st.lists(st.integers(min_value=1, max_value=60), max_size=8),
    pct=st.integers(min_value=0, max_value=100),
    envelope=st.integers(min_value=1, max_value=150),
    scale=st.sampled_from([1, 100, 10**7]),
)
def test_knapsack_satisfiability_agrees_with_brute_force(costs, pct, envelope, scale) -> None:
    """Exact whatever the scale: scale 10**7 sends large envelopes through the set search."""
    scaled = [c * scale for c in costs]
    limits = BallotLimits(min_spend_pct=pct)
    expected = brute_force_knapsack(scaled, pct, envelope * scale)
    assert ballots.is_satisfiable(BallotType.KNAPSACK, limits, scaled, envelope * scale) is expected


@pytest.mark.parametrize(
    ("costs", "pct", "envelope", "satisfiable"),
    [
        ([30, 25, 20, 15], 80, 100, True),  # 30 + 25 + 20 + 15 = 90
        ([60, 60, 60], 70, 100, False),  # one fits (60 %), two do not
        ([3, 5, 7], 100, 15, True),  # 3 + 5 + 7 = 15 exactly, everything fits
        ([4, 6, 10, 12], 100, 25, False),  # sums hit 24 and 26, never 25 (set search)
        ([4, 6, 10, 12], 100, 26, True),
        ([200], 0, 100, False),  # nothing fits at all
        ([2 * 10**9, 3 * 10**9 + 1, 5 * 10**9 - 7], 100, 5 * 10**9 + 1, True),  # 2e9 + 3e9+1
    ],
)
def test_knapsack_minimum_spend_examples(costs, pct, envelope, satisfiable) -> None:
    limits = BallotLimits(min_spend_pct=pct)
    assert ballots.is_satisfiable(BallotType.KNAPSACK, limits, costs, envelope) is satisfiable


def test_rules_and_ballot_types_are_matched_through_the_tally_registry() -> None:
    assert "greedy" in ballots.rule_names()
    assert ballots.rule_accepts("greedy", BallotType.RANKED)
    assert ballots.rule_accepts("phragmen", BallotType.KNAPSACK)
    assert not ballots.rule_accepts("phragmen", BallotType.CUMULATIVE)
    assert not ballots.rule_accepts("no-such-rule", BallotType.APPROVAL)


def test_default_tie_break_follows_the_rule_family() -> None:
    assert ballots.default_tie_break("mes-add1") == "lower-cost,more-votes,lottery"
    assert ballots.default_tie_break("greedy") == "more-votes,lower-cost,lottery"
    assert ballots.default_tie_break("unknown") == "more-votes,lower-cost,lottery"


def test_tie_break_chain_is_normalised() -> None:
    assert ballots.parse_tie_break(" more-votes , lower-cost,lottery ") == (
        "more-votes,lower-cost,lottery"
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("more-votes,coin-toss,lottery", "unknown criterion coin-toss"),
        ("lottery,lottery", "a criterion appears twice"),
        ("more-votes,lower-cost", "the chain must end with lottery"),
        ("", "the chain must end with lottery"),
    ],
)
def test_a_bad_tie_break_chain_says_why(text: str, detail: str) -> None:
    with pytest.raises(InvalidTieBreak) as caught:
        ballots.parse_tie_break(text)
    assert caught.value.params == {"detail": detail}


def test_rule_options_keep_known_valid_values() -> None:
    options = {"threshold": 500, "threshold_pct": 10, "satisfaction": "cardinality"}
    assert ballots.normalise_rule_options(options) == options


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"satisfaction": "joy"}, InvalidChoice),
        ({"colour": 1}, InvalidRuleOption),
        ({"threshold": True}, InvalidRuleOption),
        ({"threshold": "5"}, InvalidRuleOption),
        ({"threshold_pct": 101}, OutOfRange),
        ({"threshold": -1}, OutOfRange),
    ],
)
def test_bad_rule_options_are_refused(options, error) -> None:
    with pytest.raises(error):
        ballots.normalise_rule_options(options)


@given(
    units=st.lists(st.integers(min_value=1, max_value=40), max_size=8),
    low=st.integers(min_value=1, max_value=120),
    width=st.integers(min_value=0, max_value=30),
)
def test_bitset_and_set_searches_agree_with_brute_force(units, low, width) -> None:
    high = low + width
    expected = any(
        low <= sum(subset) <= high
        for size in range(1, len(units) + 1)
        for subset in combinations(units, size)
    )
    assert ballots._bitset_search(units, low, high) is expected
    assert ballots._set_search(units, low, high) is expected


def test_fine_grained_envelope_without_an_exact_sum_is_unsatisfiable() -> None:
    costs = [2 * 10**9, 3 * 10**9 + 1, 5 * 10**9 - 7]
    limits = BallotLimits(min_spend_pct=100)
    assert not ballots.is_satisfiable(BallotType.KNAPSACK, limits, costs, 5 * 10**9 + 2)


# -- category envelopes ------------------------------------------------------------------------

GOOD_ENVELOPES = [["green", 40_000_000_00], ["care", 20_000_000_00]]


@pytest.mark.parametrize(
    "value",
    [
        [],
        "green:400",
        [["green"]],
        [["", 100]],
        [[7, 100]],
        [["green", 0]],
        [["green", True]],
        [["green", "100"]],
        [["green", 100], ["green", 200]],
        [("green", 100)],
    ],
)
def test_a_malformed_envelope_list_is_refused(value: object) -> None:
    with pytest.raises(InvalidRuleOption):
        ballots.normalise_rule_options({"category_envelopes": value})


def test_a_well_formed_envelope_list_is_kept() -> None:
    options = {"category_envelopes": GOOD_ENVELOPES}
    assert ballots.normalise_rule_options(options) == options


def test_envelopes_name_the_cycle_s_categories_and_fit_the_budget() -> None:
    options = {"category_envelopes": GOOD_ENVELOPES}
    kinds = {"categories": ("care", "green"), "ballot_type": BallotType.APPROVAL}
    assert ballots.envelope_problem({}, amount=1, **kinds) is None  # type: ignore[arg-type]
    assert ballots.envelope_problem(options, amount=60_000_000_00, **kinds) is None  # type: ignore[arg-type]
    over = ballots.envelope_problem(options, amount=59_999_999_99, **kinds)  # type: ignore[arg-type]
    assert isinstance(over, EnvelopesOverBudget)
    assert over.params == {"total": 60_000_000_00, "amount": 59_999_999_99}
    unknown = ballots.envelope_problem(
        options, amount=10**12, categories=("green",), ballot_type=None
    )
    assert isinstance(unknown, EnvelopeCategory)
    assert unknown.params == {"category": "care"}
    ranked = ballots.envelope_problem(
        options, amount=10**12, categories=("care", "green"), ballot_type=BallotType.RANKED
    )
    assert isinstance(ranked, EnvelopesRanked)


def test_envelope_codes_in_pass_order() -> None:
    assert ballots.envelope_codes({"category_envelopes": GOOD_ENVELOPES}) == ("green", "care")
    assert ballots.envelope_codes({}) == ()
