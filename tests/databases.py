"""Test databases on both backends: a SQLite file, or a fresh PostgreSQL database of its own.

PostgreSQL comes from TEST_DATABASE_URL (a server and a database to connect to); each call
creates `test_<random>` there and drops it afterwards, so concurrent test runs never share
tables. Without TEST_DATABASE_URL the PostgreSQL tests skip, saying why.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

SKIP_REASON = "TEST_DATABASE_URL is not set: PostgreSQL tests need a server (see scripts/test)"


def postgres_server_url_or_skip() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(SKIP_REASON)
    return url


def _psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the server; dropped on exit."""
    name = f"test_{secrets.token_hex(6)}"
    admin = create_engine(_psycopg(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def database_url(kind: str, directory: Path) -> Iterator[str]:
    """A URL for an empty database of `kind` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'test_{secrets.token_hex(4)}.db'}"
        return
    with fresh_postgres_database(postgres_server_url_or_skip()) as url:
        yield url
