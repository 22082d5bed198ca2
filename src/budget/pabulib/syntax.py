"""The lexical pieces of the .pb format every part of `budget.pabulib` shares: section names,
amounts and counts, list fields, the vote types with points, and the located error."""

from __future__ import annotations

import re
from collections.abc import Sequence

from budget.tally.model import VoteType

SECTIONS = ("META", "PROJECTS", "VOTES")
AMOUNT = re.compile(r"([0-9]{1,24})(?:\.([0-9]{1,12}))?")
COUNT = re.compile(r"[0-9]{1,18}")
POINTS_TYPES = (VoteType.CUMULATIVE, VoteType.SCORING)
SET_LIKE_TYPES = (VoteType.APPROVAL, VoteType.CHOOSE_ONE, *POINTS_TYPES)


class PabulibError(ValueError):
    """A .pb file that cannot be read as written; `line` is 1-based (None: the whole file)."""

    def __init__(self, message: str, line: int | None = None, source: str = "") -> None:
        self.message = message
        self.line = line
        self.source = source
        where = ", ".join(part for part in (source, f"line {line}" if line else "") if part)
        super().__init__(f"{where}: {message}" if where else message)


def parse_amount(text: str) -> tuple[str, str] | None:
    """(integer digits, decimal digits) of a non-negative decimal amount, None if malformed."""
    match = AMOUNT.fullmatch(text)
    return None if match is None else (match.group(1), match.group(2) or "")


def scaled(parts: tuple[str, str], decimals: int) -> int:
    """The amount in units of 10**-decimals, exactly (string digits, no rounding possible)."""
    whole, fraction = parts
    return int(whole + fraction.ljust(decimals, "0"))


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")] if text else []


def merge_repeats(
    projects: Sequence[str], points: Sequence[int] | None
) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """A ballot naming a project twice, as read: once, in its first place, points added up."""
    totals: dict[str, int] = {}
    for index, project_id in enumerate(projects):
        totals[project_id] = totals.get(project_id, 0) + (points[index] if points else 0)
    return tuple(totals), None if points is None else tuple(totals.values())
