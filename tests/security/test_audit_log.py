"""T10: every state-changing route leaves an audit entry naming its actor; `budget audit verify`
names the first tampered entry; parallel actions still make one unbroken chain.

The route test is generated from the route table: each unsafe route needs a row in ACTIONS (a
caller allowed on it and a form it accepts), so a new route without one fails here until it is
given one. Tampering needs a database of its own with real commits (the CLI reads it through
DATABASE_URL), and drops the append-only triggers first, as a DBA could.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from budget import cli
from budget.db import queries
from budget.db.engine import for_writing, make_engine
from budget.db.tables import AuditLog, Notification, Proposal
from budget.domain.accounts import Role
from budget.domain.audit import entry_hash
from budget.domain.ballots import BallotType
from budget.domain.cycle import Phase
from budget.domain.polling import PaperKind
from budget.domain.proposals import ProposalStatus
from budget.services import (
    accounts,
    assignments,
    audit,
    budgets,
    codes,
    comments,
    committees,
    cycles,
    decisions,
    images,
    oidc,
    polling,
    proposals,
    recovery,
    results,
    review,
    roll,
    sessions,
    supports,
)  # fmt: skip
from budget.services.budgets import BudgetForm
from budget.services.polling import Reading
from budget.web.routes import all_routes
from budget.web.routing import RouteSpec
from tests import mailbox
from tests.domain.test_review import COMPLETE
from tests.images import png
from tests.security.matrix import fill
from tests.services.conftest import budget_form, cycle_form
from tests.services.test_audit import drop_triggers
from tests.services.voting_setup import enrol
from tests.webapp import PASSWORD, Web, csrf_token, make_project, make_proposal, sign_in

pytestmark = pytest.mark.threat("T10")

NOW = dt.datetime(2027, 2, 1, 8, 0, tzinfo=dt.UTC)
UNSAFE = [
    (spec, method)
    for spec in all_routes()
    for method in spec.methods
    if method in {"POST", "PUT", "PATCH", "DELETE"} and spec.changes_state
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


def _roll_cycle(web: Web, ids: Ids) -> int:
    """A roll-mode cycle with one imported entry (ids point at both), for the roll routes."""
    council, now = web.council_id(), web.clock()
    form = cycle_form(instance="2040", eligibility_mode="roll", district_mode="residence")
    ids["cycle_id"] = cycles.create_cycle(web.db, now, actor_id=council, form=form)
    roll.import_roll(
        web.db, now, actor_id=council, cycle_id=ids["cycle_id"],
        content="external_id,family_name\nR1,Durand\n",
    )  # fmt: skip
    [entry] = queries.roll_page(web.db, ids["cycle_id"]).rows
    ids["entry_id"] = entry.entry.id
    web.db.commit()
    return ids["cycle_id"]


def _with_code(web: Web, ids: Ids) -> dict[str, str]:
    cycle_id = _roll_cycle(web, ids)
    codes.issue_codes(web.db, web.clock(), actor_id=None, cycle_id=cycle_id, key=b"k" * 32)
    web.db.commit()
    return {"reason": "Letter lost"}


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
    files: Mapping[str, tuple[str, bytes, str]] | None = None  # a multipart upload
    # Why the route cannot succeed yet: the test then checks it refuses and writes nothing.
    pending: str | None = None


def proposal_form(ids: Ids) -> dict[str, str]:
    return {"budget_id": str(ids["budget_id"]), "title": "Benches", "summary": "Rest a while."}


def own_draft(web: Web, ids: Ids) -> dict[str, str]:
    """The caller's own draft becomes the path's proposal."""
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    ids["proposal_id"] = make_proposal(web, caller.id, ids["budget_id"], submit=False)
    return proposal_form(ids)


def own_image(web: Web, ids: Ids) -> dict[str, str]:
    """An image of the caller's own draft becomes the path's image."""
    own_draft(web, ids)
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    ids["image_id"] = images.add_image(
        web.db, web.clock(), actor_id=caller.id, proposal_id=ids["proposal_id"], upload=png(),
        alt_text="A bench",
    )  # fmt: skip
    web.db.commit()
    return {}


def supportable(web: Web, ids: Ids, supported: bool = False) -> dict[str, str]:
    """A submitted proposal of a cycle collecting supports becomes the path's proposal; the
    caller supports it (and so follows it) if asked."""
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    now = web.clock()
    ids["proposal_id"] = make_proposal(web, ids["account_id"], ids["budget_id"])
    supports.configure_supports(
        web.db, now, actor_id=web.council_id(), cycle_id=ids["cycle_id"], enabled=True,
        threshold=None,
    )  # fmt: skip
    if supported:
        supports.support(web.db, now, actor_id=caller.id, proposal_id=ids["proposal_id"])
    web.db.commit()
    return {}


def own_submitted(web: Web, ids: Ids) -> dict[str, str]:
    """The caller's own submitted proposal becomes the path's proposal."""
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    ids["proposal_id"] = make_proposal(web, caller.id, ids["budget_id"], submit=True)
    return proposal_form(ids)


def public(web: Web, ids: Ids) -> dict[str, str]:
    """A submitted proposal (by `account_id`) becomes the path's proposal."""
    ids["proposal_id"] = make_proposal(web, ids["account_id"], ids["budget_id"])
    return {}


def others_comment(web: Web, ids: Ids) -> dict[str, str]:
    """A comment by `account_id` on a public proposal becomes the path's comment."""
    public(web, ids)
    ids["comment_id"] = comments.post_comment(
        web.db, web.clock(), actor_id=ids["account_id"], proposal_id=ids["proposal_id"],
        body="Buy cheap watches",
    )  # fmt: skip
    web.db.commit()
    return {}


def hiding(web: Web, ids: Ids) -> dict[str, str]:
    """The council hides a comment by `account_id`."""
    others_comment(web, ids)
    target = str(ids["comment_id"])
    return {"kind": "comment", "target_id": target, "action": "hide", "reason": "Insults"}


def own_comment(web: Web, ids: Ids) -> dict[str, str]:
    """The caller's own fresh comment becomes the path's comment."""
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    public(web, ids)
    ids["comment_id"] = comments.post_comment(
        web.db, web.clock(), actor_id=caller.id, proposal_id=ids["proposal_id"], body="Typo"
    )
    web.db.commit()
    return {"body": "No typo"}


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


def _project(web: Web, ids: Ids, form: dict[str, str]) -> Form:
    """A funded project (in a closed cycle of its own) becomes the path's proposal."""
    ids["proposal_id"] = make_project(web, ids["account_id"], instance="2030")[0]
    return form


def _voting_open(web: Web, ids: Ids) -> None:
    """The path's budget open for voting now with the path's proposal on a choose-one ballot."""
    now, council, day = web.clock(), web.council_id(), dt.timedelta(days=1)
    cycles.set_schedule(
        web.db, now, actor_id=council, cycle_id=ids["cycle_id"],
        dates={Phase.SUBMISSION: (now - 40 * day, now - 30 * day),
               Phase.REVIEW: (now - 29 * day, now - 2 * day), Phase.VOTING: (now - day, now + day)},
    )  # fmt: skip
    _to_review(web, ids)
    decisions.decide_proposal(web.db, now, actor_id=council, proposal_id=ids["proposal_id"],
                              feasible=True, final_cost=100_00)  # fmt: skip
    budgets.update_budget(
        web.db, now, actor_id=council, budget_id=ids["budget_id"],
        form=BudgetForm(name_fr="Tout Paris", name_en="All of Paris", scope="city",
                        district_id=None, amount=125_000_050, ballot_type=BallotType.CHOOSE_ONE,
                        rule="greedy", tie_break="more-votes,lower-cost,lottery"),
    )  # fmt: skip
    cycles.advance_phase(web.db, now, actor_id=council, cycle_id=ids["cycle_id"],
                         target=Phase.VOTING)  # fmt: skip
    web.db.commit()


def _open_ballot(web: Web, ids: Ids) -> Form:
    """The path's budget open for voting now with the path's proposal on a choose-one ballot,
    and the caller (a resident made just before) on the cycle's roll."""
    _voting_open(web, ids)
    caller = queries.find_account(web.db, "resident@example.org")
    assert caller is not None
    enrol(web.db, ids["cycle_id"], account_id=caller.id)
    web.db.commit()
    return {"choice": str(ids["proposal_id"]), "form_key": "0" * 32}


# -- polling places: the caller is the officer made just before, put on shift at the place ------


def _on_shift(web: Web, place_id: int, email: str = "officer@example.org") -> int:
    officer = queries.find_account(web.db, email) or web.account(Role.OFFICER, email=email)
    now = web.clock()
    polling.add_shift(web.db, now, actor_id=web.council_id(), place_id=place_id,
                      account_id=officer.id, starts_at=now - dt.timedelta(hours=1),
                      ends_at=now + dt.timedelta(hours=8))  # fmt: skip
    web.db.commit()
    return officer.id


def _officer_at_urn(web: Web, ids: Ids) -> int:
    """Voting open, the caller on shift at the place; returns the caller's id."""
    _voting_open(web, ids)
    return _on_shift(web, ids["place_id"])


def _check_in_form(web: Web, ids: Ids) -> Form:
    _officer_at_urn(web, ids)
    entry = enrol(web.db, ids["cycle_id"])
    web.db.commit()
    return {"entry_id": str(entry), "budget": str(ids["budget_id"])}


def _batch(web: Web, ids: Ids, officer: int) -> int:
    ids["batch_id"] = polling.open_batch(
        web.db, web.clock(), officer_id=officer, place_id=ids["place_id"],
        budget_id=ids["budget_id"], size=1,
    )  # fmt: skip
    web.db.commit()
    return ids["batch_id"]


def _differing_batch(web: Web, ids: Ids) -> Form:
    """A one-ballot batch the caller (side A) and another officer (B) read differently."""
    officer = _officer_at_urn(web, ids)
    other = _on_shift(web, ids["place_id"], "officer-b@example.org")
    batch = _batch(web, ids, officer)
    for who, reading in (
        (officer, Reading(PaperKind.BLANK)),
        (other, Reading(PaperKind.UNREADABLE)),
    ):
        polling.enter_batch(web.db, web.clock(), officer_id=who, batch_id=batch,
                            readings={1: reading})  # fmt: skip
    web.db.commit()
    return {"number": "1", "reading": "?"}


def _code_lookup(web: Web, ids: Ids) -> Form:
    """A roll-mode cycle with a place, the caller on shift there, its one entry's code."""
    cycle = _roll_cycle(web, ids)
    council, now = web.council_id(), web.clock()
    budget = budgets.create_budget(web.db, now, actor_id=council, cycle_id=cycle,
                                   form=budget_form())  # fmt: skip
    ids["place_id"] = polling.create_place(
        web.db, now, actor_id=council, cycle_id=cycle, name="Annexe", address="",
        budget_ids=[budget],
    )  # fmt: skip
    key = web.apps["development"].state.code_key
    [issued] = codes.issue_codes(web.db, now, actor_id=None, cycle_id=cycle, key=key)
    web.db.commit()
    _on_shift(web, ids["place_id"])
    return {"code": issued.code}


def _closed_budget(web: Web, ids: Ids, *, counted: bool = False) -> int:
    """The path's budget becomes a closed one (a cycle of its own, walked through the
    services; see make_project), counted first when asked."""
    proposal_id = make_project(web, ids["account_id"], instance="2031", funded=0)[0]
    row = web.db.get(Proposal, proposal_id)
    assert row is not None
    ids["budget_id"], ids["cycle_id"] = row.budget_id, row.cycle_id
    if counted:
        results.count_budget(web.db, web.clock(), actor_id=web.council_id(),
                             budget_id=row.budget_id)  # fmt: skip
    web.db.commit()
    return proposal_id


def _confirmation(web: Web, budget_id: int) -> dict[str, str]:
    view = queries.budget_results(web.db, budget_id)
    assert view is not None
    return {"fingerprint": view.box_sha256, "rule": view.document["rule"],
            "winners": json.dumps(results.winners(web.db, budget_id)),
            "spent": str(view.document["spent"])}  # fmt: skip


def _certify_form(web: Web, ids: Ids) -> Form:
    _closed_budget(web, ids, counted=True)
    return {**_confirmation(web, ids["budget_id"]), "password": PASSWORD}


def _certified_cycle(web: Web, ids: Ids) -> Form:
    """The path's cycle closed, counted and certified by two council members."""
    _closed_budget(web, ids, counted=True)
    now, budget_id = web.clock(), ids["budget_id"]
    second = web.account(Role.COUNCIL, email="second-council@example.org").id
    seen = _confirmation(web, budget_id)
    confirmation = results.Confirmation(
        seen["fingerprint"], seen["rule"], tuple(json.loads(seen["winners"])), int(seen["spent"])
    )
    for member in (web.council_id(), second):
        results.certify(web.db, now, actor_id=member, budget_id=budget_id, password=PASSWORD,
                        confirmation=confirmation, hasher=accounts.test_hasher())  # fmt: skip
    cycles.advance_phase(web.db, now, actor_id=web.council_id(), cycle_id=ids["cycle_id"],
                         target=Phase.CERTIFIED)  # fmt: skip
    web.db.commit()
    return {}


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
    **{
        f"page_save_{page}_{lang}": Action(
            Role.COUNCIL, constant({"title": "FAQ", "body": "**Why?** Because."})
        )
        for page in ("RULES", "FAQ", "LEGAL", "PRIVACY", "ACCESSIBILITY")
        for lang in ("fr", "en")
    },
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
    "proposal_withdraw": Action(Role.RESIDENT, lambda web, ids: own_submitted(web, ids)),
    "proposal_delete": Action(Role.RESIDENT, lambda web, ids: own_draft(web, ids)),
    "coauthor_invite": Action(
        Role.RESIDENT, lambda web, ids: own_draft(web, ids) | {"email": "target@example.org"}
    ),
    "coauthor_leave": Action(Role.RESIDENT, lambda web, ids: shared_draft(web, ids, True)),
    "proposal_image_add": Action(
        Role.RESIDENT,
        lambda web, ids: {**own_draft(web, ids), "alt_text": "A bench"},
        files={"image": ("bench.png", png(), "image/png")},
    ),
    "proposal_image_remove": Action(Role.RESIDENT, lambda web, ids: own_image(web, ids)),
    "support": Action(Role.RESIDENT, lambda web, ids: supportable(web, ids)),
    "support_withdraw": Action(Role.RESIDENT, lambda web, ids: supportable(web, ids, True)),
    "follow": Action(Role.RESIDENT, lambda web, ids: supportable(web, ids)),
    "unfollow": Action(Role.RESIDENT, lambda web, ids: supportable(web, ids, True)),
    "follow_topics": Action(Role.RESIDENT, constant({"topic_vote": "on"})),
    "supports_save": Action(Role.COUNCIL, constant({"enabled": "on", "threshold": "10"})),
    "comment_post": Action(Role.RESIDENT, lambda web, ids: {**public(web, ids), "body": "Yes!"}),
    "comment_edit": Action(Role.RESIDENT, lambda web, ids: own_comment(web, ids)),
    "comment_flag": Action(
        Role.RESIDENT, lambda web, ids: {**others_comment(web, ids), "reason": "Off topic"}
    ),
    "proposal_flag": Action(Role.RESIDENT, lambda web, ids: {**public(web, ids), "reason": "Ad"}),
    "moderate": Action(Role.COUNCIL, lambda web, ids: hiding(web, ids)),
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
    "note_add": Action(
        Role.REVIEWER,
        lambda web, ids: (_assigned(web, ids, in_review=True), {"body": "Call the roads."})[1],
    ),
    "admin_note_add": Action(Role.COUNCIL, constant({"body": "Call the roads unit."})),
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
    # implementation tracking
    "project_update": Action(
        Role.COUNCIL,
        lambda web, ids: _project(web, ids, {"status": "in_progress", "progress": "5"}),
    ),
    "milestone_save": Action(
        Role.COUNCIL,
        lambda web, ids: _project(web, ids, {"title": "Start", "planned_on": "2030-01-01"}),
    ),
    # the roll and voting codes (admin_roll.py), a declaration (declare.py)
    "roll_import": Action(
        Role.COUNCIL,
        lambda web, ids: (_roll_cycle(web, ids), {"content": "external_id,family_name\nR2,Petit"})[
            1
        ],
    ),
    "codes_issue": Action(Role.COUNCIL, lambda web, ids: (_roll_cycle(web, ids), {})[1]),
    "entry_void": Action(Role.COUNCIL, constant({"reason": "Declared twice"})),
    "code_void": Action(Role.COUNCIL, _with_code),
    "code_reissue": Action(Role.COUNCIL, _with_code),
    "declare_submit": Action(
        Role.RESIDENT,
        lambda web, ids: {"birth_year": "1990", "district_id": str(ids["district_id"])},
    ),
    # voting
    "cast": Action(Role.RESIDENT, _open_ballot),
    # polling places: officers at their place and shift (polling.py), the council (admin_polling)
    "check_in_submit": Action(Role.OFFICER, _check_in_form),
    "check_in_code": Action(Role.OFFICER, _code_lookup),
    "officer_declare": Action(
        Role.OFFICER,
        lambda web, ids: (
            _on_shift(web, ids["place_id"]),
            {
                "new_given_name": "Ana",
                "new_family_name": "Lopes",
                "new_birth_date": "1980-02-29",
                "new_district_id": str(ids["district_id"]),
            },
        )[1],
    ),
    "batch_open": Action(
        Role.OFFICER,
        lambda web, ids: (
            _officer_at_urn(web, ids),
            {"budget_id": str(ids["budget_id"]), "size": "2"},
        )[1],
    ),
    "batch_enter": Action(
        Role.OFFICER,
        lambda web, ids: (
            _batch(web, ids, _officer_at_urn(web, ids)),
            {"ballot-1": str(ids["proposal_id"])},
        )[1],
    ),
    "batch_correct": Action(Role.OFFICER, _differing_batch),
    "polling_place_create": Action(
        Role.COUNCIL, lambda web, ids: {"name": "Mairie du 20e", "budget": str(ids["budget_id"])}
    ),
    "shift_add": Action(
        Role.COUNCIL,
        lambda web, ids: {
            "account_id": str(web.account(Role.OFFICER, email="shift@example.org").id),
            "starts_at": "2027-09-02T08:00",
            "ends_at": "2027-09-02T18:00",
        },
    ),
    "batch_void": Action(
        Role.COUNCIL,
        lambda web, ids: (_batch(web, ids, _officer_at_urn(web, ids)), {"reason": "Counted twice"})[
            1
        ],
    ),
    # results (admin_results.py)
    "results_count": Action(Role.COUNCIL, lambda web, ids: (_closed_budget(web, ids), {})[1]),
    "results_amend": Action(
        Role.COUNCIL,
        lambda web, ids: {
            "proposal_id": str(_closed_budget(web, ids, counted=True)),
            "change": "fund",
            "reason": "Promised to the neighbours.",
        },
    ),
    "results_certify": Action(Role.COUNCIL, _certify_form),
    "results_publish": Action(Role.COUNCIL, _certified_cycle),
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
    response = client.request(
        method, fill(spec.path, ids), data={**data, "csrf_token": token}, files=action.files
    )
    if action.pending is not None:
        assert response.status_code == 422, action.pending
        assert last_seq(web.db) == before
        return
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
    """One action in its own writing session and transaction, as a web worker runs it
    (transactions.perform: `for_writing`, so SQLite queues it at BEGIN IMMEDIATE)."""
    with for_writing(Session(engine)) as db:
        if k % 2:
            cycles.create_cycle(db, NOW, actor_id=council_id, form=cycle_form(instance=f"c{k}"))
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
