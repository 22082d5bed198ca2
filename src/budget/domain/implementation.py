"""Implementation tracking of funded projects (PRODUCT.md "Implementation tracking").

Status: `planned -> in_progress -> done`; `abandoned` from planned or in progress, with a public
reason; `done -> in_progress` with a note (work reopened). Abandoned is final. A change may keep
the status (progress or spending moved on). Progress is an integer percent, 100 when done;
the amount spent to date is optional, in minor units. Milestones: a title, a planned date, an
actual date once reached, a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from budget.domain.errors import (
    BudgetError,
    DoneNotComplete,
    OutOfRange,
    Required,
    StatusTransition,
    TooLong,
    TooShort,
    collect,
    raise_if_any,
)
from budget.domain.proposals import EXPLANATION_MIN, TITLE_MAX, check_text

NOTE_MAX: Final = 2000
REASON_MIN: Final = EXPLANATION_MIN  # a public reason for abandoning, in characters
SPENT_MAX: Final = 10**15  # minor units; far above any envelope, below BIGINT
PROGRESS_MAX: Final = 100


class ImplementationStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ABANDONED = "abandoned"


S = ImplementationStatus
NEXT: Final[Mapping[ImplementationStatus, frozenset[ImplementationStatus]]] = {
    S.PLANNED: frozenset({S.PLANNED, S.IN_PROGRESS, S.ABANDONED}),
    S.IN_PROGRESS: frozenset({S.IN_PROGRESS, S.DONE, S.ABANDONED}),
    S.DONE: frozenset({S.DONE, S.IN_PROGRESS}),
    S.ABANDONED: frozenset(),
}
FINISHED: Final = frozenset({S.DONE, S.ABANDONED})  # what archiving a cycle waits for


@dataclass(frozen=True)
class StatusChange:
    """A checked change of a project's public state."""

    status: ImplementationStatus
    progress: int
    spent: int | None
    note: str


def _needs_note(current: ImplementationStatus, target: ImplementationStatus) -> bool:
    """Abandoning needs a public reason; reopening finished work needs a note."""
    return target is S.ABANDONED or (current is S.DONE and target is S.IN_PROGRESS)


def _check_note(note: str, required: bool) -> None:
    if len(note) > NOTE_MAX:
        raise TooLong(max=NOTE_MAX)
    if required and not note:
        raise Required()
    if required and len(note) < REASON_MIN:
        raise TooShort(min=REASON_MIN)


def _check_progress(progress: int, target: ImplementationStatus) -> None:
    if not 0 <= progress <= PROGRESS_MAX:
        raise OutOfRange(min=0, max=PROGRESS_MAX)
    if target is S.DONE and progress != PROGRESS_MAX:
        raise DoneNotComplete()


def _check_spent(spent: int | None) -> None:
    if spent is not None and not 0 <= spent <= SPENT_MAX:
        raise OutOfRange(min=0, max=SPENT_MAX)


def check_change(
    current: ImplementationStatus,
    target: ImplementationStatus,
    *,
    progress: int,
    spent: int | None,
    note: str,
) -> StatusChange:
    """The change, checked: a move the life allows (else StatusTransition), then every field
    (FieldErrors naming progress, spent and note)."""
    if target not in NEXT[current]:
        raise StatusTransition(from_status=current.value, to_status=target.value)
    cleaned = note.strip()
    errors: dict[str, BudgetError] = {}
    collect(errors, "progress", lambda: _check_progress(progress, target))
    collect(errors, "spent", lambda: _check_spent(spent))
    collect(errors, "note", lambda: _check_note(cleaned, _needs_note(current, target)))
    raise_if_any(errors)
    return StatusChange(status=target, progress=progress, spent=spent, note=cleaned)


@dataclass(frozen=True)
class MilestoneFields:
    """A checked milestone."""

    title: str
    planned_on: date
    reached_on: date | None
    note: str


def check_milestone(
    *, title: str, planned_on: date | None, reached_on: date | None, note: str
) -> MilestoneFields:
    """Title 1..TITLE_MAX characters, a planned date, an optional actual date, a note of at
    most NOTE_MAX characters; FieldErrors names every field that is wrong."""
    errors: dict[str, BudgetError] = {}
    collect(errors, "title", lambda: check_text(title, TITLE_MAX))
    if planned_on is None:
        errors["planned_on"] = Required()
    cleaned = note.strip()
    collect(errors, "note", lambda: _check_note(cleaned, required=False))
    raise_if_any(errors)
    assert planned_on is not None  # noqa: S101 - checked just above
    return MilestoneFields(
        title=title.strip(), planned_on=planned_on, reached_on=reached_on, note=cleaned
    )
