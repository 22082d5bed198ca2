"""Mailed single-use links and the verified address (SECURITY.md T13, T12, T4).

A link carries a random token from `secrets`; the database keeps only HMAC(token) under the
app's "tokens" key, so a dump opens nothing. A link is spent when used (its row deleted), a new
link of the same purpose supersedes the old one, an expired one is refused and purged; in each
case the outbox mail that carried it is scrubbed, so no usable token stays in the outbox
either. Register, resend and reset answer alike for known and unknown addresses, and every
request counts against a throttle per address and per source (T4's table), known or not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from argon2 import PasswordHasher
from sqlmodel import Session, col, delete, select, update

from budget.db.tables import Account, AccountToken, LoginThrottle, OutboxEmail
from budget.domain import accounts as rules
from budget.domain.accounts import LinkPurpose
from budget.domain.errors import (
    BudgetError,
    EmailTaken,
    FieldErrors,
    InvalidLink,
    NotFound,
    Throttled,
    WrongPassword,
)
from budget.services import audit, mail_text
from budget.services.passwords import verify_password

# What a mail that carried a link says once the link is used, replaced or expired. Written
# without reading the old body, so not even a DEBUG log of the rows sees the token (T12).
SCRUBBED: Final = "[This mail carried a single-use link, now used, replaced or expired.]"


@dataclass(frozen=True)
class Links:
    """What a service needs to mail a link: the key tokens are hashed with, the site's public
    address (never the request's Host header, which a caller could forge), the throttle key and
    the caller's address."""

    token_key: bytes
    base_url: str
    throttle_key: bytes
    client_address: str = ""


def token_digest(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


# -- the mail throttle (T4's table, kinds mail-address and mail-source) ----------------------


def _throttle_key(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def count_mail_request(db: Session, now: datetime, links: Links, email: str) -> None:
    """Count one mail-sending request for this address and this source, or raise Throttled
    (nothing written) when either is over its limit for the hour. Called before looking the
    address up, so known and unknown addresses are throttled alike."""
    buckets = (
        ("mail-address", email, rules.MAIL_PER_ADDRESS),
        ("mail-source", rules.address_bucket(links.client_address), rules.MAIL_PER_SOURCE),
    )
    digests = {kind: _throttle_key(links.throttle_key, kind, value) for kind, value, _ in buckets}
    query = select(LoginThrottle).where(col(LoginThrottle.key_hash).in_(digests.values()))
    found = {row.key_hash: row for row in db.exec(query).all()}  # one statement for both
    rows: list[LoginThrottle] = []
    for kind, _, limit in buckets:
        row = found.get(digests[kind])
        if row is not None and now - row.window_start >= rules.MAIL_WINDOW:
            row.failures, row.window_start = 0, now
        if row is None:
            row = LoginThrottle(key_hash=digests[kind], kind=kind, failures=0, window_start=now)
        wait = rules.mail_wait(row.failures, limit, row.window_start, now)
        if wait.total_seconds() > 0:
            raise Throttled(retry_after=max(1, int(wait.total_seconds() + 0.999)))
        rows.append(row)
    for row in rows:
        row.failures += 1
        db.add(row)
    db.flush()


# -- issuing and spending links --------------------------------------------------------------


def mail(
    db: Session, now: datetime, *, to: str, language: str, kind: str, **params: object
) -> OutboxEmail:
    """One mail in the outbox, in the recipient's language (flushed: it has its id)."""
    text = mail_text.render_for(kind, params, language)
    row = OutboxEmail(to_address=to, subject=text.subject, body=text.body, created_at=now)
    db.add(row)
    db.flush()
    return row


def _scrub(db: Session, rows: Iterable[AccountToken]) -> None:
    ids = [row.outbox_id for row in rows if row.outbox_id is not None]
    if ids:
        db.exec(update(OutboxEmail).where(col(OutboxEmail.id).in_(ids)).values(body=SCRUBBED))


def _discard(db: Session, rows: list[AccountToken]) -> None:
    _scrub(db, rows)
    for row in rows:
        db.delete(row)
    db.flush()


def purge_expired(db: Session, now: datetime) -> int:
    """Delete every expired link and scrub its mail; returns how many."""
    rows = list(db.exec(select(AccountToken).where(col(AccountToken.expires_at) <= now)).all())
    _discard(db, rows)
    return len(rows)


def _superseded(db: Session, purpose: LinkPurpose, account_id: int | None, email: str) -> None:
    query = select(AccountToken).where(AccountToken.purpose == purpose.value)
    if account_id is not None:
        query = query.where(AccountToken.account_id == account_id)
    else:
        query = query.where(AccountToken.email == email, col(AccountToken.account_id).is_(None))
    _discard(db, list(db.exec(query).all()))


def issue_link(
    db: Session,
    now: datetime,
    links: Links,
    *,
    purpose: LinkPurpose,
    path: str,
    email: str,
    language: str,
    kind: str,
    account_id: int | None = None,
    payload: dict[str, object] | None = None,
    first: bool = False,
    **params: object,
) -> None:
    """Mail a new single-use link to `email`; an earlier one of the same purpose stops working
    (`first`: there can be none, as for an account made in this transaction)."""
    if not first:
        purge_expired(db, now)
        _superseded(db, purpose, account_id, email)
    token = secrets.token_urlsafe(32)
    sent = mail(
        db, now, to=email, language=language, kind=kind,
        link=f"{links.base_url}{path}?token={token}", **params,
    )  # fmt: skip
    db.add(
        AccountToken(
            purpose=purpose.value,
            token_hash=token_digest(links.token_key, token),
            account_id=account_id,
            email=email,
            payload=json.dumps(payload or {}, sort_keys=True),
            created_at=now,
            expires_at=now + rules.LINK_LIFETIME[purpose],
            outbox_id=sent.id,
        )
    )
    db.flush()


def find_link(
    db: Session, now: datetime, token_key: bytes, token: str, *purposes: LinkPurpose
) -> AccountToken | None:
    """The live link for this token and one of these purposes, without spending it."""
    if not token or len(token) > 100:
        return None
    digest = token_digest(token_key, token)
    row = db.exec(select(AccountToken).where(AccountToken.token_hash == digest)).first()
    if row is None or row.purpose not in {p.value for p in purposes} or row.expires_at <= now:
        return None
    return row


def link_is_live(
    db: Session, now: datetime, *, token_key: bytes, token: str, purposes: Iterable[LinkPurpose]
) -> bool:
    """Whether the link still works (the page that opens it shows its form or says why not)."""
    return find_link(db, now, token_key, token, *purposes) is not None


def spend_link(
    db: Session, now: datetime, token_key: bytes, token: str, *purposes: LinkPurpose
) -> AccountToken:
    """Spend the link (deleted, its mail scrubbed) and return what it held, or InvalidLink for
    an unknown, used, superseded or expired one (the same answer for each)."""
    row = find_link(db, now, token_key, token, *purposes)
    if row is None:
        raise InvalidLink()
    db.expunge(row)  # keep its values readable once the row is gone
    _scrub(db, [row])
    db.exec(delete(AccountToken).where(col(AccountToken.id) == row.id))
    db.flush()
    return row


# -- e-mail verification ---------------------------------------------------------------------


def _account(db: Session, account_id: int) -> Account:
    row = db.get(Account, account_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(kind="account", id=account_id)
    return row


def send_verification(
    db: Session, now: datetime, links: Links, row: Account, *, first: bool = False
) -> None:
    issue_link(
        db, now, links, purpose=LinkPurpose.VERIFY, path="/verify", email=row.email,
        language=row.language, kind=mail_text.Kind.VERIFY_EMAIL, account_id=row.id, first=first,
    )  # fmt: skip


def warn_owner(db: Session, now: datetime, links: Links, row: Account) -> None:
    """Someone registered with an address that has an account: tell its owner, change nothing."""
    mail(
        db, now, to=row.email, language=row.language, kind=mail_text.Kind.ALREADY_REGISTERED,
        link=f"{links.base_url}/password/forgot",
    )  # fmt: skip


def resend_verification(db: Session, now: datetime, *, email: str, links: Links) -> None:
    """Send the link again to an unverified account of this address; for an unknown or
    already verified address nothing is sent. Throttled and answered alike either way."""
    try:
        normalised = rules.normalise_email(email)
    except BudgetError:  # a malformed address is simply not known
        normalised = email.strip().lower()[: rules.EMAIL_MAX]
    count_mail_request(db, now, links, normalised)
    row = db.exec(select(Account).where(Account.email == normalised)).first()
    if row is None or row.deleted_at is not None or row.email_verified_at is not None:
        return
    send_verification(db, now, links, row)
    audit.append(db, now, actor=row.id, action="account.verify-resend", object=f"account:{row.id}")


def confirm_email(db: Session, now: datetime, *, token: str, token_key: bytes) -> int:
    """Open a verification or e-mail change link: the address is the owner's from now on.
    Returns the account id; InvalidLink if the link is not live, EmailTaken if another account
    took the new address in the meantime (then nothing is written)."""
    link = spend_link(db, now, token_key, token, LinkPurpose.VERIFY, LinkPurpose.EMAIL_CHANGE)
    row = _account(db, link.account_id or 0)
    if link.purpose == LinkPurpose.EMAIL_CHANGE:
        taken = db.exec(select(Account).where(Account.email == link.email)).first()
        if taken is not None and taken.id != row.id:
            raise EmailTaken()
        row.email, row.email_verified_at = link.email, now
        db.add(row)
        audit.append(
            db, now, actor=row.id, action="account.email-change", object=f"account:{row.id}"
        )
        return row.id or 0
    if row.email != link.email:  # the address changed since the link was sent
        raise InvalidLink()
    row.email_verified_at = row.email_verified_at or now
    db.add(row)
    audit.append(db, now, actor=row.id, action="account.verify", object=f"account:{row.id}")
    return row.id or 0


def require_may_participate(db: Session, account_id: int) -> None:
    """The verified-address rule (domain.accounts.check_may_participate) for this account:
    EmailNotVerified until its owner opened the link. Services that propose, co-author,
    support, comment, declare or vote call this first."""
    row = db.get(Account, account_id)
    rules.check_may_participate(row.email_verified_at if row is not None else None)


def request_email_change(
    db: Session,
    now: datetime,
    *,
    account_id: int,
    password: str,
    new_email: str,
    links: Links,
    hasher: PasswordHasher,
) -> None:
    """After the current password, mail a link to the new address (which becomes the
    account's once opened) and tell the old address. If the new address belongs to another
    account its owner is warned instead: the answer is the same (T4)."""
    row = _account(db, account_id)
    if not verify_password(hasher, row.password_hash, password):
        raise FieldErrors({"password": WrongPassword()})
    try:
        normalised = rules.normalise_email(new_email)
    except BudgetError as error:
        raise FieldErrors({"new_email": error}) from None
    count_mail_request(db, now, links, normalised)
    other = db.exec(select(Account).where(Account.email == normalised)).first()
    if other is not None:
        if other.id != row.id:
            warn_owner(db, now, links, other)
        return
    issue_link(
        db, now, links, purpose=LinkPurpose.EMAIL_CHANGE, path="/verify", email=normalised,
        language=row.language, kind=mail_text.Kind.EMAIL_CHANGE_NEW, account_id=row.id,
    )  # fmt: skip
    mail(
        db, now, to=row.email, language=row.language, kind=mail_text.Kind.EMAIL_CHANGE_OLD,
        new=normalised, link=f"{links.base_url}/password/forgot",
    )  # fmt: skip
    audit.append(
        db, now, actor=row.id, action="account.email-change-request", object=f"account:{row.id}"
    )
