"""Benchmark casting ballots through the service layer: ballots committed per second with 1, 8
and 32 concurrent voters, on SQLite and (with --database-url or TEST_DATABASE_URL) PostgreSQL.

Each backend gets a fresh database: a cycle opened for voting through the services (one
approval budget of 12 projects, up to 5 choices), and `--voters` roll entries (bulk inserted:
the set-up is not what is measured). Then each worker thread, with its own session and
connection, casts one valid ballot per entry of its share, one transaction each, exactly as
`POST /vote/budgets/<id>/cast` does (`voting.cast_ballot`, then commit).

    .venv/bin/python scripts/bench_ballots.py
    .venv/bin/python scripts/bench_ballots.py --voters 960 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from budget.db import migrate
from budget.db.engine import make_engine
from budget.db.tables import RollEntry
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.domain.validation import Ballot
from budget.services import accounts, budgets, cycles, decisions, demo_identity, proposals, voting
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm

START = dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC)
DURING = START + dt.timedelta(days=100)
KEYS = voting.VotingKeys(link=b"l" * 32, receipt=b"r" * 32)
CONCURRENCY = (1, 8, 32)
BENCH_PASSWORD = "bench-only-password"  # noqa: S105 - a throwaway database


def open_cycle(db: Session) -> tuple[int, int, list[int]]:
    """A cycle open for voting; returns (cycle, budget, on-ballot proposal ids)."""
    hasher = accounts.test_hasher()
    council = accounts.create_admin(
        db, START, email="c@example.org", password=BENCH_PASSWORD, display_name="C",
        hasher=hasher,
    ).id  # fmt: skip
    form = CycleForm(
        name_fr="BP", name_en="PB", instance="bench", time_zone="Europe/Paris", currency="EUR",
        eligibility_mode="declared", district_mode="residence", min_age=None,
        reference_date=dt.date(2027, 6, 1), max_proposals_per_author=20,
    )  # fmt: skip
    cycle = cycles.create_cycle(db, START, actor_id=council, form=form)
    budget = budgets.create_budget(
        db, START, actor_id=council, cycle_id=cycle,
        form=BudgetForm(
            name_fr="Tout", name_en="All", scope="city", district_id=None, amount=10**9,
            ballot_type=BallotType.APPROVAL, limits=BallotLimits(max_choices=5), rule="greedy",
            tie_break="more-votes,lower-cost,lottery",
        ),
    )  # fmt: skip
    day = dt.timedelta(days=1)
    dates = {
        Phase.SUBMISSION: (START, START + 10 * day),
        Phase.REVIEW: (START + 11 * day, START + 50 * day),
        Phase.VOTING: (START + 60 * day, START + 200 * day),
    }
    cycles.set_schedule(db, START, actor_id=council, cycle_id=cycle, dates=dates)
    cycles.advance_phase(db, START, actor_id=council, cycle_id=cycle, target=Phase.SUBMISSION)
    # Proposing needs a verified address: registered and its mailed link opened.
    author = demo_identity.register_verified(
        db, START, email="a@example.org", password=BENCH_PASSWORD, display_name="A",
        hasher=hasher,
    )  # fmt: skip
    ids = []
    for n in range(12):
        proposal = proposals.create_proposal(
            db, START, author_id=author.id, budget_id=budget, title=f"P{n}", summary="S"
        )
        proposals.submit_proposal(db, START, actor_id=author.id, proposal_id=proposal)
        ids.append(proposal)
    cycles.advance_phase(db, START, actor_id=council, cycle_id=cycle, target=Phase.REVIEW)
    for proposal in ids:
        decisions.decide_proposal(
            db, START, actor_id=council, proposal_id=proposal, feasible=True, final_cost=10**6
        )
    cycles.advance_phase(db, START, actor_id=council, cycle_id=cycle, target=Phase.VOTING)
    return cycle, budget, ids


def enrol(engine: Engine, cycle: int, count: int) -> list[int]:
    """`count` new declared roll entries of the cycle (bulk insert, set-up only); their ids."""
    rows = [
        {
            "cycle_id": cycle, "source": "declared", "birth_year": 1990,
            "given_name": "", "family_name": "", "postal_address": "",
            "verified_by_provider": False, "created_at": START, "updated_at": START,
        }
        for _ in range(count)
    ]  # fmt: skip
    with Session(engine) as db:
        before = db.exec(select(func.max(RollEntry.id))).one() or 0
        db.execute(insert(RollEntry), rows)
        db.commit()
        made = db.exec(select(RollEntry.id).where(col(RollEntry.id) > before)).all()
        return [i for i in made if i is not None]


def fresh_cycle(engine: Engine) -> tuple[int, int, list[int]]:
    migrate.upgrade(engine)
    with Session(engine) as db:
        cycle, budget, ids = open_cycle(db)
        db.commit()
    return cycle, budget, ids


def run(
    engine: Engine, budget: int, projects: list[int], entries: list[int], workers: int
) -> tuple[float, int]:
    """(ballots committed per second, ballots lost to a lock timeout) with `workers` threads
    casting for `entries` (split between them)."""
    shares = [entries[i::workers] for i in range(workers)]
    start = threading.Barrier(workers + 1)
    stored: list[int] = []
    locked: list[int] = []

    def cast(share: list[int], seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - ballots for a benchmark
        start.wait()
        for entry in share:
            with Session(engine) as db:
                try:
                    voting.cast_ballot(
                        db, DURING, keys=KEYS,
                        voter=voting.Voter(entry, voting.Channel.ACCOUNT), budget_id=budget,
                        ballot=Ballot(tuple(rng.sample(projects, 3))),
                        form_key=voting.new_form_key(),
                    )  # fmt: skip
                    db.commit()
                    stored.append(entry)
                except OperationalError:  # SQLite's busy_timeout ran out: counted, not hidden
                    db.rollback()
                    locked.append(entry)

    threads = [threading.Thread(target=cast, args=(s, n)) for n, s in enumerate(shares)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return len(stored) / elapsed, len(locked)


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new database on the server for the run, dropped afterwards."""
    name = f"bench_{os.getpid()}"
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def bench(url: str, voters: int) -> dict[int, tuple[float, int]]:
    engine = make_engine(url)
    try:
        cycle, budget, projects = fresh_cycle(engine)
        results = {}
        for workers in CONCURRENCY:
            entries = enrol(engine, cycle, voters)
            results[workers] = run(engine, budget, projects, entries, workers)
        return results
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=320, help="ballots per run (320)")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    table: dict[str, dict[int, tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory() as directory:
        table["sqlite"] = bench(f"sqlite:///{Path(directory) / 'bench.db'}", args.voters)
    if args.database_url:
        with postgres_database(args.database_url) as url:
            table["postgresql"] = bench(url, args.voters)
    print(f"ballots per second through voting.cast_ballot ({args.voters} ballots per run)")
    print(f"{'backend':<12}" + "".join(f"{f'{n} voters':>20}" for n in CONCURRENCY))
    for backend, results in table.items():
        cells = [f"{rate:.0f}/s" + (f" ({lost} locked)" if lost else "") for rate, lost in
                 (results[n] for n in CONCURRENCY)]  # fmt: skip
        print(f"{backend:<12}" + "".join(f"{cell:>20}" for cell in cells))


if __name__ == "__main__":
    main()
