"""The map: the page (Leaflet from static/, configured by data-* attributes), its GeoJSON feeds
(filtered like the list), district outlines uploaded by the council, and the tile host in the
CSP."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from budget.config import ConfigError, Settings, parse_tile_url, tile_source
from budget.db import queries
from budget.domain.accounts import Role
from budget.services import accounts
from budget.web import headers
from budget.web.app import create_app
from tests.security.test_csrf import snapshot
from tests.web.test_proposals_public import World
from tests.webapp import SECRET_KEY, Web, csrf_token

SQUARE = {
    "type": "Feature",
    "properties": {"name": "11e"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[2.36, 48.85], [2.39, 48.85], [2.39, 48.87], [2.36, 48.87], [2.36, 48.85]]
        ],
    },
}


@pytest.fixture
def world(web: Web) -> World:
    return World(web)


def upload(client: TestClient, district_id: int, **fields: object):
    token = csrf_token(client, "/")
    files = fields.pop("files", None)
    return client.post(
        f"/admin/districts/{district_id}/boundary",
        data={"csrf_token": token, **fields},
        files=files,  # type: ignore[arg-type]
    )


def test_the_map_page_configures_leaflet_without_inline_script(world: World) -> None:
    page = world.web.client().get(
        f"/cycles/{world.cycle_id}/proposals/map", params={"category": world.green}
    )
    assert page.status_code == 200
    text = page.text
    assert "/static/vendor/leaflet-1.9.4/leaflet.js?v=" in text
    assert "/static/js/map.js?v=" in text
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in text
    assert f'data-proposals-url="/cycles/{world.cycle_id}/proposals.geojson?category=' in text
    assert f'data-districts-url="/cycles/{world.cycle_id}/districts.geojson"' in text
    assert f'href="/cycles/{world.cycle_id}/proposals?category={world.green}"' in text
    assert "<script>" not in text
    assert "onclick" not in text
    for asset in ("vendor/leaflet-1.9.4/leaflet.js", "js/map.js",
                  "vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js"):  # fmt: skip
        assert world.web.client().get(f"/static/{asset}").status_code == 200


def test_proposal_markers_follow_the_filters_and_skip_unlocated_and_drafts(world: World) -> None:
    located = world.proposal("Located", lat="48.8566", lon="2.3522", category=world.green)
    world.proposal("Other category", lat="48.86", lon="2.35", category=world.schools)
    world.proposal("No place", category=world.green)
    world.proposal("Draft", lat="48.85", lon="2.35", submit=False)
    client = world.web.client()
    response = client.get(
        f"/cycles/{world.cycle_id}/proposals.geojson", params={"category": world.green}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.3522, 48.8566]}
    assert feature["properties"]["id"] == located
    assert feature["properties"]["status_label"] == "submitted"
    page = client.get(f"/cycles/{world.cycle_id}/proposals/map", params={"category": world.green})
    assert "2 proposals" in page.text
    assert "1 without a location appear only in the list" in page.text


def test_district_outlines_come_from_the_uploaded_boundary(world: World) -> None:
    client = world.web.signed_in(Role.COUNCIL)
    response = upload(client, world.district_id, boundary=json.dumps(SQUARE))
    assert response.status_code == 303
    data = world.web.client().get(f"/cycles/{world.cycle_id}/districts.geojson").json()
    (feature,) = data["features"]
    assert feature["properties"] == {"id": world.district_id, "code": "75111",
                                     "name": "11e arrondissement"}  # fmt: skip
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["geometry"]["coordinates"][0][0][1] == [2.39, 48.85]
    entry = queries.list_audit(world.web.db)[0]
    assert entry.action == "district.boundary"


def test_a_boundary_file_upload_is_read_and_a_proposal_outside_is_refused(world: World) -> None:
    client = world.web.signed_in(Role.COUNCIL)
    content = json.dumps(SQUARE).encode()
    files = {"boundary_file": ("district.geojson", content, "application/geo+json")}
    assert upload(client, world.district_id, files=files).status_code == 303
    assert queries.boundary_text(world.web.db, world.district_id) == content.decode()
    form = client.get(f"/admin/districts/{world.district_id}/edit")
    assert "This district has a boundary" in form.text
    world.proposal("Inside", district=True, lat="48.86", lon="2.37")
    with pytest.raises(Exception, match="lat"):
        world.proposal("Outside", district=True, lat="48.80", lon="2.37")


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ("{nope", "not valid JSON"),
        ('{"type": "Point", "coordinates": [2, 48]}', "use a GeoJSON Polygon"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1]]]}', "does not end"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]}', "fewer than 4"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[200,0],[1,1],[0,0]]]}', "outside -180"),
        ("", "This field is required."),
    ],
)
def test_a_bad_boundary_is_refused_naming_the_problem_and_nothing_is_written(
    world: World, boundary: str, message: str
) -> None:
    client = world.web.signed_in(Role.COUNCIL)
    before = snapshot(world.web.db)
    response = upload(client, world.district_id, boundary=boundary)
    assert response.status_code == 422
    assert message in response.text
    assert 'id="f-boundary-error"' in response.text
    assert snapshot(world.web.db) == before


def test_a_file_that_is_not_text_is_refused(world: World) -> None:
    client = world.web.signed_in(Role.COUNCIL)
    files = {"boundary_file": ("x.geojson", b"\xff\xfe\x00garbage", "application/json")}
    response = upload(client, world.district_id, files=files)
    assert response.status_code == 422
    assert "not valid JSON" in response.text


def test_the_boundary_can_be_removed(world: World) -> None:
    client = world.web.signed_in(Role.COUNCIL)
    upload(client, world.district_id, boundary=json.dumps(SQUARE))
    assert upload(client, world.district_id, remove="1").status_code == 303
    assert queries.boundary_text(world.web.db, world.district_id) is None
    data = world.web.client().get(f"/cycles/{world.cycle_id}/districts.geojson").json()
    assert data["features"] == []


def test_the_csp_allows_the_default_tile_host(web: Web) -> None:
    response = web.client("production").get("/")
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org;"
        in (response.headers["content-security-policy"])
    )


def test_the_csp_allows_the_configured_tile_host_only(db_backend: Engine) -> None:
    settings = Settings(
        env="development", database_url="sqlite://", secret_key=SECRET_KEY,
        tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
    )  # fmt: skip
    app = create_app(settings, engine=db_backend, hasher=accounts.test_hasher())
    (middleware,) = [m for m in app.user_middleware if "tile_url" in m.kwargs]
    assert middleware.kwargs["tile_url"] == settings.tile_url
    bare = headers.SecurityHeaders(PlainTextResponse("ok"), hsts=False, tile_url=settings.tile_url)
    response = TestClient(bare).get("/")  # no lifespan: a bare response is no application
    policy = response.headers["content-security-policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in policy
    assert policy == headers.content_security_policy(settings.tile_url)


@pytest.mark.parametrize(
    "value",
    [
        "http://tile.example.org/{z}/{x}/{y}.png",
        "https://tile.example.org/{z}/{x}.png",
        "https://tile.example.org/{z}/{x}/{y}.png; script-src *",
        "https://tile.example.org/{z}/{x}/{y}.png'",
        "javascript:alert(1)",
    ],
)
def test_a_bad_tile_url_stops_the_start_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="BUDGET_TILE_URL"):
        parse_tile_url(value)
    with pytest.raises(ConfigError, match="BUDGET_TILE_URL"):
        Settings.from_env({"BUDGET_ENV": "development", "BUDGET_TILE_URL": value})


def test_tile_settings_are_read_from_the_environment() -> None:
    environ = {
        "BUDGET_ENV": "development",
        "BUDGET_TILE_URL": "https://tiles.example.org:8443/osm/{z}/{x}/{y}.png?key=abc",
        "BUDGET_TILE_ATTRIBUTION": "© Example",
    }
    settings = Settings.from_env(environ)
    assert settings.tile_url == environ["BUDGET_TILE_URL"]
    assert settings.tile_attribution == "© Example"
    assert tile_source(settings.tile_url) == "https://tiles.example.org:8443"
    assert Settings.from_env({"BUDGET_ENV": "development"}).tile_attribution.startswith("©")
