"""The published box is a Pabulib file other tools read: pabutools (test-only) parses it and its
greedy gives the funded set of our count (T8: anyone can re-count with another program)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from budget.db import queries
from budget.domain.ballots import BallotType
from budget.services import results
from tests.services.results_setup import AFTER, close, vote

pabutools = pytest.importorskip("pabutools")
from pabutools import election as pb  # noqa: E402  # only once pabutools is known to exist
from pabutools import rules as pr  # noqa: E402


def test_pabutools_reads_the_box_and_funds_what_we_funded(
    db: Session, council: int, hasher, tmp_path: Path
) -> None:
    voted = vote(db, council, hasher, voters=12)
    close(db, voted)
    budget_id = voted.opened.budgets[BallotType.APPROVAL]
    results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id)
    box, document = queries.box_bytes(db, budget_id), queries.result_bytes(db, budget_id)
    assert box is not None
    assert document is not None
    path = tmp_path / "box.pb"
    path.write_bytes(box)
    instance, profile = pb.parse_pabulib(str(path))
    theirs = pr.greedy_utilitarian_welfare(instance, profile, sat_class=pb.Cost_Sat)
    ours = json.loads(document)["funded"]
    assert {p.name for p in theirs} == set(ours)
    assert int(instance.budget_limit * 100) == json.loads(document)["budget"]
