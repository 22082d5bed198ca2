"""Fixtures for the security tests: the web fixtures (tests/webapp.py), the objects the route
matrices share (tests/security/matrix.py), and a database of its own for tests that need real
commits (tampering, concurrency, a full journey)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from budget.db import migrate
from budget.db.engine import make_engine
from tests.conftest import BACKENDS
from tests.databases import database_url
from tests.security.matrix import ids, seed, seeded_db, seeded_roles
from tests.webapp import web, web_apps

__all__ = ["fresh_url", "ids", "seed", "seeded_db", "seeded_roles", "web", "web_apps"]

CLI_SECRET_KEY = "k7Hq2vPz9LmN4xR8sT1wY6bC3dF5gJ0aE-uIoQ"


@pytest.fixture(params=BACKENDS)
def fresh_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A migrated database of its own on each backend, which the CLI is configured to use
    (DATABASE_URL, a production SECRET_KEY); dropped afterwards."""
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("SECRET_KEY", CLI_SECRET_KEY)
        monkeypatch.setenv("BUDGET_ENV", "production")
        yield url
