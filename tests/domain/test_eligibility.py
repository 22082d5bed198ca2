"""domain.eligibility: which budgets a roll entry is entitled to, failing closed (T2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain import eligibility as rules
from budget.domain.cycle import Phase
from budget.domain.eligibility import (
    BudgetScope,
    CycleRules,
    DistrictMode,
    EligibilityMode,
    EntryFacts,
    EntrySource,
)
from budget.domain.errors import (
    AlreadyDeclared,
    DistrictAlreadyChosen,
    DistrictNotChoosable,
    NotDeclaredMode,
    NotEligible,
)

pytestmark = pytest.mark.threat("T2")

REFERENCE = date(2027, 9, 8)
RESIDENCE = CycleRules(EligibilityMode.ROLL, DistrictMode.RESIDENCE, None, REFERENCE)
CHOICE = CycleRules(EligibilityMode.DECLARED, DistrictMode.CHOICE, None, REFERENCE)
CITY = BudgetScope(1, "city", None)
ELEVENTH = BudgetScope(11, "district", 111)
TWELFTH = BudgetScope(12, "district", 112)
BROKEN = BudgetScope(99, "district", None)  # a district budget that lost its district
ODD = BudgetScope(98, "school", 111)  # a scope eligibility does not know
BUDGETS = (CITY, ELEVENTH, TWELFTH, BROKEN, ODD)


def entry(**changes: object) -> EntryFacts:
    facts = EntryFacts(
        source=EntrySource.ROLL, voided=False, birth_date=date(1990, 5, 1), birth_year=1990,
        district_id=111, chosen_district_id=None,
    )  # fmt: skip
    return replace(facts, **changes)  # type: ignore[arg-type]


def test_by_residence_the_city_and_the_entrys_own_district() -> None:
    assert rules.entitled_budgets(RESIDENCE, entry(), BUDGETS) == {1, 11}
    assert rules.entitled_budgets(RESIDENCE, entry(district_id=112), BUDGETS) == {1, 12}
    # No district on the entry: the city only, never every district.
    assert rules.entitled_budgets(RESIDENCE, entry(district_id=None), BUDGETS) == {1}


def test_by_choice_every_district_until_one_is_chosen_then_that_one_only() -> None:
    declared = entry(source=EntrySource.DECLARED)
    assert rules.entitled_budgets(CHOICE, declared, BUDGETS) == {1, 11, 12}
    chosen = replace(declared, chosen_district_id=112)
    assert rules.entitled_budgets(CHOICE, chosen, BUDGETS) == {1, 12}
    assert rules.district_of(CHOICE, chosen) == 112
    assert rules.district_of(RESIDENCE, chosen) == 111


def test_voided_or_foreign_source_entries_are_entitled_to_nothing() -> None:
    assert rules.entitled_budgets(RESIDENCE, entry(voided=True), BUDGETS) == frozenset()
    # A declaration does not count where the roll decides, nor a roll entry in declared mode.
    assert rules.entitled_budgets(RESIDENCE, entry(source=EntrySource.DECLARED), BUDGETS) == set()
    assert rules.entitled_budgets(CHOICE, entry(), BUDGETS) == frozenset()


@pytest.mark.parametrize(
    ("birth", "old_enough"),
    [
        (date(2011, 9, 7), True),  # 16 the day before the reference date
        (date(2011, 9, 8), True),  # 16 on the reference date
        (date(2011, 9, 9), False),  # 16 the day after
        (date(2012, 1, 1), False),
    ],
)
def test_minimum_age_on_the_reference_date(birth: date, old_enough: bool) -> None:
    sixteen = replace(RESIDENCE, min_age=16)
    facts = entry(birth_date=birth, birth_year=birth.year)
    assert rules.is_active(sixteen, facts) is old_enough
    assert (rules.entitled_budgets(sixteen, facts, BUDGETS) == {1, 11}) is old_enough


def test_29_february_birthdays_come_on_1_march_in_other_years() -> None:
    leapling = date(2008, 2, 29)
    assert rules.age_on(date(2026, 2, 28), leapling, None) == 17
    assert rules.age_on(date(2026, 3, 1), leapling, None) == 18
    assert rules.age_on(date(2028, 2, 29), leapling, None) == 20


def test_a_year_alone_counts_the_least_age_it_allows_and_nothing_known_fails_closed() -> None:
    assert rules.age_on(date(2027, 9, 8), None, 2011) == 15  # perhaps 16: not yet proven
    assert rules.age_on(date(2027, 12, 31), None, 2011) == 16
    assert rules.age_on(REFERENCE, None, None) is None
    sixteen = replace(RESIDENCE, min_age=16)
    assert not rules.is_active(sixteen, entry(birth_date=None, birth_year=None))
    assert not rules.is_active(sixteen, entry(birth_date=None, birth_year=2011))
    assert rules.is_active(sixteen, entry(birth_date=None, birth_year=2010))
    assert rules.is_active(RESIDENCE, entry(birth_date=None, birth_year=None))  # no age rule


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2027, 9, 8)))
def test_the_age_from_a_year_never_exceeds_the_age_from_the_date(birth: date) -> None:
    exact = rules.age_on(REFERENCE, birth, None)
    from_year = rules.age_on(REFERENCE, None, birth.year)
    assert exact is not None
    assert from_year is not None
    assert exact - 1 <= from_year <= exact


def test_choosing_a_district() -> None:
    declared = entry(source=EntrySource.DECLARED)
    assert rules.check_choice(CHOICE, declared, 111) is True
    chosen = replace(declared, chosen_district_id=111)
    assert rules.check_choice(CHOICE, chosen, 111) is False  # the same again: nothing to do
    with pytest.raises(DistrictAlreadyChosen):
        rules.check_choice(CHOICE, chosen, 112)
    with pytest.raises(DistrictNotChoosable):
        rules.check_choice(RESIDENCE, entry(), 111)
    with pytest.raises(NotEligible):
        rules.check_choice(CHOICE, replace(declared, voided=True), 111)


def test_declaring_needs_the_declared_mode_an_open_phase_and_no_entry() -> None:
    rules.can_declare(CHOICE, Phase.SUBMISSION, has_entry=False)
    rules.can_declare(CHOICE, Phase.VOTING, has_entry=False)
    with pytest.raises(NotDeclaredMode):
        rules.can_declare(RESIDENCE, Phase.SUBMISSION, has_entry=False)
    with pytest.raises(NotDeclaredMode):
        rules.can_declare(CHOICE, Phase.CLOSED, has_entry=False)
    with pytest.raises(NotDeclaredMode):
        rules.can_declare(CHOICE, Phase.DRAFT, has_entry=False)
    with pytest.raises(AlreadyDeclared):
        rules.can_declare(CHOICE, Phase.REVIEW, has_entry=True)


def test_proposing_where_the_cycle_requires_eligibility() -> None:
    assert rules.may_propose(False, RESIDENCE, None, TWELFTH)
    assert not rules.may_propose(True, RESIDENCE, None, CITY)
    assert rules.may_propose(True, RESIDENCE, entry(), ELEVENTH)
    assert not rules.may_propose(True, RESIDENCE, entry(), TWELFTH)
    assert not rules.may_propose(True, RESIDENCE, entry(voided=True), CITY)
