"""Real elections for slow tests, read in place from ../shared/pabulib/pabulib.zip.

A minimal reader of the `.pb` sections, enough for the whole-unit files the slow tests pick
(written while `budget.pabulib` was still being built; it can give way to `pabulib.read`).
Tests skip when the corpus is absent.
"""

from __future__ import annotations

import csv
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from budget.tally.model import Ballot, Election, Project, VoteType

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "pabulib" / "pabulib.zip"


def _whole(text: str) -> int:
    value = Decimal(text)
    if value != value.to_integral_value():
        pytest.skip(f"minimal reader: non-integral amount {text}")
    return int(value)


def _sections(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current = ""
    for row in csv.reader(text.splitlines(), delimiter=";"):
        if len(row) == 1 and row[0].strip() in ("META", "PROJECTS", "VOTES"):
            current = row[0].strip()
            sections[current] = []
        elif row:
            sections[current].append(row)
    return sections


def parse_pb(text: str) -> Election:
    """A minimal `.pb` reader: META budget, vote_type, max_length; project costs; ballots."""
    sections = _sections(text)
    meta = {row[0]: row[1] for row in sections["META"][1:]}
    header, *rows = sections["PROJECTS"]
    projects = tuple(
        Project(row[header.index("project_id")], _whole(row[header.index("cost")])) for row in rows
    )
    vote_type = VoteType(meta["vote_type"])
    vote_header, *votes = sections["VOTES"]
    ballots: Counter[tuple[tuple[str, ...], tuple[int, ...] | None]] = Counter()
    for row in votes:
        chosen = tuple(row[vote_header.index("vote")].split(","))
        points = None
        if "points" in vote_header and vote_type in (VoteType.CUMULATIVE, VoteType.SCORING):
            points = tuple(int(x) for x in row[vote_header.index("points")].split(","))
        if vote_type is not VoteType.ORDINAL and points is None:
            chosen = tuple(sorted(chosen))
        ballots[chosen, points] += 1
    max_length = int(meta["max_length"]) if "max_length" in meta else None
    return Election(
        projects,
        _whole(meta["budget"]),
        vote_type,
        tuple(Ballot(chosen, points, n) for (chosen, points), n in sorted(ballots.items())),
        max_length=max_length if vote_type is VoteType.ORDINAL else None,
    )


def load(name: str) -> Election:
    """Election `name` of the corpus (skipping the test when the corpus is absent)."""
    if not CORPUS.exists():
        pytest.skip(f"Pabulib corpus not found at {CORPUS}")
    with zipfile.ZipFile(CORPUS) as corpus:
        text = corpus.read(name).decode("utf-8-sig")
    return parse_pb(text)
