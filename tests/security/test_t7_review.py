"""T7 for review: a reviewer never sees a proposal they (co-)authored, were invited to
co-author, or declared a conflict on, on any of their pages, fragments or actions; internal
material (notes, review comments, the decision's justification) reaches no page, fragment or
export but the council's.

Both tests are generated from the route table: a new GET route is checked the day it is added.
"""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.errors import NotFound
from budget.domain.review import Criterion, ReviewInput, Score
from budget.services import (
    assignments,
    categories,
    committees,
    cycles,
    decisions,
    proposals,
    review,
)
from budget.web.routes import all_routes
from tests.domain.test_review import COMPLETE
from tests.webapp import Web, csrf_token, make_cycle, make_district, sign_in

pytestmark = pytest.mark.threat("T7")

SENTINEL = "SENTINEL-7f3a-internal"
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
GET_ROUTES = [spec for spec in all_routes() if "GET" in spec.methods]
HTMX = {"HX-Request": "true"}


def fill(path: str, ids: dict[str, int]) -> str:
    """Path parameters from the seeded objects; an unknown one gets the proposal's id, so a
    new route is still called (and its row added here when it needs its own object)."""
    return PARAM.sub(lambda m: str(ids.get(m.group(1), ids["proposal_id"])), path)


def client_of(web: Web, email: str | None) -> TestClient:
    client = web.client()
    if email is not None:
        sign_in(client, email)
    return client


def new_proposal(web: Web, author: int, budget_id: int, title: str) -> int:
    created = proposals.create_proposal(
        web.db, web.clock(), author_id=author, budget_id=budget_id, title=title,
        summary="A public summary.", address="1 quai de Valmy",
    )  # fmt: skip
    proposals.submit_proposal(web.db, web.clock(), actor_id=author, proposal_id=created)
    return created


# -- the reviewer's own and conflicted proposals ---------------------------------------------


def test_t7_reviewer_never_sees_own_or_conflicted(web: Web) -> None:
    cycle_id = make_cycle(web)
    budget_id = queries.get_cycle(web.db, cycle_id).budgets[0].id
    council = web.council_id()
    now = web.clock()
    rita = web.account(Role.REVIEWER, email="rita@example.org").id
    other = web.account(email="other@example.org").id
    own = new_proposal(web, rita, budget_id, "HIDDEN-own")
    invited = new_proposal(web, other, budget_id, "HIDDEN-invited")
    joined = new_proposal(web, other, budget_id, "HIDDEN-joined")
    conflicted = new_proposal(web, other, budget_id, "HIDDEN-conflicted")
    control = new_proposal(web, other, budget_id, "VISIBLE-control")
    for target in (invited, joined, conflicted, control):  # assigned before any authorship
        assignments.assign(web.db, now, actor_id=council, proposal_id=target, reviewer_id=rita)
    for target in (invited, joined):
        proposals.invite_coauthor(
            web.db, now, actor_id=other, proposal_id=target, email="rita@example.org"
        )
    proposals.answer_invitation(web.db, now, actor_id=rita, proposal_id=joined, accept=True)
    assignments.declare_conflict(
        web.db, now, actor_id=rita, proposal_id=conflicted, reason="Family"
    )
    cycles.advance_phase(web.db, now, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    web.db.commit()
    client = client_of(web, "rita@example.org")
    for headers in ({}, HTMX):
        queue = client.get("/review", headers=headers)
        assert queue.status_code == 200
        assert "VISIBLE-control" in queue.text
        assert "HIDDEN" not in queue.text
    assert client.get(f"/review/proposals/{control}").status_code == 200
    token = csrf_token(client, "/")
    for hidden in (own, invited, joined, conflicted):
        for headers in ({}, HTMX):
            page = client.get(f"/review/proposals/{hidden}", headers=headers)
            assert page.status_code == 404
            assert "HIDDEN" not in page.text
        for action, data in (
            ("", {"action": "save", "cost_total": "1"}),
            ("/conflict", {"reason": "again"}),
            ("/notes", {"body": "a note"}),
        ):
            answer = client.post(
                f"/review/proposals/{hidden}{action}", data={**data, "csrf_token": token}
            )
            assert answer.status_code == 404, (hidden, action)
    assert [item.proposal.id for item in queries.reviewer_queue(web.db, rita)] == [control]
    with pytest.raises(NotFound):
        review.save_review(
            web.db, web.clock(), actor_id=rita, proposal_id=joined, review=ReviewInput()
        )


# -- internal material on every page ----------------------------------------------------------


def seed(web: Web) -> dict[str, int]:
    """A proposal in review with a sentinel in a note, a submitted review and the council's
    justification; one object of each kind a path can name."""
    cycle_id = make_cycle(web)
    budget_id = queries.get_cycle(web.db, cycle_id).budgets[0].id
    council = web.council_id()
    now = web.clock()
    author = web.account(email="author@example.org").id
    rita = web.account(Role.REVIEWER, email="rita@example.org").id
    web.account(Role.REVIEWER, email="other-reviewer@example.org")
    target = new_proposal(web, author, budget_id, "Shade trees")
    committee = committees.create_committee(
        web.db, now, actor_id=council, cycle_id=cycle_id, name="Roads"
    )
    committees.add_member(web.db, now, actor_id=council, committee_id=committee, account_id=rita)
    assignments.assign(web.db, now, actor_id=council, proposal_id=target, reviewer_id=rita)
    category = categories.create_category(
        web.db, now, actor_id=council, cycle_id=cycle_id, code="green", name_fr="Vert",
        name_en="Green",
    )  # fmt: skip
    cycles.advance_phase(web.db, now, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    scores = {**COMPLETE.scores, Criterion.LEGAL: Score(0, f"Illegal as written {SENTINEL}")}
    review.submit_review(
        web.db, now, actor_id=rita, proposal_id=target,
        review=ReviewInput(**{**COMPLETE.__dict__, "scores": scores,
                              "cost_breakdown": f"breakdown {SENTINEL}"}),
    )  # fmt: skip
    review.add_note(web.db, now, actor_id=rita, proposal_id=target, body=f"note {SENTINEL}")
    review.add_note(web.db, now, actor_id=council, proposal_id=target, body=f"council {SENTINEL}")
    decisions.decide_proposal(
        web.db, now, actor_id=council, proposal_id=target, feasible=True, final_cost=10_000_00,
        justification=f"Overruled: {SENTINEL}",
    )  # fmt: skip
    web.db.commit()
    [notification] = [
        n for n in queries.notifications_of(web.db, author) if n.kind == "proposal.feasible"
    ]
    return {
        "cycle_id": cycle_id,
        "budget_id": budget_id,
        "district_id": make_district(web, cycle_id),
        "account_id": author,
        "proposal_id": target,
        "committee_id": committee,
        "notification_id": notification.id,
        "category_id": category,
    }


def test_t7_internal_notes_sentinel(web: Web) -> None:
    ids = seed(web)
    web.account(Role.OFFICER, email="officer@example.org")
    web.account(email="resident@example.org")
    callers = {
        "visitor": None,
        "resident": "resident@example.org",
        "author": "author@example.org",
        "reviewer-not-assigned": "other-reviewer@example.org",
        "officer": "officer@example.org",
    }
    for caller, email in callers.items():
        client = client_of(web, email)
        for spec in GET_ROUTES:
            path = fill(spec.path, ids)
            for headers in ({}, HTMX):
                response = client.get(path, headers=headers)
                assert response.status_code < 500, (caller, path)
                assert SENTINEL not in response.text, f"{caller} reads internal text on {path}"
    council = client_of(web, "granter@example.org")
    page = council.get(f"/admin/proposals/{ids['proposal_id']}")
    assert page.status_code == 200
    assert page.text.count(SENTINEL) >= 4  # the review, two notes and the justification
    reviewer = client_of(web, "rita@example.org")
    own = reviewer.get(f"/review/proposals/{ids['proposal_id']}")
    assert f"note {SENTINEL}" in own.text  # the assigned reviewer reads the notes
    assert f"Overruled: {SENTINEL}" not in own.text  # but never the council's justification
