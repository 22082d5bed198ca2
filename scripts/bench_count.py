"""Benchmark closing and counting a Paris-size budget through the services: 200,000 ballots.

A fresh SQLite database (or --database-url): a cycle opened for voting through the services
(scripts/bench_ballots.py's set-up: one approval budget of 12 projects, up to 5 choices), then
`--ballots` stored ballots with their receipts (bulk inserted: casting is bench_ballots.py's
subject, not this one's). Measured: `cycles.advance_phase(.., CLOSED)` (links destroyed, the
canonical .pb box sealed and fingerprinted) and `results.count_budget` (the locked rule through
pabulib.recount, and the comparison under every other rule accepting the ballots).

    .venv/bin/python scripts/bench_count.py --ballots 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import secrets
import tempfile
import time
from pathlib import Path

from bench_ballots import START, fresh_cycle  # type: ignore[import-not-found]  # sibling script
from sqlalchemy import Engine, insert
from sqlmodel import Session

from budget.db.engine import make_engine
from budget.db.tables import Ballot, Receipt
from budget.domain.cycle import Phase
from budget.services import cycles, results

AFTER = START + dt.timedelta(days=201)
CHUNK = 20_000


def store_ballots(engine: Engine, budget: int, projects: list[int], count: int) -> None:
    rng = random.Random(18)  # noqa: S311 - ballots for a benchmark
    with Session(engine) as db:
        for start in range(0, count, CHUNK):
            receipts, ballots = [], []
            for _ in range(min(CHUNK, count - start)):
                digest = hashlib.sha256(secrets.token_bytes(16)).hexdigest()
                chosen = sorted(rng.sample(projects, rng.randint(1, 5)))
                receipts.append({"receipt_hash": digest, "budget_id": budget, "state": "recorded"})
                ballots.append({"id": secrets.token_hex(16), "budget_id": budget,
                                "choices": json.dumps(chosen), "receipt_hash": digest,
                                "channel": "online"})  # fmt: skip
            db.execute(insert(Receipt), receipts)
            db.execute(insert(Ballot), ballots)
        db.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=200_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        engine = make_engine(url)
        cycle, budget, projects = fresh_cycle(engine)
        store_ballots(engine, budget, projects, args.ballots)
        with Session(engine) as db:
            began = time.perf_counter()
            # the council the set-up made is account 1
            cycles.advance_phase(db, AFTER, actor_id=1, cycle_id=cycle, target=Phase.CLOSED)
            db.commit()
            closed = time.perf_counter()
            results.count_budget(db, AFTER, actor_id=1, budget_id=budget)
            db.commit()
            counted = time.perf_counter()
        engine.dispose()
    print(f"ballots {args.ballots}: close (seal the box) {closed - began:.2f} s, "
          f"count with comparison {counted - closed:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
