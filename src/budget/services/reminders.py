"""Voting reminders (issue 16): when voting opens and two days before it closes, every account
bound to an active roll entry of the cycle that has not yet voted in a budget it may vote in is
told so, in the app and by email unless it opted out (`notifications.notify` decides).

`send_due_reminders` is what a scheduler (`budget remind`, run every hour or so) calls: each
reminder goes once per account, cycle and occasion, however often it runs.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import Account, Cycle, Notification, RollEntry
from budget.domain import cycle as cycle_rules
from budget.domain.cycle import Phase
from budget.services import audit, notifications
from budget.services.mail_text import Kind

CLOSING_NOTICE = timedelta(days=2)


def _already_told(db: Session, account_id: int, kind: str, cycle_id: int) -> bool:
    rows = db.exec(
        select(Notification.params).where(
            Notification.account_id == account_id, Notification.kind == kind
        )
    ).all()
    return any(json.loads(p).get("cycle_id") == cycle_id for p in rows)


def send_reminders(db: Session, now: datetime, *, cycle_id: int, kind: str) -> int:
    """Remind each bound, entitled account of the cycle with a verified address
    (domain.accounts.may_participate) that has a budget left to vote in;
    returns how many were told. Nobody is told twice of the same occasion."""
    cycle = db.get(Cycle, cycle_id)
    window = queries.voting_window(db, cycle_id)
    if cycle is None or cycle.phase != Phase.VOTING or window is None:
        return 0
    ends_at = window[1].astimezone(ZoneInfo(cycle.time_zone)).strftime("%Y-%m-%d %H:%M")
    bound = select(RollEntry).where(
        RollEntry.cycle_id == cycle_id, col(RollEntry.account_id).is_not(None)
    )
    told = 0
    for row in db.exec(bound.order_by(col(RollEntry.id))).all():
        voter = queries.entry_voter(db, queries.entry_view(row))
        left = voter.entitled - set(queries.participations_of(db, voter.entry_id))
        account_id = row.account_id
        if not left or account_id is None or _already_told(db, account_id, kind, cycle_id):
            continue
        if not queries.email_verified(db, account_id):  # who may not vote is not urged to
            continue
        account = db.get(Account, account_id)
        name = cycle.name_en if account is not None and account.language == "en" else cycle.name_fr
        notifications.notify(
            db, now, account_id, kind, cycle_id=cycle_id, cycle=name, ends_at=ends_at,
            count=len(left),
        )  # fmt: skip
        told += 1
    audit.append(
        db, now, actor=None, action="vote.reminders", object=f"cycle:{cycle_id}",
        details={"kind": kind, "told": told},
    )  # fmt: skip
    return told


def send_due_reminders(db: Session, now: datetime) -> dict[int, int]:
    """For each cycle in voting: the opening reminder, and the closing one once the end is
    two days away or less. Returns cycle -> accounts told now."""
    told: dict[int, int] = {}
    for cycle_id in queries.cycles_in_voting(db):
        window = queries.voting_window(db, cycle_id)
        if window is None or not cycle_rules.is_voting_open(Phase.VOTING, window, now):
            continue
        count = send_reminders(db, now, cycle_id=cycle_id, kind=Kind.VOTING_OPENED)
        if now >= window[1] - CLOSING_NOTICE:
            count += send_reminders(db, now, cycle_id=cycle_id, kind=Kind.VOTING_CLOSING)
        told[cycle_id] = count
    return told
