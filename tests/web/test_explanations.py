"""Each project's explanation in the reader's language: every template of the tally translated
with the same fields, filled the locale's way (money, numbers, ranks, plurals, percentages)."""

from __future__ import annotations

import string
from fractions import Fraction
from pathlib import Path

import pytest

from budget.tally import explain, greedy, mes
from budget.tally.model import Ballot, Election, Explanation, Figure, Project, VoteType
from budget.tally.options import Options
from budget.web import explanations, i18n

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = i18n.Catalogs.load(ROOT / "locales")
TEMPLATES = [
    *explain.MESSAGES.values(),
    *explain.TIE_MESSAGES.values(),
    *explain.MES_MESSAGES.values(),
    *explain.PASS_MESSAGES.values(),
]


def fields(template: str) -> set[tuple[str, str]]:
    """(field, spec) pairs, the noun of a `count:` spec left out (it is translated)."""
    found = set()
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            found.add((name, "count" if (spec or "").startswith("count:") else spec or ""))
    return found


def french(explanation: Explanation, scale: int = 100) -> str:
    return explanations.sentence(
        explanation, scale=scale, currency="EUR", translations=CATALOGS.get("fr"), locale="fr"
    ).replace("\u202f", " ").replace("\u00a0", " ")  # fmt: skip


def english(explanation: Explanation, scale: int = 100) -> str:
    return explanations.sentence(
        explanation, scale=scale, currency="EUR", translations=CATALOGS.get("en"), locale="en"
    )


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_is_in_french_with_the_same_fields(template: str) -> None:
    translated = CATALOGS.get("fr").gettext(template)
    assert translated != template
    assert fields(translated) == fields(template)


def test_every_tie_criterion_is_in_french() -> None:
    for phrase in explain.CRITERIA.values():
        assert CATALOGS.get("fr").gettext(phrase) != phrase


GREEDY: dict[str, Figure] = {
    "rank": 1,
    "score": 4210,
    "score_kind": "votes",
    "remaining": 123000050,
    "cost": 80000000,
}


def test_a_greedy_sentence_in_french_prints_money_ranks_and_numbers_the_french_way() -> None:
    funded = Explanation("12", True, "greedy-funded", GREEDY)
    assert french(funded) == (
        "Classé 1er avec 4 210 votes ; il restait 1 230 000,50 €, il coûte 800 000,00 € : financé."
    )
    assert english(funded) == (
        "Ranked 1st with 4,210 votes; €1,230,000.50 remained, it costs €800,000.00: funded."
    )
    assert french(Explanation("12", True, "greedy-funded", {**GREEDY, "rank": 7})).startswith(
        "Classé 7e avec"
    )


def test_french_plurals_follow_the_french_rule_and_tie_criteria_are_translated() -> None:
    figures: dict[str, Figure] = {"excluded_by": "41", "tied_with": "22", "tie": "lost"}
    figures |= {"tie_criterion": "lower-cost", "score": 1, "score_kind": "votes"}
    assert french(Explanation("p", False, "excluded", figures)) == (
        "Exclu par #41, financé avant lui. À égalité avec #22 à 1 vote ; #22 est passé devant "
        "par un coût plus bas."
    )
    share = Fraction(431234, 100)
    unaffordable: dict[str, Figure] = {
        "supporters": 2, "money": 150000, "cost": 250000, "shortfall": 100000,
        "more_supporters": 1, "share": share, "left": 0,
    }  # fmt: skip
    sentence = french(Explanation("p", False, "mes-unaffordable", unaffordable))
    assert "ses 2 soutiens" in sentence
    assert "Si 1 votant de plus l'avaient" in sentence
    assert "43,12 €" in sentence  # a Fraction share, to the cent


def test_percentages_are_printed_the_locale_way() -> None:
    figures: dict[str, Figure] = {"threshold_pct": Fraction(25, 2), "voters": 40, "score": 3}
    below = Explanation("p", False, "below-threshold-pct", {**figures, "score_kind": "votes"})
    assert french(below) == "Sous le seuil de 12,5 % des 40 votants (3 votes)."
    assert english(below) == "Below the threshold of 12.5% of 40 voters (3 votes)."
    assert explain.render(below) == "Below the threshold of 12.50% of 40 voters (3 votes)."


def test_every_code_of_real_counts_renders_in_french_without_a_field_left() -> None:
    projects = (Project("a", 300), Project("b", 500), Project("c", 900), Project("d", 200))
    ballots = (Ballot(("a", "b"), count=5), Ballot(("b", "c"), count=3), Ballot(("a",)))
    election = Election(projects, 1000, VoteType.APPROVAL, ballots)
    outcomes = [
        greedy.greedy(election, Options()),
        greedy.greedy_no_skip(election, Options()),
        greedy.greedy_threshold(election, Options(threshold_pct=Fraction(50))),
        mes.equal_shares(election, Options()),
        mes.equal_shares_add1(election, Options()),
    ]
    for outcome in outcomes:
        for explanation in outcome.explanations:
            text = french(explanation, scale=1)
            assert "{" not in text
            assert text != explain.render(explanation, scale=1)


def test_an_unknown_code_falls_back_to_the_tallys_english() -> None:
    unknown = Explanation("p", False, "from-a-newer-engine", {"cost": 500})
    assert french(unknown) == explain.explain(unknown, 100)
