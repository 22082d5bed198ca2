"""A real browser publishes results (issue 18): a council member closes a cycle whose vote has
ended, counts its budget and confirms the count with their password; a second council member
confirms too; the cycle is certified and published; a visitor reads the results page. Every
page on the way has no axe-core violation (WCAG 2.1 AA)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from budget.db import queries
from budget.db.engine import make_engine
from budget.db.tables import RollEntry
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.domain.validation import Ballot
from budget.services import budgets, cycles, decisions, proposals, voting
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm
from tests.browser.axe import violations, with_axe
from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

COUNCIL: Final = ("council@demo.budget", "demo-council-2027")
SECOND: Final = ("council2@demo.budget", "demo-council2-2027")
KEYS: Final = voting.VotingKeys(link=b"b" * 32, receipt=b"c" * 32)
VOTERS: Final = 12


def ended_vote(database_url: str) -> tuple[int, int]:
    """A cycle whose voting window ended an hour ago, with 12 ballots on its one budget, made
    through the services; (cycle, budget)."""
    engine = make_engine(database_url)
    now, day = dt.datetime.now(dt.UTC), dt.timedelta(days=1)
    try:
        with Session(engine) as db:
            council = queries.find_account(db, COUNCIL[0])
            author = queries.find_account(db, "resident@demo.budget")
            assert council is not None
            assert author is not None
            form = CycleForm(
                name_fr="Budget participatif 2025", name_en="Participatory budget 2025",
                instance="2025", time_zone="Europe/Paris", currency="EUR",
                eligibility_mode="declared", district_mode="choice", min_age=None,
                reference_date=dt.date(2025, 1, 1),
            )  # fmt: skip
            cycle = cycles.create_cycle(db, now, actor_id=council.id, form=form)
            budget = budgets.create_budget(
                db, now, actor_id=council.id, cycle_id=cycle,
                form=BudgetForm(
                    name_fr="Parcs", name_en="Parks", scope="city", district_id=None,
                    amount=100_000_00, ballot_type=BallotType.APPROVAL,
                    limits=BallotLimits(max_choices=2), rule="greedy",
                    tie_break="more-votes,lower-cost,lottery",
                ),
            )  # fmt: skip
            cycles.set_schedule(
                db, now, actor_id=council.id, cycle_id=cycle,
                dates={Phase.SUBMISSION: (now - 9 * day, now - 8 * day),
                       Phase.REVIEW: (now - 7 * day, now - 6 * day),
                       Phase.VOTING: (now - 5 * day, now - dt.timedelta(hours=1))},
            )  # fmt: skip
            cycles.advance_phase(
                db, now, actor_id=council.id, cycle_id=cycle, target=Phase.SUBMISSION
            )
            ideas = []
            for title, cost in (("Shade trees", 60_000_00), ("Benches", 30_000_00),
                                ("A fountain", 50_000_00)):  # fmt: skip
                made = proposals.create_proposal(
                    db, now, author_id=author.id, budget_id=budget, title=title,
                    summary="For the park.",
                )  # fmt: skip
                proposals.submit_proposal(db, now, actor_id=author.id, proposal_id=made)
                ideas.append((made, cost))
            cycles.advance_phase(db, now, actor_id=council.id, cycle_id=cycle, target=Phase.REVIEW)
            for made, cost in ideas:
                decisions.decide_proposal(
                    db, now, actor_id=council.id, proposal_id=made, feasible=True,
                    final_cost=cost,
                )  # fmt: skip
            cycles.advance_phase(db, now, actor_id=council.id, cycle_id=cycle, target=Phase.VOTING)
            for n in range(VOTERS):
                entry = RollEntry(cycle_id=cycle, source="declared", birth_year=1980,
                                  created_at=now, updated_at=now)  # fmt: skip
                db.add(entry)
                db.flush()
                assert entry.id is not None
                chosen = (ideas[n % 3][0], ideas[(n + 1) % 3][0]) if n % 2 else (ideas[0][0],)
                voting.cast_ballot(
                    db, now - 2 * day, keys=KEYS,
                    voter=voting.Voter(entry.id, voting.Channel.CODE, None), budget_id=budget,
                    ballot=Ballot(tuple(sorted(chosen))), form_key=voting.new_form_key(),
                )  # fmt: skip
            db.commit()
            return cycle, budget
    finally:
        engine.dispose()


def clean(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], name


def sign_in(page: Page, url: str, who: tuple[str, str]) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email address").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Sign in").click()
    english = page.get_by_role("button", name="English")
    if english.get_attribute("aria-pressed") == "false":
        english.click()


def confirm(page: Page, url: str, budget: int, password: str) -> None:
    page.goto(f"{url}/admin/budgets/{budget}/results")
    clean(page, "results desk")
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="I confirm this count").click()
    expect(page.locator("main")).to_contain_text(re.compile("You confirmed|Certified by"))


def test_close_count_certify_by_two_members_publish_and_read(
    server: DemoServer, browser: Browser
) -> None:
    cycle, budget = ended_vote(server.database_url)
    context = with_axe(browser.new_context(locale="en-GB"))
    page = context.new_page()
    sign_in(page, server.url, COUNCIL)
    page.goto(f"{server.url}/admin/cycles/{cycle}")
    page.get_by_role("button", name="Move to: Closed").click()
    expect(page.get_by_role("heading", name="Phase: Closed")).to_be_visible()
    clean(page, "closed cycle")
    page.goto(f"{server.url}/admin/budgets/{budget}/results")
    clean(page, "sealed box")
    page.get_by_role("button", name="Count with the locked rule").click()
    expect(page.get_by_role("heading", name="Computed outcome")).to_be_visible()
    confirm(page, server.url, budget, COUNCIL[1])
    visitor = browser.new_context(locale="en-GB").new_page()
    before = visitor.goto(f"{server.url}/budgets/{budget}/results")
    assert before is not None
    assert before.status == 404  # not published yet: not even its existence shows
    context.clear_cookies()

    sign_in(page, server.url, SECOND)
    confirm(page, server.url, budget, SECOND[1])
    expect(page.locator("main")).to_contain_text("Certified by")
    page.goto(f"{server.url}/admin/cycles/{cycle}")
    page.get_by_role("button", name="Move to: Certified").click()
    expect(page.get_by_role("heading", name="Phase: Certified")).to_be_visible()
    page.get_by_role("button", name="Publish the results of every budget").click()
    context.clear_cookies()

    page.goto(f"{server.url}/budgets/{budget}/results")
    expect(page.get_by_role("heading", name="Results: Parks")).to_be_visible()
    expect(page.locator("main")).to_contain_text("For information: the locked rule decides.")
    expect(page.locator("main")).to_contain_text("Certified by")
    expect(page.get_by_role("img", name="Votes per project")).to_be_visible()
    clean(page, "public results")
    context.close()
