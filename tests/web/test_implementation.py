"""Implementation tracking on the web: the public list, map data and exports filtered by status,
district and year; a project's page; the council's forms (errors shown, nothing written)."""

from __future__ import annotations

import csv
import io

from sqlmodel import func, select

from budget.db import queries
from budget.db.tables import ImplementationChange, Milestone
from budget.domain.accounts import Role
from budget.domain.implementation import ImplementationStatus
from budget.services import implementation
from tests.webapp import Web, csrf_token, district_of, make_project

REASON = "The courtyard is listed as a historic monument."


def world(web: Web) -> tuple[int, int, int]:
    """Two years of funded projects: 2025 city-wide, 2026 in the 11e; returns the 2025 project,
    the 2026 project and the 11e's district id."""
    author = web.account(email="amina@example.org").id
    old = make_project(web, author, instance="2025", titles=("Fountain",))[0]
    new = make_project(
        web, author, instance="2026", titles=("Shade trees", "Benches"), in_district=True
    )[0]
    district = district_of(web, new)
    implementation.update_project(
        web.db, web.clock(), actor_id=web.council_id(), proposal_id=old,
        status=ImplementationStatus.IN_PROGRESS, progress=60, spent=45_000_00, note="Works.",
    )  # fmt: skip
    implementation.add_milestone(
        web.db, web.clock(), actor_id=web.council_id(), proposal_id=old, title="Plumbing laid",
        planned_on=web.clock().date(), note="Below the square.",
    )  # fmt: skip
    web.db.commit()
    return old, new, district


def test_the_list_shows_funded_projects_only_and_filters_them(web: Web) -> None:
    _old, _new, district = world(web)
    client = web.client()
    page = client.get("/projects")
    assert page.status_code == 200
    assert "Fountain" in page.text
    assert "Shade trees" in page.text
    assert "Benches" not in page.text  # on the ballot, not funded
    assert 'value="60"' in page.text
    assert "in progress" in page.text
    filtered = client.get(f"/projects?year=2026&district={district}&status=planned")
    assert "Shade trees" in filtered.text
    assert "Fountain" not in filtered.text
    none = client.get("/projects?status=done")
    assert "No funded project matches these filters." in none.text
    odd = client.get("/projects?status=bogus&year=1850&district=x")
    assert odd.status_code == 200
    assert "ignored: status, district, year" in odd.text
    assert "Fountain" in odd.text


def test_exports_and_map_data_follow_the_filters(web: Web) -> None:
    old, new, _ = world(web)
    client = web.client()
    data = client.get("/projects.json?year=2025").json()
    assert data["count"] == 1
    record = data["projects"][0]
    assert (record["id"], record["status"], record["progress"], record["spent_minor"]) == (
        old, "in_progress", 60, 45_000_00,
    )  # fmt: skip
    assert record["url"].endswith(f"/projects/{old}")
    rows = list(
        csv.DictReader(io.StringIO(client.get("/projects.csv").content.decode("utf-8-sig")))
    )
    assert {int(r["id"]) for r in rows} == {old, new}
    assert {r["spent"] for r in rows} == {"45000.00", ""}
    features = client.get("/projects.geojson?status=planned").json()["features"]
    assert [f["properties"]["id"] for f in features] == [new]
    assert features[0]["properties"]["url"].endswith(f"/projects/{new}")
    assert features[0]["geometry"]["coordinates"] == [2.369, 48.853]
    map_page = client.get("/projects/map?year=2026")
    assert 'data-proposals-url="/projects.geojson?year=2026"' in map_page.text


def test_a_project_page_shows_its_building(web: Web) -> None:
    old, _, _ = world(web)
    page = web.client().get(f"/projects/{old}")
    assert page.status_code == 200
    for text in ("Fountain", "Plumbing laid", "Below the square.", "Works.", f"/proposals/{old}",
                 "A resident", "45,000.00"):  # fmt: skip
        assert text in page.text, text
    assert "Report on this project" not in page.text
    assert web.client().get("/projects/999999").status_code == 404


def test_a_proposal_not_funded_has_no_project_page(web: Web) -> None:
    author = web.account(email="amina@example.org").id
    _, benches = make_project(web, author, titles=("Trees", "Benches"))
    assert web.client().get(f"/projects/{benches}").status_code == 404
    proposal = web.client().get(f"/proposals/{benches}")
    assert proposal.status_code == 200


def changes(web: Web) -> int:
    return web.db.exec(select(func.count()).select_from(ImplementationChange)).one()


def test_the_council_reports_and_bad_input_writes_nothing(web: Web) -> None:
    old, _, _ = world(web)
    client = web.signed_in(Role.COUNCIL)
    form = client.get(f"/admin/projects/{old}")
    assert form.status_code == 200
    assert 'name="progress"' in form.text
    token = csrf_token(client, f"/admin/projects/{old}")
    before = changes(web)
    for data, message in (
        ({"status": "abandoned", "progress": "60", "note": ""}, "This field is required."),
        ({"status": "done", "progress": "90"}, "A done project is complete"),
        ({"status": "planned", "progress": "10"}, "A project cannot go from in progress to"),
        ({"status": "in_progress", "progress": "160"}, "Enter a number from 0 to 100."),
        ({"status": "in_progress", "progress": "10", "spent": "-5"}, "cannot be negative"),
        ({"status": "nonsense", "progress": "10"}, "Choose one of the options."),
    ):
        response = client.post(f"/admin/projects/{old}/status", data={**data, "csrf_token": token})
        assert response.status_code == 422, data
        assert message in response.text, (data, response.text[-3000:])
    web.db.expire_all()
    assert changes(web) == before
    done = client.post(
        f"/admin/projects/{old}/status",
        data={"status": "done", "progress": "100", "spent": "89 000,50", "csrf_token": token},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/admin/projects/{old}?notice=project-saved"
    project = queries.get_project(web.db, old)
    assert (project.status, project.progress, project.spent) == (
        ImplementationStatus.DONE, 100, 89_000_50,
    )  # fmt: skip


def test_the_council_adds_and_edits_milestones(web: Web) -> None:
    old, _, _ = world(web)
    client = web.signed_in(Role.COUNCIL)
    token = csrf_token(client, f"/admin/projects/{old}")
    path = f"/admin/projects/{old}/milestones"
    bad = client.post(path, data={"title": "", "planned_on": "soon", "csrf_token": token})
    assert bad.status_code == 422
    assert "Enter a date as YYYY-MM-DD" in bad.text
    added = client.post(
        path, data={"title": "Opening", "planned_on": "2027-06-01", "csrf_token": token}
    )
    assert added.status_code == 303
    opening = next(
        m for m in queries.project_detail(web.db, old).milestones if m.title == "Opening"
    )
    edit = client.get(f"/admin/projects/{old}?milestone={opening.id}")
    assert f'name="milestone_id" value="{opening.id}"' in edit.text
    saved = client.post(
        path,
        data={"milestone_id": str(opening.id), "title": "Opening", "planned_on": "2027-06-01",
              "reached_on": "2027-06-03", "milestone_note": "With music.", "csrf_token": token},
    )  # fmt: skip
    assert saved.status_code == 303
    web.db.expire_all()
    row = web.db.get(Milestone, opening.id)
    assert row is not None
    assert row.note == "With music."
    stranger = client.post(
        path, data={"milestone_id": "999999", "title": "x", "planned_on": "2027-06-01",
                    "csrf_token": token},
    )  # fmt: skip
    assert stranger.status_code == 422


def test_a_resident_cannot_report(web: Web) -> None:
    old, _, _ = world(web)
    client = web.signed_in(Role.RESIDENT)
    token = csrf_token(client, "/")
    response = client.post(
        f"/admin/projects/{old}/status",
        data={"status": "done", "progress": "100", "csrf_token": token},
    )
    assert response.status_code == 403
