"""Accounts through the forms: register, sign in and out, change password, language."""

from __future__ import annotations

import pytest

from budget.db import queries
from tests.security.test_csrf import snapshot
from tests.webapp import PASSWORD, Web, csrf_token, sign_in

GOOD = {
    "display_name": "Ada",
    "email": "ada@example.org",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def register(web: Web, **changes: str):
    client = web.client()
    data = {**GOOD, **changes, "csrf_token": csrf_token(client, "/register")}
    return client.post("/register", data=data)


def test_registering_creates_a_resident_who_can_sign_in(web: Web) -> None:
    response = register(web)
    assert response.status_code == 303
    account = queries.find_account(web.db, "ada@example.org")
    assert account is not None
    assert {str(r) for r in account.roles} == {"resident"}
    client = web.client()
    sign_in(client, "ada@example.org")
    assert "Ada" in client.get("/account").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter an email address"),
        ({"password": "short", "password_confirm": "short"}, "password", "at least 12"),
        ({"password_confirm": "something else"}, "password_confirm", "not the same"),
        ({"display_name": "bad\x00name"}, "display_name", "control characters"),
    ],
)
def test_bad_registration_comes_back_with_the_message_and_writes_nothing(
    web: Web, changes: dict[str, str], field: str, message: str
) -> None:
    before = snapshot(web.db)
    response = register(web, **changes)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert snapshot(web.db) == before


def test_the_form_keeps_what_was_typed_but_never_the_password(web: Web) -> None:
    response = register(web, password_confirm="something else")
    assert 'value="ada@example.org"' in response.text
    assert PASSWORD not in response.text


def test_wrong_password_says_so_without_naming_the_field(web: Web) -> None:
    account = web.account()
    client = web.client()
    data = {"email": account.email, "password": "nope nope nope", "csrf_token": csrf_token(client)}
    response = client.post("/login", data=data)
    assert response.status_code == 422
    assert "Wrong email address or password." in response.text


def test_login_returns_to_the_page_asked_for(web: Web) -> None:
    account = web.account()
    client = web.client()
    assert client.get("/account").headers["location"] == "/login?next=%2Faccount"
    data = {
        "email": account.email,
        "password": PASSWORD,
        "next": "/account",
        "csrf_token": csrf_token(client, "/login?next=/account"),
    }
    assert client.post("/login", data=data).headers["location"] == "/account"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_login_never_redirects_off_site(web: Web, target: str) -> None:
    account = web.account()
    client = web.client()
    data = {
        "email": account.email,
        "password": PASSWORD,
        "next": target,
        "csrf_token": csrf_token(client),
    }
    assert client.post("/login", data=data).headers["location"] == "/"


def test_wrong_current_password_is_shown_on_that_field_and_changes_nothing(web: Web) -> None:
    client = web.signed_in()
    before = snapshot(web.db)
    response = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": "a brand new passphrase",
            "new_password_confirm": "a brand new passphrase",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 422
    assert 'id="f-current_password-error"' in response.text
    assert snapshot(web.db) == before


def test_the_language_switcher_sets_a_cookie_and_the_account_language(web: Web) -> None:
    client = web.signed_in()
    response = client.post(
        "/language", data={"language": "fr", "next": "/account", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    assert client.cookies["budget-lang"] == "fr"
    page = client.get("/account")
    assert '<html lang="fr">' in page.text
    assert "Mon compte" in page.text
    account = queries.find_account(web.db, "resident@example.org")
    assert account is not None
    assert account.language == "fr"


def test_the_account_language_applies_on_a_new_device(web: Web) -> None:
    client = web.signed_in()
    client.post("/language", data={"language": "fr", "next": "/", "csrf_token": csrf_token(client)})
    other = web.client()
    sign_in(other, "resident@example.org")
    assert '<html lang="fr">' in other.get("/").text


def test_an_unknown_language_is_refused(web: Web) -> None:
    client = web.client()
    response = client.post(
        "/language", data={"language": "de", "next": "/", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    assert "budget-lang" not in client.cookies
