"""The ballot validators accept exactly the ballots PRODUCT.md's table allows.

`broken_rules` below restates the table independently of the validators (every rule a ballot
breaks, not the first); the properties compare the two on generated ballots: valid ones pass and
come back canonical, a ballot breaking exactly one rule fails with that rule's error, and any
ballot fails with one of the rules it breaks.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.errors import BudgetError, FieldErrors
from budget.domain.validation import (
    Ballot,
    BallotRules,
    blocked_choices,
    from_json,
    progress,
    ranking,
    to_json,
    validate,
)

UPPER = {
    "ballot.too-many", "ballot.over-budget", "ballot.points-per-project",
    "ballot.points-over-limit",
}  # fmt: skip


def broken_rules(rules: BallotRules, ballot: Ballot) -> set[str]:
    """Every rule of PRODUCT.md's table this ballot breaks (a blank ballot is its own case)."""
    cumulative = rules.ballot_type is BallotType.CUMULATIVE
    if (len(ballot.points) != len(ballot.choices)) if cumulative else bool(ballot.points):
        return {"ballot.shape"}
    if not ballot.choices:
        return {"ballot.blank"}
    out = set()
    if any(p not in rules.costs for p in ballot.choices):
        out.add("ballot.unknown-project")
    if len(set(ballot.choices)) < len(ballot.choices):
        out.add("ballot.duplicate")
    return out | _count_rules(rules, ballot) | _spend_rules(rules, ballot)


def _count_rules(rules: BallotRules, ballot: Ballot) -> set[str]:
    limits, count = rules.limits, len(ballot.choices)
    low, high = {
        BallotType.APPROVAL: (limits.min_choices, limits.max_choices),
        BallotType.RANKED: (limits.min_ranks, limits.max_ranks),
        BallotType.CHOOSE_ONE: (1, 1),
    }.get(rules.ballot_type, (0, count))
    assert low is not None
    assert high is not None
    out = set()
    if count > high:
        out.add("ballot.too-many")
    if count < low:
        out.add("ballot.too-few")
    return out


def _spend_rules(rules: BallotRules, ballot: Ballot) -> set[str]:
    limits, out = rules.limits, set()
    if rules.ballot_type is BallotType.KNAPSACK:
        total = sum(rules.costs.get(p, 0) for p in ballot.choices)
        if total > rules.envelope:
            out.add("ballot.over-budget")
        if 100 * total < (limits.min_spend_pct or 0) * rules.envelope:
            out.add("ballot.under-minimum-spend")
    if rules.ballot_type is BallotType.CUMULATIVE:
        if any(x < 1 for x in ballot.points):
            out.add("ballot.points-not-positive")
        if any(x > (limits.max_per_project or 0) for x in ballot.points):
            out.add("ballot.points-per-project")
        if sum(ballot.points) > (limits.points or 0):
            out.add("ballot.points-over-limit")
    return out


def canonical(kind: BallotType, ballot: Ballot) -> Ballot:
    if kind is BallotType.RANKED:
        return ballot
    pairs = sorted(zip(ballot.choices, ballot.points or (0,) * len(ballot.choices), strict=True))
    return Ballot(tuple(p for p, _ in pairs), tuple(x for _, x in pairs) if ballot.points else ())


@st.composite
def budgets_with_a_valid_ballot(draw: st.DrawFn) -> tuple[BallotRules, Ballot]:
    """An on-ballot project list, limits of one type, and a valid ballot built to fit them."""
    ids = draw(st.lists(st.integers(1, 60), min_size=1, max_size=8, unique=True))
    costs = {p: draw(st.integers(1, 100)) for p in ids}
    kind = draw(st.sampled_from(BallotType))
    order = draw(st.permutations(ids))
    if kind is BallotType.CHOOSE_ONE:
        return BallotRules(kind, BallotLimits(), costs, 500), Ballot((order[0],))
    if kind is BallotType.KNAPSACK:
        chosen = order[: draw(st.integers(1, len(ids)))]
        total = sum(costs[p] for p in chosen)
        envelope = draw(st.integers(total, 3 * total))
        pct = draw(st.integers(0, 100 * total // envelope))
        limits = BallotLimits(min_spend_pct=pct)
        return BallotRules(kind, limits, costs, envelope), Ballot(tuple(chosen))
    if kind is BallotType.CUMULATIVE:
        chosen = order[: draw(st.integers(1, len(ids)))]
        cap = draw(st.integers(1, 6))
        points = tuple(draw(st.integers(1, cap)) for _ in chosen)
        total = draw(st.integers(max(sum(points), cap), sum(points) + 10))
        limits = BallotLimits(points=total, max_per_project=cap)
        return BallotRules(kind, limits, costs, 500), Ballot(tuple(chosen), points)
    high = draw(st.integers(1, len(ids)))
    low = draw(st.integers(1, high))
    size = draw(st.integers(low, high))
    if kind is BallotType.APPROVAL:
        limits = BallotLimits(min_choices=low, max_choices=high)
    else:
        limits = BallotLimits(min_ranks=low, max_ranks=high)
    return BallotRules(kind, limits, costs, 500), Ballot(tuple(order[:size]))


@st.composite
def one_edit(draw: st.DrawFn, rules: BallotRules, ballot: Ballot) -> Ballot:
    """The ballot after one edit a voter, a form or an attacker could make."""
    choices, points = list(ballot.choices), list(ballot.points)
    cumulative = rules.ballot_type is BallotType.CUMULATIVE
    edit = draw(
        st.sampled_from(["add", "unknown", "duplicate", "remove", "blank", "points", "shape"])
    )
    assume(choices or edit in ("add", "unknown", "shape"))
    assume(len(points) == len(choices) if cumulative else not points)  # edits of a well-formed one
    if edit in ("add", "unknown"):
        outside = [p for p in rules.costs if p not in choices] if edit == "add" else [0, 61]
        assume(outside)
        choices.append(draw(st.sampled_from(outside)))
        points += [draw(st.integers(1, 3))] if cumulative else []
    elif edit == "duplicate":
        index = draw(st.integers(0, len(choices) - 1))
        choices.append(choices[index])
        points += [points[index]] if cumulative else []
    elif edit == "remove":
        index = draw(st.integers(0, len(choices) - 1))
        del choices[index]
        points = points[:index] + points[index + 1 :]
    elif edit == "blank":
        choices, points = [], []
    elif edit == "points":
        assume(cumulative)
        index = draw(st.integers(0, len(points) - 1))
        points[index] = draw(st.integers(-1, (rules.limits.points or 0) + 2))
    else:
        points = [] if cumulative else [1] * len(choices)
    return Ballot(tuple(choices), tuple(points))


@given(budgets_with_a_valid_ballot())
def test_generated_valid_ballots_pass_in_canonical_form(case) -> None:
    rules, ballot = case
    assert broken_rules(rules, ballot) == set()
    assert validate(rules, ballot) == canonical(rules.ballot_type, ballot)


@given(budgets_with_a_valid_ballot(), st.data())
def test_canonical_form_is_idempotent_and_order_independent(case, data) -> None:
    rules, ballot = case
    first = validate(rules, ballot)
    assert validate(rules, first) == first
    if rules.ballot_type is not BallotType.RANKED:  # a ranking's order is its content
        pairs = data.draw(st.permutations(list(ballot.weights().items())))
        shuffled = Ballot(
            tuple(p for p, _ in pairs), tuple(x for _, x in pairs) if ballot.points else ()
        )
        assert validate(rules, shuffled) == first


@given(budgets_with_a_valid_ballot(), st.data())
def test_a_ballot_breaking_one_rule_fails_with_that_rules_error(case, data) -> None:
    rules, valid = case
    mutated = data.draw(one_edit(rules, valid))
    broken = broken_rules(rules, mutated)
    assume(len(broken) == 1)
    with pytest.raises(BudgetError) as caught:
        validate(rules, mutated)
    assert {caught.value.code} == broken


@given(budgets_with_a_valid_ballot(), st.data())
def test_the_validator_accepts_exactly_what_the_table_allows(case, data) -> None:
    rules, valid = case
    ballot = data.draw(one_edit(rules, valid))
    ballot = data.draw(st.one_of(st.just(ballot), one_edit(rules, ballot)))
    broken = broken_rules(rules, ballot)
    if not broken:
        validate(rules, ballot)
        return
    with pytest.raises(BudgetError) as caught:
        validate(rules, ballot)
    assert caught.value.code in broken


RULES_BROKEN_ONCE = [
    (BallotType.APPROVAL, BallotLimits(max_choices=2), Ballot((1, 2, 3)), "ballot.too-many"),
    (BallotType.APPROVAL, BallotLimits(min_choices=2, max_choices=3), Ballot((1,)),
     "ballot.too-few"),
    (BallotType.KNAPSACK, BallotLimits(), Ballot((1, 2, 3, 4)), "ballot.over-budget"),
    (BallotType.KNAPSACK, BallotLimits(min_spend_pct=70), Ballot((1,)),
     "ballot.under-minimum-spend"),
    (BallotType.CUMULATIVE, BallotLimits(points=5), Ballot((1, 2), (4, 2)),
     "ballot.points-over-limit"),
    (BallotType.CUMULATIVE, BallotLimits(points=5, max_per_project=2), Ballot((1,), (3,)),
     "ballot.points-per-project"),
    (BallotType.CUMULATIVE, BallotLimits(points=5), Ballot((1, 2), (0, 1)),
     "ballot.points-not-positive"),
    (BallotType.CUMULATIVE, BallotLimits(points=5), Ballot((1, 2)), "ballot.shape"),
    (BallotType.RANKED, BallotLimits(max_ranks=2), Ballot((3, 1, 2)), "ballot.too-many"),
    (BallotType.RANKED, BallotLimits(min_ranks=3, max_ranks=3), Ballot((3, 1)),
     "ballot.too-few"),
    (BallotType.RANKED, BallotLimits(max_ranks=3), Ballot((3, 1, 3)), "ballot.duplicate"),
    (BallotType.CHOOSE_ONE, BallotLimits(), Ballot((1, 2)), "ballot.too-many"),
    (BallotType.CHOOSE_ONE, BallotLimits(), Ballot((1,), (1,)), "ballot.shape"),
    (BallotType.CHOOSE_ONE, BallotLimits(), Ballot(()), "ballot.blank"),
    (BallotType.APPROVAL, BallotLimits(max_choices=3), Ballot((1, 9)),
     "ballot.unknown-project"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "limits", "ballot", "code"), RULES_BROKEN_ONCE)
def test_each_rule_names_itself(kind, limits, ballot, code) -> None:
    rules = BallotRules(kind, limits, {1: 40, 2: 30, 3: 20, 4: 20}, 100)
    assert broken_rules(rules, ballot) == {code}
    with pytest.raises(BudgetError) as caught:
        validate(rules, ballot)
    assert caught.value.code == code
    assert str(caught.value)  # an English fallback for the CLI


def test_rules_refuse_invalid_limits() -> None:
    with pytest.raises(FieldErrors):
        BallotRules(BallotType.APPROVAL, BallotLimits(max_choices=0), {1: 1}, 10)


@given(budgets_with_a_valid_ballot())
def test_blocked_choices_are_exactly_those_breaking_an_upper_limit(case) -> None:
    rules, ballot = case
    cumulative = rules.ballot_type is BallotType.CUMULATIVE
    blocked = blocked_choices(rules, ballot)
    for project in rules.costs:
        if project in ballot.choices and not cumulative:
            assert project not in blocked
            continue
        weights = ballot.weights()
        weights[project] = weights.get(project, 0) + 1
        grown = (
            Ballot(tuple(weights), tuple(weights.values()))
            if cumulative
            else Ballot((*ballot.choices, project))
        )
        breaks_upper = bool(broken_rules(rules, grown) & UPPER)
        assert (project in blocked) is breaks_upper
        if breaks_upper:
            assert blocked[project].code in UPPER


def test_a_lower_limit_does_not_block_a_choice() -> None:
    rules = BallotRules(
        BallotType.APPROVAL, BallotLimits(min_choices=3, max_choices=4), {1: 1, 2: 1, 3: 1}, 10
    )
    assert blocked_choices(rules, Ballot(())) == {}
    full = BallotRules(BallotType.APPROVAL, BallotLimits(max_choices=1), {1: 1, 2: 1}, 10)
    assert set(blocked_choices(full, Ballot((1,)))) == {2}


def test_progress_counts_what_the_ballot_uses() -> None:
    rules = BallotRules(BallotType.KNAPSACK, BallotLimits(min_spend_pct=70), {1: 40, 2: 35}, 100)
    half = progress(rules, Ballot((1,)))
    assert (half.chosen, half.spent, half.points_used) == (1, 40, 1)
    assert half.problem is not None
    assert half.problem.code == "ballot.under-minimum-spend"
    both = progress(rules, Ballot((2, 1)))
    assert (both.chosen, both.spent, both.problem) == (2, 75, None)


def test_progress_survives_a_malformed_ballot() -> None:
    rules = BallotRules(BallotType.CUMULATIVE, BallotLimits(points=5), {1: 1, 2: 1}, 10)
    shown = progress(rules, Ballot((1, 2, 9), (2,)))
    assert (shown.chosen, shown.points_used) == (2, 0)
    assert shown.problem is not None
    assert shown.problem.code == "ballot.shape"
    assert progress(rules, Ballot((2, 1), (3, 2))).points_used == 5


@pytest.mark.parametrize(
    ("kind", "limits", "ballot"),
    [
        (BallotType.KNAPSACK, BallotLimits(min_spend_pct=70), Ballot((2, 1))),  # 70 of 100
        (BallotType.KNAPSACK, BallotLimits(min_spend_pct=100), Ballot((1, 2, 3))),  # 100 of 100
        (BallotType.APPROVAL, BallotLimits(min_choices=2, max_choices=2), Ballot((2, 1))),
        (BallotType.CUMULATIVE, BallotLimits(points=5, max_per_project=3), Ballot((2, 1), (3, 2))),
        (BallotType.RANKED, BallotLimits(min_ranks=3, max_ranks=3), Ballot((3, 1, 2))),
    ],
)
def test_ballots_exactly_at_a_limit_pass(kind, limits, ballot) -> None:
    rules = BallotRules(kind, limits, {1: 40, 2: 30, 3: 30}, 100)
    assert validate(rules, ballot) == canonical(kind, ballot)


@given(budgets_with_a_valid_ballot())
def test_stored_ballots_read_back_equal(case) -> None:
    rules, ballot = case
    stored = validate(rules, ballot)
    assert from_json(to_json(stored)) == stored


def test_a_ranking_comes_from_ranks_in_order_with_gaps_closed() -> None:
    assert ranking({7: 3, 5: 1, 9: 2}) == Ballot((5, 9, 7))
    assert ranking({7: 4, 5: 2}) == Ballot((5, 7))
    with pytest.raises(BudgetError) as caught:
        ranking({7: 1, 5: 1})
    assert caught.value.code == "ballot.rank-shared"
