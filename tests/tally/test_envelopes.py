"""Category envelopes: each category counted within its amount, then the leftover as one list."""

from __future__ import annotations

from fractions import Fraction

import pytest

from budget.tally import rules
from budget.tally.explain import explain_outcome, render
from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.options import Options
from budget.tally.rules import RuleError

PROJECTS = (
    Project("g1", 50, categories=("green",)),
    Project("g2", 40, categories=("green",)),
    Project("c1", 30, categories=("care", "green")),  # counted with care: its first envelope
    Project("c2", 25, categories=("care",)),
    Project("x", 20),  # no category: only in the last pass
)
BALLOTS = (
    Ballot(("g1", "g2"), None, 5),
    Ballot(("g2", "c1"), None, 3),
    Ballot(("c2", "x"), None, 2),
    Ballot(("x",), None, 1),
)
ELECTION = Election(PROJECTS, 120, VoteType.APPROVAL, BALLOTS)
ENVELOPES = Options(envelopes=(("green", 60), ("care", 30)))


def test_greedy_counts_each_envelope_then_the_leftover_as_one_list() -> None:
    outcome = rules.count("greedy", ELECTION, ENVELOPES)
    # green (60): g2 (8 votes, 40) then g1 (5, 50) does not fit; care (30): c1 (3 votes, 30);
    # leftover 120 - 70 = 50 over g1, c2, x: g1 (50) fits; c2 and x do not.
    assert outcome.funded == ("g2", "c1", "g1")
    assert (outcome.spent, outcome.details["leftover"]) == (120, 50)
    by_id = {e.project_id: e for e in outcome.explanations}
    assert (by_id["g2"].figures["pass"], by_id["g2"].figures["envelope"]) == ("green", 60)
    assert by_id["g1"].figures["pass"] == "leftover"
    assert render(by_id["g2"]).endswith("Counted in the envelope of the category green (60).")
    assert render(by_id["g1"]).endswith(
        "Counted in the last pass, over what the category envelopes left (50)."
    )
    # Without envelopes, x (3 votes, 20) beats c1 (3 votes, 30) on cost and c1 no longer fits.
    assert rules.count("greedy", ELECTION, Options()).funded == ("g2", "g1", "x")


def test_mes_counts_within_envelopes_every_voter_keeping_a_share() -> None:
    outcome = rules.count("mes", ELECTION, ENVELOPES)
    by_id = {e.project_id: e for e in outcome.explanations}
    # Every one of the 11 voters holds 60/11 in the green pass, 30/11 in the care pass.
    assert by_id["g2"].figures["share"] == Fraction(60, 11)
    assert by_id["c1"].figures["share"] == Fraction(80, 11)  # explained by the leftover pass
    # green: g2's 8 supporters hold 480/11 >= 40: bought; care: c1's 3 hold 90/11 < 30, c2's 2
    # hold 60/11 < 25; leftover 80 over g1, c1, c2, x (80/11 each).
    assert outcome.funded[0] == "g2"
    assert {by_id[p].figures["pass"] for p in ("g1", "c1", "c2", "x")} == {"leftover"}
    assert outcome.spent <= ELECTION.budget


def test_the_leftover_rule_may_differ_and_nothing_left_is_said() -> None:
    strict = Options(envelopes=(("green", 90), ("care", 30)), leftover_rule="greedy")
    outcome = rules.count("greedy-no-skip", ELECTION, strict)
    assert outcome.rule == "greedy-no-skip"
    # green (90): g2, g1; care (30): c1; nothing left for c2 and x.
    assert outcome.funded == ("g2", "g1", "c1")
    sentences = dict(zip([p.id for p in PROJECTS], explain_outcome(outcome), strict=True))
    assert sentences["x"].startswith("Not funded: the category envelopes spent the whole budget")


@pytest.mark.parametrize(
    ("rule", "options", "message"),
    [
        ("greedy", Options(envelopes=(("green", 100), ("care", 30))), "add up to 130, more than"),
        ("greedy", Options(envelopes=(("parks", 10),)), "no project is in the category 'parks'"),
        ("greedy", Options(envelopes=(("care", 10), ("care", 5))), "'care' has two envelopes"),
        ("phragmen", ENVELOPES, "rule 'phragmen' cannot count category envelopes"),
        ("greedy", Options(envelopes=ENVELOPES.envelopes, leftover_rule="max-utilitarian"),
         "'max-utilitarian' cannot count"),
    ],
)  # fmt: skip
def test_envelopes_that_cannot_be_counted_are_refused(
    rule: str, options: Options, message: str
) -> None:
    with pytest.raises(RuleError, match=message):
        rules.count(rule, ELECTION, options)


def test_ordinal_ballots_and_non_positive_amounts_are_refused() -> None:
    ranked = Election(PROJECTS, 120, VoteType.ORDINAL, BALLOTS)
    with pytest.raises(RuleError, match="ranked"):
        rules.count("greedy", ranked, ENVELOPES)
    with pytest.raises(ValueError, match="positive"):
        Options(envelopes=(("green", 0),))
