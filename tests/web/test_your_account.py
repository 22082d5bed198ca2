"""Sessions page, data export and account deletion, through the pages; the export and the
deletion are checked against the schema itself, so a new table cannot be forgotten."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import or_
from sqlalchemy import select as select_rows
from sqlmodel import select
from starlette.testclient import TestClient

from budget.db import queries
from budget.db.tables import Account, AuditLog, WebSession, metadata
from budget.domain.accounts import Role
from budget.services import committees, notifications, oidc, proposals, your_data
from budget.services.mail_text import Kind
from tests import mailbox
from tests.webapp import PASSWORD, Web, csrf_token, make_cycle, make_proposal, sign_in

pytestmark = pytest.mark.threat("T13")

# Columns that still name a deleted account: the credits of public work, kept on purpose.
CREDITS = {
    ("proposal", "created_by"),
    ("proposal_author", "account_id"),
    ("proposal_version", "edited_by"),
    ("review_assignment", "reviewer_id"),
    ("review_assignment", "assigned_by"),
    ("review", "reviewer_id"),
    ("internal_note", "author_id"),
    ("public_page", "updated_by"),
    ("comment", "account_id"),
    ("support", "account_id"),
    ("proposal_image", "uploaded_by"),
    ("flag", "account_id"),
    ("flag", "resolved_by"),
    ("roll_entry", "account_id"),
}


def post(client: TestClient, path: str, data: dict[str, str], page: str = "/account"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def rich_account(web: Web) -> tuple[int, TestClient]:
    """A resident with a public proposal, a draft, a co-authorship, a notification, a
    committee seat, an identity at a provider and two sessions."""
    cycle_id = make_cycle(web)
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    me = web.account(Role.REVIEWER, email="me@example.org")
    other = web.account(email="other@example.org")
    now = web.clock()
    public = make_proposal(web, me.id, budget_id)
    make_proposal(web, me.id, budget_id, submit=False)
    theirs = make_proposal(web, other.id, budget_id)
    proposals.invite_coauthor(web.db, now, actor_id=other.id, proposal_id=theirs,
                              email=me.email)  # fmt: skip
    proposals.answer_invitation(web.db, now, actor_id=me.id, proposal_id=theirs, accept=True)
    notifications.notify(web.db, now, me.id, Kind.MERGED, proposal_id=public, title="x")
    committee = committees.create_committee(web.db, now, actor_id=web.council_id(),
                                            cycle_id=cycle_id, name="Roads")  # fmt: skip
    committees.add_member(web.db, now, actor_id=web.council_id(), committee_id=committee,
                          account_id=me.id)  # fmt: skip
    claims = oidc.Claims(provider="city", label="City", subject="s-9", email=me.email,
                         birthdate=None, name=None)  # fmt: skip
    oidc.sign_in(web.db, now, claims=claims, links=mailbox.links(), language="en")
    token = mailbox.link_token(web.db, me.email, "/login/oidc/confirm")
    oidc.confirm_link(web.db, now, token=token, token_key=mailbox.TOKEN_KEY)
    web.db.commit()
    sign_in(web.client(), me.email)  # a session elsewhere
    client = web.client()
    sign_in(client, me.email)
    return me.id, client


def naming(web: Web, account_id: int) -> dict[str, list[dict[str, object]]]:
    """Every row of every table with a column referring to the account, found by walking
    the schema (not by the code under test)."""
    found: dict[str, list[dict[str, object]]] = {}
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns
                   if any(fk.column.table.name == "account" for fk in c.foreign_keys)]  # fmt: skip
        if columns:
            query = select_rows(table).where(or_(*(c == account_id for c in columns)))
            rows = [dict(r) for r in web.db.execute(query).mappings().all()]
            if rows:
                found[table.name] = rows
    return found


def test_the_sessions_page_lists_and_ends_sessions(web: Web) -> None:
    account = web.account(email="ada@example.org")
    phone = web.client(headers={"user-agent": "Mozilla/5.0 (Linux; Android 14) Firefox/130.0"})
    sign_in(phone, account.email)
    client = web.client(headers={"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"})
    sign_in(client, account.email)
    page = client.get("/account/sessions").text
    assert "Firefox, Android" in page
    assert "Chrome, Linux" in page
    assert "(this session)" in page
    assert "testclient" not in page
    rows = web.db.exec(select(WebSession).where(WebSession.account_id == account.id)).all()
    phone_row = next(r for r in rows if r.device == "Firefox, Android")
    ended = post(client, f"/account/sessions/{phone_row.id}/end", {}, "/account/sessions")
    assert ended.headers["location"] == "/account/sessions?notice=session-ended"
    assert phone.get("/account").status_code == 303  # signed out
    assert client.get("/account").status_code == 200


def test_nobody_ends_someone_elses_session(web: Web) -> None:
    victim = web.account(email="victim@example.org")
    sign_in(web.client(), victim.email)
    [row] = web.db.exec(select(WebSession).where(WebSession.account_id == victim.id)).all()
    attacker = web.signed_in()
    answer = post(attacker, f"/account/sessions/{row.id}/end", {}, "/account/sessions")
    assert answer.status_code == 404
    assert web.db.get(WebSession, row.id) is not None


def test_the_export_holds_every_row_that_names_the_account(web: Web) -> None:
    account_id, client = rich_account(web)
    answer = client.get("/account/data.json")
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "no-store"
    data = json.loads(answer.text)
    assert data["account"]["email"] == "me@example.org"
    assert "password_hash" not in data["account"]
    expected = naming(web, account_id)
    assert {"proposal", "proposal_author", "notification", "committee_member",
            "oidc_identity", "web_session", "role_grant"} <= set(expected)  # fmt: skip
    for table, rows in expected.items():
        exported_ids = {row["id"] for row in data["tables"][table]}
        assert {row["id"] for row in rows} <= exported_ids, table
    assert "token_hash" not in answer.text
    assert "password_hash" not in answer.text
    assert data["tables"]["proposal_event"], "the history of the resident's proposals"
    assert any(e["action"] == "account.register" for e in data["tables"]["audit_log"])


def test_a_table_naming_the_account_through_another_is_classified() -> None:
    """A table pointing at a table that names the account (participation -> roll entry ->
    account, say) must be exported through it or said to hold nothing about the person."""
    direct = {c.table.name for c in your_data.account_columns()}
    for table in metadata.sorted_tables:
        if table.name in direct or table.name == "account":
            continue
        via = {fk.column.table.name for c in table.columns for fk in c.foreign_keys}
        if via & direct:
            classified = {*your_data.THROUGH, *your_data.NOT_ABOUT_THE_PERSON}
            assert table.name in classified, (
                f"{table.name} refers to {sorted(via & direct)}: classify it in your_data.py"
            )


def test_deletion_needs_the_password(web: Web) -> None:
    client = web.signed_in()
    answer = post(client, "/account/delete", {"password": "not my password"}, "/account/delete")
    assert answer.status_code == 422
    assert "password is wrong" in answer.text
    assert queries.find_account(web.db, "resident@example.org") is not None


def test_deletion_leaves_only_the_anonymised_credits(web: Web) -> None:
    account_id, client = rich_account(web)
    answer = post(client, "/account/delete", {"password": PASSWORD}, "/account/delete")
    assert answer.headers["location"] == "/?notice=account-deleted"
    assert client.get("/account").status_code == 303
    left = naming(web, account_id)
    stray = {(table, column.name) for table, rows in left.items() for row in rows
             for column in metadata.tables[table].columns
             if row.get(column.name) == account_id and column.foreign_keys}  # fmt: skip
    assert stray <= CREDITS, stray - CREDITS
    assert ("proposal", "created_by") in stray  # the public proposal stays, credited
    row = web.db.get(Account, account_id)
    assert row is not None
    assert row.deleted_at is not None
    assert "me@example.org" not in (row.email, row.display_name)
    assert row.display_name == your_data.DELETED_NAME
    assert mailbox.mails_to(web.db, "me@example.org") == []
    assert web.db.exec(select(AuditLog).where(AuditLog.action == "account.delete")).all()
    # The address is free again, and the old password opens nothing.
    again = web.client()
    answer = post(again, "/login", {"email": "me@example.org", "password": PASSWORD}, "/login")
    assert answer.status_code == 422


def test_the_last_council_member_cannot_delete_the_account(web: Web) -> None:
    client = web.signed_in(Role.COUNCIL)
    assert queries.council_count(web.db) == 1
    answer = post(client, "/account/delete", {"password": PASSWORD}, "/account/delete")
    assert answer.status_code == 422
    assert "last council member" in answer.text
