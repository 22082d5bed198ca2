"""T5: every state-changing route refuses a request without the session's CSRF token, or from
another site, and then writes nothing; GET requests never write."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from budget.db import queries
from budget.domain.accounts import Role
from budget.web.routes import all_routes
from budget.web.routing import RouteSpec
from tests.security.matrix import fill
from tests.webapp import Web, csrf_token, sign_in

pytestmark = pytest.mark.threat("T5")

UNSAFE = [
    (spec, method)
    for spec in all_routes()
    for method in spec.methods
    if method in {"POST", "PUT", "PATCH", "DELETE"}
]
SAFE = [(spec, "GET") for spec in all_routes() if "GET" in spec.methods]


def snapshot(db: Session) -> tuple[str, dict[str, int]]:
    """The audit head and the row count of every table: any write changes one of them."""
    counts = {
        table.name: db.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }
    return queries.audit_head(db), counts


@pytest.fixture
def db(seeded_roles: dict[str, str], seeded_db: Session) -> Session:
    """The objects and role accounts are made once per module and backend (matrix.py); each
    case runs in a savepoint rolled back after it."""
    return seeded_db


def form_for(path: str) -> dict[str, str]:
    """A form that would be accepted with a token, so only the token makes the difference."""
    if path == "/language":
        return {"language": "fr", "next": "/"}
    if path.endswith("/phase"):
        return {"target": "submission"}
    if path.endswith("/roles"):
        return {"role": "reviewer", "action": "grant"}
    if path.startswith("/admin/cycles/") and path.endswith("/districts"):
        return {"code": "75112", "name": "12e arrondissement"}
    return {}


@pytest.fixture
def council(web: Web, seeded_roles: dict[str, str]) -> TestClient:
    """A client signed in as the council account (seeded once per module and backend)."""
    client = web.client()
    sign_in(client, seeded_roles[Role.COUNCIL.value])
    return client


@pytest.mark.parametrize(("spec", "method"), UNSAFE, ids=[f"{m} {s.path}" for s, m in UNSAFE])
@pytest.mark.parametrize("token", ["none", "wrong", "other-session"])
def test_unsafe_route_without_the_session_token_is_refused_and_writes_nothing(
    web: Web, council: TestClient, ids: dict[str, int], spec: RouteSpec, method: str, token: str
) -> None:
    path = fill(spec.path, ids)
    data = form_for(path)
    if token == "wrong":
        data["csrf_token"] = "0" * 64
    elif token == "other-session":
        data["csrf_token"] = csrf_token(web.client())  # another (signed-out) session's token
    before = snapshot(web.db)
    response = council.request(method, path, data=data)
    assert response.status_code == 403
    assert snapshot(web.db) == before


@pytest.mark.parametrize(("spec", "method"), UNSAFE, ids=[f"{m} {s.path}" for s, m in UNSAFE])
@pytest.mark.parametrize(
    "header", [{"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}]
)
def test_cross_site_request_is_refused_even_with_the_token(
    web: Web,
    council: TestClient,
    ids: dict[str, int],
    spec: RouteSpec,
    method: str,
    header: dict[str, str],
) -> None:
    path = fill(spec.path, ids)
    data = {**form_for(path), "csrf_token": csrf_token(council, "/")}
    before = snapshot(web.db)
    response = council.request(method, path, data=data, headers=header)
    assert response.status_code == 403
    assert snapshot(web.db) == before


def test_the_token_in_the_htmx_header_is_accepted(council: TestClient, ids: dict[str, int]) -> None:
    token = csrf_token(council, "/")
    districts = f"/admin/cycles/{ids['cycle_id']}/districts"
    response = council.post(
        districts,
        data={"code": "75112", "name": "12e arrondissement"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith(districts)


def test_same_origin_request_with_the_token_is_accepted(
    council: TestClient, ids: dict[str, int]
) -> None:
    token = csrf_token(council, "/")
    response = council.post(
        f"/admin/cycles/{ids['cycle_id']}/districts",
        data={"code": "75112", "name": "12e arrondissement", "csrf_token": token},
        headers={"origin": "https://testserver", "sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 303


@pytest.mark.parametrize(("spec", "method"), SAFE, ids=[s.path for s, _ in SAFE])
def test_get_never_writes(
    web: Web, council: TestClient, ids: dict[str, int], spec: RouteSpec, method: str
) -> None:
    path = fill(spec.path, ids)
    before = snapshot(web.db)
    response = council.get(path)
    assert response.status_code < 500
    assert snapshot(web.db) == before
