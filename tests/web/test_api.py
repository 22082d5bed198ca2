"""The public API, version 1: every answer matches the OpenAPI document (jsonschema), only
public data appears, answers are cacheable and cookie-free, errors are JSON; schemathesis then
generates requests from the document and finds no server error and no answer outside it."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.core.result import Ok

from budget.db import queries
from budget.domain.proposals import ProposalStatus
from budget.services import cycles, implementation
from budget.web import openapi
from tests.webapp import Web, district_of, make_cycle, make_project, make_proposal

DOCUMENT = openapi.document()
# The document's schemas are JSON Schema 2020-12 (OpenAPI 3.1): one resource, refs resolved in it.
REGISTRY = Registry().with_resource(
    "urn:api", Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)


def check(payload: object, schema: str) -> None:
    """Raise unless `payload` is valid against the document's schema named `schema`."""
    validator = Draft202012Validator(
        {"$ref": f"urn:api#/components/schemas/{schema}"},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(payload)


def world(web: Web) -> dict[str, int]:
    """A cycle in submission with a public proposal and a draft; a closed cycle with one funded
    project in the 11e and one on its ballot; a draft cycle."""
    author = web.account(email="amina@example.org").id
    open_cycle = make_cycle(web, instance="2027")
    open_budget = queries.list_budgets(web.db, open_cycle)[0].id
    public = make_proposal(web, author, open_budget)
    draft = make_proposal(web, author, open_budget, submit=False)
    funded, on_ballot = make_project(
        web, author, instance="2026", titles=("Shade trees", "Benches"), in_district=True
    )
    district = district_of(web, funded)
    implementation.add_milestone(
        web.db, web.clock(), actor_id=web.council_id(), proposal_id=funded, title="Survey",
        planned_on=web.clock().date(),
    )  # fmt: skip
    hidden = make_cycle(web, instance="2099", open_submissions=False)
    web.db.commit()
    closed = queries.get_proposal(web.db, funded).cycle_id
    return {
        "open_cycle": open_cycle, "open_budget": open_budget, "public": public, "draft": draft,
        "closed_cycle": closed, "closed_budget": queries.get_proposal(web.db, funded).budget_id,
        "funded": funded, "on_ballot": on_ballot, "hidden": hidden, "district": district,
    }  # fmt: skip


def get(web: Web, path: str, **headers: str) -> Any:
    response = web.client().get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert "set-cookie" not in response.headers  # no sign-in, no session
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["content-type"] == "application/json"
    return response


def test_every_answer_matches_the_document_and_shows_only_public_data(web: Web) -> None:
    ids = world(web)
    listed = get(web, "/api/v1/cycles").json()
    check(listed, "CycleList")
    assert [c["id"] for c in listed["cycles"]] == [ids["open_cycle"], ids["closed_cycle"]]
    assert listed["cycles"][0]["url"] == f"/api/v1/cycles/{ids['open_cycle']}"
    cycle = get(web, f"/api/v1/cycles/{ids['closed_cycle']}").json()
    check(cycle, "Cycle")
    (budget,) = cycle["budgets"]
    assert (budget["scope"], budget["amount"], budget["results_url"]) == (
        "district", 1_000_000_00, None,
    )  # fmt: skip
    assert budget["district"] == {"id": ids["district"], "code": "75111",
                                  "name": "11e arrondissement"}  # fmt: skip
    projects = get(web, budget["projects_url"].removeprefix("http://testserver")).json()
    check(projects, "BudgetProjects")
    assert [(p["id"], p["status"]) for p in projects["projects"]] == [
        (ids["funded"], "funded"), (ids["on_ballot"], "on_ballot"),
    ]  # fmt: skip
    assert projects["projects"][1]["implementation_url"] is None
    open_projects = get(web, f"/api/v1/budgets/{ids['open_budget']}/projects").json()
    check(open_projects, "BudgetProjects")
    assert [p["id"] for p in open_projects["projects"]] == [ids["public"]]  # never the draft
    built = get(web, projects["projects"][0]["implementation_url"].removeprefix(
        "http://testserver")).json()  # fmt: skip
    check(built, "Implementation")
    assert (built["project"]["status"], [m["title"] for m in built["milestones"]]) == (
        "planned", ["Survey"],
    )  # fmt: skip
    document = get(web, "/api/v1/openapi.json").json()
    assert document == DOCUMENT
    Draft202012Validator.check_schema({"$defs": DOCUMENT["components"]["schemas"]})


def test_the_api_follows_the_pages(web: Web) -> None:
    """The same view models: a cycle's page and its API answer name the same budgets, the
    project page and the API the same status and progress."""
    ids = world(web)
    page = web.client().get(f"/cycles/{ids['closed_cycle']}").text
    cycle = get(web, f"/api/v1/cycles/{ids['closed_cycle']}").json()
    assert all(b["name"] in page for b in cycle["budgets"])
    implementation.update_project(
        web.db, web.clock(), actor_id=web.council_id(), proposal_id=ids["funded"],
        status=queries.get_project(web.db, ids["funded"]).status.IN_PROGRESS, progress=35,
        spent=None,
    )  # fmt: skip
    web.db.commit()
    built = get(web, f"/api/v1/projects/{ids['funded']}/implementation").json()
    assert (built["project"]["status"], built["project"]["progress"]) == ("in_progress", 35)
    assert 'value="35"' in web.client().get(f"/projects/{ids['funded']}").text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cycles/{hidden}",  # a draft cycle is not public
        "/api/v1/cycles/999999",
        "/api/v1/cycles/99999999999999999999",
        "/api/v1/budgets/999999/projects",
        "/api/v1/projects/{on_ballot}/implementation",  # not funded
        "/api/v1/projects/{draft}/implementation",
        "/api/v1/nothing-here",
        "/api/v1/cycles/abc",
    ],
)
def test_what_is_not_public_or_not_there_is_a_json_404(web: Web, path: str) -> None:
    ids = world(web)
    response = web.client().get(path.format(**ids))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    check(response.json(), "Error")
    assert response.json()["error"]["code"] == "not-found"


def test_a_draft_cycles_budget_is_not_public(web: Web) -> None:
    ids = world(web)
    budget = queries.list_budgets(web.db, ids["hidden"])[0].id
    response = web.client().get(f"/api/v1/budgets/{budget}/projects")
    assert response.status_code == 404
    check(response.json(), "Error")


def test_answers_are_cacheable_with_an_etag(web: Web) -> None:
    ids = world(web)
    first = get(web, f"/api/v1/cycles/{ids['open_cycle']}")
    tag = first.headers["etag"]
    again = web.client().get(f"/api/v1/cycles/{ids['open_cycle']}", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["etag"] == tag
    assert again.content == b""
    french = get(web, f"/api/v1/cycles/{ids['open_cycle']}", **{"Accept-Language": "fr"})
    assert french.headers["etag"] != tag  # names in French
    assert french.json()["name"] == "Budget participatif 2027"
    cycles.update_cycle(
        web.db, web.clock(), actor_id=web.council_id(), cycle_id=ids["open_cycle"],
        form=cycles.CycleForm(**{
            **{f: getattr(queries.get_cycle(web.db, ids["open_cycle"]), f) for f in (
                "name_fr", "instance", "time_zone", "currency", "eligibility_mode",
                "district_mode", "min_age", "reference_date")},
            "name_en": "PB 2027",
        }),
    )  # fmt: skip
    web.db.commit()
    changed = web.client().get(
        f"/api/v1/cycles/{ids['open_cycle']}", headers={"If-None-Match": tag}
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "PB 2027"


def test_the_api_is_read_only(web: Web) -> None:
    response = web.client().post("/api/v1/cycles")
    assert response.status_code in {403, 405}
    assert response.headers["content-type"] == "application/json"


# -- schemathesis -----------------------------------------------------------------------------


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(web: Web) -> None:
    """Every operation of the document, with requests generated from it (schemathesis, run
    in-process against the app over the test's database; its pytest plugin's lazy fixture
    loader does not run under pytest 9, so the strategies are drawn here): no 5xx, and every
    status, header, content type and body as the document says."""
    world(web)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web.apps["development"])
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == len(DOCUMENT["paths"])
    calls = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            case.call_and_validate()
            calls.append(case.path)

        call()
    assert len(calls) >= 4 * len(operations)


def test_the_draft_status_is_never_in_the_document() -> None:
    statuses = DOCUMENT["components"]["schemas"]["Project"]["properties"]["status"]["enum"]
    assert ProposalStatus.DRAFT.value not in statuses
    assert ProposalStatus.FUNDED.value in statuses
