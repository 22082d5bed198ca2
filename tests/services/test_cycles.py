"""Council administration: cycles, districts, schedule, and phase moves with their guards."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import Budget, Cycle
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.errors import (
    FieldErrors,
    Locked,
    NotFound,
    PermissionDenied,
    ReadOnly,
    TransitionRefused,
)
from budget.domain.proposals import ProposalStatus
from budget.services import accounts, budgets, cycles, decisions, proposals
from tests.services.conftest import NOW, budget_form, cycle_form, resident, schedule
from tests.services.test_proposals import SQUARE

DAY = timedelta(days=1)


def field_codes(caught: pytest.ExceptionInfo[FieldErrors]) -> dict[str, str]:
    return {k: v.code for k, v in caught.value.fields.items()}


def test_a_new_cycle_starts_in_draft(db: Session, council: int) -> None:
    created = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form(name_en=" PB 2027 "))
    view = queries.get_cycle(db, created)
    assert (view.phase, view.name_en, view.instance, view.budgets) == (
        Phase.DRAFT,
        "PB 2027",
        "2027",
        (),
    )
    assert view.targets == (Phase.SUBMISSION,)
    assert not view.is_locked
    assert [c.id for c in queries.list_cycles(db)] == [created]
    assert queries.list_audit(db, limit=1)[0].action == "cycle.create"


def test_bad_cycle_settings_are_all_named_and_nothing_is_written(db: Session, council: int) -> None:
    bad = cycle_form(
        name_fr="", name_en="x" * 121, instance="20 27", time_zone="Mars/Olympus", currency="EURO",
        eligibility_mode="vibes", district_mode="any", min_age=200, max_proposals_per_author=0,
    )  # fmt: skip
    with pytest.raises(FieldErrors) as caught:
        cycles.create_cycle(db, NOW, actor_id=council, form=bad)
    assert field_codes(caught) == {
        "name_fr": "field.required", "name_en": "field.too-long", "instance": "field.code",
        "time_zone": "cycle.time-zone", "currency": "cycle.currency",
        "eligibility_mode": "field.invalid-choice", "district_mode": "field.invalid-choice",
        "min_age": "field.out-of-range", "max_proposals_per_author": "field.out-of-range",
    }  # fmt: skip
    assert queries.list_cycles(db) == ()


def test_instances_are_unique(db: Session, council: int, cycle_id: int) -> None:
    with pytest.raises(FieldErrors) as caught:
        cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form())
    assert field_codes(caught) == {"instance": "cycle.instance-taken"}
    other = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form(instance="2028"))
    with pytest.raises(FieldErrors):
        cycles.update_cycle(db, NOW, actor_id=council, cycle_id=other, form=cycle_form())


def test_updating_a_cycle_changes_its_budgets_currency(
    db: Session, council: int, cycle_id: int
) -> None:
    cycles.update_cycle(
        db, NOW, actor_id=council, cycle_id=cycle_id, form=cycle_form(currency="CHF")
    )
    view = queries.get_cycle(db, cycle_id)
    assert view.currency == "CHF"
    assert {b.currency for b in view.budgets} == {"CHF"}
    assert queries.list_audit(db, limit=1)[0].details == {"changed": ["currency"]}
    with pytest.raises(NotFound):
        cycles.update_cycle(db, NOW, actor_id=council, cycle_id=999, form=cycle_form())


@pytest.mark.threat("T7")
def test_only_council_administers(db: Session, hasher, cycle_id: int) -> None:
    someone = resident(db, hasher)
    with pytest.raises(PermissionDenied):
        cycles.create_cycle(db, NOW, actor_id=someone, form=cycle_form(instance="x"))
    with pytest.raises(PermissionDenied):
        cycles.advance_phase(db, NOW, actor_id=someone, cycle_id=cycle_id, target=Phase.SUBMISSION)
    with pytest.raises(PermissionDenied):
        cycles.create_district(
            db, NOW, actor_id=someone, cycle_id=cycle_id, code="75111", name="11e"
        )


def test_districts_have_unique_codes_within_their_cycle(
    db: Session, council: int, cycle_id: int
) -> None:
    eleventh = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=cycle_id, code=" 75111 ", name="11e arrondissement"
    )
    twelfth = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=cycle_id, code="75112", name="12e"
    )
    assert [d.code for d in queries.list_districts(db, cycle_id)] == ["75111", "75112"]
    with pytest.raises(FieldErrors) as caught:
        cycles.create_district(db, NOW, actor_id=council, cycle_id=cycle_id, code="75111", name="")
    assert field_codes(caught) == {"code": "district.code-taken", "name": "field.required"}
    with pytest.raises(FieldErrors) as caught:
        cycles.update_district(db, NOW, actor_id=council, district_id=twelfth, code="7 5", name="x")
    assert field_codes(caught) == {"code": "field.code"}
    cycles.update_district(
        db, NOW, actor_id=council, district_id=eleventh, code="75111", name="Onzième"
    )
    assert queries.get_district(db, eleventh).name == "Onzième"
    with pytest.raises(NotFound):
        cycles.update_district(db, NOW, actor_id=council, district_id=999, code="1", name="x")
    with pytest.raises(NotFound):
        queries.get_district(db, 999)


def test_a_cycle_created_from_another_gets_copies_of_its_districts(
    db: Session, council: int, cycle_id: int
) -> None:
    eleventh = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=cycle_id, code="75111", name="11e"
    )
    budgets.set_district_boundary(db, NOW, actor_id=council, district_id=eleventh, geojson=SQUARE)
    later = cycles.create_cycle(
        db, NOW, actor_id=council, form=cycle_form(instance="2028"), copy_from=cycle_id
    )
    [copy] = queries.list_districts(db, later)
    assert (copy.code, copy.name, copy.cycle_id) == ("75111", "11e", later)
    assert copy.id != eleventh
    assert queries.boundary_text(db, copy.id) == SQUARE
    # Editing 2028's district leaves 2027's alone.
    cycles.update_district(
        db, NOW, actor_id=council, district_id=copy.id, code="75111", name="Onzième"
    )
    budgets.set_district_boundary(db, NOW, actor_id=council, district_id=copy.id, geojson=None)
    assert queries.get_district(db, eleventh).name == "11e"
    assert queries.boundary_text(db, eleventh) == SQUARE
    assert queries.list_audit(db, limit=3)[2].details == {
        "instance": "2028", "copied_from": cycle_id, "districts": 1,
    }  # fmt: skip
    # The same code in another cycle is no clash; a cycle without districts copies none.
    empty = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form(instance="2029"))
    cycles.create_district(db, NOW, actor_id=council, cycle_id=empty, code="75111", name="x")
    with pytest.raises(FieldErrors) as caught:
        cycles.create_cycle(
            db, NOW, actor_id=council, form=cycle_form(instance="2030"), copy_from=999
        )
    assert field_codes(caught) == {"copy_from": "field.invalid-choice"}


def test_a_budget_names_a_district_of_its_own_cycle(
    db: Session, council: int, cycle_id: int
) -> None:
    other = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form(instance="2028"))
    foreign = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=other, code="75111", name="11e"
    )
    form = budget_form(scope="district", district_id=foreign)
    with pytest.raises(FieldErrors) as caught:
        budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=form)
    assert field_codes(caught) == {"district_id": "field.invalid-choice"}


def test_an_archived_cycles_districts_are_read_only(
    db: Session, council: int, cycle_id: int
) -> None:
    district = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=cycle_id, code="75111", name="11e"
    )
    row = db.get(Cycle, cycle_id)
    assert row is not None
    row.phase = Phase.ARCHIVED
    db.add(row)
    with pytest.raises(ReadOnly):
        cycles.create_district(db, NOW, actor_id=council, cycle_id=cycle_id, code="2", name="x")
    with pytest.raises(ReadOnly):
        cycles.update_district(
            db, NOW, actor_id=council, district_id=district, code="75111", name="x"
        )
    with pytest.raises(ReadOnly):
        budgets.set_district_boundary(db, NOW, actor_id=council, district_id=district, geojson=None)


def test_schedule_windows_must_follow_each_other(db: Session, council: int, cycle_id: int) -> None:
    overlapping = {
        Phase.SUBMISSION: (NOW, NOW + 10 * DAY),
        Phase.REVIEW: (NOW + 5 * DAY, NOW + 20 * DAY),
        Phase.VOTING: (NOW + 30 * DAY, NOW + 30 * DAY),
    }
    with pytest.raises(FieldErrors) as caught:
        cycles.set_schedule(db, NOW, actor_id=council, cycle_id=cycle_id, dates=overlapping)
    assert field_codes(caught) == {"review": "schedule.order", "voting": "schedule.order"}
    cycles.set_schedule(db, NOW, actor_id=council, cycle_id=cycle_id, dates={Phase.REVIEW: None})
    dates = queries.get_cycle(db, cycle_id).schedule
    assert [d.phase for d in dates] == [Phase.SUBMISSION, Phase.VOTING]


def open_voting(db: Session, council: int, cycle_id: int, hasher) -> int:
    """Walk the cycle to voting through the services; returns the on-ballot proposal's id."""
    author = resident(db, hasher)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    budget = queries.get_cycle(db, cycle_id).budgets[0].id
    proposal = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget, title="Shade trees", summary="Plant trees."
    )
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    decisions.decide_proposal(
        db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=150_000_00
    )
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.VOTING)
    return proposal


def test_a_cycle_walks_from_draft_to_voting(
    db: Session, council: int, cycle_id: int, hasher
) -> None:
    proposal = open_voting(db, council, cycle_id, hasher)
    view = queries.get_cycle(db, cycle_id)
    assert view.phase is Phase.VOTING
    assert view.is_locked
    assert view.budgets[0].projects_on_ballot == 1
    assert queries.get_proposal(db, proposal).status is ProposalStatus.ON_BALLOT
    moves = [e.details for e in queries.list_audit(db, limit=100) if e.action == "cycle.advance"]
    assert [(m["from"], m["to"]) for m in reversed(moves)] == [
        ("draft", "submission"), ("submission", "review"), ("review", "voting"),
    ]  # fmt: skip


@pytest.mark.threat("T8")
def test_opening_voting_commits_to_a_secret_seed_per_budget(
    db: Session, council: int, cycle_id: int, hasher
) -> None:
    open_voting(db, council, cycle_id, hasher)
    row = db.exec(select(Budget).where(Budget.cycle_id == cycle_id)).one()
    assert row.lottery_seed is not None
    assert len(row.lottery_seed) == 32
    assert row.lottery_commitment == hashlib.sha256(row.lottery_seed).hexdigest()
    opened = queries.list_audit(db, limit=1)[0]
    assert opened.details["commitments"] == {f"budget:{row.id}": row.lottery_commitment}
    assert row.lottery_seed.hex() not in str(opened.details)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    assert (
        queries.get_budget(db, row.id or 0).lottery_commitment is None
    )  # back to review: unlocked


def test_refused_moves_list_every_reason_and_change_nothing(db: Session, council: int) -> None:
    empty = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form(instance="empty"))
    with pytest.raises(TransitionRefused) as caught:
        cycles.advance_phase(db, NOW, actor_id=council, cycle_id=empty, target=Phase.SUBMISSION)
    assert [r.code for r in caught.value.reasons] == ["cycle.no-budget", "cycle.dates-missing"]
    assert queries.get_cycle(db, empty).phase is Phase.DRAFT
    assert queries.list_audit(db, limit=1)[0].action == "cycle.create"


def test_voting_waits_for_projects_and_decisions(
    db: Session, council: int, cycle_id: int, hasher
) -> None:
    author = resident(db, hasher)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    budget = queries.get_cycle(db, cycle_id).budgets[0].id
    proposal = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget, title="T", summary="S"
    )
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    refused = queries.transition_problems(db, cycle_id, Phase.DRAFT, NOW)
    assert [r.code for r in refused] == ["cycle.proposals-submitted"]
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    assert [r.code for r in queries.transition_problems(db, cycle_id, Phase.VOTING, NOW)] == [
        "budget.no-projects", "cycle.undecided-proposals",
    ]  # fmt: skip


def test_roll_cycles_wait_for_a_voter_roll(db: Session, council: int) -> None:
    form = cycle_form(instance="roll", eligibility_mode="roll")
    roll = cycles.create_cycle(db, NOW, actor_id=council, form=form)
    state = queries.cycle_snapshot(db, roll, NOW)
    assert state.needs_roll
    assert not state.has_roll  # the roll import arrives with voting


@pytest.mark.threat("T8")
def test_eligibility_and_schedule_freeze_when_voting_opens(
    db: Session, council: int, cycle_id: int, hasher
) -> None:
    open_voting(db, council, cycle_id, hasher)
    with pytest.raises(Locked) as caught:
        cycles.update_cycle(
            db, NOW, actor_id=council, cycle_id=cycle_id,
            form=cycle_form(eligibility_mode="roll", min_age=16),
        )  # fmt: skip
    assert caught.value.params == {"fields": ("eligibility_mode", "min_age")}
    cycles.update_cycle(db, NOW, actor_id=council, cycle_id=cycle_id, form=cycle_form(name_en="PB"))
    voting_start, voting_end = schedule()[Phase.VOTING] or (NOW, NOW)
    later = {Phase.VOTING: (voting_start, voting_end + DAY)}
    cycles.set_schedule(db, NOW, actor_id=council, cycle_id=cycle_id, dates=later)
    for dates in (
        {Phase.VOTING: (voting_start, voting_end)},  # earlier again
        {Phase.VOTING: (voting_start - DAY, voting_end + DAY)},  # the start moved
        {Phase.SUBMISSION: None},
    ):
        with pytest.raises(Locked):
            cycles.set_schedule(db, NOW, actor_id=council, cycle_id=cycle_id, dates=dates)
    after_end = voting_end + 2 * DAY
    with pytest.raises(Locked):
        cycles.set_schedule(
            db, after_end, actor_id=council, cycle_id=cycle_id,
            dates={Phase.VOTING: (voting_start, voting_end + 3 * DAY)},
        )  # fmt: skip
    cycles.set_schedule(
        db, NOW, actor_id=council, cycle_id=cycle_id,
        dates={Phase.CLOSED: (voting_end + 2 * DAY, voting_end + 9 * DAY)},
    )  # fmt: skip


def test_closing_waits_for_the_end_of_voting(
    db: Session, council: int, cycle_id: int, hasher
) -> None:
    open_voting(db, council, cycle_id, hasher)
    with pytest.raises(TransitionRefused) as caught:
        cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.CLOSED)
    assert [r.code for r in caught.value.reasons] == ["cycle.voting-not-ended"]
    end = (schedule()[Phase.VOTING] or (NOW, NOW))[1]
    cycles.advance_phase(db, end, actor_id=council, cycle_id=cycle_id, target=Phase.CLOSED)
    with pytest.raises(TransitionRefused) as caught:
        cycles.advance_phase(db, end, actor_id=council, cycle_id=cycle_id, target=Phase.CERTIFIED)
    assert [r.code for r in caught.value.reasons] == ["cycle.not-certified"]


def test_a_second_council_member_can_administer(
    db: Session, council: int, cycle_id: int, hasher
) -> None:
    deputy = resident(db, hasher, "deputy")
    accounts.grant_role(db, NOW, actor_id=council, account_id=deputy, role=Role.COUNCIL)
    cycles.advance_phase(db, NOW, actor_id=deputy, cycle_id=cycle_id, target=Phase.SUBMISSION)
    cycles.advance_phase(db, NOW, actor_id=deputy, cycle_id=cycle_id, target=Phase.DRAFT)
    assert queries.get_cycle(db, cycle_id).phase is Phase.DRAFT
