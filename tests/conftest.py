"""Shared test configuration: Hypothesis profiles; database fixtures on both backends; how
parallel workers (pytest-xdist, see scripts/test) share the tests out."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine
from sqlmodel import Session

from budget.db import migrate
from budget.db.engine import make_engine
from tests.databases import database_url

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# Tests under these paths run in one worker, in order: the browser tests share one server, the
# demo tests one loaded demo per backend (tests/services/conftest.py, loaded_demo).
ONE_WORKER = {"tests/browser/": "browser", "tests/services/test_demo": "demo"}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup`, grouped by folder (ONE_WORKER): every other test is handed out on its
    own to the next free worker, in collection order. (pytest-xdist 3.8 groups by the
    `xdist_group` mark by renaming items, which pytest 9 no longer sees, so it is not used.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByFolder(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            for folder, group in ONE_WORKER.items():
                if nodeid.startswith(folder):
                    return group
            return nodeid

    return ByFolder(config, log)


class Databases:
    """The migrated test database of each backend, made on first use and kept to the end of the
    session (then downgraded to base, which proves every migration can be undone).

    Kept apart from the parametrized `db_backend`, so a process that runs SQLite and PostgreSQL
    tests in turn (as pytest-xdist workers do) migrates each backend once, not at every switch.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._engines: dict[str, Engine] = {}
        self._stack = ExitStack()

    def engine(self, kind: str) -> Engine:
        if kind not in self._engines:
            url = self._stack.enter_context(database_url(kind, self._directory))
            engine = make_engine(url)
            migrate.upgrade(engine)  # the schema comes from the migrations, so they are tested
            self._stack.callback(engine.dispose)
            self._stack.callback(migrate.downgrade_to_base, engine)
            self._engines[kind] = engine
        return self._engines[kind]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("db"))
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="session", params=BACKENDS)
def db_backend(request: pytest.FixtureRequest, databases: Databases) -> Engine:
    """A migrated database per backend for the whole session (PostgreSQL: a fresh database of
    its own on the TEST_DATABASE_URL server, dropped at the end)."""
    return databases.engine(request.param)


@pytest.fixture
def db(db_backend: Engine) -> Iterator[Session]:
    """A session inside a transaction rolled back after the test: services may commit (that
    releases a savepoint), the database is left as it was found."""
    with db_backend.connect() as connection, connection.begin() as outer:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        outer.rollback()
