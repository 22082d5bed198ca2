"""T12: secrets that slip into a log message are blanked before any handler writes them."""

from __future__ import annotations

import logging

import pytest

from budget.web.redaction import MASK, RedactSecrets, redact

pytestmark = pytest.mark.threat("T12")


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("POST /login password=hunter2hunter2&email=a@b.example", "hunter2hunter2"),
        ('{"csrf_token": "0953cee648ce751c"}', "0953cee648ce751c"),
        ("cookie: budget-session=eyJhIjoi.abc", "eyJhIjoi.abc"),
        ("Authorization: Bearer-xyz", "Bearer-xyz"),
        ("SECRET_KEY=k7Hq2vPz9LmN4xR8", "k7Hq2vPz9LmN4xR8"),
        ("voting code 7K3M-9QXZ-2BRT-H8WD-4FNC used", "7K3M-9QXZ-2BRT-H8WD-4FNC"),
        ("code 7K3M9QXZ2BRTH8WD4FNC", "7K3M9QXZ2BRTH8WD4FNC"),
    ],
)
def test_secrets_are_blanked(line: str, secret: str) -> None:
    cleaned = redact(line)
    assert secret not in cleaned
    assert MASK in cleaned


def test_ordinary_lines_are_untouched() -> None:
    line = '127.0.0.1:5000 - "GET /cycles/12 HTTP/1.1" 200'
    assert redact(line) == line


def test_the_filter_cleans_arguments_in_place_and_keeps_the_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tests.redaction")
    handler = caplog.handler
    handler.addFilter(RedactSecrets())
    try:
        with caplog.at_level(logging.INFO, logger="tests.redaction"):
            logger.info("%s - %s", "client", "password=hunter2hunter2")
            logger.info("login %(detail)s", {"detail": "csrf_token=abcdef123456"})
    finally:
        handler.removeFilter(handler.filters[-1])
    text = caplog.text
    assert "hunter2hunter2" not in text
    assert "abcdef123456" not in text
    assert text.count(MASK) == 2
