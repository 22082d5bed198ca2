"""Notifications and the outbox, as view models."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.tables import Account, Notification, OutboxEmail
from budget.domain.errors import NotFound


@dataclass(frozen=True)
class NotificationView:
    id: int
    at: datetime
    kind: str
    proposal_id: int | None
    params: dict[str, object]
    read_at: datetime | None


@dataclass(frozen=True)
class OutboxView:
    id: int
    to_address: str
    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


def notifications_of(
    db: Session, account_id: int, *, limit: int = 100
) -> tuple[NotificationView, ...]:
    """The account's own notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.account_id == account_id)
        .order_by(col(Notification.id).desc())
        .limit(limit)
    )
    return tuple(
        NotificationView(
            id=n.id or 0,
            at=n.at,
            kind=n.kind,
            proposal_id=n.proposal_id,
            params=json.loads(n.params),
            read_at=n.read_at,
        )
        for n in db.exec(query).all()
    )


def unread_count(db: Session, account_id: int) -> int:
    """One indexed count, cheap enough for every page's navigation."""
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.account_id == account_id, col(Notification.read_at).is_(None))
    )
    return db.exec(query).one()


def email_preference(db: Session, account_id: int) -> bool:
    account = db.get(Account, account_id)
    if account is None:
        raise NotFound(kind="account", id=account_id)
    return account.notify_by_email


MAILED_TOKEN: Final = re.compile(r"token=[A-Za-z0-9_-]+")


def list_outbox(db: Session, *, limit: int = 200) -> tuple[OutboxView, ...]:
    """Mail waiting first (oldest first), then the most recently sent."""
    waiting = (
        select(OutboxEmail).where(col(OutboxEmail.sent_at).is_(None)).order_by(col(OutboxEmail.id))
    )
    sent = (
        select(OutboxEmail)
        .where(col(OutboxEmail.sent_at).is_not(None))
        .order_by(col(OutboxEmail.id).desc())
    )
    rows = [*db.exec(waiting.limit(limit)).all(), *db.exec(sent.limit(limit)).all()]
    return tuple(
        OutboxView(
            id=r.id or 0,
            to_address=r.to_address,
            subject=r.subject,
            # A single-use link is the recipient's alone: the council reading the outbox
            # (no SMTP configured) must not be able to reset or confirm someone's account.
            body=MAILED_TOKEN.sub("token=[hidden]", r.body),
            created_at=r.created_at,
            sent_at=r.sent_at,
            attempts=r.attempts,
            last_error=r.last_error,
        )
        for r in rows[:limit]
    )
