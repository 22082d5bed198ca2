"""Polling places, shifts, check-ins and paper batches, as officers and the council see them.

An officer's view of a batch holds their own side only (side B never sees A's readings); the
differences appear once both sides are complete. Counts of ballots by kind are the council's
(reconciliation); officers see check-ins and batch states, never what the ballots chose (T9).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.queries.roll import RollEntryView, entitled_budget_ids, entry_view
from budget.db.queries.voting import ballot_projects, frozen_budget
from budget.db.tables import (
    Account,
    Budget,
    CheckIn,
    Cycle,
    OfficerShift,
    PaperBatch,
    PaperEntry,
    Participation,
    PlaceBudget,
    PollingPlace,
    RoleGrant,
    RollEntry,
)
from budget.domain import polling
from budget.domain.errors import NotFound
from budget.domain.polling import BatchState, Mark, PaperKind, Reconciliation, Shift, Side
from budget.domain.validation import from_json

SEARCH_LIMIT = 20  # entries shown for one name and birth date


@dataclass(frozen=True)
class PlaceView:
    id: int
    cycle_id: int
    name: str
    address: str
    budget_ids: tuple[int, ...]


@dataclass(frozen=True)
class ShiftView:
    id: int
    place_id: int
    place_name: str
    account_id: int
    officer_name: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class BatchView:
    id: int
    place_id: int
    budget_id: int
    number: int
    size: int
    state: BatchState
    officer_a_id: int | None
    officer_b_id: int | None
    void_reason: str | None

    def side_of(self, account_id: int) -> Side | None:
        """The side this officer holds (or would take next), None when both are someone's."""
        if account_id == self.officer_a_id:
            return Side.A
        if account_id == self.officer_b_id:
            return Side.B
        if self.officer_a_id is None:
            return Side.A
        return Side.B if self.officer_b_id is None else None


def _place(row: PollingPlace, budget_ids: tuple[int, ...]) -> PlaceView:
    assert row.id is not None  # noqa: S101 - rows read back carry their id
    return PlaceView(row.id, row.cycle_id, row.name, row.address, budget_ids)


def get_place(db: Session, place_id: int) -> PlaceView:
    row = db.get(PollingPlace, place_id)
    if row is None:
        raise NotFound(kind="polling place", id=place_id)
    budgets = db.exec(
        select(PlaceBudget.budget_id)
        .where(PlaceBudget.place_id == place_id)
        .order_by(col(PlaceBudget.budget_id))
    ).all()
    return _place(row, tuple(budgets))


def cycle_places(db: Session, cycle_id: int) -> tuple[PlaceView, ...]:
    rows = db.exec(
        select(PollingPlace.id).where(PollingPlace.cycle_id == cycle_id).order_by(PollingPlace.name)
    ).all()
    return tuple(get_place(db, place_id) for place_id in rows if place_id is not None)


def _shift(row: OfficerShift, place: str, officer: str) -> ShiftView:
    assert row.id is not None  # noqa: S101
    return ShiftView(
        row.id, row.place_id, place, row.account_id, officer, row.starts_at, row.ends_at
    )


def shifts(
    db: Session, *, place_id: int | None = None, account_id: int | None = None
) -> tuple[ShiftView, ...]:
    """Shifts of a place, of an officer, or of an officer at a place, by start."""
    query = (
        select(OfficerShift, PollingPlace.name, Account.display_name)
        .join(PollingPlace, col(PollingPlace.id) == OfficerShift.place_id)
        .join(Account, col(Account.id) == OfficerShift.account_id)
    )
    if place_id is not None:
        query = query.where(OfficerShift.place_id == place_id)
    if account_id is not None:
        query = query.where(OfficerShift.account_id == account_id)
    rows = db.exec(query.order_by(col(OfficerShift.starts_at), col(OfficerShift.id))).all()
    return tuple(_shift(row, place, officer) for row, place, officer in rows)


def officer_shifts(db: Session, account_id: int, place_id: int) -> tuple[Shift, ...]:
    """The officer's shifts at the place, as domain.polling checks them."""
    found = shifts(db, place_id=place_id, account_id=account_id)
    return tuple(Shift(s.starts_at, s.ends_at) for s in found)


def _batch(row: PaperBatch) -> BatchView:
    assert row.id is not None  # noqa: S101
    return BatchView(
        row.id, row.place_id, row.budget_id, row.number, row.size, BatchState(row.state),
        row.officer_a_id, row.officer_b_id, row.void_reason,
    )  # fmt: skip


def get_batch(db: Session, batch_id: int) -> BatchView:
    row = db.get(PaperBatch, batch_id)
    if row is None:
        raise NotFound(kind="paper batch", id=batch_id)
    return _batch(row)


def place_batches(db: Session, place_id: int) -> tuple[BatchView, ...]:
    rows = db.exec(
        select(PaperBatch)
        .where(PaperBatch.place_id == place_id)
        .order_by(col(PaperBatch.budget_id), col(PaperBatch.number))
    ).all()
    return tuple(_batch(row) for row in rows)


def mark_of(row: PaperEntry) -> Mark:
    kind = PaperKind(row.kind)
    if kind is PaperKind.CHOICES:
        return Mark(kind, from_json(row.choices))
    return Mark(kind)


def side_marks(db: Session, batch_id: int, side: Side) -> dict[int, Mark]:
    """One side's readings of a batch, by ballot number."""
    rows = db.exec(
        select(PaperEntry).where(PaperEntry.batch_id == batch_id, PaperEntry.side == side.value)
    ).all()
    return {row.ballot_number: mark_of(row) for row in rows}


@dataclass(frozen=True)
class BatchComparison:
    """What both officers of a batch may see: the differences, once both sides are complete."""

    complete_a: bool
    complete_b: bool
    differences: tuple[polling.Difference, ...]


def compare_batch(db: Session, batch: BatchView) -> BatchComparison:
    a = side_marks(db, batch.id, Side.A)
    b = side_marks(db, batch.id, Side.B)
    done_a, done_b = polling.is_complete(batch.size, a), polling.is_complete(batch.size, b)
    found = polling.differences(batch.size, a, b) if done_a and done_b else ()
    return BatchComparison(done_a, done_b, found)


def check_in_count(db: Session, place_id: int, budget_id: int | None = None) -> int:
    query = (
        select(func.count())
        .select_from(CheckIn)
        .join(Participation, col(Participation.id) == CheckIn.participation_id)
        .where(CheckIn.place_id == place_id)
    )
    if budget_id is not None:
        query = query.where(Participation.budget_id == budget_id)
    counted: int = db.exec(query).one()
    return counted


def _accepted_tally(db: Session, batch_ids: list[int | None]) -> tuple[int, int, int]:
    """(ballots, blank, invalid) read in accepted batches (side A: both sides agreed)."""
    rows = db.exec(
        select(PaperEntry).where(
            col(PaperEntry.batch_id).in_(batch_ids), PaperEntry.side == Side.A.value
        )
    ).all()
    return polling.tally_marks(mark_of(row) for row in rows)


def paper_tally(db: Session, budget_id: int) -> tuple[int, int, int]:
    """(ballots, blank, invalid) of a budget's accepted paper batches, every place together:
    what closing records beside the box (blank and invalid paper ballots are not in it)."""
    accepted = db.exec(
        select(PaperBatch.id).where(
            PaperBatch.budget_id == budget_id, PaperBatch.state == BatchState.ACCEPTED
        )
    ).all()
    return _accepted_tally(db, list(accepted))


def reconciliation(db: Session, place_id: int, budget_id: int) -> Reconciliation:
    """Check-ins against the accepted paper ballots of one place and budget (the council's)."""
    batches = db.exec(
        select(PaperBatch).where(PaperBatch.place_id == place_id, PaperBatch.budget_id == budget_id)
    ).all()
    accepted = [b.id for b in batches if b.state == BatchState.ACCEPTED]
    pending = sum(1 for b in batches if b.state in (BatchState.OPEN, BatchState.ENTERING))
    ballots, blank, invalid = _accepted_tally(db, accepted)
    return Reconciliation(
        check_ins=check_in_count(db, place_id, budget_id), ballots=ballots, blank=blank,
        invalid=invalid, pending_batches=pending,
    )  # fmt: skip


def place_budget_pairs(db: Session, cycle_id: int) -> tuple[tuple[PlaceView, int], ...]:
    """Every (place, budget) of the cycle that reconciliation covers: the budgets voted there
    and any budget with a batch there."""
    pairs: list[tuple[PlaceView, int]] = []
    for place in cycle_places(db, cycle_id):
        batched = db.exec(
            select(PaperBatch.budget_id).where(PaperBatch.place_id == place.id).distinct()
        ).all()
        for budget_id in sorted({*place.budget_ids, *batched}):
            pairs.append((place, budget_id))
    return tuple(pairs)


def search_entries(
    db: Session, cycle_id: int, *, name: str, birth_date: date
) -> tuple[RollEntryView, ...]:
    """Active entries of the cycle born that day whose family or given name starts with `name`
    (any case); the (cycle_id, birth_date) index makes this a handful of rows on any roll."""
    query = select(RollEntry).where(
        RollEntry.cycle_id == cycle_id,
        RollEntry.birth_date == birth_date,
        col(RollEntry.voided_at).is_(None),
    )
    plain = "".join(c for c in name.strip().lower() if c not in "\\%_\x00")
    if plain:
        pattern = f"{plain}%"
        query = query.where(
            func.lower(RollEntry.family_name).like(pattern)
            | func.lower(RollEntry.given_name).like(pattern)
        )
    rows = db.exec(
        query.order_by(col(RollEntry.family_name), col(RollEntry.id)).limit(SEARCH_LIMIT)
    ).all()
    return tuple(entry_view(row) for row in rows)


def voted_budgets(db: Session, entry_id: int, budget_ids: Collection[int]) -> dict[int, str]:
    """Budget -> channel of the entry's participations among `budget_ids`."""
    rows = db.exec(
        select(Participation.budget_id, Participation.channel).where(
            Participation.roll_entry_id == entry_id,
            col(Participation.budget_id).in_(list(budget_ids)),
        )
    ).all()
    return dict(rows)


def budget_names(db: Session, budget_ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """Budget -> (French name, English name)."""
    rows = db.exec(select(Budget).where(col(Budget.id).in_(list(budget_ids)))).all()
    return {row.id: (row.name_fr, row.name_en) for row in rows if row.id is not None}


# -- pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Officer:
    id: int
    name: str
    email: str


def officer_accounts(db: Session) -> tuple[Officer, ...]:
    """Accounts holding the officer role, by name (for assigning shifts)."""
    rows = db.exec(
        select(Account)
        .join(RoleGrant, col(RoleGrant.account_id) == Account.id)
        .where(RoleGrant.role == "officer")
        .order_by(col(Account.display_name), col(Account.id))
    ).all()
    return tuple(Officer(r.id, r.display_name, r.email) for r in rows if r.id is not None)


@dataclass(frozen=True)
class BudgetName:
    id: int
    name_fr: str
    name_en: str


@dataclass(frozen=True)
class PlacePage:
    """A place as its officers see it: budgets, check-ins, batches and their states; no count
    of what ballots chose (T9)."""

    place: PlaceView
    time_zone: str
    declared: bool  # the cycle's eligibility mode lets officers enter new declared entries
    budgets: tuple[BudgetName, ...]
    check_ins: int
    batches: tuple[BatchView, ...]


def place_page(db: Session, place_id: int) -> PlacePage:
    place = get_place(db, place_id)
    cycle = db.get(Cycle, place.cycle_id)
    assert cycle is not None  # noqa: S101 - a foreign key
    names = budget_names(db, place.budget_ids)
    return PlacePage(
        place=place, time_zone=cycle.time_zone, declared=cycle.eligibility_mode == "declared",
        budgets=tuple(BudgetName(b, *names[b]) for b in place.budget_ids if b in names),
        check_ins=check_in_count(db, place_id), batches=place_batches(db, place_id),
    )  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A roll entry found at check-in: the budgets of this place still open to it, and those
    it already voted in (budget -> channel)."""

    entry: RollEntryView
    open_budgets: tuple[int, ...]
    voted: Mapping[int, str]


def candidate(db: Session, place: PlaceView, entry: RollEntryView) -> Candidate:
    voted = voted_budgets(db, entry.id, place.budget_ids)
    if entry.cycle_id != place.cycle_id or entry.voided_at is not None:
        return Candidate(entry, (), voted)
    entitled = entitled_budget_ids(db, entry.id)
    found = tuple(b for b in place.budget_ids if b in entitled and b not in voted)
    return Candidate(entry, found, voted)


def candidates(db: Session, place_id: int, *, name: str, birth_date: date) -> tuple[Candidate, ...]:
    place = get_place(db, place_id)
    found = search_entries(db, place.cycle_id, name=name, birth_date=birth_date)
    return tuple(candidate(db, place, entry) for entry in found)


@dataclass(frozen=True)
class BatchPage:
    """A batch as one officer sees it: their own readings only, and the differences once both
    sides are complete (never the other side's readings as such)."""

    batch: BatchView
    budget: BudgetName
    ballot_type: str
    side: Side | None
    mine: Mapping[int, Mark]
    comparison: BatchComparison
    projects: tuple[tuple[int, str], ...]  # (number typed, title) of the ballot's projects


def batch_page(db: Session, batch_id: int, officer_id: int) -> BatchPage:
    batch = get_batch(db, batch_id)
    side = batch.side_of(officer_id)
    names = budget_names(db, [batch.budget_id])
    mine = side_marks(db, batch_id, side) if side is not None else {}
    return BatchPage(
        batch=batch, budget=BudgetName(batch.budget_id, *names[batch.budget_id]),
        ballot_type=frozen_budget(db, batch.budget_id).rules.ballot_type.value, side=side,
        mine=mine, comparison=compare_batch(db, batch),
        projects=tuple((p.id, p.title) for p in ballot_projects(db, batch.budget_id)),
    )  # fmt: skip


@dataclass(frozen=True)
class PlaceReport:
    """A place for the council: shifts, batches and the reconciliation of each budget."""

    page: PlacePage
    shifts: tuple[ShiftView, ...]
    reconciliations: tuple[tuple[BudgetName, Reconciliation], ...]


def place_report(db: Session, place_id: int) -> PlaceReport:
    page = place_page(db, place_id)
    batched = {b.budget_id for b in page.batches}
    names = budget_names(db, {*page.place.budget_ids, *batched})
    found = tuple(
        (BudgetName(b, *names[b]), reconciliation(db, place_id, b)) for b in sorted(names)
    )
    return PlaceReport(page, shifts(db, place_id=place_id), found)
