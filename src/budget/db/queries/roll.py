"""Roll entries and the facts eligibility is computed from (domain.eligibility), as view models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.tables import Account, Budget, Cycle, District, RollEntry, VotingCode
from budget.domain.accounts import may_participate
from budget.domain.eligibility import (
    BudgetScope,
    CycleRules,
    DistrictMode,
    EligibilityMode,
    EntryFacts,
    EntrySource,
    entitled_budgets,
    is_active,
)
from budget.domain.errors import NotFound


@dataclass(frozen=True)
class RollEntryView:
    id: int
    cycle_id: int
    source: EntrySource
    external_id: str | None
    given_name: str
    family_name: str
    birth_date: date | None
    birth_year: int | None
    postal_address: str
    district_id: int | None
    chosen_district_id: int | None
    account_id: int | None
    verified_by_provider: bool
    voided_at: datetime | None
    void_reason: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def facts(self) -> EntryFacts:
        return EntryFacts(
            source=self.source,
            voided=self.voided_at is not None,
            birth_date=self.birth_date,
            birth_year=self.birth_year,
            district_id=self.district_id,
            chosen_district_id=self.chosen_district_id,
        )


def entry_view(row: RollEntry) -> RollEntryView:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return RollEntryView(
        id=row.id,
        cycle_id=row.cycle_id,
        source=EntrySource(row.source),
        external_id=row.external_id,
        given_name=row.given_name,
        family_name=row.family_name,
        birth_date=row.birth_date,
        birth_year=row.birth_year,
        postal_address=row.postal_address,
        district_id=row.district_id,
        chosen_district_id=row.chosen_district_id,
        account_id=row.account_id,
        verified_by_provider=row.verified_by_provider,
        voided_at=row.voided_at,
        void_reason=row.void_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def rules_of(row: Cycle) -> CycleRules:
    return CycleRules(
        mode=EligibilityMode(row.eligibility_mode),
        district_mode=DistrictMode(row.district_mode),
        min_age=row.min_age,
        reference_date=row.reference_date,
    )


def cycle_rules(db: Session, cycle_id: int) -> CycleRules:
    """The cycle's eligibility settings."""
    row = db.get(Cycle, cycle_id)
    if row is None:
        raise NotFound(kind="cycle", id=cycle_id)
    return rules_of(row)


def email_verified(db: Session, account_id: int) -> bool:
    """Whether the account may take part (domain.accounts.may_participate: its address is
    verified); an unknown account may not."""
    row = db.get(Account, account_id)
    return row is not None and may_participate(row.email_verified_at)


def get_entry(db: Session, entry_id: int) -> RollEntryView:
    row = db.get(RollEntry, entry_id)
    if row is None:
        raise NotFound(kind="roll entry", id=entry_id)
    return entry_view(row)


def account_entry(db: Session, cycle_id: int, account_id: int) -> RollEntryView | None:
    """The roll entry the account is bound to in this cycle, if any (voided ones included)."""
    query = select(RollEntry).where(
        RollEntry.cycle_id == cycle_id, RollEntry.account_id == account_id
    )
    row = db.exec(query).first()
    return entry_view(row) if row is not None else None


def budget_scopes(db: Session, cycle_id: int) -> tuple[BudgetScope, ...]:
    """The cycle's budgets as eligibility sees them."""
    rows = db.exec(select(Budget).where(Budget.cycle_id == cycle_id).order_by(col(Budget.id)))
    return tuple(budget_scope(b) for b in rows)


def budget_scope(row: Budget) -> BudgetScope:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return BudgetScope(budget_id=row.id, scope=row.scope, district_id=row.district_id)


@dataclass(frozen=True)
class RollRow:
    """One line of the council's roll page."""

    entry: RollEntryView
    district: str | None
    has_code: bool
    active: bool


@dataclass(frozen=True)
class RollPage:
    total: int
    voided: int
    with_code: int
    matching: int
    rows: tuple[RollRow, ...]
    page: int
    pages: int


ROLL_PAGE_SIZE = 100


def _count(db: Session, query: Any) -> int:
    counted: int = db.exec(select(func.count()).select_from(query.subquery())).one()
    return counted


def roll_page(db: Session, cycle_id: int, *, search: str = "", page: int = 1) -> RollPage:
    """The cycle's entries for the council, 100 a page by id, those whose external id or names
    contain `search` (any case); with the counts of the whole roll, counted in the database."""
    cycle = db.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(kind="cycle", id=cycle_id)
    rules = rules_of(cycle)
    entries = select(RollEntry).where(RollEntry.cycle_id == cycle_id)
    live = select(VotingCode.entry_id).where(
        VotingCode.cycle_id == cycle_id, col(VotingCode.voided_at).is_(None)
    )
    matching = entries
    if needle := search.strip().lower():
        plain = "".join(c for c in needle if c not in "\\%_")  # no LIKE wildcards from input
        pattern = f"%{plain}%"
        matching = entries.where(
            func.lower(func.coalesce(RollEntry.external_id, "")).like(pattern)
            | func.lower(RollEntry.given_name + " " + RollEntry.family_name).like(pattern)
        )
    found = _count(db, matching)
    pages = max(1, -(-found // ROLL_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = db.exec(
        matching.order_by(col(RollEntry.id))
        .offset((page - 1) * ROLL_PAGE_SIZE)
        .limit(ROLL_PAGE_SIZE)
    ).all()
    has_code = set(db.exec(live.where(col(VotingCode.entry_id).in_([e.id for e in shown]))))
    names = {d.id: d.name for d in db.exec(select(District).where(District.cycle_id == cycle_id))}
    rows = []
    for row in shown:
        view = entry_view(row)
        district = names.get(view.district_id) if view.district_id else None
        rows.append(RollRow(view, district, view.id in has_code, is_active(rules, view.facts)))
    return RollPage(
        total=_count(db, entries),
        voided=_count(db, entries.where(col(RollEntry.voided_at).is_not(None))),
        with_code=_count(db, live),
        matching=found,
        rows=tuple(rows),
        page=page,
        pages=pages,
    )


def entitled_budget_ids(db: Session, entry_id: int) -> frozenset[int]:
    """The budgets the entry may vote in (domain.eligibility over the entry and its cycle)."""
    entry = get_entry(db, entry_id)
    rules = cycle_rules(db, entry.cycle_id)
    return entitled_budgets(rules, entry.facts, budget_scopes(db, entry.cycle_id))
