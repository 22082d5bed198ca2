"""The CSRF checks themselves (T5); the route table test proves every route uses them."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData, Headers

from budget.web import csrf

pytestmark = pytest.mark.threat("T5")
KEY = b"k" * 32


def test_tokens_are_per_session_and_keyed() -> None:
    assert csrf.token_for(KEY, "a") == csrf.token_for(KEY, "a")
    assert csrf.token_for(KEY, "a") != csrf.token_for(KEY, "b")
    assert csrf.token_for(KEY, "a") != csrf.token_for(b"j" * 32, "a")


def test_the_token_is_taken_from_the_header_or_the_form() -> None:
    token = csrf.token_for(KEY, "s")
    csrf.check_token(token, Headers({"x-csrf-token": token}), None)
    csrf.check_token(token, Headers({}), FormData([("csrf_token", token)]))


@pytest.mark.parametrize("submitted", ["", "wrong", None])
def test_a_missing_or_wrong_token_is_refused(submitted: str | None) -> None:
    form = FormData([] if submitted is None else [("csrf_token", submitted)])
    with pytest.raises(csrf.CsrfError):
        csrf.check_token(csrf.token_for(KEY, "s"), Headers({}), form)


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "host": "city.example"},
        {"sec-fetch-site": "same-site", "host": "city.example"},
        {"origin": "https://evil.example", "host": "city.example"},
        {"origin": "null", "sec-fetch-site": "cross-site", "host": "city.example"},
    ],
)
def test_cross_site_requests_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(csrf.CsrfError):
        csrf.check_origin(Headers(headers))


@pytest.mark.parametrize(
    "headers",
    [
        {"host": "city.example"},
        {"sec-fetch-site": "same-origin", "origin": "https://city.example", "host": "city.example"},
        {"sec-fetch-site": "none", "host": "city.example"},
        {"origin": "http://127.0.0.1:8000", "host": "127.0.0.1:8000"},
        {"origin": "null", "sec-fetch-site": "same-origin", "host": "city.example"},
    ],
)
def test_same_origin_requests_pass(headers: dict[str, str]) -> None:
    csrf.check_origin(Headers(headers))
