"""The council's category pages: list, add, edit, delete; errors next to the fields, nothing
written; linked from the cycle's administration page."""

from __future__ import annotations

from budget.db import queries
from budget.domain.accounts import Role
from budget.services import proposals
from tests.security.test_csrf import snapshot
from tests.webapp import Web, csrf_token, make_cycle

CATEGORY = {"code": "green", "name_fr": "Environnement", "name_en": "Environment"}


def post(client, path: str, data: dict[str, str]):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")})


def test_council_adds_edits_and_deletes_a_category(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    admin = client.get(f"/admin/cycles/{cycle_id}")
    assert f'href="/admin/cycles/{cycle_id}/categories"' in admin.text
    response = post(client, f"/admin/cycles/{cycle_id}/categories", CATEGORY)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "The category was created." in page.text
    assert "Environnement" in page.text
    (category,) = queries.list_categories(web.db, cycle_id)
    edit = client.get(f"/admin/categories/{category.id}/edit")
    assert 'value="Environment"' in edit.text
    data = {**CATEGORY, "name_en": "Nature"}
    assert post(client, f"/admin/categories/{category.id}/edit", data).status_code == 303
    assert queries.get_category(web.db, category.id).name_en == "Nature"
    assert post(client, f"/admin/categories/{category.id}/delete", {}).status_code == 303
    assert queries.list_categories(web.db, cycle_id) == ()


def test_a_bad_category_comes_back_with_messages_and_writes_nothing(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    post(client, f"/admin/cycles/{cycle_id}/categories", CATEGORY)
    before = snapshot(web.db)
    response = post(client, f"/admin/cycles/{cycle_id}/categories", {**CATEGORY, "name_fr": ""})
    assert response.status_code == 422
    assert 'id="f-name_fr-error"' in response.text
    assert 'id="f-code-error"' in response.text  # the code is taken
    assert "Another category of this cycle already uses this code." in response.text
    (category,) = queries.list_categories(web.db, cycle_id)
    bad = {**CATEGORY, "code": "not a code"}
    response = post(client, f"/admin/categories/{category.id}/edit", bad)
    assert response.status_code == 422
    assert "letters, digits or hyphens" in response.text
    assert snapshot(web.db) == before


def test_unknown_categories_are_404(web: Web) -> None:
    client = web.signed_in(Role.COUNCIL)
    assert client.get("/admin/categories/999999/edit").status_code == 404
    assert post(client, "/admin/categories/999999/delete", {}).status_code == 404


def test_a_category_in_use_is_kept_and_the_page_says_why(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    post(client, f"/admin/cycles/{cycle_id}/categories", CATEGORY)
    (category,) = queries.list_categories(web.db, cycle_id)
    author = web.account(email="author@example.org")
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    proposals.create_proposal(
        web.db, web.clock(), author_id=author.id, budget_id=budget_id, title="Trees",
        summary="Shade", category_id=category.id,
    )  # fmt: skip
    web.db.commit()
    before = snapshot(web.db)
    response = post(client, f"/admin/categories/{category.id}/delete", {})
    assert response.status_code == 422
    assert "This category cannot be deleted: proposals use it (1)." in response.text
    assert snapshot(web.db) == before
