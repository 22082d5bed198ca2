"""Pabulib .pb files <-> tally.Election: exact decimals, errors that name the line.

The format (Faliszewski et al., IJCAI 2023; `pb_file_format.md` of Pabulib): three sections in
this order, each opened by a line holding only its name, read with csv semantics (`;` between
fields, double quotes around fields that need them; BOM and CRLF accepted):

    META      `key;value` rows after a `key;value` header (extra `;`-separated parts are joined
              back into the value)
    PROJECTS  a header naming the columns (`project_id` and `cost` required), one row a project
    VOTES     a header (`voter_id` and `vote` required), one row a voter; `vote` lists project
              ids separated by `,`; `points` runs alongside for cumulative and scoring ballots

Fields are stripped of surrounding whitespace and blank lines skipped. The sections are kept as
text (`PabulibFile.meta`, `.projects`, `.votes`), so `write` gives them back unchanged.

Money: the budget and the costs may carry decimals ("1250.50"). With d the most decimals any of
them writes, every amount is read exactly as an integer of 10**-d currency units
(`PabulibFile.scale` = 10**d); `export` writes amounts back with the same d decimals.

Our platform's META keys, read by `PabulibFile.options`: `tie_break` (a chain as
`TieBreak.parse` reads it), `lottery_seed` (hexadecimal), `exclusion_sets` (`1,2;3,4`: sets
separated by `;`, project ids within a set by `,`), `mes_satisfaction` (`cost` or
`cardinality`) and `add1_step` (currency units, decimals allowed; default one unit).

Checks that real files break (a project named twice in one ballot: 22 ballots in 19 corpus files;
a points sum under `min_sum_points`: 4 files) give warnings unless `strict=True`; a repeated
project counts once (for points ballots its points add up). Any other inconsistency is an error.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.options import Options, Satisfaction
from budget.tally.ties import Criterion, TieBreak, default_ties

SECTIONS = ("META", "PROJECTS", "VOTES")
_AMOUNT = re.compile(r"([0-9]{1,24})(?:\.([0-9]{1,12}))?")
_COUNT = re.compile(r"[0-9]{1,18}")
_POINTS_TYPES = (VoteType.CUMULATIVE, VoteType.SCORING)
_SET_LIKE_TYPES = (VoteType.APPROVAL, VoteType.CHOOSE_ONE, *_POINTS_TYPES)


class PabulibError(ValueError):
    """A .pb file that cannot be read as written; `line` is 1-based (None: the whole file)."""

    def __init__(self, message: str, line: int | None = None, source: str = "") -> None:
        self.message = message
        self.line = line
        self.source = source
        where = ", ".join(part for part in (source, f"line {line}" if line else "") if part)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Table:
    """A section's header and rows, as text in file order."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def column(self, name: str) -> tuple[str, ...] | None:
        """The values of column `name`, or None when the table has no such column."""
        if name not in self.columns:
            return None
        index = self.columns.index(name)
        return tuple(row[index] for row in self.rows)


@dataclass(frozen=True)
class PabulibFile:
    """A read .pb file: its three sections as text, and the election they describe."""

    meta: Mapping[str, str]
    projects: Table
    votes: Table
    election: Election
    scale: int  # amounts are integers of 1/scale currency units (scale = 10**decimals)
    source: str = field(default="", compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)
    meta_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def rule(self) -> str | None:
        """The META `rule` as written (`greedy`, `equalshares/add1`...), None if absent."""
        return self.meta.get("rule") or None

    @property
    def selected(self) -> tuple[str, ...] | None:
        """Projects the city funded (`selected` = 1) in file order; None without the column.

        Other non-zero values (2 and 3 in Gdynia and Poznan: funded from reserves or money added
        after the vote) are left out; `selected_with` includes them on request."""
        return self.selected_with("1")

    @property
    def selected_with_reserve(self) -> tuple[str, ...] | None:
        """Projects funded by the vote, including from a reserve (`selected` 1 or 2): the outcome
        of Poznan's `greedy-custom` rule (`greedy-reserve`), which marks with 2 the project its
        reserve funded. Value 3 (money added after the vote) stays out."""
        return self.selected_with("1", "2")

    def selected_with(self, *flags: str) -> tuple[str, ...] | None:
        """Projects whose `selected` value is one of `flags`, in file order; None without the
        column."""
        values = self.projects.column("selected")
        if values is None:
            return None
        projects = self.election.projects
        return tuple(p.id for p, value in zip(projects, values, strict=True) if value in flags)

    def options(self, *, family: str | None = None) -> Options:
        """Options from META: `min_project_score_threshold` (an absolute score) and our keys.

        Without `tie_break`, a `lottery_seed` ends the default chain of `family` ("greedy" or
        "mes"; greedy when not given). Without either, ties follow the PROJECTS section's order
        alone (`source-order`): every rule still compares its own key first (score for greedy,
        the price per utility for MES), and a Pabulib file lists its projects in the city's
        published ranking, so equal projects are placed as the city placed them. Breaking them
        by more votes or lower cost instead misses about ten corpus files whose cities ranked
        equal scores otherwise (shared/pabulib/README.md)."""
        return _Options(self).build(family)


# Reading ----------------------------------------------------------------------------------------


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


def _parse_amount(text: str) -> tuple[str, str] | None:
    """(integer digits, decimal digits) of a non-negative decimal amount, None if malformed."""
    match = _AMOUNT.fullmatch(text)
    return None if match is None else (match.group(1), match.group(2) or "")


def _scaled(parts: tuple[str, str], decimals: int) -> int:
    """The amount in units of 10**-decimals, exactly (string digits, no rounding possible)."""
    whole, fraction = parts
    return int(whole + fraction.ljust(decimals, "0"))


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
        parts = _parse_amount(text)
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
            project = self.project(values, _scaled(cost, decimals), line)
            if project.id in seen:
                raise self.fail(f"duplicate project id {project.id!r}", line)
            seen.add(project.id)
            projects.append(project)
        return 10**decimals, projects, _scaled(budget, decimals)

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
        if _COUNT.fullmatch(meta[key]) is None:
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
        projects = _split_list(row["vote"])
        for project_id in projects:
            if project_id not in self.known:
                raise fail(f"the ballot names an unknown project {project_id!r}", line)
        points = self.points(row, len(projects), line)
        if self.vote_type is VoteType.CHOOSE_ONE and len(projects) > 1:
            raise fail(f"a choose-1 ballot names {len(projects)} projects", line)
        if self.vote_type in _POINTS_TYPES and points is None:
            raise fail(f"{self.vote_type} ballots need a points column", line)
        self.check_length(len(set(projects)), line)
        key = self.merge_repeats(projects, points, line)
        self.counts[key] = self.counts.get(key, 0) + 1

    def points(self, row: Mapping[str, str], length: int, line: int) -> tuple[int, ...] | None:
        if "points" not in row:
            return None
        texts = _split_list(row["points"])
        if len(texts) != length:
            message = f"the ballot names {length} projects but gives {len(texts)} points"
            raise self.reader.fail(message, line)
        for text in texts:
            if _COUNT.fullmatch(text) is None:
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
        if self.vote_type not in _POINTS_TYPES:
            points = None
        if len(set(projects)) == len(projects):
            return tuple(projects), points
        self.reader.warn("a project appears twice in the ballot; counted once", line)
        return _merge_repeats(projects, points)

    def merged(self) -> tuple[Ballot, ...]:
        return tuple(Ballot(projects, points, n) for (projects, points), n in self.counts.items())


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")] if text else []


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


# Options ----------------------------------------------------------------------------------------


class _Options:
    """Options from a file's META; a bad value is an error naming its META line."""

    def __init__(self, file: PabulibFile) -> None:
        self.file = file
        self.meta = file.meta

    def fail(self, key: str, message: str) -> PabulibError:
        return PabulibError(f"{key}: {message}", self.file.meta_lines.get(key), self.file.source)

    def build(self, family: str | None) -> Options:
        try:
            return Options(
                ties=self.ties(family),
                threshold=self.whole("min_project_score_threshold"),
                exclusions=self.exclusions(),
                satisfaction=self.satisfaction(),
                step=self.step(),
            )
        except ValueError as error:  # Options' own checks (a zero add1 step)
            if isinstance(error, PabulibError):
                raise
            raise self.fail("add1_step", str(error)) from None

    def ties(self, family: str | None) -> TieBreak:
        seed = None
        if "lottery_seed" in self.meta:
            try:
                seed = bytes.fromhex(self.meta["lottery_seed"])
            except ValueError:
                raise self.fail("lottery_seed", "expected hexadecimal digits") from None
        if "tie_break" not in self.meta:
            if seed is None:
                return TieBreak((Criterion.SOURCE_ORDER,))
            return default_ties(family or "greedy", seed)
        try:
            return TieBreak.parse(self.meta["tie_break"], seed)
        except ValueError as error:
            raise self.fail("tie_break", str(error)) from None

    def whole(self, key: str) -> int | None:
        if key not in self.meta:
            return None
        if _COUNT.fullmatch(self.meta[key]) is None:
            raise self.fail(key, f"expected a whole number, not {self.meta[key]!r}")
        return int(self.meta[key])

    def exclusions(self) -> tuple[frozenset[str], ...]:
        text = self.meta.get("exclusion_sets", "")
        sets = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            members = frozenset(_split_list(part))
            unknown = sorted(members - set(self.file.election.project_by_id))
            if unknown:
                raise self.fail("exclusion_sets", f"unknown project {unknown[0]!r}")
            if len(members) < 2:
                raise self.fail("exclusion_sets", f"the set {part!r} needs two projects")
            sets.append(members)
        return tuple(sets)

    def satisfaction(self) -> Satisfaction:
        text = self.meta.get("mes_satisfaction", Satisfaction.COST.value)
        try:
            return Satisfaction(text)
        except ValueError:
            known = ", ".join(s.value for s in Satisfaction)
            raise self.fail("mes_satisfaction", f"{text!r} is not one of {known}") from None

    def step(self) -> int:
        """add1_step in the election's units: currency units times the file's scale."""
        if "add1_step" not in self.meta:
            return self.file.scale
        parts = _parse_amount(self.meta["add1_step"])
        decimals = len(str(self.file.scale)) - 1
        if parts is None or len(parts[1]) > decimals:
            message = f"expected an amount with at most {decimals} decimals"
            raise self.fail("add1_step", message)
        return _scaled(parts, decimals)


# Writing ----------------------------------------------------------------------------------------


def _format_field(value: str) -> str:
    # csv's writer leaves a lone "\r" unquoted; quote by hand so every line break is protected.
    if any(c in value for c in ';"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _format_rows(rows: Sequence[Sequence[str]]) -> Iterator[str]:
    for row in rows:
        yield ";".join(_format_field(value) for value in row) + "\n"


def _render(meta: Mapping[str, str], projects: Table, votes: Table) -> str:
    parts = ["META\n", *_format_rows([("key", "value"), *meta.items()])]
    parts += ["PROJECTS\n", *_format_rows([projects.columns, *projects.rows])]
    parts += ["VOTES\n", *_format_rows([votes.columns, *votes.rows])]
    return "".join(parts)


def write(
    source: PabulibFile | Election, *, meta: Mapping[str, str] | None = None, scale: int = 1
) -> str:
    """Canonical .pb text: a read file's sections as read (LF line ends, minimal quoting), or an
    election through `export` (then `meta` and `scale` apply)."""
    if isinstance(source, PabulibFile):
        if meta is not None or scale != 1:
            raise TypeError("meta and scale apply to an Election, not to a read file")
        return _render(source.meta, source.projects, source.votes)
    return export(source, meta, scale=scale)


def _merge_repeats(
    projects: Sequence[str], points: Sequence[int] | None
) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """A ballot naming a project twice, as read: once, in its first place, points added up."""
    totals: dict[str, int] = {}
    for index, project_id in enumerate(projects):
        totals[project_id] = totals.get(project_id, 0) + (points[index] if points else 0)
    return tuple(totals), None if points is None else tuple(totals.values())


def canonical(election: Election) -> Election:
    """The election as `export` writes it and `read` gives it back: in each ballot a repeated
    project merged, approval, choose-1 and points ballots ordered by project position (ordinal
    rankings keep their order), identical ballots merged, ballots sorted by project positions
    then points. The order hides the order of casting, reproducibly."""
    position = election.position
    counts: dict[tuple[tuple[str, ...], tuple[int, ...] | None], int] = {}
    for ballot in election.ballots:
        points = ballot.points if election.vote_type in _POINTS_TYPES else None
        projects, points = _merge_repeats(ballot.projects, points)
        if election.vote_type in _SET_LIKE_TYPES:
            order = sorted(range(len(projects)), key=lambda i: position[projects[i]])
            projects = tuple(projects[i] for i in order)
            points = None if points is None else tuple(points[i] for i in order)
        counts[projects, points] = counts.get((projects, points), 0) + ballot.count
    keys = sorted(counts, key=lambda k: ([position[p] for p in k[0]], k[1] or ()))
    ballots = tuple(Ballot(projects, points, counts[projects, points]) for projects, points in keys)
    return Election(election.projects, election.budget, election.vote_type, ballots,
                    election.max_length)  # fmt: skip


_LEADING_KEYS = ("description", "country", "unit", "instance", "subunit")
_DERIVED_KEYS = ("num_projects", "num_votes", "budget", "vote_type", "max_length")
_PROJECT_COLUMNS = ("project_id", "cost", "votes", "score", "name", "category", "district")


def _format_amount(value: int, scale: int) -> str:
    decimals = len(str(scale)) - 1
    whole, fraction = divmod(value, scale)
    return f"{whole}.{fraction:0{decimals}d}" if decimals else str(whole)


def _check_text(
    value: str, what: str, *, allow_empty: bool = True, list_item: bool = False
) -> None:
    """Text `read` would not give back as is is the caller's bug: refuse it."""
    if value != value.strip() or (not allow_empty and not value) or (list_item and "," in value):
        raise ValueError(f"{what} {value!r} cannot be written to a .pb file unchanged")


def _check_exportable(election: Election, meta: Mapping[str, str], scale: int) -> None:
    if scale < 1 or str(scale).rstrip("0") != "1":
        raise ValueError(f"the scale must be a power of ten, not {scale}")
    for key, value in meta.items():
        _check_text(key, "META key", allow_empty=False)
        _check_text(value, f"META {key}")
        if key in _DERIVED_KEYS:
            raise ValueError(f"META {key} is written from the election; do not pass it")
    for project in election.projects:
        _check_text(project.id, "project id", allow_empty=False, list_item=True)
        _check_text(project.name, "project name")
        if project.district is not None:
            _check_text(project.district, "district", allow_empty=False)
        for category in project.categories:
            _check_text(category, "category", allow_empty=False, list_item=True)
    if election.vote_type in _POINTS_TYPES and any(b.points is None for b in election.ballots):
        raise ValueError(f"{election.vote_type} ballots need points")


def _project_rows(election: Election, scale: int) -> Iterator[tuple[str, ...]]:
    for p in election.projects:
        votes, score = str(election.votes[p.id]), str(election.scores[p.id])
        cost = _format_amount(p.cost, scale)
        yield (p.id, cost, votes, score, p.name, ",".join(p.categories), p.district or "")


def _voter_rows(election: Election) -> Iterator[tuple[str, ...]]:
    voter = 0
    for ballot in election.ballots:
        row = [",".join(ballot.projects)]
        if election.vote_type in _POINTS_TYPES:
            row.append(",".join(str(p) for p in ballot.points or ()))
        for _ in range(ballot.count):
            voter += 1
            yield (str(voter), *row)


def export(election: Election, meta: Mapping[str, str] | None = None, *, scale: int = 1) -> str:
    """The ballot box as a canonical .pb file: META (`meta`'s keys, with num_projects,
    num_votes, budget, vote_type and max_length from the election), PROJECTS (project_id, cost,
    votes, score, name, category, district), VOTES of pseudonymous voters 1..n in the order of
    `canonical`, one row per voter, no voter attribute. Amounts are integers of 1/`scale`
    currency units, written with log10(scale) decimals. `read(export(e)).election` equals
    `canonical(e)`; text `read` could not give back unchanged raises ValueError."""
    meta = dict(meta or {})
    _check_exportable(election, meta, scale)
    box = canonical(election)
    derived = {
        "num_projects": str(len(box.projects)),
        "num_votes": str(box.num_voters),
        "budget": _format_amount(box.budget, scale),
        "vote_type": box.vote_type.value,
    }
    if box.max_length is not None:
        derived["max_length"] = str(box.max_length)
    head = {key: meta.pop(key) for key in _LEADING_KEYS if key in meta}
    vote_columns = ("voter_id", "vote", "points")[: 3 if box.vote_type in _POINTS_TYPES else 2]
    projects = Table(_PROJECT_COLUMNS, tuple(_project_rows(box, scale)))
    return _render(
        {**head, **derived, **meta}, projects, Table(vote_columns, tuple(_voter_rows(box)))
    )
