"""Re-count every real election that records what the city funded, and compare.

Each Pabulib file with a `selected` column is counted with the file's own rule (META `rule`) and
options (threshold, ties), and the funded set is compared with `selected`. Every mismatch must be
listed, with its diagnosed reason, in `scripts/conformance_known.csv`; the script fails on an
unlisted mismatch, on a listed file that now reproduces (the table must stay true), and, on a
full run, when the reproduced share of the files that declare the city's rule (META `rule` other
than `unknown`) falls under 99%; the share over every file is printed beside it.

Each file is counted as `budget tally FILE.pb` counts it: `budget.pabulib.plan` resolves the
rule, the options and what the city's record means under that rule (Poznan's reserve rule and the
Warsaw exclusion sets come from the file's comment there, not from this script), and
`CountPlan.count` counts. `greedy-custom` files counted as greedy-reserve are compared with
`selected` in {1, 2}; projects marked 3 (money added after the vote) are set aside and counted.

    .venv/bin/python scripts/conformance.py               # every file (a few minutes)
    .venv/bin/python scripts/conformance.py --sample 60   # a fixed sample spanning rules/types
    .venv/bin/python scripts/conformance.py --only Poland_Warszawa_2026.pb -v
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "pabulib"
KNOWN = ROOT / "scripts" / "conformance_known.csv"
TARGET_PERCENT = 99
# Files whose comment states what META does not (exclusion sets): always in the sample.
COMMENT_OPTIONS = frozenset(
    {"Poland_Warszawa_2021_Ursynow.pb", "Poland_Warszawa_2022_Bemowo.pb",
     "Poland_Warszawa_2022_Bielany.pb"}
)  # fmt: skip


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


def count_file(file: str, expected_sha256: str) -> Result:
    from budget import pabulib
    from budget.tally.rules import RuleError

    with zipfile.ZipFile(CORPUS / "pabulib.zip") as corpus:
        raw = corpus.read(file)
    if hashlib.sha256(raw).hexdigest() != expected_sha256:
        return Result(file, "?", "?", False, error="SHA-256 differs from index.csv")
    try:
        parsed = pabulib.read(raw.decode("utf-8-sig"), source=file)
        counting = pabulib.plan(parsed)
    except (pabulib.PabulibError, RuleError) as error:
        return Result(file, "?", "?", False, error=f"unreadable: {error}")
    funded = set(counting.count(parsed.election).funded)
    selected = set(counting.expected or ())
    return Result(
        file,
        parsed.rule or "unknown",
        parsed.election.vote_type.value,
        funded == selected,
        counted_as=counting.rule.name,
        missing=tuple(sorted(selected - funded)),
        extra=tuple(sorted(funded - selected)),
        set_aside=len(counting.set_aside),
    )


def corpus_rows() -> list[dict[str, str]]:
    with (CORPUS / "index.csv").open(encoding="utf-8") as index:
        return [row for row in csv.DictReader(index) if row["has_selected"] == "True"]


def sample(rows: list[dict[str, str]], size: int) -> list[dict[str, str]]:
    """A fixed sample: the smallest files of each (rule, vote type), round robin, plus every
    known mismatch and every file whose comment states options, so CI exercises every rule
    quickly and keeps the table honest."""
    pinned = set(read_known()) | COMMENT_OPTIONS
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
    files = [r["file"] for r in rows]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(count_file, files, [r["sha256"] for r in rows]))
    print(f"{len(results)} elections counted in {time.perf_counter() - start:.1f} s")
    full = not (args.only or args.sample)
    return report(results, args.verbose or bool(args.only), full=full)


if __name__ == "__main__":
    sys.exit(main())
