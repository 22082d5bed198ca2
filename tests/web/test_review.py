"""Review through the pages: committees, spreading, the reviewer's queue and form, conflicts,
notes, the council's decision and merge, notifications and the outbox. Bad input comes back
with a message next to the field and writes nothing."""

from __future__ import annotations

import re

from sqlmodel import select
from starlette.testclient import TestClient

from budget.db import queries
from budget.db.tables import OutboxEmail
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.services import assignments, cycles, proposals
from tests.security.test_csrf import snapshot
from tests.webapp import Web, csrf_token, make_cycle, sign_in

COMPLETE_FORM = {
    **{f"{c}_score": "4" for c in ("competence", "legal", "technical", "investment")},
    **{f"{c}_comment": f"{c} fine" for c in ("competence", "legal", "technical", "investment")},
    "cost_total": "120 000",
    "running_cost_yearly": "2 000",
    "duration_months": "12",
    "recommendation": "feasible",
    "cost_breakdown": "",
    "changes": "",
}


def post(client: TestClient, path: str, data: dict[str, object], **headers: str):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")}, headers=headers)


def person(web: Web, email: str, *roles: Role) -> tuple[int, TestClient]:
    account = web.account(*roles, email=email)
    client = web.client()
    sign_in(client, email)
    return account.id, client


def proposal(web: Web, author: int, cycle_id: int, title: str = "Shade trees") -> int:
    budget = queries.get_cycle(web.db, cycle_id).budgets[0].id
    created = proposals.create_proposal(
        web.db, web.clock(), author_id=author, budget_id=budget, title=title,
        summary="Plant trees along the canal.", address="1 quai de Valmy",
    )  # fmt: skip
    proposals.submit_proposal(web.db, web.clock(), actor_id=author, proposal_id=created)
    web.db.commit()
    return created


def to_review(web: Web, cycle_id: int) -> None:
    cycles.advance_phase(
        web.db, web.clock(), actor_id=web.council_id(), cycle_id=cycle_id, target=Phase.REVIEW
    )
    web.db.commit()


def test_council_spreads_and_the_reviewer_reviews(web: Web) -> None:
    cycle_id = make_cycle(web)
    council = web.signed_in(Role.COUNCIL)
    ana, ana_client = person(web, "ana@example.org", Role.REVIEWER)
    author, author_client = person(web, "author@example.org")
    own = proposal(web, ana, cycle_id, "Ana's own")
    other = proposal(web, author, cycle_id)
    assert (
        post(council, f"/admin/cycles/{cycle_id}/committees", {"name": "Roads"}).status_code == 303
    )
    [committee] = queries.committees_of(web.db, cycle_id)
    added = post(council, f"/admin/committees/{committee.id}/members", {"account_id": ana})
    assert added.status_code == 303
    page = post(
        council,
        f"/admin/cycles/{cycle_id}/assignments/spread",
        {"committee_id": committee.id, "per_proposal": "1"},
    )
    assert page.status_code == 200
    assert "could not get all their reviewers" in page.text  # Ana's own proposal
    queue = ana_client.get("/review")
    assert f"/review/proposals/{other}" in queue.text
    assert f"/review/proposals/{own}" not in queue.text
    assert ana_client.get(f"/review/proposals/{own}").status_code == 404
    to_review(web, cycle_id)
    before = snapshot(web.db)
    bad = post(ana_client, f"/review/proposals/{other}", {**COMPLETE_FORM, "legal_score": "9"})
    assert bad.status_code == 422
    assert 'id="f-legal_score-error"' in bad.text
    incomplete = post(
        ana_client,
        f"/review/proposals/{other}",
        {**COMPLETE_FORM, "legal_comment": "", "action": "submit"},
    )
    assert incomplete.status_code == 422
    assert 'id="f-legal_comment-error"' in incomplete.text
    assert snapshot(web.db) == before
    draft = post(
        ana_client, f"/review/proposals/{other}", {"cost_total": "5 000", "action": "save"}
    )
    assert draft.status_code == 303
    done = post(ana_client, f"/review/proposals/{other}", {**COMPLETE_FORM, "action": "submit"})
    assert done.status_code == 303
    assert "is locked" in ana_client.get(f"/review/proposals/{other}").text
    again = post(ana_client, f"/review/proposals/{other}", {**COMPLETE_FORM, "action": "save"})
    assert again.status_code == 422
    admin_page = council.get(f"/admin/proposals/{other}")
    assert "technical fine" in admin_page.text
    assert author_client.get("/notifications").status_code == 200


def test_the_council_decides_and_the_authors_are_told(web: Web) -> None:
    cycle_id = make_cycle(web)
    council = web.signed_in(Role.COUNCIL)
    author, author_client = person(web, "author@example.org")
    target = proposal(web, author, cycle_id)
    to_review(web, cycle_id)
    path = f"/admin/proposals/{target}/decision"
    short = post(council, path, {"decision": "infeasible", "explanation": "No."})
    assert short.status_code == 422
    assert 'id="f-explanation-error"' in short.text
    explanation = "The site belongs to the State, not to the city."
    assert (
        post(council, path, {"decision": "infeasible", "explanation": explanation}).status_code
        == 303
    )
    assert queries.get_proposal(web.db, target).public_explanation == explanation
    home = author_client.get("/")
    # Two unread: the review started (when the cycle entered review), then the decision.
    assert re.search(r"Notifications <span class=\"badge\">2", home.text)
    listing = author_client.get("/notifications")
    assert explanation in listing.text
    decided, started = queries.notifications_of(web.db, author)  # newest first
    assert (decided.kind, started.kind) == ("proposal.infeasible", "proposal.review-started")
    assert post(author_client, f"/notifications/{decided.id}/read", {}).status_code == 303
    assert queries.unread_count(web.db, author) == 1
    outbox = council.get("/admin/outbox")
    assert "author@example.org" in outbox.text
    cost = post(council, path, {"decision": "feasible", "final_cost": "90 000"})
    assert cost.status_code == 303
    assert queries.get_proposal(web.db, target).final_cost == 90_000_00


def test_someone_elses_notification_does_not_exist(web: Web) -> None:
    cycle_id = make_cycle(web)
    author, _ = person(web, "author@example.org")
    _, stranger = person(web, "stranger@example.org")
    target = proposal(web, author, cycle_id)
    to_review(web, cycle_id)
    ana = web.account(Role.REVIEWER, email="ana@example.org")
    assignments.assign(
        web.db, web.clock(), actor_id=web.council_id(), proposal_id=target, reviewer_id=ana.id
    )
    web.db.commit()
    [item] = queries.notifications_of(web.db, ana.id)
    assert post(stranger, f"/notifications/{item.id}/read", {}).status_code == 404


def test_conflicts_and_notes_through_the_pages(web: Web) -> None:
    cycle_id = make_cycle(web)
    ana, ana_client = person(web, "ana@example.org", Role.REVIEWER)
    _, ben_client = person(web, "ben@example.org", Role.REVIEWER)
    target = proposal(web, web.account(email="author@example.org").id, cycle_id)
    assignments.assign(
        web.db, web.clock(), actor_id=web.council_id(), proposal_id=target, reviewer_id=ana
    )
    web.db.commit()
    note = post(ana_client, f"/review/proposals/{target}/notes", {"body": "Call the roads unit."})
    assert note.status_code == 303
    assert post(ben_client, f"/review/proposals/{target}/notes", {"body": "x"}).status_code == 404
    empty = post(ana_client, f"/review/proposals/{target}/conflict", {"reason": ""})
    assert empty.status_code == 422
    declared = post(ana_client, f"/review/proposals/{target}/conflict", {"reason": "My cousin."})
    assert declared.status_code == 303
    assert ana_client.get(f"/review/proposals/{target}").status_code == 404
    council = web.signed_in(Role.COUNCIL)
    page = council.get(f"/admin/proposals/{target}")
    assert "My cousin." in page.text
    assert "Call the roads unit." in page.text


def test_the_email_preference_is_a_checkbox_on_the_account_page(web: Web) -> None:
    account, client = person(web, "amina@example.org")
    assert "checked" in client.get("/account").text
    assert post(client, "/account/notifications", {}).status_code == 303
    assert queries.email_preference(web.db, account) is False
    assert post(client, "/account/notifications", {"notify_by_email": "on"}).status_code == 303
    assert queries.email_preference(web.db, account) is True


def test_merging_through_the_form(web: Web) -> None:
    cycle_id = make_cycle(web)
    council = web.signed_in(Role.COUNCIL)
    author = web.account(email="author@example.org").id
    ids = [proposal(web, author, cycle_id, f"Idea {i}") for i in range(2)]
    form = council.get(f"/admin/cycles/{cycle_id}/merge?source={ids[0]}")
    assert f'value="{ids[0]}" checked' in form.text
    before = snapshot(web.db)
    lonely = post(
        council, f"/admin/cycles/{cycle_id}/merge", {"source": ids[0], "title": "T", "summary": "S"}
    )
    assert lonely.status_code == 422
    assert "at least two proposals" in lonely.text
    assert snapshot(web.db) == before
    done = council.post(
        f"/admin/cycles/{cycle_id}/merge",
        data={"source": [str(i) for i in ids], "title": "Both ideas", "summary": "Together.",
              "csrf_token": csrf_token(council, "/")},
    )  # fmt: skip
    assert done.status_code == 303
    merged = int(done.headers["location"].split("/")[3].split("?")[0])
    assert queries.get_proposal(web.db, merged).title == "Both ideas"
    assert web.db.exec(select(OutboxEmail)).first() is not None


def test_the_cycle_page_links_the_review_pages(web: Web) -> None:
    cycle_id = make_cycle(web)
    council = web.signed_in(Role.COUNCIL)
    page = council.get(f"/admin/cycles/{cycle_id}")
    for path in ("committees", "assignments", "merge"):
        assert f"/admin/cycles/{cycle_id}/{path}" in page.text
    assert council.get(f"/admin/cycles/{cycle_id}/assignments").status_code == 200
    assert council.get(f"/admin/cycles/{cycle_id}/committees").status_code == 200


def test_a_refused_decision_page_takes_few_database_sessions(web: Web) -> None:
    """Issue 14: a decision refused for a missing field opened 12 sessions (identify, an
    existence read, the service, 8 reads of the page, the unread count). Now: one read
    session for the caller, the unread count and the route's object, the service (which ends
    it), and one read session for the page shown again (web/transactions.py)."""
    cycle_id = make_cycle(web)
    council = web.signed_in(Role.COUNCIL)
    author, _ = person(web, "author@example.org")
    target = proposal(web, author, cycle_id)
    to_review(web, cycle_id)
    token = csrf_token(council, "/")
    app = council.app
    opened: list[int] = []
    factory = app.state.session_factory  # type: ignore[attr-defined]

    def counting():
        opened.append(1)
        return factory()

    app.state.session_factory = counting  # type: ignore[attr-defined]
    try:
        response = council.post(
            f"/admin/proposals/{target}/decision",
            data={"decision": "feasible", "csrf_token": token},
        )
    finally:
        app.state.session_factory = factory  # type: ignore[attr-defined]
    assert response.status_code == 422
    assert 'id="f-final_cost-error"' in response.text
    assert len(opened) == 3
