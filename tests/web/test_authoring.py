"""Residents write proposals through the forms: draft, edit, submit, invite, accept, withdraw.
Bad input comes back with a message next to the field (422) and writes nothing; a closed phase
says so; a stranger never sees a draft (404) nor changes a public proposal (403)."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.proposals import AuthorRole, ProposalStatus
from budget.services import budgets, cycles, proposals
from budget.services.budgets import BudgetForm
from tests.security.test_csrf import snapshot
from tests.webapp import Web, csrf_token, make_cycle, make_district, make_proposal, sign_in

PROPOSAL = {
    "title": "A drinking fountain",
    "summary": "Fresh water by the playground.",
    "description": "## Why\n\nSummers are **hot**. See [the map](https://example.org/map).",
    "address": "Square des Lilas",
    "lat": "48.8600",
    "lon": "2.3800",
    "estimated_cost": "45 000",
    "language": "en",
}


def post(client: TestClient, path: str, data: dict[str, str], **headers: str):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")}, headers=headers)


def new_proposal_path(cycle_id: int) -> str:
    return f"/cycles/{cycle_id}/proposals/new"


def budget_of(web: Web, cycle_id: int) -> str:
    return str(queries.list_budgets(web.db, cycle_id)[0].id)


def created_id(response) -> int:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/proposals/(\d+)\?notice=proposal-created", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def other_client(web: Web, email: str) -> tuple[TestClient, int]:
    account = web.account(email=email)
    client = web.client()
    sign_in(client, email)
    return client, account.id


def test_a_resident_writes_edits_submits_shares_and_withdraws_a_proposal(web: Web) -> None:
    cycle_id = make_cycle(web)
    author = web.signed_in(Role.RESIDENT)
    form = author.get(new_proposal_path(cycle_id))
    assert form.status_code == 200
    assert 'name="title"' in form.text
    assert 'name="estimated_cost"' in form.text

    data = {**PROPOSAL, "budget_id": budget_of(web, cycle_id)}
    proposal_id = created_id(post(author, new_proposal_path(cycle_id), data))
    created = queries.get_proposal(web.db, proposal_id)
    assert (created.status, created.estimated_cost, created.lat_e6) == (
        ProposalStatus.DRAFT, 45_000_00, 48_860_000,
    )  # fmt: skip

    edit = author.get(f"/proposals/{proposal_id}/edit")
    assert edit.status_code == 200
    assert 'value="A drinking fountain"' in edit.text
    assert 'value="48.86"' in edit.text
    assert 'value="45000.00"' in edit.text
    assert "Submit the proposal" in edit.text
    changed = {**data, "title": "Two drinking fountains"}
    response = post(author, f"/proposals/{proposal_id}/edit", changed)
    assert response.headers["location"] == f"/proposals/{proposal_id}?notice=proposal-saved"
    assert queries.get_proposal(web.db, proposal_id).title == "Two drinking fountains"

    response = post(author, f"/proposals/{proposal_id}/submit", {})
    assert response.headers["location"] == f"/proposals/{proposal_id}?notice=proposal-submitted"
    assert queries.get_proposal(web.db, proposal_id).status is ProposalStatus.SUBMITTED

    friend, friend_id = other_client(web, "friend@example.org")
    response = post(author, f"/proposals/{proposal_id}/coauthors", {"email": "Friend@Example.org"})
    assert response.headers["location"] == f"/proposals/{proposal_id}/edit?notice=coauthor-invited"
    assert "invited, no answer yet" in author.get(f"/proposals/{proposal_id}/edit").text
    invitations = friend.get("/invitations")
    assert "Two drinking fountains" in invitations.text
    response = post(friend, f"/invitations/{proposal_id}", {"decision": "accept"})
    assert response.headers["location"] == f"/proposals/{proposal_id}?notice=invitation-accepted"
    assert queries.author_role(web.db, proposal_id, friend_id) is AuthorRole.COAUTHOR
    assert "Two drinking fountains" in friend.get("/my-proposals").text

    response = post(author, f"/proposals/{proposal_id}/withdraw", {})
    assert response.headers["location"] == f"/proposals/{proposal_id}?notice=proposal-withdrawn"
    withdrawn = queries.get_proposal(web.db, proposal_id)
    assert withdrawn.status is ProposalStatus.WITHDRAWN
    assert withdrawn.withdrawn_at is not None
    mine = author.get("/my-proposals")
    assert "Two drinking fountains" in mine.text
    assert "withdrawn" in mine.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required."),
        ("title", "x" * 121, "Use at most 120 characters."),
        ("summary", "", "This field is required."),
        ("description", "d" * 10_001, "Use at most 10000 characters."),
        ("budget_id", "", "This field is required."),
        ("budget_id", "99999", "Choose one of the options."),
        ("estimated_cost", "-5", "An amount cannot be negative."),
        ("estimated_cost", "0", "Enter an estimate above zero and at most"),
        ("estimated_cost", "999 999 999 999", "Enter an estimate above zero and at most"),
        ("estimated_cost", "lots", "Enter an amount"),
        ("lon", "", "This field is required."),
        ("lat", "north", "Enter a coordinate in decimal degrees"),
        ("language", "de", "Choose one of the options."),
    ],
)
def test_a_bad_proposal_comes_back_with_the_field_message_and_nothing_written(
    web: Web, field: str, value: str, message: str
) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.RESIDENT)
    data = {**PROPOSAL, "budget_id": budget_of(web, cycle_id), field: value}
    before = snapshot(web.db)
    response = post(client, new_proposal_path(cycle_id), data)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert message in response.text
    kept = "A drinking fountain" if field != "title" else "Fresh water by the playground."
    assert kept in response.text  # what the resident typed is kept
    assert snapshot(web.db) == before


def test_a_bad_edit_is_refused_and_the_text_stays(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.RESIDENT)
    data = {**PROPOSAL, "budget_id": budget_of(web, cycle_id)}
    proposal_id = created_id(post(client, new_proposal_path(cycle_id), data))
    before = snapshot(web.db)
    response = post(client, f"/proposals/{proposal_id}/edit", {**data, "summary": ""})
    assert response.status_code == 422
    assert 'id="f-summary-error"' in response.text
    assert snapshot(web.db) == before
    assert queries.get_proposal(web.db, proposal_id).summary == PROPOSAL["summary"]


def test_a_bad_invitation_is_shown_next_to_the_email(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.RESIDENT)
    data = {**PROPOSAL, "budget_id": budget_of(web, cycle_id)}
    proposal_id = created_id(post(client, new_proposal_path(cycle_id), data))
    before = snapshot(web.db)
    for email, message in (
        ("nobody@example.org", "No account uses this email address"),
        ("resident@example.org", "You are already an author of this proposal."),
        ("", "This field is required."),
    ):
        response = post(client, f"/proposals/{proposal_id}/coauthors", {"email": email})
        assert response.status_code == 422
        assert 'id="f-email-error"' in response.text
        assert message in response.text
    assert snapshot(web.db) == before


def test_outside_the_submission_phase_the_form_says_submissions_are_closed(web: Web) -> None:
    preparing = make_cycle(web, instance="2028", open_submissions=False)
    cycle_id = make_cycle(web)
    cycles.advance_phase(
        web.db, web.clock(), actor_id=web.council_id(), cycle_id=cycle_id, target=Phase.REVIEW
    )
    web.db.commit()
    client = web.signed_in(Role.RESIDENT)
    # a draft cycle is the council's: it does not exist for residents
    assert client.get(new_proposal_path(preparing)).status_code == 404
    page = client.get(new_proposal_path(cycle_id))
    assert page.status_code == 200
    assert "Submissions are closed" in page.text
    assert 'name="title"' not in page.text
    before = snapshot(web.db)
    data = {**PROPOSAL, "budget_id": budget_of(web, cycle_id)}
    assert post(client, new_proposal_path(cycle_id), data).status_code == 409
    assert snapshot(web.db) == before


def test_strangers_get_404_for_a_draft_and_403_for_a_public_proposal(web: Web) -> None:
    cycle_id = make_cycle(web)
    author = web.account(email="author@example.org")
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    private = make_proposal(web, author.id, budget_id, submit=False)
    public = make_proposal(web, author.id, budget_id)
    stranger = web.signed_in(Role.RESIDENT)
    before = snapshot(web.db)
    assert stranger.get(f"/proposals/{private}/edit").status_code == 404
    assert stranger.get(f"/proposals/{public}/edit").status_code == 403
    data = {**PROPOSAL, "budget_id": str(budget_id)}
    for action, statuses in (
        ("edit", (404, 403)),
        ("submit", (404, 403)),
        ("withdraw", (404, 403)),
        ("coauthors", (404, 403)),
    ):
        for proposal_id, status in zip((private, public), statuses, strict=True):
            path = f"/proposals/{proposal_id}/{action}"
            assert post(stranger, path, data | {"email": "x@example.org"}).status_code == status
    assert post(stranger, f"/proposals/{private}/leave", {}).status_code == 404
    assert post(stranger, f"/invitations/{public}", {"decision": "accept"}).status_code == 404
    assert snapshot(web.db) == before


def test_a_signed_out_visitor_is_asked_to_sign_in(web: Web) -> None:
    cycle_id = make_cycle(web)
    response = web.client().get(new_proposal_path(cycle_id))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_a_declined_invitation_leaves_the_list(web: Web) -> None:
    cycle_id = make_cycle(web)
    author = web.account(email="author@example.org")
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    proposal_id = make_proposal(web, author.id, budget_id, submit=False)
    friend, friend_id = other_client(web, "friend@example.org")
    proposals.invite_coauthor(
        web.db, web.clock(), actor_id=author.id, proposal_id=proposal_id,
        email="friend@example.org",
    )  # fmt: skip
    web.db.commit()
    page = friend.get("/invitations")
    assert "Shade trees" in page.text
    assert "Plant trees along the canal." in page.text
    assert "1" in friend.get("/my-proposals").text
    response = post(friend, f"/invitations/{proposal_id}", {"decision": "decline"})
    assert response.headers["location"] == "/invitations?notice=invitation-declined"
    assert "No invitation is waiting" in friend.get(response.headers["location"]).text
    assert queries.author_role(web.db, proposal_id, friend_id) is None
    assert post(friend, f"/invitations/{proposal_id}", {"decision": "maybe"}).status_code == 422


def test_the_markdown_preview_is_sanitised_and_writes_nothing(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.RESIDENT)
    text = "**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    data = {**PROPOSAL, "budget_id": budget_of(web, cycle_id), "description": text, "preview": "1"}
    before = snapshot(web.db)
    fragment = post(client, new_proposal_path(cycle_id), data, **{"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "<strong>bold</strong>" in fragment.text
    assert "<script" not in fragment.text
    assert 'href="javascript' not in fragment.text  # left as plain text, never a link
    page = post(client, new_proposal_path(cycle_id), data)  # the same button without JavaScript
    assert page.status_code == 200
    assert "<html" in page.text
    assert "<strong>bold</strong>" in page.text
    assert 'value="A drinking fountain"' in page.text  # the form is kept, to go on writing
    assert snapshot(web.db) == before
    too_long = {**data, "description": "d" * 10_001}
    refused = post(client, new_proposal_path(cycle_id), too_long, **{"HX-Request": "true"})
    assert refused.status_code == 422
    assert snapshot(web.db) == before


def test_the_cycle_page_and_the_menu_lead_to_the_form(web: Web) -> None:
    cycle_id = make_cycle(web)
    visitor = web.client()
    assert new_proposal_path(cycle_id) in visitor.get(f"/cycles/{cycle_id}").text
    assert "/my-proposals" not in visitor.get("/").text
    resident = web.signed_in(Role.RESIDENT)
    assert 'href="/my-proposals"' in resident.get("/").text
    assert "not written or co-authored any proposal" in resident.get("/my-proposals").text


SQUARE = (
    '{"type": "Polygon", "coordinates": '
    "[[[2.36, 48.85], [2.40, 48.85], [2.40, 48.87], [2.36, 48.87], [2.36, 48.85]]]}"
)


def test_a_district_proposal_needs_an_address_and_a_point_inside_the_district(web: Web) -> None:
    cycle_id = make_cycle(web)
    district = make_district(web, cycle_id)
    council = web.council_id()
    budgets.set_district_boundary(
        web.db, web.clock(), actor_id=council, district_id=district, geojson=SQUARE
    )
    form = BudgetForm(
        name_fr="11e", name_en="11th", scope="district", district_id=district, amount=500_000_00
    )
    budget_id = budgets.create_budget(
        web.db, web.clock(), actor_id=council, cycle_id=cycle_id, form=form
    )
    web.db.commit()
    client = web.signed_in(Role.RESIDENT)
    page = client.get(new_proposal_path(cycle_id))
    assert "11th" in page.text
    data = {**PROPOSAL, "budget_id": str(budget_id), "address": "", "lat": "48.8400"}
    before = snapshot(web.db)
    response = post(client, new_proposal_path(cycle_id), data)
    assert response.status_code == 422
    assert 'id="f-address-error"' in response.text
    assert "This point lies outside the district" in response.text
    assert snapshot(web.db) == before
    proposal_id = created_id(
        post(client, new_proposal_path(cycle_id), {**data, "address": "x", "lat": "48.86"})
    )
    assert queries.get_proposal(web.db, proposal_id).budget_id == budget_id


def test_after_the_submission_phase_the_edit_page_says_editing_is_closed(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.RESIDENT)
    data = {**PROPOSAL, "budget_id": budget_of(web, cycle_id)}
    proposal_id = created_id(post(client, new_proposal_path(cycle_id), data))
    assert post(client, f"/proposals/{proposal_id}/submit", {}).status_code == 303
    cycles.advance_phase(
        web.db, web.clock(), actor_id=web.council_id(), cycle_id=cycle_id, target=Phase.REVIEW
    )
    web.db.commit()
    page = client.get(f"/proposals/{proposal_id}/edit")
    assert page.status_code == 200
    assert "Editing is closed" in page.text
    assert "Withdraw the proposal" in page.text  # withdrawing stays possible until voting
    before = snapshot(web.db)
    refused = post(client, f"/proposals/{proposal_id}/edit", data)
    assert refused.status_code == 409
    assert "Editing is closed" in refused.text
    assert snapshot(web.db) == before


def test_every_problem_is_shown_at_once(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.RESIDENT)
    data = {**PROPOSAL, "budget_id": "", "summary": "", "estimated_cost": "-5", "lat": "north"}
    before = snapshot(web.db)
    response = post(client, new_proposal_path(cycle_id), data)
    assert response.status_code == 422
    for field in ("budget_id", "summary", "estimated_cost", "lat"):
        assert f'id="f-{field}-error"' in response.text
    assert "An amount cannot be negative." in response.text
    assert snapshot(web.db) == before
