"""Public pages the council writes in Markdown, linked from every page's footer, both
languages."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from budget.db import queries
from budget.domain.accounts import Role
from tests.webapp import Web, csrf_token

FOOTER = ["/pages/rules", "/pages/faq", "/pages/legal", "/pages/privacy", "/pages/accessibility"]


def save(client: TestClient, slug: str, language: str, title: str, body: str):
    path = f"/admin/pages/{slug}/{language}"
    return client.post(path, data={"title": title, "body": body,
                                   "csrf_token": csrf_token(client, path)})  # fmt: skip


def test_the_council_writes_a_page_and_residents_read_it_in_their_language(web: Web) -> None:
    council = web.signed_in(Role.COUNCIL)
    assert save(council, "faq", "en", "FAQ", "**Who votes?** Everyone.").status_code == 303
    assert (
        save(council, "faq", "fr", "Questions", "**Qui vote ?** Tout le monde.").status_code == 303
    )
    english = web.client().get("/pages/faq")
    assert "<strong>Who votes?</strong>" in english.text
    french = web.client(headers={"accept-language": "fr"}).get("/pages/faq")
    assert "<strong>Qui vote ?</strong>" in french.text
    assert "page.save" in [e.action for e in queries.list_audit(web.db, limit=5)]


def test_markdown_goes_through_the_sanitiser(web: Web) -> None:
    council = web.signed_in(Role.COUNCIL)
    body = "Hello <script>alert(1)</script> [x](javascript:alert(1))"
    assert save(council, "legal", "en", "Legal notice", body).status_code == 303
    page = web.client().get("/pages/legal").text
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page


def test_a_page_in_one_language_shows_there_too_and_an_unwritten_page_says_so(web: Web) -> None:
    council = web.signed_in(Role.COUNCIL)
    save(council, "privacy", "fr", "Confidentialité", "Nous gardons peu.")
    english = web.client().get("/pages/privacy")
    assert english.status_code == 200
    assert "not available in your language" in english.text
    missing = web.client().get("/pages/accessibility")
    assert missing.status_code == 404
    assert "has not been written yet" in missing.text
    assert web.client().get("/pages/nope").status_code == 404


def test_an_empty_title_is_refused(web: Web) -> None:
    council = web.signed_in(Role.COUNCIL)
    answer = save(council, "rules", "en", " ", "Text")
    assert answer.status_code == 422
    assert "This field is required." in answer.text


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("path", ["/", "/login", "/cycles", "/pages/faq"])
def test_every_page_links_the_public_pages_in_its_footer(
    web: Web, path: str, language: str
) -> None:
    page = web.client(headers={"accept-language": language}).get(path).text
    footer = page[page.index("<footer") :]
    for link in FOOTER:
        assert f'href="{link}"' in footer
    assert ("Mentions légales" if language == "fr" else "Legal notice") in footer
