"""The lexical pieces of the .pb format every part of `budget.pabulib` shares: rows with their
line numbers, section names, amounts and counts, list fields, the vote types with points, and the
located error."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Sequence

from budget.tally.model import VoteType

SECTIONS = ("META", "PROJECTS", "VOTES")
AMOUNT_DIGITS, DECIMALS, COUNT_DIGITS = 24, 12, 18
AMOUNT = re.compile(rf"([0-9]{{1,{AMOUNT_DIGITS}}})(?:\.([0-9]{{1,{DECIMALS}}}))?")
COUNT = re.compile(rf"[0-9]{{1,{COUNT_DIGITS}}}")
FIELD_LIMIT = csv.field_size_limit()  # 131,072 characters
CHUNK = 1 << 20  # the text is split into lines a megabyte at a time
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


def shown(text: str, limit: int = 40) -> str:
    """A value quoted in a message: repr-escaped, cut after `limit` characters."""
    return (
        repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text):,} characters)"
    )


def count_problem(text: str) -> str:
    """Why `text` is not a count (COUNT): too long, or not a whole number."""
    if text.isascii() and text.isdigit():
        return f"too many digits (at most {COUNT_DIGITS})"
    return "expected a whole number"


def amount_problem(text: str) -> str:
    """Why `text` is not an amount (AMOUNT): too many digits, or not a number."""
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        return f"too many digits (at most {AMOUNT_DIGITS} before the point and {DECIMALS} after)"
    return "expected a number such as 1250 or 1250.50"


def parse_amount(text: str) -> tuple[str, str] | None:
    """(integer digits, decimal digits) of a non-negative decimal amount, None if malformed."""
    match = AMOUNT.fullmatch(text)
    return None if match is None else (match.group(1), match.group(2) or "")


def scaled(parts: tuple[str, str], decimals: int) -> int:
    """The amount in units of 10**-decimals, exactly (string digits, no rounding possible)."""
    whole, fraction = parts
    return int(whole + fraction.ljust(decimals, "0"))


def split_list(text: str) -> list[str]:
    return list(map(str.strip, text.split(","))) if text else []


def merge_repeats(
    projects: Sequence[str], points: Sequence[int] | None
) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """A ballot naming a project twice, as read: once, in its first place, points added up."""
    totals: dict[str, int] = {}
    for index, project_id in enumerate(projects):
        totals[project_id] = totals.get(project_id, 0) + (points[index] if points else 0)
    return tuple(totals), None if points is None else tuple(totals.values())


class Rows:
    """The rows of a .pb text in one pass, with csv semantics (`;` between fields, double quotes
    around fields that need them, a quoted field may hold line breaks); blank rows included.
    Iterating gives (the line a row starts on, its fields as written, not stripped).

    A line without a double quote, nearly every line of a real file, is split on `;` directly; one
    with a quote is read by the csv module (`quoted`), and a quote never closed is reported on the
    line it opens, not at the end of the file. A text with a carriage return that does not end
    a line (old Mac line ends, or one inside a quoted field) is read by the csv module throughout
    (`raw`), as csv splits lines there too. The VOTES reader loops over `lines` itself, calling
    `split`, to stay tight."""

    def __init__(self, text: str, source: str = "") -> None:
        self.source = source
        self.number = 0  # the last line read
        self.raw = text.count("\r") != text.count("\r\n")
        self.lines: Iterator[str] = (
            iter(io.StringIO(text, newline="")) if self.raw else _lines(text)
        )

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        for line in self.lines:
            self.number += 1
            start = self.number
            yield start, self.split(line)

    def split(self, line: str) -> list[str]:
        """The fields of the row opening with `line`, which was just read (line `number`)."""
        if self.raw or '"' in line:
            return self.quoted(line)
        fields = line.split(";")
        if len(line) > FIELD_LIMIT and max(map(len, fields)) > FIELD_LIMIT:
            message = f"unreadable line: a field longer than {FIELD_LIMIT:,} characters"
            raise PabulibError(message, self.number, self.source)
        return fields

    def quoted(self, line: str) -> list[str]:
        """A row with a quote: csv in strict mode first, which tells a quote never closed (the
        error names the line it opens on). Real files also quote only the start of a field
        (`"Odkupmy" i my`), which strict mode refuses: those rows are read again as csv always
        read them, unless that reading runs to the end of the file (a quote never closed)."""
        start, end = self.number, "" if self.raw else "\n"
        taken = [line + end]
        exhausted = False

        def more() -> Iterator[str]:
            nonlocal exhausted
            for extra in self.lines:
                self.number += 1
                taken.append(extra + end)
                yield taken[-1]
            exhausted = True

        never_closed = PabulibError(
            "a quoted field opens on this line and is never closed", start, self.source
        )
        try:
            return next(csv.reader(itertools.chain(taken[:1], more()), delimiter=";", strict=True))
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise never_closed from None
        exhausted = False
        replay = csv.reader(itertools.chain(list(taken), more()), delimiter=";")
        try:
            fields = next(replay)
        except csv.Error as error:
            raise PabulibError(f"unreadable line: {error}", self.number, self.source) from None
        if exhausted:
            raise never_closed
        return fields


def _lines(text: str) -> Iterator[str]:
    """The text's lines without their `\n`, a chunk at a time (never all at once)."""
    start, end = 0, len(text)
    while start < end:
        cut = text.find("\n", start + CHUNK)
        cut = end if cut < 0 else cut + 1
        chunk = text[start:cut]
        start = cut
        pieces = chunk.split("\n")
        if chunk.endswith("\n"):
            pieces.pop()
        yield from pieces


def section_rows(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """The non-blank rows of section `name` of a text `read` accepted (its header first)."""
    inside = False
    for number, fields in Rows(text):
        stripped = [value.strip() for value in fields]
        if stripped in ([], [""]):
            continue
        if len(stripped) == 1 and stripped[0] in SECTIONS:
            inside = stripped[0] == name
        elif inside:
            yield number, stripped
