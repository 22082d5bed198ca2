"""make_engine(url): the one way to reach the database.

SQLite: WAL (readers never wait for the writer, nor the writer for readers), foreign keys on,
`busy_timeout` so writers queue instead of failing, `synchronous=FULL` (an acknowledged commit
survives power loss, T8), and SQLAlchemy's pysqlite recipe: the driver's own transaction
handling is switched off and SQLAlchemy emits `BEGIN` itself, so savepoints work. A read
begins deferred (`BEGIN`): it takes no lock, so a page being read never blocks a writer. A
session that will write says so first (`for_writing(db)`): it begins `BEGIN IMMEDIATE` and takes
the write lock at its start, queueing behind another writer for up to `busy_timeout` (a deferred
transaction that reads then writes would instead fail at once with "database is locked" when
another write committed in between). PostgreSQL: psycopg 3 with a bounded pool that answers
quickly when exhausted; `for_writing` changes nothing there.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

BUSY_TIMEOUT_MS = 15_000  # a writer queues this long behind others before giving up
POOL_SIZE = 5
POOL_OVERFLOW = 5
POOL_TIMEOUT_S = 10
MAX_CONNECTIONS: Final = POOL_SIZE + POOL_OVERFLOW  # what the web app hands out at once
WRITES: Final = "budget_writes"  # the connection option `for_writing` sets


def for_writing(db: Session) -> Session:
    """Mark the session's transaction as a writer, before its first statement (SQLite: BEGIN
    IMMEDIATE). Every service call that may write goes through it (web/transactions.perform,
    the CLI); reads do not, and begin deferred."""
    db.connection(execution_options={WRITES: True})
    return db


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
        writes = connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine
