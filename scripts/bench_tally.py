"""Benchmark the tally engine against pabutools on the largest real elections, side by side.

Every measurement runs in a fresh subprocess (so peak memory is that rule's alone and a slow peer
can be stopped by a timeout); ours and pabutools' run on the same file, one after the other, in
this same invocation, so the ratio compares like with like on a shared, noisy machine.

    .venv/bin/python scripts/bench_tally.py                 # the default big files and rules
    .venv/bin/python scripts/bench_tally.py --timeout 900   # give pabutools longer
    .venv/bin/python scripts/bench_tally.py --corpus        # whole corpus, every applicable rule

With --corpus the four add1 rules are counted together from one add1 walk
(`mes.equal_shares_add1_variants`, the same outcomes as the four rules), one row in the table.

Time is the rule alone (parsing excluded, for both). Peak memory is the subprocess's maximum
resident set size (parsing included, for both): an upper bound on the rule's own.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "pabulib"
DEFAULT_FILES = [
    "Poland_Wroclaw_2015_150_-_500.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Krakow_2024.pb",
    "Poland_Warszawa_2026.pb",
]
DEFAULT_RULES = ["greedy", "mes", "mes-add1", "phragmen", "max-utilitarian"]


def read_text(name: str) -> str:
    with zipfile.ZipFile(CORPUS / "pabulib.zip") as corpus:
        return corpus.read(name).decode("utf-8-sig")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(name: str, rule: str) -> dict[str, Any]:
    from budget import pabulib
    from budget.tally import rules
    from budget.tally.options import Options

    parsed = pabulib.read(read_text(name), source=name)
    # The rule as pabutools runs it: no threshold or exclusions from META, default ties.
    start = time.perf_counter()
    outcome = rules.count(rule, parsed.election, Options())
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "funded": sorted(outcome.funded),
        "voters": parsed.election.num_voters,
    }


def pabutools_rule(rule: str, profile: Any) -> Callable[[Any, Any], Any]:
    """The pabutools call for our rule, exact arithmetic (gmpy2 fractions, pabutools' default)."""
    from pabutools.election import (
        AbstractApprovalProfile,
        Additive_Borda_Sat,
        Cardinality_Sat,
        Cost_Sat,
    )
    from pabutools.election.satisfaction import Additive_Cardinal_Sat
    from pabutools.rules import (
        greedy_utilitarian_welfare,
        max_additive_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    approval = isinstance(profile, AbstractApprovalProfile)
    if approval:
        # pabutools' greedy orders by satisfaction per cost: with Cost_Sat that is approvals.
        score_sat, mes_sat = Cost_Sat, Cost_Sat
    elif type(profile).__name__.startswith("Ordinal"):
        score_sat = mes_sat = Additive_Borda_Sat
    else:
        score_sat = mes_sat = Additive_Cardinal_Sat
    calls: dict[str, Callable[[Any, Any], Any]] = {
        "greedy": lambda i, p: greedy_utilitarian_welfare(i, p, sat_class=score_sat),
        "mes": lambda i, p: method_of_equal_shares(i, p, sat_class=mes_sat),
        "mes-add1": lambda i, p: method_of_equal_shares(
            i, p, sat_class=mes_sat, voter_budget_increment=1
        ),
        "phragmen": lambda i, p: sequential_phragmen(i, p),
        "max-utilitarian": lambda i, p: max_additive_utilitarian_welfare(
            i, p, sat_class=Cardinality_Sat if approval else score_sat
        ),
    }
    return calls[rule]


def run_pabutools(name: str, rule: str) -> dict[str, Any]:
    from pabutools.election.pabulib import parse_pabulib_from_string

    instance, profile = parse_pabulib_from_string(read_text(name))
    call = pabutools_rule(rule, profile)
    start = time.perf_counter()
    allocation = call(instance, profile)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "funded": sorted(p.name for p in allocation)}


def child(engine: str, name: str, rule: str) -> None:
    result = run_ours(name, rule) if engine == "ours" else run_pabutools(name, rule)
    result["peak_mib"] = peak_mib()
    print(json.dumps(result))


def measure(engine: str, name: str, rule: str, timeout: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", engine, name, rule]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": last[:60]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def seconds_cell(result: dict[str, Any]) -> str:
    if "timeout" in result:
        return f">{result['timeout']:.0f}"
    if "error" in result:
        return "error"
    return f"{result['seconds']:.3f}"


def ratio_cell(ours: dict[str, Any], peer: dict[str, Any]) -> str:
    if "seconds" not in ours:
        return "-"
    if "timeout" in peer:
        return f">{peer['timeout'] / max(ours['seconds'], 1e-6):.0f}x"
    if "seconds" not in peer:
        return "-"
    return f"{peer['seconds'] / max(ours['seconds'], 1e-6):.1f}x"


def compare(files: list[str], rule_names: list[str], timeout: float, peer: bool) -> None:
    header = f"{'file':34} {'voters':>7} {'rule':16} {'ours s':>9} {'pabutools s':>11} "
    header += f"{'speed-up':>9} {'ours MiB':>9} {'pabu MiB':>9} {'same':>5}"
    print(header)
    print("-" * len(header))
    from budget import pabulib
    from budget.tally import rules

    for name in files:
        vote_type = pabulib.read(read_text(name), source=name).election.vote_type
        for rule in rule_names:
            if not rules.lookup(rule).accepts(vote_type):
                print(f"{name[:34]:34} {'':>7} {rule:16} n/a: it does not accept {vote_type}")
                continue
            ours = measure("ours", name, rule, timeout)
            theirs = measure("pabutools", name, rule, timeout) if peer else {"error": "skipped"}
            same = "-"
            if "funded" in ours and "funded" in theirs:
                same = "yes" if ours["funded"] == theirs["funded"] else "no"
            print(
                f"{name[:34]:34} {ours.get('voters', 0):>7} {rule:16} {seconds_cell(ours):>9} "
                f"{seconds_cell(theirs):>11} {ratio_cell(ours, theirs):>9} "
                f"{ours.get('peak_mib', 0):>9.0f} {theirs.get('peak_mib', 0):>9.0f} {same:>5}",
                flush=True,
            )


def corpus_file_names() -> list[str]:
    """Every corpus file, largest first: the long counts start early, so the workers finish
    together instead of one of them counting a big file alone at the end."""
    with (CORPUS / "index.csv").open(encoding="utf-8") as index:
        rows = list(csv.DictReader(index))
    return [row["file"] for row in sorted(rows, key=lambda row: -int(row["bytes"]))]


ADD1_ROW = "mes-add1 (4 variants)"
ADD1_FIRST = "mes-add1"  # the add1 rules are counted together when this one's turn comes


def count_every_rule(name: str) -> tuple[str, float, list[tuple[str, float]]]:
    """Every applicable rule on one file; the four add1 rules together, as `budget compare` and
    the platform may ask for them: one add1 walk (`mes.equal_shares_add1_variants`), one row.
    Times are CPU seconds of the worker (parsing excluded), steadier than wall time on a shared
    machine; the table's wall time is the whole run's."""
    from budget import pabulib
    from budget.tally import mes, rules

    parsed = pabulib.read(read_text(name), source=name)
    options = parsed.options()
    timings = []
    start = time.process_time()
    for rule in rules.RULES.values():
        together = rule.name in mes.ADD1_RULES
        if not rule.accepts(parsed.election.vote_type) or (together and rule.name != ADD1_FIRST):
            continue
        rule_start = time.process_time()
        if together:
            mes.equal_shares_add1_variants(parsed.election, options)
        else:
            rule.function(parsed.election, options)
        row = ADD1_ROW if together else rule.name
        timings.append((row, time.process_time() - rule_start))
    return name, time.process_time() - start, timings


def whole_corpus(workers: int) -> None:
    names = corpus_file_names()
    start = time.perf_counter()
    slowest: list[tuple[float, str, str]] = []
    per_file: list[tuple[float, str]] = []
    per_rule: dict[str, float] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(count_every_rule, name) for name in names]
        for future in as_completed(futures):
            name, total, timings = future.result()
            per_file.append((total, name))
            for rule, seconds in timings:
                per_rule[rule] = per_rule.get(rule, 0.0) + seconds
                slowest.append((seconds, name, rule))
    wall = time.perf_counter() - start
    print(f"{len(names)} elections, every applicable rule, {workers} workers: {wall:.1f} s wall")
    print(f"CPU seconds in the rules, all workers: {sum(per_rule.values()):.1f}")
    print(f"{'rule':22} {'CPU s (sum)':>12}")
    for rule, seconds in sorted(per_rule.items(), key=lambda item: -item[1]):
        print(f"{rule:22} {seconds:>12.1f}")
    print("slowest counts (CPU s):")
    for seconds, name, rule in sorted(slowest, reverse=True)[:10]:
        print(f"  {seconds:8.2f} s  {rule:22} {name}")
    print("slowest files (every rule, CPU s):")
    for seconds, name in sorted(per_file, reverse=True)[:10]:
        print(f"  {seconds:8.2f} s  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", nargs=3, metavar=("ENGINE", "FILE", "RULE"), help=argparse.SUPPRESS
    )
    parser.add_argument("--files", nargs="+", default=DEFAULT_FILES)
    parser.add_argument("--rules", nargs="+", default=DEFAULT_RULES)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per measurement")
    parser.add_argument("--no-peer", action="store_true", help="skip pabutools")
    parser.add_argument("--corpus", action="store_true", help="whole corpus, every rule, ours")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if not (CORPUS / "pabulib.zip").exists():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    if args.child:
        child(*args.child)
    elif args.corpus:
        whole_corpus(args.workers)
    else:
        compare(args.files, args.rules, args.timeout, not args.no_peer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
