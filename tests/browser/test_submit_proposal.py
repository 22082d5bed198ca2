"""A real browser against a real server: a resident signs in, writes a proposal through the
form (previewing its Markdown), saves the draft, submits it, and a signed-out visitor then
reads it on its public page. With JavaScript (htmx swaps the preview in) and without.

The server is set up as in test_smoke.py (`budget demo` into a temporary SQLite database, then
`budget serve`); the demo's cycle is in review, so a second cycle open for proposals is added
through the services before the server starts.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from budget import cli
from budget.db import queries
from budget.db.engine import make_engine
from budget.domain.cycle import Phase
from budget.services import budgets, cycles
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm
from tests.browser.test_smoke import CHROMIUM, KEY, free_port, require_chromium, wait_until_up

RESIDENT = ("resident@demo.budget", "demo-resident-2027")

pytestmark = pytest.mark.browser


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
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
            yield url, cycle_id
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server: tuple[str, int]) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def watch(page: Page) -> list[str]:
    """Script errors and CSP violations reported by the page."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_resident_submits_a_proposal_that_becomes_public(
    server: tuple[str, int], browser: Browser, javascript: bool
) -> None:
    url, cycle_id = server
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    problems = watch(page)

    page.goto(url)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(RESIDENT[0])
    page.get_by_label("Password").fill(RESIDENT[1])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="English").click()

    page.goto(f"{url}/cycles/{cycle_id}")
    page.get_by_role("link", name="Propose a project").click()
    assert page.get_by_role("heading", name="Propose a project").is_visible()
    title = f"Shade sails for the playground ({'htmx' if javascript else 'no-js'})"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("Shade over the sandpit, so children can play in July.")
    page.get_by_label("Description").fill("## Why\n\nThe sandpit is **too hot** by noon.")
    # htmx swaps the preview in place; without JavaScript the form comes back with it, kept
    if javascript:
        page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Preview the description").click()
    expect(page.locator("#preview strong")).to_have_text("too hot")
    expect(page.get_by_label("Title")).to_have_value(title)
    if javascript:  # no navigation happened: the preview was swapped in
        assert page.evaluate("window.stillTheSamePage") is True
    page.get_by_label("Address or place").fill("Square des Lilas")
    page.get_by_label("Your cost estimate").fill("45 000")
    page.get_by_role("button", name="Save the draft").click()

    expect(page.get_by_text("Your draft was saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_role("button", name="Submit the proposal").click()
    expect(page.get_by_text("Your proposal was submitted: it is now public.")).to_be_visible()
    proposal_url = page.url.split("?")[0]

    page.get_by_role("link", name="My proposals").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    assert problems == []
    context.close()

    visitor = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    public = visitor.new_page()
    response = public.goto(proposal_url)
    assert response is not None
    assert response.status == 200
    expect(public.get_by_role("heading", name=title)).to_be_visible()
    expect(public.locator(".prose strong")).to_have_text("too hot")
    expect(public.get_by_text("submitted", exact=True).first).to_be_visible()
    visitor.close()
