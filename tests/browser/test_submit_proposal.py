"""A real browser against a real server: a resident signs in, writes a proposal through the
form (previewing its Markdown), saves the draft, submits it, and a signed-out visitor then
reads it on its public page. With JavaScript (htmx swaps the preview in) and without.

The server and the browser are shared by all the browser tests (tests/browser/conftest.py); the
demo's cycle is in review, so the proposal goes into the second cycle it adds, open for proposals.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DemoServer

RESIDENT = ("resident@demo.budget", "demo-resident-2027")

pytestmark = pytest.mark.browser


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
    server: DemoServer, browser: Browser, javascript: bool
) -> None:
    url, cycle_id = server.url, server.open_cycle_id
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
    expect(page.get_by_role("heading", name="Propose a project")).to_be_visible()
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
    page.get_by_role("link", name="Submit the proposal").click()
    page.get_by_role("button", name="Yes, submit the proposal").click()
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
