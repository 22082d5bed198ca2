"""Re-count every real election that records what the city funded, and compare.

Each Pabulib file with a `selected` column is counted with the file's own rule (META `rule`) and
options (threshold, ties), and the funded set is compared with `selected`. Every mismatch must be
listed, with its diagnosed reason, in `scripts/conformance_known.csv`; the script fails on an
unlisted mismatch, on a listed file that now reproduces (the table must stay true), and when the
reproduced share falls under 99%.

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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "pabulib"
KNOWN = ROOT / "scripts" / "conformance_known.csv"
TARGET_PERCENT = 99

# Rules a file may declare that have no definition of their own: counted as plain greedy, and
# every file where that is not what the city did is listed with its reason.
FALLBACK = {"greedy-custom": "greedy", "unknown": "greedy"}


@dataclass(frozen=True)
class Result:
    file: str
    rule: str
    vote_type: str
    reproduced: bool
    missing: tuple[str, ...] = ()  # funded by the city, not by us
    extra: tuple[str, ...] = ()  # funded by us, not by the city
    error: str = ""


def count_file(file: str, expected_sha256: str) -> Result:
    from budget import pabulib
    from budget.tally import rules

    with zipfile.ZipFile(CORPUS / "pabulib.zip") as corpus:
        raw = corpus.read(file)
    if hashlib.sha256(raw).hexdigest() != expected_sha256:
        return Result(file, "?", "?", False, error="SHA-256 differs from index.csv")
    try:
        parsed = pabulib.read(raw.decode("utf-8-sig"), source=file)
    except pabulib.PabulibError as error:
        return Result(file, "?", "?", False, error=f"unreadable: {error}")
    declared = parsed.rule or "unknown"
    rule = FALLBACK.get(declared, declared)
    election = parsed.election
    outcome = rules.count(rule, election, parsed.options())
    selected = set(parsed.selected or ())
    funded = set(outcome.funded)
    return Result(
        file,
        declared,
        election.vote_type.value,
        funded == selected,
        missing=tuple(sorted(selected - funded)),
        extra=tuple(sorted(funded - selected)),
    )


def corpus_rows() -> list[dict[str, str]]:
    with (CORPUS / "index.csv").open(encoding="utf-8") as index:
        return [row for row in csv.DictReader(index) if row["has_selected"] == "True"]


def sample(rows: list[dict[str, str]], size: int) -> list[dict[str, str]]:
    """A fixed sample: the smallest files of each (rule, vote type), round robin, plus every
    known mismatch, so CI exercises every rule quickly and keeps the table honest."""
    known = set(read_known())
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in sorted(rows, key=lambda r: int(r["bytes"])):
        groups.setdefault((row["rule"], row["vote_type"]), []).append(row)
    chosen = [row for row in rows if row["file"] in known]
    depth = 0
    while len(chosen) < size and any(len(g) > depth for g in groups.values()):
        chosen.extend(g[depth] for g in groups.values() if len(g) > depth)
        depth += 1
    return chosen[: max(size, len(known))]


def read_known() -> dict[str, str]:
    if not KNOWN.exists():
        return {}
    with KNOWN.open(encoding="utf-8") as table:
        return {row["file"]: row["reason"] for row in csv.DictReader(table)}


def report(results: list[Result], verbose: bool) -> int:
    known = read_known()
    by_rule: Counter[str] = Counter()
    ok_by_rule: Counter[str] = Counter()
    problems = []
    for result in sorted(results, key=lambda r: r.file):
        by_rule[result.rule] += 1
        ok_by_rule[result.rule] += result.reproduced
        if result.reproduced and result.file in known:
            problems.append(f"listed as a mismatch but reproduced now: {result.file}")
        elif not result.reproduced and result.file not in known:
            detail = result.error or f"missing {list(result.missing)}, extra {list(result.extra)}"
            problems.append(f"unexplained mismatch: {result.file} ({result.rule}): {detail}")
    print(f"{'rule':28} {'files':>6} {'reproduced':>11} {'rate':>8}")
    for rule, total in sorted(by_rule.items()):
        print(
            f"{rule:28} {total:>6} {ok_by_rule[rule]:>11} {100 * ok_by_rule[rule] / total:>7.2f}%"
        )
    total, ok = len(results), sum(r.reproduced for r in results)
    rate = 100 * ok / total if total else 0.0
    print(f"{'all':28} {total:>6} {ok:>11} {rate:>7.2f}%")
    if verbose:
        for r in results:
            if not r.reproduced:
                print(f"  {r.file}: {r.error or f'missing {r.missing}, extra {r.extra}'}")
                print(f"    reason: {known.get(r.file, '(not diagnosed)')}")
    for problem in problems:
        print(problem)
    if total and ok * 100 < TARGET_PERCENT * total:
        problems.append(f"reproduced {rate:.2f}% < {TARGET_PERCENT}%")
        print(problems[-1])
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="a fixed sample of about this many files")
    parser.add_argument("--only", nargs="+", help="these files only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)
    if not (CORPUS / "pabulib.zip").exists():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    rows = corpus_rows()
    if args.only:
        rows = [row for row in rows if row["file"] in set(args.only)]
    elif args.sample:
        rows = sample(rows, args.sample)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(count_file, [r["file"] for r in rows], [r["sha256"] for r in rows]))
    print(f"{len(results)} elections counted in {time.perf_counter() - start:.1f} s")
    return report(results, args.verbose or bool(args.only))


if __name__ == "__main__":
    sys.exit(main())
