"""Ballot forms: the posted fields of a ballot page -> a ballot as typed, and back.

Field names: `choice` (checkboxes, or one radio button for choose-one), `points-<project>`
(cumulative), `rank-<project>` (ranked). A value that is not a whole number is the mark of a
tampered form: BallotShape, and nothing is stored. Which projects exist is the validator's
business (an unknown id gives `ballot.unknown-project`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from budget.domain import validation
from budget.domain.ballots import BallotType
from budget.domain.errors import BallotShape
from budget.domain.validation import Ballot

MAX_FIELDS = 2000  # more fields than any ballot can use: refused before parsing


def _number(text: str, ballot_type: BallotType) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit() or len(cleaned) > 6:
        raise BallotShape(ballot_type=ballot_type.value)
    return int(cleaned)


def _prefixed(
    items: Iterable[tuple[str, str]], prefix: str, ballot_type: BallotType
) -> dict[int, int]:
    """`<prefix><project>` fields with a value, as project -> number (empty fields skipped)."""
    found: dict[int, int] = {}
    for name, value in items:
        if not name.startswith(prefix) or not value.strip():
            continue
        found[_number(name.removeprefix(prefix), ballot_type)] = _number(value, ballot_type)
    return found


def parse(ballot_type: BallotType, items: Iterable[tuple[str, str]]) -> Ballot:
    """The ballot as typed in the form (not yet validated)."""
    fields = list(items)
    if len(fields) > MAX_FIELDS:
        raise BallotShape(ballot_type=ballot_type.value)
    if ballot_type is BallotType.CUMULATIVE:
        points = {p: x for p, x in _prefixed(fields, "points-", ballot_type).items() if x}
        return Ballot(tuple(points), tuple(points.values()))
    if ballot_type is BallotType.RANKED:
        return validation.ranking(_prefixed(fields, "rank-", ballot_type))
    return Ballot(tuple(_number(v, ballot_type) for n, v in fields if n == "choice"))


def hidden_fields(ballot_type: BallotType, ballot: Ballot) -> list[tuple[str, str]]:
    """The fields that post this ballot again (the confirmation page's hidden inputs)."""
    if ballot_type is BallotType.CUMULATIVE:
        return [(f"points-{p}", str(x)) for p, x in zip(ballot.choices, ballot.points, strict=True)]
    if ballot_type is BallotType.RANKED:
        return [(f"rank-{p}", str(n)) for n, p in enumerate(ballot.choices, start=1)]
    return [("choice", str(p)) for p in ballot.choices]


@dataclass(frozen=True)
class Marked:
    """What the page shows as already chosen for each project."""

    chosen: frozenset[int]
    points: Mapping[int, int]
    ranks: Mapping[int, int]


def marked(ballot: Ballot) -> Marked:
    weights = dict(zip(ballot.choices, ballot.points, strict=False)) if ballot.points else {}
    return Marked(
        chosen=frozenset(ballot.choices),
        points=weights,
        ranks={p: n for n, p in enumerate(ballot.choices, start=1)},
    )
