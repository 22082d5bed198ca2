"""The public history of proposals: one `proposal_event` row per public fact.

Only public facts go in `details` (ids, amounts, dates): never internal notes, review scores or
the council's internal justification (T7). The audit log keeps the full record for the council.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, select

from budget.db.tables import Proposal, ProposalEvent
from budget.domain.errors import NotFound
from budget.domain.proposals import EventKind
from budget.services.mail_text import Kind
from budget.services.notifications import notify_authors


def record(
    db: Session, now: datetime, proposal_id: int, kind: EventKind, **details: object
) -> None:
    """Add one event to the proposal's public history (in the caller's transaction)."""
    payload = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    db.add(ProposalEvent(proposal_id=proposal_id, at=now, kind=kind, details=payload))


def record_review_started(db: Session, now: datetime, proposal_id: int) -> bool:
    """Record once, in the public history, that the proposal's review started, and tell its
    authors; False if it was already recorded. Called on a proposal's first assignment and for
    every proposal that enters review with its cycle."""
    seen = select(ProposalEvent.id).where(
        ProposalEvent.proposal_id == proposal_id, ProposalEvent.kind == EventKind.REVIEW_STARTED
    )
    if db.exec(seen).first() is not None:
        return False
    row = db.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    record(db, now, proposal_id, EventKind.REVIEW_STARTED)
    notify_authors(db, now, row, Kind.REVIEW_STARTED, title=row.title)
    return True
