"""The life of a funded project's building: allowed moves, reasons, progress, milestones."""

from __future__ import annotations

from datetime import date

import pytest

from budget.domain.errors import FieldErrors, StatusTransition
from budget.domain.implementation import (
    FINISHED,
    NEXT,
    NOTE_MAX,
    REASON_MIN,
    SPENT_MAX,
    ImplementationStatus,
    check_change,
    check_milestone,
)

S = ImplementationStatus
REASON = "The site was found to be unsafe for children."


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.PLANNED, S.IN_PROGRESS),
        (S.PLANNED, S.PLANNED),
        (S.IN_PROGRESS, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.DONE),
    ],
)
def test_the_forward_moves_need_no_note(current, target) -> None:
    progress = 100 if target is S.DONE else 40
    change = check_change(current, target, progress=progress, spent=1234, note="  ")
    assert (change.status, change.progress, change.spent, change.note) == (
        target, progress, 1234, "",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.PLANNED, S.DONE),
        (S.IN_PROGRESS, S.PLANNED),
        (S.DONE, S.ABANDONED),
        (S.DONE, S.PLANNED),
        (S.ABANDONED, S.IN_PROGRESS),
        (S.ABANDONED, S.ABANDONED),
    ],
)
def test_moves_outside_the_life_are_refused(current, target) -> None:
    with pytest.raises(StatusTransition) as caught:
        check_change(current, target, progress=100, spent=None, note=REASON)
    assert caught.value.params == {"from_status": current.value, "to_status": target.value}


def test_abandoned_is_final_and_finished_means_done_or_abandoned() -> None:
    assert NEXT[S.ABANDONED] == frozenset()
    assert frozenset({S.DONE, S.ABANDONED}) == FINISHED


@pytest.mark.parametrize("current", [S.PLANNED, S.IN_PROGRESS])
def test_abandoning_needs_a_public_reason(current) -> None:
    for note, code in (("", "field.required"), ("too short", "field.too-short")):
        with pytest.raises(FieldErrors) as caught:
            check_change(current, S.ABANDONED, progress=10, spent=None, note=note)
        assert caught.value.fields["note"].code == code
    change = check_change(current, S.ABANDONED, progress=10, spent=None, note=f" {REASON} ")
    assert change.note == REASON
    assert len(REASON) >= REASON_MIN


def test_reopening_done_work_needs_a_note() -> None:
    with pytest.raises(FieldErrors) as caught:
        check_change(S.DONE, S.IN_PROGRESS, progress=90, spent=None, note="")
    assert list(caught.value.fields) == ["note"]
    reopened = check_change(S.DONE, S.IN_PROGRESS, progress=90, spent=None, note=REASON)
    assert reopened.status is S.IN_PROGRESS


def test_done_means_complete_and_progress_is_a_percent() -> None:
    with pytest.raises(FieldErrors) as caught:
        check_change(S.IN_PROGRESS, S.DONE, progress=99, spent=None, note="")
    assert caught.value.fields["progress"].code == "implementation.done-progress"
    for progress in (-1, 101):
        with pytest.raises(FieldErrors) as caught:
            check_change(S.PLANNED, S.IN_PROGRESS, progress=progress, spent=None, note="")
        assert caught.value.fields["progress"].code == "field.out-of-range"


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(FieldErrors) as caught:
        check_change(S.PLANNED, S.ABANDONED, progress=200, spent=-1, note="x" * (NOTE_MAX + 1))
    assert {name: e.code for name, e in caught.value.fields.items()} == {
        "progress": "field.out-of-range", "spent": "field.out-of-range", "note": "field.too-long",
    }  # fmt: skip
    with pytest.raises(FieldErrors):
        check_change(S.PLANNED, S.PLANNED, progress=0, spent=SPENT_MAX + 1, note="")
    assert check_change(S.PLANNED, S.PLANNED, progress=0, spent=SPENT_MAX, note="").spent


def test_a_milestone_needs_a_title_and_a_planned_date() -> None:
    milestone = check_milestone(
        title=" Works start ", planned_on=date(2027, 3, 1), reached_on=None, note=" ok "
    )
    assert (milestone.title, milestone.note, milestone.reached_on) == ("Works start", "ok", None)
    with pytest.raises(FieldErrors) as caught:
        check_milestone(title=" ", planned_on=None, reached_on=None, note="x" * (NOTE_MAX + 1))
    assert {name: e.code for name, e in caught.value.fields.items()} == {
        "title": "field.required", "planned_on": "field.required", "note": "field.too-long",
    }  # fmt: skip
