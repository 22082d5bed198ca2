"""Reading .pb text into a `PabulibFile`: structure, META, PROJECTS and VOTES checked line by
line; problems raise `PabulibError` with the line, or become warnings (see the package doc)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from budget.pabulib.model import PabulibFile, Table
from budget.pabulib.syntax import (
    COUNT,
    POINTS_TYPES,
    SECTIONS,
    PabulibError,
    Rows,
    amount_problem,
    count_problem,
    merge_repeats,
    parse_amount,
    scaled,
    section_rows,
    shown,
    split_list,
)
from budget.tally.model import Ballot, Election, Project, VoteType

BallotKey = tuple[tuple[str, ...], tuple[int, ...] | None]
TextKey = str | tuple[str, str]


@dataclass
class _Section:
    name: str
    line: int  # the line of its heading
    rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)


class _Sections:
    """The file's rows, section by section, in one pass: META and PROJECTS are kept (they are
    small); the VOTES rows are left in `rows` for the ballots to read one by one. Structure errors
    raise as they are met."""

    def __init__(self, text: str, source: str) -> None:
        self.rows = Rows(text, source)
        self.text = text
        self.source = source
        self.line = 0  # the line of the last row read

    def fail(self, message: str, line: int) -> PabulibError:
        return PabulibError(message, line, self.source)

    def opening(self) -> _Section:
        """The META heading, which must come first."""
        for line, fields in self.rows:
            self.line = line
            stripped = tuple(value.strip() for value in fields)
            if stripped in ((), ("",)):
                continue
            if stripped == ("META",):
                return _Section("META", line)
            if len(stripped) == 1 and stripped[0] in SECTIONS:
                raise self.fail(f"section {stripped[0]} out of order: META must come first", line)
            raise self.fail("the file must start with META", line)
        raise self.fail("empty file: no META section", 1)

    def fill(self, section: _Section, following: str) -> _Section:
        """`section` with its rows, up to the heading of section `following`, returned."""
        for line, fields in self.rows:
            self.line = line
            stripped = tuple(value.strip() for value in fields)
            if stripped in ((), ("",)):
                continue
            if len(stripped) == 1 and stripped[0] in SECTIONS:
                self.check_heading(stripped[0], following, line)
                return _Section(following, line)
            section.rows.append((line, stripped))
        raise self.fail(f"missing section {following}", self.line)

    def check_heading(self, found: str, expected: str, line: int) -> None:
        if SECTIONS.index(found) < SECTIONS.index(expected):
            raise self.fail(f"section {found} appears twice", line)
        if found != expected:
            raise self.fail(f"section {found} out of order: {expected} must come first", line)

    def header(self, section: _Section) -> _Section:
        """The VOTES section with its header row alone (the votes stay in `rows`)."""
        for line, fields in self.rows:
            self.line = line
            stripped = tuple(value.strip() for value in fields)
            if stripped in ((), ("",)):
                continue
            if len(stripped) == 1 and stripped[0] in SECTIONS:
                raise self.fail(f"section {stripped[0]} appears twice", line)
            section.rows.append((line, stripped))
            return section
        raise self.fail(f"section {section.name} has no header row", section.line)


class _Reader:
    """One file being read: collects warnings, and turns problems into located errors."""

    def __init__(self, source: str, strict: bool) -> None:
        self.source = source
        self.strict = strict
        self.warnings: list[str] = []
        self.meta_lines: dict[str, int] = {}

    def fail(self, message: str, line: int | None) -> PabulibError:
        return PabulibError(message, line, self.source)

    def warn(self, message: str, line: int) -> None:
        if self.strict:
            raise self.fail(message, line)
        self.warnings.append(f"line {line}: {message}")

    def read(self, text: str) -> PabulibFile:
        text = text.removeprefix("\ufeff")
        sections = _Sections(text, self.source)
        meta_section = sections.opening()
        project_section = sections.fill(meta_section, "PROJECTS")
        vote_section = sections.header(sections.fill(project_section, "VOTES"))
        meta, meta_lines = self.meta(meta_section)
        self.meta_lines = meta_lines
        vote_type = self.vote_type(meta)
        projects = self.table(project_section, ("project_id", "cost"))
        columns = self.table(vote_section, ("voter_id", "vote")).columns
        scale, project_list, budget = self.projects(project_section, projects, meta)
        self.check_count(meta, "num_projects", len(projects.rows))
        ballots = _Ballots(self, meta, vote_type, {p.id for p in project_list})
        voters = ballots.read(sections, columns)
        self.check_count(meta, "num_votes", voters)
        max_length = self.count_or_none(meta, "max_length")
        election = Election(tuple(project_list), budget, vote_type, ballots.merged(), max_length)
        return PabulibFile(MappingProxyType(meta), projects, election, scale, self.source,
                           tuple(self.warnings), MappingProxyType(meta_lines), text)  # fmt: skip

    def meta(self, section: _Section) -> tuple[dict[str, str], dict[str, int]]:
        rows = section.rows
        if rows and rows[0][1] == ("key", "value"):
            rows = rows[1:]
        meta: dict[str, str] = {}
        lines: dict[str, int] = {}
        for line, fields in rows:
            key = fields[0]
            if len(fields) < 2 or not key:
                raise self.fail("a META row needs a key and a value: key;value", line)
            if key in meta:
                raise self.fail(f"duplicate META key {key!r}", line)
            meta[key] = ";".join(fields[1:])
            lines[key] = line
        return meta, lines

    def vote_type(self, meta: Mapping[str, str]) -> VoteType:
        if "vote_type" not in meta:
            raise self.fail("META has no vote_type", None)
        try:
            return VoteType(meta["vote_type"])
        except ValueError:
            known = ", ".join(v.value for v in VoteType)
            message = f"unknown vote_type {meta['vote_type']!r} (known: {known})"
            raise self.fail(message, self.meta_lines["vote_type"]) from None

    def table(self, section: _Section, required: tuple[str, ...]) -> Table:
        if not section.rows:
            raise self.fail(f"section {section.name} has no header row", section.line)
        header_line, columns = section.rows[0]
        for name in required:
            if name not in columns:
                raise self.fail(f"{section.name} header lacks the column {name!r}", header_line)
        if len(set(columns)) != len(columns):
            raise self.fail(f"{section.name} header names a column twice", header_line)
        for line, row in section.rows[1:]:
            if len(row) != len(columns):
                message = f"{section.name} row has {len(row)} fields, the header {len(columns)}"
                raise self.fail(message, line)
        return Table(columns, tuple(row for _, row in section.rows[1:]))

    def amount(self, text: str, what: str, line: int | None) -> tuple[str, str]:
        parts = parse_amount(text)
        if parts is None:
            kind = "negative" if text.startswith("-") else "bad"
            raise self.fail(f"{kind} {what} {shown(text)}: {amount_problem(text)}", line)
        return parts

    def projects(
        self, section: _Section, table: Table, meta: Mapping[str, str]
    ) -> tuple[int, list[Project], int]:
        if "budget" not in meta:
            raise self.fail("META has no budget", None)
        budget = self.amount(meta["budget"], "budget", self.meta_lines["budget"])
        if not budget[0].strip("0") and not budget[1].strip("0"):
            raise self.fail("the budget must be more than zero", self.meta_lines["budget"])
        lines = [line for line, _ in section.rows[1:]]
        costs = [self.amount(row[table.columns.index("cost")], "cost", line)
                 for line, row in zip(lines, table.rows, strict=True)]  # fmt: skip
        decimals = max(len(parts[1]) for parts in [budget, *costs])
        projects: list[Project] = []
        seen: set[str] = set()
        for line, row, cost in zip(lines, table.rows, costs, strict=True):
            values = dict(zip(table.columns, row, strict=True))
            project = self.project(values, scaled(cost, decimals), line)
            if project.id in seen:
                raise self.fail(f"duplicate project id {project.id!r}", line)
            seen.add(project.id)
            projects.append(project)
        return 10**decimals, projects, scaled(budget, decimals)

    def project(self, values: Mapping[str, str], cost: int, line: int) -> Project:
        project_id = values["project_id"]
        if not project_id or "," in project_id:
            raise self.fail(f"bad project id {project_id!r}: empty or with a comma", line)
        if cost == 0:
            raise self.fail(f"project {project_id!r} costs zero", line)
        categories = tuple(c.strip() for c in values.get("category", "").split(",") if c.strip())
        district = values.get("district") or values.get("subunit") or None
        return Project(project_id, cost, values.get("name", ""), categories, district)

    def count_or_none(self, meta: Mapping[str, str], key: str) -> int | None:
        if key not in meta:
            return None
        if COUNT.fullmatch(meta[key]) is None:
            message = f"{key} {shown(meta[key])}: {count_problem(meta[key])}"
            raise self.fail(message, self.meta_lines[key])
        return int(meta[key])

    def check_count(self, meta: Mapping[str, str], key: str, actual: int) -> None:
        declared = self.count_or_none(meta, key)
        if declared is not None and declared != actual:
            message = f"{key} says {declared} but the file has {actual}"
            raise self.fail(message, self.meta_lines[key])


class _Ballots:
    """Reads VOTES rows into ballots, checks them against META, merges identical ones."""

    def __init__(
        self, reader: _Reader, meta: Mapping[str, str], vote_type: VoteType, known: set[str]
    ) -> None:
        self.reader = reader
        self.vote_type = vote_type
        self.known = known
        self.limits = {key: reader.count_or_none(meta, key) for key in
                       ("min_length", "max_length", "max_points", "max_sum_points",
                        "min_sum_points")}  # fmt: skip
        # Identical ballots are counted as read, keyed by their text: the vote field, or (vote,
        # points) with a points column.
        self.counts: dict[TextKey, int] = {}
        self.stored: dict[TextKey, BallotKey] = {}  # each text as a checked ballot
        self.warned: dict[TextKey, list[str]] = {}  # warnings each text gives
        self.checking: TextKey = ""  # the text `check` is at
        self.merging = False  # whether two texts may be the same ballot (`check` stored one)

    def read(self, sections: _Sections, columns: tuple[str, ...]) -> int:
        """Read every VOTES row; the number of voters. One tight pass over the lines: a ballot's
        text is checked the first time it is seen (errors name that line), later copies are only
        counted; voter ids are checked in `_VoterIds` (no storage while they increase)."""
        width = len(columns)
        voter_at, vote_at = columns.index("voter_id"), columns.index("vote")
        points_at = columns.index("points") if "points" in columns else None
        rows, counts, warned = sections.rows, self.counts, self.warned
        raw, split, check = rows.raw, rows.split, self.check
        plain = self.plain_check() if points_at is None else None
        voters = _VoterIds(sections)
        last: int | None = -1  # the last voter id while they are increasing numbers, else None
        line = rows.number
        for text in rows.lines:
            line += 1
            if raw or '"' in text:
                rows.number = line
                fields = split(text)
                line = rows.number  # a quoted field may hold line breaks
            else:
                fields = text.split(";")
            if len(fields) != width:
                self.odd_row(fields, width, line)
                continue
            voter = fields[voter_at]
            if last is not None and voter.isdecimal() and int(voter) > last:
                last = int(voter)
                voters.count += 1
            else:
                voters.add(voter, line)
                last = None
            key = fields[vote_at] if points_at is None else (fields[vote_at], fields[points_at])
            seen = counts.get(key)
            if seen is None:
                counts[key] = 1
                if plain is None or not plain(key):
                    check(key, line)
            else:
                counts[key] = seen + 1
                if warned and key in warned:
                    for message in warned[key]:
                        self.reader.warn(message, line)
        rows.number = line
        return voters.count

    def plain_check(self) -> Callable[[TextKey], bool]:
        """The check of a ballot text without points in the usual case, as a function: True if
        `text` names distinct known projects, written without spaces, within the length limits,
        and the ballot is stored; False sends the text to `check`, which stores it or names
        the problem. Such texts are their ballots' ids joined by commas, so two of them are never
        the same ballot and `merged` need not merge them."""
        known, stored = self.known, self.stored
        low = self.limits["min_length"] or 0
        high = self.limits["max_length"]
        if self.vote_type is VoteType.CHOOSE_ONE:
            high = 1 if high is None else min(high, 1)
        most = len(known) if high is None else high
        if self.vote_type in POINTS_TYPES:
            return lambda text: False  # `check` refuses them: they need a points column

        def plain(text: TextKey) -> bool:
            projects = text.split(",")  # type: ignore[union-attr]  # no points column: a str
            length = len(projects)
            if (
                low <= length <= most
                and known.issuperset(projects)
                and (length == 1 or len(set(projects)) == length)
            ):
                stored[text] = (tuple(projects), None)
                return True
            return False

        return plain

    def odd_row(self, fields: list[str], width: int, line: int) -> None:
        """A row with another number of fields than the header: blank, or an error."""
        stripped = [value.strip() for value in fields]
        if stripped in ([], [""]):
            return
        if len(stripped) == 1 and stripped[0] in SECTIONS:
            raise self.reader.fail(f"section {stripped[0]} appears twice", line)
        raise self.reader.fail(f"VOTES row has {len(fields)} fields, the header {width}", line)

    def check(self, key: TextKey, line: int) -> None:
        """Check a ballot's text the first time it is seen, and store it as a ballot."""
        fail = self.reader.fail
        self.checking = key
        vote, points_text = (key, None) if isinstance(key, str) else key
        projects = vote.split(",")  # ids are stripped: a part that is one needs no strip
        if not self.known.issuperset(projects):
            projects = split_list(vote.strip())
            if not self.known.issuperset(projects):
                unknown = next(p for p in projects if p not in self.known)
                raise fail(f"the ballot names an unknown project {unknown!r}", line)
        length = len(projects)
        points = None if points_text is None else self.points(points_text.strip(), length, line)
        if self.vote_type is VoteType.CHOOSE_ONE and length > 1:
            raise fail(f"a choose-1 ballot names {length} projects", line)
        if self.vote_type in POINTS_TYPES and points is None:
            raise fail(f"{self.vote_type} ballots need a points column", line)
        distinct = len(set(projects)) if length > 1 else length
        self.check_length(distinct, line)
        if self.vote_type not in POINTS_TYPES:
            points = None
        self.merging = True
        if distinct == length:
            self.stored[key] = (tuple(projects), points)
        else:
            self.warn("a project appears twice in the ballot; counted once", line)
            self.stored[key] = merge_repeats(projects, points)

    def warn(self, message: str, line: int) -> None:
        """A warning about the ballot text being checked, repeated for each of its copies."""
        self.warned.setdefault(self.checking, []).append(message)
        self.reader.warn(message, line)

    def points(self, text: str, length: int, line: int) -> tuple[int, ...]:
        texts = split_list(text)
        if len(texts) != length:
            given = f"{len(texts)} point" + ("" if len(texts) == 1 else "s")
            message = f"the ballot names {length} projects but gives {given}"
            raise self.reader.fail(message, line)
        for text in texts:
            if COUNT.fullmatch(text) is None:
                raise self.reader.fail(f"bad points {shown(text)}: {count_problem(text)}", line)
        points = tuple(int(text) for text in texts)
        self.check_points(points, line)
        return points

    def check_length(self, length: int, line: int) -> None:
        low, high = self.limits["min_length"], self.limits["max_length"]
        if high is not None and length > high:
            raise self.reader.fail(
                f"the ballot names {length} projects, max_length is {high}", line
            )
        if low is not None and length < low:
            raise self.reader.fail(f"the ballot names {length} projects, min_length is {low}", line)

    def check_points(self, points: tuple[int, ...], line: int) -> None:
        most, total = self.limits["max_points"], self.limits["max_sum_points"]
        if most is not None and any(p > most for p in points):
            raise self.reader.fail(f"points over max_points ({most}): {max(points)}", line)
        if total is not None and sum(points) > total:
            raise self.reader.fail(f"points sum {sum(points)} over max_sum_points {total}", line)
        least = self.limits["min_sum_points"]
        if least is not None and sum(points) < least:
            self.warn(f"points sum {sum(points)} under min_sum_points {least}", line)

    def merged(self) -> tuple[Ballot, ...]:
        """The ballots, identical ones merged, in the order first seen."""
        stored = self.stored
        if not self.merging:
            return tuple(Ballot(stored[key][0], None, n) for key, n in self.counts.items())
        totals: dict[BallotKey, int] = {}
        for key, count in self.counts.items():
            ballot = stored[key]
            totals[ballot] = totals.get(ballot, 0) + count
        return tuple(Ballot(projects, points, n) for (projects, points), n in totals.items())


class _VoterIds:
    """Checks that voter ids are distinct, in little memory. While the ids are increasing
    numbers (as real files number their voters) nothing is stored: the VOTES loop only keeps the
    last one. At the first id that is not, the ids read so far are collected again from the
    text into a set, and every later id is checked against it."""

    def __init__(self, sections: _Sections) -> None:
        self.sections = sections
        self.seen: set[str] | None = None
        self.count = 0

    def add(self, voter: str, line: int) -> None:
        """Record `voter` (of row `line`), failing if it is empty or was seen; from the first
        call on, the loop calls this for every id."""
        if self.seen is None:
            self.seen = self.collect(line)
        voter = voter.strip()
        if not voter or voter in self.seen:
            raise self.sections.fail(f"voter id {voter!r} is empty or repeated", line)
        self.seen.add(voter)
        self.count += 1

    def collect(self, line: int) -> set[str]:
        """The voter ids of the VOTES rows before `line`, read again from the text."""
        rows = section_rows(self.sections.text, "VOTES")
        header = next(rows)[1]
        at = header.index("voter_id")
        return {fields[at] for number, fields in rows if number < line}


def read(text: str, *, source: str = "", strict: bool = False) -> PabulibFile:
    """Read the text of a .pb file; `source` names it in errors. `strict` turns warnings into
    errors (for files this platform wrote, which must be consistent)."""
    return _Reader(source, strict).read(text)


def read_path(path: str | os.PathLike[str], *, strict: bool = False) -> PabulibFile:
    """Read a .pb file from disk (UTF-8, with or without BOM)."""
    raw = Path(path).read_bytes()
    name = Path(path).name
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PabulibError("the file is not UTF-8 text", line, name) from None
    return read(text, source=name, strict=strict)
