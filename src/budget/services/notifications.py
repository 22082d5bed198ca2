"""Notifications: in-app rows, and email through the outbox (PRODUCT.md "Notifications").

`notify` writes, in the caller's transaction, one Notification (kind and public parameters,
rendered when read, in the reader's language) and, when the recipient accepts email or the
notification is mandatory (decisions), one OutboxEmail rendered now in the recipient's language
(services/mail_text.py explains why). Delivery is services/mail.py's job, after commit: a failed
mail server never rolls back a decision, and without SMTP the mail waits in the outbox where
the council can read it.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, select

from budget.db.tables import Account, Notification, OutboxEmail, Proposal, ProposalAuthor
from budget.domain.errors import NotFound
from budget.domain.proposals import AuthorState
from budget.services import audit, mail_text


def notify(
    db: Session,
    now: datetime,
    account_id: int,
    kind: str,
    *,
    proposal_id: int | None = None,
    mandatory: bool = False,
    **params: object,
) -> None:
    """Tell one account about something (`kind`, see mail_text.Kind); `params` are public
    facts (JSON values) that fill the message. Mandatory ones are emailed even to accounts that
    turned email off."""
    account = db.get(Account, account_id)
    if account is None:
        raise NotFound(kind="account", id=account_id)
    if proposal_id is not None:
        params.setdefault("proposal", proposal_id)
    payload = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    db.add(
        Notification(
            account_id=account_id, at=now, kind=kind, proposal_id=proposal_id, params=payload
        )
    )
    if account.notify_by_email or mandatory:
        text = mail_text.render_for(kind, params, account.language)
        db.add(
            OutboxEmail(
                to_address=account.email, subject=text.subject, body=text.body, created_at=now
            )
        )


def accepted_authors(db: Session, row: Proposal) -> list[int]:
    """The proposal's accepted authors (creator first); its creator for a proposal written
    before author rows existed."""
    query = (
        select(ProposalAuthor.account_id)
        .where(ProposalAuthor.proposal_id == row.id, ProposalAuthor.state == AuthorState.ACCEPTED)
        .order_by(col(ProposalAuthor.id))
    )
    found = list(dict.fromkeys(db.exec(query).all()))
    return found or [row.created_by]


def notify_authors(
    db: Session,
    now: datetime,
    row: Proposal,
    kind: str,
    *,
    mandatory: bool = False,
    **params: object,
) -> None:
    """`notify` each accepted author of the proposal."""
    for account_id in accepted_authors(db, row):
        notify(db, now, account_id, kind, proposal_id=row.id, mandatory=mandatory, **params)


def mark_read(db: Session, now: datetime, *, account_id: int, notification_id: int) -> None:
    """Mark one of the account's own notifications read; another's is unknown (404, T7)."""
    row = db.get(Notification, notification_id)
    if row is None or row.account_id != account_id:
        raise NotFound(kind="notification", id=notification_id)
    if row.read_at is None:
        row.read_at = now
        db.add(row)
        audit.append(
            db, now, actor=account_id, action="notification.read",
            object=f"notification:{notification_id}",
        )  # fmt: skip


def mark_all_read(db: Session, now: datetime, *, account_id: int) -> int:
    """Mark every unread notification of the account read; returns how many."""
    unread = select(Notification).where(
        Notification.account_id == account_id, col(Notification.read_at).is_(None)
    )
    rows = list(db.exec(unread).all())
    for row in rows:
        row.read_at = now
        db.add(row)
    audit.append(
        db, now, actor=account_id, action="notification.read-all",
        object=f"account:{account_id}", details={"count": len(rows)},
    )  # fmt: skip
    return len(rows)


def set_email_preference(db: Session, now: datetime, *, account_id: int, enabled: bool) -> None:
    """Turn optional email notifications on or off (mandatory ones are always sent)."""
    account = db.get(Account, account_id)
    if account is None:
        raise NotFound(kind="account", id=account_id)
    if account.notify_by_email == enabled:
        return
    account.notify_by_email = enabled
    db.add(account)
    audit.append(
        db, now, actor=account_id, action="account.notify-by-email",
        object=f"account:{account_id}", details={"enabled": enabled},
    )  # fmt: skip
