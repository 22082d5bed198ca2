"""Security and caching headers on every response (SECURITY.md T5, T11).

A strict Content-Security-Policy (no inline script, no eval: htmx is configured for it), no
sniffing, no referrer, no framing, HSTS outside development. Pages are `no-store` (they carry
CSRF tokens and personal data); static files whose URL carries a content hash (`?v=`) are
cached for a year, since a changed file gets a new URL.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from budget.config import DEFAULT_TILE_URL, tile_source


def content_security_policy(
    tile_url: str = DEFAULT_TILE_URL, form_targets: tuple[str, ...] = ()
) -> str:
    """The policy; img-src also allows the map's tile host (config BUDGET_TILE_URL), and
    form-action the identity providers' origins: browsers apply it to the redirect that
    follows a form (the sign-in button, the sign-out that ends the provider's session)."""
    targets = "".join(f" {origin}" for origin in form_targets)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: {tile_source(tile_url)}; "
        f"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'{targets}"
    )


CONTENT_SECURITY_POLICY: Final = content_security_policy()
COMMON: Final = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
)
HSTS: Final = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
STATIC_VERSIONED: Final = "public, max-age=31536000, immutable"
STATIC_PLAIN: Final = "public, max-age=3600"
PAGES: Final = "no-store"


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers as the response starts, keeps what a route set."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts: bool,
        tile_url: str = DEFAULT_TILE_URL,
        form_targets: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        policy = ("Content-Security-Policy", content_security_policy(tile_url, form_targets))
        self.headers = (policy, *COMMON, HSTS) if hsts else (policy, *COMMON)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cache_control = _cache_control(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
                headers.setdefault("Cache-Control", cache_control)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cache_control(scope: Scope) -> str:
    path: str = scope.get("path", "")
    if not path.startswith("/static/"):
        return PAGES
    query: bytes = scope.get("query_string", b"")
    return STATIC_VERSIONED if query.startswith(b"v=") else STATIC_PLAIN
