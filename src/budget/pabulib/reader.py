"""Reading .pb text into a `PabulibFile`: structure, META, PROJECTS and VOTES checked line by
line; problems raise `PabulibError` with the line, or become warnings (see the package doc)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from budget.pabulib.model import PabulibFile, Table
from budget.pabulib.syntax import (
    COUNT,
    POINTS_TYPES,
    SECTIONS,
    PabulibError,
    merge_repeats,
    parse_amount,
    scaled,
    split_list,
)
from budget.tally.model import Ballot, Election, Project, VoteType


@dataclass
class _Section:
    name: str
    line: int
    rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)


def _split_sections(text: str, source: str) -> dict[str, _Section]:
    """The three sections' rows with their line numbers; structure errors raise."""
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        for row in reader:
            fields = tuple(value.strip() for value in row)
            if fields in ((), ("",)):
                continue
            if len(fields) == 1 and fields[0] in SECTIONS:
                current = _open_section(sections, fields[0], reader.line_num, source)
            elif current is None:
                raise PabulibError("the file must start with META", reader.line_num, source)
            else:
                current.rows.append((reader.line_num, fields))
    except csv.Error as error:
        raise PabulibError(f"unreadable line: {error}", reader.line_num, source) from None
    if not sections:
        raise PabulibError("empty file: no META section", 1, source)
    for name in SECTIONS:
        if name not in sections:
            raise PabulibError(f"missing section {name}", reader.line_num, source)
    return sections


def _open_section(sections: dict[str, _Section], name: str, line: int, source: str) -> _Section:
    if name in sections:
        raise PabulibError(f"section {name} appears twice", line, source)
    expected = SECTIONS[len(sections)]
    if name != expected:
        raise PabulibError(f"section {name} out of order: {expected} must come first", line, source)
    sections[name] = _Section(name, line)
    return sections[name]


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
        sections = _split_sections(text.removeprefix("\ufeff"), self.source)
        meta, meta_lines = self.meta(sections["META"])
        self.meta_lines = meta_lines
        vote_type = self.vote_type(meta)
        projects = self.table(sections["PROJECTS"], ("project_id", "cost"))
        votes = self.table(sections["VOTES"], ("voter_id", "vote"))
        scale, project_list, budget = self.projects(sections["PROJECTS"], projects, meta)
        self.check_count(meta, "num_projects", len(projects.rows))
        self.check_count(meta, "num_votes", len(votes.rows))
        ballots = _Ballots(self, meta, vote_type, {p.id for p in project_list})
        for line, row in sections["VOTES"].rows[1:]:
            ballots.add(dict(zip(votes.columns, row, strict=True)), line)
        max_length = self.count_or_none(meta, "max_length")
        election = Election(tuple(project_list), budget, vote_type, ballots.merged(), max_length)
        return PabulibFile(MappingProxyType(meta), projects, votes, election, scale, self.source,
                           tuple(self.warnings), MappingProxyType(meta_lines))  # fmt: skip

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
            message = f"{kind} {what} {text!r}: expected a number such as 1250 or 1250.50"
            raise self.fail(message, line)
        return parts

    def projects(
        self, section: _Section, table: Table, meta: Mapping[str, str]
    ) -> tuple[int, list[Project], int]:
        if "budget" not in meta:
            raise self.fail("META has no budget", None)
        budget = self.amount(meta["budget"], "budget", self.meta_lines["budget"])
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
            raise self.fail(
                f"{key} must be a whole number, not {meta[key]!r}", self.meta_lines[key]
            )
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
        self.counts: dict[tuple[tuple[str, ...], tuple[int, ...] | None], int] = {}
        self.voters: set[str] = set()

    def add(self, row: Mapping[str, str], line: int) -> None:
        fail = self.reader.fail
        voter = row["voter_id"]
        if not voter or voter in self.voters:
            raise fail(f"voter id {voter!r} is empty or repeated", line)
        self.voters.add(voter)
        projects = split_list(row["vote"])
        for project_id in projects:
            if project_id not in self.known:
                raise fail(f"the ballot names an unknown project {project_id!r}", line)
        points = self.points(row, len(projects), line)
        if self.vote_type is VoteType.CHOOSE_ONE and len(projects) > 1:
            raise fail(f"a choose-1 ballot names {len(projects)} projects", line)
        if self.vote_type in POINTS_TYPES and points is None:
            raise fail(f"{self.vote_type} ballots need a points column", line)
        self.check_length(len(set(projects)), line)
        key = self.merge_repeats(projects, points, line)
        self.counts[key] = self.counts.get(key, 0) + 1

    def points(self, row: Mapping[str, str], length: int, line: int) -> tuple[int, ...] | None:
        if "points" not in row:
            return None
        texts = split_list(row["points"])
        if len(texts) != length:
            message = f"the ballot names {length} projects but gives {len(texts)} points"
            raise self.reader.fail(message, line)
        for text in texts:
            if COUNT.fullmatch(text) is None:
                raise self.reader.fail(f"bad points {text!r}: expected a whole number", line)
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
            self.reader.warn(f"points sum {sum(points)} under min_sum_points {least}", line)

    def merge_repeats(
        self, projects: list[str], points: tuple[int, ...] | None, line: int
    ) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
        """The ballot as stored: a repeated project once, with its points added up."""
        if self.vote_type not in POINTS_TYPES:
            points = None
        if len(set(projects)) == len(projects):
            return tuple(projects), points
        self.reader.warn("a project appears twice in the ballot; counted once", line)
        return merge_repeats(projects, points)

    def merged(self) -> tuple[Ballot, ...]:
        return tuple(Ballot(projects, points, n) for (projects, points), n in self.counts.items())


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
