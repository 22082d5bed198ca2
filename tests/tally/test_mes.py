from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from budget.tally import mes
from budget.tally.explain import explain
from budget.tally.mes_add1 import is_exhaustive
from budget.tally.mes_completion import preference_counts
from budget.tally.mes_engine import run
from budget.tally.mes_groups import Prepared
from budget.tally.model import Ballot, Election, Outcome, Project, VoteType
from budget.tally.options import Options, Satisfaction
from budget.tally.ties import TieBreak
from tests.oracles import reference_add1, reference_mes
from tests.strategies import elections

CARDINALITY = Options(satisfaction=Satisfaction.CARDINALITY)
RULES = (
    mes.equal_shares,
    mes.equal_shares_add1,
    mes.equal_shares_add1_exhaustive,
    mes.equal_shares_add1_greedy,
    mes.equal_shares_add1_comparison,
)


def approval(costs: dict[str, int], budget: int, *ballots: tuple[str, ...]) -> Election:
    projects = tuple(Project(p, c) for p, c in costs.items())
    return Election(projects, budget, VoteType.APPROVAL, tuple(Ballot(b) for b in ballots))


def codes(outcome: Outcome) -> dict[str, str]:
    return {e.project_id: e.code for e in outcome.explanations}


# Hand-checked examples.


def test_cost_utility_prefers_the_project_with_more_supporters_per_cost() -> None:
    # Four voters share 100: 25 each. A (60) costs its 3 supporters 20 each: rho = 20/60 = 1/3.
    # C (30) costs its 2 supporters 15 each: rho = 1/2. A first; then voters 1 and 2 hold 5
    # each, too little for C; B (40) has one supporter holding 25.
    election = approval({"A": 60, "B": 40, "C": 30}, 100, ("A", "C"), ("A", "C"), ("A",), ("B",))
    outcome = mes.equal_shares(election, Options())
    assert outcome.funded == ("A",)
    a = outcome.explanation_for("A")
    assert a.code == "mes-funded"
    assert a.figures == {
        "round": 1,
        "rho": Fraction(1, 3),
        "max_payment": 20,
        "supporters": 3,
        "cost": 60,
        "share": 25,
    }
    b, c = outcome.explanation_for("B"), outcome.explanation_for("C")
    assert (b.code, b.figures["money"], b.figures["shortfall"]) == ("mes-unaffordable", 25, 15)
    assert (c.figures["money"], c.figures["more_supporters"]) == (10, 1)
    assert outcome.details["share_initial"] == outcome.details["share_final"] == 25
    assert outcome.details["rounds"] == 1


def test_cardinality_utility_prefers_the_cheaper_payment() -> None:
    # With u = 1, rho is the payment: C costs 15 a head, A 20. After C, A's supporters hold
    # 10 + 10 + 25 = 45 < 60.
    election = approval({"A": 60, "B": 40, "C": 30}, 100, ("A", "C"), ("A", "C"), ("A",), ("B",))
    outcome = mes.equal_shares(election, CARDINALITY)
    assert outcome.funded == ("C",)
    assert outcome.explanation_for("A").figures["money"] == 45


def test_capped_supporters_pay_what_they_have_and_the_others_cover_the_rest() -> None:
    # Six voters, 30 each, u = 1. Y (40, voters 1-2) costs 20 a head; Z (130, all six) 130/6.
    # Y first; then voters 1-2 hold 10 each and the four others pay (130 - 20) / 4 = 27.5.
    ballots = [("Y", "Z")] * 2 + [("Z",)] * 4
    election = approval({"Y": 40, "Z": 130}, 180, *ballots)
    outcome = mes.equal_shares(election, CARDINALITY)
    assert outcome.funded == ("Y", "Z")
    z = outcome.explanation_for("Z").figures
    assert (z["round"], z["rho"], z["max_payment"]) == (2, Fraction(55, 2), Fraction(55, 2))
    # With cost utility Z's rho is 1/6 < 1/2: Z first, and Y's supporters are left with 25/3.
    outcome = mes.equal_shares(election, Options())
    assert outcome.funded == ("Z",)
    assert outcome.explanation_for("Y").figures["money"] == Fraction(50, 3)


def test_points_set_the_payments_and_the_tie_goes_to_the_source_order() -> None:
    # Shares 8. A: 3 points from v1, 1 from v2; B the reverse; both cost 8: 3r + r = 8, r = 2 for
    # both. Equal cost and votes: A comes first in the source order; v1 pays 6 and v2 pays 2.
    # B (9) would need 9 but v1 and v2 hold 2 + 6.
    projects = (Project("A", 8), Project("B", 9))
    ballots = (Ballot(("A", "B"), (3, 1)), Ballot(("A", "B"), (1, 3)))
    election = Election(projects, 16, VoteType.CUMULATIVE, ballots)
    outcome = mes.equal_shares(election, Options())
    assert outcome.funded == ("A",)
    assert outcome.explanation_for("A").figures["max_payment"] == 6
    b = outcome.explanation_for("B").figures
    assert (b["money"], b["shortfall"], b["more_supporters"]) == (8, 1, 1)
    tied = replace(election, projects=(Project("A", 8), Project("B", 8)))
    assert mes.equal_shares(tied, Options()).funded == ("A", "B")
    reverse = Options(ties=TieBreak.parse("source-order"))
    swapped = replace(tied, projects=tied.projects[::-1])
    assert mes.equal_shares(swapped, reverse).funded == ("B", "A")


def test_equal_rho_is_decided_by_the_tie_chain() -> None:
    election = approval({"P": 10, "Q": 20}, 60, ("P",), ("P",), ("Q",), ("Q",))
    assert mes.equal_shares(election, Options()).funded == ("P", "Q")
    higher = Options(ties=TieBreak.parse("higher-cost"))
    assert mes.equal_shares(election, higher).funded == ("Q", "P")


def test_unsupported_and_over_budget_projects_are_never_funded() -> None:
    election = approval({"A": 5, "B": 5, "C": 50}, 20, ("A", "C"), ("A", "C"))
    for rule in RULES:
        outcome = rule(election, Options())
        assert codes(outcome)["B"] == "unsupported"
        assert codes(outcome)["C"] == "over-budget"
        assert outcome.explanation_for("C").figures == {"cost": 50, "budget": 20}
        assert "B" not in outcome.funded
        assert "C" not in outcome.funded


def test_no_voters_fund_nothing() -> None:
    election = approval({"A": 5}, 20)
    assert mes.equal_shares(election, Options()).funded == ()
    assert mes.equal_shares(election, Options()).details["share_final"] == 0
    assert mes.equal_shares_add1(election, Options()).funded == ()


ADD1 = approval({"A": 6, "B": 6, "C": 5}, 12, ("A", "C"), ("B", "C"))


def test_add1_raises_the_share_while_the_outcome_fits() -> None:
    # e0 = 6: C (2.50 each) first, then 3.50 left each, A and B need 6. The same up to e = 8;
    # at e = 9 both A and B follow (17 > 12), so e = 8 is kept.
    outcome = mes.equal_shares_add1(ADD1, Options())
    assert outcome.funded == ("C",)
    assert outcome.details["share_initial"] == 6
    assert outcome.details["share_final"] == 8
    assert outcome.details["steps"] == 2
    assert outcome.explanation_for("A").figures["money"] == Fraction(11, 2)
    # Not exhaustive (A fits in the 7 left), but the next share overshoots: same result.
    assert mes.equal_shares_add1_exhaustive(ADD1, Options()).funded == ("C",)


def test_add1_step_is_an_option() -> None:
    outcome = mes.equal_shares_add1(ADD1, Options(step=2))
    assert outcome.details["share_initial"] == 6
    assert outcome.details["share_final"] == 8


def test_exhaustive_add1_stops_at_the_first_exhaustive_outcome() -> None:
    # B = 10, n = 2, e0 = 5. X (6, both) costs 3 a head, rho 1/2, first; voter 1 then holds 2,
    # Y (4) needs 4: {X}, and Y fits in the 4 left: not exhaustive. At 6 voter 1 holds 3. At 7
    # it holds 4: {X, Y} costs 10, exhaustive. W (9, voter 2) needs a share of 12.
    election = approval({"X": 6, "Y": 4, "W": 9}, 10, ("X", "Y"), ("X", "W"))
    outcome = mes.equal_shares_add1_exhaustive(election, Options())
    assert outcome.funded == ("X", "Y")
    assert outcome.details["share_final"] == 7
    assert outcome.details["completion"] == "add1-exhaustive"
    assert mes.equal_shares_add1(election, Options()).details["share_final"] == 11


def test_add1_keeps_going_past_an_exhaustive_outcome() -> None:
    # B = 9, n = 2, e0 = 4: A (3, voter 1) is bought; C (9, both) then has 1 + 4 < 9 and B (7,
    # voter 2) 4 < 7: {A} is exhaustive (6 left). At 5, C is affordable at rho 1/2 and bought
    # first, leaving 1/2 each: {C}. Up to 7 the same; at 8 voter 1 keeps 7/2 and buys A: 12 > 9.
    election = approval({"A": 3, "B": 7, "C": 9}, 9, ("A", "C"), ("B", "C"))
    plain = mes.equal_shares_add1(election, Options())
    exhaustive = mes.equal_shares_add1_exhaustive(election, Options())
    assert (plain.funded, plain.details["share_final"]) == (("C",), 7)
    assert (exhaustive.funded, exhaustive.details["share_final"]) == (("A",), 4)


def test_all_supported_projects_fitting_are_all_funded() -> None:
    election = approval({"A": 3, "B": 4, "C": 5}, 10, ("A",), ("A", "B"))
    for rule in RULES[1:]:
        outcome = rule(election, Options())
        assert set(outcome.funded) == {"A", "B"}
        assert codes(outcome) == {"A": "mes-all-fit", "B": "mes-all-fit", "C": "unsupported"}
    assert mes.equal_shares_add1(election, Options()).details["completion"] == "all-fit"


def test_a_supported_project_over_the_budget_does_not_block_all_fit() -> None:
    # Regression: counting D (over the budget) in "all fit" made add1 search forever for an
    # outcome costing more than B, since D can never be bought.
    election = approval({"A": 3, "D": 11}, 10, ("A", "D"))
    outcome = mes.equal_shares_add1(election, Options())
    assert outcome.funded == ("A",)
    assert codes(outcome) == {"A": "mes-all-fit", "D": "over-budget"}


def test_a_zero_share_explains_itself() -> None:
    # n = 10 > B = 5: e0 = 0 funds nothing; at 1 both projects are bought (10 > 5).
    election = approval({"A": 5, "B": 5}, 5, *[("A", "B")] * 10)
    outcome = mes.equal_shares_add1(election, Options())
    assert outcome.funded == ()
    assert codes(outcome) == {"A": "mes-no-share", "B": "mes-no-share"}


def test_greedy_completion_spends_what_add1_left() -> None:
    # add1 ends with {C} and 7 left: A (score 1, source order before B) fits, then B does not.
    outcome = mes.equal_shares_add1_greedy(ADD1, Options())
    assert outcome.funded == ("C", "A")
    assert codes(outcome) == {
        "A": "greedy-completion",
        "B": "mes-completion-did-not-fit",
        "C": "mes-funded",
    }
    assert outcome.explanation_for("A").figures == {"cost": 6, "score": 1, "remaining": 7}
    assert outcome.explanation_for("B").figures["remaining"] == 1
    assert outcome.details["completion"] == "add1-exhaustive+greedy"


def test_comparison_takes_greedy_when_strictly_more_voters_prefer_it() -> None:
    # M = {C}; G = {C, A}: voter 1 prefers G, voter 2 is indifferent.
    outcome = mes.equal_shares_add1_comparison(ADD1, Options())
    assert outcome.funded == ("C", "A")
    assert outcome.details["prefer_mes"] == 0
    assert outcome.details["prefer_greedy"] == 1
    assert outcome.details["chosen"] == "greedy"
    assert outcome.details["share_final"] == 8
    assert outcome.rule == "mes-add1-comparison"


def test_comparison_keeps_mes_on_a_tie_of_preferences() -> None:
    # n = 3, B = 8, e0 = 2. At 2: only B (1, voter 3). At 3: B and C (3, voter 1) at rho 1, B
    # first by lower cost; A's supporters hold 0 + 3 < 8. At 4 they hold 8: A (rho 1/2) and B,
    # 9 > 8, so M = {B, C}. Greedy by votes takes A (2 votes, 8) and nothing else fits: G = {A}.
    # Voter 1 (A, C) is indifferent, voter 2 (A) prefers G, voter 3 (B) prefers M: 1 to 1.
    election = approval({"A": 8, "B": 1, "C": 3}, 8, ("A", "C"), ("A",), ("B",))
    outcome = mes.equal_shares_add1_comparison(election, Options())
    assert outcome.funded == ("B", "C")
    assert outcome.details["share_final"] == 3
    assert (outcome.details["prefer_mes"], outcome.details["prefer_greedy"]) == (1, 1)
    assert outcome.details["chosen"] == "mes"
    assert preference_counts(election, ("B", "C"), ("A",)) == (1, 1)


def test_every_explanation_renders_as_a_sentence() -> None:
    elections_ = (ADD1, approval({"A": 5, "B": 5}, 5, *[("A", "B")] * 10))
    for election in elections_:
        for rule in RULES:
            for explanation in rule(election, Options()).explanations:
                assert "{" not in explain(explanation)
                assert not explain(explanation).startswith(explanation.code)


# Properties.


@given(elections(max_projects=6, max_voters=8), st.sampled_from(list(Satisfaction)))
@example(ADD1, Satisfaction.COST)
def test_mes_follows_the_definition(election: Election, satisfaction: Satisfaction) -> None:
    options = Options(satisfaction=satisfaction)
    n = election.num_voters
    share = Fraction(election.budget, n) if n else Fraction(0)
    assert list(mes.equal_shares(election, options).funded) == reference_mes(
        election, options, share
    )


@given(elections(max_projects=5, max_voters=6, max_cost=20), st.booleans())
def test_add1_follows_the_definition(election: Election, exhaustive: bool) -> None:
    rule = mes.equal_shares_add1_exhaustive if exhaustive else mes.equal_shares_add1
    funded, _ = reference_add1(election, Options(), exhaustive)
    assert list(rule(election, Options()).funded) == funded


@given(elections(max_projects=6, max_voters=10, max_cost=30), st.sampled_from(RULES))
def test_never_over_budget_and_deterministic(election: Election, rule) -> None:
    outcome = rule(election, Options())
    assert outcome.spent <= election.budget
    assert outcome.spent == election.cost_of(outcome.funded)
    assert len(set(outcome.funded)) == len(outcome.funded)
    assert rule(election, Options()) == outcome
    assert [e.project_id for e in outcome.explanations] == [p.id for p in election.projects]
    assert all(e.funded == (e.project_id in outcome.funded) for e in outcome.explanations)


@given(elections(max_projects=6, max_voters=10, max_cost=30), st.sampled_from(RULES))
def test_blind_to_voter_order_and_to_splitting_ballots(election: Election, rule) -> None:
    outcome = rule(election, Options())
    reversed_ = replace(election, ballots=election.ballots[::-1])
    split = tuple(replace(b, count=1) for b in election.ballots for _ in range(b.count))
    assert rule(reversed_, Options()).funded == outcome.funded
    assert rule(replace(election, ballots=split), Options()).funded == outcome.funded


@given(elections(max_projects=6, max_voters=10), st.sampled_from(list(Satisfaction)))
def test_payments_cover_each_cost_exactly_within_each_share(
    election: Election, satisfaction: Satisfaction
) -> None:
    ranks = {p.id: i for i, p in enumerate(election.projects)}
    prepared = Prepared.build(election, satisfaction, ranks)
    share = Fraction(election.budget, max(election.num_voters, 1))
    result = run(prepared, share)
    for purchase in result.purchases:
        assert purchase.paid == election.projects[purchase.project].cost
        assert 0 < purchase.max_payment <= share
    budgets = [Fraction(v, result.scale) for v in result.group_values]
    assert all(0 <= b <= share for b in budgets)
    spent = sum(p.paid for p in result.purchases)
    held = sum(result.money_left()[j] for j in range(len(election.projects)))
    assert spent <= election.budget
    assert held >= 0


@given(elections(max_projects=6, max_voters=10, max_cost=30))
def test_greedy_completion_leaves_no_supported_project_that_fits(election: Election) -> None:
    outcome = mes.equal_shares_add1_greedy(election, Options())
    left = election.budget - outcome.spent
    assert not any(
        p.cost <= left and election.votes[p.id] and p.id not in outcome.funded
        for p in election.projects
    )


def test_is_exhaustive_looks_at_supported_projects_only() -> None:
    election = approval({"A": 2, "B": 1}, 10, ("A",))
    prepared = Prepared.build(election, Satisfaction.COST, {"A": 0, "B": 1})
    assert is_exhaustive(election, run(prepared, Fraction(10)))
    assert not is_exhaustive(election, run(prepared, Fraction(1)))


# Real elections: the cities' published winners.

CITY_FILES = [
    ("Netherlands_Assen_2024.pb", mes.equal_shares_add1),
    ("Poland_Swiecie_2023.pb", mes.equal_shares_add1),
    ("Poland_Wieliczka_2023_Green_Budget.pb", mes.equal_shares_add1_comparison),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "rule"), CITY_FILES)
def test_cities_that_used_equal_shares_are_reproduced(name: str, rule) -> None:
    pabulib = pytest.importorskip("budget.pabulib")
    from tests import corpus

    if not corpus.CORPUS.exists():
        pytest.skip(f"Pabulib corpus not found at {corpus.CORPUS}")
    import zipfile

    with zipfile.ZipFile(corpus.CORPUS) as archive:
        text = archive.read(name).decode("utf-8-sig")
    file = pabulib.read(text, source=name)
    outcome = rule(file.election, file.options(family="mes"))
    assert set(outcome.funded) == set(file.selected or ())
