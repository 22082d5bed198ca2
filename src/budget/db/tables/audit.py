"""The hash-chained audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from budget.db.tables.columns import utc


class AuditLog(SQLModel, table=True):
    """Append-only, hash-chained (T10): triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = utc()
    actor: str = Field(max_length=64)  # "account:<id>" or "system"
    action: str = Field(max_length=64)
    object: str = Field(max_length=64)
    details: str = Field(sa_type=Text)  # canonical JSON, scrubbed of secrets
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
