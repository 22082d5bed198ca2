"""create_app(settings): the Starlette application, built from parameters, nothing at import.

`budget serve` hands uvicorn the factory string "budget.web.app:create_app"; called without
arguments, it reads Settings from the environment. The app refuses to start on a database that
is unmigrated or newer than the code (db.migrate.check_schema), on missing translations, and
on a route table with an undeclared role.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from anyio import CapacityLimiter
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from budget.config import Settings
from budget.db import migrate
from budget.db.engine import MAX_CONNECTIONS, make_engine
from budget.domain.errors import BudgetError
from budget.services import accounts
from budget.web import errors, headers, i18n, routing, transactions
from budget.web.auth import SessionCookie
from budget.web.oidc import Providers
from budget.web.routes import all_routes
from budget.web.templating import Templates

log = logging.getLogger(__name__)

PROJECT_ROOT: Final = Path(__file__).resolve().parents[3]
MAX_BODY_BYTES: Final = 1024 * 1024  # forms are small (T11): larger bodies get 413
MAX_CONCURRENT_HASHES: Final = 4  # argon2id takes 64 MiB each (T4)

SessionFactory = Callable[[], Session]
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: SessionFactory | None = None,
    hasher: PasswordHasher | None = None,
    clock: Clock = utc_now,
    root: Path = PROJECT_ROOT,
) -> Starlette:
    """Build the app. Tests pass an engine or a session factory (their transaction), a cheap
    hasher and a pinned clock; production passes nothing but the settings, or not even those."""
    settings = settings or Settings.from_env(os.environ)
    if settings.secret_key_generated:
        log.warning("SECRET_KEY is not set: using a random key; sessions end at each restart")
    if not settings.base_url and not settings.is_development:
        log.warning("BUDGET_BASE_URL is not set: mailed links point to %s", settings.public_url)
    owns_engine = engine is None
    engine = engine if engine is not None else make_engine(settings.database_url)
    migrate.check_schema(engine)
    app = Starlette(
        routes=build_routes(root),
        middleware=[
            Middleware(transactions.RequestReads),
            Middleware(
                headers.SecurityHeaders,
                hsts=not settings.is_development,
                tile_url=settings.tile_url,
                form_targets=tuple(origin(provider.issuer) for provider in settings.oidc_providers),
            ),
        ],
        exception_handlers={
            BudgetError: errors.budget_error_handler,
            HTTPException: errors.http_error_handler,
            500: errors.server_error_handler,
        },
        lifespan=partial(_lifespan, engine=engine if owns_engine else None),
        max_body_size=MAX_BODY_BYTES,
    )
    state = app.state
    state.settings = settings
    state.engine = engine
    state.session_factory = session_factory or partial(Session, engine)
    state.templates = Templates(
        root / "templates", root / "static", auto_reload=settings.is_development
    )
    state.catalogs = i18n.Catalogs.load(root / "locales")
    state.session_cookie = SessionCookie(
        settings.key_for("cookie"), development=settings.is_development
    )
    state.csrf_key = settings.key_for("csrf")
    state.throttle_key = settings.key_for("throttle")
    state.code_key = settings.key_for("code")  # voting codes' HMAC (services.codes, T6)
    state.token_key = settings.key_for("tokens")  # HMAC of mailed links' tokens (T13)
    state.base_url = settings.public_url
    state.oidc = Providers(settings.oidc_providers, settings.public_url, settings.key_for("oidc"))
    state.hasher = hasher if hasher is not None else accounts.production_hasher()
    state.hash_limiter = CapacityLimiter(MAX_CONCURRENT_HASHES)
    state.connections = CapacityLimiter(MAX_CONNECTIONS)  # web/transactions.py
    state.clock = clock
    return app


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, as a CSP source."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def build_routes(root: Path) -> list[BaseRoute]:
    static = Mount("/static", StaticFiles(directory=root / "static"), name="static")
    return [*routing.starlette_routes(all_routes()), static]


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette, *, engine: Engine | None) -> AsyncIterator[None]:
    yield
    if engine is not None:
        engine.dispose()
