"""Password reset by a single-use, 30-minute mailed link (SECURITY.md T13, T4).

The request answers the same whether or not the address has an account, costs the same work
on both paths (the token and its HMAC are made and the mail is rendered either way; the
throttle row is written either way), and is throttled per address and per source. Using the
link sets the new password and ends every session of the account (the browser that used it
signs in afresh). A council account holds the platform's keys, so its reset needs a second
council member: the request waits, the other members are mailed, and the link goes to the
member only once one of them approves it (an attacker holding the member's mailbox alone
cannot take the account).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlmodel import Session, col, delete, select

from budget.db import queries
from budget.db.tables import Account, AccountToken, RoleGrant, WebSession
from budget.domain import accounts as rules
from budget.domain.accounts import LinkPurpose, Role
from budget.domain.errors import (
    BudgetError,
    FieldErrors,
    InvalidLink,
    NotFound,
    PermissionDenied,
    SelfApproval,
)
from budget.services import audit, identity, mail_text
from budget.services.identity import Links
from budget.services.passwords import hash_password


def _normalised(email: str) -> str:
    try:
        return rules.normalise_email(email)
    except BudgetError:
        return email.strip().lower()[: rules.EMAIL_MAX]


def _council_members(db: Session) -> list[Account]:
    query = (
        select(Account)
        .join(RoleGrant, col(RoleGrant.account_id) == col(Account.id))
        .where(RoleGrant.role == Role.COUNCIL.value, col(Account.deleted_at).is_(None))
        .order_by(col(Account.id))
    )
    return list(db.exec(query).all())


def request_reset(db: Session, now: datetime, *, email: str, links: Links) -> None:
    """Mail a reset link to the account of this address, if there is one (a council account's
    request waits for a second member instead). The same answer and work either way."""
    normalised = _normalised(email)
    identity.count_mail_request(db, now, links, normalised)
    row = db.exec(select(Account).where(Account.email == normalised)).first()
    if row is None or row.deleted_at is not None:
        # The work a real request does, thrown away: no timing difference beyond noise (T4).
        identity.token_digest(links.token_key, secrets.token_urlsafe(32))
        mail_text.render_for(mail_text.Kind.RESET_LINK, {"link": links.base_url}, "fr")
        return
    if queries.has_role(db, row.id or 0, Role.COUNCIL):
        _ask_approval(db, now, links, row)
        return
    identity.issue_link(
        db, now, links, purpose=LinkPurpose.RESET, path="/password/reset", email=row.email,
        language=row.language, kind=mail_text.Kind.RESET_LINK, account_id=row.id,
    )  # fmt: skip
    # The actor is the account asked for (as at login, whoever typed the address).
    audit.append(db, now, actor=row.id, action="account.reset-request", object=f"account:{row.id}")


def _ask_approval(db: Session, now: datetime, links: Links, row: Account) -> None:
    db.exec(
        delete(AccountToken)
        .where(col(AccountToken.purpose) == LinkPurpose.RESET_REQUEST.value)
        .where(col(AccountToken.account_id) == row.id)
    )
    db.add(
        AccountToken(
            purpose=LinkPurpose.RESET_REQUEST.value, account_id=row.id, email=row.email,
            created_at=now, expires_at=now + rules.LINK_LIFETIME[LinkPurpose.RESET_REQUEST],
        )
    )  # fmt: skip
    for member in _council_members(db):
        if member.id != row.id:
            identity.mail(
                db, now, to=member.email, language=member.language,
                kind=mail_text.Kind.RESET_APPROVAL, member=row.display_name, account=row.id,
                link=f"{links.base_url}/admin/resets",
            )  # fmt: skip
    audit.append(
        db, now, actor=row.id, action="account.reset-request", object=f"account:{row.id}",
        details={"needs_approval": True},
    )  # fmt: skip


@dataclass(frozen=True)
class PendingReset:
    id: int
    account_id: int
    display_name: str
    email: str
    requested_at: datetime
    expires_at: datetime


def pending_resets(db: Session, now: datetime) -> tuple[PendingReset, ...]:
    """Council accounts' reset requests awaiting a second member, oldest first."""
    query = (
        select(AccountToken, Account)
        .join(Account, col(Account.id) == col(AccountToken.account_id))
        .where(AccountToken.purpose == LinkPurpose.RESET_REQUEST.value)
        .where(col(AccountToken.expires_at) > now)
        .order_by(col(AccountToken.id))
    )
    return tuple(
        PendingReset(
            id=token.id or 0,
            account_id=account.id or 0,
            display_name=account.display_name,
            email=account.email,
            requested_at=token.created_at,
            expires_at=token.expires_at,
        )
        for token, account in db.exec(query).all()
    )


def approve_reset(
    db: Session, now: datetime, *, actor_id: int, request_id: int, links: Links
) -> None:
    """A council member other than the one it is for approves the request: the member is
    mailed a reset link (30 minutes from now)."""
    if not queries.has_role(db, actor_id, Role.COUNCIL):
        raise PermissionDenied(role=Role.COUNCIL.value)
    request = db.get(AccountToken, request_id)
    if (
        request is None
        or request.purpose != LinkPurpose.RESET_REQUEST.value
        or request.expires_at <= now
    ):
        raise NotFound(kind="reset request", id=request_id)
    if request.account_id == actor_id:
        raise SelfApproval()
    row = db.get(Account, request.account_id)
    if row is None:  # pragma: no cover - the foreign key keeps the account
        raise NotFound(kind="account", id=request.account_id)
    db.delete(request)
    db.flush()
    identity.issue_link(
        db, now, links, purpose=LinkPurpose.RESET, path="/password/reset", email=row.email,
        language=row.language, kind=mail_text.Kind.RESET_LINK, account_id=row.id,
    )  # fmt: skip
    audit.append(
        db, now, actor=actor_id, action="account.reset-approve", object=f"account:{row.id}"
    )


def reset_password(
    db: Session,
    now: datetime,
    *,
    token: str,
    new_password: str,
    token_key: bytes,
    hasher: PasswordHasher,
) -> int:
    """Spend the reset link and set the new password; every session of the account ends.
    Returns the account id."""
    link = identity.find_link(db, now, token_key, token, LinkPurpose.RESET)
    if link is None:
        raise InvalidLink()
    row = db.get(Account, link.account_id)
    if row is None or row.deleted_at is not None or row.email != link.email:
        raise InvalidLink()
    try:
        rules.check_password(new_password, row.email)
    except BudgetError as error:
        raise FieldErrors({"new_password": error}) from None
    identity.spend_link(db, now, token_key, token, LinkPurpose.RESET)
    row.password_hash = hash_password(hasher, new_password)
    # Opening the mailed link proves the address, as a verification link would.
    row.email_verified_at = row.email_verified_at or now
    db.add(row)
    db.exec(delete(WebSession).where(col(WebSession.account_id) == row.id))
    audit.append(db, now, actor=row.id, action="account.reset", object=f"account:{row.id}")
    return row.id or 0
