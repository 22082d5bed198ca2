"""A real browser at the demo's polling place (issue 17): the first officer enters a person not
yet on the roll and checks them in, opens a batch and enters it; the second officer enters the
same batch blind with one ballot read differently, sees the difference and corrects it, and the
batch is accepted. Every page has no axe-core violation (WCAG 2.1 AA) and no console error.
"""

from __future__ import annotations

import re
from typing import Final

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.axe import violations, with_axe
from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

OFFICERS: Final = (
    ("officer@demo.budget", "demo-officer-2027"),
    ("officer2@demo.budget", "demo-officer2-2027"),
)


def officer_page(server: DemoServer, browser: Browser, login: tuple[str, str]) -> Page:
    context: BrowserContext = with_axe(browser.new_context(locale="en-GB"))

    def local_only(route: Route) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{server.url}/login")
    page.get_by_label("Email address").fill(login[0])
    page.get_by_label("Password").fill(login[1])
    page.get_by_role("button", name="Sign in").click()
    english = page.get_by_role("button", name="English")
    if english.get_attribute("aria-pressed") == "false":
        english.click()
    return page


def checked(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], name


def test_a_check_in_and_a_double_entry_with_a_mismatch_to_acceptance(
    server: DemoServer, browser: Browser
) -> None:
    first = officer_page(server, browser, OFFICERS[0])
    first.goto(f"{server.url}/officer")
    checked(first, "shifts")
    first.get_by_role("link", name="Mairie du 18e").click()
    expect(first.get_by_role("heading", name="Mairie du 18e")).to_be_visible()
    checked(first, "place")

    # check-in: a person not on the roll (declared mode), entered on the spot, then checked in
    first.get_by_role("link", name="Check voters in").click()
    checked(first, "check-in")
    first.get_by_label("Given name", exact=True).fill("Nina")
    first.get_by_label("Family name", exact=True).fill("Rousseau")
    first.get_by_label("Birth date of the new entry").fill("1990-05-17")
    first.get_by_label("District of residence or work").select_option(index=1)
    first.get_by_role("button", name="Enter the declared entry").click()
    expect(first.get_by_role("heading", name=re.compile("Nina Rousseau"))).to_be_visible()
    checked(first, "found")
    first.get_by_role("button", name=re.compile("Record the check-in")).click()
    expect(first.get_by_role("status")).to_contain_text("The check-in was recorded")
    first.get_by_label("Family or given name").fill("rous")
    first.locator("#f-birth_date").fill("1990-05-17")
    first.get_by_role("button", name="Search").click()
    expect(first.get_by_text("No budget voted here is still open to this person.")).to_be_visible()

    # a batch of two ballots, side A
    first.get_by_role("link", name="Back to the polling place").click()
    first.get_by_label("Budget").select_option(label="All of Paris — approval")
    first.get_by_label("Number of ballots in the batch").fill("2")
    first.get_by_role("button", name="Open the batch").click()
    expect(first.get_by_text("You enter side A.")).to_be_visible()
    checked(first, "batch-a")
    batch_url = first.url.split("?")[0]
    first.get_by_text("Project numbers on this ballot").click()
    numbers = [text.split()[0] for text in first.locator(".project-numbers li").all_inner_texts()]
    first.get_by_label("Ballot #1", exact=True).fill(f"{numbers[0]} {numbers[1]}")
    first.keyboard.press("Tab")
    first.keyboard.type("-")
    first.keyboard.press("Enter")
    expect(first.get_by_role("status")).to_contain_text("Your entries were saved")
    expect(first.get_by_text("Your side is complete.")).to_be_visible()

    # side B, blind, with ballot #1 read differently
    second = officer_page(server, browser, OFFICERS[1])
    second.goto(batch_url)
    expect(second.get_by_text("You enter side B.")).to_be_visible()
    assert f"{numbers[0]} {numbers[1]}" not in second.content()
    second.get_by_label("Ballot #1", exact=True).fill(f"{numbers[0]} {numbers[2]}")
    second.get_by_label("Ballot #2", exact=True).fill("-")
    second.get_by_role("button", name="Save my entries").click()
    a = ",".join(sorted((numbers[0], numbers[1]), key=int))  # approval ballots: by number
    b = ",".join(sorted((numbers[0], numbers[2]), key=int))
    expect(second.get_by_text(f"#1: A {{{a}}}, B {{{b}}}")).to_be_visible()
    checked(second, "differences")

    # the wrong reading is B's: B corrects that number only, and the batch is accepted
    second.get_by_label("Your reading of ballot #1").fill(f"{numbers[1]} {numbers[0]}")
    second.get_by_role("button", name="Correct #1").click()
    expect(second.get_by_role("status")).to_contain_text("Both entries agree")
    expect(second.get_by_text("this batch is accepted")).to_be_visible()
    checked(second, "accepted")
    first.goto(batch_url)
    expect(first.get_by_text("this batch is accepted")).to_be_visible()
