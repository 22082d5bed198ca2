"""make_engine(url): the one way to reach the database.

SQLite: WAL (readers never wait for the writer), foreign keys on, `busy_timeout` so writers
queue instead of failing, `synchronous=FULL` (an acknowledged commit survives power loss, T8),
and SQLAlchemy's pysqlite recipe: the driver's own transaction handling is switched off and
SQLAlchemy emits `BEGIN IMMEDIATE` itself, so savepoints work and a transaction takes the write
lock at its start (a deferred transaction that reads then writes would fail at once instead of
waiting). PostgreSQL: psycopg 3 with a bounded pool that answers quickly when exhausted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 5000
POOL_SIZE = 5
POOL_OVERFLOW = 5
POOL_TIMEOUT_S = 10


def make_engine(url: str) -> Engine:
    """An engine for `sqlite:///path` or `postgresql://...` (psycopg 3 is used for the latter)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,
        hide_parameters=True,  # T12: logged SQL never shows values (mailed tokens, addresses)
    )


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        hide_parameters=True,  # T12: logged SQL never shows values (mailed tokens, addresses)
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, begins transactions
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
            "PRAGMA synchronous=FULL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
