"""Polling places and paper ballots, the pure part (PRODUCT.md "Paper ballots (urns)").

- Shifts: an officer acts at a place only during a shift there, [starts, ends); outside it
  their pages say when the next one starts (T2, T7).
- Double entry: each numbered ballot of a batch is read twice, by sides A and B; `differences`
  lists every number on which they do not agree exactly, and a batch is accepted exactly when
  both sides are complete and there is none.
- Reconciliation: per place and budget, ballots + blank + invalid <= check-ins; a surplus, or a
  batch not accepted, blocks closing the vote (T1).
Time is a parameter; nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from budget.domain.validation import Ballot

BATCH_MAX: Final = 50  # ballots in one batch (PRODUCT.md)


class PaperKind(StrEnum):
    CHOICES = "choices"
    BLANK = "blank"
    OVER_LIMIT = "invalid-over-limit"
    UNREADABLE = "invalid-unreadable"


class BatchState(StrEnum):
    OPEN = "open"  # nothing entered yet
    ENTERING = "entering"
    ACCEPTED = "accepted"  # both sides agreed: its ballots are stored
    VOIDED = "voided"  # by the council, with the reason; re-entered as a new batch


class Side(StrEnum):
    A = "A"
    B = "B"


@dataclass(frozen=True)
class Mark:
    """One side's reading of one paper ballot: its kind and, for `choices`, the canonical ballot
    the validator returned (so two readings compare as the count would see them)."""

    kind: PaperKind
    ballot: Ballot = field(default_factory=lambda: Ballot(()))

    def describe(self) -> str:
        """`{3,5}`, `{3:2,5:1}` with points, or the kind (`blank`, `invalid-over-limit`, ...)."""
        if self.kind is not PaperKind.CHOICES:
            return self.kind.value
        if self.ballot.points:
            pairs = zip(self.ballot.choices, self.ballot.points, strict=True)
            return "{" + ",".join(f"{p}:{n}" for p, n in pairs) + "}"
        return "{" + ",".join(str(p) for p in self.ballot.choices) + "}"

    @property
    def is_counted(self) -> bool:
        return self.kind is PaperKind.CHOICES


# -- shifts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    starts_at: datetime
    ends_at: datetime

    def covers(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


def on_shift(shifts: Iterable[Shift], now: datetime) -> bool:
    """True when one of the officer's shifts at the place covers `now`."""
    return any(shift.covers(now) for shift in shifts)


def next_shift(shifts: Iterable[Shift], now: datetime) -> Shift | None:
    """The earliest shift starting after `now`, if any."""
    later = [shift for shift in shifts if shift.starts_at > now]
    return min(later, key=lambda shift: shift.starts_at, default=None)


# -- double entry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A ballot number the two sides read differently (None: that side has not entered it)."""

    number: int
    a: Mark | None
    b: Mark | None

    def describe(self) -> str:
        """`#17: A {3,5}, B {3,6}` (`-` for a number a side has not entered)."""
        a = self.a.describe() if self.a is not None else "-"
        b = self.b.describe() if self.b is not None else "-"
        return f"#{self.number}: A {a}, B {b}"


def is_complete(size: int, side: Mapping[int, Mark]) -> bool:
    """Every number 1..size entered."""
    return all(number in side for number in range(1, size + 1))


def differences(size: int, a: Mapping[int, Mark], b: Mapping[int, Mark]) -> tuple[Difference, ...]:
    """Every number 1..size on which the sides differ, a missing reading included."""
    return tuple(
        Difference(number, a.get(number), b.get(number))
        for number in range(1, size + 1)
        if a.get(number) != b.get(number)
    )


def agrees(size: int, a: Mapping[int, Mark], b: Mapping[int, Mark]) -> bool:
    """A batch is accepted exactly when both sides read every ballot and agree on each."""
    return is_complete(size, a) and not differences(size, a, b)


# -- reconciliation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    """One place and budget: check-ins against the accepted paper ballots, by kind."""

    check_ins: int
    ballots: int = 0
    blank: int = 0
    invalid: int = 0
    pending_batches: int = 0  # batches neither accepted nor voided

    @property
    def paper(self) -> int:
        return self.ballots + self.blank + self.invalid

    @property
    def surplus(self) -> int:
        return max(0, self.paper - self.check_ins)


def tally_marks(marks: Iterable[Mark]) -> tuple[int, int, int]:
    """(ballots, blank, invalid) among accepted readings."""
    ballots = blank = invalid = 0
    for mark in marks:
        if mark.is_counted:
            ballots += 1
        elif mark.kind is PaperKind.BLANK:
            blank += 1
        else:
            invalid += 1
    return ballots, blank, invalid


def blockers(reconciliation: Reconciliation) -> tuple[tuple[str, dict[str, int]], ...]:
    """Why this place and budget blocks closing the vote: (code, params) for each reason."""
    found: list[tuple[str, dict[str, int]]] = []
    if reconciliation.surplus:
        found.append(
            (
                "polling.surplus",
                {"paper": reconciliation.paper, "check_ins": reconciliation.check_ins},
            )
        )
    if reconciliation.pending_batches:
        found.append(("polling.pending", {"count": reconciliation.pending_batches}))
    return tuple(found)
