"""T4 through the login form: guessing is throttled per account and per client address, a
forged X-Forwarded-For does not escape it, and no answer reveals whether an account exists."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from budget.config import Settings
from tests.webapp import PASSWORD, Web, csrf_token

pytestmark = pytest.mark.threat("T4")

TOKEN = re.compile(r'value="[0-9A-Za-z_-]{20,}"')


def attempt(client: TestClient, email: str, password: str, **headers: str) -> int:
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data, headers=headers).status_code


def test_five_failures_delay_the_account_even_with_the_right_password(web: Web) -> None:
    target = web.account(email="target@example.org")
    client = web.client()
    for _ in range(5):
        assert attempt(client, target.email, "wrong password!") == 422
    response = client.post(
        "/login",
        data={"email": target.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert "Too many failed attempts" in response.text


def test_an_account_throttle_leaves_other_accounts_alone(web: Web) -> None:
    target = web.account(email="target@example.org")
    other = web.account(email="other@example.org")
    client = web.client()
    for _ in range(5):
        attempt(client, target.email, "wrong password!")
    assert attempt(client, other.email, PASSWORD) == 303


def test_the_account_may_try_again_after_the_delay(web: Web) -> None:
    target = web.account(email="target@example.org")
    client = web.client()
    for _ in range(5):
        attempt(client, target.email, "wrong password!")
    web.clock.advance(minutes=16)
    assert attempt(client, target.email, PASSWORD) == 303


def spread_failures(web: Web, client: TestClient, total: int, **headers: str) -> None:
    """`total` failures spread over accounts, four each, so no account throttle triggers."""
    for index in range(-(-total // 4)):
        victim = web.account(email=f"victim{index}@example.org")
        for _ in range(min(4, total - 4 * index)):
            assert attempt(client, victim.email, "wrong password!", **headers) == 422


def test_thirty_failures_from_one_address_block_it(web: Web) -> None:
    fresh = web.account(email="fresh@example.org")
    client = web.client()
    spread_failures(web, client, 30)
    assert attempt(client, fresh.email, PASSWORD) == 429


def test_a_forged_forwarded_for_does_not_escape_the_address_throttle(web: Web) -> None:
    fresh = web.account(email="fresh@example.org")
    client = web.client()
    for index in range(30):
        victim = f"victim{index // 4}@example.org"
        if index % 4 == 0:
            web.account(email=victim)
        forged = f"203.0.113.{index}"
        assert attempt(client, victim, "wrong password!", **{"x-forwarded-for": forged}) == 422
    assert attempt(client, fresh.email, PASSWORD, **{"x-forwarded-for": "198.51.100.7"}) == 429


def normalise(page: str) -> str:
    """The page without its CSRF token and with the typed address made equal."""
    return TOKEN.sub("", page).replace("nobody", "known")


def test_unknown_and_known_accounts_get_the_same_answer(web: Web) -> None:
    known = web.account(email="known@example.org")
    client = web.client()
    wrong = client.post(
        "/login",
        data={
            "email": known.email,
            "password": "wrong password!",
            "csrf_token": csrf_token(client),
        },
    )
    unknown = client.post(
        "/login",
        data={
            "email": "nobody@example.org",
            "password": "wrong password!",
            "csrf_token": csrf_token(client),
        },
    )
    assert wrong.status_code == unknown.status_code == 422
    assert normalise(wrong.text) == normalise(unknown.text)


def test_registering_a_known_address_looks_like_a_new_registration(web: Web) -> None:
    known = web.account(email="known@example.org")
    client = web.client()
    answers = []
    for email in (known.email, "new@example.org"):
        data = {
            "display_name": "Someone",
            "email": email,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "csrf_token": csrf_token(client, "/register"),
        }
        response = client.post("/register", data=data)
        answers.append((response.status_code, response.headers.get("location")))
    assert answers[0] == answers[1] == (303, "/login?notice=registered")


def test_settings_trusted_proxies_parse_cidrs() -> None:
    settings = Settings.from_env({"BUDGET_ENV": "development", "TRUSTED_PROXIES": "10.0.0.0/8"})
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8"]
