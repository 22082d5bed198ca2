"""The public history of proposals: one `proposal_event` row per public fact.

Only public facts go in `details` (ids, amounts, dates): never internal notes, review scores or
the council's internal justification (T7). The audit log keeps the full record for the council.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session

from budget.db.tables import ProposalEvent
from budget.domain.proposals import EventKind


def record(
    db: Session, now: datetime, proposal_id: int, kind: EventKind, **details: object
) -> None:
    """Add one event to the proposal's public history (in the caller's transaction)."""
    payload = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    db.add(ProposalEvent(proposal_id=proposal_id, at=now, kind=kind, details=payload))
