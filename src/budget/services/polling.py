"""Polling places and paper ballots (PRODUCT.md "Paper ballots (urns)"; T1, T2, T7, T9).

- The council creates places, the budgets voted there and officers' shifts (audited).
- An officer acts only at their place during their shift (`require_on_shift`, T2).
- Check-in inserts one `participation` (channel paper) per budget, under the same
  UNIQUE(entry, budget) as online voting: whichever comes second is refused, whatever the
  interleaving (T1). In a `declared` cycle an officer may enter a new declared entry on the spot.
- Double entry: a batch of at most 50 numbered ballots is entered by side A and side B (two
  accounts: the first officer to enter takes A, another takes B; a CHECK forbids one account on
  both). Every reading goes through the ballot validator of online ballots. When both sides are
  complete and agree exactly the batch is accepted and only then are its ballots stored, with the
  batch id and no receipt or voter link; an officer corrects only a number that differs.
- The council voids a batch with the reason (its ballots go; re-entered as a new batch).
- `close_blockers` is what the close step asks: any surplus or batch not accepted.
Nothing here logs or audits what a ballot chose.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from budget.db import queries
from budget.db.inserts import insert_new
from budget.db.queries.polling import (
    BatchView,
    candidate,
    get_batch,
    get_place,
    officer_shifts,
    place_budget_pairs,
    reconciliation,
    side_marks,
    voted_budgets,
)
from budget.db.tables import (
    Ballot,
    Budget,
    CheckIn,
    Cycle,
    District,
    OfficerShift,
    PaperBatch,
    PaperEntry,
    Participation,
    PlaceBudget,
    PollingPlace,
    RollEntry,
)
from budget.domain import polling, validation
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.eligibility import EligibilityMode, EntrySource
from budget.domain.errors import (
    AlreadyEntered,
    AlreadyVoted,
    BatchClosed,
    BudgetError,
    InvalidChoice,
    NotADifference,
    NotFound,
    NothingToCheckIn,
    NotOfficer,
    NotVotedHere,
    OffShift,
    OffShiftNone,
    OutOfRange,
    Required,
    ShiftOrder,
    SidesTaken,
    TooLong,
    VoteOver,
    WrongPhase,
    raise_if_any,
)
from budget.domain.polling import BATCH_MAX, BatchState, Mark, PaperKind, Side
from budget.services import audit, codes, voting
from budget.services.cycles import require_council

NAME_MAX = 120


# -- the council: places, budgets, shifts, voids -------------------------------------------------


def _text(errors: dict[str, BudgetError], name: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        errors[name] = Required()
    elif len(value) > limit:
        errors[name] = TooLong(max=limit)
    return value


def create_place(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    cycle_id: int,
    name: str,
    address: str,
    budget_ids: Collection[int],
) -> int:
    """A polling place of the cycle and the budgets voted there (at least one)."""
    require_council(db, actor_id)
    if db.get(Cycle, cycle_id) is None:
        raise NotFound(kind="cycle", id=cycle_id)
    errors: dict[str, BudgetError] = {}
    name = _text(errors, "name", name, NAME_MAX)
    address = address.strip()
    if len(address) > 500:
        errors["address"] = TooLong(max=500)
    chosen = sorted(set(budget_ids))
    known = set(db.exec(select(Budget.id).where(Budget.cycle_id == cycle_id)).all())
    if not chosen:
        errors["budget_ids"] = Required()
    elif not set(chosen) <= known:
        errors["budget_ids"] = InvalidChoice(choices="the budgets of this cycle")
    raise_if_any(errors)
    place = PollingPlace(cycle_id=cycle_id, name=name, address=address, created_at=now)
    db.add(place)
    db.flush()
    assert place.id is not None  # noqa: S101 - flush assigns the id
    for budget_id in chosen:
        db.add(PlaceBudget(place_id=place.id, budget_id=budget_id))
    db.flush()
    audit.append(
        db, now, actor=actor_id, action="polling.place.create", object=f"polling_place:{place.id}",
        details={"cycle": cycle_id, "name": name, "budgets": chosen},
    )  # fmt: skip
    return place.id


def add_shift(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    place_id: int,
    account_id: int,
    starts_at: datetime,
    ends_at: datetime,
) -> int:
    """An officer's shift at the place; the account must hold the officer role."""
    require_council(db, actor_id)
    get_place(db, place_id)
    if not queries.get_account(db, account_id).has_role(Role.OFFICER):
        raise NotOfficer()
    if ends_at <= starts_at:
        raise ShiftOrder()
    shift = OfficerShift(
        place_id=place_id, account_id=account_id, starts_at=starts_at, ends_at=ends_at
    )
    db.add(shift)
    db.flush()
    assert shift.id is not None  # noqa: S101
    audit.append(
        db, now, actor=actor_id, action="polling.shift.add", object=f"polling_place:{place_id}",
        details={"officer": account_id, "starts_at": starts_at.isoformat(),
                 "ends_at": ends_at.isoformat()},
    )  # fmt: skip
    return shift.id


def void_batch(db: Session, now: datetime, *, actor_id: int, batch_id: int, reason: str) -> None:
    """The council voids a batch with the explanation: its stored ballots (if accepted) go, the
    entries stay as the record; the paper is re-entered as a new batch."""
    require_council(db, actor_id)
    batch = _locked_batch(db, batch_id)
    errors: dict[str, BudgetError] = {}
    reason = _text(errors, "reason", reason, 500)
    raise_if_any(errors)
    if batch.state == BatchState.VOIDED:
        raise BatchClosed(number=batch.number, state=batch.state)
    _require_voting_phase(db, batch.budget_id)
    db.exec(delete(Ballot).where(col(Ballot.batch_id) == batch_id))
    was = batch.state
    batch.state = BatchState.VOIDED
    batch.void_reason = reason
    db.add(batch)
    db.flush()
    audit.append(
        db, now, actor=actor_id, action="polling.batch.void", object=f"paper_batch:{batch_id}",
        details={"reason": reason, "was": was},
    )  # fmt: skip


# -- officers: shifts ------------------------------------------------------------------------------


def require_on_shift(db: Session, now: datetime, officer_id: int, place_id: int) -> None:
    """OffShift (403, naming the next shift) unless the officer is on shift at the place now."""
    mine = officer_shifts(db, officer_id, place_id)
    if polling.on_shift(mine, now):
        return
    upcoming = polling.next_shift(mine, now)
    if upcoming is None:
        raise OffShiftNone()
    raise OffShift(next=upcoming.starts_at)


# -- officers: check-in ----------------------------------------------------------------------------


def open_budgets(db: Session, place_id: int, entry_id: int) -> tuple[int, ...]:
    """The budgets voted at the place that the entry is entitled to and has not voted in."""
    return candidate(db, get_place(db, place_id), queries.get_entry(db, entry_id)).open_budgets


def check_in(
    db: Session,
    now: datetime,
    *,
    officer_id: int,
    place_id: int,
    entry_id: int,
    budget_ids: Collection[int],
) -> tuple[int, ...]:
    """Record the entry's paper participation in each chosen budget (at least one). A budget
    already voted (online, by code or at another urn) is refused by the UNIQUE constraint and
    nothing is written (T1); entitlement is computed from the roll entry (T2)."""
    require_on_shift(db, now, officer_id, place_id)
    place = get_place(db, place_id)
    chosen = sorted(set(budget_ids))
    if not chosen:
        raise NothingToCheckIn()
    for budget_id in chosen:
        if budget_id not in place.budget_ids:
            raise NotVotedHere(budget=budget_id)
    for budget_id in chosen:
        budget, cycle = voting._open_budget(db, now, budget_id)  # the one open check
        entry = voting._entitled_entry(db, cycle, entry_id, budget)
        participation = Participation(
            roll_entry_id=entry_id, budget_id=budget_id, channel=voting.Channel.PAPER,
            voted_on=now.astimezone(ZoneInfo(cycle.time_zone)).date(),
        )  # fmt: skip
        written = insert_new(db, participation)  # INSERT, never check first
        if written is None:
            earlier = voted_budgets(db, entry_id, [budget_id])
            raise AlreadyVoted(budget=budget_id, channel=earlier.get(budget_id, "paper"))
        voting._fix_district(db, now, cycle, entry, budget)
        db.add(CheckIn(participation_id=written[0], place_id=place_id, officer_id=officer_id))
    db.flush()
    audit.append(
        db, now, actor=officer_id, action="polling.check-in", object=f"roll_entry:{entry_id}",
        details={"place": place_id, "budgets": chosen},
    )  # fmt: skip
    return tuple(chosen)


def find_by_code(
    db: Session, now: datetime, *, officer_id: int, place_id: int, typed: str, key: bytes
) -> int | BudgetError:
    """The entry whose mailed letter's code was typed at check-in (services.codes: throttled
    per officer, never logged), or the error to show; audited without the code."""
    require_on_shift(db, now, officer_id, place_id)
    place = get_place(db, place_id)
    found = codes.entry_for_code(
        db, now, cycle_id=place.cycle_id, typed=typed, key=key, source=f"officer:{officer_id}"
    )
    audit.append(
        db, now, actor=officer_id, action="polling.code-lookup", object=f"polling_place:{place_id}",
        details={"found": not isinstance(found, BudgetError)},
    )  # fmt: skip
    return found if isinstance(found, BudgetError) else found.id


def declare_at_place(
    db: Session,
    now: datetime,
    *,
    officer_id: int,
    place_id: int,
    given_name: str,
    family_name: str,
    birth_date: date | None,
    district_id: int | None,
) -> int:
    """In a `declared` cycle, a person not yet on the roll becomes a new declared entry, entered
    by the officer who checked their ID (audited); then checked in like anyone."""
    require_on_shift(db, now, officer_id, place_id)
    place = get_place(db, place_id)
    cycle = db.get(Cycle, place.cycle_id)
    assert cycle is not None  # noqa: S101 - a foreign key
    if cycle.eligibility_mode != EligibilityMode.DECLARED:
        raise WrongPhase(phase=cycle.eligibility_mode)
    errors: dict[str, BudgetError] = {}
    given = _text(errors, "given_name", given_name, NAME_MAX)
    family = _text(errors, "family_name", family_name, NAME_MAX)
    if birth_date is None:
        errors["birth_date"] = Required()
    elif not 1900 <= birth_date.year <= now.year:
        errors["birth_date"] = OutOfRange(min=1900, max=now.year)
    district = db.get(District, district_id) if district_id is not None else None
    if district is None or district.cycle_id != cycle.id:
        errors["district_id"] = InvalidChoice(choices="the districts of this cycle")
    raise_if_any(errors)
    assert birth_date is not None  # noqa: S101 - checked above
    entry = RollEntry(
        cycle_id=place.cycle_id, source=EntrySource.DECLARED, given_name=given, family_name=family,
        birth_date=birth_date, birth_year=birth_date.year, district_id=district_id,
        created_at=now, updated_at=now,
    )  # fmt: skip
    db.add(entry)
    db.flush()
    assert entry.id is not None  # noqa: S101
    audit.append(
        db, now, actor=officer_id, action="polling.declare", object=f"roll_entry:{entry.id}",
        details={"place": place_id, "district": district_id},
    )  # fmt: skip
    return entry.id


# -- officers: batches and double entry ------------------------------------------------------------


def _require_voting_phase(db: Session, budget_id: int) -> None:
    budget = db.get(Budget, budget_id)
    assert budget is not None  # noqa: S101 - a foreign key
    cycle = db.get(Cycle, budget.cycle_id)
    assert cycle is not None  # noqa: S101
    if cycle.phase != Phase.VOTING:
        raise VoteOver()


def open_batch(
    db: Session, now: datetime, *, officer_id: int, place_id: int, budget_id: int, size: int
) -> int:
    """A new batch of `size` (1..50) numbered ballots of a budget voted at the place."""
    require_on_shift(db, now, officer_id, place_id)
    place = get_place(db, place_id)
    if budget_id not in place.budget_ids:
        raise NotVotedHere(budget=budget_id)
    if not 1 <= size <= BATCH_MAX:
        raise OutOfRange(min=1, max=BATCH_MAX)
    _require_voting_phase(db, budget_id)
    numbers = db.exec(
        select(PaperBatch.number).where(
            PaperBatch.place_id == place_id, PaperBatch.budget_id == budget_id
        )
    ).all()
    batch = PaperBatch(
        place_id=place_id, budget_id=budget_id, number=max(numbers, default=0) + 1, size=size,
        state=BatchState.OPEN, created_at=now,
    )  # fmt: skip
    db.add(batch)
    db.flush()
    assert batch.id is not None  # noqa: S101
    audit.append(
        db, now, actor=officer_id, action="polling.batch.open", object=f"paper_batch:{batch.id}",
        details={"place": place_id, "budget": budget_id, "number": batch.number, "size": size},
    )  # fmt: skip
    return batch.id


def _locked_batch(db: Session, batch_id: int) -> PaperBatch:
    row = db.exec(select(PaperBatch).where(PaperBatch.id == batch_id).with_for_update()).first()
    if row is None:
        raise NotFound(kind="paper batch", id=batch_id)
    return row


def _entering(db: Session, now: datetime, officer_id: int, batch_id: int) -> PaperBatch:
    batch = _locked_batch(db, batch_id)
    require_on_shift(db, now, officer_id, batch.place_id)
    if batch.state in (BatchState.ACCEPTED, BatchState.VOIDED):
        raise BatchClosed(number=batch.number, state=batch.state)
    _require_voting_phase(db, batch.budget_id)
    return batch


def _side(batch: PaperBatch, officer_id: int) -> Side:
    """The officer's side, taking a free one: the first officer takes A, another B (T2: never
    both; a CHECK in the database says so too)."""
    if officer_id == batch.officer_a_id:
        return Side.A
    if officer_id == batch.officer_b_id:
        return Side.B
    if batch.officer_a_id is None:
        batch.officer_a_id = officer_id
        return Side.A
    if batch.officer_b_id is None:
        batch.officer_b_id = officer_id
        return Side.B
    raise SidesTaken()


def read_mark(db: Session, budget_id: int, kind: PaperKind, ballot: validation.Ballot) -> Mark:
    """A reading as it will be compared and stored: choices through the online validator
    (canonical), any other kind without choices."""
    if kind is not PaperKind.CHOICES:
        return Mark(kind)
    rules = queries.frozen_budget(db, budget_id).rules
    return Mark(kind, validation.validate(rules, ballot))


@dataclass(frozen=True)
class Reading:
    """What an officer typed for one ballot number."""

    kind: PaperKind
    ballot: validation.Ballot = field(default_factory=lambda: validation.Ballot(()))


def enter_batch(
    db: Session,
    now: datetime,
    *,
    officer_id: int,
    batch_id: int,
    readings: Mapping[int, Reading],
) -> Side:
    """Record the officer's readings of numbers their side has not entered yet (a side may be
    entered in several sittings); every reading is validated before anything is written, each
    error filed under its number (`ballot-<n>`). Accepts the batch when both sides agree."""
    batch = _entering(db, now, officer_id, batch_id)
    side = _side(batch, officer_id)
    mine = side_marks(db, batch_id, side)
    errors: dict[str, BudgetError] = {}
    marks: dict[int, Mark] = {}
    for number, reading in sorted(readings.items()):
        if not 1 <= number <= batch.size:
            errors[f"ballot-{number}"] = OutOfRange(min=1, max=batch.size)
        elif number in mine:
            errors[f"ballot-{number}"] = AlreadyEntered(number=number)
        else:
            try:
                marks[number] = read_mark(db, batch.budget_id, reading.kind, reading.ballot)
            except BudgetError as error:
                errors[f"ballot-{number}"] = error
    raise_if_any(errors)
    if not marks:
        raise Required()
    for number, mark in marks.items():
        db.add(_entry(batch_id, side, number, officer_id, mark, now))
    batch.state = BatchState.ENTERING
    db.add(batch)
    db.flush()
    audit.append(
        db, now, actor=officer_id, action="polling.batch.enter", object=f"paper_batch:{batch_id}",
        details={"side": side.value, "numbers": sorted(marks)},
    )  # fmt: skip
    _accept_if_agreed(db, now, batch, officer_id)
    return side


def _entry(
    batch_id: int, side: Side, number: int, officer_id: int, mark: Mark, now: datetime
) -> PaperEntry:
    return PaperEntry(
        batch_id=batch_id, side=side.value, ballot_number=number, officer_id=officer_id,
        kind=mark.kind.value,
        choices=validation.to_json(mark.ballot) if mark.is_counted else "", entered_at=now,
    )  # fmt: skip


def correct_entry(
    db: Session, now: datetime, *, officer_id: int, batch_id: int, number: int, reading: Reading
) -> bool:
    """The officer replaces their own reading of one number, only one that the comparison lists
    as a difference; True when the batch is then accepted."""
    batch = _entering(db, now, officer_id, batch_id)
    side = _side(batch, officer_id)
    a, b = side_marks(db, batch_id, Side.A), side_marks(db, batch_id, Side.B)
    complete = polling.is_complete(batch.size, a) and polling.is_complete(batch.size, b)
    listed = {d.number for d in polling.differences(batch.size, a, b)} if complete else set()
    if number not in listed:
        raise NotADifference(number=number)
    mark = read_mark(db, batch.budget_id, reading.kind, reading.ballot)
    row = db.exec(
        select(PaperEntry).where(
            PaperEntry.batch_id == batch_id, PaperEntry.side == side.value,
            PaperEntry.ballot_number == number,
        )
    ).one()  # fmt: skip
    row.kind = mark.kind.value
    row.choices = validation.to_json(mark.ballot) if mark.is_counted else ""
    row.officer_id = officer_id
    row.entered_at = now
    db.add(row)
    db.flush()
    audit.append(
        db, now, actor=officer_id, action="polling.batch.correct",
        object=f"paper_batch:{batch_id}", details={"side": side.value, "number": number},
    )  # fmt: skip
    return _accept_if_agreed(db, now, batch, officer_id)


def _accept_if_agreed(db: Session, now: datetime, batch: PaperBatch, officer_id: int) -> bool:
    """Both sides complete and equal: store exactly the batch's counted ballots, with its id."""
    assert batch.id is not None  # noqa: S101
    a, b = side_marks(db, batch.id, Side.A), side_marks(db, batch.id, Side.B)
    if not polling.agrees(batch.size, a, b):
        return False
    for mark in a.values():
        if mark.is_counted:
            db.add(
                Ballot(
                    id=secrets.token_hex(16), budget_id=batch.budget_id,
                    choices=validation.to_json(mark.ballot), channel="paper", batch_id=batch.id,
                )
            )  # fmt: skip
    batch.state = BatchState.ACCEPTED
    db.add(batch)
    db.flush()
    audit.append(
        db, now, actor=officer_id, action="polling.batch.accept",
        object=f"paper_batch:{batch.id}", details={"size": batch.size},
    )  # fmt: skip
    return True


def batch_for_officer(db: Session, now: datetime, officer_id: int, batch_id: int) -> BatchView:
    """The batch, if the officer is on shift at its place now (else OffShift)."""
    batch = get_batch(db, batch_id)
    require_on_shift(db, now, officer_id, batch.place_id)
    return batch


# -- closing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseBlocker:
    """Why the vote cannot close: a place and budget with a surplus of paper ballots over
    check-ins, or with batches not accepted. `code` and `params` key the translated message;
    `message` is the English fallback."""

    place_id: int
    place_name: str
    budget_id: int
    code: str
    params: Mapping[str, int]

    @property
    def message(self) -> str:
        if self.code == "polling.surplus":
            return (
                f"{self.place_name}, budget {self.budget_id}: {self.params['paper']} paper "
                f"ballots for {self.params['check_ins']} check-ins"
            )
        return (
            f"{self.place_name}, budget {self.budget_id}: {self.params['count']} paper "
            "batches not accepted"
        )


def close_blockers(db: Session, cycle_id: int) -> list[CloseBlocker]:
    """Every reason the cycle's vote cannot close yet (empty: the places are reconciled)."""
    found: list[CloseBlocker] = []
    for place, budget_id in place_budget_pairs(db, cycle_id):
        for code, params in polling.blockers(reconciliation(db, place.id, budget_id)):
            found.append(CloseBlocker(place.id, place.name, budget_id, code, params))
    return found
