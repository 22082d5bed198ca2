"""Fixtures of the resilience tests: a fresh PostgreSQL database (skipped without
TEST_DATABASE_URL) with a cycle open for voting now and voters signed in, and its secret key."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import fresh_postgres_database, postgres_server_url_or_skip
from tests.resilience import rig

VOTERS = 120


@dataclass(frozen=True)
class Prepared:
    url: str
    secret_key: str
    voting: rig.Voting


@pytest.fixture(scope="module")
def prepared() -> Iterator[Prepared]:
    """One per module: its tests use voters and budgets apart (see each module)."""
    server = postgres_server_url_or_skip()
    secret_key = rig.new_secret_key()
    with fresh_postgres_database(server) as url:
        yield Prepared(url, secret_key, rig.prepare(url, secret_key, VOTERS))


@pytest.fixture(scope="module")
def nginx() -> str:
    """Debian's nginx (.ci/run installs it when missing)."""
    if not os.access(rig.NGINX, os.X_OK):
        if os.environ.get("BUDGET_REQUIRE_NGINX"):
            pytest.fail(f"{rig.NGINX} is missing and BUDGET_REQUIRE_NGINX is set")
        pytest.skip(f"{rig.NGINX} is missing: apt-get install nginx (.ci/run does)")
    return rig.NGINX


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deployment")
