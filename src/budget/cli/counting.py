"""Counting sub-commands: `tally` and `compare` count a Pabulib .pb file, in text or JSON.

Money is printed in the file's own units (1/scale currency units, scale 1 for whole units);
figures stay exact: Fractions become "a/b" strings in JSON. A bad file, rule or option prints
one line naming the problem and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from budget import pabulib
from budget.cli.terminal import printable, printable_json
from budget.pabulib import CountPlan, PabulibError, PabulibFile, read_options
from budget.pabulib.planning import OPTION_KEYS
from budget.tally import mes, rules
from budget.tally.explain import CRITERIA, explain, figure_text, money_text
from budget.tally.greedy import ExclusionError
from budget.tally.model import Election, Explanation, Figure, Outcome
from budget.tally.rules import RuleError
from budget.tally.ties import TieBreak, TieBreakError

COUNT_ERRORS = (OSError, PabulibError, RuleError, TieBreakError, ExclusionError)


def add_tally(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tally = commands.add_parser("tally", help="count a Pabulib .pb file with one rule")
    tally.add_argument("file", type=Path, help="the .pb file")
    tally.add_argument("--rule", help=f"a rule ({', '.join(rules.RULES)}) or a Pabulib alias; "
                       "default: the file's META rule")  # fmt: skip
    tally.add_argument("--format", choices=("text", "json"), default="text")
    add_option_arguments(tally)
    tally.set_defaults(handler=run_tally)


def add_option_arguments(parser: argparse.ArgumentParser) -> None:
    """Counting options a file may not state; each sets the META key named in its help."""
    parser.add_argument(
        "--ties", metavar="CHAIN", help="tie-break chain, e.g. more-votes,lottery (META tie_break)"
    )
    parser.add_argument("--seed", metavar="HEX", help="lottery seed, hexadecimal (lottery_seed)")
    parser.add_argument(
        "--exclusions",
        metavar="SETS",
        help="projects that exclude each other, e.g. '1,2;3,4,5' (exclusion_sets)",
    )
    parser.add_argument(
        "--threshold-pct",
        metavar="PCT",
        help="greedy rules skip projects supported by fewer than PCT%% of the "
        "voters (threshold_pct)",
    )
    parser.add_argument(
        "--envelopes",
        metavar="PAIRS",
        help="category envelopes inside the budget, e.g. 'Green:40000000;Care:20000000': each "
        "category counted first within its amount, then the leftover over the rest "
        "(category_envelopes)",
    )
    parser.add_argument(
        "--leftover-rule",
        metavar="RULE",
        help="the rule counting what the envelopes leave; default: the same rule "
        "(envelope_leftover_rule)",
    )
    parser.add_argument(
        "--options",
        metavar="FILE",
        type=Path,
        help="a file of key;value rows, as in META, for any of: "
        f"{', '.join(sorted(OPTION_KEYS))}; the flags above override it",
    )


def add_compare(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    compare = commands.add_parser(
        "compare", help="count a Pabulib .pb file with every rule that accepts its ballots"
    )
    compare.add_argument("file", type=Path, help="the .pb file")
    compare.add_argument("--rule", help="the rule to compare with; default: the file's META rule")
    compare.add_argument("--format", choices=("text", "json"), default="text")
    add_option_arguments(compare)
    compare.set_defaults(handler=run_compare)


def load_box(command: str, path: Path) -> PabulibFile:
    """The file, its warnings printed on stderr."""
    parsed = pabulib.read_path(path)
    for warning in parsed.warnings:
        say(command, f"warning: {parsed.source}, {warning}")
    return parsed


# The META key each option flag sets.
FLAGS = {"ties": "tie_break", "seed": "lottery_seed", "exclusions": "exclusion_sets",
         "threshold_pct": "threshold_pct", "envelopes": "category_envelopes",
         "leftover_rule": "envelope_leftover_rule"}  # fmt: skip


def given_options(args: argparse.Namespace) -> tuple[dict[str, str], dict[str, str]]:
    """The META keys the command line sets (an options file, then the flags), and the name
    each is given under, for messages."""
    given: dict[str, str] = {}
    labels: dict[str, str] = {}
    if args.options is not None:
        given = read_options(args.options.read_text(encoding="utf-8"), args.options.name)
        labels = {key: f"{args.options.name}: {key}" for key in given}
    for flag, key in FLAGS.items():
        if getattr(args, flag) is not None:
            given[key] = getattr(args, flag)
            labels[key] = f"--{flag.replace('_', '-')}"
    return given, labels


def count_plan(command: str, parsed: PabulibFile, args: argparse.Namespace) -> CountPlan:
    """`pabulib.plan` with the command line's rule and options, its notices on stderr."""
    given, labels = given_options(args)
    counting = pabulib.plan(parsed, rule=args.rule, given=given, labels=labels)
    for notice in counting.notices:
        say(command, notice)
    return counting


def say(command: str, message: str) -> None:
    """One line on stderr, its control characters escaped."""
    print(f"budget {command}: {printable(message)}", file=sys.stderr)


def emit_json(report: object) -> int:
    return emit(printable_json(json.dumps(report, ensure_ascii=False, indent=2)))


def emit_lines(lines: list[str]) -> int:
    return emit("\n".join(map(printable, lines)))


def emit(text: str) -> int:
    """Print the report (made printable by the caller); a reader that stops early (`| head`)
    is not an error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Python's recommended handling: silence the interpreter's final flush of stdout.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def money(value: int, scale: int) -> str:
    """An amount of 1/scale currency units, with thousands separators: 1,250.50 (as the
    explanations print it; negative when greedy-reserve spent beyond the budget)."""
    return money_text(value, scale)


def with_currency(parsed: PabulibFile) -> str:
    """ " PLN" after an amount, or nothing when the file names no currency."""
    currency = parsed.meta.get("currency", "").strip()
    return f" {currency}" if currency else ""


def json_figure(value: Figure) -> object:
    """Figures for JSON: Fractions as exact "a/b" strings, tuples as lists."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, tuple):
        return list(value)
    return value


def run_tally(args: argparse.Namespace) -> int:
    try:
        parsed = load_box("tally", args.file)
        counting = count_plan("tally", parsed, args)
        rule, options = counting.rule, counting.options
        outcome = counting.count(parsed.election)
    except COUNT_ERRORS as error:
        say("tally", str(error))
        return 2
    ties = options.ties or rule.default_ties()
    if args.format == "json":
        return emit_json(tally_json(parsed, outcome, ties))
    return emit_lines(tally_text(parsed, rule, outcome, ties))


def project_json(parsed: PabulibFile, explanation: Explanation) -> dict[str, object]:
    election = parsed.election
    project = election.project_by_id[explanation.project_id]
    figures = {key: json_figure(value) for key, value in explanation.figures.items()}
    return {"id": project.id, "name": project.name, "cost": project.cost,
            "votes": election.votes[project.id], "score": election.scores[project.id],
            "funded": explanation.funded, "code": explanation.code, "figures": figures,
            "explanation": explain(explanation, parsed.scale)}  # fmt: skip


def tally_json(parsed: PabulibFile, outcome: Outcome, ties: TieBreak) -> dict[str, object]:
    """Money in the file's units: integers of 1/scale currency units (scale 1: whole units)."""
    details = {key: json_figure(value) for key, value in outcome.details.items()}
    return {"file": parsed.source, "rule": outcome.rule, "file_rule": parsed.rule,
            "vote_type": parsed.election.vote_type.value, "voters": parsed.election.num_voters,
            "ties": str(ties), "scale": parsed.scale, "budget": outcome.budget,
            "spent": outcome.spent, "funded": list(outcome.funded),
            "projects": [project_json(parsed, e) for e in outcome.explanations],
            "details": details}  # fmt: skip


def project_line(parsed: PabulibFile, project_id: str, number: str) -> str:
    election, scale = parsed.election, parsed.scale
    project = election.project_by_id[project_id]
    votes, score = election.votes[project_id], election.scores[project_id]
    support = f"{votes:,} vote{'' if votes == 1 else 's'}"
    support += f", score {score:,}" if score != votes else ""
    return f"{number:>5} #{project.id}  {money(project.cost, scale)}  {support}  {project.name}"


def tally_text(
    parsed: PabulibFile, rule: rules.Rule, outcome: Outcome, ties: TieBreak
) -> list[str]:
    election, scale = parsed.election, parsed.scale
    currency = with_currency(parsed)
    lines = [f"{parsed.source}: {election.vote_type} ballots, {election.num_voters:,} voters, "
             f"{len(election.projects)} projects",
             f"Rule: {rule.name}. {rule.summary}",
             f"Ties: {', then '.join(CRITERIA[c.value] for c in ties.complete_chain)}",
             f"Budget {money(outcome.budget, scale)}{currency}; spent "
             f"{money(outcome.spent, scale)}; left {money(outcome.remaining, scale)}.", "",
             f"Funded ({len(outcome.funded)}), in selection order:"]  # fmt: skip
    for rank, project_id in enumerate(outcome.funded, start=1):
        lines.append(project_line(parsed, project_id, f"{rank}."))
        lines.append(f"        {explain(outcome.explanation_for(project_id), scale)}")
    unfunded = [e for e in outcome.explanations if not e.funded]
    lines += ["", f"Not funded ({len(unfunded)}):"]
    for explanation in unfunded:
        lines.append(project_line(parsed, explanation.project_id, ""))
        lines.append(f"        {explain(explanation, scale)}")
    if outcome.details:
        details = "; ".join(f"{k} {figure_text(v)}" for k, v in outcome.details.items())
        lines += ["", f"Details: {details}"]
    return lines


@dataclass(frozen=True)
class RuleResult:
    """One row of the comparison: a rule's funded set, and how it differs from the reference."""

    rule: str
    funded: tuple[str, ...]
    spent: int
    served: int  # voters giving positive utility to at least one funded project
    added: tuple[str, ...] = ()  # funded here, not by the reference rule
    removed: tuple[str, ...] = ()  # funded by the reference rule, not here


def served(election: Election, funded: tuple[str, ...]) -> int:
    chosen = set(funded)
    return sum(ballot.count for ballot in election.ballots
               if any(p in chosen for p, _ in election.utilities(ballot)))  # fmt: skip


def percent(part: int, whole: int) -> str:
    """100 * part / whole with one decimal, rounded exactly (half to even)."""
    tenths = round(Fraction(1000 * part, whole)) if whole else 0
    return f"{tenths // 10}.{tenths % 10}"


def compare_rules(
    parsed: PabulibFile, reference: rules.Rule, given: Mapping[str, str] | None = None
) -> list[RuleResult]:
    """Every rule accepting the file's ballots, each with the file's options and `given`."""
    election = parsed.election
    if not reference.accepts(election.vote_type):
        raise RuleError(f"rule {reference.name!r} does not accept {election.vote_type} ballots")
    results = []
    add1: dict[str, Outcome] = {}  # the four add1 rules share one walk (mes.ADD1_RULES)
    for rule in rules.RULES.values():
        if not rule.accepts(election.vote_type):
            continue
        options = pabulib.plan(parsed, rule=rule.name, given=given).options
        if rule.name in mes.ADD1_RULES and not options.envelopes:
            add1 = add1 or mes.equal_shares_add1_variants(election, options)
            outcome = add1[rule.name]
        elif rule.name in rules.ENVELOPE_RULES or not options.envelopes:
            outcome = rules.count(rule.name, election, options)
        else:
            continue  # phragmen and max-utilitarian know no category envelopes
        results.append(RuleResult(rule.name, outcome.funded, outcome.spent,
                                  served(election, outcome.funded)))  # fmt: skip
    if parsed.selected is not None:
        chosen = parsed.selected
        spent = election.cost_of(chosen)
        results.append(RuleResult("selected", chosen, spent, served(election, chosen)))
    base = next(r for r in results if r.rule == reference.name)
    return [replace(r, added=tuple(p for p in r.funded if p not in base.funded),
                    removed=tuple(p for p in base.funded if p not in r.funded))
            for r in results]  # fmt: skip


def run_compare(args: argparse.Namespace) -> int:
    try:
        parsed = load_box("compare", args.file)
        reference = count_plan("compare", parsed, args).rule
        results = compare_rules(parsed, reference, given_options(args)[0])
    except COUNT_ERRORS as error:
        say("compare", str(error))
        return 2
    if args.format == "json":
        return emit_json(compare_json(parsed, reference, results))
    return emit_lines(compare_text(parsed, reference, results))


def compare_json(
    parsed: PabulibFile, reference: rules.Rule, results: list[RuleResult]
) -> dict[str, object]:
    voters = parsed.election.num_voters
    rows = [{"rule": r.rule, "funded": list(r.funded), "count": len(r.funded), "spent": r.spent,
             "voters_served": r.served, "voters_served_percent": percent(r.served, voters),
             "added": list(r.added), "removed": list(r.removed)} for r in results]  # fmt: skip
    return {"file": parsed.source, "vote_type": parsed.election.vote_type.value,
            "voters": voters, "scale": parsed.scale, "budget": parsed.election.budget,
            "file_rule": parsed.rule, "reference": reference.name, "rules": rows}  # fmt: skip


def compare_text(
    parsed: PabulibFile, reference: rules.Rule, results: list[RuleResult]
) -> list[str]:
    election, scale = parsed.election, parsed.scale
    voters = election.num_voters
    width = max(len(r.rule) for r in results)
    lines = [f"{parsed.source}: {election.vote_type} ballots, {voters:,} voters, budget "
             f"{money(election.budget, scale)}{with_currency(parsed)}",
             "For information: the file's rule decides; 'selected' is what the city funded.", "",
             f"{'rule':<{width}}  {'funded':>6}  {'spent':>15}  {'voters served':>13}  "
             f"differs from {reference.name}"]  # fmt: skip
    for r in results:
        changes = " ".join([*(f"+{p}" for p in r.added), *(f"-{p}" for p in r.removed)])
        lines.append(f"{r.rule:<{width}}  {len(r.funded):>6}  {money(r.spent, scale):>15}  "
                     f"{percent(r.served, voters) + '%':>13}  {changes or '='}")  # fmt: skip
    lines += ["", "Funded sets, in selection order:"]
    lines += [f"{r.rule:<{width}}  {', '.join(r.funded) or '(none)'}" for r in results]
    return lines
