"""Benchmark the officers' check-in search (queries.search_entries) on a roll of 200,000
entries, on SQLite and PostgreSQL: p50 and p99 latency in milliseconds, as a table.

A fresh database per backend (SQLite in a temporary directory; PostgreSQL a new database made
on the `--postgres` server and dropped afterwards), migrated to head, filled with bulk inserts of
random French-like names and birth dates; then `--lookups` searches of a random existing person
by the first three letters of the family name and the exact birth date, as typed at an urn.

    .venv/bin/python scripts/bench_roll_search.py
    .venv/bin/python scripts/bench_roll_search.py --entries 200000 \
        --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from budget.db import migrate, queries
from budget.db.engine import make_engine
from budget.db.tables import Cycle, RollEntry

NOW = dt.datetime(2027, 9, 1, 9, 0, tzinfo=dt.UTC)
GIVEN = (
    "Sofia", "Karim", "Louise", "Hugo", "Awa", "Jeanne", "Lucas", "Inès", "Nadia", "Paul",
    "Chloé", "Omar", "Léa", "Yanis", "Camille", "Mamadou", "Zoé", "Adam", "Emma", "Noah",
)  # fmt: skip
SYLLABLES = (
    "ma", "ben", "ali", "mar", "tin", "pe", "tit", "dia", "llo", "mo", "reau", "la",
    "fon", "tai", "ne", "ber", "nard", "du", "bois", "ro", "che", "fa", "ure", "gar",
)  # fmt: skip
BATCH = 10_000


def family(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def fill(engine: Engine, entries: int, rng: random.Random) -> tuple[int, list[tuple[str, dt.date]]]:
    """A roll-mode cycle with `entries` entries; returns it and a sample of (name, birth date)."""
    with Session(engine) as db:
        cycle = Cycle(
            name_fr="BP", name_en="PB", instance="2027", time_zone="Europe/Paris",
            currency="EUR", eligibility_mode="roll", district_mode="residence",
            reference_date=dt.date(2027, 9, 1), phase="voting", created_at=NOW,
        )  # fmt: skip
        db.add(cycle)
        db.commit()
        cycle_id = cycle.id or 0
    sample: list[tuple[str, dt.date]] = []
    start = dt.date(1920, 1, 1)
    with engine.begin() as connection:
        for first in range(0, entries, BATCH):
            rows = []
            for n in range(first, min(first + BATCH, entries)):
                name = family(rng)
                born = start + dt.timedelta(days=rng.randrange(365 * 90))
                rows.append({
                    "cycle_id": cycle_id, "source": "roll", "external_id": f"R{n}",
                    "given_name": rng.choice(GIVEN), "family_name": name, "birth_date": born,
                    "birth_year": born.year, "postal_address": "", "verified_by_provider": False,
                    "created_at": NOW, "updated_at": NOW,
                })  # fmt: skip
                if rng.random() < 0.01:
                    sample.append((name, born))
            connection.execute(insert(RollEntry), rows)
    return cycle_id, sample


def measure(engine: Engine, cycle_id: int, sample: list[tuple[str, dt.date]], lookups: int,
            rng: random.Random) -> list[float]:  # fmt: skip
    timings = []
    with Session(engine) as db:
        for _ in range(lookups):
            name, born = rng.choice(sample)
            begin = time.perf_counter()
            found = queries.search_entries(db, cycle_id, name=name[:3], birth_date=born)
            timings.append((time.perf_counter() - begin) * 1000)
            assert any(e.family_name == name for e in found)  # noqa: S101 - a benchmark's check
    return timings


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    name = f"bench_{secrets.token_hex(4)}"
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def run(url: str, entries: int, lookups: int) -> tuple[float, float, float]:
    rng = random.Random(17)  # noqa: S311 - reproducible data, not a secret
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        begin = time.perf_counter()
        cycle_id, sample = fill(engine, entries, rng)
        filled = time.perf_counter() - begin
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE roll_entry")
        timings = sorted(measure(engine, cycle_id, sample, lookups, rng))
    finally:
        engine.dispose()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    return statistics.median(timings), p99, filled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a database is made there)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        rows.append(("sqlite", *run(url, args.entries, args.lookups)))
    if args.postgres:
        with postgres_database(args.postgres) as url:
            rows.append(("postgresql", *run(url, args.entries, args.lookups)))
    print(f"roll search on {args.entries:,} entries, {args.lookups} lookups", end="")
    print(" (name prefix + birth date)")
    print(f"{'backend':<12} {'p50 ms':>8} {'p99 ms':>8} {'fill s':>8}")
    for backend, p50, p99, filled in rows:
        print(f"{backend:<12} {p50:>8.2f} {p99:>8.2f} {filled:>8.1f}")


if __name__ == "__main__":
    main()
