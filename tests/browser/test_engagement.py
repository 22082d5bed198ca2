"""A real browser against a real server, before review: a resident places their proposal's
point by clicking the map (the latitude and longitude fields fill in), uploads an image with its
description, then, once the proposal is public, another resident supports it and comments on
it. Every page along the way is audited with axe-core and has no CSP violation or script error.

The server and the browser are shared by the browser tests (tests/browser/conftest.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.browser.conftest import DemoServer
from tests.images import photo

RESIDENT = ("resident@demo.budget", "demo-resident-2027")
AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"
# Recorded before any page script runs (an init script is not subject to the page's CSP).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""

pytestmark = pytest.mark.browser


def watch(page: Page) -> list[str]:
    """Script errors reported by the page (failed tile loads offline are expected)."""
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


def audit(page: Page) -> None:
    """No axe-core violation (WCAG 2.1 A and AA rules) and no CSP violation on this page."""
    page.add_script_tag(url=AXE)  # same origin: allowed by script-src 'self'
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == [], f"{page.url}: {violations}"
    assert page.evaluate("window.__csp") == [], page.url


def shoot(page: Page, name: str, **options: object) -> None:
    """A screenshot into $BUDGET_SCREENSHOTS, when set (to look at the pages by eye)."""
    directory = os.environ.get("BUDGET_SCREENSHOTS")
    if directory:
        page.screenshot(path=str(Path(directory) / f"{name}.png"), **options)  # type: ignore[arg-type]


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    english = page.get_by_role("button", name="English")
    if english.count():
        english.click()


def test_a_resident_places_the_point_on_the_map_and_adds_an_image(
    server: DemoServer, browser: Browser
) -> None:
    url, cycle_id = server.url, server.open_cycle_id
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    problems = watch(page)
    sign_in(page, url, *RESIDENT)

    page.goto(f"{url}/cycles/{cycle_id}/proposals/new")
    picker = page.locator("#picker-map")
    expect(picker).to_be_visible()
    audit(page)
    page.get_by_label("Title").fill("A bench by the canal")
    page.get_by_label("Summary").fill("Somewhere to sit and watch the boats.")
    box = picker.bounding_box()
    assert box is not None
    picker.click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 - 30})
    expect(page.locator("#picker-status")).to_contain_text("Point placed at")
    latitude = page.get_by_label("Latitude").input_value()
    longitude = page.get_by_label("Longitude").input_value()
    assert re.fullmatch(r"-?\d+\.\d{6}", latitude), latitude
    assert re.fullmatch(r"-?\d+\.\d{6}", longitude), longitude
    shoot(page, "picker")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Your draft was saved.")).to_be_visible()
    expect(page.locator("#point-map")).to_be_visible()
    assert latitude.rstrip("0") in page.locator(".facts").inner_text()
    proposal_url = page.url.split("?")[0]

    page.goto(f"{proposal_url}/edit")
    page.locator("#f-image").set_input_files(
        files=FilePayload(name="bench.jpg", mimeType="image/jpeg", buffer=photo())
    )
    page.get_by_label("Description of the image").fill("The empty quay where the bench would go")
    page.get_by_role("button", name="Add the image").click()
    expect(page.get_by_text("The image was added.")).to_be_visible()
    audit(page)
    page.goto(proposal_url)
    image = page.get_by_role("img", name="The empty quay where the bench would go")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0
    audit(page)
    shoot(page, "proposal", full_page=True)
    assert problems == []
    context.close()


def test_a_resident_supports_and_comments_on_an_idea(server: DemoServer, browser: Browser) -> None:
    """In the demo's cycle open for ideas (supports on, threshold 3)."""
    url = server.url
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    problems = watch(page)
    sign_in(page, url, *RESIDENT)
    page.goto(f"{url}/cycles")
    page.get_by_role("link", name="Neighbourhood ideas 2028").first.click()
    cycle_url = page.url.split("?")[0]
    page.goto(f"{cycle_url}/proposals?sort=supports")
    expect(
        page.get_by_text("A proposal needs at least 3 supports to go to review.")
    ).to_be_visible()
    audit(page)
    page.locator(".proposal-list h3 a").first.click()
    expect(page.get_by_text("at least 3 needed to go to review")).to_be_visible()
    audit(page)
    before = page.locator(".support-count").inner_text()
    page.get_by_role("button", name="Support this proposal").click()
    expect(page.get_by_text("Your support was counted.")).to_be_visible()
    after = page.locator(".support-count").inner_text()
    assert int(after.split()[0]) == int(before.split()[0]) + 1, (before, after)
    expect(page.get_by_role("button", name="Withdraw my support")).to_be_visible()
    page.get_by_label("Your comment").fill("Yes, and **shade** for the benches please.")
    page.get_by_role("button", name="Publish the comment").click()
    expect(page.get_by_text("Your comment was published.")).to_be_visible()
    expect(page.locator(".comment strong", has_text="shade")).to_be_visible()
    audit(page)
    shoot(page, "idea-phone", full_page=True)
    assert problems == []
    context.close()
