"""Re-count every real election that records what the city funded, and compare.

Each Pabulib file with a `selected` column is counted with the file's own rule (META `rule`) and
options (threshold, ties), and the funded set is compared with `selected`. Every mismatch must be
listed, with its diagnosed reason, in `scripts/conformance_known.csv`; the script fails on an
unlisted mismatch, on a listed file that now reproduces (the table must stay true), and, on a
full run, when the reproduced share of the files that declare the city's rule (META `rule` other
than `unknown`) falls under 99%; the share over every file is printed beside it.

Two things come from outside the file's structured META, and both are checked against its text:
- `greedy-custom` files whose META comment states Poznan's reserve rule ("if the remaining budget
  is enough to fund at least 80% of that project, we fund it as well") are counted with
  `greedy-reserve` at the comment's percentage and compared with `selected` in {1, 2}; projects
  marked 3 (money added after the vote) are set aside and counted. Other `greedy-custom` files,
  and `unknown` ones, are counted as plain greedy and their mismatches diagnosed.
- `scripts/conformance_options.csv` (file, key, value, source) gives per-file META keys that the
  file states only in its comment (e.g. `exclusion_sets`); `source` must quote that comment.

    .venv/bin/python scripts/conformance.py               # every file (a few minutes)
    .venv/bin/python scripts/conformance.py --sample 60   # a fixed sample spanning rules/types
    .venv/bin/python scripts/conformance.py --only Poland_Warszawa_2026.pb -v
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from budget.pabulib import PabulibFile
    from budget.tally.options import Options

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "pabulib"
KNOWN = ROOT / "scripts" / "conformance_known.csv"
OPTIONS = ROOT / "scripts" / "conformance_options.csv"
TARGET_PERCENT = 99

# Rules a file may declare that have no definition of their own: counted as plain greedy, and
# every file where that is not what the city did is listed with its reason.
FALLBACK = {"greedy-custom": "greedy", "unknown": "greedy"}
# Poznan's comment defining its greedy-custom rule (greedy.greedy_reserve).
RESERVE_RULE = re.compile(
    r"until the next project on the list does not fit within the budget\. Finally, if the "
    r"remaining budget is enough to fund at least (\d+)% of that project, we fund it as well"
)
# META keys an override may set: the ones `PabulibFile.options` reads.
OVERRIDABLE = frozenset({"exclusion_sets", "tie_break", "min_project_score_threshold"})


@dataclass(frozen=True)
class Result:
    file: str
    rule: str  # as the file declares it
    vote_type: str
    reproduced: bool
    counted_as: str = ""  # the rule we counted with
    missing: tuple[str, ...] = ()  # funded by the city, not by us
    extra: tuple[str, ...] = ()  # funded by us, not by the city
    set_aside: int = 0  # projects marked selected=3: funded later with money added after the vote
    error: str = ""


def counting_plan(parsed: PabulibFile) -> tuple[str, Options, tuple[str, ...], int]:
    """The rule, options and expected funded set for one file, and how many selected=3
    projects were set aside."""
    declared = parsed.rule or "unknown"
    options = parsed.options()
    reserve = RESERVE_RULE.search(parsed.meta.get("comment", ""))
    if declared == "greedy-custom" and reserve is not None:
        pct = Fraction(int(reserve.group(1)))
        later = len(parsed.selected_with("3") or ())
        expected = parsed.selected_with_reserve or ()
        return "greedy-reserve", replace(options, reserve_pct=pct), expected, later
    return FALLBACK.get(declared, declared), options, parsed.selected or (), 0


def with_overrides(parsed: PabulibFile, overrides: Mapping[str, tuple[str, str]]) -> PabulibFile:
    """The file with the META keys its comment states, each checked against the comment."""
    comment = parsed.meta.get("comment", "")
    for key, (_, source) in overrides.items():
        if key not in OVERRIDABLE:
            raise ValueError(f"{parsed.source}: {key!r} cannot be overridden")
        if not source or source not in comment:
            raise ValueError(f"{parsed.source}: the source of {key!r} is not in its comment")
    meta = {**parsed.meta, **{key: value for key, (value, _) in overrides.items()}}
    return replace(parsed, meta=MappingProxyType(meta))


def count_file(file: str, expected_sha256: str, overrides: Mapping[str, tuple[str, str]]) -> Result:
    from budget import pabulib
    from budget.tally import rules

    with zipfile.ZipFile(CORPUS / "pabulib.zip") as corpus:
        raw = corpus.read(file)
    if hashlib.sha256(raw).hexdigest() != expected_sha256:
        return Result(file, "?", "?", False, error="SHA-256 differs from index.csv")
    try:
        parsed = with_overrides(pabulib.read(raw.decode("utf-8-sig"), source=file), overrides)
        rule, options, expected, later = counting_plan(parsed)
    except (pabulib.PabulibError, ValueError) as error:
        return Result(file, "?", "?", False, error=f"unreadable: {error}")
    election = parsed.election
    funded = set(rules.count(rule, election, options).funded)
    selected = set(expected)
    return Result(
        file,
        parsed.rule or "unknown",
        election.vote_type.value,
        funded == selected,
        counted_as=rule,
        missing=tuple(sorted(selected - funded)),
        extra=tuple(sorted(funded - selected)),
        set_aside=later,
    )


def corpus_rows() -> list[dict[str, str]]:
    with (CORPUS / "index.csv").open(encoding="utf-8") as index:
        return [row for row in csv.DictReader(index) if row["has_selected"] == "True"]


def sample(rows: list[dict[str, str]], size: int) -> list[dict[str, str]]:
    """A fixed sample: the smallest files of each (rule, vote type), round robin, plus every
    known mismatch and every file with overrides, so CI exercises every rule quickly and keeps
    both tables honest."""
    pinned = set(read_known()) | set(read_overrides())
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in sorted(rows, key=lambda r: int(r["bytes"])):
        if row["file"] not in pinned:
            groups.setdefault((row["rule"], row["vote_type"]), []).append(row)
    chosen = [row for row in rows if row["file"] in pinned]
    depth = 0
    while len(chosen) < size and any(len(g) > depth for g in groups.values()):
        chosen.extend(g[depth] for g in groups.values() if len(g) > depth)
        depth += 1
    return chosen[: max(size, len(pinned))]


def read_known() -> dict[str, str]:
    if not KNOWN.exists():
        return {}
    with KNOWN.open(encoding="utf-8") as table:
        return {row["file"]: row["reason"] for row in csv.DictReader(table)}


def read_overrides() -> dict[str, dict[str, tuple[str, str]]]:
    """file -> {META key: (value, the sentence of the file's comment it comes from)}."""
    if not OPTIONS.exists():
        return {}
    overrides: dict[str, dict[str, tuple[str, str]]] = {}
    with OPTIONS.open(encoding="utf-8") as table:
        for row in csv.DictReader(table):
            overrides.setdefault(row["file"], {})[row["key"]] = (row["value"], row["source"])
    return overrides


def table_problems(results: list[Result], known: Mapping[str, str]) -> list[str]:
    problems = []
    for result in sorted(results, key=lambda r: r.file):
        if result.reproduced and result.file in known:
            problems.append(f"listed as a mismatch but reproduced now: {result.file}")
        elif not result.reproduced and result.file not in known:
            detail = result.error or f"missing {list(result.missing)}, extra {list(result.extra)}"
            problems.append(f"unexplained mismatch: {result.file} ({result.rule}): {detail}")
    return problems


def print_table(results: list[Result]) -> tuple[int, int]:
    by_rule: Counter[str] = Counter()
    ok_by_rule: Counter[str] = Counter()
    for result in results:
        by_rule[result.rule] += 1
        ok_by_rule[result.rule] += result.reproduced
    print(f"{'rule':28} {'files':>6} {'reproduced':>11} {'rate':>8}")
    for rule, total in sorted(by_rule.items()):
        print(
            f"{rule:28} {total:>6} {ok_by_rule[rule]:>11} {100 * ok_by_rule[rule] / total:>7.2f}%"
        )
    total, ok = len(results), sum(r.reproduced for r in results)
    print(f"{'all':28} {total:>6} {ok:>11} {100 * ok / total if total else 0.0:>7.2f}%")
    # The target is over the files that record the city's rule; `unknown` ones do not.
    declared = [r for r in results if r.rule != "unknown"]
    total, ok = len(declared), sum(r.reproduced for r in declared)
    rate = 100 * ok / total if total else 0.0
    print(f"{'all declaring a rule':28} {total:>6} {ok:>11} {rate:>7.2f}%")
    return total, ok


def print_reserve_summary(results: list[Result]) -> None:
    reserve = [r for r in results if r.counted_as == "greedy-reserve"]
    if reserve:
        later = [r for r in reserve if r.set_aside]
        print(f"greedy-custom counted as greedy-reserve (Poznan's 80% rule): {len(reserve)} files, "
              f"{sum(r.reproduced for r in reserve)} reproduced; {sum(r.set_aside for r in later)} "
              f"projects marked selected=3 (funded later from money added after the vote) set "
              f"aside in {len(later)} files")  # fmt: skip


def report(results: list[Result], verbose: bool, *, full: bool) -> int:
    known = read_known()
    problems = table_problems(results, known)
    total, ok = print_table(results)
    print_reserve_summary(results)
    for r in sorted(results, key=lambda r: r.file):
        if not r.reproduced:
            print(f"  {r.file} ({r.rule}, counted as {r.counted_as or '?'}): "
                  f"{known.get(r.file, '(not diagnosed)')}")  # fmt: skip
            if verbose:
                print(f"    {r.error or f'missing {list(r.missing)}, extra {list(r.extra)}'}")
    for problem in problems:
        print(problem)
    if full and total and ok * 100 < TARGET_PERCENT * total:
        problems.append(f"reproduced {100 * ok / total:.2f}% < {TARGET_PERCENT}%")
        print(problems[-1])
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="a fixed sample of about this many files")
    parser.add_argument("--only", nargs="+", help="these files only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true", help="with missing/extra ids")
    args = parser.parse_args(argv)
    if not (CORPUS / "pabulib.zip").exists():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    rows = corpus_rows()
    if args.only:
        rows = [row for row in rows if row["file"] in set(args.only)]
    elif args.sample:
        rows = sample(rows, args.sample)
    overrides = read_overrides()
    files = [r["file"] for r in rows]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(count_file, files, [r["sha256"] for r in rows],
                                [overrides.get(f, {}) for f in files]))  # fmt: skip
    print(f"{len(results)} elections counted in {time.perf_counter() - start:.1f} s")
    full = not (args.only or args.sample)
    return report(results, args.verbose or bool(args.only), full=full)


if __name__ == "__main__":
    sys.exit(main())
