"""T10: every state-changing route leaves an audit entry naming its actor; `budget audit verify`
names the first tampered entry; parallel actions still make one unbroken chain.

The route test is generated from the route table: each unsafe route needs a row in ACTIONS (a
caller allowed on it and a form it accepts), so a new route without one fails here until it is
given one. Tampering needs a database of its own with real commits (the CLI reads it through
DATABASE_URL), and drops the append-only triggers first, as a DBA could.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from budget import cli
from budget.db import queries
from budget.db.engine import make_engine
from budget.db.tables import AuditLog
from budget.domain.accounts import Role
from budget.domain.audit import entry_hash
from budget.services import accounts, audit, cycles
from budget.web.routes import all_routes
from budget.web.routing import RouteSpec
from tests.security.test_route_roles import fill, objects
from tests.services.test_audit import drop_triggers
from tests.webapp import PASSWORD, Web, csrf_token, sign_in

pytestmark = pytest.mark.threat("T10")

NOW = dt.datetime(2027, 2, 1, 8, 0, tzinfo=dt.UTC)
UNSAFE = [
    (spec, method)
    for spec in all_routes()
    for method in spec.methods
    if method in {"POST", "PUT", "PATCH", "DELETE"}
]

# -- every action is audited ---------------------------------------------------------------------

Ids = dict[str, int]
CYCLE_FORM = {
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
BUDGET_FORM = {"name_fr": "Tout Paris", "name_en": "All of Paris", "scope": "city",
               "amount": "1 000 000"}  # fmt: skip


def returning_resident(web: Web, ids: Ids) -> dict[str, str]:
    account = web.account(email="returning@example.org")
    return {"email": account.email, "password": PASSWORD, "next": "/"}


def constant(form: dict[str, str]) -> Callable[[Web, Ids], dict[str, str]]:
    return lambda web, ids: form


@dataclass(frozen=True)
class Action:
    """A successful call of a route: who calls (None: a signed-out visitor), with what form,
    and, for a visitor, the email of the account the audit entry must name."""

    caller: Role | None
    form: Callable[[Web, Ids], dict[str, str]]
    actor_email: str | None = None


NEW_PASSWORD = "a brand new passphrase 42"
ACTIONS: dict[str, Action] = {
    "register_submit": Action(
        None,
        constant(
            {
                "display_name": "Newcomer",
                "email": "newcomer@example.org",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            }
        ),
        actor_email="newcomer@example.org",
    ),
    "login_submit": Action(None, returning_resident, actor_email="returning@example.org"),
    "logout": Action(Role.RESIDENT, constant({})),
    "password_submit": Action(
        Role.RESIDENT,
        constant(
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            }
        ),
    ),
    "choose_language": Action(Role.RESIDENT, constant({"language": "fr", "next": "/"})),
    "cycle_create": Action(Role.COUNCIL, constant(CYCLE_FORM)),
    "cycle_update": Action(Role.COUNCIL, constant({**CYCLE_FORM, "instance": "2027"})),
    "schedule_set": Action(
        Role.COUNCIL,
        constant({"submission_start": "2027-03-02T09:00", "submission_end": "2027-04-01T18:00"}),
    ),
    "advance": Action(Role.COUNCIL, constant({"target": "draft"})),
    "budget_create": Action(Role.COUNCIL, constant(BUDGET_FORM)),
    "budget_update": Action(Role.COUNCIL, constant({**BUDGET_FORM, "name_en": "Whole city"})),
    "district_create": Action(Role.COUNCIL, constant({"code": "75112", "name": "12e"})),
    "district_update": Action(Role.COUNCIL, constant({"code": "75111", "name": "Onzième"})),
    "change_role": Action(Role.COUNCIL, constant({"role": "reviewer", "action": "grant"})),
}


def last_seq(db: Session) -> int:
    newest = queries.list_audit(db, limit=1)
    return newest[0].seq if newest else 0


def test_every_unsafe_route_has_an_action_row() -> None:
    """Rows for routes that no longer exist are stale: the table must match the routes."""
    assert set(ACTIONS) == {spec.name for spec, _ in UNSAFE}


@pytest.mark.parametrize(("spec", "method"), UNSAFE, ids=[f"{m} {s.path}" for s, m in UNSAFE])
def test_t10_every_action_audited(web: Web, spec: RouteSpec, method: str) -> None:
    action = ACTIONS.get(spec.name)
    if action is None:
        pytest.fail(f"route {spec.name!r} has no row in ACTIONS: give it a valid form")
    assert spec.allows({action.caller.value if action.caller else "visitor"})
    ids = objects(web)
    client = web.client()
    caller = None
    if action.caller is not None:
        caller = web.account(action.caller)
        sign_in(client, caller.email)
    data = action.form(web, ids)
    before = last_seq(web.db)
    token = csrf_token(client, "/")
    response = client.request(method, fill(spec.path, ids), data={**data, "csrf_token": token})
    assert response.status_code in {200, 204, 303}, response.text
    assert not response.headers.get("location", "").startswith("/login?next=")  # refused
    web.db.expire_all()
    added = [e for e in queries.list_audit(web.db, limit=1000) if e.seq > before]
    expected = caller if action.actor_email is None else queries.find_account(
        web.db, action.actor_email
    )  # fmt: skip
    assert expected is not None
    assert added, f"{method} {spec.path} changed state without an audit entry"
    assert f"account:{expected.id}" in {entry.actor for entry in added}


# -- tampering is detected -----------------------------------------------------------------------


def append_entries(engine: Engine, count: int) -> None:
    with Session(engine) as db:
        for k in range(1, count + 1):
            audit.append(db, NOW + dt.timedelta(minutes=k), actor=k, action="test.step",
                         object=f"thing:{k}", details={"k": k})  # fmt: skip
        db.commit()


def edit(db: Session) -> None:
    db.connection().execute(
        text("UPDATE audit_log SET details = :details WHERE seq = 3"), {"details": '{"k":30}'}
    )


def delete(db: Session) -> None:
    db.connection().execute(text("DELETE FROM audit_log WHERE seq = 3"))


def reorder(db: Session) -> None:
    """Swap entries 3 and 4 (through a free seq: the primary key is checked on each row)."""
    for old, new in ((3, -1), (4, 3), (-1, 4)):
        db.connection().execute(
            text("UPDATE audit_log SET seq = :new WHERE seq = :old"), {"old": old, "new": new}
        )


def insert(db: Session) -> None:
    """A forged entry 3, correctly chained to entry 2; the later entries move up by one."""
    connection = db.connection()
    connection.execute(text("UPDATE audit_log SET seq = -seq WHERE seq >= 3"))
    connection.execute(text("UPDATE audit_log SET seq = 1 - seq WHERE seq < 0"))
    previous = db.exec(select(AuditLog).where(col(AuditLog.seq) == 2)).one()
    at = NOW + dt.timedelta(minutes=2, seconds=30)
    forged = entry_hash(3, at, "account:9", "role.grant", "account:9", {}, previous.hash)
    db.add(AuditLog(seq=3, at=at, actor="account:9", action="role.grant", object="account:9",
                    details="{}", prev_hash=previous.hash, hash=forged))  # fmt: skip


TAMPERING: dict[str, tuple[Callable[[Session], None], int]] = {
    "edit": (edit, 3),
    "delete": (delete, 4),
    "reorder": (reorder, 3),
    "insert": (insert, 4),  # the forged entry chains; the one it displaced no longer does
}


@pytest.mark.parametrize("tampering", TAMPERING)
def test_t10_verify_detects(
    fresh_url: str, tampering: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(fresh_url)
    append_entries(engine, 6)
    assert cli.main(["audit", "verify"]) == 0
    assert "the chain is intact: 6 entries" in capsys.readouterr().out
    tamper, first_bad = TAMPERING[tampering]
    with Session(engine) as db:
        drop_triggers(db)
        tamper(db)
        db.commit()
    engine.dispose()
    assert cli.main(["audit", "verify"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"the chain is broken at seq {first_bad}:" in err


# -- concurrent appends --------------------------------------------------------------------------

ACTION_COUNT = 200  # as SECURITY.md T10 states it
HASHER = accounts.test_hasher()


def one_action(engine: Engine, council_id: int, k: int) -> None:
    """One action in its own session and transaction, as a web worker would run it."""
    with Session(engine) as db:
        if k % 2:
            cycles.create_district(db, NOW, actor_id=council_id, code=f"D{k}", name=f"Area {k}")
        else:
            accounts.register(
                db, NOW, email=f"r{k}@example.org", password=PASSWORD,
                display_name=f"Resident {k}", hasher=HASHER,
            )  # fmt: skip
        db.commit()


def test_t10_concurrent_appends(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    with Session(engine) as db:
        council = accounts.create_admin(
            db, NOW, email="mayor@example.org", password=PASSWORD, display_name="Mayor",
            hasher=HASHER,
        )  # fmt: skip
        db.commit()
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(one_action, engine, council.id, k) for k in range(ACTION_COUNT)]
        for future in futures:
            future.result()
    with Session(engine) as db:
        report = audit.verify_chain(db)
        seqs = db.exec(select(AuditLog.seq).order_by(col(AuditLog.seq))).all()
    engine.dispose()
    assert (report.ok, report.first_bad_seq) == (True, None)
    assert report.entries == 1 + ACTION_COUNT
    assert list(seqs) == list(range(1, ACTION_COUNT + 2))
