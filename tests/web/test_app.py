"""The app factory and what every response carries: start-up checks, headers, error pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from budget.db import migrate
from budget.db.engine import make_engine
from budget.domain.errors import SchemaNotMigrated, Throttled
from budget.services import accounts
from budget.web import headers
from budget.web.app import PROJECT_ROOT, create_app
from budget.web.i18n import Catalogs, TranslationsMissingError
from tests.webapp import SECRET_KEY, Web, settings_for


def test_the_app_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    settings = settings_for("production")
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(SchemaNotMigrated):
        create_app(settings, engine=engine)
    engine.dispose()


def test_the_factory_reads_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("BUDGET_ENV", "production")
    app = create_app()
    assert app.state.settings.database_url == url
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/healthz").text == "ok"


def test_missing_translations_name_the_command(tmp_path: Path) -> None:
    with pytest.raises(TranslationsMissingError, match="scripts/translations compile"):
        Catalogs.load(tmp_path)


def test_pages_carry_the_security_headers(web: Web) -> None:
    response = web.client("production").get("/")
    assert response.headers["content-security-policy"] == headers.CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "HX-Request" in response.headers["vary"]


def test_static_files_are_versioned_and_cached(web: Web) -> None:
    client = web.client()
    page = client.get("/").text
    assert "/static/vendor/htmx-2.0.11/htmx.min.js?v=" in page
    css = page.split('href="/static/css/site.css?')[1].split('"')[0]
    response = client.get(f"/static/css/site.css?{css}")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert client.get("/static/css/site.css").headers["cache-control"] == headers.STATIC_PLAIN


def test_the_vendored_htmx_matches_its_recorded_checksum() -> None:
    import hashlib

    versions = (PROJECT_ROOT / "static" / "vendor" / "VERSIONS").read_text()
    row = next(line for line in versions.splitlines() if line.startswith("htmx.org"))
    _, version, member, digest, _ = row.split()
    path = PROJECT_ROOT / "static" / "vendor" / f"htmx-{version}" / Path(member).name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_unknown_page_and_wrong_method_get_translated_pages(web: Web) -> None:
    client = web.client(headers={"accept-language": "fr"})
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.text
    wrong = client.post("/cycles")
    assert wrong.status_code == 405


def test_an_oversized_form_is_refused(web: Web) -> None:
    client = web.client()
    response = client.post(
        "/login",
        content=b"a=" + b"x" * (1024 * 1024 + 10),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


@pytest.mark.threat("T12")
def test_a_crash_shows_a_plain_page_without_the_traceback(db_backend: Engine) -> None:
    app: Starlette = create_app(
        settings_for("production"), engine=db_backend, hasher=accounts.test_hasher()
    )

    async def boom(request: Request) -> Response:
        raise RuntimeError("secret internals")

    app.router.routes.insert(0, Route("/boom", boom))
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"accept-language": "en"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_a_typed_error_no_handler_caught_gets_its_status_and_message(db_backend: Engine) -> None:
    app: Starlette = create_app(
        settings_for("production"), engine=db_backend, hasher=accounts.test_hasher()
    )

    async def slow_down(request: Request) -> Response:
        raise Throttled(retry_after=42)

    app.router.routes.insert(0, Route("/slow", slow_down))
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/slow", headers={"accept-language": "en"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"
    assert "Try again in 42 seconds." in response.text
