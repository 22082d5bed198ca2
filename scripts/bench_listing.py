"""Benchmark the public proposal listing (search, filters, sort, one page) as a cycle grows.

The listing matches text in Python over title and summary (accent- and case-folded, the same on
both backends) rather than with SQL LIKE; this measures what that costs. Paris receives about
2,000-3,000 proposals a year; the table goes well past that. Each size gets a fresh SQLite
database in a temporary directory (or `--database-url`, emptied first, for PostgreSQL), filled
with bulk inserts, then each query shape is timed (median of `--repeat` runs, milliseconds).

    .venv/bin/python scripts/bench_listing.py
    .venv/bin/python scripts/bench_listing.py --sizes 1000 20000 --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlmodel import Session

from budget.db import migrate, queries
from budget.db.engine import make_engine
from budget.db.queries.proposals import ProposalFilters
from budget.db.tables import Account, Budget, Category, Cycle, Proposal
from budget.domain.proposals import ProposalStatus

NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
WORDS = ("arbres", "école", "piste cyclable", "jardin", "banc", "fontaine", "éclairage", "mur")
STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.ON_BALLOT)


def fill(engine: Engine, size: int) -> tuple[int, int]:
    """A cycle with one budget, 8 categories and `size` public proposals; (cycle, category)."""
    with Session(engine) as db:
        cycle = Cycle(
            name_fr="BP", name_en="PB", instance="2027", time_zone="Europe/Paris",
            currency="EUR", eligibility_mode="declared", district_mode="choice",
            reference_date=dt.date(2027, 1, 1), phase="review", created_at=NOW,
        )  # fmt: skip
        unusable = "!"  # no argon2 hash: this account can never sign in
        account = Account(
            email="a@example.org", password_hash=unusable, display_name="A", language="fr",
            created_at=NOW,
        )  # fmt: skip
        db.add_all([cycle, account])
        db.flush()
        budget = Budget(
            cycle_id=cycle.id or 0,
            name_fr="Tout",
            name_en="All",
            scope="city",
            amount=10**10,
            currency="EUR",
        )
        categories = [
            Category(cycle_id=cycle.id or 0, code=f"c{k}", name_fr=f"C{k}", name_en=f"C{k}")
            for k in range(8)
        ]
        db.add_all([budget, *categories])
        db.flush()
        rows = [
            {
                "cycle_id": cycle.id,
                "budget_id": budget.id,
                "category_id": categories[k % 8].id,
                "title": f"Proposition {k}: {WORDS[k % 8]} rue {k % 97}",
                "summary": f"Des {WORDS[(k * 3) % 8]} pour le quartier {k % 20}, près du n° {k}.",
                "description": "",
                "language": "fr",
                "status": STATUSES[k % 3],
                "created_by": account.id,
                "created_at": NOW,
                "submitted_at": NOW + dt.timedelta(minutes=k),
            }
            for k in range(size)
        ]
        db.execute(insert(Proposal), rows)
        db.commit()
        return cycle.id or 0, categories[3].id or 0


def median_ms(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(engine: Engine, size: int, repeat: int) -> dict[str, float]:
    cycle_id, category_id = fill(engine, size)
    shapes = {
        "first page, newest": ProposalFilters(),
        "text 'ecole' (matches 'école')": ProposalFilters(text="ecole"),
        "text, no match": ProposalFilters(text="zzzz"),
        "category + status": ProposalFilters(
            category_id=category_id, status=ProposalStatus.ON_BALLOT
        ),
        "random order, page 3": ProposalFilters(sort="random", seed="visitor-seed"),
    }
    results = {}
    with Session(engine) as db:
        for name, filters in shapes.items():
            page = 3 if filters.sort == "random" else 1

            def listing(f: ProposalFilters = filters, p: int = page) -> object:
                return queries.search_proposals(db, cycle_id, f, page=p)

            results[name] = median_ms(listing, repeat)
    return results


def fresh_engine(url: str | None, directory: Path, size: int) -> Engine:
    if url is None:
        engine = make_engine(f"sqlite:///{directory / f'listing-{size}.sqlite3'}")
    else:
        engine = make_engine(url)
        migrate.downgrade_to_base(engine)
    migrate.upgrade(engine)
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000, 20_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied first); default SQLite")
    args = parser.parse_args()
    table: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        for size in args.sizes:
            engine = fresh_engine(args.database_url, Path(directory), size)
            table[size] = measure(engine, size, args.repeat)
            engine.dispose()
    shapes = list(next(iter(table.values())))
    print("| query (one page of 20) | " + " | ".join(f"{s:,} proposals" for s in table) + " |")
    print("|---|" + "---|" * len(table))
    for shape in shapes:
        print(f"| {shape} | " + " | ".join(f"{table[s][shape]:.1f} ms" for s in table) + " |")


if __name__ == "__main__":
    main()
