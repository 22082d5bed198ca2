"""The council's roll page and a resident's declaration, through the pages: a roll with errors
lists every line and imports nothing; codes come once as a ZIP of the mailing files."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from starlette.testclient import TestClient

from budget.db import queries
from budget.domain.accounts import Role
from budget.domain.codes import normalise
from budget.services import cycles
from budget.services.cycles import CycleForm
from tests.security.test_csrf import snapshot
from tests.services.test_roll import GOOD, HEADER
from tests.web.test_admin import submit
from tests.webapp import Web, csrf_token, make_cycle, make_district

pytestmark = pytest.mark.threat("T6")


def roll_cycle(web: Web) -> int:
    form = CycleForm(
        name_fr="BP 2028", name_en="PB 2028", instance="2028", time_zone="Europe/Paris",
        currency="EUR", eligibility_mode="roll", district_mode="residence", min_age=None,
        reference_date=web.clock().date(),
    )  # fmt: skip
    cycle_id = cycles.create_cycle(web.db, web.clock(), actor_id=web.council_id(), form=form)
    web.db.commit()
    make_district(web, cycle_id, code="75111", name="11e")
    make_district(web, cycle_id, code="75112", name="12e")
    return cycle_id


def upload(client: TestClient, cycle_id: int, content: str):
    token = csrf_token(client, "/")
    files = {"file": ("roll.csv", content.encode(), "text/csv")}
    return client.post(f"/admin/cycles/{cycle_id}/roll", data={"csrf_token": token}, files=files)


def test_a_roll_with_errors_is_shown_line_by_line_and_nothing_imported(web: Web) -> None:
    cycle_id = roll_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    before = snapshot(web.db)
    bad = HEADER + "A1,Amina,,1990-13-01,75111,,\nA2,Marc,Durand,,99999,,\n"
    response = upload(client, cycle_id, bad)
    assert response.status_code == 422
    page = response.text
    assert "Nothing was imported" in page
    assert '<td class="number">2</td><td><code>family_name</code></td>' in page
    assert "Not a date: write it as 1990-05-31." in page
    assert "No district of this cycle has the code 99999." in page
    assert snapshot(web.db) == before


def test_a_roll_is_imported_and_its_codes_downloaded_once(web: Web) -> None:
    cycle_id = roll_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    response = upload(client, cycle_id, GOOD)
    assert response.status_code == 303
    listing = client.get(response.headers["location"])
    assert "The roll was imported." in listing.text
    assert "Diallo" in listing.text
    found = client.get(f"/admin/cycles/{cycle_id}/roll?q=diall")
    assert "Diallo" in found.text
    assert "Durand" not in found.text

    issued = submit(client, f"/admin/cycles/{cycle_id}/codes", {})
    assert issued.status_code == 200
    assert issued.headers["content-type"] == "application/zip"
    assert issued.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(issued.content))
    assert sorted(archive.namelist()) == ["codes.csv", "letters.pdf"]
    rows = list(csv.DictReader(io.StringIO(archive.read("codes.csv").decode())))
    assert [r["external_id"] for r in rows] == ["A1", "A2", "A3"]
    assert archive.read("letters.pdf").startswith(b"%PDF-")
    # The codes are in no page, and a second request issues none.
    again = submit(client, f"/admin/cycles/{cycle_id}/codes", {})
    assert again.status_code == 303
    page = client.get(again.headers["location"]).text
    assert "Every active entry already has a voting code" in page
    for row in rows:
        assert row["code"] not in page
        assert str(normalise(row["code"])) not in page
    audit_page = client.get("/admin/audit").text
    assert all(row["code"] not in audit_page for row in rows)


def test_a_declared_cycle_takes_no_roll(web: Web) -> None:
    cycle_id = make_cycle(web)  # declared mode
    response = upload(web.signed_in(Role.COUNCIL), cycle_id, GOOD)
    assert response.status_code == 422
    assert "it takes no voter roll" in response.text


def test_a_resident_cannot_declare_before_their_email_is_verified(web: Web) -> None:
    cycle_id = make_cycle(web)
    district = make_district(web, cycle_id)
    client = web.signed_in(verified=False)
    page = client.get(f"/cycles/{cycle_id}/declare")
    assert page.status_code == 200
    assert "verify your e-mail address" in page.text
    assert 'href="/verify/resend"' in page.text
    before = snapshot(web.db)
    response = submit(
        client, f"/cycles/{cycle_id}/declare", {"birth_year": "1990", "district_id": str(district)}
    )
    assert response.status_code == 403
    assert "Confirm your e-mail address first" in response.text
    assert "Send the link again" in response.text
    assert snapshot(web.db) == before
    resident = queries.find_account(web.db, "resident@example.org")
    assert resident is not None
    assert queries.account_entry(web.db, cycle_id, resident.id) is None
    bad = submit(client, f"/cycles/{cycle_id}/declare", {"birth_year": "¹⁹⁹⁰"})
    assert bad.status_code == 422
