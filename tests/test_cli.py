from __future__ import annotations

import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from budget.cli import main
from budget.cli.counting import json_figure, percent
from budget.pabulib import export, read_path
from budget.tally import rules
from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.ties import lottery_key


def test_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


# -- budget tally / budget compare ---------------------------------------------------------------

BOX = """\
META
key;value
description;Test box
budget;100
vote_type;approval
rule;{rule}
currency;EUR
PROJECTS
project_id;cost;name;selected
007;60;Trees;1
b;50;Library;0
c;40;Bikes;1
VOTES
voter_id;vote
1;007,b
2;007,b
3;007,c
4;007
5;c
6;b
"""


def box(tmp_path: Path, rule: str = "greedy", text: str = BOX) -> Path:
    path = tmp_path / "box.pb"
    path.write_text(text.format(rule=rule), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_tally_prints_funded_projects_in_selection_order_with_explanations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "tally", box(tmp_path))
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[:4] == [
        "box.pb: approval ballots, 6 voters, 3 projects",
        "Rule: greedy. Most votes first; fund each project that still fits.",
        "Ties: the published order",  # a .pb file without tie_break: the city's own ranking
        "Budget 100 EUR; spent 100; left 0.",
    ]
    assert "   1. #007  60  4 votes  Trees" in lines
    assert "   2. #c  40  2 votes  Bikes" in lines
    assert "Not funded (1):" in lines
    assert any("did not fit" in line for line in lines[lines.index("Not funded (1):") :])


def test_tally_json_keeps_ids_as_written_and_fractions_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "tally", box(tmp_path, "equalshares/add1"), "--format", "json")
    report = json.loads(out)
    assert status == 0
    assert report["rule"] == "mes-add1"
    assert report["file_rule"] == "equalshares/add1"
    assert report["funded"] == list(rules.count("mes-add1", read_path(box(tmp_path))
                                                .election).funded)  # fmt: skip
    assert {"budget", "spent", "ties", "details", "scale", "voters"} <= set(report)
    first = report["projects"][0]
    assert (first["id"], first["name"], first["cost"], first["votes"]) == ("007", "Trees", 60, 4)
    assert first["score"] == 4
    assert isinstance(first["explanation"], str)
    assert first["explanation"]
    figures = [v for p in report["projects"] for v in p["figures"].values()]
    assert any(isinstance(v, str) and re.fullmatch(r"-?\d+/\d+", v) for v in figures)


@pytest.mark.parametrize("declared", ["greedy-custom", "unknown"])
def test_tally_falls_back_to_greedy_for_a_rule_without_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], declared: str
) -> None:
    status, out, err = run(capsys, "tally", box(tmp_path, declared))
    assert status == 0
    assert f"names the rule '{declared}'" in err
    assert "counting with greedy" in err
    assert "Rule: greedy." in out


@pytest.mark.parametrize("command", ["tally", "compare"])
def test_an_unknown_rule_in_the_file_is_refused_unless_one_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    status, out, err = run(capsys, command, box(tmp_path, "borda-magic"))
    assert (status, out) == (2, "")
    assert err.startswith(f"budget {command}: the file names an unknown rule 'borda-magic'; ")
    assert "mes-add1-comparison" in err
    status, out, err = run(capsys, command, box(tmp_path, "borda-magic"), "--rule", "greedy")
    assert (status, err) == (0, "")


def test_tally_counts_with_exclusions_given_as_a_flag_or_an_options_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Greedy funds 007 (4 votes) then b (3 votes) does not fit; c fits. {007, c} exclude each other.
    status, out, _ = run(capsys, "tally", box(tmp_path), "--format", "json")
    assert json.loads(out)["funded"] == ["007", "c"]
    status, out, _ = run(
        capsys, "tally", box(tmp_path), "--exclusions", "007,c", "--format", "json"
    )
    assert (status, json.loads(out)["funded"]) == (0, ["007"])
    options = tmp_path / "options.txt"
    options.write_text("key;value\nexclusion_sets;007,c\n", encoding="utf-8")
    status, out, _ = run(capsys, "tally", box(tmp_path), "--options", options, "--format", "json")
    assert (status, json.loads(out)["funded"]) == (0, ["007"])
    # A flag overrides the options file.
    status, out, _ = run(capsys, "tally", box(tmp_path), "--options", options, "--exclusions",
                         "b,c", "--format", "json")  # fmt: skip
    assert (status, json.loads(out)["funded"]) == (0, ["007", "c"])
    options.write_text("colour;red\n", encoding="utf-8")
    status, out, err = run(capsys, "tally", box(tmp_path), "--options", options)
    assert (status, out) == (2, "")
    assert err.startswith("budget tally: options.txt, line 1: expected key;value with a key ")


def test_tally_threshold_pct_skips_projects_below_a_share_of_voters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 6 voters: c has 2 votes (33.3%), so 34% excludes it and 33.3 keeps it.
    argv = ("tally", box(tmp_path), "--format", "json", "--threshold-pct")
    status, out, _ = run(capsys, *argv, "34")
    report = json.loads(out)
    assert (status, report["funded"]) == (0, ["007"])
    assert report["projects"][2]["code"] == "below-threshold-pct"
    status, out, _ = run(capsys, *argv, "33.3")
    assert json.loads(out)["funded"] == ["007", "c"]


def test_tally_falls_back_to_greedy_when_the_file_names_no_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = box(tmp_path, text=BOX.replace("rule;{rule}\n", ""))
    status, out, err = run(capsys, "tally", path, "--format", "json")
    assert (status, json.loads(out)["rule"]) == (0, "greedy")
    assert "names no rule" in err


def test_tally_rule_option_overrides_the_files_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "tally", box(tmp_path), "--rule", "phragmen", "--format", "json")
    assert (status, err, json.loads(out)["rule"]) == (0, "", "phragmen")


def test_tally_ties_and_seed_decide_by_lottery(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both projects cost 50 with 1 vote each: only one fits, the lottery picks it.
    text = (
        BOX.replace("007;60", "007;50").replace("c;40", "c;50").replace("budget;100", "budget;50")
    )
    path = box(
        tmp_path, text=text.replace("1;007,b\n2;007,b\n3;007,c\n4;007\n5;c\n6;b\n", "1;b\n2;c\n")
    )
    chosen = set()
    for seed in ("00", "01", "02", "03", "04", "05"):
        status, out, _ = run(capsys, "tally", path, "--ties", "lottery", "--seed", seed,
                             "--format", "json")  # fmt: skip
        report = json.loads(out)
        assert (status, report["ties"]) == (0, "lottery")
        key = {p: lottery_key(bytes.fromhex(seed), p) for p in ("b", "c")}
        assert report["funded"] == [min(key, key=lambda p: key[p])]
        chosen.add(report["funded"][0])
    assert chosen == {"b", "c"}


def test_tally_seed_alone_completes_the_rules_default_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "tally", box(tmp_path), "--seed", "ab", "--format", "json")
    assert (status, json.loads(out)["ties"]) == (0, "more-votes,lower-cost,lottery")
    path = box(tmp_path, text=BOX.replace("rule;{rule}", "rule;greedy\ntie_break;lower-cost"))
    status, out, _ = run(capsys, "tally", path, "--seed", "ab", "--format", "json")
    assert (status, json.loads(out)["ties"]) == (0, "lower-cost")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rule", "nope"], "unknown rule 'nope'"),
        (["--seed", "xyz"], "--seed: expected hexadecimal digits"),
        (["--threshold-pct", "101"], "--threshold-pct: expected a percentage from 0 to 100"),
        (["--exclusions", "007,zz"], "--exclusions: unknown project 'zz'"),
        (["--options", "absent.txt"], "No such file"),
        (["--ties", "coin"], "unknown tie-break criterion 'coin'"),
        (["--ties", "lottery"], "the lottery needs a seed"),
    ],
)
def test_tally_refuses_bad_options_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, "tally", box(tmp_path), *argv)
    assert (status, out) == (2, "")
    assert err.startswith("budget tally: ")
    assert message in err
    assert "Traceback" not in err


def test_tally_refuses_a_rule_that_does_not_accept_the_ballots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BOX.replace("approval", "cumulative").replace("voter_id;vote", "voter_id;vote;points")
    text = text.replace("1;007,b\n2;007,b\n3;007,c\n4;007\n5;c\n6;b\n", "1;b;2\n")
    status, _, err = run(capsys, "tally", box(tmp_path, text=text), "--rule", "phragmen")
    assert status == 2
    assert "does not accept cumulative ballots" in err


def test_tally_reports_a_malformed_or_missing_file_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "tally", box(tmp_path, text=BOX.replace("b;50", "b;-50")))
    assert status == 2
    assert err == "budget tally: box.pb, line 11: negative cost '-50': expected a number such " \
                  "as 1250 or 1250.50\n"  # fmt: skip
    status, _, err = run(capsys, "compare", tmp_path / "absent.pb")
    assert status == 2
    assert "No such file" in err


def test_tally_prints_file_warnings_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = box(tmp_path, text=BOX.replace("4;007\n", "4;007,007\n"))
    status, _, err = run(capsys, "tally", path)
    assert status == 0
    assert "warning: box.pb, line 18: a project appears twice in the ballot" in err


def test_tally_prints_amounts_with_the_files_decimals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BOX.replace("budget;100", "budget;1100.25").replace("007;60", "007;1060.50")
    status, out, _ = run(capsys, "tally", box(tmp_path, text=text))
    assert status == 0
    assert "#007  1,060.50  4 votes  Trees" in out
    assert "Budget 1,100.25 EUR; spent 1,060.50; left 39.75." in out
    assert "1,100.25 remained, it costs 1,060.50: funded." in out  # explanations too


def test_compare_lists_every_accepting_rule_and_the_citys_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "compare", box(tmp_path), "--format", "json")
    report = json.loads(out)
    assert (status, err, report["reference"]) == (0, "", "greedy")
    names = [row["rule"] for row in report["rules"]]
    assert names == [*rules.RULES, "selected"]
    greedy, selected = report["rules"][0], report["rules"][-1]
    assert (greedy["funded"], greedy["spent"], greedy["count"]) == (["007", "c"], 100, 2)
    assert (greedy["voters_served"], greedy["voters_served_percent"]) == (5, "83.3")
    assert (greedy["added"], greedy["removed"]) == ([], [])
    assert selected["funded"] == ["007", "c"]
    for row in report["rules"]:
        assert row["added"] == [p for p in row["funded"] if p not in greedy["funded"]]
        assert row["removed"] == [p for p in greedy["funded"] if p not in row["funded"]]


def test_compare_text_shows_shares_with_one_decimal_and_differences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "compare", box(tmp_path), "--rule", "greedy-no-skip")
    lines = out.splitlines()
    assert status == 0
    header = next(line for line in lines if line.startswith("rule "))
    assert header.endswith("differs from greedy-no-skip")
    row = next(line for line in lines if line.startswith("greedy "))
    assert row.split() == ["greedy", "2", "100", "83.3%", "+c"]
    sets = lines[lines.index("Funded sets, in selection order:") + 1 :]
    assert sets[1].split() == ["greedy-no-skip", "007"]
    assert sets[-1].split() == ["selected", "007,", "c"]


def test_compare_skips_rules_that_refuse_the_ballots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BOX.replace("approval", "cumulative").replace("voter_id;vote", "voter_id;vote;points")
    text = text.replace("1;007,b\n2;007,b\n3;007,c\n4;007\n5;c\n6;b\n", "1;b,c;2,1\n2;007;3\n")
    status, out, _ = run(capsys, "compare", box(tmp_path, text=text), "--format", "json")
    names = [row["rule"] for row in json.loads(out)["rules"]]
    assert status == 0
    assert "phragmen" not in names
    assert names == [n for n, r in rules.RULES.items() if r.accepts(VoteType.CUMULATIVE)] + [
        "selected"
    ]


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [(1, 3, "33.3"), (2, 3, "66.7"), (1, 8, "12.5"), (1, 16, "6.2"), (3, 16, "18.8"), (0, 0, "0.0"),
     (7, 7, "100.0")],
)  # fmt: skip
def test_percent_is_rounded_exactly_half_to_even(part: int, whole: int, text: str) -> None:
    assert percent(part, whole) == text


def test_a_reader_closing_the_pipe_early_is_not_an_error(tmp_path: Path) -> None:
    projects = tuple(Project(f"p{i}", 1 + i % 7, "a long project name" * 3) for i in range(3000))
    ballots = (Ballot(tuple(p.id for p in projects[:50])),)
    path = tmp_path / "big.pb"
    path.write_text(export(Election(projects, 100, VoteType.APPROVAL, ballots)), encoding="utf-8")
    command = [sys.executable, "-c", "import sys; from budget.cli import main; sys.exit(main())",
               "tally", str(path)]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:  # noqa: S603 - our own interpreter and module
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read().decode()
        assert process.wait() == 0
    assert "Traceback" not in err


def test_compare_refuses_a_reference_rule_that_does_not_accept_the_ballots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BOX.replace("approval", "cumulative").replace("voter_id;vote", "voter_id;vote;points")
    text = text.replace("1;007,b\n2;007,b\n3;007,c\n4;007\n5;c\n6;b\n", "1;b;2\n")
    status, out, err = run(capsys, "compare", box(tmp_path, text=text), "--rule", "phragmen")
    assert (status, out) == (2, "")
    assert err == "budget compare: rule 'phragmen' does not accept cumulative ballots\n"


def test_json_figures_keep_fractions_exact_and_tuples_as_lists() -> None:
    assert json_figure(Fraction(6, 3)) == "2/1"
    assert json_figure(Fraction(-1, 3)) == "-1/3"
    assert json_figure(("a", "b")) == ["a", "b"]
    assert json_figure(7) == 7


def test_compare_without_a_selected_column_has_no_selected_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        BOX.replace(";selected", "").replace(";Trees;1", ";Trees").replace(";Library;0", ";Library")
    )
    path = box(tmp_path, text=text.replace(";Bikes;1", ";Bikes"))
    status, out, _ = run(capsys, "compare", path, "--format", "json")
    assert status == 0
    assert [row["rule"] for row in json.loads(out)["rules"]] == list(rules.RULES)


def test_control_characters_from_a_file_are_never_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "Trees\x1b[2J\x00\u202eevil\x9b"
    text = BOX.replace("007;60;Trees;1", f'007;60;"{hostile}\nbis";1').replace(
        "description;Test box", "description;\x1b]0;title\x07"
    )
    path = box(tmp_path, "greedy\x1b[31m", text)
    status, out, err = run(capsys, "tally", path)
    assert status == 2
    assert "\x1b" not in err
    assert "greedy\\x1b[31m" in err
    for argv in (["--rule", "greedy"], ["--rule", "greedy", "--format", "json"]):
        status, out, err = run(capsys, "tally", path, *argv)
        assert status == 0
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", out + err)
    assert json.loads(out)["projects"][0]["name"] == hostile + "\nbis"
    status, out, _ = run(capsys, "tally", path, "--rule", "greedy")
    assert "Trees\\x1b[2J\\x00\\u202eevil\\x9b\\x0abis" in out
    status, out, _ = run(capsys, "compare", path, "--rule", "greedy")
    assert status == 0
    assert "\x1b" not in out


def test_a_budget_without_currency_prints_no_stray_space(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "tally", box(tmp_path, text=BOX.replace("currency;EUR\n", "")))
    assert "Budget 100; spent 100; left 0." in out
    text = BOX.replace("currency;EUR\n", "").replace("5;c\n6;b\n", "")
    _, out, _ = run(capsys, "tally", box(tmp_path, text=text))
    assert "#c  40  1 vote  Bikes" in out
    _, out, _ = run(capsys, "tally", box(tmp_path))
    assert "Budget 100 EUR; spent" in out


def test_tally_counts_category_envelopes_given_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BOX.replace("name;selected", "name;category;selected").replace(
        "Trees;1", "Trees;green;1").replace("Library;0", "Library;green;0").replace(
        "Bikes;1", "Bikes;streets;1")  # fmt: skip
    path = box(tmp_path, text=text)
    argv = ("tally", path, "--format", "json", "--envelopes")
    status, out, _ = run(capsys, *argv, "green:50;streets:40")
    report = json.loads(out)
    # green (50): 007 (60) does not fit, b (50) does; streets (40): c; leftover 10: nothing fits.
    assert (status, report["funded"]) == (0, ["b", "c"])
    assert report["projects"][0]["figures"]["pass"] == "leftover"
    assert "envelope of the category green (50)" in report["projects"][1]["explanation"]
    status, out, err = run(capsys, *argv, "green:50;parks:10")
    assert (status, out) == (2, "")
    assert "no project is in the category 'parks'" in err
    status, _, err = run(capsys, *argv, "green=50")
    assert status == 2
    assert "--envelopes: expected category:amount pairs" in err
    status, _, err = run(capsys, *argv, "green:0")
    assert "--envelopes: the envelope of 'green' is zero" in err
    status, out, _ = run(capsys, "compare", path, "--envelopes", "green:50", "--format", "json")
    assert status == 0
    assert "phragmen" not in {row["rule"] for row in json.loads(out)["rules"]}
