"""The 15 ordinal corpus files whose `score` column differs from the engine's (issue 15, 5),
listed by this test from the corpus itself, with their diagnosis checked: each file counts a
ballot of L ranks as L, L - 1, ..., 1, where the engine (PRODUCT.md, truncated Borda) counts
k, k - 1, ... with k the longest allowed ranking, so the two differ exactly by the ballots
shorter than k. Run with -s to print the list (file, project, file score, engine score)."""

from __future__ import annotations

import csv
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from budget.pabulib import read
from budget.tally.model import Election

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "pabulib" / "pabulib.zip"
EXPECTED_FILES = 15  # README, "Ordinal ballots score ..."


def by_own_length(election: Election) -> Counter[str]:
    """A ballot of L ranks gives L, L - 1, ..., 1: what these files' `score` column holds."""
    scores: Counter[str] = Counter()
    for ballot in election.ballots:
        length = len(ballot.projects)
        for rank, project in enumerate(ballot.projects):
            scores[project] += (length - rank) * ballot.count
    return scores


@pytest.mark.slow
def test_the_ordinal_score_mismatches_are_the_listed_files_and_score_by_ballot_length() -> None:
    if not CORPUS.exists():
        pytest.skip(f"no Pabulib corpus at {CORPUS.parent} (see shared/pabulib/README.md)")
    index = CORPUS.parent / "index.csv"
    with index.open(newline="") as listing:
        ordinal = [row["file"] for row in csv.DictReader(listing) if row["vote_type"] == "ordinal"]
    differing: list[tuple[str, str, int, int]] = []
    files: set[str] = set()
    with zipfile.ZipFile(CORPUS) as corpus:
        names = {Path(n).name: n for n in corpus.namelist()}
        for name in ordinal:
            parsed = read(corpus.read(names[name]).decode("utf-8-sig"), source=name)
            stated = parsed.projects.column("score")
            ids = parsed.projects.column("project_id")
            if stated is None or ids is None:
                continue
            ours = parsed.election.scores
            theirs = by_own_length(parsed.election)
            for project, text in zip(ids, stated, strict=True):
                if int(Decimal(text)) != ours.get(project, 0):
                    files.add(name)
                    differing.append((name, project, int(Decimal(text)), ours.get(project, 0)))
            if name in files:  # the diagnosis: every project of the file scores L..1
                assert all(
                    int(Decimal(t)) == theirs.get(p, 0) for p, t in zip(ids, stated, strict=True)
                ), name
    for row in differing:
        print(*row, sep="\t")  # noqa: T201 - the list, with -s
    assert len(files) == EXPECTED_FILES, sorted(files)
    zurich = [
        (f, o) for n, p, f, o in differing if n.startswith("Switzerland_Zurich_S5R") and p == "24"
    ]
    assert zurich == [(198, 202)]  # README's example: the file's score, then the engine's
