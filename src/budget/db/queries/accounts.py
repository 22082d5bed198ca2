"""Accounts and their roles, as view models."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from budget.db.tables import (
    Account,
    AccountToken,
    OidcIdentity,
    RoleGrant,
    WebSession,
)
from budget.domain.accounts import (
    TOUCH_EVERY,
    LinkPurpose,
    Role,
    may_participate,
    session_expires_at,
)
from budget.domain.errors import NotFound


@dataclass(frozen=True)
class AccountView:
    id: int
    email: str
    display_name: str
    language: str
    roles: frozenset[Role]
    created_at: datetime
    email_verified_at: datetime | None = None

    @property
    def may_participate(self) -> bool:
        """domain.accounts.may_participate: propose, support, comment, declare, vote."""
        return may_participate(self.email_verified_at)

    def has_role(self, role: Role) -> bool:
        return role in self.roles


def _roles(db: Session, account_ids: Collection[int]) -> dict[int, set[Role]]:
    roles: dict[int, set[Role]] = {i: set() for i in account_ids}
    if account_ids:
        grants = db.exec(select(RoleGrant).where(col(RoleGrant.account_id).in_(account_ids)))
        for grant in grants:
            roles[grant.account_id].add(Role(grant.role))
    return roles


def _account_view(row: Account, roles: set[Role]) -> AccountView:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return AccountView(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        language=row.language,
        roles=frozenset(roles),
        created_at=row.created_at,
        email_verified_at=row.email_verified_at,
    )


def get_account(db: Session, account_id: int) -> AccountView:
    row = db.get(Account, account_id)
    if row is None:
        raise NotFound(kind="account", id=account_id)
    return _account_view(row, _roles(db, [account_id])[account_id])


def has_role(db: Session, account_id: int, role: Role) -> bool:
    """Whether this account exists and holds the role."""
    row = db.get(Account, account_id)
    return row is not None and role in _roles(db, [account_id])[account_id]


def find_account(db: Session, email: str) -> AccountView | None:
    """The account with this (already normalised) email, if any."""
    row = db.exec(select(Account).where(Account.email == email)).first()
    if row is None or row.id is None:
        return None
    return _account_view(row, _roles(db, [row.id])[row.id])


def _account_filter(search: str):  # type: ignore[no-untyped-def]  # a SQLAlchemy clause
    pattern = f"%{search.strip().lower()}%"
    return or_(
        col(Account.email).like(pattern), func.lower(col(Account.display_name)).like(pattern)
    )


def list_accounts(
    db: Session, *, search: str = "", limit: int = 50, offset: int = 0
) -> tuple[AccountView, ...]:
    """Accounts by email, optionally those whose email or name contains `search`."""
    query = select(Account).order_by(col(Account.email)).limit(limit).offset(offset)
    if search.strip():
        query = query.where(_account_filter(search))
    rows = db.exec(query).all()
    roles = _roles(db, [r.id for r in rows if r.id is not None])
    return tuple(_account_view(r, roles[r.id]) for r in rows if r.id is not None)


def count_accounts(db: Session, search: str = "") -> int:
    query = select(func.count()).select_from(Account)
    if search.strip():
        query = query.where(_account_filter(search))
    return db.exec(query).one()


def council_count(db: Session) -> int:
    query = select(func.count()).select_from(RoleGrant).where(RoleGrant.role == Role.COUNCIL)
    return db.exec(query).one()


@dataclass(frozen=True)
class SessionState:
    """A session row as the request's first read sees it: its account, and whether it must
    be written (deleted when expired, its activity recorded when due): only then does the
    request open a writing transaction."""

    account: AccountView | None
    needs_write: bool


def session_for(db: Session, token_digest: str, now: datetime) -> SessionState | None:
    """The session with this token digest (services.sessions.token_hash), or None."""
    row = db.exec(select(WebSession).where(WebSession.token_hash == token_digest)).first()
    if row is None:
        return None
    if now >= session_expires_at(row.created_at, row.last_seen_at, row.idle_seconds):
        return SessionState(account=None, needs_write=True)
    account = get_account(db, row.account_id) if row.account_id is not None else None
    return SessionState(account=account, needs_write=now - row.last_seen_at >= TOUCH_EVERY)


def own_session_id(db: Session, account_id: int, session_id: int) -> int:
    """A session of the account (the sessions page ends it); another's does not exist for it."""
    row = db.get(WebSession, session_id)
    if row is None or row.account_id != account_id:
        raise NotFound(kind="session", id=session_id)
    return session_id


def reset_request_id(db: Session, request_id: int) -> int:
    """A council member's reset request awaiting a second member (services.recovery)."""
    row = db.get(AccountToken, request_id)
    if row is None or row.purpose != LinkPurpose.RESET_REQUEST.value:
        raise NotFound(kind="reset request", id=request_id)
    return request_id


@dataclass(frozen=True)
class VerifiedBirthdate:
    """A birth date an identity provider vouched for (declarations, PRODUCT.md)."""

    provider: str
    birthdate: date
    claimed_at: datetime


def verified_birthdate(db: Session, account_id: int) -> VerifiedBirthdate | None:
    """The most recent provider-verified birth date of the account, if any."""
    query = (
        select(OidcIdentity)
        .where(OidcIdentity.account_id == account_id, col(OidcIdentity.birthdate).is_not(None))
        .order_by(col(OidcIdentity.claims_at).desc())
    )
    row = db.exec(query).first()
    if row is None or row.birthdate is None:
        return None
    return VerifiedBirthdate(row.provider, row.birthdate, row.claims_at)
