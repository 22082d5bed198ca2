from __future__ import annotations

import zipfile
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.tally import mes, rules
from budget.tally.mes_add1 import certified, is_exhaustive
from budget.tally.mes_engine import Run, run
from budget.tally.model import Election, Outcome
from budget.tally.options import Options, Satisfaction
from tests import corpus
from tests.oracles import reference_add1, reference_mes
from tests.strategies import elections
from tests.tally.test_mes import ADD1, approval


def ids(election: Election, result: Run) -> list[str]:
    return [election.projects[j].id for j in result.funded]


def same_as_one_run(election: Election, options: Options, outcome: Outcome, share: Fraction):
    """The outcome's explanations and rounds are those of one plain MES run at `share`."""
    _, prepared = mes._prepare(election, options)
    plain = run(prepared, share)
    explanations = mes.explain_run(election, plain)
    assert outcome.explanations == tuple(explanations[p.id] for p in election.projects)
    assert outcome.details["rounds"] == len(plain.purchases)
    assert outcome.details["share_final"] == share


# The certificate that lets add1 skip a range of shares (proof in mes_add1's docstring).


def test_a_range_with_one_outcome_and_clear_margins_is_certified() -> None:
    # Shares 6 to 8 all buy C alone (rho 1/2); at 8 the runner-up A has rho 1 > 1/2.
    _, prepared = mes._prepare(ADD1, Options())
    low, high = run(prepared, Fraction(6)), run(prepared, Fraction(8), runner_ups=True)
    assert certified(low, high)
    assert not certified(low, run(prepared, Fraction(8)))  # no runner-ups recorded
    assert not certified(low, run(prepared, Fraction(9), runner_ups=True))  # A and B follow


def test_a_runner_up_below_the_lower_key_withholds_the_certificate() -> None:
    # n = 3, B = 14. At shares 7 and 9 the runs buy p0 then p1. At 7, p1's rho in round 2 is
    # 6/11 (voter 3 holds 5 of its 5.50 part); at 9 the runner-up p2 has rho 1/2 < 6/11: some
    # share between might prefer p2, so the range is not certified.
    election = approval(
        {"p0": 4, "p1": 11, "p2": 12}, 14, ("p0", "p2"), ("p1",), ("p0", "p1", "p2")
    )
    _, prepared = mes._prepare(election, Options())
    low, high = run(prepared, Fraction(7)), run(prepared, Fraction(9), runner_ups=True)
    assert low.funded == high.funded == (0, 1)
    assert low.purchases[1].rho == Fraction(6, 11)
    assert high.runner_ups is not None
    assert high.runner_ups[1] is not None
    assert high.runner_ups[1][0] == Fraction(1, 2)
    assert not certified(low, high)


def test_the_same_outcome_at_both_ends_does_not_prove_the_middle() -> None:
    # Round 1 buys p3 (rho 1/3) at every share. Then p2 (18) needs all of voters 3 and 5 at 9
    # and is bought at rho 1/2 up to 10.50; p4 (12) wins at 8.50 (p2 unaffordable) and at 11
    # (rho 1/2 too, and lower cost). The certificate sees p4's key 17/24 at 8.50 above the
    # runner-up p2 (1/2) at 11 and refuses the range.
    election = approval(
        {"p0": 26, "p1": 24, "p2": 18, "p3": 15, "p4": 12},
        34,
        ("p1", "p3"),
        ("p3",),
        ("p1", "p2", "p4"),
        ("p3", "p4"),
        ("p2",),
    )
    _, prepared = mes._prepare(election, Options())
    low, high = run(prepared, Fraction(17, 2)), run(prepared, Fraction(11), runner_ups=True)
    assert low.funded == high.funded == (3, 4)
    assert run(prepared, Fraction(10)).funded == (3, 2)
    assert not certified(low, high)


@given(
    elections(max_projects=6, max_voters=8, max_cost=40),
    st.sampled_from(list(Satisfaction)),
    st.fractions(0, 30, max_denominator=3),
    st.integers(1, 12),
)
def test_every_share_in_a_certified_range_buys_the_same_sequence(
    election: Election, satisfaction: Satisfaction, low: Fraction, width: int
) -> None:
    options = Options(satisfaction=satisfaction)
    _, prepared = mes._prepare(election, options)
    left, right = run(prepared, low), run(prepared, low + width, runner_ups=True)
    if certified(left, right):
        for k in range(2 * width + 1):
            assert reference_mes(election, options, low + Fraction(k, 2)) == ids(election, left)


@given(
    elections(max_projects=6, max_voters=8, max_cost=40),
    st.sampled_from(list(Satisfaction)),
    st.fractions(0, 30, max_denominator=3),
    st.integers(0, 6),
    st.integers(1, 12),
)
def test_runner_ups_made_against_a_lower_run_decide_certificates_as_exact_ones(
    election: Election, satisfaction: Satisfaction, low: Fraction, middle: int, width: int
) -> None:
    # Made `against` the run at `low`, a runner-up is exact or a lower bound above that run's
    # key: the certificate from `low` is the same, and one from a share between is never wider.
    options = Options(satisfaction=satisfaction)
    _, prepared = mes._prepare(election, options)
    left, high = run(prepared, low), low + middle + width
    exact = run(prepared, high, runner_ups=True)
    bounded = run(prepared, high, runner_ups=True, against=left)
    assert bounded.purchases == exact.purchases
    assert exact.runner_ups is not None
    assert bounded.runner_ups is not None
    floors = left.keys()
    for k, (found, true) in enumerate(zip(bounded.runner_ups, exact.runner_ups, strict=True)):
        if found != true:  # a bound above the floor, below the least key (if any is left)
            assert found is not None
            assert k < len(floors)
            assert found > floors[k]
            assert true is None or found < true
    assert certified(left, bounded) == certified(left, exact)
    between = run(prepared, low + middle)
    assert certified(between, exact) or not certified(between, bounded)


# add1 against its step-by-step definition, in every detail.


@given(
    elections(max_projects=5, max_voters=6, max_cost=40),
    st.booleans(),
    st.sampled_from([1, 2, 3]),
    st.sampled_from(list(Satisfaction)),
)
def test_add1_matches_the_step_by_step_definition_in_every_detail(
    election: Election, exhaustive: bool, step: int, satisfaction: Satisfaction
) -> None:
    options = Options(step=step, satisfaction=satisfaction)
    rule = mes.equal_shares_add1_exhaustive if exhaustive else mes.equal_shares_add1
    outcome = rule(election, options)
    funded, share = reference_add1(election, options, exhaustive)
    assert list(outcome.funded) == funded
    if share is None:
        assert outcome.details["completion"] == "all-fit"
        return
    same_as_one_run(election, options, outcome, share)
    initial = outcome.details["share_initial"]
    assert isinstance(initial, Fraction)
    assert outcome.details["steps"] == (share - initial) // step


def stepwise(election: Election, options: Options, exhaustive: bool) -> Run:
    """add1 one MES run per step, with the engine: the loop before ranges were skipped."""
    _, prepared = mes._prepare(election, options)
    step, budget = options.step, election.budget
    kept = run(prepared, Fraction(step * (budget // (election.num_voters * step))))
    while not (exhaustive and is_exhaustive(election, kept)):
        following = run(prepared, kept.endowment + step)
        if election.cost_of(tuple(ids(election, following))) > budget:
            break
        kept = following
    return kept


@pytest.mark.slow
@pytest.mark.parametrize("name", ["Poland_Swiecie_2023.pb", "Poland_Warszawa_2018_Anin.pb"])
@pytest.mark.parametrize("exhaustive", [False, True])
def test_add1_equals_the_step_by_step_loop_on_real_elections(name: str, exhaustive: bool) -> None:
    pabulib = pytest.importorskip("budget.pabulib")
    if not corpus.CORPUS.exists():
        pytest.skip(f"Pabulib corpus not found at {corpus.CORPUS}")
    with zipfile.ZipFile(corpus.CORPUS) as archive:
        text = archive.read(name).decode("utf-8-sig")
    file = pabulib.read(text, source=name)
    election, options = file.election, file.options(family="mes")
    rule = mes.equal_shares_add1_exhaustive if exhaustive else mes.equal_shares_add1
    outcome = rule(election, options)
    kept = stepwise(election, options, exhaustive)
    assert list(outcome.funded) == ids(election, kept)
    same_as_one_run(election, options, outcome, kept.endowment)


# The four add1 rules from one walk: the same outcomes as their own functions, in every detail.


@given(
    elections(max_projects=5, max_voters=6, max_cost=40),
    st.sampled_from([1, 2, 3]),
    st.sampled_from(list(Satisfaction)),
)
def test_the_variants_from_one_walk_are_the_rules_outcomes(
    election: Election, step: int, satisfaction: Satisfaction
) -> None:
    options = Options(step=step, satisfaction=satisfaction)
    variants = mes.equal_shares_add1_variants(election, options)
    assert list(variants) == list(mes.ADD1_RULES)
    for name, outcome in variants.items():
        assert outcome == rules.RULES[name].function(election, options)
    for exhaustive, name in ((False, "mes-add1"), (True, "mes-add1-exhaustive")):
        funded, share = reference_add1(election, options, exhaustive)
        assert list(variants[name].funded) == funded
        if share is not None:
            same_as_one_run(election, options, variants[name], share)


def test_one_walk_gives_the_exhaustive_stop_and_the_plain_end() -> None:
    # The example of test_mes: the exhaustive walk stops at share 7, the plain one goes on to 11.
    election = approval({"X": 6, "Y": 4, "W": 9}, 10, ("X", "Y"), ("X", "W"))
    variants = mes.equal_shares_add1_variants(election, Options())
    assert variants["mes-add1-exhaustive"].details["share_final"] == 7
    assert variants["mes-add1-greedy"].details["share_final"] == 7
    assert variants["mes-add1"].details["share_final"] == 11
    assert variants["mes-add1-comparison"].details["share_final"] == 11
    for name, outcome in variants.items():
        assert outcome == rules.RULES[name].function(election, Options())
