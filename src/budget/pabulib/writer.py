"""Writing .pb text: a read file back as read (`write`), or an election as a canonical,
pseudonymous ballot box (`export`, `canonical`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from budget.pabulib.model import PabulibFile, Table
from budget.pabulib.syntax import POINTS_TYPES, SET_LIKE_TYPES, merge_repeats
from budget.tally.model import Ballot, Election


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


def canonical(election: Election) -> Election:
    """The election as `export` writes it and `read` gives it back: in each ballot a repeated
    project merged, approval, choose-1 and points ballots ordered by project position (ordinal
    rankings keep their order), identical ballots merged, ballots sorted by project positions
    then points. The order hides the order of casting, reproducibly."""
    position = election.position
    counts: dict[tuple[tuple[str, ...], tuple[int, ...] | None], int] = {}
    for ballot in election.ballots:
        points = ballot.points if election.vote_type in POINTS_TYPES else None
        projects, points = merge_repeats(ballot.projects, points)
        if election.vote_type in SET_LIKE_TYPES:
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
    if election.vote_type in POINTS_TYPES and any(b.points is None for b in election.ballots):
        raise ValueError(f"{election.vote_type} ballots need points")
    if election.budget <= 0:
        raise ValueError("a budget of zero cannot be written: read refuses it")


def _project_rows(election: Election, scale: int) -> Iterator[tuple[str, ...]]:
    for p in election.projects:
        votes, score = str(election.votes[p.id]), str(election.scores[p.id])
        cost = _format_amount(p.cost, scale)
        yield (p.id, cost, votes, score, p.name, ",".join(p.categories), p.district or "")


def _voter_rows(election: Election) -> Iterator[tuple[str, ...]]:
    voter = 0
    for ballot in election.ballots:
        row = [",".join(ballot.projects)]
        if election.vote_type in POINTS_TYPES:
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
    vote_columns = ("voter_id", "vote", "points")[: 3 if box.vote_type in POINTS_TYPES else 2]
    projects = Table(_PROJECT_COLUMNS, tuple(_project_rows(box, scale)))
    return _render(
        {**head, **derived, **meta}, projects, Table(vote_columns, tuple(_voter_rows(box)))
    )
