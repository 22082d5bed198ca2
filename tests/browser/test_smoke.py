"""A real browser against a real server: sign in as council, create a cycle, try to move it on
and read why not, with JavaScript (htmx swaps the phase panel) and without (whole pages).

The server and the browser are shared by all the browser tests (tests/browser/conftest.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DemoServer

COUNCIL = ("council@demo.budget", "demo-council-2027")

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_council_tries_to_move_a_new_cycle_and_reads_why_not(
    server: DemoServer, browser: Browser, javascript: bool
) -> None:
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    # Script errors and CSP violations; refused requests (the 409) are expected network logs.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(server.url)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(COUNCIL[0])
    page.get_by_label("Password").fill(COUNCIL[1])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="English").click()  # the demo council account reads French
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()

    page.get_by_role("link", name="Create a cycle").click()
    edition = "smoke-js" if javascript else "smoke-nojs"
    page.get_by_label("Name in French").fill(f"Essai {edition}")
    page.get_by_label("Name in English").fill(f"Trial {edition}")
    page.get_by_label("Edition").fill(edition)
    page.get_by_label("Reference date for ages").fill("2027-01-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The cycle was created.")).to_be_visible()

    page.get_by_role("button", name="Move to: Proposals").click()
    alert = page.locator("#phase-refusal")
    alert.wait_for(state="visible")
    assert "cannot move from Draft to Proposals" in alert.inner_text()
    assert "Add at least one budget." in alert.inner_text()
    assert "Set the dates of the Proposals phase." in alert.inner_text()
    assert page.url.endswith("/phase") != javascript  # htmx swapped the panel in place
    assert problems == []
    context.close()


def test_the_language_switcher_works_in_the_browser(server: DemoServer, browser: Browser) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(server.url)
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Accueil")).to_be_visible()
    context.close()
