"""One real server and one Chromium for all the browser tests of a run.

The server is `budget serve` on a free 127.0.0.1 port over a temporary SQLite database filled by
`budget demo`, plus a second cycle open for proposals (the demo's cycle is in review), added
through the services before the server starts. Chromium is Debian's (/usr/bin/chromium):
Playwright cannot download its own here. Without it these tests skip, unless
BUDGET_REQUIRE_BROWSER=1 (CI), where they fail.

With pytest-xdist (`--dist loadgroup`) the browser tests all run in one worker (ONE_WORKER in
tests/conftest.py), which starts this server once. Chromium is launched once per module: the
Playwright session keeps an event loop running, which `asyncio.run` in later tests refuses.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlmodel import Session

from budget import cli
from budget.db import queries
from budget.db.engine import make_engine
from budget.domain.cycle import Phase
from budget.services import budgets, cycles
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm

CHROMIUM = Path("/usr/bin/chromium")
KEY = "browser-test-secret-key-0123456789-abcdefghijklmnop"


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("BUDGET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and BUDGET_REQUIRE_BROWSER=1")
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(
    url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310 (our loopback server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on {url} within {seconds} s")


def open_cycle_for_proposals(database_url: str) -> int:
    """A cycle in the submission phase with one city-wide budget, made by the demo council."""
    engine = make_engine(database_url)
    now = dt.datetime.now(dt.UTC)
    try:
        with Session(engine) as db:
            council = queries.find_account(db, "council@demo.budget")
            assert council is not None
            form = CycleForm(
                name_fr="Budget participatif 2028", name_en="Participatory budget 2028",
                instance="2028", time_zone="Europe/Paris", currency="EUR",
                eligibility_mode="declared", district_mode="choice", min_age=None,
                reference_date=dt.date(2028, 9, 1),
            )  # fmt: skip
            cycle_id = cycles.create_cycle(db, now, actor_id=council.id, form=form)
            budget = BudgetForm(
                name_fr="Tout Paris", name_en="All of Paris", scope="city", district_id=None,
                amount=10_000_000_00,
            )  # fmt: skip
            budgets.create_budget(db, now, actor_id=council.id, cycle_id=cycle_id, form=budget)
            window = (now, now + dt.timedelta(days=30))
            cycles.set_schedule(
                db, now, actor_id=council.id, cycle_id=cycle_id, dates={Phase.SUBMISSION: window}
            )
            cycles.advance_phase(
                db, now, actor_id=council.id, cycle_id=cycle_id, target=Phase.SUBMISSION
            )
            db.commit()
            return cycle_id
    finally:
        engine.dispose()


@dataclass(frozen=True)
class DemoServer:
    url: str
    open_cycle_id: int  # the cycle open for proposals, beside the demo's
    database_url: str = ""  # the server's database, for set-ups made through the services


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    require_chromium()
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'budget.sqlite3'}"
    env = {
        **os.environ,
        "BUDGET_ENV": "development",
        "SECRET_KEY": KEY,
        "DATABASE_URL": database_url,
    }
    with pytest.MonkeyPatch.context() as patch:
        for name in ("BUDGET_ENV", "SECRET_KEY", "DATABASE_URL"):
            patch.setenv(name, env[name])
        assert cli.main(["migrate"]) == 0
        assert cli.main(["demo"]) == 0
    cycle_id = open_cycle_for_proposals(database_url)
    port = free_port()
    command = [sys.executable, "-m", "budget.cli", "serve", "--port", str(port)]
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own program, fixed arguments)
            command, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, process, log)
            yield DemoServer(url, cycle_id, database_url)
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server: DemoServer) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
