"""Council administration through the forms: cycles, schedule, budgets, districts, phases,
roles. Bad input comes back with a message per field and writes nothing."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from tests.security.test_csrf import snapshot
from tests.webapp import Web, csrf_token, make_cycle, make_district

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
BUDGET = {
    "name_fr": "Tout Paris",
    "name_en": "All of Paris",
    "scope": "city",
    "amount": "1 000 000",
}


def submit(client: TestClient, path: str, data: dict[str, str], **headers: str):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")}, headers=headers)


def test_council_creates_a_cycle_in_draft(web: Web) -> None:
    client = web.signed_in(Role.COUNCIL)
    response = submit(client, "/admin/cycles/new", CYCLE)
    assert response.status_code == 303
    cycle_id = int(response.headers["location"].split("/")[3].split("?")[0])
    cycle = queries.get_cycle(web.db, cycle_id)
    assert (cycle.instance, cycle.phase) == ("2028", Phase.DRAFT)
    assert "The cycle was created." in client.get(response.headers["location"]).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_fr", "", "This field is required."),
        ("time_zone", "Mars/Olympus", "Unknown time zone"),
        ("currency", "XYZ", "Unknown currency"),
        ("reference_date", "01/01/2028", "Enter a date as YYYY-MM-DD"),
        ("min_age", "-3", "Enter a number from"),
        ("max_proposals_per_author", "many", "Enter a whole number"),
        ("instance", "20 28", "letters, digits or hyphens"),
    ],
)
def test_bad_cycle_form_comes_back_with_the_field_message(
    web: Web, field: str, value: str, message: str
) -> None:
    client = web.signed_in(Role.COUNCIL)
    before = snapshot(web.db)
    response = submit(client, "/admin/cycles/new", {**CYCLE, field: value})
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert message in response.text
    assert snapshot(web.db) == before


def test_editing_a_cycle_saves_it(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    form = client.get(f"/admin/cycles/{cycle_id}/edit")
    assert 'value="Participatory budget 2027"' in form.text
    data = {**CYCLE, "instance": "2027", "name_en": "PB 2027"}
    assert submit(client, f"/admin/cycles/{cycle_id}/edit", data).status_code == 303
    assert queries.get_cycle(web.db, cycle_id).name_en == "PB 2027"


def test_a_refused_phase_move_shows_every_reason(web: Web) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    client = web.signed_in(Role.COUNCIL)
    before = snapshot(web.db)
    response = submit(client, f"/admin/cycles/{cycle_id}/phase", {"target": "submission"})
    assert response.status_code == 409
    assert "<html" in response.text
    assert 'role="alert"' in response.text
    assert "Set the dates of the Proposals phase." in response.text
    assert snapshot(web.db) == before


def test_a_refused_phase_move_through_htmx_returns_the_panel_only(web: Web) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    client = web.signed_in(Role.COUNCIL)
    response = submit(
        client,
        f"/admin/cycles/{cycle_id}/phase",
        {"target": "submission"},
        **{"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="phase-panel"')
    assert "Set the dates of the Proposals phase." in response.text


def test_an_allowed_phase_move_happens(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    response = submit(client, f"/admin/cycles/{cycle_id}/phase", {"target": "review"})
    assert response.status_code == 303
    assert queries.get_cycle(web.db, cycle_id).phase is Phase.REVIEW


def test_the_schedule_is_read_in_the_cycle_time_zone(web: Web) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    client = web.signed_in(Role.COUNCIL)
    data = {"submission_start": "2027-03-02T09:00", "submission_end": "2027-04-01T18:00"}
    assert submit(client, f"/admin/cycles/{cycle_id}/schedule", data).status_code == 303
    dates = queries.get_cycle(web.db, cycle_id).dates(Phase.SUBMISSION)
    assert dates is not None
    assert dates.starts_at.hour == 8  # 09:00 in Paris is 08:00 UTC in March
    form = client.get(f"/admin/cycles/{cycle_id}/schedule")
    assert 'value="2027-03-02T09:00"' in form.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"voting_start": "2027-05-01T09:00"}, "voting_end", "both the start and the end"),
        (
            {"voting_start": "tomorrow", "voting_end": "2027-05-01T09:00"},
            "voting_start",
            "Enter a date and time",
        ),
        (
            {"voting_start": "2027-05-02T09:00", "voting_end": "2027-05-01T09:00"},
            "voting_end",
            "must end after it starts",
        ),
    ],
)
def test_a_bad_schedule_comes_back_with_the_message(
    web: Web, data: dict[str, str], field: str, message: str
) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    client = web.signed_in(Role.COUNCIL)
    before = snapshot(web.db)
    response = submit(client, f"/admin/cycles/{cycle_id}/schedule", data)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    assert message in response.text
    assert snapshot(web.db) == before


def test_council_adds_a_budget_with_an_exact_amount(web: Web) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    client = web.signed_in(Role.COUNCIL)
    data = {**BUDGET, "amount": "2 500 000,50"}
    response = submit(client, f"/admin/cycles/{cycle_id}/budgets/new", data)
    assert response.status_code == 303
    amounts = sorted(b.amount for b in queries.list_budgets(web.db, cycle_id))
    assert 250_000_050 in amounts


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "1,250", "Ambiguous amount"),
        ("amount", "12.3456", "finer than one cent"),
        ("amount", "lots", "Enter an amount"),
        ("scope", "district", "This field is required."),
        ("points", "x", "Enter a whole number"),
    ],
)
def test_a_bad_budget_comes_back_with_the_field_message(
    web: Web, field: str, value: str, message: str
) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    client = web.signed_in(Role.COUNCIL)
    before = snapshot(web.db)
    response = submit(client, f"/admin/cycles/{cycle_id}/budgets/new", {**BUDGET, field: value})
    assert response.status_code == 422
    shown = "district_id" if field == "scope" else field
    assert f'id="f-{shown}-error"' in response.text
    assert message in response.text
    assert snapshot(web.db) == before


def test_editing_a_budget_shows_its_amount_and_saves(web: Web) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    budget = queries.list_budgets(web.db, cycle_id)[0]
    client = web.signed_in(Role.COUNCIL)
    assert 'value="1250000.50"' in client.get(f"/admin/budgets/{budget.id}/edit").text
    data = {
        **BUDGET,
        "ballot_type": "approval",
        "max_choices": "5",
        "rule": "greedy",
        "tie_break": "more-votes,lower-cost,lottery",
    }
    assert submit(client, f"/admin/budgets/{budget.id}/edit", data).status_code == 303
    saved = queries.get_budget(web.db, budget.id)
    assert (saved.amount, saved.rule, saved.limits.max_choices) == (100_000_000, "greedy", 5)


def test_category_envelopes_are_set_on_the_budget_form_and_shown_again(web: Web) -> None:
    from budget.services import categories

    cycle_id = make_cycle(web, open_submissions=False)
    for code in ("green", "care"):
        categories.create_category(
            web.db, web.clock(), actor_id=web.council_id(), cycle_id=cycle_id, code=code,
            name_fr=code.title(), name_en=code.title(),
        )  # fmt: skip
    web.db.commit()
    budget = queries.list_budgets(web.db, cycle_id)[0]
    client = web.signed_in(Role.COUNCIL)
    page = client.get(f"/admin/budgets/{budget.id}/edit").text
    assert 'name="envelope-green"' in page
    assert 'name="envelope-care"' in page
    data = {**BUDGET, "envelope-care": "200000", "envelope-green": "", "envelope-parks": ""}
    assert submit(client, f"/admin/budgets/{budget.id}/edit", data).status_code == 303
    saved = queries.get_budget(web.db, budget.id)
    assert saved.rule_options == {"category_envelopes": [["care", 200_000_00]]}
    assert 'value="200000.00"' in client.get(f"/admin/budgets/{budget.id}/edit").text
    before = snapshot(web.db)
    refused = submit(client, f"/admin/budgets/{budget.id}/edit", {**BUDGET, "envelope-parks": "5"})
    assert refused.status_code == 422
    assert "is not one of this cycle" in refused.text
    assert snapshot(web.db) == before


def test_districts_are_created_and_a_taken_code_refused(web: Web) -> None:
    cycle_id = make_cycle(web)
    make_district(web, cycle_id, code="75111")
    client = web.signed_in(Role.COUNCIL)
    path = f"/admin/cycles/{cycle_id}/districts"
    ok = submit(client, path, {"code": "75112", "name": "12e arrondissement"})
    assert ok.status_code == 303
    assert ok.headers["location"].startswith(path)
    before = snapshot(web.db)
    taken = submit(client, path, {"code": "75111", "name": "Doublon"})
    assert taken.status_code == 422
    assert "Another district already uses this code." in taken.text
    assert snapshot(web.db) == before


def test_granting_a_role_through_htmx_returns_the_updated_row(web: Web) -> None:
    target = web.account(email="future-reviewer@example.org")
    client = web.signed_in(Role.COUNCIL)
    response = submit(
        client,
        f"/admin/accounts/{target.id}/roles",
        {"role": "reviewer", "action": "grant"},
        **{"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="account-{target.id}">')
    assert Role.REVIEWER in queries.get_account(web.db, target.id).roles


def test_revoking_the_last_council_role_is_refused_with_a_message(web: Web) -> None:
    client = web.signed_in(Role.COUNCIL)
    council = queries.find_account(web.db, "council@example.org")
    assert council is not None
    response = submit(
        client, f"/admin/accounts/{council.id}/roles", {"role": "council", "action": "revoke"}
    )
    assert response.status_code == 409
    assert "The last council member cannot lose the council role." in response.text


def test_account_search_filters_and_htmx_gets_the_results_only(web: Web) -> None:
    web.account(email="findme@example.org")
    client = web.signed_in(Role.COUNCIL)
    page = client.get("/admin/accounts?q=findme")
    assert "findme@example.org" in page.text
    assert "council@example.org" not in page.text
    fragment = client.get("/admin/accounts?q=findme", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="account-results"')


def test_the_audit_log_lists_council_actions(web: Web) -> None:
    make_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    page = client.get("/admin/audit")
    assert "cycle.create" in page.text
