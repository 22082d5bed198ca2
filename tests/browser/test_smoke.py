"""A real browser against a real server: sign in as council, create a cycle, try to move it on
and read why not, with JavaScript (htmx swaps the phase panel) and without (whole pages).

The server is `budget serve` on a free 127.0.0.1 port over a temporary SQLite database filled by
`budget demo`. Chromium is Debian's (/usr/bin/chromium): Playwright cannot download its own here.
Without it these tests skip, unless BUDGET_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from budget import cli

CHROMIUM = Path("/usr/bin/chromium")
KEY = "browser-test-secret-key-0123456789-abcdefghijklmnop"
COUNCIL = ("council@demo.budget", "demo-council-2027")

pytestmark = pytest.mark.browser


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    env = {
        **os.environ,
        "BUDGET_ENV": "development",
        "SECRET_KEY": KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('browser') / 'budget.sqlite3'}",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name in ("BUDGET_ENV", "SECRET_KEY", "DATABASE_URL"):
            patch.setenv(name, env[name])
        assert cli.main(["migrate"]) == 0
        assert cli.main(["demo"]) == 0
    port = free_port()
    command = [sys.executable, "-m", "budget.cli", "serve", "--port", str(port)]
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 (our own program, fixed arguments)
            command, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, server, log)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_council_tries_to_move_a_new_cycle_and_reads_why_not(
    server: str, browser: Browser, javascript: bool
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

    page.goto(server)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(COUNCIL[0])
    page.get_by_label("Password").fill(COUNCIL[1])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="English").click()  # the demo council account reads French
    page.get_by_role("link", name="Administration").click()
    assert page.get_by_role("heading", name="Administration").is_visible()

    page.get_by_role("link", name="Create a cycle").click()
    edition = "smoke-js" if javascript else "smoke-nojs"
    page.get_by_label("Name in French").fill(f"Essai {edition}")
    page.get_by_label("Name in English").fill(f"Trial {edition}")
    page.get_by_label("Edition").fill(edition)
    page.get_by_label("Reference date for ages").fill("2027-01-01")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The cycle was created.").is_visible()

    page.get_by_role("button", name="Move to: Proposals").click()
    alert = page.locator("#phase-refusal")
    alert.wait_for(state="visible")
    assert "cannot move from Draft to Proposals" in alert.inner_text()
    assert "Add at least one budget." in alert.inner_text()
    assert "Set the dates of the Proposals phase." in alert.inner_text()
    assert page.url.endswith("/phase") != javascript  # htmx swapped the panel in place
    assert problems == []
    context.close()


def test_the_language_switcher_works_in_the_browser(server: str, browser: Browser) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(server)
    page.get_by_role("button", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Accueil").is_visible()
    context.close()
