"""Demo residents confirm their address as a resident does: register, open the mailed link.

The demo's links use a key of their own (they are opened at once, never by a browser), and each
demo account registers from its own made-up source so the mail throttle (T4) does not stop a
demo of hundreds of residents. The spent confirmation mails are then dropped from the outbox:
they are the demo's, not anybody's mail.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlmodel import Session, col, delete, select

from budget.db.queries import AccountView
from budget.db.tables import OutboxEmail
from budget.services import accounts, identity
from budget.services.identity import Links

_LINK = re.compile(r"/verify\?token=([A-Za-z0-9_-]+)")


def register_verified(db: Session, now: datetime, **fields: object) -> AccountView:
    """accounts.register, then the mailed verification link opened."""
    key = secrets.token_bytes(32)
    links = Links(key, "http://demo.invalid", key, f"demo-{secrets.token_hex(4)}")
    view = accounts.register(db, now, links=links, **fields)  # type: ignore[arg-type]
    assert view is not None  # noqa: S101 - the demo's addresses are new
    query = select(OutboxEmail).where(OutboxEmail.to_address == view.email)
    mail = db.exec(query.order_by(col(OutboxEmail.id).desc())).first()
    found = _LINK.search(mail.body) if mail is not None else None
    if mail is None or found is None:  # pragma: no cover - register always mails the link
        raise RuntimeError("registration mailed no verification link")
    identity.confirm_email(db, now, token=found.group(1), token_key=key)
    db.exec(delete(OutboxEmail).where(col(OutboxEmail.id) == mail.id))
    return view
