"""Sign-in through OpenID Connect against a real provider on 127.0.0.1 (tests/oidc_provider.py,
Authlib's server parts): the browser's trip is made with real HTTP to the provider and the test
client for our app; our app talks to the provider over real HTTP too (T13)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from budget.config import OidcProvider, Settings
from budget.db import queries
from budget.db.tables import Account, OidcIdentity, OutboxEmail, WebSession
from budget.services import accounts, oidc
from budget.web.app import create_app
from tests import mailbox
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider
from tests.webapp import BASE_URLS, Web, csrf_token

pytestmark = pytest.mark.threat("T13")

CALLBACK = "http://testserver/login/oidc/callback"
EMAIL = "lea@example.org"
PERSON: dict[str, object] = {"sub": "city-0042", "email": "lea@example.org", "email_verified": True,
          "name": "Léa Martin", "birthdate": "1990-05-17"}  # fmt: skip


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider([CALLBACK]) as running:
        yield running


@pytest.fixture(scope="module")
def rp_app(db_backend: Engine, provider: Provider) -> Starlette:
    city = OidcProvider(name="city", issuer=provider.issuer, client_id=CLIENT_ID,
                        client_secret=CLIENT_SECRET, scopes="openid email profile",
                        label="City account")  # fmt: skip
    settings = Settings(env="development", database_url="sqlite://",
                        secret_key=mailbox.SECRET_KEY, base_url=BASE_URLS["development"],
                        oidc_providers=(city,))  # fmt: skip
    return create_app(settings, engine=db_backend, hasher=accounts.test_hasher())


@pytest.fixture
def rp(web: Web, rp_app: Starlette, provider: Provider) -> Iterator[TestClient]:
    connection = web.db.connection()
    rp_app.state.session_factory = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint"
    )
    rp_app.state.clock = web.clock
    provider.person, provider.misbehave, provider.end_session = dict(PERSON), None, True
    with TestClient(rp_app, base_url=BASE_URLS["development"], follow_redirects=False) as client:
        client.headers["accept-language"] = "en"
        yield client


def to_provider(client: TestClient) -> str:
    """Press the button; the URL the browser is sent to at the provider."""
    token = csrf_token(client, "/login")
    sent = client.post(
        "/login/oidc", data={"csrf_token": token, "provider": "city", "next": "/account"}
    )
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]


def at_provider(url: str) -> str:
    """The provider approves at once and sends the browser back: our callback's path."""
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    return f"{back.path}?{back.query}"


def sign_in_through_provider(client: TestClient):
    return client.get(at_provider(to_provider(client)))


def nothing_written(web: Web) -> None:
    assert web.db.exec(select(OidcIdentity)).all() == []
    assert web.db.exec(select(Account).where(Account.email == EMAIL)).all() == []
    assert web.db.exec(select(OutboxEmail).where(OutboxEmail.to_address == EMAIL)).all() == []  # fmt: skip  # noqa: E501


def confirm(client: TestClient, web: Web) -> None:
    token = mailbox.link_token(web.db, EMAIL, "/login/oidc/confirm")
    assert client.get(f"/login/oidc/confirm?token={token}").status_code == 200
    done = client.post("/login/oidc/confirm",
                       data={"token": token, "csrf_token": csrf_token(client, "/")})  # fmt: skip
    assert done.status_code == 303, done.text


def test_the_request_uses_pkce_state_and_nonce(rp: TestClient) -> None:
    query = parse_qs(urlsplit(to_provider(rp)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32
    assert query["nonce"][0]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [CALLBACK]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}


def test_a_first_sign_in_creates_the_account_only_once_the_address_is_proved(
    rp: TestClient, web: Web
) -> None:
    answer = sign_in_through_provider(rp)
    assert answer.headers["location"] == "/login?notice=oidc-link-sent"
    assert queries.find_account(web.db, EMAIL) is None  # nothing yet
    confirm(rp, web)
    account = queries.find_account(web.db, EMAIL)
    assert account is not None
    assert account.may_participate
    assert account.display_name == "Léa Martin"
    assert rp.get("/account").status_code == 200  # signed in
    born = oidc.verified_birthdate(web.db, account.id)
    assert born is not None
    assert (born.provider, born.birthdate) == ("city", dt.date(1990, 5, 17))
    session = web.db.exec(select(WebSession).where(WebSession.account_id == account.id)).one()
    assert session.provider == "city"
    # The next sign-in is direct, back to the page asked for.
    again = sign_in_through_provider(rp)
    assert again.headers["location"] == "/account"


def test_an_existing_account_is_linked_after_its_address_is_proved(
    rp: TestClient, web: Web
) -> None:
    existing = web.account(email=EMAIL)
    assert sign_in_through_provider(rp).headers["location"] == "/login?notice=oidc-link-sent"
    assert web.db.exec(select(OidcIdentity)).all() == []
    confirm(rp, web)
    [linked] = web.db.exec(select(OidcIdentity)).all()
    assert (linked.account_id, linked.provider, linked.subject) == (
        existing.id,
        "city",
        "city-0042",
    )


@pytest.mark.parametrize("attack", ["aud", "iss", "expired", "nonce", "signature"])
def test_a_bad_id_token_is_refused_and_touches_nothing(
    rp: TestClient, web: Web, provider: Provider, attack: str
) -> None:
    provider.misbehave = attack
    answer = sign_in_through_provider(rp)
    assert answer.status_code == 400
    assert "Sign-in refused" in answer.text
    assert "ID token" in answer.text
    nothing_written(web)


def test_a_wrong_state_is_refused(rp: TestClient, web: Web) -> None:
    callback = at_provider(to_provider(rp))
    tampered = callback.replace("state=", "state=x")
    answer = rp.get(tampered)
    assert answer.status_code == 400
    assert "unknown, used or expired state" in answer.text
    nothing_written(web)


def test_an_answer_naming_another_issuer_is_refused(rp: TestClient, web: Web) -> None:
    """RFC 9207: one callback serves every provider, so an `iss` in the answer must be the
    issuer of the provider the state was sent to (a mix-up attack names another)."""
    callback = at_provider(to_provider(rp))
    answer = rp.get(f"{callback}&iss=https%3A%2F%2Fevil.example")
    assert answer.status_code == 400
    assert "the answer came from another provider" in answer.text
    nothing_written(web)


def test_a_callback_from_another_browser_is_refused(
    rp: TestClient, rp_app: Starlette, web: Web
) -> None:
    callback = at_provider(to_provider(rp))
    with TestClient(rp_app, base_url=BASE_URLS["development"], follow_redirects=False) as other:
        other.get("/login")
        answer = other.get(callback)
    assert answer.status_code == 400
    assert "unknown, used or expired state" in answer.text
    nothing_written(web)


def test_an_expired_state_is_refused(rp: TestClient, web: Web) -> None:
    callback = at_provider(to_provider(rp))
    web.clock.advance(minutes=10)
    assert rp.get(callback).status_code == 400
    nothing_written(web)


def test_a_replayed_code_is_refused(rp: TestClient, web: Web) -> None:
    callback = at_provider(to_provider(rp))
    assert rp.get(callback).status_code == 303  # the link is mailed
    again = rp.get(callback)  # the same answer again: the state was used
    assert again.status_code == 400
    assert "unknown, used or expired state" in again.text
    # The same code with a fresh state of this browser: the provider refuses it.
    fresh = parse_qs(urlsplit(at_provider(to_provider(rp))).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    answer = rp.get(f"/login/oidc/callback?code={code}&state={fresh}")
    assert answer.status_code == 400
    assert "refused the code" in answer.text


def test_a_rotated_key_is_fetched_once_and_accepted(
    rp: TestClient, web: Web, provider: Provider
) -> None:
    sign_in_through_provider(rp)
    confirm(rp, web)
    before = provider.jwks_fetches
    assert sign_in_through_provider(rp).headers["location"] == "/account"
    assert provider.jwks_fetches == before  # cached
    provider.rotate_key()
    assert sign_in_through_provider(rp).headers["location"] == "/account"
    assert provider.jwks_fetches == before + 1  # unknown kid: fetched again


def test_logout_ends_the_local_session_and_the_providers(
    rp: TestClient, web: Web, provider: Provider
) -> None:
    sign_in_through_provider(rp)
    confirm(rp, web)
    out = rp.post("/logout", data={"csrf_token": csrf_token(rp, "/account")})
    target = urlsplit(out.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == provider.issuer
    assert target.path == "/logout"
    httpx.get(out.headers["location"], follow_redirects=False)
    assert provider.logouts[-1]["client_id"] == CLIENT_ID
    assert (
        provider.logouts[-1]["post_logout_redirect_uri"] == "http://testserver/?notice=signed-out"
    )
    assert web.db.exec(select(WebSession).where(WebSession.provider == "city")).all() == []
    assert rp.get("/account").status_code == 303


def test_the_login_page_offers_each_provider(rp: TestClient) -> None:
    page = rp.get("/login").text
    assert 'action="/login/oidc"' in page
    assert 'name="provider" value="city"' in page
    assert "City account" in page


def test_an_unknown_provider_is_a_clear_page(rp: TestClient) -> None:
    answer = rp.post(
        "/login/oidc", data={"csrf_token": csrf_token(rp, "/login"), "provider": "nope"}
    )
    assert answer.status_code == 404
    assert "no such identity provider" in answer.text


def test_the_csp_lets_forms_go_to_the_provider(rp: TestClient, provider: Provider) -> None:
    policy = rp.get("/login").headers["content-security-policy"]
    assert f"form-action 'self' {provider.issuer}" in policy
