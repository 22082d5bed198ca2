"""The roll's retention (issue 19; PRODUCT.md "Your data"): once a cycle is archived, who was
on its roll is no longer the city's to keep.

`purge_roll` deletes the cycle's voting codes and empties each of its roll entries, imported
or declared, of the person: names, birth date and year, postal address, the council's external
id, districts, the account it was bound to and any void reason. The emptied row stays as the
anonymous other end of its participations, so the certified vote's turnout and its record of
one ballot per voter stand; ballots carry no voter (T3) and are untouched. Archiving calls it
when the setting is `purge` (services.cycles.advance_phase); with `keep`, the council purges
later (`budget roll purge`). Audited with the counts, never with what was erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, delete, select

from budget.db.tables import Cycle, RollEntry, VotingCode
from budget.domain.cycle import Phase
from budget.domain.errors import NotFound, WrongPhase
from budget.services import audit


@dataclass(frozen=True)
class Purged:
    entries: int  # roll entries (imported or declared) emptied
    codes: int  # voting codes deleted


def _identifying() -> dict[str, object]:
    """Every column of a roll entry that says who it was, and its emptied value."""
    return {
        "external_id": None, "given_name": "", "family_name": "", "birth_date": None,
        "birth_year": None, "postal_address": "", "district_id": None,
        "chosen_district_id": None, "district_chosen_at": None, "account_id": None,
        "verified_by_provider": False, "void_reason": None,
    }  # fmt: skip


def purge_cycle(db: Session, now: datetime, *, actor_id: int | None, cycle_id: int) -> Purged:
    """Purge the roll of an archived cycle (see the module); `actor_id` None is the operator
    at the command line. Purging again finds nothing left to erase and says so in its counts."""
    cycle = db.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(kind="cycle", id=cycle_id)
    if cycle.phase != Phase.ARCHIVED:
        raise WrongPhase(phase=cycle.phase)
    codes = db.exec(
        select(func.count()).select_from(VotingCode).where(VotingCode.cycle_id == cycle_id)
    ).one()
    db.exec(delete(VotingCode).where(col(VotingCode.cycle_id) == cycle_id))
    entries = db.exec(
        select(func.count()).select_from(RollEntry).where(RollEntry.cycle_id == cycle_id)
    ).one()
    db.exec(
        update(RollEntry)
        .where(col(RollEntry.cycle_id) == cycle_id)
        .values(**_identifying(), updated_at=now)
    )
    audit.append(
        db, now, actor=actor_id, action="roll.purge", object=f"cycle:{cycle_id}",
        details={"entries": entries, "codes": codes},
    )  # fmt: skip
    return Purged(entries=entries, codes=codes)
