"""The engine: SQLite pragmas and transactions that nest; UTC times on both backends."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from budget.db.engine import for_writing, make_engine
from budget.db.tables import Cycle


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        pragmas = [
            connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        ]
    assert pragmas == ["wal", 1, 15_000, 2]
    engine.dispose()


def test_sqlite_savepoints_roll_back_alone(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'y.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        nested = connection.begin_nested()
        connection.execute(text("INSERT INTO t VALUES (2)"))
        nested.rollback()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t")).scalars().all() == [1]
    engine.dispose()


def test_postgresql_urls_use_psycopg_3() -> None:
    engine = make_engine("postgresql://user@localhost:5432/budget")
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool.size() == 5  # type: ignore[attr-defined]
    engine.dispose()


def test_times_come_back_as_aware_utc(db: Session) -> None:
    paris = datetime(2027, 3, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    row = Cycle(
        name_fr="a", name_en="a", instance="t", time_zone="Europe/Paris", currency="EUR",
        eligibility_mode="declared", district_mode="choice", reference_date=date(2027, 1, 1),
        phase="draft", created_at=paris,
    )  # fmt: skip
    db.add(row)
    db.flush()
    db.expire_all()
    stored = db.get(Cycle, row.id)
    assert stored is not None
    assert stored.created_at == paris
    assert stored.created_at.tzinfo == UTC


def test_naive_times_are_refused(db: Session) -> None:
    row = Cycle(
        name_fr="a", name_en="a", instance="naive", time_zone="Europe/Paris", currency="EUR",
        eligibility_mode="declared", district_mode="choice", reference_date=date(2027, 1, 1),
        phase="draft", created_at=datetime(2027, 1, 1),  # noqa: DTZ001 - the point of the test
    )  # fmt: skip
    db.add(row)
    with pytest.raises(StatementError, match="naive datetime"):
        db.flush()


def test_a_read_held_open_never_stops_a_write_from_committing(tmp_path: Path) -> None:
    """Reads begin deferred (no lock), writes immediate: a page still reading while someone
    saves a form must not make the save fail with "database is locked" (as it did when every
    transaction began IMMEDIATE, readers included)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    with for_writing(Session(engine)) as setup:
        setup.execute(text("CREATE TABLE t (n INTEGER)"))
        setup.execute(text("INSERT INTO t VALUES (1)"))
        setup.commit()
    with Session(engine) as reader:
        assert reader.execute(text("SELECT count(*) FROM t")).scalar_one() == 1  # read open
        started = time.monotonic()
        with for_writing(Session(engine)) as writer:
            writer.execute(text("INSERT INTO t VALUES (2)"))
            writer.commit()
        assert time.monotonic() - started < 1  # it did not wait for the reader
        assert reader.execute(text("SELECT count(*) FROM t")).scalar_one() == 1  # its snapshot
    with Session(engine) as later:
        assert later.execute(text("SELECT count(*) FROM t")).scalar_one() == 2
    engine.dispose()


def test_a_writer_takes_the_lock_at_its_start(tmp_path: Path) -> None:
    """`for_writing` begins IMMEDIATE: a second writer waits at BEGIN (here: gives up after a
    short busy timeout) instead of reading first and failing later, half done."""
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with for_writing(Session(engine)) as setup:
        setup.execute(text("CREATE TABLE t (n INTEGER)"))
        setup.commit()
    with for_writing(Session(engine)) as first:
        first.execute(text("SELECT 1"))  # only a read so far, yet it holds the write lock
        other = sqlite3.connect(tmp_path / "w.db", timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN")  # a reader is not refused
        assert other.execute("SELECT count(*) FROM t").fetchone() == (0,)
        other.close()
    with Session(engine) as reader:
        reader.execute(text("SELECT 1"))
        other = sqlite3.connect(tmp_path / "w.db", timeout=0.1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # a plain read session holds no write lock
        other.close()
    engine.dispose()
