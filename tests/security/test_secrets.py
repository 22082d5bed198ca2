"""T12: no secret in the logs or the database after a full journey at DEBUG logging.

The journey runs against an app of its own on a database of its own (real commits), built after
the log levels are set, so SQLAlchemy logs every statement, its parameters and the rows it
reads. Every secret the journey handles is collected on the way: each password typed (wrong
ones too), the SECRET_KEY, every session cookie and the raw id inside it, every CSRF token.
Then the captured log records and a dump of every table and column are searched for them.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from dataclasses import dataclass, field

import httpx2
import pytest
from sqlalchemy import MetaData, select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from budget import cli
from budget.config import Settings
from budget.db import queries
from budget.db.engine import make_engine
from budget.services import accounts
from budget.web.app import create_app
from budget.web.auth import SessionCookie
from tests import mailbox

pytestmark = pytest.mark.threat("T12")

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
LOGGERS = (None, "uvicorn", "uvicorn.access", "uvicorn.error", "sqlalchemy.engine", "budget")
RESIDENT = "camille@example.org"
COUNCIL = "mayor@example.org"
PASSWORDS = {
    "resident": "resident passphrase 7f3a91",
    "resident-wrong": "wrong passphrase b62e04",
    "resident-new": "renewed passphrase 5cd218",
    "council": "council passphrase 0e97ab",
    "council-wrong": "mistyped passphrase 44d1c9",
}
CYCLE = {
    "name_fr": "Budget participatif 2028",
    "name_en": "Participatory budget 2028",
    "instance": "2028",
    "time_zone": "Europe/Paris",
    "currency": "EUR",
    "eligibility_mode": "declared",
    "district_mode": "choice",
    "min_age": "",
    "reference_date": "2028-01-01",
    "max_proposals_per_author": "5",
}


@dataclass
class Journey:
    """A browser's visit, remembering every secret it was given."""

    app: Starlette
    client: TestClient
    url: str = ""
    seen: dict[str, str] = field(default_factory=dict)  # secret -> what it is

    def record(self, response: httpx2.Response) -> httpx2.Response:
        self.seen.update(dict.fromkeys(CSRF_FIELD.findall(response.text), "CSRF token"))
        cookie: SessionCookie = self.app.state.session_cookie
        value = self.client.cookies.get(cookie.name)
        if value:
            self.seen[value] = "session cookie"
            header = [(b"cookie", f"{cookie.name}={value}".encode())]
            payload = cookie.read(Request({"type": "http", "headers": header}))
            assert payload, "the journey's own cookie must be readable"
            for kind, raw in payload.items():  # the raw session (or anonymous) id
                self.seen[raw] = f"raw id in the cookie ({kind})"
        return response

    def get(self, path: str) -> httpx2.Response:
        return self.record(self.client.get(path))

    def post(self, path: str, data: dict[str, str], *, form_page: str = "/") -> httpx2.Response:
        found = CSRF_FIELD.search(self.get(form_page).text)
        assert found, f"no CSRF token on {form_page}"
        return self.record(self.client.post(path, data={**data, "csrf_token": found.group(1)}))

    def sign_in(self, email: str, password: str, status: int = 303) -> None:
        data = {"email": email, "password": password}
        assert self.post("/login", data, form_page="/login").status_code == status


def open_mailed_link(journey: Journey, path: str) -> str:
    """The newest link to `path` in the resident's mail (read from the outbox, as their mail
    program would), remembered as a secret, opened and used (T13). The reading itself is not
    the app's: its SQL log (rows at DEBUG) is paused meanwhile."""
    sql_log = logging.getLogger("sqlalchemy.engine.Engine")
    sql_log.disabled = True
    try:
        engine = make_engine(journey.url)
        with Session(engine) as db:
            token = mailbox.link_token(db, RESIDENT, path)
        engine.dispose()
    finally:
        sql_log.disabled = False
    journey.seen[token] = f"token of a {path} link"
    assert journey.get(f"{path}?token={token}").status_code == 200
    return token


def resident_journey(journey: Journey) -> None:
    password = PASSWORDS["resident"]
    registration = {"display_name": "Camille", "email": RESIDENT, "password": password,
                    "password_confirm": password}  # fmt: skip
    assert journey.post("/register", registration, form_page="/register").status_code == 303
    token = open_mailed_link(journey, "/verify")
    assert journey.post("/verify", {"token": token}).status_code == 303
    forgot = journey.post("/password/forgot", {"email": RESIDENT}, form_page="/password/forgot")
    assert forgot.status_code == 303
    token = open_mailed_link(journey, "/password/reset")
    reset = {"token": token, "new_password": password, "new_password_confirm": password}
    assert journey.post("/password/reset", reset).status_code == 303
    journey.sign_in(RESIDENT, PASSWORDS["resident-wrong"], status=422)
    journey.sign_in(RESIDENT, PASSWORDS["resident"])
    change = {"current_password": PASSWORDS["resident"], "new_password": PASSWORDS["resident-new"],
              "new_password_confirm": PASSWORDS["resident-new"]}  # fmt: skip
    response = journey.post("/account/password", change, form_page="/account/password")
    assert response.status_code == 303
    assert journey.post("/language", {"language": "fr", "next": "/"}).status_code == 303
    assert journey.post("/logout", {}).status_code == 303
    journey.sign_in(RESIDENT, PASSWORDS["resident-new"])
    assert journey.post("/logout", {}).status_code == 303


def council_journey(journey: Journey, resident_id: int) -> None:
    journey.sign_in(COUNCIL, PASSWORDS["council-wrong"], status=422)
    journey.sign_in(COUNCIL, PASSWORDS["council"])
    response = journey.post("/admin/cycles/new", CYCLE, form_page="/admin/cycles/new")
    assert response.status_code == 303
    grant = {"role": "reviewer", "action": "grant"}
    path = f"/admin/accounts/{resident_id}/roles"
    assert journey.post(path, grant, form_page="/admin/accounts").status_code == 303
    assert journey.get("/admin/audit").status_code == 200
    assert journey.post("/logout", {}).status_code == 303
    # The resident signs in again and stays: the dump then holds a live session's row.
    journey.sign_in(RESIDENT, PASSWORDS["resident-new"])
    assert journey.get("/account").status_code == 200


def create_council(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through `budget create-admin`, as an operator would (production argon2 parameters)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["council"] + "\n"))
    argv = ["create-admin", "--email", COUNCIL, "--name", "Mayor", "--password-stdin"]
    assert cli.main(argv) == 0


def dump(url: str) -> str:
    """Every row of every table in the database (reflected, not just the known models)."""
    engine = make_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    lines = []
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                lines.append(f"{table.name}: " + " | ".join(str(value) for value in row))
    engine.dispose()
    return "\n".join(lines)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Each record as formatted, its message, its raw arguments and any traceback text; but
    not the test client's own request log (httpx2): that is the browser's, which holds the
    links it opened. The server's access log (uvicorn) is redacted (test_redaction)."""
    parts = []
    for record in caplog.records:
        if record.name.startswith("httpx"):
            continue
        parts.append(caplog.handler.format(record))
        parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
    return "\n".join(parts)


def test_t12_no_secret_in_logs_or_db(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret_key = secrets.token_urlsafe(48)
    monkeypatch.setenv("SECRET_KEY", secret_key)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    create_council(monkeypatch)
    settings = Settings.from_env({"SECRET_KEY": secret_key, "DATABASE_URL": fresh_url})
    app = create_app(settings, hasher=accounts.test_hasher())
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        client.headers["accept-language"] = "en"
        journey = Journey(app, client, fresh_url)
        resident_journey(journey)
        engine = make_engine(fresh_url)
        with Session(engine) as db:
            found = queries.find_account(db, RESIDENT)
        engine.dispose()
        assert found is not None
        council_journey(journey, found.id)
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records), "SQL not logged"
    searched = {"logs": logged(caplog), "database": dump(fresh_url)}  # the outbox included
    wanted = {**journey.seen, secret_key: "SECRET_KEY"}
    wanted.update({password: f"password ({name})" for name, password in PASSWORDS.items()})
    assert len(journey.seen) >= 10  # cookies, raw ids and CSRF tokens of several sessions
    leaks = sorted(
        {(where, kind) for where, text in searched.items() for secret, kind in wanted.items()
         if secret in text}
    )  # fmt: skip
    assert leaks == []
