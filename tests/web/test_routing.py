"""The route table's declarations and the login redirect's target checks."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import Response

from budget.web.routing import RouteTableError, check_table, route, safe_next


async def endpoint(request: Request) -> Response:
    raise AssertionError  # never called


def test_unsafe_methods_mark_a_route_as_changing_state() -> None:
    assert not route("/a", endpoint, roles=["visitor"]).changes_state
    assert route("/a", endpoint, roles=["council"], methods=["POST"]).changes_state


def test_visitor_means_everyone() -> None:
    spec = route("/a", endpoint, roles=["visitor"])
    assert spec.allows({"visitor"})
    assert spec.allows({"resident"})
    closed = route("/b", endpoint, roles=["council"])
    assert not closed.allows({"resident", "reviewer"})
    assert closed.allows({"resident", "council"})


def test_invalid_methods_and_duplicates_are_refused() -> None:
    with pytest.raises(RouteTableError):
        route("/a", endpoint, roles=["visitor"], methods=["TRACE"])
    with pytest.raises(RouteTableError, match="duplicate"):
        check_table(
            [route("/a", endpoint, roles=["visitor"]), route("/b", endpoint, roles=["visitor"])]
        )
    with pytest.raises(RouteTableError, match="twice"):
        check_table(
            [
                route("/a", endpoint, roles=["visitor"], name="x"),
                route("/a", endpoint, roles=["visitor"], name="y"),
            ]
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/account", "/account"),
        ("/admin?x=1", "/admin?x=1"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/a\r\nSet-Cookie: x", "/"),
        ("/" + "a" * 600, "/"),
    ],
)
def test_only_local_paths_are_returned_to(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_no_handler_reads_its_object_from_the_path_itself() -> None:
    """The route's loader fetches the object for the caller (T7); a handler reading the raw
    id from the path could fetch it without that check."""
    from pathlib import Path

    import budget.web.routes as package

    offenders = [
        path.name
        for path in Path(package.__file__).parent.glob("*.py")
        if "path_params" in path.read_text()
    ]
    assert offenders == []
