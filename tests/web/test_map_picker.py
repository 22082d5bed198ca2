"""The map picker and the small map: the form carries the picker's configuration while the
latitude and longitude fields stay (the no-JavaScript way); a proposal page with a point has
its small map. The address search asks the configured geocoder, here a stand-in server on
127.0.0.1, and is off (404) without one; a geocoder that fails gives a clear message."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from budget.db import queries
from budget.domain.accounts import Role
from tests.webapp import Web, csrf_token, make_cycle, make_proposal, sign_in

BAN_ANSWER = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [2.3795, 48.8635]},
            "properties": {"label": "12 Rue Oberkampf 75011 Paris", "score": 0.97},
        },
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [500, 1]}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.38, 48.86]},
         "properties": {"name": "Square Maurice-Gardette"}},
    ],
}  # fmt: skip


class StandIn(BaseHTTPRequestHandler):
    """A geocoder answering like France's address service (api-adresse.data.gouv.fr)."""

    queries: list[str] = []  # noqa: RUF012 - shared by the handler instances of one server
    body: bytes = json.dumps(BAN_ANSWER).encode()

    def do_GET(self) -> None:
        self.queries.append(parse_qs(urlsplit(self.path).query)["q"][0])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def stand_in(body: bytes | None = None) -> Iterator[tuple[str, type[StandIn]]]:
    handler = type("Handler", (StandIn,), {"queries": [], "body": body or StandIn.body})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/search/?q={{query}}&limit=5", handler
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def geocoder_at(web: Web, url: str | None) -> Iterator[None]:
    app = web.apps["development"]
    before = app.state.settings
    app.state.settings = dataclasses.replace(before, geocoder_url=url)
    try:
        yield
    finally:
        app.state.settings = before


def test_the_form_has_the_picker_and_keeps_the_coordinate_fields(web: Web) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.RESIDENT)
    page = client.get(f"/cycles/{cycle_id}/proposals/new").text
    assert 'id="picker-map"' in page
    assert f'data-districts-url="/cycles/{cycle_id}/districts.geojson"' in page
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    assert f"{{&#34;{budget_id}&#34;: null}}" in page  # budget -> district (none: city-wide)
    assert 'name="lat"' in page
    assert 'name="lon"' in page
    assert "/static/js/picker.js" in page
    assert "data-geocode-url" not in page  # off by default


def test_a_proposal_page_with_a_point_shows_a_small_map(web: Web) -> None:
    cycle_id = make_cycle(web)
    author = web.account(email="author@example.org")
    proposal_id = make_proposal(web, author.id, queries.list_budgets(web.db, cycle_id)[0].id)
    page = web.client().get(f"/proposals/{proposal_id}").text
    assert 'id="point-map"' not in page  # no point, no map
    client = web.client()
    sign_in(client, author.email)
    token = csrf_token(client, f"/proposals/{proposal_id}/edit")
    budget_id = str(queries.get_proposal(web.db, proposal_id).budget_id)
    saved = client.post(
        f"/proposals/{proposal_id}/edit",
        data={"csrf_token": token, "budget_id": budget_id, "title": "Shade trees",
              "summary": "Trees.", "lat": "48.8635", "lon": "2.3795", "language": "en"},
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    page = web.client().get(f"/proposals/{proposal_id}").text
    assert 'id="point-map"' in page
    assert 'data-lat="48.863500" data-lon="2.379500"' in page
    assert "/static/js/point.js" in page


def test_the_address_search_asks_the_configured_geocoder(web: Web) -> None:
    client = web.signed_in(Role.RESIDENT)
    with stand_in() as (url, handler), geocoder_at(web, url):
        cycle_id = make_cycle(web)
        assert 'data-geocode-url="/geocode"' in client.get(f"/cycles/{cycle_id}/proposals/new").text
        answer = client.get("/geocode", params={"q": "12 rue Oberkampf & co"})
    assert answer.status_code == 200
    assert answer.json() == {
        "results": [
            {"label": "12 Rue Oberkampf 75011 Paris", "lat": 48.8635, "lon": 2.3795},
            {"label": "Square Maurice-Gardette", "lat": 48.86, "lon": 2.38},
        ]
    }
    assert handler.queries == ["12 rue Oberkampf & co"]  # quoted, arrived whole


def test_without_a_geocoder_the_search_is_off(web: Web) -> None:
    client = web.signed_in(Role.RESIDENT)
    assert client.get("/geocode", params={"q": "rue"}).status_code == 404


def test_signed_out_visitors_cannot_use_the_search(web: Web) -> None:
    with geocoder_at(web, "http://127.0.0.1:9/?q={query}"):
        response = web.client().get("/geocode", params={"q": "rue"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("body", [b"<html>busy</html>", b'{"features": 3}', b"[]"])
def test_a_geocoder_answering_nonsense_gives_a_clear_message(web: Web, body: bytes) -> None:
    client = web.signed_in(Role.RESIDENT)
    with stand_in(body) as (url, _), geocoder_at(web, url):
        answer = client.get("/geocode", params={"q": "rue"})
    assert answer.status_code == 502
    assert answer.json()["message"].startswith("The address search is not available")


def test_an_unreachable_geocoder_or_a_bad_query_gives_a_clear_message(web: Web) -> None:
    client = web.signed_in(Role.RESIDENT)
    with stand_in() as (url, _):
        closed = url  # the server is shut down when the block ends
    with geocoder_at(web, closed):
        assert client.get("/geocode", params={"q": "rue"}).status_code == 502
        for bad in ("", "x" * 201, "a\x00b"):
            refused = client.get("/geocode", params={"q": bad})
            assert refused.status_code == 422
            assert refused.json()["message"] == "Type an address of at most 200 characters."
