"""Cross-site request forgery defence (SECURITY.md T5).

Every POST/PUT/PATCH/DELETE must carry the session's token, as form field `csrf_token` or header
`X-CSRF-Token` (htmx sends it from `hx-headers` on <body>). The token is HMAC(csrf key, session
id), so it exists for anonymous sessions too (the login form) and dies with its session: another
session's token, or the pre-login token after login, is refused. As a second check, a request a
browser labels cross-site (`Sec-Fetch-Site`) or whose `Origin` is another host is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final
from urllib.parse import urlsplit

from starlette.datastructures import FormData, Headers

FIELD: Final = "csrf_token"
HEADER: Final = "X-CSRF-Token"
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# `none` is a navigation the user typed or bookmarked; it carries no attacker's form.
ALLOWED_FETCH_SITES: Final = frozenset({"same-origin", "none"})


class CsrfError(Exception):
    """The request lacks the session's token or comes from another site; nothing is done."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token_for(key: bytes, session_id: str) -> str:
    """The session's token: stable for the session, unguessable without the server's key."""
    return hmac.new(key, f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def check_origin(headers: Headers) -> None:
    """Refuse what the browser says is cross-site; without these headers (old clients) the
    token alone decides."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ALLOWED_FETCH_SITES:
        raise CsrfError(f"Sec-Fetch-Site is {fetch_site}")
    origin = headers.get("origin")
    # "null" carries no information: under `Referrer-Policy: no-referrer` browsers send it for
    # our own forms too. A hostile null origin (a sandboxed frame) still lacks the token.
    if origin is None or origin == "null":
        return
    if urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
        raise CsrfError("Origin is another site")


def check_token(expected: str, headers: Headers, form: FormData | None) -> None:
    """Compare the submitted token with the session's in constant time."""
    submitted = headers.get(HEADER)
    if submitted is None and form is not None:
        value = form.get(FIELD)
        submitted = value if isinstance(value, str) else None
    if not submitted or not hmac.compare_digest(submitted.encode(), expected.encode()):
        raise CsrfError("missing or wrong CSRF token")
