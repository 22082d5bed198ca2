"""Accounts, roles, sessions and login throttling."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text, UniqueConstraint
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
    # Set when the owner opened a link sent to `email` (T13); until then the account reads but
    # does not take part (domain.accounts.may_participate).
    email_verified_at: datetime | None = utc(nullable=True)
    # Set when the resident deleted the account: the row stays, emptied of personal data, so
    # the proposals it wrote stay credited to "a former resident".
    deleted_at: datetime | None = utc(nullable=True)


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
    # What the sessions page shows: the browser and system named by the user agent, the
    # network as coarse as the address allows (IPv4 /24, IPv6 /48), the identity provider.
    device: str = Field(default="", max_length=80)
    network: str = Field(default="", max_length=64)
    provider: str | None = Field(default=None, max_length=32)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per HMAC(login) or HMAC(client address bucket), shared by workers (T4)."""

    __tablename__ = "login_throttle"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=16)  # account | address
    failures: int = 0
    window_start: datetime = utc()
    next_allowed_at: datetime | None = utc(nullable=True)


class AccountToken(SQLModel, table=True):
    """A single-use link sent by mail (T13): e-mail verification, password reset, an e-mail
    change, the first sign-in through an identity provider. Only HMAC(token) is kept; the row
    is deleted when the link is used, superseded or expired, and the mail that carried it is
    scrubbed then. `account_id` is empty for a first OIDC sign-in (no account yet);
    `payload` is JSON of what the link will do (the provider's subject and verified claims).
    A council account's reset request waits here with no token until a second member approves
    it (`purpose` reset-request)."""

    __tablename__ = "account_token"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=16)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    email: str = Field(max_length=254)
    payload: str = Field(default="{}", sa_type=Text)
    created_at: datetime = utc()
    expires_at: datetime = utc()
    outbox_id: int | None = Field(default=None, foreign_key="outbox_email.id")


class OidcIdentity(SQLModel, table=True):
    """An account's identity at an OpenID provider: (provider, subject) signs in as it. The
    birth date is the provider's verified claim, recorded with the provider and when (PRODUCT:
    it may fill the declared eligibility, marked as verified by the provider)."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    provider: str = Field(max_length=32)
    subject: str = Field(max_length=255)
    birthdate: date | None = None
    claims_at: datetime = utc()
    linked_at: datetime = utc()
    last_login_at: datetime | None = utc(nullable=True)


class OidcLogin(SQLModel, table=True):
    """A sign-in sent to a provider and not back yet: HMAC(state), bound to this browser
    (HMAC of its cookie id). PKCE verifier and nonce are derived from the state under the
    server's key, so nothing here lets another browser finish the sign-in. Deleted at the
    callback, whatever its outcome; older than 10 minutes, refused."""

    __tablename__ = "oidc_login"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    browser_hash: str = Field(max_length=64)
    provider: str = Field(max_length=32)
    next_path: str = Field(default="/", max_length=500)
    created_at: datetime = utc()
