"""What people met in the browser (issue 14), through the pages: the reviewer's way to their
queue, the outbox's pages, the district filter's order, a budget named once, the audit log's
names and times, the review form's messages, the decision form's cost, a point far from the
cycle's map, and the step before submitting or withdrawing. The layout, contrast and htmx
behaviours are proven in a real browser (tests/browser/test_usability.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.testclient import TestClient

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.proposals import ProposalStatus
from budget.services import assignments, budgets, notifications, proposals
from budget.services.budgets import BudgetForm
from budget.services.mail_text import Kind
from tests.security.test_csrf import snapshot
from tests.web.test_authoring import PROPOSAL, new_proposal_path
from tests.web.test_review import COMPLETE_FORM, person, proposal, to_review
from tests.webapp import Web, csrf_token, make_cycle, make_district, make_proposal, sign_in


def post(client: TestClient, path: str, data: Mapping[str, object]):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")})


def nav_links(page: str) -> list[str]:
    nav = page[page.index('<nav class="site-nav"') : page.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"', nav)


# -- reviewers ------------------------------------------------------------------------------------


def test_a_reviewer_reaches_the_queue_from_every_page_and_notifications_open_the_review(
    web: Web,
) -> None:
    cycle_id = make_cycle(web)
    reviewer, client = person(web, "ana@example.org", Role.REVIEWER)
    author, author_client = person(web, "author@example.org")
    proposal_id = proposal(web, author, cycle_id)
    assert "/review" in nav_links(client.get("/").text)
    assert "/review" not in nav_links(author_client.get("/").text)  # a resident has no queue

    to_review(web, cycle_id)
    assignments.assign(
        web.db, web.clock(), actor_id=web.council_id(), proposal_id=proposal_id,
        reviewer_id=reviewer,
    )  # fmt: skip
    web.db.commit()
    page = client.get("/notifications").text
    assert f'<a href="/review/proposals/{proposal_id}">Review the proposal</a>' in page
    assert f'href="/proposals/{proposal_id}"' not in page
    # The author's notification (review started) still opens the public page.
    assert (
        f'<a href="/proposals/{proposal_id}">See the proposal</a>'
        in author_client.get("/notifications").text
    )


# -- the outbox -----------------------------------------------------------------------------------


def test_the_outbox_shows_every_mail_newest_first_a_page_at_a_time(web: Web) -> None:
    reader = web.account(email="reader@example.org").id
    for number in range(1, 121):
        web.clock.advance(minutes=1)
        notifications.notify(
            web.db, web.clock(), reader, Kind.DECIDED_INFEASIBLE, mandatory=True,
            proposal_id=None, title=f"Mail {number:03}", explanation="No.",
        )  # fmt: skip
    web.db.commit()
    council = web.signed_in(Role.COUNCIL)  # after the clock moved: a fresh session
    first = council.get("/admin/outbox").text
    subjects = re.findall(r"Decision on your proposal: Mail (\d+)", first)
    assert subjects[:3] == ["120", "119", "118"]
    assert len(subjects) == 50
    assert "120 emails in the outbox, 120 not sent yet." in first
    assert 'href="/admin/outbox?page=3"' in first
    last = council.get("/admin/outbox?page=3").text
    assert re.findall(r"Decision on your proposal: Mail (\d+)", last)[-1] == "001"
    assert 'aria-current="page">3<' in last
    beyond = council.get("/admin/outbox?page=40").text  # past the end: the last page
    assert "Mail 001" in beyond


# -- the proposal list and page -------------------------------------------------------------------


def district_budget(web: Web, cycle_id: int, district_id: int, name: str) -> int:
    form = BudgetForm(
        name_fr=name, name_en=name, scope="district", district_id=district_id, amount=100_000_00
    )
    made = budgets.create_budget(
        web.db, web.clock(), actor_id=web.council_id(), cycle_id=cycle_id, form=form
    )
    web.db.commit()
    return made


def test_the_district_filter_lists_districts_by_number(web: Web) -> None:
    cycle_id = make_cycle(web)
    for code, number in (("75120", 20), ("75105", 5), ("75110", 10), ("75109", 9)):
        name = f"{number}e arrondissement"
        district_budget(web, cycle_id, make_district(web, cycle_id, code, name), name)
    page = web.client().get(f"/cycles/{cycle_id}/proposals").text
    select = page[page.index('id="f-district"') : page.index("</select>", page.index("f-district"))]
    names = re.findall(r">(\d+e) arrondissement<", select)
    assert names == ["5e", "9e", "10e", "20e"]


def test_a_budget_named_after_its_district_is_named_once(web: Web) -> None:
    cycle_id = make_cycle(web)
    twentieth = district_budget(
        web,
        cycle_id,
        make_district(web, cycle_id, "75120", "20e arrondissement"),
        "20e arrondissement",
    )
    other = district_budget(
        web,
        cycle_id,
        make_district(web, cycle_id, "75111", "11e arrondissement"),
        "Quartiers populaires",
    )
    author = web.account(email="author@example.org").id
    named_once, both = (
        proposals.create_proposal(
            web.db,
            web.clock(),
            author_id=author,
            budget_id=budget,
            title="Benches",
            summary="Benches by the school.",
            address="1 rue des Pyrénées",
        )
        for budget in (twentieth, other)
    )
    for made in (named_once, both):
        proposals.submit_proposal(web.db, web.clock(), actor_id=author, proposal_id=made)
    web.db.commit()
    client = web.client()
    page = client.get(f"/proposals/{named_once}").text
    assert "<dd>20e arrondissement</dd>" in page
    assert "Quartiers populaires (11e arrondissement)" in client.get(f"/proposals/{both}").text
    home = client.get("/").text
    assert "20e arrondissement · 20e arrondissement" not in home
    assert re.search(r"</strong> · 11e arrondissement</p>", home)


# -- the audit log --------------------------------------------------------------------------------


def test_the_audit_log_names_accounts_and_shows_the_city_time(web: Web) -> None:
    make_cycle(web)  # by the council account "granter", at 09:00 UTC (10:00 in Paris, March)
    client = web.signed_in(Role.COUNCIL)
    page = client.get("/admin/audit").text
    council = web.council_id()
    assert f'Council member <span class="muted">(account:{council})</span>' in page
    assert f"<td>account:{council}</td>" not in page
    assert "Time (Europe/Paris)" in page
    assert "10:00" in page
    assert "09:00" not in page


# -- the review form and the decision -------------------------------------------------------------


def reviewing(web: Web) -> tuple[int, int, TestClient, int]:
    cycle_id = make_cycle(web)
    reviewer, client = person(web, "ana@example.org", Role.REVIEWER)
    author = web.account(email="author@example.org").id
    proposal_id = proposal(web, author, cycle_id)
    to_review(web, cycle_id)
    assignments.assign(
        web.db, web.clock(), actor_id=web.council_id(), proposal_id=proposal_id,
        reviewer_id=reviewer,
    )  # fmt: skip
    web.db.commit()
    return cycle_id, proposal_id, client, reviewer


def test_review_errors_name_the_criterion_and_no_needed_field_says_optional(web: Web) -> None:
    _, proposal_id, client, _ = reviewing(web)
    form = client.get(f"/review/proposals/{proposal_id}").text
    scores = re.findall(r'<label for="f-(\w+)_score">Score <span class="optional">\((.*?)\)', form)
    assert [note for _, note in scores] == ["needed to submit"] * 4
    assert '<label for="f-cost_breakdown">Breakdown <span class="optional">(optional)' in form
    refused = post(client, f"/review/proposals/{proposal_id}", {"action": "submit"})
    assert refused.status_code == 422
    start = refused.text.index('class="error-summary"')
    summary = refused.text[start : refused.text.index("</ul>", start)]
    criteria = ("Within the city's competence", "Legal", "Technically feasible",
                "An investment, not a running cost")  # fmt: skip
    for criterion in criteria:
        assert f"{criterion}: score: This field is required." in summary, summary
    assert "Score: This field is required" not in summary


def test_the_decision_form_offers_the_reviewers_estimate_as_the_final_cost(web: Web) -> None:
    _, proposal_id, client, _ = reviewing(web)
    submitted = post(
        client, f"/review/proposals/{proposal_id}", {**COMPLETE_FORM, "action": "submit"}
    )
    assert submitted.status_code == 303
    council = web.client()
    sign_in(council, "granter@example.org")
    page = council.get(f"/admin/proposals/{proposal_id}").text
    field = page[page.index('id="f-final_cost"') :][:120]
    assert 'value="120000.00"' in field, field
    assert "The reviewers estimated:" in page
    assert "(A resident)" in page
    decided = post(
        council, f"/admin/proposals/{proposal_id}/decision",
        {"decision": "feasible", "final_cost": "120 000"},
    )  # fmt: skip
    assert decided.status_code == 303
    assert queries.get_proposal(web.db, proposal_id).final_cost == 120_000_00


# -- a point far away -----------------------------------------------------------------------------

ELEVENTH = (
    '{"type": "Polygon", "coordinates": '
    "[[[2.36, 48.85], [2.40, 48.85], [2.40, 48.87], [2.36, 48.87], [2.36, 48.85]]]}"
)


def test_a_point_outside_the_cycles_map_is_refused_for_a_city_budget(web: Web) -> None:
    cycle_id = make_cycle(web)
    district = make_district(web, cycle_id)
    budgets.set_district_boundary(
        web.db, web.clock(), actor_id=web.council_id(), district_id=district, geojson=ELEVENTH
    )
    district_budget(web, cycle_id, district, "11e arrondissement")
    city = str(queries.list_budgets(web.db, cycle_id)[0].id)
    assert queries.get_budget(web.db, int(city)).scope == "city"
    client = web.signed_in(Role.RESIDENT)
    new_york = {**PROPOSAL, "budget_id": city, "lat": "40.7128", "lon": "-74.0060"}
    before = snapshot(web.db)
    refused = post(client, new_proposal_path(cycle_id), new_york)
    assert refused.status_code == 422
    assert "This point lies outside the area of this cycle&#39;s map" in refused.text
    assert snapshot(web.db) == before
    inside = post(client, new_proposal_path(cycle_id), {**new_york, "lat": "48.86", "lon": "2.38"})
    assert inside.status_code == 303


# -- submit and withdraw: a confirmation step, without JavaScript ----------------------------------


def test_submitting_and_withdrawing_ask_for_confirmation_first(web: Web) -> None:
    cycle_id = make_cycle(web)
    budget = queries.list_budgets(web.db, cycle_id)[0].id
    client = web.signed_in(Role.RESIDENT)
    me = queries.find_account(web.db, "resident@example.org")
    assert me is not None
    draft = make_proposal(web, me.id, budget, submit=False)
    page = client.get(f"/proposals/{draft}").text
    assert f'action="/proposals/{draft}/submit"' not in page  # no one-click submission
    assert f'href="/proposals/{draft}/submit"' in page
    step = client.get(f"/proposals/{draft}/submit")
    assert step.status_code == 200
    assert "Once submitted, the proposal is public" in step.text
    assert f'<form method="post" action="/proposals/{draft}/submit"' in step.text
    assert queries.get_proposal(web.db, draft).status is ProposalStatus.DRAFT  # GET wrote nothing
    assert post(client, f"/proposals/{draft}/submit", {}).status_code == 303

    page = client.get(f"/proposals/{draft}").text
    assert f'action="/proposals/{draft}/withdraw"' not in page
    step = client.get(f"/proposals/{draft}/withdraw")
    assert "Withdrawing is final" in step.text
    assert f'<form method="post" action="/proposals/{draft}/withdraw"' in step.text
    assert queries.get_proposal(web.db, draft).status is ProposalStatus.SUBMITTED
    # Someone else never gets the step: the proposal is public, but not theirs to change.
    stranger = web.client()
    sign_in(stranger, web.account(email="stranger@example.org").email)
    assert stranger.get(f"/proposals/{draft}/withdraw").status_code == 403
    assert web.client().get(f"/proposals/{draft}/withdraw").status_code in (302, 303, 401)


def test_back_after_an_htmx_search_gets_the_whole_page_when_htmx_has_no_copy(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.client()
    path = f"/cycles/{cycle_id}/proposals?q=jardin"
    swap = client.get(path, headers={"HX-Request": "true"})
    assert "<html" not in swap.text  # the results alone
    restore = client.get(path, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text
    assert 'id="f-q" name="q" type="search" value="jardin"' in restore.text
