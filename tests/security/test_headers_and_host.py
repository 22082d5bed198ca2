"""T5/T11: the security headers on every kind of response, in both environments, and the
request's `Host` header never reflected into a page, a redirect or an export (a forged Host
would otherwise put an attacker's address into links that people and open-data users follow).

The Host test is generated from the route table: every GET route, as a visitor and as a
council member (who reaches the most pages), so a new route is covered the day it is added.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from budget.db import queries
from budget.services import proposals
from budget.web.routes import all_routes
from tests.security.matrix import fill
from tests.webapp import Web, csrf_token, sign_in

pytestmark = pytest.mark.threat("T5")

FORGED = "evil.example"
GETS = [spec for spec in all_routes() if "GET" in spec.methods]
YEAR = 365 * 24 * 3600


@pytest.fixture
def db(seeded_roles: dict[str, str], seeded_db: Session) -> Session:
    return seeded_db  # the objects of tests/security/matrix.py, one savepoint per case


@pytest.mark.parametrize("env", ["production", "development"])
def test_every_kind_of_response_carries_the_security_headers(web: Web, env: str) -> None:
    client = web.client(env)  # type: ignore[arg-type]
    responses = {
        "page": client.get("/"),
        "not found": client.get("/no-such-page"),
        "redirect to sign in": client.get("/my-proposals"),
        "static file": client.get("/static/css/site.css"),
        "refused post": client.post("/logout", data={"csrf_token": "forged"}),
    }
    assert [r.status_code for r in responses.values()] == [200, 404, 303, 200, 403]
    for kind, response in responses.items():
        found = response.headers
        assert "frame-ancestors 'none'" in found["content-security-policy"], kind
        assert found["x-frame-options"] == "DENY", kind
        assert found["x-content-type-options"] == "nosniff", kind
        assert found["referrer-policy"] == "no-referrer", kind
        hsts = found.get("strict-transport-security")
        if env == "production":
            assert hsts is not None, kind
            assert int(hsts.split("max-age=")[1].split(";")[0]) >= YEAR, kind
        else:  # plain http on 127.0.0.1: HSTS there would pin the developer's browser
            assert hsts is None, kind


@pytest.mark.parametrize("role", ["visitor", "council"])
@pytest.mark.parametrize("spec", GETS, ids=[spec.path for spec in GETS])
def test_the_host_header_never_reaches_a_link(
    web: Web, ids: dict[str, int], seeded_roles: dict[str, str], spec: object, role: str
) -> None:
    cycle_id = ids["cycle_id"]
    budget_id = queries.list_budgets(web.db, cycle_id)[0].id
    author = ids["account_id"]
    placed = proposals.create_proposal(
        web.db, web.clock(), author_id=author, budget_id=budget_id, title="Benches",
        summary="Benches by the canal.", lat="48.8700", lon="2.3650",
    )  # fmt: skip
    proposals.submit_proposal(web.db, web.clock(), actor_id=author, proposal_id=placed)
    web.db.commit()  # a public, located proposal: every export and the map list it
    client = web.client()
    if role != "visitor":
        sign_in(client, seeded_roles[role])
    csrf_token(client, "/")
    path = fill(spec.path, ids)  # type: ignore[attr-defined]
    response = client.get(path, headers={"host": FORGED})
    assert response.status_code < 500, path
    assert FORGED not in response.text, path
    assert FORGED not in response.headers.get("location", ""), path
