"""Notifications and the outbox, as view models."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.rows import id_of
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
            id=id_of(n),
            at=n.at,
            kind=n.kind,
            proposal_id=n.proposal_id,
            params=json.loads(n.params),
            read_at=n.read_at,
        )
        for n in db.exec(query).all()
    )


def own_notification(db: Session, account_id: int, notification_id: int) -> NotificationView:
    """One of the account's own notifications; another's does not exist for it (T7)."""
    row = db.get(Notification, notification_id)
    if row is None or row.account_id != account_id:
        raise NotFound(kind="notification", id=notification_id)
    return NotificationView(
        id=notification_id,
        at=row.at,
        kind=row.kind,
        proposal_id=row.proposal_id,
        params=json.loads(row.params),
        read_at=row.read_at,
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


@dataclass(frozen=True)
class OutboxPage:
    mails: tuple[OutboxView, ...]
    page: int  # the page shown: the one asked for, or the last one when it asked for more
    pages: int
    total: int  # every mail in the outbox
    waiting: int  # of which not sent yet


def list_outbox(db: Session, *, page: int = 1, per_page: int = 50) -> OutboxPage:
    """One page of the outbox, newest first, with the counts that let the page link to every
    other page (nothing is cut off) and say how many mails wait."""
    total = db.exec(select(func.count()).select_from(OutboxEmail)).one()
    waiting = db.exec(
        select(func.count()).select_from(OutboxEmail).where(col(OutboxEmail.sent_at).is_(None))
    ).one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    query = (
        select(OutboxEmail)
        .order_by(col(OutboxEmail.id).desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    mails = tuple(
        OutboxView(
            id=id_of(r),
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
        for r in db.exec(query).all()
    )
    return OutboxPage(mails=mails, page=page, pages=pages, total=total, waiting=waiting)
