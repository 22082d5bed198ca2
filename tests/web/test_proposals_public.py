"""The public side of proposals: the list (search, filters, sort, pages, htmx fragment), the
proposal page with its history and versions, and the CSV/JSON exports. Drafts never show."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from budget.db import queries
from budget.db.tables import Proposal, ProposalAuthor
from budget.domain.accounts import Role
from budget.domain.proposals import AuthorRole, AuthorState, EventKind, ProposalStatus
from budget.services import budgets, categories, history, proposals
from budget.services.budgets import BudgetForm
from tests.webapp import Web, make_cycle, make_district

HTMX = {"HX-Request": "true"}


class World:
    """A cycle in submission with a city budget, a district budget, two categories, and
    proposals made through the services."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.cycle_id = make_cycle(web)
        council = web.council_id()
        now = web.clock()
        self.city_budget = queries.list_budgets(web.db, self.cycle_id)[0].id
        self.district_id = make_district(web, self.cycle_id)
        district_form = BudgetForm(
            name_fr="Paris 11", name_en="Paris 11th", scope="district",
            district_id=self.district_id, amount=10_000_000,
        )  # fmt: skip
        self.district_budget = budgets.create_budget(
            web.db, now, actor_id=council, cycle_id=self.cycle_id, form=district_form
        )
        self.green = categories.create_category(
            web.db, now, actor_id=council, cycle_id=self.cycle_id, code="green",
            name_fr="Environnement", name_en="Environment",
        )  # fmt: skip
        self.schools = categories.create_category(
            web.db, now, actor_id=council, cycle_id=self.cycle_id, code="schools",
            name_fr="Écoles", name_en="Schools",
        )  # fmt: skip
        web.db.commit()
        self.authors: list[int] = []

    def author(self) -> int:
        """A fresh resident (the per-author limit is 5 submitted proposals)."""
        index = len(self.authors)
        account = self.web.account(email=f"author{index}@example.org")
        self.authors.append(account.id)
        return account.id

    def proposal(
        self,
        title: str,
        *,
        summary: str = "A short summary.",
        author: int | None = None,
        district: bool = False,
        category: int | None = None,
        submit: bool = True,
        **fields: object,
    ) -> int:
        author_id = author if author is not None else self.author()
        self.web.clock.advance(minutes=1)  # distinct submission times: "newest" is well defined
        now = self.web.clock()
        proposal_id = proposals.create_proposal(
            self.web.db, now, author_id=author_id,
            budget_id=self.district_budget if district else self.city_budget,
            title=title, summary=summary, category_id=category or self.green,
            address=str(fields.pop("address", "1 rue de la Roquette" if district else "")),
            **fields,  # type: ignore[arg-type]
        )  # fmt: skip
        if submit:
            proposals.submit_proposal(self.web.db, now, actor_id=author_id, proposal_id=proposal_id)
        self.web.db.commit()
        return proposal_id


@pytest.fixture
def world(web: Web) -> World:
    return World(web)


def listed_ids(html: str) -> list[int]:
    """Proposal ids in the order the results list shows them."""
    ids = []
    for chunk in html.split('<li class="card">')[1:]:
        ids.append(int(chunk.split('href="/proposals/')[1].split('"')[0]))
    return ids


def test_the_list_shows_public_proposals_and_never_drafts(world: World) -> None:
    shown = world.proposal("Shade trees on the boulevard")
    draft = world.proposal("Secret draft idea", submit=False)
    page = world.web.client().get(f"/cycles/{world.cycle_id}/proposals")
    assert page.status_code == 200
    assert "Shade trees on the boulevard" in page.text
    assert "Secret draft idea" not in page.text
    assert listed_ids(page.text) == [shown]
    assert draft not in listed_ids(page.text)


def test_search_folds_case_and_accents_in_title_and_summary(world: World) -> None:
    school = world.proposal("Cour d'ÉCOLE végétalisée")
    summary = world.proposal("Bancs", summary="Près de l'école Voltaire")
    world.proposal("Piste cyclable")
    client = world.web.client()
    page = client.get(f"/cycles/{world.cycle_id}/proposals", params={"q": "ecole"})
    assert sorted(listed_ids(page.text)) == sorted([school, summary])


def test_search_treats_wildcards_as_plain_text(world: World) -> None:
    percent = world.proposal("100% recycled benches")
    world.proposal("Benches")
    client = world.web.client()
    page = client.get(f"/cycles/{world.cycle_id}/proposals", params={"q": "%"})
    assert listed_ids(page.text) == [percent]
    page = client.get(f"/cycles/{world.cycle_id}/proposals", params={"q": "_"})
    assert listed_ids(page.text) == []


def test_each_filter_narrows_the_list(world: World) -> None:
    city = world.proposal("City idea", category=world.green)
    local = world.proposal("District idea", district=True, category=world.schools)
    author = world.author()
    gone = world.proposal("Withdrawn idea", author=author)
    proposals.withdraw_proposal(world.web.db, world.web.clock(), actor_id=author, proposal_id=gone)
    world.web.db.commit()
    client = world.web.client()
    path = f"/cycles/{world.cycle_id}/proposals"

    def ids(**params: int | str) -> set[int]:
        return set(listed_ids(client.get(path, params=params).text))

    assert ids() == {city, local, gone}
    assert ids(budget=world.district_budget) == {local}
    assert ids(district=world.district_id) == {local}
    assert ids(category=world.schools) == {local}
    assert ids(status="withdrawn") == {gone}
    assert ids(status="submitted") == {city, local}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "draft"},
        {"status": "<script>"},
        {"budget": "999999"},
        {"budget": "x"},
        {"district": "-1"},
        {"category": "1e9"},
        {"sort": "title; DROP TABLE proposal"},
        {"page": "0"},
        {"page": "99999999999999999999"},
        {"q": "x" * 500},
        {"q": "nul\x00byte"},
    ],
)
def test_bad_filter_values_are_ignored_with_a_notice(world: World, params: dict[str, str]) -> None:
    world.proposal("Visible idea")
    draft = world.proposal("Draft idea", submit=False)
    for path in ("", "/map", ".csv", ".json", ".geojson"):
        response = world.web.client().get(
            f"/cycles/{world.cycle_id}/proposals{path}", params=params
        )
        assert response.status_code == 200, path
        assert "Draft idea" not in response.text
    page = world.web.client().get(f"/cycles/{world.cycle_id}/proposals", params=params)
    assert "were not understood and were ignored" in page.text
    assert draft not in listed_ids(page.text)
    assert "Visible idea" in page.text


def test_newest_first_then_a_random_order_that_stays_put_while_paging(world: World) -> None:
    made = [world.proposal(f"Idea number {n}", author=None) for n in range(25)]
    client = world.web.client()
    path = f"/cycles/{world.cycle_id}/proposals"
    first = client.get(path)
    assert listed_ids(first.text) == list(reversed(made))[:20]
    assert "25 proposals" in first.text
    second = client.get(path, params={"page": "2"})
    assert listed_ids(second.text) == list(reversed(made))[20:]
    assert 'aria-current="page">2<' in second.text
    shuffled = listed_ids(client.get(path, params={"sort": "random"}).text)
    again = listed_ids(client.get(path, params={"sort": "random"}).text)
    rest = listed_ids(client.get(path, params={"sort": "random", "page": "2"}).text)
    assert shuffled == again
    assert sorted(shuffled + rest) == sorted(made)
    other = world.web.client()
    other.get("/")  # a visitor of their own: another seed
    theirs = listed_ids(other.get(path, params={"sort": "random"}).text)
    theirs += listed_ids(other.get(path, params={"sort": "random", "page": "2"}).text)
    assert sorted(theirs) == sorted(made)
    assert theirs != shuffled + rest  # 25! orders: equal only by a bug


def test_a_page_past_the_end_shows_the_last_page(world: World) -> None:
    only = world.proposal("Lonely idea")
    page = world.web.client().get(f"/cycles/{world.cycle_id}/proposals", params={"page": "7"})
    assert listed_ids(page.text) == [only]


def test_htmx_gets_only_the_results_and_the_plain_url_the_whole_page(world: World) -> None:
    world.proposal("Shade trees")
    client = world.web.client()
    path = f"/cycles/{world.cycle_id}/proposals?q=shade&sort=newest"
    whole = client.get(path)
    assert "<html" in whole.text
    assert 'hx-get="/cycles/' in whole.text
    assert 'hx-trigger="input changed delay:300ms, change, submit"' in whole.text
    assert 'hx-target="#proposal-results"' in whole.text
    assert 'hx-push-url="true"' in whole.text
    assert 'value="shade"' in whole.text
    fragment = client.get(path, headers=HTMX)
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith("<section")
    assert "Shade trees" in fragment.text
    assert "HX-Request" in fragment.headers["vary"]


def test_the_public_cycle_page_links_to_the_list_and_the_list_to_the_map(world: World) -> None:
    client = world.web.client()
    cycle_page = client.get(f"/cycles/{world.cycle_id}")
    assert f'href="/cycles/{world.cycle_id}/proposals"' in cycle_page.text
    listing = client.get(f"/cycles/{world.cycle_id}/proposals", params={"category": world.green})
    assert f"/cycles/{world.cycle_id}/proposals/map?category={world.green}" in listing.text
    assert f"/cycles/{world.cycle_id}/proposals.csv?category={world.green}" in listing.text


def test_a_draft_cycle_has_no_public_list(web: Web) -> None:
    cycle_id = make_cycle(web, open_submissions=False)
    for path in ("", "/map", ".csv", ".json", ".geojson"):
        assert web.client().get(f"/cycles/{cycle_id}/proposals{path}").status_code == 404


# -- the proposal's page ------------------------------------------------------------------------


def test_the_page_shows_the_proposal_and_renders_markdown_safely(world: World) -> None:
    author = world.author()
    proposal_id = world.proposal(
        "Trees on rue Oberkampf",
        author=author,
        district=True,
        description="**Twelve** trees.\n\n<script>alert(1)</script>",
        address="12 rue Oberkampf",
        lat="48.8647",
        lon="2.3780",
        estimated_cost=4_500_000,
    )
    page = world.web.client().get(f"/proposals/{proposal_id}")
    assert page.status_code == 200
    text = page.text
    assert "Trees on rue Oberkampf" in text
    assert "<strong>Twelve</strong>" in text
    assert "<script>alert(1)</script>" not in text
    assert "12 rue Oberkampf" in text
    assert "48.864700, 2.378000" in text
    assert "€45,000.00" in text
    assert "Paris 11th" in text
    assert "Environment" in text
    assert "By A resident" in text
    assert "Submitted" in text
    assert "Created" in text  # the history


def test_a_draft_is_404_except_to_its_authors(world: World) -> None:
    author = world.author()
    draft = world.proposal("My draft", author=author, submit=False)
    assert world.web.client().get(f"/proposals/{draft}").status_code == 404
    assert world.web.signed_in(Role.COUNCIL).get(f"/proposals/{draft}").status_code == 404
    assert world.web.client().get(f"/proposals/{draft}/versions").status_code == 404
    own = world.web.client()
    from tests.webapp import sign_in

    sign_in(own, f"author{len(world.authors) - 1}@example.org")
    assert own.get(f"/proposals/{draft}").status_code == 200
    assert own.get(f"/proposals/{draft}/versions").status_code == 200


def test_an_unknown_proposal_is_404(world: World) -> None:
    assert world.web.client().get("/proposals/999999").status_code == 404


def test_a_withdrawn_proposal_is_marked_with_its_date(world: World) -> None:
    author = world.author()
    proposal_id = world.proposal("Changed my mind", author=author)
    proposals.withdraw_proposal(
        world.web.db, world.web.clock(), actor_id=author, proposal_id=proposal_id
    )
    world.web.db.commit()
    page = world.web.client().get(f"/proposals/{proposal_id}")
    assert "withdrawn" in page.text
    assert "Withdrawn on Mar 1, 2027." in page.text


def merge(world: World, sources: list[int], into: int) -> None:
    """What the council's merge does to the tables (REVIEW's service may not exist yet)."""
    db = world.web.db
    now = world.web.clock()
    for source in sources:
        row = db.get(Proposal, source)
        assert row is not None
        row.status, row.merged_into_id = ProposalStatus.MERGED, into
        db.add(row)
        history.record(db, now, source, EventKind.MERGED_INTO, into=into)
        authors = db.exec(select(ProposalAuthor).where(ProposalAuthor.proposal_id == source))
        for author in authors.all():
            db.add(
                ProposalAuthor(
                    proposal_id=into,
                    account_id=author.account_id,
                    role=AuthorRole.COAUTHOR,
                    state=AuthorState.ACCEPTED,
                    credited_from=source,
                    invited_at=now,
                )
            )
    history.record(db, now, into, EventKind.MERGED_FROM, sources=sources)
    db.commit()


def test_a_merged_proposal_credits_its_sources_and_their_authors(world: World) -> None:
    first = world.proposal("Benches A")
    second = world.proposal("Benches B")
    target = world.proposal("Benches everywhere")
    merge(world, [first, second], target)
    page = world.web.client().get(f"/proposals/{target}").text
    assert "Co-built from" in page
    assert f'href="/proposals/{first}">#{first}</a>' in page
    assert f'href="/proposals/{second}">#{second}</a>' in page
    assert "Built by merging proposals" in page
    source = world.web.client().get(f"/proposals/{first}").text
    assert "merged into another one" in source
    assert f'<a href="/proposals/{target}">#{target} Benches everywhere</a>' in source


def test_the_versions_page_shows_an_escaped_line_diff(world: World) -> None:
    author = world.author()
    proposal_id = world.proposal("Benches", author=author, description="Line one\nLine <b>two</b>")
    form = proposals.ProposalForm(
        budget_id=world.city_budget, title="Benches", summary="A short summary.",
        description="Line one\nLine three", category_id=world.green,
    )  # fmt: skip
    proposals.update_proposal(
        world.web.db, world.web.clock(), actor_id=author, proposal_id=proposal_id, form=form
    )
    world.web.db.commit()
    detail = world.web.client().get(f"/proposals/{proposal_id}")
    assert f'href="/proposals/{proposal_id}/versions"' in detail.text
    page = world.web.client().get(f"/proposals/{proposal_id}/versions")
    assert page.status_code == 200
    assert "Version 2" in page.text
    assert "Version 1" in page.text
    assert "- Line &lt;b&gt;two&lt;/b&gt;</del>" in page.text
    assert "+ Line three</ins>" in page.text
    assert "<b>two</b>" not in page.text


# -- exports ------------------------------------------------------------------------------------


def test_the_csv_export_has_public_fields_a_bom_and_defused_formulas(world: World) -> None:
    world.proposal('=HYPERLINK("http://evil")', summary="+1 and -2", estimated_cost=123_456)
    world.proposal("Draft never exported", submit=False)
    response = world.web.client().get(f"/cycles/{world.cycle_id}/proposals.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["summary"] == "'+1 and -2"
    assert (row["estimated_cost"], row["estimated_cost_minor"]) == ("1234.56", "123456")
    assert row["currency"] == "EUR"
    assert "decision_justification" not in row
    assert "Draft never exported" not in response.content.decode("utf-8-sig")


def test_the_json_export_follows_the_filters(world: World) -> None:
    world.proposal("City idea", lat="48.8566", lon="2.3522")
    local = world.proposal("District idea", district=True)
    client = world.web.client()
    data = client.get(
        f"/cycles/{world.cycle_id}/proposals.json", params={"district": world.district_id}
    ).json()
    assert data["count"] == 1
    (record,) = data["proposals"]
    assert record["id"] == local
    assert record["district_code"] == "75111"
    everything = client.get(f"/cycles/{world.cycle_id}/proposals.json").json()
    city = next(p for p in everything["proposals"] if p["title"] == "City idea")
    assert (city["latitude"], city["longitude"]) == ("48.856600", "2.352200")
    assert city["authors"] == ["A resident"]
    assert "decision_justification" not in json.dumps(everything)


def decide(world: World, proposal_id: int, **columns: object) -> None:
    """What the council's decision writes (set directly: the review service is not needed)."""
    row = world.web.db.get(Proposal, proposal_id)
    assert row is not None
    for name, value in columns.items():
        setattr(row, name, value)
    row.decided_at = world.web.clock()
    world.web.db.add(row)
    world.web.db.commit()


def test_the_decision_is_shown_and_the_internal_justification_never(world: World) -> None:
    sentinel = "INTERNAL-JUSTIFICATION-SENTINEL"
    feasible = world.proposal("Feasible idea", estimated_cost=100_000)
    refused = world.proposal("Refused idea")
    decide(world, feasible, status="on_ballot", final_cost=250_000,
           decision_justification=sentinel)  # fmt: skip
    explanation = "The city does not own this land, so it cannot build there."
    decide(world, refused, status="infeasible", decision_justification=sentinel,
           public_explanation=explanation)  # fmt: skip
    client = world.web.client()
    page = client.get(f"/proposals/{feasible}").text
    assert "Cost set by the city" in page
    assert "€2,500.00" in page
    page = client.get(f"/proposals/{refused}").text
    assert "Why this proposal is not feasible" in page
    assert "does not own this land" in page
    base = f"/cycles/{world.cycle_id}/proposals"
    for path in (f"/proposals/{feasible}", f"/proposals/{refused}", base, base + "/map",
                 base + ".csv", base + ".json", base + ".geojson"):  # fmt: skip
        assert sentinel not in client.get(path).text, path
    data = client.get(base + ".json").json()
    on_ballot = next(p for p in data["proposals"] if p["id"] == feasible)
    assert (on_ballot["final_cost"], on_ballot["final_cost_minor"]) == ("2500.00", 250_000)
    assert client.get(base, params={"status": "on_ballot"}).text.count('class="card"') == 1
