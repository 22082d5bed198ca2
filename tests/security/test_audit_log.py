"""T10: every state-changing route leaves an audit entry naming its actor; `budget audit verify`
names the first tampered entry; parallel actions still make one unbroken chain.

The route test is generated from the route table: each unsafe route needs a row in ACTIONS (a
caller allowed on it and a form it accepts), so a new route without one fails here until it is
given one. Tampering needs a database of its own with real commits (the CLI reads it through
DATABASE_URL), and drops the append-only triggers first, as a DBA could.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from budget import cli
from budget.db import queries
from budget.db.engine import make_engine
from budget.db.tables import AuditLog, Notification
from budget.domain.accounts import Role
from budget.domain.audit import entry_hash
from budget.domain.cycle import Phase
from budget.domain.proposals import ProposalStatus
from budget.services import (
    accounts,
    assignments,
    audit,
    committees,
    cycles,
    oidc,
    proposals,
    recovery,
    review,
    sessions,
)
from budget.web.routes import all_routes
from budget.web.routing import RouteSpec
from tests import mailbox
from tests.domain.test_review import COMPLETE
from tests.security.matrix import fill
from tests.services.test_audit import drop_triggers
from tests.webapp import PASSWORD, Web, csrf_token, make_proposal, sign_in

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
Form = Mapping[str, str | list[str]]
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


def _newcomer(web: Web) -> dict[str, str]:
    """An account registered but not confirmed yet."""
    accounts.register(
        web.db, web.clock(), email="newcomer@example.org", password=PASSWORD,
        display_name="Newcomer", hasher=HASHER, links=mailbox.links(),
    )  # fmt: skip
    web.db.commit()
    return {"email": "newcomer@example.org"}


def _newcomer_link(web: Web, path: str) -> dict[str, str]:
    _newcomer(web)
    return {"token": mailbox.link_token(web.db, "newcomer@example.org", path)}


def _returning(web: Web) -> str:
    return web.account(email="returning@example.org").email


def _reset_form(web: Web, ids: Ids) -> dict[str, str]:
    recovery.request_reset(web.db, web.clock(), email=_returning(web), links=mailbox.links())
    web.db.commit()
    token = mailbox.link_token(web.db, "returning@example.org", "/password/reset")
    return {"token": token, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}


def _other_session(web: Web, ids: Ids) -> dict[str, str]:
    """Another session of the caller (made just before), to sign out from this one."""
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    sessions.start_session(web.db, web.clock(), account_id=caller.id)
    active = sessions.active_sessions(web.db, web.clock(), account_id=caller.id, current_token=None)
    ids["session_id"] = min(s.id for s in active)
    web.db.commit()
    return {}


def _oidc_link(web: Web) -> dict[str, str]:
    """A first sign-in through a provider, whose mailed link the form confirms."""
    claims = oidc.Claims(provider="city", label="City", subject="s-1", email="lea@example.org",
                         birthdate=None, name="Léa")  # fmt: skip
    oidc.sign_in(web.db, web.clock(), claims=claims, links=mailbox.links(), language="en")
    web.db.commit()
    return {"token": mailbox.link_token(web.db, "lea@example.org", "/login/oidc/confirm")}


# Unsafe routes that change no account and so leave no entry of their own, with the reason.
NOT_AUDITED: dict[str, str] = {
    "oidc_start": "records a pending sign-in bound to the browser; the sign-in itself is "
    "audited when the provider sends the browser back",
}


def constant(form: dict[str, str]) -> Callable[[Web, Ids], dict[str, str]]:
    return lambda web, ids: form


@dataclass(frozen=True)
class Action:
    """A successful call of a route: who calls (None: a signed-out visitor), with what form,
    and, for a visitor, the email of the account the audit entry must name."""

    caller: Role | None
    form: Callable[[Web, Ids], Form]
    actor_email: str | None = None


def proposal_form(ids: Ids) -> dict[str, str]:
    return {"budget_id": str(ids["budget_id"]), "title": "Benches", "summary": "Rest a while."}


def own_draft(web: Web, ids: Ids) -> dict[str, str]:
    """The caller's own draft becomes the path's proposal."""
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    ids["proposal_id"] = make_proposal(web, caller.id, ids["budget_id"], submit=False)
    return proposal_form(ids)


def shared_draft(web: Web, ids: Ids, accepted: bool) -> dict[str, str]:
    """The caller is invited to the path's draft (by its author), and has accepted if asked."""
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    now = web.clock()
    proposals.invite_coauthor(
        web.db, now, actor_id=ids["account_id"], proposal_id=ids["proposal_id"],
        email=caller.email,
    )  # fmt: skip
    if accepted:
        proposals.answer_invitation(
            web.db, now, actor_id=caller.id, proposal_id=ids["proposal_id"], accept=True
        )
    web.db.commit()
    return {}


def _public(web: Web, ids: Ids) -> None:
    """Submit the path's proposal (a draft by `account_id`, see objects()): review needs it."""
    if queries.get_proposal(web.db, ids["proposal_id"]).status != ProposalStatus.DRAFT:
        return
    proposals.submit_proposal(
        web.db, web.clock(), actor_id=ids["account_id"], proposal_id=ids["proposal_id"]
    )
    web.db.commit()


def _reviewer(web: Web) -> int:
    found = queries.find_account(web.db, "reviewer@example.org")  # the caller, made just before
    assert found is not None
    return found.id


def _assigned(web: Web, ids: Ids, *, in_review: bool = False) -> int:
    reviewer = _reviewer(web)
    _public(web, ids)
    assignments.assign(web.db, web.clock(), actor_id=web.council_id(),
                       proposal_id=ids["proposal_id"], reviewer_id=reviewer)  # fmt: skip
    if in_review:
        cycles.advance_phase(web.db, web.clock(), actor_id=web.council_id(),
                             cycle_id=ids["cycle_id"], target=Phase.REVIEW)  # fmt: skip
    web.db.commit()
    return reviewer


def _to_review(web: Web, ids: Ids) -> None:
    _public(web, ids)
    cycles.advance_phase(web.db, web.clock(), actor_id=web.council_id(), cycle_id=ids["cycle_id"],
                         target=Phase.REVIEW)  # fmt: skip
    web.db.commit()


def _new_reviewer(web: Web, email: str) -> int:
    return web.account(Role.REVIEWER, email=email).id


def _own_notification(web: Web, ids: Ids) -> dict[str, str]:
    """The seeded notification handed to the caller (a resident made after the seeding)."""
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    row = web.db.get(Notification, ids["notification_id"])
    assert row is not None
    row.account_id = caller.id
    web.db.add(row)
    web.db.commit()
    return {}


def _member(web: Web, ids: Ids) -> dict[str, str]:
    member = _new_reviewer(web, "member@example.org")
    committees.add_member(web.db, web.clock(), actor_id=web.council_id(),
                      committee_id=ids["committee_id"], account_id=member)  # fmt: skip
    web.db.commit()
    return {"account_id": str(member)}


def _assignment(web: Web, ids: Ids, *, existing: bool) -> dict[str, str]:
    reviewer = _new_reviewer(web, "assignee@example.org")
    _public(web, ids)
    if existing:
        assignments.assign(web.db, web.clock(), actor_id=web.council_id(),
                      proposal_id=ids["proposal_id"], reviewer_id=reviewer)  # fmt: skip
        web.db.commit()
    return {"proposal_id": str(ids["proposal_id"]), "reviewer_id": str(reviewer)}


def _submitted_review(web: Web, ids: Ids) -> dict[str, str]:
    reviewer = _new_reviewer(web, "assignee@example.org")
    _public(web, ids)
    assignments.assign(web.db, web.clock(), actor_id=web.council_id(),
                       proposal_id=ids["proposal_id"], reviewer_id=reviewer)  # fmt: skip
    _to_review(web, ids)
    review.submit_review(web.db, web.clock(), actor_id=reviewer, proposal_id=ids["proposal_id"],
                         review=COMPLETE)  # fmt: skip
    web.db.commit()
    return {"reviewer_id": str(reviewer)}


def _spread(web: Web, ids: Ids) -> Form:
    _public(web, ids)
    return {"committee_id": str(ids["committee_id"]), "per_proposal": "1"}


def _decision(web: Web, ids: Ids) -> Form:
    _to_review(web, ids)
    return {"decision": "infeasible", "explanation": "The site belongs to the State, sorry."}


def _second_proposal(web: Web, ids: Ids) -> Form:
    author = web.account(email="second@example.org").id
    _public(web, ids)
    other = proposals.create_proposal(web.db, web.clock(), author_id=author,
                                      budget_id=ids["budget_id"], title="Benches",
                                      summary="Benches.", address="2 quai de Valmy")  # fmt: skip
    proposals.submit_proposal(web.db, web.clock(), actor_id=author, proposal_id=other)
    web.db.commit()
    return {"source": [str(ids["proposal_id"]), str(other)], "title": "Both",
            "summary": "Together."}  # fmt: skip


OUTLINE = (
    '{"type": "Polygon", "coordinates": '
    "[[[2.36, 48.85], [2.39, 48.85], [2.39, 48.87], [2.36, 48.85]]]}"
)
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
    "verify_submit": Action(
        None, lambda web, ids: _newcomer_link(web, "/verify"), actor_email="newcomer@example.org"
    ),
    "resend_submit": Action(
        None, lambda web, ids: _newcomer(web), actor_email="newcomer@example.org"
    ),
    "email_submit": Action(
        Role.RESIDENT, constant({"new_email": "moved@example.org", "password": PASSWORD})
    ),
    "forgot_submit": Action(
        None, lambda web, ids: {"email": _returning(web)}, actor_email="returning@example.org"
    ),
    "reset_submit": Action(None, _reset_form, actor_email="returning@example.org"),
    "approve_reset": Action(Role.COUNCIL, constant({})),
    "page_save": Action(Role.COUNCIL, constant({"title": "FAQ", "body": "**Why?** Because."})),
    "end_session": Action(Role.RESIDENT, lambda web, ids: _other_session(web, ids)),
    "delete_submit": Action(Role.RESIDENT, constant({"password": PASSWORD})),
    "oidc_confirm": Action(None, lambda web, ids: _oidc_link(web), actor_email="lea@example.org"),
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
    # authoring (web/routes/authoring.py): the caller is the default resident, made author
    "proposal_create": Action(Role.RESIDENT, lambda web, ids: proposal_form(ids)),
    "proposal_update": Action(Role.RESIDENT, lambda web, ids: own_draft(web, ids)),
    "proposal_submit": Action(Role.RESIDENT, lambda web, ids: own_draft(web, ids)),
    "proposal_withdraw": Action(Role.RESIDENT, lambda web, ids: own_draft(web, ids)),
    "coauthor_invite": Action(
        Role.RESIDENT, lambda web, ids: own_draft(web, ids) | {"email": "target@example.org"}
    ),
    "coauthor_leave": Action(Role.RESIDENT, lambda web, ids: shared_draft(web, ids, True)),
    "invitation_answer": Action(
        Role.RESIDENT, lambda web, ids: shared_draft(web, ids, False) | {"decision": "accept"}
    ),
    # proposals, categories and district outlines
    "category_create": Action(
        Role.COUNCIL, constant({"code": "schools", "name_fr": "Écoles", "name_en": "Schools"})
    ),
    "category_update": Action(
        Role.COUNCIL, constant({"code": "green", "name_fr": "Nature", "name_en": "Nature"})
    ),
    "category_delete": Action(Role.COUNCIL, constant({})),
    "district_boundary": Action(Role.COUNCIL, constant({"boundary": OUTLINE})),
    # review, decisions, notifications
    "review_save": Action(
        Role.REVIEWER,
        lambda web, ids: (
            _assigned(web, ids, in_review=True),
            {"action": "save", "cost_total": "1 000"},
        )[1],
    ),
    "review_conflict": Action(
        Role.REVIEWER,
        lambda web, ids: (_assigned(web, ids), {"reason": "My neighbour wrote it."})[1],
    ),
    "note_add": Action(Role.COUNCIL, constant({"body": "Call the roads unit.", "back": "admin"})),
    "notification_read": Action(Role.RESIDENT, _own_notification),
    "notifications_read_all": Action(Role.RESIDENT, constant({})),
    "notification_preference": Action(Role.RESIDENT, constant({})),
    "committee_create": Action(Role.COUNCIL, constant({"name": "Parks"})),
    "committee_member_add": Action(
        Role.COUNCIL, lambda web, ids: {"account_id": str(_new_reviewer(web, "member@example.org"))}
    ),
    "committee_member_remove": Action(Role.COUNCIL, _member),
    "assignment_create": Action(
        Role.COUNCIL, lambda web, ids: _assignment(web, ids, existing=False)
    ),
    "assignment_remove": Action(
        Role.COUNCIL, lambda web, ids: _assignment(web, ids, existing=True)
    ),
    "assignments_spread": Action(Role.COUNCIL, _spread),
    "decide": Action(Role.COUNCIL, _decision),
    "review_reopen": Action(Role.COUNCIL, _submitted_review),
    "merge": Action(Role.COUNCIL, _second_proposal),
}


@pytest.fixture
def db(seeded_db: Session) -> Session:
    """The objects the routes are called on are made once per module and backend (matrix.py);
    each case makes its caller and runs in a savepoint rolled back after it."""
    return seeded_db


def last_seq(db: Session) -> int:
    newest = queries.list_audit(db, limit=1)
    return newest[0].seq if newest else 0


def test_every_unsafe_route_has_an_action_row() -> None:
    """Rows for routes that no longer exist are stale: the table must match the routes."""
    assert set(ACTIONS) | set(NOT_AUDITED) == {spec.name for spec, _ in UNSAFE}
    assert not set(ACTIONS) & set(NOT_AUDITED)


@pytest.mark.parametrize(("spec", "method"), UNSAFE, ids=[f"{m} {s.path}" for s, m in UNSAFE])
def test_t10_every_action_audited(
    web: Web, ids: dict[str, int], spec: RouteSpec, method: str
) -> None:
    if spec.name in NOT_AUDITED:
        return
    action = ACTIONS.get(spec.name)
    if action is None:
        pytest.fail(f"route {spec.name!r} has no row in ACTIONS: give it a valid form")
    assert spec.allows({action.caller.value if action.caller else "visitor"})
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
                display_name=f"Resident {k}", hasher=HASHER, links=mailbox.links(),
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
