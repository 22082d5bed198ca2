"""Results through HTTP: the council's desk (count, certify by two members, publish), the
public page and downloads (404 before publication for all but the council, T9), and the API's
results, valid against the OpenAPI document."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pytest

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.ballots import BallotType
from budget.services import accounts, demo, results
from budget.tally.model import Explanation
from budget.web import explanations, i18n, results_page
from tests.services.results_setup import Voted, close, vote
from tests.web.test_api import check
from tests.webapp import Web, csrf_token, sign_in

SECOND_PASSWORD = "second2032-password-123"


def closed(web: Web, voters: int = 12) -> Voted:
    """A cycle whose vote ended and closed (tests/services/results_setup.py), committed."""
    voted = vote(web.db, web.council_id(), accounts.test_hasher(), voters=voters, instance="2032")
    close(web.db, voted)
    web.db.commit()
    return voted


def post(client, path: str, data: dict[str, str]):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")})


def certify_form(client, budget_id: int) -> dict[str, str]:
    """The hidden confirmation fields the desk shows the council member."""
    page = client.get(f"/admin/budgets/{budget_id}/results").text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    fields = {k: v.replace("&#34;", '"').replace("&quot;", '"') for k, v in fields.items()}
    return {k: fields[k] for k in ("fingerprint", "rule", "winners", "spent")}


def publish_through_the_desk(web: Web, voted: Voted) -> None:
    council = web.client()
    sign_in(council, "granter@example.org")
    second = web.client()
    sign_in(second, "second2032@example.fr", SECOND_PASSWORD)
    for budget_id in voted.opened.budgets.values():
        assert post(council, f"/admin/budgets/{budget_id}/results/count", {}).status_code == 303
        form = certify_form(council, budget_id)
        wrong = post(council, f"/admin/budgets/{budget_id}/results/certify",
                     {**form, "password": "not the password"})  # fmt: skip
        assert wrong.status_code == 422
        done = post(council, f"/admin/budgets/{budget_id}/results/certify",
                    {**form, "password": "correct horse battery staple"})  # fmt: skip
        assert done.status_code == 303
        again = post(council, f"/admin/budgets/{budget_id}/results/certify",
                     {**form, "password": "correct horse battery staple"})  # fmt: skip
        assert again.status_code == 422
        assert "second council member" in again.text
        assert post(second, f"/admin/budgets/{budget_id}/results/certify",
                    {**form, "password": SECOND_PASSWORD}).status_code == 303  # fmt: skip
    cycle_id = voted.opened.cycle_id
    moved = post(council, f"/admin/cycles/{cycle_id}/phase", {"target": "certified"})
    assert moved.status_code == 303, moved.text
    assert post(council, f"/admin/cycles/{cycle_id}/publish", {}).status_code == 303


def test_results_are_404_before_publication_for_everyone_but_the_council(web: Web) -> None:
    voted = closed(web)
    budget_id = voted.opened.budgets[BallotType.APPROVAL]
    results.count_budget(web.db, web.clock(), actor_id=web.council_id(), budget_id=budget_id)
    web.db.commit()
    paths = [
        f"/budgets/{budget_id}/results",
        f"/budgets/{budget_id}/results/box.pb",
        f"/budgets/{budget_id}/results/results.json",
        f"/api/v1/budgets/{budget_id}/results",
    ]
    for roles in ((), (Role.RESIDENT,), (Role.REVIEWER,), (Role.OFFICER,)):
        client = web.signed_in(*roles) if roles else web.client()
        for path in paths:
            assert client.get(path).status_code == 404, (roles, path)
    council = web.signed_in(Role.COUNCIL)
    page = council.get(f"/budgets/{budget_id}/results")
    assert page.status_code == 200
    assert "Not published" in page.text
    assert council.get(f"/api/v1/budgets/{budget_id}/results").status_code == 404


def test_count_certify_twice_publish_then_page_downloads_and_api_agree(web: Web) -> None:
    voted = closed(web)
    publish_through_the_desk(web, voted)
    budget_id = voted.opened.budgets[BallotType.APPROVAL]
    visitor = web.client()
    page = visitor.get(f"/budgets/{budget_id}/results")
    assert page.status_code == 200
    view = queries.budget_results(web.db, budget_id)
    assert view is not None
    assert view.certificate is not None
    for text in (view.box_sha256, view.result_sha256, "For information: the locked rule decides",
                 "Certified by", "<svg", view.document["lottery_seed"]):  # fmt: skip
        assert text in page.text
    box = visitor.get(f"/budgets/{budget_id}/results/box.pb")
    document = visitor.get(f"/budgets/{budget_id}/results/results.json")
    assert hashlib.sha256(box.content).hexdigest() == view.box_sha256
    assert hashlib.sha256(document.content).hexdigest() == view.result_sha256
    assert visitor.get(f"/budgets/{budget_id}/results/projects.csv").status_code == 200
    receipts = visitor.get(f"/budgets/{budget_id}/results/receipts.txt").text.split()
    assert receipts == sorted(receipts)
    assert len(receipts) == 12
    api = visitor.get(f"/api/v1/budgets/{budget_id}/results")
    assert api.status_code == 200
    payload = api.json()
    check(payload, "Results")
    assert payload["funded"] == json.loads(document.content)["funded"]
    assert payload["box"]["sha256"] == view.box_sha256
    assert payload["turnout_by_district"] == {"": 12}  # the test's voters give no district
    assert "Voters by district" in page.text
    spending = page.text[page.text.index('id="spending-title"') :].split("</section>")[0]
    assert "<svg" in spending
    rows = results_page.results_page(view, None, queries.project_categories(web.db, budget_id))
    assert sum(r.amount for r in rows.spending) == view.document["spent"]
    assert sum(r.funded for r in rows.spending) == len(view.document["funded"])
    for row in rows.spending:
        assert f"<td>{row.funded}</td>" in spending
    cycle = visitor.get(f"/api/v1/cycles/{voted.opened.cycle_id}").json()
    check(cycle, "Cycle")
    assert {b["results_url"] for b in cycle["budgets"]} == {
        f"/api/v1/budgets/{b}/results" for b in voted.opened.budgets.values()
    }


def test_a_budget_under_ten_ballots_publishes_winners_only(web: Web) -> None:
    voted = closed(web, voters=5)
    publish_through_the_desk(web, voted)
    budget_id = voted.opened.budgets[BallotType.CUMULATIVE]
    page = web.client().get(f"/budgets/{budget_id}/results")
    assert page.status_code == 200
    assert "only the winners are published" in page.text
    assert "Turnout" not in page.text
    payload = web.client().get(f"/api/v1/budgets/{budget_id}/results").json()
    check(payload, "Results")
    assert all(p["votes"] is None for p in payload["projects"])
    assert all(v is None for by in payload["turnout"].values() for v in by.values())
    assert payload["turnout_by_district"] == {"": None}


@pytest.mark.parametrize("field", ["proposal_id", "reason"])
def test_a_bad_amendment_is_refused_on_its_form(web: Web, field: str) -> None:
    voted = closed(web)
    budget_id = voted.opened.budgets[BallotType.APPROVAL]
    council = web.client()
    sign_in(council, "granter@example.org")
    post(council, f"/admin/budgets/{budget_id}/results/count", {})
    form = {"proposal_id": "12", "change": "fund", "reason": "Because."}
    form[field] = "x" if field == "proposal_id" else ""
    response = post(council, f"/admin/budgets/{budget_id}/results/amend", form)
    assert response.status_code == 422
    assert queries.budget_results(web.db, budget_id).amendments == ()  # type: ignore[union-attr]


def test_the_demo_past_cycle_results_are_reachable_through_the_api(web: Web) -> None:
    demo.load_demo(web.db, web.clock(), accounts.test_hasher(), residents=40)
    web.db.commit()
    client = web.client()
    listed = client.get("/api/v1/cycles").json()["cycles"]
    past = next(c for c in listed if c["instance"] == "2026")
    assert past["phase"] == "implementation"
    cycle = client.get(past["url"]).json()
    urls = [b["results_url"] for b in cycle["budgets"]]
    assert all(urls)
    for url in urls:
        payload = client.get(url).json()
        check(payload, "Results")
        assert payload["certificate"] is not None
        box = client.get(payload["box"]["url"])
        assert hashlib.sha256(box.content).hexdigest() == payload["box"]["sha256"]


def test_every_projects_explanation_is_in_the_readers_language(web: Web) -> None:
    voted = closed(web)
    publish_through_the_desk(web, voted)
    budget_id = voted.opened.budgets[BallotType.APPROVAL]
    view = queries.budget_results(web.db, budget_id)
    assert view is not None
    page = results_page.results_page(view)
    catalogs = i18n.Catalogs.load(Path(__file__).resolve().parents[2] / "locales")
    for locale in ("fr", "en"):
        client = web.client()
        client.cookies.set(i18n.LANGUAGE_COOKIE, locale)
        full = html.unescape(client.get(f"/budgets/{budget_id}/results").text)
        text = full[full.index('id="projects-title"') :].split("</ol>")[0]
        assert 'lang="en"' not in text
        for project in page.projects:
            sentence = explanations.sentence(
                project.explanation, scale=int(view.document["scale"]), currency="EUR",
                translations=catalogs.get(locale), locale=locale,
            )  # fmt: skip
            assert sentence in text
            assert (sentence == project.sentence) is (locale == "en" and "€" not in sentence)


def test_a_refused_publication_names_its_reason_on_a_whole_page(web: Web) -> None:
    voted = closed(web)
    council = web.client()
    sign_in(council, "granter@example.org")
    for budget_id in voted.opened.budgets.values():
        post(council, f"/admin/budgets/{budget_id}/results/count", {})
    refused = post(council, f"/admin/cycles/{voted.opened.cycle_id}/publish", {})
    assert refused.status_code == 409, re.findall(r"<strong>(.*?)</strong>", refused.text)
    text = html.unescape(refused.text)
    assert "<h1>Publish the results: " in text
    assert "Publishing was refused" in text
    assert "The results are not certified yet" in text
    assert 'href="/admin/cycles/' in text
    for budget_id in voted.opened.budgets.values():
        assert f'href="/admin/budgets/{budget_id}/results"' in text
        assert web.client().get(f"/budgets/{budget_id}/results").status_code == 404


def test_spending_by_category_sums_the_winners_costs_largest_first() -> None:
    def row(pid: str, cost: int, funded: bool) -> results_page.ProjectRow:
        explanation = Explanation(pid, funded, "unsupported", {})
        return results_page.ProjectRow(pid, pid, cost, 1, 1, funded, None, "x", "", 0, explanation)

    parks, roads = queries.CategoryName("Parcs", "Parks"), queries.CategoryName("Voirie", "Roads")
    funded = (row("1", 300, True), row("2", 500, True), row("3", 400, True))
    spent = results_page._spending(funded, {"1": parks, "2": roads, "3": parks})
    assert [(r.name_en, r.funded, r.amount, r.bar) for r in spent] == [
        ("Parks", 2, 700, results_page.CHART_WIDTH),
        ("Roads", 1, 500, 229),
    ]
    assert [r.name_en for r in results_page._spending((row("4", 9, True),), {})] == [""]
