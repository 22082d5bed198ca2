"""Public pages: home with the current cycle and its timeline, the cycles, one cycle."""

from __future__ import annotations

from budget.domain.accounts import Role
from tests.webapp import Web, make_cycle


def test_home_shows_the_current_cycle_its_phase_and_budgets(web: Web) -> None:
    make_cycle(web)
    page = web.client().get("/")
    assert page.status_code == 200
    assert "Participatory budget 2027" in page.text
    assert 'aria-current="step"' in page.text
    assert "€1,250,000.50" in page.text


def test_home_in_french_formats_money_the_french_way(web: Web) -> None:
    make_cycle(web)
    page = web.client(headers={"accept-language": "fr-FR,fr;q=0.9"}).get("/")
    assert "Budget participatif 2027" in page.text
    assert "1\u202f250\u202f000,50\xa0€" in page.text or "1 250 000,50" in page.text
    assert '<html lang="fr">' in page.text


def test_draft_cycle_is_hidden_from_visitors(web: Web) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    client = web.client()
    assert "Participatory budget 2027" not in client.get("/").text
    assert client.get(f"/cycles/{cycle_id}").status_code == 404


def test_draft_cycle_is_visible_to_council(web: Web) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    client = web.signed_in(Role.COUNCIL)
    assert client.get(f"/cycles/{cycle_id}").status_code == 200


def test_cycle_page_lists_its_budgets(web: Web) -> None:
    cycle_id = make_cycle(web)
    page = web.client().get(f"/cycles/{cycle_id}")
    assert page.status_code == 200
    assert "All of Paris" in page.text


def test_unknown_cycle_is_404_with_a_page(web: Web) -> None:
    page = web.client().get("/cycles/999999")
    assert page.status_code == 404
    assert "does not exist" in page.text
