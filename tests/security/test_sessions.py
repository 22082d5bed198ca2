"""T5: the session cookie's flags, renewal at login, logout, expiry and forged signatures."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer
from starlette.testclient import TestClient

from budget.domain.accounts import Role
from tests.webapp import PASSWORD, Web, csrf_token, sign_in

pytestmark = pytest.mark.threat("T5")

DEV_COOKIE = "budget-session"
PROD_COOKIE = "__Host-budget-session"


def set_cookie_header(client: TestClient, path: str = "/login") -> str:
    response = client.get(path)
    headers = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert len(headers) == 1, headers
    return headers[0]


def replay(web: Web, value: str) -> TestClient:
    """A fresh browser holding only this cookie value, as an attacker replaying it would."""
    client = web.client()
    client.cookies.set(DEV_COOKIE, value)
    return client


def is_signed_in(client: TestClient) -> bool:
    response = client.get("/account")
    if response.status_code == 303:
        assert response.headers["location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def test_development_cookie_is_httponly_and_lax_without_secure(web: Web) -> None:
    header = set_cookie_header(web.client("development"))
    assert header.startswith(f"{DEV_COOKIE}=")
    assert "HttpOnly" in header
    assert "SameSite=lax" in header or "SameSite=Lax" in header
    assert "Path=/" in header
    assert "Secure" not in header
    assert "Domain" not in header


def test_production_cookie_is_secure_with_host_prefix(web: Web) -> None:
    header = set_cookie_header(web.client("production"))
    assert header.startswith(f"{PROD_COOKIE}=")
    assert "Secure" in header
    assert "HttpOnly" in header
    assert "SameSite=lax" in header or "SameSite=Lax" in header
    assert "Path=/" in header
    assert "Domain" not in header


def test_production_sends_hsts_and_development_does_not(web: Web) -> None:
    assert "strict-transport-security" in web.client("production").get("/").headers
    assert "strict-transport-security" not in web.client("development").get("/").headers


def test_login_renews_the_session_and_the_pre_login_cookie_opens_nothing(web: Web) -> None:
    account = web.account()
    client = web.client()
    csrf_token(client)
    before = client.cookies[DEV_COOKIE]
    sign_in(client, account.email)
    after = client.cookies[DEV_COOKIE]
    assert after != before
    assert is_signed_in(client)
    assert not is_signed_in(replay(web, before))


def test_a_second_login_ends_the_first_session(web: Web) -> None:
    account = web.account()
    client = web.client()
    sign_in(client, account.email)
    first = client.cookies[DEV_COOKIE]
    sign_in(client, account.email)
    assert not is_signed_in(replay(web, first))


def test_logout_kills_the_session_even_if_the_cookie_is_replayed(web: Web) -> None:
    client = web.signed_in()
    cookie = client.cookies[DEV_COOKIE]
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 303
    assert not is_signed_in(client)
    assert not is_signed_in(replay(web, cookie))


@pytest.mark.parametrize(("role", "idle_minutes"), [(Role.RESIDENT, 30), (Role.COUNCIL, 15)])
def test_an_idle_session_expires(web: Web, role: Role, idle_minutes: int) -> None:
    client = web.signed_in(role)
    web.clock.advance(minutes=idle_minutes - 1)
    assert is_signed_in(client)
    web.clock.advance(minutes=idle_minutes + 1)
    assert not is_signed_in(client)


def test_a_session_ends_after_twelve_hours_however_active(web: Web) -> None:
    client = web.signed_in()
    for _ in range(12 * 4 - 1):  # active every 15 minutes for 11 h 45 min
        web.clock.advance(minutes=15)
        assert is_signed_in(client)
    web.clock.advance(minutes=15)
    assert not is_signed_in(client)


def test_a_forged_signature_is_an_anonymous_visitor(web: Web) -> None:
    client = web.signed_in()
    value = client.cookies[DEV_COOKIE]
    assert is_signed_in(replay(web, value))
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert not is_signed_in(replay(web, forged))


def test_a_cookie_signed_with_another_key_opens_nothing(web: Web) -> None:
    client = web.signed_in()
    _, payload = URLSafeSerializer(b"unknown").loads_unsafe(client.cookies[DEV_COOKIE])
    assert set(payload) == {"s"}  # the real session token, read without the key
    other_key = URLSafeSerializer(b"k" * 32, salt="budget.session-cookie")
    assert not is_signed_in(replay(web, other_key.dumps(payload)))


@pytest.mark.parametrize("value", ["", "garbage", "a.b.c", "eyJzIjoxfQ.sig"])
def test_a_malformed_cookie_is_never_an_error(web: Web, value: str) -> None:
    assert replay(web, value).get("/").status_code == 200


def test_changing_the_password_signs_out_the_other_sessions(web: Web) -> None:
    account = web.account()
    first, second = web.client(), web.client()
    sign_in(first, account.email)
    sign_in(second, account.email)
    response = first.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "an entirely new passphrase",
            "new_password_confirm": "an entirely new passphrase",
            "csrf_token": csrf_token(first, "/account/password"),
        },
    )
    assert response.status_code == 303
    assert is_signed_in(first)
    assert not is_signed_in(second)
