"""An officer's typing of one paper ballot -> a reading (services.polling.Reading).

Keyboard first: project numbers separated by spaces or commas (`3 5 12`; ranked ballots in rank
order; cumulative ballots as `3:2 5:1`), `-` for a blank ballot, `x` for one over the limit,
`?` for an unreadable one. An empty field is a ballot not entered yet.
"""

from __future__ import annotations

from typing import Final

from budget.domain.errors import ReadingSyntax
from budget.domain.polling import PaperKind
from budget.domain.validation import Ballot
from budget.services.polling import Reading
from budget.web import numbers

SHORTCUTS: Final = {"-": PaperKind.BLANK, "x": PaperKind.OVER_LIMIT, "?": PaperKind.UNREADABLE}
MAX_TOKENS: Final = 200


def parse_reading(text: str, *, cumulative: bool) -> Reading | None:
    """The reading typed, None for an empty field; ReadingSyntax when it is neither."""
    value = text.strip().lower()
    if not value:
        return None
    if value in SHORTCUTS:
        return Reading(SHORTCUTS[value])
    tokens = value.replace(",", " ").replace(";", " ").split()
    if len(tokens) > MAX_TOKENS:
        raise ReadingSyntax()
    choices: list[int] = []
    points: list[int] = []
    for token in tokens:
        project, _, given = token.partition(":")
        found = numbers.parse_id(project)
        if found is None or bool(given) != cumulative:
            raise ReadingSyntax()
        choices.append(found)
        if cumulative:
            count = numbers.parse_int(given, minimum=0, maximum=10**6)
            if count is None:
                raise ReadingSyntax()
            points.append(count)
    return Reading(PaperKind.CHOICES, Ballot(tuple(choices), tuple(points)))


def field_name(number: int) -> str:
    return f"ballot-{number}"


def show(kind: str, choices: tuple[int, ...], points: tuple[int, ...]) -> str:
    """A stored reading as the officer would type it again."""
    for typed, shortcut in SHORTCUTS.items():
        if shortcut.value == kind:
            return typed
    if points:
        return " ".join(f"{c}:{p}" for c, p in zip(choices, points, strict=True))
    return " ".join(str(c) for c in choices)
