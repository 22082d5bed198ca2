"""What people met in the browser (issue 14), where it happens in the browser: the phone layout,
the unread badge's contrast, Back after an htmx search, the look of a removal, and axe-core
(WCAG 2.1 AA) on the pages these fixes touch, the map's attribution included. The page-level
facts (links, texts, forms) are tested with the test client in tests/web/test_usability.py.

Pages are checked under the CSP they are served with (axe comes as an init script). Requests
to anything but the test server (map tiles) are refused, so no test reaches the network.
Screenshots of every checked page go to $BUDGET_SCREENSHOTS when it names a directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.axe import violations
from tests.browser.conftest import DemoServer, local_context

pytestmark = pytest.mark.browser

PHONE: Final = {"width": 390, "height": 844}
DESKTOP: Final = {"width": 1280, "height": 900}
COUNCIL: Final = ("council@demo.budget", "demo-council-2027")
REVIEWER: Final = ("reviewer@demo.budget", "demo-reviewer-2027")
RESIDENT: Final = ("resident@demo.budget", "demo-resident-2027")
DEMO_CYCLE: Final = 1  # `budget demo` loads one cycle, in review, into the empty database
BRAND: Final = "rgb(11, 79, 156)"  # --brand: the main action's colour


def open_context(browser: Browser, server: DemoServer, viewport: dict[str, int]) -> BrowserContext:
    return local_context(browser, server, viewport)


@pytest.fixture
def phone(browser: Browser, server: DemoServer) -> Iterator[BrowserContext]:
    context = open_context(browser, server, PHONE)
    yield context
    context.close()


@pytest.fixture
def desktop(browser: Browser, server: DemoServer) -> Iterator[BrowserContext]:
    context = open_context(browser, server, DESKTOP)
    yield context
    context.close()


def sign_in(page: Page, server: DemoServer, login: tuple[str, str]) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email address").fill(login[0])
    page.get_by_label("Password").fill(login[1])
    page.get_by_role("button", name="Sign in").click()
    english = page.get_by_role("button", name="English")
    if english.get_attribute("aria-pressed") == "false":  # the demo council reads French
        english.click()


def checked(page: Page, name: str) -> None:
    """No axe violation on the page as it is now, and its screenshot when asked for."""
    page.wait_for_load_state("networkidle")
    folder = os.environ.get("BUDGET_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"] if page.viewport_size else 0
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    assert violations(page) == [], name


def top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] + (page.evaluate("window.scrollY") or 0)


def luminance(css: str) -> float:
    red, green, blue = (int(n) / 255 for n in re.findall(r"\d+", css)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# -- on a phone -----------------------------------------------------------------------------------


def test_on_a_phone_the_proposals_and_the_main_button_come_first(
    server: DemoServer, phone: BrowserContext
) -> None:
    page = phone.new_page()
    page.goto(f"{server.url}/cycles/{DEMO_CYCLE}/proposals")
    assert top(page, ".proposal-list > li") < PHONE["height"]  # on the first screen
    expect(page.get_by_label("Search the titles and summaries")).to_be_visible()
    expect(page.get_by_label("District")).to_be_hidden()  # folded away until asked for
    checked(page, "proposals")
    page.get_by_text("Filter by budget, district, category or status").click()
    expect(page.get_by_label("District")).to_be_visible()
    checked(page, "proposals-filters-open")

    page.goto(server.url)
    assert top(page, "main a.button") < PHONE["height"]
    checked(page, "home")


# -- htmx and Back ---------------------------------------------------------------------------------


def test_back_after_an_htmx_search_shows_the_search_that_url_asked_for(
    server: DemoServer, desktop: BrowserContext
) -> None:
    page = desktop.new_page()
    page.goto(f"{server.url}/cycles/{DEMO_CYCLE}/proposals")
    search = page.get_by_label("Search the titles and summaries")
    heading = page.locator("#results-title")
    everything = heading.inner_text()
    search.fill("jardin")
    page.wait_for_url(re.compile(r"q=jardin"))
    expect(heading).not_to_have_text(everything)
    for_jardin = heading.inner_text()
    search.fill("piscine")
    page.wait_for_url(re.compile(r"q=piscine"))
    expect(heading).not_to_have_text(for_jardin)

    page.go_back()
    page.wait_for_url(re.compile(r"q=jardin(&|$)"))
    expect(search).to_have_value("jardin")
    expect(heading).to_have_text(for_jardin)
    page.go_back()
    page.wait_for_url(re.compile(r"/proposals$"))
    expect(search).to_have_value("")
    expect(heading).to_have_text(everything)
    checked(page, "proposals-after-back")


# -- the map ---------------------------------------------------------------------------------------


def test_the_maps_attribution_link_reads_as_a_link(
    server: DemoServer, desktop: BrowserContext
) -> None:
    page = desktop.new_page()
    page.goto(f"{server.url}/cycles/{DEMO_CYCLE}/proposals/map")
    link = page.locator(".leaflet-control-attribution a").first
    expect(link).to_be_visible()
    assert "underline" in link.evaluate("a => getComputedStyle(a).textDecorationLine")
    checked(page, "map")  # axe's link-in-text-block among the rest


# -- a resident submits, the council assigns and removes, the reviewer is told -----------------


def submit_a_proposal(browser: Browser, server: DemoServer, title: str) -> None:
    """Through the form and the confirmation step, in the cycle open for proposals."""
    context = open_context(browser, server, DESKTOP)
    page = context.new_page()
    sign_in(page, server, RESIDENT)
    page.goto(f"{server.url}/cycles/{server.open_cycle_id}/proposals/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("Benches in the shade, for the elderly.")
    page.get_by_label("Address or place").fill("Place des Fêtes")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("link", name="Submit the proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Submit “{title}”?")
    checked(page, "confirm-submit")
    page.get_by_role("button", name="Yes, submit the proposal").click()
    expect(page.get_by_text("Your proposal was submitted: it is now public.")).to_be_visible()
    checked(page, "proposal")
    context.close()


def test_removals_look_secondary_and_the_reviewer_finds_the_work(
    server: DemoServer, browser: Browser
) -> None:
    title = "Benches for the Place des Fêtes"
    submit_a_proposal(browser, server, title)
    cycle = server.open_cycle_id
    context = open_context(browser, server, DESKTOP)
    council = context.new_page()
    sign_in(council, server, COUNCIL)
    council.goto(f"{server.url}/admin/cycles/{cycle}/committees")
    council.get_by_label("Name").fill("Parcs et jardins")
    council.get_by_role("button", name="Create the committee").click()
    council.get_by_label("Add a reviewer").first.select_option(
        label="Demo Reviewer (reviewer@demo.budget)"
    )
    council.get_by_role("button", name="Add", exact=True).first.click()
    remove = council.get_by_role("button", name="Remove Demo Reviewer").first
    expect(remove).to_be_visible()
    create = council.get_by_role("button", name="Create the committee")
    # waits for the stylesheet (under load the page can be read before it applies)
    expect(create).to_have_css("background-color", BRAND)
    assert remove.evaluate("b => getComputedStyle(b).backgroundColor") != BRAND
    assert remove.evaluate("b => getComputedStyle(b).color") == "rgb(164, 22, 26)"  # --error
    checked(council, "committees")

    council.goto(f"{server.url}/admin/cycles/{cycle}/assignments")
    row = council.locator("tbody tr").filter(has_text=title)
    row.get_by_role("combobox").select_option(label="Demo Reviewer")
    row.get_by_role("button", name="Assign").click()
    unassign = council.get_by_role("button", name="Unassign Demo Reviewer").first
    expect(unassign).to_be_visible()
    council.wait_for_load_state("load")  # the stylesheet applied
    assert unassign.evaluate("b => getComputedStyle(b).backgroundColor") != BRAND
    checked(council, "assignments")
    council.get_by_role("link", name=re.compile(re.escape(title))).click()
    checked(council, "admin-proposal")
    for path in ("/admin/outbox", "/admin/audit"):
        council.goto(server.url + path)
        checked(council, path.rsplit("/", 1)[-1])
    context.close()

    context = open_context(browser, server, PHONE)
    page = context.new_page()
    sign_in(page, server, REVIEWER)
    badge = page.locator(".site-nav .badge")
    expect(badge).to_be_visible()
    page.wait_for_load_state("load")
    colour = badge.evaluate("b => getComputedStyle(b).color")
    background = badge.evaluate("b => getComputedStyle(b).backgroundColor")
    assert contrast(colour, background) >= 4.5, (colour, background)
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    checked(page, "notifications")
    page.get_by_role("link", name="Review the proposal").first.click()
    expect(page).to_have_url(re.compile(r"/review/proposals/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    checked(page, "review-form")
    page.get_by_role("link", name="My review queue").first.click()
    expect(page.get_by_role("heading", name="My review queue")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(re.escape(title)))).to_be_visible()
    checked(page, "review-queue")
    context.close()
