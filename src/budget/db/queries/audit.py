"""The audit log, newest first, and its head hash."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from budget.db.tables import (
    AuditLog,
)
from budget.domain.audit import GENESIS


@dataclass(frozen=True)
class AuditEntryView:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str  # the log's `object` column
    details: Mapping[str, object]
    hash: str


def list_audit(db: Session, *, limit: int = 50, offset: int = 0) -> tuple[AuditEntryView, ...]:
    """Entries newest first."""
    query = select(AuditLog).order_by(col(AuditLog.seq).desc()).limit(limit).offset(offset)
    return tuple(
        AuditEntryView(
            seq=r.seq, at=r.at, actor=r.actor, action=r.action, target=r.object,
            details=json.loads(r.details), hash=r.hash,
        )
        for r in db.exec(query).all()
    )  # fmt: skip


def audit_head(db: Session) -> str:
    """The newest entry's hash (the anchor printed in certificates), or the genesis hash."""
    last = db.exec(select(AuditLog.hash).order_by(col(AuditLog.seq).desc()).limit(1)).first()
    return last or GENESIS
