"""Accounts, roles, sessions and login throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import utc


class Account(SQLModel, table=True):
    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # normalised by domain.accounts
    password_hash: str = Field(max_length=255)  # argon2id encoded hash, never the password
    display_name: str = Field(max_length=80)
    language: str = Field(max_length=2)
    # Optional email notifications may be turned off; mandatory ones (decisions) are always sent.
    notify_by_email: bool = True
    created_at: datetime = utc()


class RoleGrant(SQLModel, table=True):
    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("account_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    role: str = Field(max_length=16)
    granted_at: datetime = utc()


class WebSession(SQLModel, table=True):
    """A server-side session: the cookie carries the id, this row only its SHA-256 (T5). The
    CSRF token is derived from the id by the web layer, never stored (T12)."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    created_at: datetime = utc()
    last_seen_at: datetime = utc()
    idle_seconds: int


class LoginThrottle(SQLModel, table=True):
    """Failed logins per HMAC(login) or HMAC(client address bucket), shared by workers (T4)."""

    __tablename__ = "login_throttle"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=16)  # account | address
    failures: int = 0
    window_start: datetime = utc()
    next_allowed_at: datetime | None = utc(nullable=True)
