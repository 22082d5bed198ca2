"""The audit log (SECURITY.md T10): append inside the caller's transaction; verify the chain.

Appends are serialised so two transactions never take the same seq: PostgreSQL takes a
transaction-scoped advisory lock; SQLite transactions already hold the write lock from their
start (`BEGIN IMMEDIATE`, see db/engine.py). The primary key on seq backs both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from budget.db.tables import AuditLog
from budget.domain.audit import GENESIS, AuditRecord, entry_hash, first_broken, scrub

_LOCK_KEY = 0x6275646765740001  # "budget" + 1: this application's advisory lock for the log


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_seq: int | None
    head: str


def actor_label(actor: int | None) -> str:
    return "system" if actor is None else f"account:{actor}"


def append(
    db: Session,
    now: datetime,
    *,
    actor: int | None,
    action: str,
    object: str,
    details: Mapping[str, object] | None = None,
) -> int:
    """Add one entry chained to the previous one; returns its seq. Details are scrubbed of
    secrets (T12) and must be JSON-serialisable."""
    bind = db.get_bind()
    if bind.dialect.name == "postgresql":
        db.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = db.exec(select(AuditLog).order_by(col(AuditLog.seq).desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    clean = json.loads(json.dumps(scrub(details or {}), sort_keys=True, default=str))
    label = actor_label(actor)
    digest = entry_hash(seq, now, label, action, object, clean, prev)
    db.add(
        AuditLog(
            seq=seq,
            at=now,
            actor=label,
            action=action,
            object=object,
            details=json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            prev_hash=prev,
            hash=digest,
        )
    )
    db.flush()
    return seq


def verify_chain(db: Session) -> ChainReport:
    """Recompute every hash in seq order; the report names the first entry that breaks."""
    rows = db.exec(select(AuditLog).order_by(col(AuditLog.seq))).all()
    records = [
        AuditRecord(
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            action=row.action,
            target=row.object,
            details=json.loads(row.details),
            prev_hash=row.prev_hash,
            hash=row.hash,
        )
        for row in rows
    ]
    bad = first_broken(records)
    head = records[-1].hash if records else GENESIS
    return ChainReport(ok=bad is None, entries=len(records), first_bad_seq=bad, head=head)
