"""The engine: SQLite pragmas and transactions that nest; UTC times on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from budget.db.engine import make_engine
from budget.db.tables import Cycle


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        pragmas = [
            connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        ]
    assert pragmas == ["wal", 1, 5000, 2]
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
