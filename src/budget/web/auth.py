"""Who is calling: the signed session cookie, the server-side session, the client address.

The cookie (SECURITY.md T5) is signed with itsdangerous under the per-purpose "cookie" key and
carries either `{"s": <session token>}` for a signed-in session, whose server-side row
(services.sessions) ends at logout, expiry or the next login, or `{"a": <random id>}` for an
anonymous visitor, so the login form has a CSRF token without a database row per passer-by.
`HttpOnly`, `SameSite=Lax`, no `Domain`; `Secure` and the `__Host-` prefix outside development.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from typing import Final

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from budget.config import IPNetwork
from budget.db import queries
from budget.db.queries import AccountView
from budget.services import sessions
from budget.services.identity import Links
from budget.web import csrf, transactions

COOKIE_NAME: Final = "budget-session"
SIGNED_IN_KEY: Final = "s"
ANONYMOUS_KEY: Final = "a"


@dataclass(frozen=True)
class Visitor:
    """The caller of this request: an account with its roles, or an anonymous visitor."""

    account: AccountView | None
    session_token: str | None
    anonymous_id: str | None
    csrf_token: str

    @property
    def is_signed_in(self) -> bool:
        return self.account is not None

    @property
    def roles(self) -> frozenset[str]:
        """Role names as the route table spells them; `visitor` when signed out."""
        if self.account is None:
            return frozenset({"visitor"})
        return frozenset(str(role) for role in self.account.roles)


class SessionCookie:
    """Reads and writes the signed session cookie with the flags of the environment."""

    def __init__(self, key: bytes, *, development: bool) -> None:
        self.secure = not development
        self.name = COOKIE_NAME if development else f"__Host-{COOKIE_NAME}"
        self._serializer = URLSafeSerializer(key, salt="budget.session-cookie")

    def read(self, request: Request) -> dict[str, str]:
        """The cookie's payload; empty when absent, forged or malformed (never an error page)."""
        raw = request.cookies.get(self.name)
        if not raw:
            return {}
        try:
            payload = self._serializer.loads(raw)
        except BadSignature:
            return {}
        if not isinstance(payload, dict) or len(payload) != 1:
            return {}
        ((kind, value),) = payload.items()
        if kind not in (SIGNED_IN_KEY, ANONYMOUS_KEY) or not isinstance(value, str) or not value:
            return {}
        return {kind: value}

    def write(self, response: Response, payload: dict[str, str]) -> None:
        # No max_age: the browser drops it when closed; the server enforces the idle and
        # absolute limits.
        response.set_cookie(
            self.name,
            self._serializer.dumps(payload),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )


def new_anonymous_id() -> str:
    return secrets.token_urlsafe(32)


def anonymous_visitor(request: Request, anonymous_id: str) -> Visitor:
    key: bytes = request.app.state.csrf_key
    return Visitor(None, None, anonymous_id, csrf.token_for(key, anonymous_id))


def signed_in_visitor(request: Request, account: AccountView, token: str) -> Visitor:
    """The CSRF token comes from the session id under the app's key: nothing to store (T12)."""
    key: bytes = request.app.state.csrf_key
    return Visitor(account, token, None, csrf.token_for(key, token))


async def identify(request: Request) -> Visitor:
    """Load the caller from the cookie; a missing, forged or ended session becomes anonymous.

    Sets `request.state.cookie_payload` to what the response's cookie must hold; handlers change
    it through `sign_in` and `sign_out`, and the route guard writes it when it changed."""
    cookie: SessionCookie = request.app.state.session_cookie
    payload = cookie.read(request)
    request.state.cookie_received = payload
    if (token := payload.get(SIGNED_IN_KEY)) is not None:
        # Read first; write (touch or delete an expired row) only when due, about once a
        # minute per session, so most pages take no write lock at all.
        digest, now = sessions.token_hash(token), transactions.now(request)
        state = await transactions.read(request, queries.session_for, digest, now)
        account = state.account if state is not None else None
        if state is not None and state.needs_write:
            session = await transactions.perform(request, sessions.load_session, token=token)
            account = session.account if session is not None else None
        if account is not None:
            request.state.cookie_payload = payload
            return signed_in_visitor(request, account, token)
    anonymous_id = payload.get(ANONYMOUS_KEY) or new_anonymous_id()
    request.state.cookie_payload = {ANONYMOUS_KEY: anonymous_id}
    return anonymous_visitor(request, anonymous_id)


def sign_in(request: Request, token: str) -> None:
    """The response carries the new session's cookie; the old cookie's id is never reused."""
    request.state.cookie_payload = {SIGNED_IN_KEY: token}


async def start_signed_in(request: Request, account_id: int, provider: str | None = None) -> None:
    """A new session for the account (this browser's old one deleted, T5 fixation), carried
    by the response's cookie; it records the device and coarse network for the sessions page."""
    visitor: Visitor = request.state.visitor
    new = await transactions.perform(
        request,
        sessions.start_session,
        account_id=account_id,
        replacing=visitor.session_token,
        user_agent=request.headers.get("user-agent", ""),
        client_address=client_address(request, request.app.state.settings.trusted_proxies),
        provider=provider,
    )
    sign_in(request, new.token)


def sign_out(request: Request) -> None:
    """The response carries a fresh anonymous cookie (so the login form works at once)."""
    request.state.cookie_payload = {ANONYMOUS_KEY: new_anonymous_id()}


def write_cookie(request: Request, response: Response) -> None:
    """Send the cookie when its payload changed during the request."""
    payload: dict[str, str] | None = getattr(request.state, "cookie_payload", None)
    if payload is not None and payload != getattr(request.state, "cookie_received", None):
        cookie: SessionCookie = request.app.state.session_cookie
        cookie.write(response, payload)


def links_for(request: Request) -> Links:
    """What services need to mail a single-use link on behalf of this caller (T13)."""
    state = request.app.state
    return Links(
        token_key=state.token_key,
        base_url=state.base_url,
        throttle_key=state.throttle_key,
        client_address=client_address(request, state.settings.trusted_proxies),
    )


def client_address(request: Request, trusted_proxies: tuple[IPNetwork, ...]) -> str:
    """The peer's address, or with a trusted proxy in front the right-most untrusted hop of
    X-Forwarded-For (T4): entries left of it are whatever the client chose to send."""
    peer = request.client.host if request.client else ""
    if not _is_trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed(hops):
        if not hop:
            continue
        if not _is_trusted(hop, trusted_proxies):
            return hop if _is_address(hop) else peer
    return peer


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(value: str, trusted_proxies: tuple[IPNetwork, ...]) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(address in network for network in trusted_proxies)
