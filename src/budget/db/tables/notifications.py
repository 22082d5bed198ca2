"""In-app notifications and the mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import utc


class Notification(SQLModel, table=True):
    """An in-app notification. `kind` and `params` (JSON) are rendered in the reader's language;
    never any ballot content."""

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    at: datetime = utc()
    kind: str = Field(max_length=32)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    params: str = Field(default="{}", sa_type=Text)
    read_at: datetime | None = utc(nullable=True)


class OutboxEmail(SQLModel, table=True):
    """Mail to send. A sender delivers it by SMTP when configured; otherwise it stays here for
    an administrator to read. Written in the same transaction as the event it reports."""

    __tablename__ = "outbox_email"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    created_at: datetime = utc()
    sent_at: datetime | None = utc(nullable=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
