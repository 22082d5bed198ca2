"""Delivering the outbox by SMTP (after commit: `budget mail send`, run by cron or a timer).

Each unsent mail is tried in id order over one SMTP connection; success records `sent_at`, a
failure `attempts` and `last_error` (the server's answer, never the credentials: T12), and a
mail is given up after MAX_ATTEMPTS tries, staying readable in the outbox. Delivery is at least
once: if the process dies after the server accepted a mail but before the caller committed,
that mail is sent again next time. Without SMTP settings nothing is sent and the mail waits in
the outbox, where the council reads it (/admin/outbox).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlmodel import Session, col, select

from budget.db.tables import OutboxEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
ERROR_MAX = 500  # OutboxEmail.last_error
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send; built by the entry point from the BUDGET_SMTP_* settings."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed (T12)
    starttls: bool = True


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int


Connect = Callable[[SmtpServer], smtplib.SMTP]


def connect(server: SmtpServer) -> smtplib.SMTP:
    """An open, authenticated connection (STARTTLS first when asked)."""
    smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    try:
        if server.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if server.username:
            smtp.login(server.username, server.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def message_for(row: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(row.created_at.timestamp(), localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}")
    message.set_content(row.body)
    return message


def _failed(row: OutboxEmail, error: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX]


def deliver_pending(
    db: Session,
    now: datetime,
    *,
    server: SmtpServer,
    limit: int = 100,
    connector: Connect = connect,
) -> DeliveryReport:
    """Send up to `limit` unsent mails; the caller commits what was recorded."""
    query = (
        select(OutboxEmail)
        .where(col(OutboxEmail.sent_at).is_(None), col(OutboxEmail.attempts) < MAX_ATTEMPTS)
        .order_by(col(OutboxEmail.id))
        .limit(limit)
    )
    rows = list(db.exec(query).all())
    if not rows:
        return DeliveryReport(sent=0, failed=0)
    try:
        smtp = connector(server)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("cannot reach the mail server %s:%s: %s", server.host, server.port, error)
        for row in rows:
            _failed(row, error)
            db.add(row)
        return DeliveryReport(sent=0, failed=len(rows))
    sent = failed = 0
    try:
        for row in rows:
            try:
                smtp.send_message(message_for(row, server.sender))
            except (OSError, smtplib.SMTPException) as error:
                _failed(row, error)
                failed += 1
                log.warning("outbox mail %s not sent: %s", row.id, row.last_error)
            else:
                row.attempts += 1
                row.sent_at, row.last_error = now, None
                sent += 1
            db.add(row)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return DeliveryReport(sent=sent, failed=failed)
