"""A real browser: a newcomer registers, opens the verification link from the outbox (as their
mail would show it) and proposes; and a resident signs in through a real OpenID Connect
provider (tests/oidc_provider.py) running beside a server configured for it (T13)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from budget import cli
from budget.db.engine import make_engine
from tests import mailbox
from tests.browser.conftest import KEY, DemoServer, free_port, wait_until_up
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider

pytestmark = [pytest.mark.browser, pytest.mark.threat("T13")]
PASSWORD = "a long enough passphrase"
SHOTS = Path(os.environ.get("BUDGET_SCREENSHOTS") or tempfile.gettempdir()) / "budget-shots"


def mailed_link(database_url: str, address: str, path: str) -> str:
    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            return f"{path}?token={mailbox.link_token(db, address, path)}"
    finally:
        engine.dispose()


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_register_verify_from_the_outbox_then_propose(server: DemoServer, browser: Browser) -> None:
    url = server.url
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{url}/register")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Your name").fill("Nora Newcomer")
    page.get_by_label("Email address").fill("nora@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("We sent a mail to this address")).to_be_visible()
    page.get_by_label("Email address").fill("nora@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("is not confirmed yet")).to_be_visible()
    expect(page.get_by_role("button", name="Send the link again")).to_be_visible()
    shoot(page, "unverified-banner")

    page.goto(url + mailed_link(server.database_url, "nora@example.org", "/verify"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("Your e-mail address is confirmed")).to_be_visible()
    expect(page.get_by_text("is not confirmed yet")).to_have_count(0)

    page.goto(f"{url}/cycles/{server.open_cycle_id}")
    page.get_by_role("link", name="Propose a project").click()
    page.get_by_label("Title").fill("Benches by the canal")
    page.get_by_label("Summary").fill("Somewhere to sit along the water.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Your draft was saved")).to_be_visible()
    context.close()


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Provider]]:
    """A server of its own, configured for one provider; its database is empty but migrated."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{tmp_path_factory.mktemp('oidc') / 'budget.sqlite3'}"
    with running_provider([f"{url}/login/oidc/callback"]) as provider:
        env = {
            **os.environ, "BUDGET_ENV": "development", "SECRET_KEY": KEY,
            "DATABASE_URL": database_url, "BUDGET_BASE_URL": url,
            "BUDGET_OIDC_PROVIDERS": "city", "BUDGET_OIDC_CITY_ISSUER": provider.issuer,
            "BUDGET_OIDC_CITY_CLIENT_ID": CLIENT_ID,
            "BUDGET_OIDC_CITY_CLIENT_SECRET": CLIENT_SECRET,
            "BUDGET_OIDC_CITY_SCOPES": "openid email profile",
            "BUDGET_OIDC_CITY_LABEL": "Compte Ville de Paris",
            "AUTHLIB_INSECURE_TRANSPORT": "1",  # the provider is plain http on 127.0.0.1
        }  # fmt: skip
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DATABASE_URL", database_url)
            patch.setenv("BUDGET_ENV", "development")
            patch.setenv("SECRET_KEY", KEY)
            assert cli.main(["migrate"]) == 0
        log = tmp_path_factory.mktemp("oidc-server") / "server.log"
        command = [sys.executable, "-m", "budget.cli", "serve", "--port", str(port)]
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 (our own program, fixed arguments)
                command, env=env, stdout=output, stderr=subprocess.STDOUT
            )
            try:
                wait_until_up(url, process, log)
                yield url, database_url, provider
            finally:
                process.terminate()
                process.wait(timeout=10)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_resident_signs_in_through_the_city_provider(
    oidc_server: tuple[str, str, Provider], browser: Browser, viewport: str
) -> None:
    url, database_url, provider = oidc_server
    email = f"lea-{viewport}@example.org"
    provider.person = {"sub": f"paris-{viewport}", "email": email, "email_verified": True,
                       "name": "Léa Martin", "birthdate": "1990-05-17"}  # fmt: skip
    size = {"width": 390, "height": 844} if viewport == "phone" else {"width": 1280, "height": 800}
    context = browser.new_context(locale="fr-FR", viewport=size)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{url}/login")
    shoot(page, f"login-with-provider-{viewport}")
    page.get_by_role("button", name="Compte Ville de Paris").click()
    # Three servers in a row (ours, the provider's, ours again): a slow machine needs time.
    page.wait_for_url("**/login?notice=oidc-link-sent", timeout=60_000)
    expect(page.get_by_text("Encore une étape")).to_be_visible()
    page.goto(url + mailed_link(database_url, email, "/login/oidc/confirm"))
    page.get_by_role("button", name="Confirmer et me connecter").click()
    expect(page.get_by_role("heading", name="Mon compte")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    shoot(page, f"signed-in-through-provider-{viewport}")
    # Signing out ends the provider's session too, and comes back here.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté")).to_be_visible()
    assert provider.logouts[-1]["client_id"] == CLIENT_ID
    context.close()
