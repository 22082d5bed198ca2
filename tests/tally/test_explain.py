from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.tally import greedy, maxutil, phragmen
from budget.tally.explain import (
    CRITERIA,
    MESSAGES,
    TIE_MESSAGES,
    explain,
    explain_outcome,
    figure_text,
    money_text,
    render,
)
from budget.tally.model import (
    Ballot,
    Election,
    Explanation,
    Figure,
    Outcome,
    Project,
    VoteType,
)
from budget.tally.options import Options
from budget.tally.ties import Criterion
from tests.strategies import elections

NON_MES_RULES = [
    greedy.greedy,
    greedy.greedy_no_skip,
    greedy.greedy_threshold,
    greedy.greedy_exclusive,
    greedy.greedy_reserve,
    maxutil.max_utilitarian,
]
# Every code greedy.py, phragmen.py and maxutil.py can emit.
NON_MES_CODES = {
    "unsupported",
    "over-budget",
    "greedy-funded",
    "greedy-did-not-fit",
    "greedy-stopped-here",
    "greedy-not-reached",
    "below-threshold",
    "below-threshold-pct",
    "excluded",
    "funded-from-reserve",
    "phragmen-funded",
    "phragmen-did-not-fit",
    "phragmen-stopped",
    "maxutil-funded",
    "maxutil-funded-tie",
    "maxutil-not-funded",
    "maxutil-not-funded-tie",
}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1230000, "1,230,000"),
        (-40000, "-40,000"),
        (Fraction(81240, 100), "812.40"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(-1234567, 100), "-12,345.67"),
        (Fraction(1, 200), "0.00"),  # exact half rounds to even
        (Fraction(3, 200), "0.02"),
        ("p7", "p7"),
        (True, "True"),
        (("a", "b"), "a, b"),
    ],
)
def test_figures_print_with_separators_and_two_decimals(value, text) -> None:
    assert figure_text(value) == text


@pytest.mark.parametrize(
    ("rank", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (102, "102nd"),
        (111, "111th"),
        (1001, "1,001st"),
    ],
)
def test_ranks_print_as_english_ordinals(rank, text) -> None:
    explanation = Explanation(
        "p",
        True,
        "greedy-funded",
        {"rank": rank, "score": 4210, "score_kind": "votes", "remaining": 1230000, "cost": 800000},
    )
    assert explain(explanation) == (
        f"Ranked {text} with 4,210 votes; 1,230,000 remained, it costs 800,000: funded."
    )


def test_money_figures_print_in_currency_units_of_the_files_scale() -> None:
    explanation = Explanation(
        "p",
        True,
        "greedy-funded",
        {"rank": 1, "score": 4210, "score_kind": "votes", "remaining": 125050, "cost": 80000},
    )
    assert explain(explanation, scale=100) == (
        "Ranked 1st with 4,210 votes; 1,250.50 remained, it costs 800.00: funded."
    )
    assert explain(explanation) == (
        "Ranked 1st with 4,210 votes; 125,050 remained, it costs 80,000: funded."
    )


@pytest.mark.parametrize(
    ("value", "scale", "text"),
    [
        (125050, 100, "1,250.50"),
        (-1050, 100, "-10.50"),
        (5, 1000, "0.005"),
        (40000, 1, "40,000"),
        (Fraction(81240, 100), 1, "812.40"),
        (Fraction(81240, 3), 100, "270.80"),
    ],
)
def test_money_text_divides_by_the_scale_exactly(value, scale, text) -> None:
    assert money_text(value, scale) == text


def test_fallback_and_whole_outcome_use_the_scale_too() -> None:
    unknown = Explanation("p", False, "new-rule-reason", {"cost": 150050, "votes": 1500})
    assert explain(unknown, 100) == "new-rule-reason (not funded): cost 1,500.50; votes 1,500."
    election = Election((Project("a", 250),), 1000, VoteType.APPROVAL, (Ballot(("a",)),))
    (sentence,) = explain_outcome(greedy.greedy(election, Options()), scale=100)
    assert sentence == "Ranked 1st with 1 vote; 10.00 remained, it costs 2.50: funded."


def test_unknown_code_falls_back_to_the_code_and_its_figures() -> None:
    unknown = Explanation("p", False, "new-rule-reason", {"cost": 1500, "share": Fraction(1, 3)})
    assert explain(unknown) == "new-rule-reason (not funded): cost 1,500; share 0.33."
    assert explain(Explanation("p", True, "mystery")) == "mystery (funded)."
    with pytest.raises(KeyError):
        render(unknown)


def test_missing_figure_falls_back_instead_of_crashing() -> None:
    incomplete = Explanation("p", False, "excluded", {})
    assert explain(incomplete) == "excluded (not funded)."
    with pytest.raises(KeyError):
        render(incomplete)


def test_every_tie_criterion_has_a_phrase() -> None:
    assert set(CRITERIA) == {c.value for c in Criterion}


def test_tie_sentence_follows_the_main_sentence() -> None:
    figures: dict[str, Figure] = {"excluded_by": "41", "tied_with": "22", "tie": "lost"}
    figures |= {"tie_criterion": "lower-cost", "score": 1800, "score_kind": "votes"}
    assert explain(Explanation("p", False, "excluded", figures)) == (
        "Excluded by #41, funded first. Tied with #22 on 1,800 votes; #22 came first by lower cost."
    )


def test_explain_outcome_gives_one_sentence_per_project_in_order() -> None:
    election = Election(
        (Project("a", 3), Project("b", 9)), 5, VoteType.APPROVAL, (Ballot(("a", "b")),)
    )
    outcome = greedy.greedy(election, Options())
    assert explain_outcome(outcome) == [explain(e) for e in outcome.explanations]
    assert len(explain_outcome(outcome)) == 2


def check_every_code_renders(outcome: Outcome) -> set[str]:
    for explanation in outcome.explanations:
        assert explanation.code in MESSAGES
        sentence = render(explanation)  # raises if a template lacks a figure
        assert "{" not in sentence
        tie = explanation.figures.get("tie")
        assert tie is None or tie in TIE_MESSAGES
    return {e.code for e in outcome.explanations}


@given(
    elections(max_projects=6),
    st.sampled_from(NON_MES_RULES),
    st.integers(0, 4),
    st.booleans(),
)
def test_every_code_the_rules_emit_has_a_template(election, rule, threshold, exclude) -> None:
    ids = tuple(p.id for p in election.projects)
    options = Options(threshold=threshold, exclusions=(frozenset(ids[:2]),) if exclude else ())
    check_every_code_renders(rule(election, options))
    if election.vote_type.is_approval_like:
        check_every_code_renders(phragmen.sequential_phragmen(election, options))


def test_hand_elections_reach_every_non_mes_code() -> None:
    election = Election(
        tuple(Project(i, c) for i, c in zip("abcdefg", (6, 5, 5, 1, 11, 1, 4), strict=True)),
        10,
        VoteType.APPROVAL,
        (Ballot(("a", "b", "c", "e", "g"), count=4), Ballot(("a", "f")), Ballot(("c", "g"))),
    )
    options = Options(exclusions=(frozenset({"c", "g"}),))
    seen: set[str] = set()
    for rule in NON_MES_RULES:
        seen |= check_every_code_renders(rule(election, options))
        seen |= check_every_code_renders(rule(election, Options(threshold=2)))
        seen |= check_every_code_renders(rule(election, Options(threshold_pct=Fraction(50))))
    seen |= check_every_code_renders(phragmen.sequential_phragmen(election, options))
    pair = Election((Project("x", 5), Project("y", 4)), 5, VoteType.APPROVAL, (Ballot(("x", "y")),))
    seen |= check_every_code_renders(maxutil.max_utilitarian(pair, Options()))
    near = Election((Project("x", 4), Project("y", 5)), 8, VoteType.APPROVAL, (Ballot(("x", "y")),))
    seen |= check_every_code_renders(greedy.greedy_reserve(near, Options()))
    assert seen == NON_MES_CODES


def test_every_registered_rule_emits_only_known_codes() -> None:
    rules = pytest.importorskip(
        "budget.tally.rules", reason="the MES module is not there yet", exc_type=ImportError
    )
    election = Election(
        (Project("a", 6), Project("b", 5), Project("c", 5), Project("d", 1), Project("e", 11)),
        10,
        VoteType.APPROVAL,
        (Ballot(("a", "b", "c", "e"), count=4), Ballot(("a", "c")), Ballot(("b",))),
    )
    for rule in rules.RULES.values():
        check_every_code_renders(rule.function(election, Options()))


RAISED = Election(
    (Project("a", 60), Project("b", 30), Project("c", 35)),
    100,
    VoteType.APPROVAL,
    (Ballot(("a",), None, 2), Ballot(("b",), None, 1), Ballot(("c",), None, 1)),
)


def test_an_add1_share_is_said_to_be_raised_and_why_it_exceeds_the_budget() -> None:
    from budget.tally import mes

    a, b, c = explain_outcome(mes.equal_shares_add1(RAISED, Options()))
    assert a == (
        "Each voter's share was 34.00. Funded in round 1: its 2 supporters paid at most 30.00 "
        "each. That is the share raised by the add1 completion from 25.00, the budget divided "
        "among the 4 voters: 4 shares of 34.00 make 136.00, more than the budget, because shares "
        "are raised only while the projects they buy still fit in it."
    )
    assert "its 1 supporter paid" in b
    assert c == (
        "Not funded: its 1 supporter had 34.00 of their shares left; it costs 35, 1.00 more. Had "
        "1 more voter supported it, each bringing a full unspent share of 34.00, their shares "
        "would have covered that."
    )


def test_money_left_over_that_would_cover_an_unfunded_project_is_explained() -> None:
    from budget.tally import mes

    plain = explain_outcome(mes.equal_shares(RAISED, Options()))[0]
    assert plain.endswith(
        "The 100 left unspent would cover its cost, but equal shares funds a project only from "
        "its own supporters' shares."
    )
    assert "raised" not in plain
    raised = Explanation("c", False, "mes-unaffordable", {
        "cost": 35, "money": Fraction(34), "shortfall": Fraction(1), "supporters": 1,
        "more_supporters": 1, "share": Fraction(34), "left": 40, "share_initial": Fraction(25),
        "voters": 4, "share_total": Fraction(136)})  # fmt: skip
    assert render(raised).endswith(
        "The 40 left unspent would cover its cost, but equal shares funds a project only from "
        "its own supporters' shares, and raising every share once more would have bought more "
        "than the budget."
    )


@pytest.mark.parametrize(
    ("code", "figures", "text"),
    [
        ("greedy-funded", {"rank": 1, "score": 1, "score_kind": "votes", "remaining": 9,
                           "cost": 5}, "Ranked 1st with 1 vote; 9 remained"),
        ("greedy-funded", {"rank": 2, "score": 1, "score_kind": "points", "remaining": 9,
                           "cost": 5}, "with 1 point;"),
        ("greedy-funded", {"rank": 2, "score": 2, "score_kind": "votes", "remaining": 9,
                           "cost": 5}, "with 2 votes;"),
        ("below-threshold", {"threshold": 3, "score": 1, "score_kind": "votes"},
         "Below the threshold of 3 votes (1)."),
        ("below-threshold-pct", {"threshold_pct": Fraction(5), "voters": 1, "score": 0,
                                 "score_kind": "votes"}, "of 1 voter (0 votes)"),
    ],
)  # fmt: skip
def test_counts_agree_with_their_nouns(code: str, figures: dict[str, Figure], text: str) -> None:
    assert text in render(Explanation("p", code.endswith("funded"), code, figures))
