"""The client address behind proxies (T4) and the session cookie's reading of bad input."""

from __future__ import annotations

import ipaddress

import pytest
from starlette.requests import Request

from budget.web.auth import client_address

PROXY = (ipaddress.ip_network("10.0.0.0/8"),)


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    return Request({"type": "http", "client": (peer, 1234), "headers": headers})


@pytest.mark.threat("T4")
def test_forwarded_for_is_ignored_without_a_trusted_proxy() -> None:
    assert client_address(request_from("198.51.100.1", "203.0.113.9"), ()) == "198.51.100.1"


@pytest.mark.threat("T4")
def test_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    assert client_address(request_from("198.51.100.1", "203.0.113.9"), PROXY) == "198.51.100.1"


@pytest.mark.threat("T4")
def test_a_trusted_proxy_gives_the_rightmost_untrusted_hop() -> None:
    request = request_from("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.7")
    assert client_address(request, PROXY) == "203.0.113.9"


def test_a_trusted_proxy_without_the_header_is_the_client() -> None:
    assert client_address(request_from("10.0.0.2"), PROXY) == "10.0.0.2"


def test_a_garbage_hop_falls_back_to_the_peer() -> None:
    assert client_address(request_from("10.0.0.2", "not-an-ip"), PROXY) == "10.0.0.2"


def test_only_trusted_hops_fall_back_to_the_peer() -> None:
    assert client_address(request_from("10.0.0.2", "10.1.1.1, ,10.0.0.3"), PROXY) == "10.0.0.2"


def test_a_request_without_a_client_has_an_empty_address() -> None:
    assert client_address(Request({"type": "http", "headers": []}), PROXY) == ""
