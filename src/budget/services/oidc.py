"""Accounts through an OpenID Connect provider (SECURITY.md T13), once the web layer checked
the ID token (web/oidc.py: Authlib, PKCE, state, nonce, signature, iss, aud, exp).

A sign-in sent to a provider is remembered by HMAC(state), bound to the browser that started
it, for 10 minutes; the callback takes it (deleted, whatever follows). A known identity
(provider, subject) signs in as its account. An unknown one touches no account: a link is
mailed to the address the provider gave, and only opening it (proving control of the address
on our side) links the identity to the account of that address, or creates one. The provider's
birth date is recorded with the provider and the time, as a provider-verified claim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlmodel import Session, col, delete, select

from budget.db import queries
from budget.db.queries import VerifiedBirthdate
from budget.db.tables import Account, OidcIdentity, OidcLogin, RoleGrant
from budget.domain import accounts as rules
from budget.domain.accounts import LinkPurpose, Role
from budget.domain.errors import BudgetError, SignInRefused
from budget.services import audit, identity, mail_text
from budget.services.identity import Links
from budget.services.passwords import UNUSABLE

LOGIN_LIFETIME: Final = timedelta(minutes=10)


@dataclass(frozen=True)
class Claims:
    """What the checked ID token says about the person (plain values)."""

    provider: str
    label: str
    subject: str
    email: str | None
    birthdate: date | None
    name: str | None


def parse_birthdate(value: object) -> date | None:
    """The OIDC `birthdate` claim (YYYY-MM-DD); anything else is not a date we record."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def start_login(
    db: Session, now: datetime, *, provider: str, state_hash: str, browser_hash: str,
    next_path: str,
) -> None:  # fmt: skip
    """Remember a sign-in sent to `provider` (older unfinished ones are forgotten)."""
    db.exec(delete(OidcLogin).where(col(OidcLogin.created_at) <= now - LOGIN_LIFETIME))
    db.add(
        OidcLogin(
            state_hash=state_hash, browser_hash=browser_hash, provider=provider,
            next_path=next_path, created_at=now,
        )
    )  # fmt: skip


def take_login(
    db: Session, now: datetime, *, state_hash: str, browser_hash: str
) -> tuple[str, str] | None:
    """The provider this state was sent to and the page to return to, if this browser sent it
    less than 10 minutes ago; the row is deleted either way, so a state works once. The one
    callback serves every provider: the state names the provider, never the request."""
    row = db.exec(select(OidcLogin).where(OidcLogin.state_hash == state_hash)).first()
    if row is None:
        return None
    db.delete(row)
    db.flush()
    if row.browser_hash != browser_hash or now - row.created_at >= LOGIN_LIFETIME:
        return None
    return row.provider, row.next_path


def _identity(db: Session, provider: str, subject: str) -> OidcIdentity | None:
    query = select(OidcIdentity).where(
        OidcIdentity.provider == provider, OidcIdentity.subject == subject
    )
    return db.exec(query).first()


def sign_in(
    db: Session, now: datetime, *, claims: Claims, links: Links, language: str
) -> int | None:
    """The account id of a known identity (its claims refreshed), or None after mailing a link
    that will attach the identity to the account of the provider's address (or create it)."""
    known = _identity(db, claims.provider, claims.subject)
    if known is not None:
        account = db.get(Account, known.account_id)
        if account is None or account.deleted_at is not None:
            raise SignInRefused(reason="account deleted")
        known.last_login_at = now
        if claims.birthdate is not None:
            known.birthdate, known.claims_at = claims.birthdate, now
        db.add(known)
        audit.append(
            db, now, actor=known.account_id, action="account.oidc-login",
            object=f"account:{known.account_id}", details={"provider": claims.provider},
        )  # fmt: skip
        return known.account_id
    if not claims.email:
        raise SignInRefused(reason="the provider gave no e-mail address")
    try:
        email = rules.normalise_email(claims.email)
    except BudgetError:
        raise SignInRefused(reason="the provider's e-mail address is not valid") from None
    identity.count_mail_request(db, now, links, email)
    payload: dict[str, object] = {
        "provider": claims.provider, "subject": claims.subject, "name": claims.name or "",
        "birthdate": claims.birthdate.isoformat() if claims.birthdate else None,
        "language": language,
    }  # fmt: skip
    identity.issue_link(
        db, now, links, purpose=LinkPurpose.OIDC_LINK, path="/login/oidc/confirm", email=email,
        language=language, kind=mail_text.Kind.OIDC_LINK, payload=payload,
        provider=claims.label,
    )  # fmt: skip
    return None


def _display_name(name: str, email: str) -> str:
    try:
        return rules.check_display_name(name)
    except BudgetError:
        return rules.check_display_name(email.partition("@")[0])


def _new_account(db: Session, now: datetime, email: str, name: str, language: str) -> Account:
    row = Account(
        email=email, password_hash=UNUSABLE, display_name=_display_name(name, email),
        language=language if language in ("fr", "en") else "fr", created_at=now,
        email_verified_at=now,
    )  # fmt: skip
    db.add(row)
    db.flush()
    db.add(RoleGrant(account_id=row.id or 0, role=Role.RESIDENT, granted_at=now))
    audit.append(
        db, now, actor=row.id, action="account.register", object=f"account:{row.id}",
        details={"through": "oidc"},
    )  # fmt: skip
    return row


def confirm_link(db: Session, now: datetime, *, token: str, token_key: bytes) -> tuple[int, str]:
    """Open the mailed link of a first sign-in: the identity is attached to the account of the
    address (which counts as verified from now on) or to a new account. Returns the account id
    and the provider's name."""
    link = identity.spend_link(db, now, token_key, token, LinkPurpose.OIDC_LINK)
    payload = json.loads(link.payload)
    provider, subject = str(payload["provider"]), str(payload["subject"])
    birthdate = parse_birthdate(payload.get("birthdate"))
    known = _identity(db, provider, subject)
    if known is not None:  # linked meanwhile (the link was mailed twice, say)
        return known.account_id, provider
    row = db.exec(select(Account).where(Account.email == link.email)).first()
    if row is None or row.deleted_at is not None:
        row = _new_account(db, now, link.email, str(payload.get("name", "")),
                           str(payload.get("language", "fr")))  # fmt: skip
    else:
        row.email_verified_at = row.email_verified_at or now
        db.add(row)
    db.add(
        OidcIdentity(
            account_id=row.id or 0, provider=provider, subject=subject, birthdate=birthdate,
            claims_at=now, linked_at=now, last_login_at=now,
        )
    )  # fmt: skip
    audit.append(
        db, now, actor=row.id, action="account.oidc-link", object=f"account:{row.id}",
        details={"provider": provider},
    )  # fmt: skip
    return row.id or 0, provider


def verified_birthdate(db: Session, account_id: int) -> VerifiedBirthdate | None:
    """The most recent provider-verified birth date of the account (queries.verified_birthdate):
    services.roll.declare fills the declared year from it."""
    return queries.verified_birthdate(db, account_id)
