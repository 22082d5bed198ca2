"""E-mail verification, password reset and council approval through the pages (T13, T4).

Links are read from the outbox as the resident's mail program would; every answer that could
tell a known address from an unknown one is compared byte for byte (but the CSRF token).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from budget.db import queries
from budget.db.queries import AccountView
from budget.db.tables import AccountToken, Proposal, WebSession
from budget.domain.accounts import Role
from budget.services import identity
from tests import mailbox
from tests.webapp import CSRF_FIELD, PASSWORD, Web, csrf_token, make_cycle, sign_in

pytestmark = pytest.mark.threat("T13")

NEW_PASSWORD = "a brand new passphrase"


def register(client: TestClient, email: str, name: str = "Ada"):
    data = {"display_name": name, "email": email, "password": PASSWORD,
            "password_confirm": PASSWORD}  # fmt: skip
    data["csrf_token"] = csrf_token(client, "/register")
    return client.post("/register", data=data)


def post(client: TestClient, path: str, data: dict[str, str], form_page: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page or path)})


def found(web: Web, email: str) -> AccountView:
    account = queries.find_account(web.db, email)
    assert account is not None, email
    return account


def without_csrf(text: str) -> str:
    return CSRF_FIELD.sub("", re.sub(r'"X-CSRF-Token": "[^"]+"', "", text))


def test_a_new_account_reads_but_proposes_only_once_its_address_is_confirmed(web: Web) -> None:
    cycle_id = make_cycle(web)
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    client = web.client()
    assert register(client, "ada@example.org").status_code == 303
    sign_in(client, "ada@example.org")
    page = client.get("/account")
    assert "not confirmed yet" in page.text
    assert "Send the link again" in page.text
    form = {"budget_id": str(budget_id), "title": "Benches", "summary": "Rest a while."}
    refused = post(client, f"/cycles/{cycle_id}/proposals/new", form)
    assert refused.status_code in (403, 422)
    assert "Confirm your e-mail address first" in refused.text
    assert web.db.exec(select(Proposal)).all() == []
    token = mailbox.link_token(web.db, "ada@example.org", "/verify")
    assert client.get(f"/verify?token={token}").status_code == 200
    assert found(web, "ada@example.org").email_verified_at is None  # GET: safe
    confirmed = post(client, "/verify", {"token": token}, f"/verify?token={token}")
    assert confirmed.headers["location"] == "/account?notice=email-confirmed"
    assert found(web, "ada@example.org").may_participate
    created = post(client, f"/cycles/{cycle_id}/proposals/new", form)
    assert created.status_code == 303, created.text
    # Single use: the same link again is refused, and the mail no longer carries it.
    again = post(client, "/verify", {"token": token}, "/")
    assert again.status_code == 410
    assert "not valid any more" in again.text
    assert all(token not in m.body for m in mailbox.mails_to(web.db, "ada@example.org"))
    assert token not in str(web.db.exec(select(AccountToken)).all())


def test_a_verification_link_expires_after_48_hours(web: Web) -> None:
    client = web.client()
    register(client, "ada@example.org")
    token = mailbox.link_token(web.db, "ada@example.org", "/verify")
    web.clock.advance(hours=48)
    assert client.get(f"/verify?token={token}").status_code == 410
    assert post(client, "/verify", {"token": token}, "/").status_code == 410
    assert found(web, "ada@example.org").email_verified_at is None


def test_a_newer_link_replaces_the_older_one(web: Web) -> None:
    client = web.client()
    register(client, "ada@example.org")
    first = mailbox.link_token(web.db, "ada@example.org", "/verify")
    assert post(client, "/verify/resend", {"email": "ada@example.org"}).status_code == 303
    second = mailbox.link_token(web.db, "ada@example.org", "/verify")
    assert first != second
    assert post(client, "/verify", {"token": first}, "/").status_code == 410
    assert post(client, "/verify", {"token": second}, "/").status_code == 303


@pytest.mark.threat("T4")
def test_registering_a_known_address_answers_the_same_and_mails_the_owner(web: Web) -> None:
    web.account(email="owner@example.org")
    known = register(web.client(), "owner@example.org", name="Imposter")
    unknown = register(web.client(), "newcomer@example.org", name="Imposter")
    assert (known.status_code, known.headers["location"]) == (
        unknown.status_code, unknown.headers["location"],
    )  # fmt: skip
    assert known.text == unknown.text
    [warning] = mailbox.mails_to(web.db, "owner@example.org")
    assert "Someone tried to register" in warning.subject
    assert found(web, "owner@example.org").display_name == "A resident"


@pytest.mark.threat("T4")
@pytest.mark.parametrize("path", ["/verify/resend", "/password/forgot"])
def test_resend_and_reset_answer_alike_for_known_and_unknown_addresses(web: Web, path: str) -> None:
    web.account(email="known@example.org")
    pages = []
    for email in ("known@example.org", "unknown@example.org"):
        client = web.client()
        answer = post(client, path, {"email": email})
        pages.append((answer.status_code, answer.headers["location"],
                      without_csrf(client.get(answer.headers["location"]).text)))  # fmt: skip
    assert pages[0] == pages[1]


@pytest.mark.threat("T4")
@pytest.mark.parametrize("path", ["/verify/resend", "/password/forgot"])
def test_mail_requests_are_throttled_per_address_known_or_not(web: Web, path: str) -> None:
    web.account(email="known@example.org")
    web.clock.advance(hours=1)  # registering counted as one mail to the address
    for email in ("known@example.org", "unknown@example.org"):
        client = web.client()
        for _ in range(3):
            assert post(client, path, {"email": email}).status_code == 303
        refused = post(client, path, {"email": email})
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
    other = post(web.client(), path, {"email": "third@example.org"})
    assert other.status_code == 303  # other addresses are unaffected
    web.clock.advance(hours=1)
    assert post(web.client(), path, {"email": "known@example.org"}).status_code == 303


@pytest.mark.threat("T4")
def test_mail_requests_are_throttled_per_source(web: Web) -> None:
    client = web.client()
    for n in range(20):
        assert post(client, "/password/forgot", {"email": f"r{n}@example.org"}).status_code == 303
    assert post(client, "/password/forgot", {"email": "r99@example.org"}).status_code == 429


def test_changing_the_address_confirms_the_new_one_and_tells_the_old(web: Web) -> None:
    client = web.signed_in()
    answer = post(client, "/account/email", {"new_email": "new@example.org", "password": PASSWORD})
    assert answer.headers["location"] == "/account?notice=email-change-sent"
    assert "being changed" in mailbox.mails_to(web.db, "resident@example.org")[-1].subject
    assert queries.find_account(web.db, "resident@example.org") is not None  # not yet changed
    token = mailbox.link_token(web.db, "new@example.org", "/verify")
    assert post(client, "/verify", {"token": token}, "/").status_code == 303
    assert queries.find_account(web.db, "resident@example.org") is None
    assert found(web, "new@example.org").may_participate


def test_changing_the_address_needs_the_password(web: Web) -> None:
    client = web.signed_in()
    answer = post(client, "/account/email", {"new_email": "new@example.org", "password": "nope"})
    assert answer.status_code == 422
    assert "password is wrong" in answer.text
    assert mailbox.mails_to(web.db, "new@example.org") == []


# -- password reset --------------------------------------------------------------------------


def test_a_reset_link_sets_the_password_once_and_ends_every_session(web: Web) -> None:
    account = web.account(email="ada@example.org")
    elsewhere = web.client()
    sign_in(elsewhere, account.email)
    client = web.client()
    assert post(client, "/password/forgot", {"email": account.email}).status_code == 303
    token = mailbox.link_token(web.db, account.email, "/password/reset")
    assert client.get(f"/password/reset?token={token}").status_code == 200
    form = {"token": token, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    done = post(client, "/password/reset", form, "/")
    assert done.headers["location"] == "/login?notice=password-reset"
    assert web.db.exec(select(WebSession).where(WebSession.account_id == account.id)).all() == []
    assert elsewhere.get("/account").status_code == 303  # signed out
    sign_in(client, account.email, NEW_PASSWORD)
    assert post(web.client(), "/password/reset", form, "/").status_code == 410
    actions = [e.action for e in queries.list_audit(web.db, limit=20)]
    assert "account.reset" in actions
    assert "account.reset-request" in actions


def test_a_reset_link_expires_after_30_minutes(web: Web) -> None:
    account = web.account(email="ada@example.org")
    client = web.client()
    post(client, "/password/forgot", {"email": account.email})
    token = mailbox.link_token(web.db, account.email, "/password/reset")
    web.clock.advance(minutes=30)
    form = {"token": token, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    assert post(client, "/password/reset", form, "/").status_code == 410
    sign_in(client, account.email)  # the old password still works


def test_a_weak_new_password_is_refused_and_the_link_still_works(web: Web) -> None:
    account = web.account(email="ada@example.org")
    client = web.client()
    post(client, "/password/forgot", {"email": account.email})
    token = mailbox.link_token(web.db, account.email, "/password/reset")
    weak = {"token": token, "new_password": "short", "new_password_confirm": "short"}
    assert post(client, "/password/reset", weak, "/").status_code == 422
    good = {"token": token, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    assert post(client, "/password/reset", good, "/").status_code == 303


def test_a_council_reset_needs_a_second_member(web: Web) -> None:
    mayor = web.account(Role.COUNCIL, email="mayor@example.org")
    deputy = web.account(Role.COUNCIL, email="deputy@example.org")
    before = len(mailbox.mails_to(web.db, mayor.email))
    assert post(web.client(), "/password/forgot", {"email": mayor.email}).status_code == 303
    assert len(mailbox.mails_to(web.db, mayor.email)) == before  # no link yet
    assert "awaits your approval" in mailbox.mails_to(web.db, deputy.email)[-1].subject
    [pending] = web.db.exec(select(AccountToken).where(AccountToken.purpose == "reset-request"))
    own = web.client()
    sign_in(own, deputy.email)
    # The member cannot approve their own request (here: the mayor signs in and tries).
    mayor_client = web.client()
    sign_in(mayor_client, mayor.email)
    refused = post(mayor_client, f"/admin/resets/{pending.id}/approve", {}, "/admin/resets")
    assert refused.status_code == 409
    assert "second council member" in refused.text
    page = own.get("/admin/resets")
    assert mayor.email in page.text
    approved = post(own, f"/admin/resets/{pending.id}/approve", {}, "/admin/resets")
    assert approved.headers["location"] == "/admin/resets?notice=reset-approved"
    token = mailbox.link_token(web.db, mayor.email, "/password/reset")
    form = {"token": token, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    assert post(web.client(), "/password/reset", form, "/").status_code == 303
    assert "account.reset-approve" in [e.action for e in queries.list_audit(web.db, limit=20)]


def test_links_are_stored_only_as_keyed_hashes(web: Web) -> None:
    web.account(email="ada@example.org")
    post(web.client(), "/password/forgot", {"email": "ada@example.org"})
    token = mailbox.link_token(web.db, "ada@example.org", "/password/reset")
    [row] = web.db.exec(select(AccountToken).where(AccountToken.purpose == "reset")).all()
    assert row.token_hash == identity.token_digest(mailbox.TOKEN_KEY, token)
    assert token not in repr(row)
    assert row.expires_at - row.created_at == dt.timedelta(minutes=30)


def test_the_council_reading_the_outbox_never_sees_a_link(web: Web) -> None:
    web.account(email="ada@example.org")
    post(web.client(), "/password/forgot", {"email": "ada@example.org"})
    token = mailbox.link_token(web.db, "ada@example.org", "/password/reset")
    council = web.signed_in(Role.COUNCIL)
    page = council.get("/admin/outbox").text
    assert "Choose a new password" in page
    assert token not in page
    assert "token=[hidden]" in page
