"""Results survive a database dump and restore byte for byte, and a second count gives the same
bytes (issue 18, "How it is proven"): SQLite through the backup API and through `iterdump`,
PostgreSQL through `pg_dump | psql` into a fresh database. Real commits, so a database of its
own per backend (tests/databases.py)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session

from budget.db import migrate, queries
from budget.db.engine import make_engine
from budget.db.tables import BudgetCount, ClosedBox
from budget.services import results
from tests.databases import database_url, fresh_postgres_database, postgres_server_url_or_skip
from tests.services.results_setup import AFTER, counted_cycle

Snapshot = dict[int, tuple[bytes, bytes, str]]  # budget -> (box, results.json, its SHA-256)


def counted(url: str) -> tuple[int, Snapshot]:
    """A cycle voted by 12 voters in each budget, closed and counted, committed at `url`."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as db:
        voted = counted_cycle(db, voters=12)
        council = voted.opened.council
        db.commit()
        found = snapshot(db, list(voted.opened.budgets.values()))
    engine.dispose()
    return council, found


def snapshot(db: Session, budget_ids: list[int]) -> Snapshot:
    found: Snapshot = {}
    for budget_id in budget_ids:
        box, count = db.get(ClosedBox, budget_id), db.get(BudgetCount, budget_id)
        assert box is not None
        assert count is not None
        found[budget_id] = (box.box, count.result, count.sha256)
    return found


def check_restored(url: str, council: int, before: Snapshot) -> None:
    """The restored database holds the same bytes; recounting them, and counting again, gives
    the same results document; `budget verify --budget` finds nothing."""
    engine = make_engine(url)
    with Session(engine) as db:
        assert snapshot(db, list(before)) == before
        for budget_id, (_, document, digest) in before.items():
            box = db.get(ClosedBox, budget_id)
            assert box is not None
            assert results.result_document(box) == document  # a second count, same bytes
            again = results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id)
            assert again == digest
            assert results.verify_budget(db, budget_id) is None
            view = queries.budget_results(db, budget_id)
            assert view is not None
            assert view.result_sha256 == digest
        db.rollback()
    engine.dispose()


def test_sqlite_results_are_byte_identical_after_backup_and_after_iterdump(
    tmp_path: Path,
) -> None:
    with database_url("sqlite", tmp_path) as url:
        council, before = counted(url)
        source = make_url(url).database
        assert source is not None
        backup, dumped = tmp_path / "backup.db", tmp_path / "dumped.db"
        with sqlite3.connect(source) as original, sqlite3.connect(backup) as copy:
            original.backup(copy)
        with sqlite3.connect(source) as original, sqlite3.connect(dumped) as copy:
            copy.executescript("\n".join(original.iterdump()))
        for restored in (backup, dumped):
            check_restored(f"sqlite:///{restored}", council, before)


@pytest.mark.postgres
def test_postgresql_results_are_byte_identical_after_pg_dump_and_psql(tmp_path: Path) -> None:
    server = postgres_server_url_or_skip()
    pg_dump, psql = shutil.which("pg_dump"), shutil.which("psql")
    if pg_dump is None or psql is None:
        pytest.skip("pg_dump and psql are needed to dump and restore")
    with database_url("postgresql", tmp_path) as url:
        council, before = counted(url)
        dump = subprocess.run(  # noqa: S603 (the PostgreSQL client tools, fixed arguments)
            [pg_dump, "--no-owner", "--dbname", url], check=True, capture_output=True
        ).stdout
        with fresh_postgres_database(server) as restored:
            subprocess.run(  # noqa: S603 (the PostgreSQL client tools, fixed arguments)
                [psql, "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", restored],
                input=dump, check=True, capture_output=True,
            )  # fmt: skip
            check_restored(restored, council, before)
