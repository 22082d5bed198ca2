"""Roll entries and the facts eligibility is computed from (domain.eligibility), as view models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from budget.db.tables import Budget, Cycle, RollEntry
from budget.domain.eligibility import (
    BudgetScope,
    CycleRules,
    DistrictMode,
    EligibilityMode,
    EntryFacts,
    EntrySource,
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
