"""T7: every route of the route table, called by every role, gets the outcome the product
intends (tests/security/policy.py), not merely the one the route declares.

Generated from the table, so a new route is checked the day it is added, and fails until it has
a policy row: a role the policy does not allow is refused (403 when signed in, a redirect to the
login page when signed out); an allowed role gets through (whatever the handler answers, it is
not a refusal). Unsafe methods carry a valid CSRF token, so what is tested is the role check.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from budget.web.routes import all_routes
from budget.web.routing import ROLES, RouteSpec, RouteTableError, route
from tests.security import policy
from tests.security.matrix import fill
from tests.webapp import Web, csrf_token, sign_in

pytestmark = pytest.mark.threat("T7")

TABLE = [(spec, method) for spec in all_routes() for method in spec.methods]


@pytest.fixture
def db(seeded_roles: dict[str, str], seeded_db: Session) -> Session:
    """The objects and role accounts are made once per module and backend (matrix.py); each
    case runs in a savepoint rolled back after it."""
    return seeded_db


def client_for(web: Web, role: str, emails: dict[str, str]) -> TestClient:
    """A client signed in as `role` (through the login form), or signed out for `visitor`."""
    client = web.client()
    if role != "visitor":
        sign_in(client, emails[role])
    return client


def call(client: TestClient, spec: RouteSpec, method: str, path: str) -> tuple[int, str]:
    if method == "GET":
        response = client.get(path)
    else:
        token = csrf_token(client, "/")
        response = client.request(method, path, data={"csrf_token": token})
    return response.status_code, response.headers.get("location", "")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("spec", "method"), TABLE, ids=[f"{m} {s.path}" for s, m in TABLE])
def test_route_answers_each_role_as_the_policy_says(
    web: Web,
    ids: dict[str, int],
    seeded_roles: dict[str, str],
    spec: RouteSpec,
    method: str,
    role: str,
) -> None:
    if spec.name not in policy.POLICY:
        pytest.fail(f"route {spec.name!r} has no row in tests/security/policy.py")
    client = client_for(web, role, seeded_roles)
    status, location = call(client, spec, method, fill(spec.path, ids))
    refused_to_login = status == 303 and location.startswith("/login")
    if policy.allows(spec.name, role):
        assert status != 403, f"{role} refused on {method} {spec.path}"
        assert not refused_to_login, f"{role} sent to login from {method} {spec.path}"
        assert status < 500
    elif role == "visitor":
        assert refused_to_login, f"visitor got {status} on {method} {spec.path}"
    else:
        assert status == 403, f"{role} got {status} on {method} {spec.path}"


def test_the_policy_has_a_row_for_every_route_and_no_other() -> None:
    assert set(policy.POLICY) == {spec.name for spec in all_routes()}


@pytest.mark.parametrize("spec", all_routes(), ids=[spec.name for spec in all_routes()])
def test_each_route_declares_the_roles_the_policy_intends(spec: RouteSpec) -> None:
    """Compared by effect (`visitor` lets everyone in), so only a real difference fails."""
    declared = {role for role in ROLES if spec.allows({role})}
    assert declared == {role for role in ROLES if policy.allows(spec.name, role)}


def test_a_mis_declared_route_is_caught() -> None:
    """The check above cannot pass by construction: a council page opened to residents fails."""
    admin = next(spec for spec in all_routes() if spec.name == "audit_page")
    widened = route(admin.path, admin.endpoint, roles=["council", "resident"], name=admin.name)
    declared = {role for role in ROLES if widened.allows({role})}
    assert declared != {role for role in ROLES if policy.allows(widened.name, role)}


def test_a_route_naming_an_object_must_load_it_through_a_loader() -> None:
    """T7: the object of a path is fetched for the caller by the route's loader, before the
    handler runs; route() refuses a table where a new route could skip it."""

    async def endpoint(request: object) -> object:
        raise AssertionError  # never called

    def loader(db: object, caller: object, object_id: int) -> object:
        raise AssertionError  # never called

    with pytest.raises(RouteTableError, match="declares no loader"):
        route("/things/{thing_id:id}", endpoint, roles=["visitor"])  # type: ignore[arg-type]
    with pytest.raises(RouteTableError, match="read as"):
        route("/things/{thing_id:int}", endpoint, roles=["visitor"], loader=loader)  # type: ignore[arg-type]
    with pytest.raises(RouteTableError, match="names no object"):
        route("/things", endpoint, roles=["visitor"], loader=loader)  # type: ignore[arg-type]
    with pytest.raises(RouteTableError, match="more than one"):
        route("/a/{a_id:id}/b/{b_id:id}", endpoint, roles=["visitor"], loader=loader)  # type: ignore[arg-type]


PROPOSAL_ROUTES = [
    (spec, method)
    for spec in all_routes()
    for method in spec.methods
    if "{proposal_id" in spec.path and spec.allows({"resident"})
]


@pytest.mark.parametrize(
    ("spec", "method"), PROPOSAL_ROUTES, ids=[f"{m} {s.path}" for s, m in PROPOSAL_ROUTES]
)
def test_a_strangers_draft_does_not_exist_on_any_route_that_names_it(
    web: Web, ids: dict[str, int], seeded_roles: dict[str, str], spec: RouteSpec, method: str
) -> None:
    """The seeded proposal is someone else's draft: every route a resident may call with it
    answers 404 (the loader), whatever its handler would have done."""
    client = client_for(web, "resident", seeded_roles)
    status, _ = call(client, spec, method, fill(spec.path, ids))
    assert status == 404


def test_route_without_roles_is_refused_at_startup() -> None:
    async def endpoint(request: object) -> object:
        raise AssertionError  # never called

    with pytest.raises(RouteTableError, match="declares no roles"):
        route("/x", endpoint, roles=[])  # type: ignore[arg-type]
    with pytest.raises(RouteTableError, match="unknown roles"):
        route("/x", endpoint, roles=["admin"])  # type: ignore[list-item, arg-type]


def test_admin_routes_are_council_only() -> None:
    admin = [spec for spec in all_routes() if spec.path.startswith("/admin")]
    assert admin
    assert all(spec.roles == {"council"} for spec in admin)
