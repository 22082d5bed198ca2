"""Server-side sessions (SECURITY.md T5): the cookie carries a random 256-bit id, the database
only its SHA-256, so a dump of the table opens no session. Logout, expiry (idle 30 min, 15 for
officers and council; 12 h absolute) and a new login end a session for real.

No CSRF token is stored either (T12): the web layer derives it from the session id under its
own key (web/csrf.py), so the table holds nothing a request could be forged with.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from budget.db import queries
from budget.db.queries import AccountView
from budget.db.tables import WebSession
from budget.domain import accounts as rules
from budget.domain.errors import NotFound
from budget.services import audit

TOUCH_EVERY = rules.TOUCH_EVERY


@dataclass(frozen=True)
class NewSession:
    """`token` goes into the signed cookie and is never stored (only its SHA-256)."""

    token: str


@dataclass(frozen=True)
class SessionView:
    account: AccountView | None
    started_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _row(db: Session, token: str) -> WebSession | None:
    digest = token_hash(token)
    return db.exec(select(WebSession).where(WebSession.token_hash == digest)).first()


def start_session(
    db: Session,
    now: datetime,
    *,
    account_id: int | None,
    replacing: str | None = None,
    user_agent: str = "",
    client_address: str = "",
    provider: str | None = None,
) -> NewSession:
    """A new session (anonymous when account_id is None). At login pass the old cookie's token
    as `replacing`: that row is deleted, so a planted pre-login id is worthless (fixation).
    The sessions page shows the device and network it started from (coarse: browser and
    system, IPv4 /24 or IPv6 /48) and the identity provider it came through, if any."""
    if replacing:
        old = _row(db, replacing)
        if old is not None:
            db.delete(old)
    roles = queries.get_account(db, account_id).roles if account_id is not None else frozenset()
    token = secrets.token_urlsafe(32)
    db.add(
        WebSession(
            token_hash=token_hash(token),
            account_id=account_id,
            created_at=now,
            last_seen_at=now,
            idle_seconds=int(rules.idle_limit(roles).total_seconds()),
            device=rules.describe_device(user_agent)[:80],
            network=rules.coarse_network(client_address),
            provider=provider,
        )
    )
    db.flush()
    return NewSession(token=token)


def _expires_at(row: WebSession) -> datetime:
    return rules.session_expires_at(row.created_at, row.last_seen_at, row.idle_seconds)


def load_session(db: Session, now: datetime, token: str) -> SessionView | None:
    """The live session for this cookie token, or None (unknown, or expired: then deleted).
    Commit afterwards: it records the activity that keeps the session alive. The web layer
    reads first (queries.session_for) and calls this only when something is to be written."""
    row = _row(db, token)
    if row is None:
        return None
    if now >= _expires_at(row):
        db.delete(row)
        db.flush()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.add(row)
        db.flush()
    account = queries.get_account(db, row.account_id) if row.account_id is not None else None
    return SessionView(
        account=account,
        started_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=_expires_at(row),
    )


def end_session(db: Session, now: datetime, token: str) -> str | None:
    """Logout: the row is deleted, so the cookie opens nothing any more, even if replayed.
    Returns the identity provider the session came through (to end its session too)."""
    row = _row(db, token)
    if row is None:
        return None
    db.delete(row)
    if row.account_id is not None:
        audit.append(
            db, now, actor=row.account_id, action="account.logout",
            object=f"account:{row.account_id}",
        )  # fmt: skip
    db.flush()
    return row.provider


@dataclass(frozen=True)
class ActiveSession:
    id: int
    device: str
    network: str
    provider: str | None
    started_at: datetime
    last_seen_at: datetime
    current: bool


def active_sessions(
    db: Session, now: datetime, *, account_id: int, current_token: str | None
) -> tuple[ActiveSession, ...]:
    """The account's live sessions, most recently used first; `current` marks this one."""
    current = token_hash(current_token) if current_token else ""
    rows = db.exec(select(WebSession).where(WebSession.account_id == account_id)).all()
    live = [row for row in rows if now < _expires_at(row)]
    live.sort(key=lambda row: row.last_seen_at, reverse=True)
    return tuple(
        ActiveSession(
            id=row.id or 0,
            device=row.device,
            network=row.network,
            provider=row.provider,
            started_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=row.token_hash == current,
        )
        for row in live
    )


def end_other_session(db: Session, now: datetime, *, account_id: int, session_id: int) -> None:
    """The resident signs out one of their sessions (another device, say). Someone else's
    session, or one already ended, is not found (nothing tells which)."""
    row = db.get(WebSession, session_id)
    if row is None or row.account_id != account_id:
        raise NotFound(kind="session", id=session_id)
    db.delete(row)
    audit.append(
        db, now, actor=account_id, action="account.session-end", object=f"account:{account_id}",
        details={"session": session_id},
    )  # fmt: skip
