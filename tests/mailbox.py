"""Reading the outbox as a resident reads their mail: the links it carries, opened through the
services (for tests that build state) with the keys the test app uses."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from sqlmodel import Session, col, delete, select

from budget.config import Settings
from budget.db.tables import OutboxEmail
from budget.services import identity
from budget.services.identity import Links

SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # tests/webapp.py's
_SETTINGS = Settings(env="development", database_url="sqlite://", secret_key=SECRET_KEY)
TOKEN_KEY = _SETTINGS.key_for("tokens")
THROTTLE_KEY = _SETTINGS.key_for("throttle")
BASE_URL = "http://testserver"
_SOURCES = itertools.count(1)


def links(client_address: str | None = None) -> Links:
    """The app's keys; each call from a new documentation address unless one is given, so
    fixtures that make many accounts stay under the per-source mail throttle."""
    n = next(_SOURCES)
    address = client_address or f"198.51.{n // 250 % 250}.{n % 250 + 1}"
    return Links(TOKEN_KEY, BASE_URL, THROTTLE_KEY, address)


def mails_to(db: Session, address: str) -> list[OutboxEmail]:
    query = select(OutboxEmail).where(OutboxEmail.to_address == address)
    return list(db.exec(query.order_by(col(OutboxEmail.id))).all())


def link_token(db: Session, address: str, path: str) -> str:
    """The token of the newest link to `path` mailed to `address`."""
    pattern = re.compile(rf"https?://[^/\s]+{re.escape(path)}\?token=([A-Za-z0-9_-]+)")
    for mail in reversed(mails_to(db, address)):
        if found := pattern.search(mail.body):
            return found.group(1)
    raise AssertionError(f"no live link to {path} in the mail to {address}")


def verify(db: Session, now: dt.datetime, address: str) -> int:
    """Open the verification link mailed to `address`, as its owner would, then delete that
    mail (read and thrown away), so fixtures leave the outbox to what the test itself sends."""
    token = link_token(db, address, "/verify")
    account_id = identity.confirm_email(db, now, token=token, token_key=TOKEN_KEY)
    opened = [m for m in mails_to(db, address) if identity.SCRUBBED in m.body]
    db.exec(delete(OutboxEmail).where(col(OutboxEmail.id).in_([m.id for m in opened])))
    return account_id
