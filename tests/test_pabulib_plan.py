"""pabulib.plan: the one resolution of a file's rule and options (CLI, conformance, platform)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from budget import pabulib
from budget.pabulib import PabulibError, read
from budget.pabulib.planning import comment_exclusions
from budget.tally.rules import RuleError

POZNAN = (
    "we fund projects that received the highest number of votes until the next project on the "
    "list does not fit within the budget. Finally, if the remaining budget is enough to fund at "
    "least {pct}% of that project, we fund it as well with the external reserve funds"
)

BOX = """\
META
key;value
budget;100
vote_type;approval
rule;{rule}
{meta}PROJECTS
project_id;cost;name;selected
a;60;Trees;1
b;50;Library;2
c;40;Bikes;3
d;30;Benches;0
VOTES
voter_id;vote
1;a,b
2;a,b
3;a,c
4;b,d
5;c
"""


def box(rule: str = "greedy", meta: str = "") -> pabulib.PabulibFile:
    return read(BOX.format(rule=rule, meta=meta), source="box.pb")


def comment(text: str) -> str:
    return f'comment;"#1: x. #2: {text}. Therefore."\n'


def test_a_declared_rule_is_counted_as_declared_with_the_citys_selection() -> None:
    counting = pabulib.plan(box("equalshares/add1"))
    assert (counting.rule.name, counting.notices) == ("mes-add1", ())
    assert counting.expected == ("a",)
    assert counting.count(box("equalshares/add1").election).rule == "mes-add1"


def test_poznans_comment_makes_greedy_custom_greedy_reserve_at_its_percentage() -> None:
    counting = pabulib.plan(box("greedy-custom", comment(POZNAN.format(pct=75))))
    assert counting.rule.name == "greedy-reserve"
    assert counting.options.reserve_pct == Fraction(75)
    assert (counting.expected, counting.set_aside) == (("a", "b"), ("c",))
    assert "Poznan's reserve rule (75%" in counting.notices[0]
    # b (50 votes... 3 voters) stops the walk with 40 left: 80% of 50 = 40, 75% too: funded.
    assert counting.count(box().election).funded == ("a", "b")


def test_greedy_reserve_asked_for_reads_the_comments_percentage_too() -> None:
    parsed = box("greedy", comment(POZNAN.format(pct=90)))
    counting = pabulib.plan(parsed, rule="greedy-reserve")
    assert (counting.options.reserve_pct, counting.notices) == (Fraction(90), ())
    assert counting.count(parsed.election).funded == ("a",)  # 40 left < 90% of 50


@pytest.mark.parametrize(("declared", "why"), [("greedy-custom", "names the rule"),
                                                ("unknown", "names the rule")])  # fmt: skip
def test_labels_without_a_definition_are_counted_as_greedy_with_a_notice(
    declared: str, why: str
) -> None:
    counting = pabulib.plan(box(declared))
    assert counting.rule.name == "greedy"
    assert f"{why} {declared!r}" in counting.notices[0]
    assert counting.expected == ("a",)


def test_a_file_without_a_rule_is_counted_as_greedy_with_a_notice() -> None:
    parsed = read(BOX.format(rule="x", meta="").replace("rule;x\n", ""))
    assert "names no rule" in pabulib.plan(parsed).notices[0]


def test_an_unknown_rule_is_refused_naming_the_known_ones_unless_one_is_asked() -> None:
    with pytest.raises(RuleError, match=r"unknown rule 'borda-magic'; .*--rule.*greedy-reserve"):
        pabulib.plan(box("borda-magic"))
    assert pabulib.plan(box("borda-magic"), rule="phragmen").rule.name == "phragmen"
    with pytest.raises(RuleError, match="unknown rule 'nope'"):
        pabulib.plan(box(), rule="nope")


WARSAW_TWO = "projects b and d both targeted the area near ul. Konarskiego and could not be " \
             "implemented simultaneously"  # fmt: skip
WARSAW_THREE = "projects a, b, and c overlapped at the Kabaty area and could not all be " \
               "implemented simultaneously"  # fmt: skip


@pytest.mark.parametrize(
    ("text", "sets"),
    [
        (WARSAW_TWO, "b,d"),
        (WARSAW_THREE, "a,b,c"),
        (f"{WARSAW_TWO}. #3: {WARSAW_THREE}", "b,d;a,b,c"),
        (WARSAW_TWO.replace("b and d", "b and zz"), ""),  # not a project of the file
        ("projects b and d could be implemented simultaneously", ""),
    ],
)
def test_exclusion_sets_stated_by_the_comment_are_read(text: str, sets: str) -> None:
    parsed = box("greedy-exclusive", comment(text))
    assert comment_exclusions(parsed) == sets
    counting = pabulib.plan(parsed)
    expected = tuple(frozenset(s.split(",")) for s in sets.split(";") if s)
    assert counting.options.exclusions == expected
    assert any(sets in n for n in counting.notices) == bool(sets)


def test_the_files_meta_and_given_sets_win_over_the_comment() -> None:
    parsed = box("greedy-exclusive", comment(WARSAW_TWO) + "exclusion_sets;a,c\n")
    assert pabulib.plan(parsed).options.exclusions == (frozenset("ac"),)
    given = pabulib.plan(
        box("greedy-exclusive", comment(WARSAW_TWO)), given={"exclusion_sets": "a,b"}
    )
    assert (given.options.exclusions, given.notices) == ((frozenset("ab"),), ())


def test_given_options_override_meta_and_errors_name_them_as_given() -> None:
    parsed = box(meta="tie_break;lower-cost\n")
    counting = pabulib.plan(parsed, given={"tie_break": "more-votes", "threshold_pct": "12.5"})
    assert str(counting.options.ties) == "more-votes"
    assert counting.options.threshold_pct == Fraction(25, 2)
    with pytest.raises(PabulibError) as error:
        pabulib.plan(parsed, given={"lottery_seed": "xyz"}, labels={"lottery_seed": "--seed"})
    assert str(error.value) == "--seed: expected hexadecimal digits"
    with pytest.raises(PabulibError, match="'colour' is not a counting option"):
        pabulib.plan(parsed, given={"colour": "red"})


@pytest.mark.parametrize(("value", "ok"), [("0", True), ("100", True), ("33.333333", True),
                                           ("100.5", False), ("-1", False), ("1e3", False),
                                           ("", False)])  # fmt: skip
def test_percentages_are_decimals_from_0_to_100(value: str, ok: bool) -> None:
    parsed = box(meta=f"threshold_pct;{value}\nreserve_pct;{value}\n")
    if ok:
        options = parsed.options()
        assert options.threshold_pct == options.reserve_pct == Fraction(value)
    else:
        with pytest.raises(PabulibError, match=r"box.pb, line 6: threshold_pct: expected a "):
            parsed.options()


def test_read_options_reads_key_value_rows_and_names_bad_lines() -> None:
    text = "\ufeffkey;value\nexclusion_sets;1,2;3,4\n\ntie_break;lower-cost\n"
    assert pabulib.read_options(text) == {"exclusion_sets": "1,2;3,4", "tie_break": "lower-cost"}
    for bad, line in (("colour;red\n", 1), ("tie_break;a\ntie_break;b\n", 2), ("rule\n", 1),
                      ('tie_break;"a\n', 1)):  # fmt: skip
        with pytest.raises(PabulibError, match=f"opts.txt, line {line}: "):
            pabulib.read_options(bad, "opts.txt")
