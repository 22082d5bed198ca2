"""Shared test configuration: Hypothesis profiles; database fixtures on both backends."""

from __future__ import annotations

import os
from collections.abc import Iterator

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


@pytest.fixture(scope="session", params=BACKENDS)
def db_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database per backend for the whole session (PostgreSQL: a fresh database of
    its own on the TEST_DATABASE_URL server, dropped at the end)."""
    with database_url(request.param, tmp_path_factory.mktemp("db")) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)  # the schema comes from the migrations, so they are tested too
        try:
            yield engine
        finally:
            migrate.downgrade_to_base(engine)
            engine.dispose()


@pytest.fixture
def db(db_backend: Engine) -> Iterator[Session]:
    """A session inside a transaction rolled back after the test: services may commit (that
    releases a savepoint), the database is left as it was found."""
    with db_backend.connect() as connection, connection.begin() as outer:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        outer.rollback()
