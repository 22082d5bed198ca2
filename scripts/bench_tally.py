"""Benchmark the tally engine against pabutools on the largest real elections, side by side.

Every measurement runs in a fresh subprocess (so peak memory is that rule's alone and a slow peer
can be stopped by a timeout); ours and pabutools' run on the same file, one after the other, in
this same invocation, so the ratio compares like with like on a shared, noisy machine.

    .venv/bin/python scripts/bench_tally.py                 # the default big files and rules
    .venv/bin/python scripts/bench_tally.py --timeout 900   # give pabutools longer
    .venv/bin/python scripts/bench_tally.py --corpus        # whole corpus, every applicable rule
    .venv/bin/python scripts/bench_tally.py --whole-process # `budget tally` vs pabutools, whole
    .venv/bin/python scripts/bench_tally.py --big           # a 50 MB file of repeated votes

--whole-process times what an official runs: `budget tally FILE --rule mes --format json` as a
process (interpreter start, imports, reading, counting, printing) against a process that parses
the file with pabutools and runs its exact MES, each measured as the child's CPU seconds (user +
system, steadier than wall time on a shared machine; wall time beside it) and peak memory. It
also times reading alone, inside the process. --big generates (in a temporary folder, never
committed) a 50 MB file of 3.7 million votes repeating 8 ballots over 10 projects, and runs
`budget tally` on it the same way.

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


def child_cost(command: list[str], timeout: float) -> dict[str, Any]:
    """Run `command`: its output, exit status, wall and CPU seconds (user + system) and peak
    memory (MiB), from os.wait4 (that child's own rusage)."""
    import tempfile
    import threading

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if wall >= timeout:
            return {"timeout": timeout}
        return {"wall": wall, "status": process.returncode, "out": out.read().decode(),
                "err": err.read().decode(), "cpu": usage.ru_utime + usage.ru_stime,
                "peak_mib": usage.ru_maxrss / 1024}  # fmt: skip


BUDGET = [sys.executable, "-m", "budget.cli"]
PABUTOOLS_MES = """\
import sys
from pabutools.election import Cost_Sat, Additive_Borda_Sat, AbstractApprovalProfile
from pabutools.election.satisfaction import Additive_Cardinal_Sat
from pabutools.election.pabulib import parse_pabulib
from pabutools.rules import method_of_equal_shares
instance, profile = parse_pabulib(sys.argv[1])
if isinstance(profile, AbstractApprovalProfile):
    sat = Cost_Sat
elif type(profile).__name__.startswith("Ordinal"):
    sat = Additive_Borda_Sat
else:
    sat = Additive_Cardinal_Sat
print(sorted(p.name for p in method_of_equal_shares(instance, profile, sat_class=sat)))
"""
READ_ONLY = """\
import sys, time
start = time.process_time()
from budget import pabulib
parsed = pabulib.read_path(sys.argv[1])
print(f"{time.process_time() - start:.3f}")
"""


def whole_process(files: list[str], timeout: float, peer: bool) -> None:
    """`budget tally --rule mes` as a process against pabutools' parse and exact MES."""
    import tempfile

    header = f"{'file':34} {'MB':>5} {'read s':>7} {'ours s':>7} {'wall':>6} {'MiB':>5} "
    header += f"{'pabutools s':>11} {'wall':>6} {'MiB':>5} {'speed-up':>8} {'same':>4}"
    print("whole process, CPU seconds of each child (user + system); wall beside it")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as folder:
        for name in files:
            path = Path(folder) / name
            path.write_text(read_text(name), encoding="utf-8")
            read = child_cost([sys.executable, "-c", READ_ONLY, str(path)], timeout)
            # The ties as the per-rule mode counts them (Options(): the MES default chain).
            ours = child_cost([*BUDGET, "tally", str(path), "--rule", "mes", "--format", "json",
                               "--ties", "lower-cost,more-votes"],
                              timeout)  # fmt: skip
            theirs: dict[str, Any] = {"timeout": 0}
            if peer:
                theirs = child_cost([sys.executable, "-c", PABUTOOLS_MES, str(path)], timeout)
            same = "-"
            if ours.get("status") == 0 and theirs.get("status") == 0:
                funded = sorted(json.loads(ours["out"])["funded"])
                same = "yes" if str(funded) == theirs["out"].strip() else "no"
            ratio = f"{theirs['cpu'] / ours['cpu']:.1f}x" if "cpu" in theirs and "cpu" in ours \
                else "-"  # fmt: skip
            print(f"{name[:34]:34} {path.stat().st_size / 1e6:>5.1f} "
                  f"{read.get('out', '-').strip():>7} "
                  f"{ours.get('cpu', 0):>7.3f} {ours.get('wall', 0):>6.2f} "
                  f"{ours.get('peak_mib', 0):>5.0f} {theirs.get('cpu', 0):>11.3f} "
                  f"{theirs.get('wall', 0):>6.2f} {theirs.get('peak_mib', 0):>5.0f} "
                  f"{ratio:>8} {same:>4}", flush=True)  # fmt: skip


def big_file(path: Path, voters: int = 3_700_000) -> None:
    """A .pb file of `voters` votes repeating 8 ballots over 10 projects (about 50 MB)."""
    ballots = ["1,2,3", "2,5", "4", "1,3,6", "7,8", "2,9,10", "3", "5,6"]
    with path.open("w", encoding="utf-8") as out:
        out.write("META\nkey;value\ndescription;repeated votes\nnum_projects;10\n"
                  f"num_votes;{voters}\nbudget;1000000\nvote_type;approval\nrule;equalshares\n"
                  "PROJECTS\nproject_id;cost;name\n")  # fmt: skip
        out.writelines(f"{i};{100_000 + 1000 * i};Project {i}\n" for i in range(1, 11))
        out.write("VOTES\nvoter_id;vote;age\n")
        out.writelines(f"{v};{ballots[v % 8]};{18 + v % 70}\n" for v in range(1, voters + 1))


def big(timeout: float) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "repeated.pb"
        big_file(path)
        read = child_cost([sys.executable, "-c", READ_ONLY, str(path)], timeout)
        ours = child_cost([*BUDGET, "tally", str(path), "--format", "json"], timeout)
        size = path.stat().st_size / 1e6
        print(f"{size:.1f} MB, 3,700,000 votes: read alone {read.get('out', '-').strip()} CPU s")
        print(f"budget tally (its rule, mes; json): {ours.get('cpu', 0):.2f} CPU s, "
              f"{ours.get('wall', 0):.2f} s wall, peak {ours.get('peak_mib', 0):.0f} MiB, "
              f"exit {ours.get('status', 'timeout')}")  # fmt: skip


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
    parser.add_argument("--whole-process", action="store_true", help="budget tally vs pabutools")
    parser.add_argument("--big", action="store_true", help="a 50 MB file of repeated votes")
    args = parser.parse_args()
    if not (CORPUS / "pabulib.zip").exists():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    if args.child:
        child(*args.child)
    elif args.corpus:
        whole_corpus(args.workers)
    elif args.whole_process:
        whole_process(args.files, args.timeout, not args.no_peer)
    elif args.big:
        big(args.timeout)
    else:
        compare(args.files, args.rules, args.timeout, not args.no_peer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
