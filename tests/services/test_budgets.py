"""Budgets: validation per field, rule and ballot compatibility, and the lock at voting (T8)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from budget.db import queries
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase, budget_problems
from budget.domain.errors import FieldErrors, Locked, NotFound, WrongPhase
from budget.services import budgets, categories, cycles
from tests.services.conftest import NOW, budget_form
from tests.services.test_cycles import field_codes, open_voting


def test_a_district_budget_names_its_district(db: Session, council: int, cycle_id: int) -> None:
    district = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=cycle_id, code="75111", name="11e"
    )
    form = budget_form(
        name_fr="11e", name_en="11th", scope="district", district_id=district,
        ballot_type=BallotType.KNAPSACK, limits=BallotLimits(min_spend_pct=70, max_choices=9),
        rule="mes-add1", tie_break="lower-cost , more-votes,lottery", max_project_cost=50_000_00,
        rule_options={"satisfaction": "cardinality"},
    )  # fmt: skip
    created = budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=form)
    view = queries.get_budget(db, created)
    assert (view.scope, view.district_code, view.district_name, view.currency) == (
        "district", "75111", "11e", "EUR",
    )  # fmt: skip
    assert view.limits == BallotLimits(min_spend_pct=70)  # foreign limits dropped
    assert view.tie_break == "lower-cost,more-votes,lottery"
    assert view.rule_options == {"satisfaction": "cardinality"}
    assert [b.scope for b in queries.list_budgets(db, cycle_id)] == ["city", "district"]
    with pytest.raises(NotFound):
        queries.get_budget(db, 999)


def test_every_bad_budget_field_is_named(db: Session, council: int, cycle_id: int) -> None:
    bad = budget_form(
        name_fr=" ", scope="district", district_id=None, amount=0,
        limits=BallotLimits(min_choices=3, max_choices=2), rule="borda",
        tie_break="coin", rule_options={"colour": "red"},
    )  # fmt: skip
    with pytest.raises(FieldErrors) as caught:
        budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=bad)
    assert field_codes(caught) == {
        "name_fr": "field.required", "district_id": "field.required",
        "amount": "field.out-of-range", "min_choices": "field.out-of-range",
        "rule": "field.invalid-choice",
        "tie_break": "budget.tie-break", "rule_options": "budget.rule-option",
    }  # fmt: skip
    assert len(queries.list_budgets(db, cycle_id)) == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"scope": "planet"}, {"scope": "field.invalid-choice"}),
        ({"scope": "district", "district_id": 999}, {"district_id": "field.invalid-choice"}),
        ({"max_project_cost": 2_000_000_00}, {"max_project_cost": "field.out-of-range"}),
        (
            {
                "rule": "phragmen",
                "ballot_type": BallotType.CUMULATIVE,
                "limits": BallotLimits(points=5),
            },
            {"rule": "budget.rule-incompatible"},
        ),
    ],
)
def test_budget_field_checks(db: Session, council: int, cycle_id: int, changes, expected) -> None:
    with pytest.raises(FieldErrors) as caught:
        budgets.create_budget(
            db, NOW, actor_id=council, cycle_id=cycle_id, form=budget_form(**changes)
        )
    assert field_codes(caught) == expected


def test_an_unconfigured_budget_can_be_saved_as_a_draft(
    db: Session, council: int, cycle_id: int
) -> None:
    form = budget_form(ballot_type=None, rule=None, tie_break=None, limits=BallotLimits())
    created = budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=form)
    view = queries.get_budget(db, created)
    assert (view.ballot_type, view.rule, view.tie_break) == (None, None, None)


@pytest.mark.threat("T8")
def test_ballot_and_rule_settings_freeze_when_voting_opens(
    db: Session, council: int, cycle_id: int, hasher
) -> None:
    budget = queries.get_cycle(db, cycle_id).budgets[0].id
    budgets.update_budget(
        db, NOW, actor_id=council, budget_id=budget, form=budget_form(amount=2_000_000_00)
    )
    open_voting(db, council, cycle_id, hasher)
    for changes, frozen in (
        ({"amount": 3_000_000_00}, ("amount",)),
        ({"limits": BallotLimits(max_choices=3), "rule": "mes"}, ("limits", "rule")),
        ({"tie_break": "lower-cost,lottery"}, ("tie_break",)),
    ):
        with pytest.raises(Locked) as caught:
            budgets.update_budget(
                db, NOW, actor_id=council, budget_id=budget,
                form=budget_form(**{"amount": 2_000_000_00, **changes}),
            )  # fmt: skip
        assert caught.value.params == {"fields": frozen}
    renamed = budget_form(name_en="Whole city", amount=2_000_000_00)
    budgets.update_budget(db, NOW, actor_id=council, budget_id=budget, form=renamed)
    assert queries.get_budget(db, budget).name_en == "Whole city"
    with pytest.raises(WrongPhase):
        budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=budget_form())
    with pytest.raises(NotFound):
        budgets.update_budget(db, NOW, actor_id=council, budget_id=999, form=renamed)
    assert queries.get_cycle(db, cycle_id).phase is Phase.VOTING


def test_category_envelopes_are_kept_in_order_and_checked_against_the_cycle(
    db: Session, council: int, cycle_id: int
) -> None:
    for code in ("green", "care"):
        categories.create_category(
            db, NOW, actor_id=council, cycle_id=cycle_id, code=code, name_fr=code, name_en=code
        )
    envelopes = [["green", 400_000_00], ["care", 200_000_00]]
    form = budget_form(amount=1_000_000_00, rule_options={"category_envelopes": envelopes})
    created = budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=form)
    assert queries.get_budget(db, created).rule_options == {"category_envelopes": envelopes}
    snapshot = queries.cycle_snapshot(db, cycle_id, NOW)  # what the review -> voting guard reads
    problems = [r for b in snapshot.budgets for r in budget_problems(b)]
    empty = {r.params["category"] for r in problems if r.code == "budget.envelope-empty"}
    assert empty == {"green", "care"}  # no project of theirs on the ballot: voting cannot open
    for options, ballot_type, code in (
        ({"category_envelopes": [["parks", 100_00]]}, None, "budget.envelope-category"),
        ({"category_envelopes": [["green", 2_000_000_00]]}, None, "budget.envelopes-over"),
        ({"category_envelopes": envelopes}, BallotType.RANKED, "budget.envelopes-ranked"),
        ({"category_envelopes": [["green", -1]]}, None, "budget.rule-option"),
    ):
        changes: dict[str, object] = {"amount": 1_000_000_00, "rule_options": options}
        if ballot_type is BallotType.RANKED:
            changes |= {"ballot_type": ballot_type, "rule": "greedy", "limits": BallotLimits()}
        with pytest.raises(FieldErrors) as caught:
            budgets.update_budget(
                db, NOW, actor_id=council, budget_id=created, form=budget_form(**changes)
            )
        assert field_codes(caught).get("rule_options") == code, options
