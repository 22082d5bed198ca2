"""No 5xx from odd input: every GET route of the route table, called by every role, with odd
values in its path parameters and in every query parameter any page reads.

Generated from the table (like test_route_roles), so a new route is covered the day it is added
without anyone remembering. The values are the ones that once made 500s: superscript digits
(`str.isdigit()` accepts them, `int()` does not), numbers past 64 bits, negatives, NUL, 5,000
characters, a huge exponent. Whatever the page answers (200 with the value ignored, 404, 422),
it is never a server error.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlmodel import Session

from budget.web.routes import all_routes
from budget.web.routing import PATH_PARAM, ROLES, RouteSpec
from tests.security.matrix import fill
from tests.webapp import Web, sign_in

pytestmark = pytest.mark.threat("T12")

ODD = ("²", "٣", "9" * 25, "-1", "\x00", "x" * 5000, "1e999999")
# Every query parameter a page reads (web/listing.py, the admin pages, the login form).
QUERY_KEYS = ("q", "page", "budget", "district", "category", "status", "sort", "source", "next")
GETS = [spec for spec in all_routes() if "GET" in spec.methods]


@pytest.fixture
def db(seeded_roles: dict[str, str], seeded_db: Session) -> Session:
    return seeded_db


def odd_paths(spec: RouteSpec, ids: dict[str, int]) -> list[str]:
    """The route's path with each odd value in its parameter (none for a fixed path)."""
    if not PATH_PARAM.search(spec.path):
        return []
    return [PATH_PARAM.sub(quote(value, safe=""), spec.path) for value in ODD]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", GETS, ids=[spec.name for spec in GETS])
def test_no_odd_value_makes_a_server_error(
    web: Web, ids: dict[str, int], seeded_roles: dict[str, str], spec: RouteSpec, role: str
) -> None:
    client = web.client()
    if role != "visitor":
        sign_in(client, seeded_roles[role])
    real = fill(spec.path, ids)
    answers = {}
    for value in ODD:
        response = client.get(real, params=dict.fromkeys(QUERY_KEYS, value))
        answers[f"{real}?…={value[:12]!r}"] = response.status_code
        repeated = client.get(real, params=[("source", value), ("source", "1")])
        answers[f"{real}?source={value[:12]!r}&source=1"] = repeated.status_code
    for path in odd_paths(spec, ids):
        answers[path[:60]] = client.get(path).status_code
    errors = {request: status for request, status in answers.items() if status >= 500}
    assert not errors, f"{role}: {errors}"
    assert answers  # the test did call the route
