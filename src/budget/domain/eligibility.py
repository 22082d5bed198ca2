"""Who may vote (and, where the cycle asks, propose) in which budget: pure rules over a roll
entry and its cycle (PRODUCT.md, "Where eligibility comes from" and "Eligibility"; T2).

Every rule fails closed: an entry that is voided, of the wrong source for the cycle's mode,
without a birth date or year where a minimum age applies, or without a district where one is
needed is entitled to nothing it cannot prove.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from budget.domain.cycle import Phase
from budget.domain.errors import (
    AlreadyDeclared,
    DistrictAlreadyChosen,
    DistrictNotChoosable,
    NotDeclaredMode,
    NotEligible,
)


class EligibilityMode(StrEnum):
    ROLL = "roll"  # the council imports a voter roll
    DECLARED = "declared"  # residents declare birth year and district (Paris)


class DistrictMode(StrEnum):
    RESIDENCE = "residence"  # the entry's district only
    CHOICE = "choice"  # any one district, fixed by the first district ballot


class EntrySource(StrEnum):
    ROLL = "roll"
    DECLARED = "declared"


class RollRetention(StrEnum):
    """What archiving a cycle does with its roll (BUDGET_ROLL_RETENTION; PRODUCT.md, "Your
    data"): `purge` (the default) empties every roll entry and declaration of the person and
    deletes the voting codes; `keep` leaves them (while a challenge to the vote is pending,
    say), for the council to purge later with `budget roll purge`."""

    PURGE = "purge"
    KEEP = "keep"


# Each mode admits the entries of its own source only (an imported roll replaces declarations).
SOURCE_OF_MODE = {
    EligibilityMode.ROLL: EntrySource.ROLL,
    EligibilityMode.DECLARED: EntrySource.DECLARED,
}


@dataclass(frozen=True)
class CycleRules:
    """The cycle's eligibility settings."""

    mode: EligibilityMode
    district_mode: DistrictMode
    min_age: int | None
    reference_date: date


@dataclass(frozen=True)
class EntryFacts:
    """What a roll entry says about its voter."""

    source: EntrySource
    voided: bool
    birth_date: date | None
    birth_year: int | None
    district_id: int | None
    chosen_district_id: int | None


@dataclass(frozen=True)
class BudgetScope:
    """A budget as eligibility sees it: city-wide (`district_id` None) or one district's."""

    budget_id: int
    scope: str  # city | district
    district_id: int | None


def age_on(reference: date, birth_date: date | None, birth_year: int | None) -> int | None:
    """Whole years on `reference` (integer date arithmetic: someone born on 29 February turns
    a year older on 1 March in other years). With the year alone, the least age it allows
    (as if born on 31 December), so a minimum age is never met by a guess. None if unknown."""
    if birth_date is None:
        if birth_year is None:
            return None
        birth_date = date(birth_year, 12, 31)
    before_birthday = (reference.month, reference.day) < (birth_date.month, birth_date.day)
    return reference.year - birth_date.year - before_birthday


def is_active(rules: CycleRules, entry: EntryFacts) -> bool:
    """Whether the entry may vote at all: not voided, of the mode's source, old enough."""
    if entry.voided or entry.source is not SOURCE_OF_MODE[rules.mode]:
        return False
    if rules.min_age is None:
        return True
    age = age_on(rules.reference_date, entry.birth_date, entry.birth_year)
    return age is not None and age >= rules.min_age


def district_of(rules: CycleRules, entry: EntryFacts) -> int | None:
    """The one district whose budgets the entry is entitled to, None while open (mode choice,
    not chosen yet) or when the entry has none (mode residence: then no district budget)."""
    if rules.district_mode is DistrictMode.CHOICE:
        return entry.chosen_district_id
    return entry.district_id


def entitled_budgets(
    rules: CycleRules, entry: EntryFacts, budgets: Iterable[BudgetScope]
) -> frozenset[int]:
    """The ids of the budgets the entry may vote in: every city-wide budget of an active entry;
    district budgets of its district of residence, or (mode choice) of its chosen district, or
    of every district while none is chosen (the first district ballot fixes one)."""
    if not is_active(rules, entry):
        return frozenset()
    fixed = district_of(rules, entry)
    open_choice = rules.district_mode is DistrictMode.CHOICE and fixed is None
    return frozenset(b.budget_id for b in budgets if _covers(b, fixed, open_choice))


def _covers(budget: BudgetScope, district_id: int | None, open_choice: bool) -> bool:
    if budget.scope == "city":
        return True
    if budget.scope != "district" or budget.district_id is None:
        return False  # an unknown scope, or a district budget without its district: closed
    return open_choice or budget.district_id == district_id


def check_choice(rules: CycleRules, entry: EntryFacts, district_id: int) -> bool:
    """Whether choosing `district_id` changes anything (False: already the chosen one); raises
    when the cycle has no choice, the entry may not vote, or another district is fixed."""
    if rules.district_mode is not DistrictMode.CHOICE:
        raise DistrictNotChoosable()
    if not is_active(rules, entry):
        raise NotEligible()
    if entry.chosen_district_id is None:
        return True
    if entry.chosen_district_id != district_id:
        raise DistrictAlreadyChosen()
    return False


# A declared-mode cycle takes declarations from submission until voting closes.
DECLARING_PHASES = frozenset({Phase.SUBMISSION, Phase.REVIEW, Phase.VOTING})


def can_declare(rules: CycleRules, phase: Phase, *, has_entry: bool) -> None:
    """A resident may declare once per cycle, in mode declared, from submission until voting
    closes; raises the reason otherwise. The verified address it also needs is
    `accounts.check_may_participate`, the one rule for every way of taking part."""
    if rules.mode is not EligibilityMode.DECLARED or phase not in DECLARING_PHASES:
        raise NotDeclaredMode()
    if has_entry:
        raise AlreadyDeclared()


def may_propose(
    required: bool, rules: CycleRules, entry: EntryFacts | None, budget: BudgetScope
) -> bool:
    """Whether an author may propose for `budget`: always when the cycle does not require
    eligibility; otherwise only with an entry entitled to that budget."""
    if not required:
        return True
    return entry is not None and budget.budget_id in entitled_budgets(rules, entry, [budget])
