"""The audit log, newest first, and its head hash."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from budget.db.tables import Account, AuditLog, Cycle
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
    actor_name: str | None = None  # the account's display name today, for `account:N`


ACCOUNT_ACTOR = "account:"  # services.audit.actor_label writes `account:<id>` or `system`


def _account_id(actor: str) -> int | None:
    number = actor.removeprefix(ACCOUNT_ACTOR)
    if actor.startswith(ACCOUNT_ACTOR) and number.isascii() and number.isdigit():
        return int(number)
    return None


def list_audit(db: Session, *, limit: int = 50, offset: int = 0) -> tuple[AuditEntryView, ...]:
    """Entries newest first, each actor with its account's display name (one query for all)."""
    query = select(AuditLog).order_by(col(AuditLog.seq).desc()).limit(limit).offset(offset)
    rows = db.exec(query).all()
    ids = {n for n in (_account_id(r.actor) for r in rows) if n is not None}
    names = dict(
        db.exec(select(Account.id, Account.display_name).where(col(Account.id).in_(ids))).all()
    )
    return tuple(
        AuditEntryView(
            seq=r.seq, at=r.at, actor=r.actor, action=r.action, target=r.object,
            details=json.loads(r.details), hash=r.hash,
            actor_name=names.get(_account_id(r.actor)),
        )
        for r in rows
    )  # fmt: skip


def log_time_zone(db: Session, default: str) -> str:
    """The zone the log's times are shown in: the newest cycle's, as the city's other pages
    show theirs; `default` before any cycle exists."""
    zone = db.exec(select(Cycle.time_zone).order_by(col(Cycle.id).desc()).limit(1)).first()
    return zone or default


def audit_head(db: Session) -> str:
    """The newest entry's hash (the anchor printed in certificates), or the genesis hash."""
    last = db.exec(select(AuditLog.hash).order_by(col(AuditLog.seq).desc()).limit(1)).first()
    return last or GENESIS
