"""The web fixtures (tests/webapp.py) for these tests."""

from __future__ import annotations

from tests.webapp import web, web_apps

__all__ = ["web", "web_apps"]
