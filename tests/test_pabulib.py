"""Reading and writing Pabulib .pb files: exact amounts, located errors, exact round trips."""

from __future__ import annotations

import csv
import hashlib
import random
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import coverage
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from budget import pabulib
from budget.pabulib import PabulibError, canonical, export, read, read_path, write
from budget.tally.greedy import greedy
from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.options import Options, Satisfaction
from budget.tally.ties import Criterion, TieBreak, default_ties
from tests.strategies import elections

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "pabulib"

SMALL = """\
META
key;value
description;A small test
num_projects;3
num_votes;4
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name;category;selected
a;60;3;"Trees; and benches";green,streets;1
b;50;2;Library;culture;0
c;40;1;Bikes;;1
VOTES
voter_id;vote;age
1;a,b;30
2;b,a;41
3;a,b;25
4;a,c;
"""


def without_selected(text: str) -> str:
    for old, new in ((";selected\n", "\n"), ("streets;1", "streets"), ("culture;0", "culture"),
                     ("Bikes;;1", "Bikes;")):  # fmt: skip
        text = text.replace(old, new)
    return text


def replace_line(text: str, number: int, new: str) -> str:
    lines = text.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def cumulative(meta: str = "", votes: str = "1;a,b;2,1\n") -> str:
    head = "META\nkey;value\nbudget;10\nvote_type;cumulative\n" + meta
    return head + "PROJECTS\nproject_id;cost\na;5\nb;5\nVOTES\nvoter_id;vote;points\n" + votes


# Reading ----------------------------------------------------------------------------------------


def test_read_keeps_the_sections_as_text_in_order() -> None:
    file = read(SMALL)
    assert list(file.meta) == ["description", "num_projects", "num_votes", "budget", "vote_type",
                               "rule"]  # fmt: skip
    assert file.projects.columns == ("project_id", "cost", "votes", "name", "category", "selected")
    assert file.projects.rows[0] == ("a", "60", "3", "Trees; and benches", "green,streets", "1")
    assert file.votes.rows[3] == ("4", "a,c", "")
    assert file.projects.column("name") == ("Trees; and benches", "Library", "Bikes")
    assert file.projects.column("district") is None


def test_read_builds_the_election_merging_identical_ballots_in_first_seen_order() -> None:
    election = read(SMALL).election
    assert [p.id for p in election.projects] == ["a", "b", "c"]
    assert election.projects[0] == Project("a", 60, "Trees; and benches", ("green", "streets"))
    assert election.budget == 100
    assert election.vote_type is VoteType.APPROVAL
    assert election.ballots == (
        Ballot(("a", "b"), None, 2),
        Ballot(("b", "a"), None, 1),
        Ballot(("a", "c"), None, 1),
    )


def test_selected_and_rule_come_from_the_file() -> None:
    file = read(SMALL)
    assert file.selected == ("a", "c")
    assert file.rule == "greedy"
    assert read(SMALL.replace("rule;greedy\n", "")).rule is None


def test_selected_is_none_without_the_column_and_ignores_reserve_codes() -> None:
    assert read(without_selected(SMALL)).selected is None
    assert read(SMALL.replace("Bikes;;1", "Bikes;;2")).selected == ("a",)


def test_selected_with_reserve_adds_value_2_but_not_money_added_later() -> None:
    reserve = read(SMALL.replace("Bikes;;1", "Bikes;;2"))
    assert reserve.selected_with_reserve == ("a", "c")
    later = read(SMALL.replace("Bikes;;1", "Bikes;;3").replace("culture;0", "culture;2"))
    assert later.selected_with_reserve == ("a", "b")
    assert later.selected_with("3") == ("c",)
    assert read(without_selected(SMALL)).selected_with_reserve is None


def test_bom_crlf_quotes_and_surrounding_spaces_are_read() -> None:
    text = "\ufeff" + SMALL.replace("\n", "\r\n").replace("b;50;2;Library", ' b ;50;2;"Lib""rary"')
    file = read(text)
    assert file.election.projects[1] == Project("b", 50, 'Lib"rary', ("culture",))
    assert file.election.ballots == read(SMALL).election.ballots


def test_blank_lines_and_a_missing_meta_header_are_accepted() -> None:
    text = SMALL.replace("key;value\n", "").replace("PROJECTS\n", "\n\nPROJECTS\n")
    assert read(text).election == read(SMALL).election


def test_a_meta_value_with_unquoted_semicolons_is_joined() -> None:
    file = read(SMALL.replace("rule;greedy", "comment;one;two"))
    assert file.meta["comment"] == "one;two"


def test_decimal_amounts_are_scaled_exactly_by_the_most_decimals_used() -> None:
    file = read(SMALL.replace("budget;100", "budget;100.5").replace("b;50;", "b;49.25;"))
    assert file.scale == 100
    assert file.election.budget == 10050
    assert [p.cost for p in file.election.projects] == [6000, 4925, 4000]


def test_trailing_zero_decimals_count_as_decimals() -> None:
    file = read(SMALL.replace("budget;100", "budget;100.0"))
    assert (file.scale, file.election.budget, file.election.projects[0].cost) == (10, 1000, 600)


def test_cumulative_points_run_alongside_the_projects() -> None:
    election = read(cumulative(votes="1;a,b;2,1\n2;b;3\n3;a,b;2,1\n")).election
    assert election.ballots == (Ballot(("a", "b"), (2, 1), 2), Ballot(("b",), (3,), 1))
    assert election.scores == {"a": 4, "b": 5}


def test_ordinal_ballots_keep_rank_order_and_ignore_a_points_column() -> None:
    text = (
        "META\nkey;value\nbudget;10\nvote_type;ordinal\nmax_length;3\n"
        "PROJECTS\nproject_id;cost\na;5\nb;5\nc;5\n"
        "VOTES\nvoter_id;vote;points\n1;c,a;3,2\n2;a,c,b;3,2,1\n"
    )
    election = read(text).election
    assert election.ballots == (Ballot(("c", "a")), Ballot(("a", "c", "b")))
    assert election.max_length == 3
    assert election.scores == {"a": 5, "b": 1, "c": 5}


def test_an_empty_vote_is_a_blank_ballot() -> None:
    election = read(SMALL.replace("4;a,c;", "4;;")).election
    assert election.ballots[-1] == Ballot(())


def test_district_comes_from_the_district_or_subunit_column() -> None:
    text = without_selected(SMALL).replace("category\n", "category;subunit\n")
    text = text.replace("streets\n", "streets;North\n").replace("culture\n", "culture;\n")
    projects = read(text.replace("Bikes;\n", "Bikes;;North\n")).election.projects
    assert [p.district for p in projects] == ["North", None, "North"]


def test_read_path_decodes_utf8_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "box.pb"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.encode("utf-8"))
    file = read_path(path)
    assert file.election == read(SMALL).election
    assert file.source == "box.pb"


def test_read_path_refuses_non_utf8_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.pb"
    path.write_bytes(SMALL.replace("Library", "Biblioth\xe8que").encode("latin-1"))
    with pytest.raises(PabulibError, match="not UTF-8") as error:
        read_path(path)
    assert error.value.line == 12
    assert str(error.value).startswith("latin1.pb, line 12: ")


# Errors -----------------------------------------------------------------------------------------

ERRORS = [
    ("", 1, "empty file"),
    ("   \n\n", 1, "empty file"),
    ("key;value\n" + SMALL, 1, "must start with META"),
    (SMALL.split("VOTES")[0], 13, "missing section VOTES"),
    (SMALL.replace("PROJECTS", "VOTES", 1), 9, "section VOTES out of order"),
    (SMALL + "META\n", 20, "section META appears twice"),
    (replace_line(SMALL, 12, "a;50;2;Library;culture;0"), 12, "duplicate project id 'a'"),
    (replace_line(SMALL, 12, "b;fifty;2;Library;culture;0"), 12, "bad cost 'fifty'"),
    (replace_line(SMALL, 12, "b;-50;2;Library;culture;0"), 12, "negative cost '-50'"),
    (replace_line(SMALL, 12, "b;0;2;Library;culture;0"), 12, "project 'b' costs zero"),
    (replace_line(SMALL, 12, "b;0.00;2;Library;culture;0"), 12, "project 'b' costs zero"),
    (replace_line(SMALL, 12, "b;5e1;2;Library;culture;0"), 12, "bad cost '5e1'"),
    (replace_line(SMALL, 12, "b;NaN;2;Library;culture;0"), 12, "bad cost 'NaN'"),
    (replace_line(SMALL, 12, "b;1,5;2;Library;culture;0"), 12, "bad cost '1,5'"),
    (replace_line(SMALL, 12, ";50;2;Library;culture;0"), 12, "bad project id ''"),
    (replace_line(SMALL, 12, "b;50;2;Library;culture"), 12, "PROJECTS row has 5 fields"),
    (replace_line(SMALL, 6, "budget;lots"), 6, "bad budget 'lots'"),
    (replace_line(SMALL, 6, "budget;-100"), 6, "negative budget"),
    (SMALL.replace("budget;100\n", ""), None, "META has no budget"),
    (replace_line(SMALL, 7, "vote_type;veto"), 7, "unknown vote_type 'veto'"),
    (SMALL.replace("vote_type;approval\n", ""), None, "META has no vote_type"),
    (replace_line(SMALL, 4, "num_projects;4"), 4, "num_projects says 4 but the file has 3"),
    (replace_line(SMALL, 5, "num_votes;5"), 5, "num_votes says 5 but the file has 4"),
    (replace_line(SMALL, 5, "num_votes;many"), 5, "num_votes 'many': expected a whole number"),
    (replace_line(SMALL, 5, "num_votes;" + "9" * 20), 5, "too many digits (at most 18)"),
    (replace_line(SMALL, 6, "budget;" + "1" * 30), 6,
     f"bad budget '{'1' * 30}': too many digits (at most 24 before the point and 12 after)"),
    (replace_line(SMALL, 6, "budget;1." + "5" * 13), 6, "too many digits (at most 24 before"),
    (replace_line(SMALL, 6, "budget;" + "x" * 500), 6, "... (500 characters): expected a number"),
    (replace_line(SMALL, 6, "budget;0"), 6, "the budget must be more than zero"),
    (replace_line(SMALL, 6, "budget;0.00"), 6, "the budget must be more than zero"),
    (cumulative(votes="1;a,b;2," + "7" * 20 + "\n"), 11, "too many digits (at most 18)"),
    (replace_line(SMALL, 12, 'b;50;2;"Library;culture;0'), 12, "a quoted field opens on this "
     "line and is never closed"),
    (replace_line(SMALL, 17, '2;"b,a;41'), 17, "never closed"),
    (replace_line(SMALL, 12, 'b;50;2;"Lib"rary;"culture;0'), 12, "never closed"),
    (replace_line(SMALL, 12, 'b;50;2;"Lib\rrary;culture;0'), 12, "never closed"),
    (SMALL + "5;b;1\n3;a;2\n", 21, "voter id '3' is empty or repeated"),
    (SMALL.replace("1;a,b;30", "x;a,b;30") + "5;b;1\nx;a;2\n", 21, "voter id 'x' is empty"),
    (SMALL.replace("1;a,b;30", " ;a,b;30"), 16, "voter id '' is empty or repeated"),
    (replace_line(SMALL, 5, "num_votes"), 5, "a META row needs a key and a value"),
    (replace_line(SMALL, 5, "rule;x"), 8, "duplicate META key 'rule'"),
    (replace_line(SMALL, 10, "id;cost;votes;name;category;selected"), 10, "lacks the column"),
    (replace_line(SMALL, 10, "project_id;cost;cost;name;category;selected"), 10, "twice"),
    (replace_line(SMALL, 18, "9;b,z;41"), 18, "unknown project 'z'"),
    (replace_line(SMALL, 18, "9;b,,a;41"), 18, "unknown project ''"),
    (replace_line(SMALL, 18, "1;b;41"), 18, "voter id '1' is empty or repeated"),
    (replace_line(SMALL, 18, "2;b;41;x"), 18, "VOTES row has 4 fields"),
    (replace_line(SMALL, 15, "voter;vote;age"), 15, "lacks the column 'voter_id'"),
    (SMALL.replace("rule;greedy", "max_length;1"), 16, "names 2 projects, max_length is 1"),
    (SMALL.replace("rule;greedy", "min_length;3"), 16, "names 2 projects, min_length is 3"),
    (SMALL.replace("approval", "choose-1"), 16, "a choose-1 ballot names 2 projects"),
    (cumulative(votes="1;a,b;2\n"), 11, "names 2 projects but gives 1 point"),
    (cumulative(votes="1;a,b;2,x\n"), 11, "bad points 'x'"),
    (cumulative(votes="1;a,b;2,-1\n"), 11, "bad points '-1'"),
    (cumulative("max_points;1\n"), 12, "points over max_points (1): 2"),
    (cumulative("max_sum_points;2\n"), 12, "points sum 3 over max_sum_points 2"),
    (cumulative().replace(";points", "").replace(";2,1", ""), 11, "need a points column"),
    (SMALL.replace("PROJECTS\nproject_id;cost;votes;name;category;selected", "PROJECTS"), 10,
     "lacks the column 'project_id'"),
    (SMALL.split("VOTES")[0] + "VOTES\n", 14, "section VOTES has no header row"),
    ("META\n" + "x" * 200_000, 2, "unreadable line"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "message"), ERRORS)
def test_malformed_files_raise_an_error_naming_the_line(
    text: str, line: int | None, message: str
) -> None:
    with pytest.raises(PabulibError) as error:
        read(text, source="box.pb")
    assert message in error.value.message
    assert error.value.line == line
    assert str(error.value).startswith("box.pb")


def test_a_quote_opening_only_the_start_of_a_field_is_read_as_csv_reads_it() -> None:
    # Real files do it (Czestochowa 2020: "Odkupmy" i my - ...); a quote never closed is refused.
    file = read(replace_line(SMALL, 12, 'b;50;2;"Lib" rary;culture;0'))
    assert file.projects.rows[1][3] == "Lib rary"
    multi = read(replace_line(SMALL, 12, 'b;50;2;"Lib\nrary";culture;0'))
    assert multi.projects.rows[1][3] == "Lib\nrary"
    assert multi.election.ballots == read(SMALL).election.ballots
    # Old Mac line ends: csv splits lines at a lone CR too, and so does the reader.
    mac = read(replace_line(SMALL, 12, 'b;50;2;"Lib" rary;culture;0').replace("\n", "\r"))
    assert (mac.projects, mac.election) == (file.projects, file.election)
    with pytest.raises(PabulibError, match="line 17: a quoted field opens on this line"):
        read(replace_line(SMALL, 17, '2;"b,a;41').replace("\n", "\r"))


def test_identical_ballots_are_counted_as_read_and_warnings_repeat_per_copy() -> None:
    small = SMALL.replace("num_votes;4\n", "")
    text = small + "".join(f"{v};a,b,a;1\n" for v in range(5, 9)) + "9; a , b ;2\n"
    file = read(text)
    assert file.election.ballots[0] == Ballot(("a", "b"), None, 7)
    assert len(file.warnings) == 4
    assert file.warnings[-1] == "line 22: a project appears twice in the ballot; counted once"
    # Voter ids out of order, then repeated: found through the ids read before.
    with pytest.raises(PabulibError, match="line 21: voter id '2' is empty or repeated"):
        read(small + "9;a;1\n7;b;1\n2;c;1\n")


def test_a_project_repeated_in_a_ballot_is_a_warning_counted_once() -> None:
    file = read(replace_line(SMALL, 16, "1;a,b,a;30"))
    assert file.warnings == ("line 16: a project appears twice in the ballot; counted once",)
    assert file.election.ballots[0] == Ballot(("a", "b"), None, 2)
    with pytest.raises(PabulibError, match="appears twice") as error:
        read(replace_line(SMALL, 16, "1;a,b,a;30"), strict=True)
    assert error.value.line == 16


def test_repeated_points_add_up_and_a_sum_under_the_minimum_is_a_warning() -> None:
    file = read(cumulative("min_sum_points;4\n", votes="1;a,b,a;2,1,1\n2;a;1\n"))
    assert file.election.ballots == (Ballot(("a", "b"), (3, 1)), Ballot(("a",), (1,)))
    assert file.warnings == (
        "line 12: a project appears twice in the ballot; counted once",
        "line 13: points sum 1 under min_sum_points 4",
    )


# Options ----------------------------------------------------------------------------------------


def with_meta(lines: str, text: str = SMALL) -> pabulib.PabulibFile:
    return read(text.replace("rule;greedy\n", "rule;greedy\n" + lines))


def test_options_read_the_threshold_and_our_platform_keys() -> None:
    file = with_meta(
        "min_project_score_threshold;2\ntie_break;lower-cost,lottery\nlottery_seed;00ff\n"
        "exclusion_sets;a,b;b,c\nmes_satisfaction;cardinality\nadd1_step;2\n"
    )
    options = file.options()
    assert options.threshold == 2
    assert options.ties == TieBreak((Criterion.LOWER_COST, Criterion.LOTTERY), b"\x00\xff")
    assert options.exclusions == (frozenset({"a", "b"}), frozenset({"b", "c"}))
    assert options.satisfaction is Satisfaction.CARDINALITY
    assert options.step == 2


def test_options_default_to_one_currency_unit_in_the_files_scale() -> None:
    file = read(SMALL.replace("budget;100", "budget;100.00"))
    options = file.options()
    assert (options.step, options.ties, options.threshold, options.exclusions) == (
        100,
        TieBreak((Criterion.SOURCE_ORDER,)),
        None,
        (),
    )
    assert with_meta("add1_step;0.5\n", SMALL.replace("budget;100", "budget;100.00")).options(
    ).step == 50  # fmt: skip


def test_without_a_chain_or_seed_ties_follow_the_files_published_order() -> None:
    # x and y have one vote each; y is cheaper, but x comes first in PROJECTS: x is funded.
    text = (
        "META\nkey;value\nbudget;5\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "x;5\ny;4\nVOTES\nvoter_id;vote\n1;x,y\n"
    )
    file = read(text)
    assert file.options().ties == TieBreak((Criterion.SOURCE_ORDER,))
    assert greedy(file.election, file.options()).funded == ("x",)
    assert greedy(file.election, Options()).funded == ("y",)  # the rule's own default chain


def test_a_seed_without_a_chain_ends_the_rule_familys_default_chain() -> None:
    file = with_meta("lottery_seed;abcd\n")
    assert file.options(family="mes").ties == default_ties("mes", b"\xab\xcd")
    assert file.options().ties == default_ties("greedy", b"\xab\xcd")


OPTION_ERRORS = [
    ("lottery_seed;xyz", "lottery_seed: expected hexadecimal"),
    ("tie_break;coin", "tie_break: unknown tie-break criterion 'coin'"),
    ("tie_break;lottery", "tie_break: the lottery needs a seed"),
    ("exclusion_sets;a,z", "exclusion_sets: unknown project 'z'"),
    ("exclusion_sets;a", "exclusion_sets: the set 'a' needs two projects"),
    ("mes_satisfaction;joy", "mes_satisfaction: 'joy' is not one of cost, cardinality"),
    ("add1_step;0.5", "add1_step: expected an amount with at most 0 decimals"),
    ("add1_step;0", "add1_step: the add1 step must be a positive integer"),
    ("min_project_score_threshold;1.5", "expected a whole number, not '1.5'"),
]


@pytest.mark.parametrize(("line", "message"), OPTION_ERRORS)
def test_bad_option_values_raise_an_error_naming_the_meta_line(line: str, message: str) -> None:
    file = with_meta(line + "\n")
    with pytest.raises(PabulibError, match=message) as error:
        file.options()
    assert error.value.line == 9


# Writing ----------------------------------------------------------------------------------------


def test_write_gives_the_sections_back_in_canonical_form() -> None:
    text = "\ufeff" + SMALL.replace("\n", "\r\n").replace("key;value\r\n", "")
    assert write(read(text)) == SMALL


def test_write_quotes_every_field_that_needs_it() -> None:
    file = read(SMALL.replace("Library", '"Lib\rra;ry ""x"""'))
    assert 'b;50;2;"Lib\rra;ry ""x""";culture;0\n' in write(file)
    assert read(write(file)) == file


def test_write_refuses_export_arguments_for_a_read_file() -> None:
    with pytest.raises(TypeError):
        write(read(SMALL), scale=100)


def test_export_writes_a_canonical_ballot_box() -> None:
    election = Election(
        (Project("7", 125050, "Shade trees", ("green",), "11e"), Project("3", 90000)),
        200000,
        VoteType.APPROVAL,
        (Ballot(("3", "7")), Ballot(("3",), None, 2), Ballot(("7", "3"))),
    )
    meta = {"rule": "greedy", "tie_break": "more-votes,lottery", "country": "France",
            "description": "Paris 11e"}  # fmt: skip
    text = export(election, meta, scale=100)
    assert text == (
        "META\nkey;value\ndescription;Paris 11e\ncountry;France\nnum_projects;2\nnum_votes;4\n"
        "budget;2000.00\nvote_type;approval\nrule;greedy\ntie_break;more-votes,lottery\n"
        "PROJECTS\nproject_id;cost;votes;score;name;category;district\n"
        "7;1250.50;2;2;Shade trees;green;11e\n3;900.00;4;4;;;\n"
        "VOTES\nvoter_id;vote\n1;7,3\n2;7,3\n3;3\n4;3\n"
    )
    assert read(text).election == canonical(election)
    assert write(election, meta={"rule": "greedy"}, scale=100) == export(
        election, {"rule": "greedy"}, scale=100
    )


def test_export_writes_points_and_max_length() -> None:
    points = Election((Project("a", 5), Project("b", 5)), 10, VoteType.CUMULATIVE,
                      (Ballot(("b", "a"), (1, 2)),), max_length=2)  # fmt: skip
    assert export(points).endswith("max_length;2\nPROJECTS\nproject_id;cost;votes;score;name;"
                                   "category;district\na;5;1;2;;;\nb;5;1;1;;;\n"
                                   "VOTES\nvoter_id;vote;points\n1;a,b;2,1\n")  # fmt: skip


@pytest.mark.parametrize(
    ("election", "meta", "scale", "message"),
    [
        (Election((Project("a,b", 5),), 5, VoteType.APPROVAL, ()), {}, 1, "project id"),
        (Election((Project(" a", 5),), 5, VoteType.APPROVAL, ()), {}, 1, "project id"),
        (Election((Project("a", 5, "x "),), 5, VoteType.APPROVAL, ()), {}, 1, "project name"),
        (Election((Project("a", 5, district=""),), 5, VoteType.APPROVAL, ()), {}, 1, "district"),
        (Election((Project("a", 5, categories=("",)),), 5, VoteType.APPROVAL, ()), {}, 1,
         "category"),
        (Election((Project("a", 5),), 5, VoteType.APPROVAL, ()), {"budget": "5"}, 1, "budget"),
        (Election((Project("a", 5),), 5, VoteType.APPROVAL, ()), {"": "x"}, 1, "META key"),
        (Election((Project("a", 5),), 5, VoteType.APPROVAL, ()), {}, 20, "power of ten"),
        (Election((Project("a", 5),), 5, VoteType.SCORING, (Ballot(("a",)),)), {}, 1, "points"),
        (Election((Project("a", 5),), 0, VoteType.APPROVAL, ()), {}, 1, "budget of zero"),
    ],
)  # fmt: skip
def test_export_refuses_what_read_would_not_give_back(
    election: Election, meta: dict[str, str], scale: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        export(election, meta, scale=scale)


def test_canonical_hides_the_order_of_casting() -> None:
    ballots = (Ballot(("b", "a")), Ballot(("a",), None, 2), Ballot(("a", "b"), None, 3))
    election = Election((Project("a", 1), Project("b", 1)), 2, VoteType.APPROVAL, ballots)
    shuffled = replace(election, ballots=tuple(reversed(ballots)))
    assert canonical(election) == canonical(shuffled)
    assert canonical(election).ballots == (Ballot(("a",), None, 2), Ballot(("a", "b"), None, 4))
    assert export(election) == export(shuffled)


def names() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8"), max_size=8).map(str.strip)


@st.composite
def named_elections(draw: st.DrawFn) -> Election:
    """The tally's random elections, with names, categories and districts that need quoting."""
    election = draw(elections(max_projects=5, max_voters=8))
    words = names().filter(lambda n: n != "" and "," not in n)
    projects = tuple(
        replace(p, name=draw(names()), categories=tuple(draw(st.lists(words, max_size=2))),
                district=draw(st.none() | words))
        for p in election.projects
    )  # fmt: skip
    return replace(election, projects=projects)


@settings(max_examples=150)
@given(election=named_elections(), scale=st.sampled_from([1, 10, 100, 1000]))
@example(
    election=Election((Project("p0", 1, 'a\r;"b'),), 0, VoteType.APPROVAL, (Ballot(()),)),
    scale=100,
)
def test_export_round_trips_exactly(election: Election, scale: int) -> None:
    assume(election.budget > 0)  # a budget of zero is refused both ways
    text = export(election, {"rule": "greedy", "comment": 'Text with ; and "quotes"'}, scale=scale)
    file = read(text, strict=True)
    assert file.election == canonical(election)
    assert file.scale == scale
    assert write(file) == text
    assert read(write(file)) == file


# Fuzzing: any mutation of a valid file reads or raises PabulibError ----------------------------

ALPHABET = ';,."\r\n-0123456789 abcMETAPROJECTSVOTES\ufeffe'


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from([SMALL, cumulative("max_points;3\n", "1;a,b;2,1\n2;b;1\n")]))
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True)
        action = draw(st.sampled_from(["insert", "delete", "replace", "dup-line", "drop-line"]))
        at = draw(st.integers(0, len(text)))
        if action == "insert":
            text = text[:at] + draw(st.text(ALPHABET, min_size=1, max_size=3)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 4)) :]
        elif action == "replace":
            text = text[:at] + draw(st.sampled_from(ALPHABET)) + text[at + 1 :]
        elif lines:
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index]) if action == "dup-line" else lines.pop(index)
            text = "".join(lines)
    return text


@settings(max_examples=400)
@given(text=mutated())
def test_a_mutated_file_reads_or_raises_a_pabulib_error(text: str) -> None:
    try:
        file = read(text)
    except PabulibError as error:
        assert error.line is None or error.line >= 1  # noqa: PT017 - the property is the except
        return
    assert read(write(file)) == file
    assert write(read(write(file))) == write(file)
    file.options()


# The real corpus --------------------------------------------------------------------------------

SMALL_CORPUS_FILES = [
    "Netherlands_Assen_2024.pb",  # approval, equalshares/add1, selected
    "France_Toulouse_2019.pb",  # cumulative, quoted names
    "US_Stanford_Dataset_PB_Chicago_35th_Ward_2021_vote_rankings.pb",  # ordinal
    "Poland_Zabrze_2020_Osiedle_Mlodego_Gornika.pb",  # choose-1
    "Poland_Warszawa_2018_Przyczolek_Grochowski.pb",  # a budget with decimals
]


def corpus_index() -> dict[str, dict[str, str]]:
    if not (CORPUS / "pabulib.zip").exists():
        pytest.skip(f"the Pabulib corpus is not at {CORPUS} (see shared/pabulib/README.md)")
    with (CORPUS / "index.csv").open(encoding="utf-8") as index:
        return {row["file"]: row for row in csv.DictReader(index)}


def read_corpus_file(corpus: zipfile.ZipFile, row: dict[str, str]) -> pabulib.PabulibFile:
    raw = corpus.read(row["file"])
    assert hashlib.sha256(raw).hexdigest() == row["sha256"], f"{row['file']} differs from index"
    file = read(raw.decode("utf-8-sig"), source=row["file"])
    assert file.election.vote_type == row["vote_type"]
    assert file.election.num_voters == int(row["num_votes"])
    assert (file.selected is not None) == (row["has_selected"] == "True")
    return file


@pytest.mark.parametrize("name", SMALL_CORPUS_FILES)
def test_small_real_files_read_and_round_trip(name: str) -> None:
    index = corpus_index()
    with zipfile.ZipFile(CORPUS / "pabulib.zip") as corpus:
        file = read_corpus_file(corpus, index[name])
    assert file.rule == (index[name]["rule"] or None)
    assert read(write(file)) == file
    file.options()


def test_a_real_file_with_decimal_budget_is_scaled() -> None:
    index = corpus_index()
    with zipfile.ZipFile(CORPUS / "pabulib.zip") as corpus:
        file = read_corpus_file(corpus, index["Poland_Warszawa_2018_Przyczolek_Grochowski.pb"])
    assert file.scale == 100
    assert file.meta["budget"] == "106165.64"
    assert file.election.budget == 10616564


CORPUS_SHARDS = 8  # the whole corpus in 8 parts, so parallel test workers can share it out


@contextmanager
def coverage_paused() -> Iterator[None]:
    """Under --cov, no line tracing inside: it triples the time of reading the whole corpus, and
    the tests above already cover every line and branch of budget.pabulib. Every started
    measurement is stopped (a pytest-xdist worker runs two, the later one pausing the earlier),
    then started again in the same order."""
    paused: list[coverage.Coverage] = []
    while (measuring := coverage.Coverage.current()) is not None and measuring not in paused:
        measuring.stop()
        paused.append(measuring)
    try:
        yield
    finally:
        for measuring in reversed(paused):
            measuring.start()


@pytest.mark.slow
@pytest.mark.parametrize("shard", range(CORPUS_SHARDS))
def test_every_corpus_file_reads_and_a_sample_round_trips(shard: int) -> None:
    """Every file of the index, in shard number `shard` of CORPUS_SHARDS (file k is in shard
    k mod CORPUS_SHARDS, so together the shards read every file exactly once)."""
    index = corpus_index()
    sample = set(random.Random(2026).sample(sorted(index), 80))
    with zipfile.ZipFile(CORPUS / "pabulib.zip") as corpus, coverage_paused():
        for name, row in list(index.items())[shard::CORPUS_SHARDS]:
            file = read_corpus_file(corpus, row)
            if name in sample:
                text = write(file)
                assert read(text) == file
                assert write(read(text)) == text
                file.options()
