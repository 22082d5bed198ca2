"""Peer test: our Method of Equal Shares against pabutools 1.2.3's exact one (gmpy2 fractions).

pabutools is a test-only extra; src/ never imports it. Its default tie-breaking orders projects
by name, which is our `source-order` once the projects are listed by id. Both start from B/n and
neither funds an unsupported project or one costing more than B (the voters hold only B), so the
funded projects must agree in selection order.
"""

from __future__ import annotations

import zipfile
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.tally.mes import equal_shares
from budget.tally.model import Election
from budget.tally.options import Options, Satisfaction
from budget.tally.ties import TieBreak
from tests import corpus
from tests.strategies import approval_elections

pabutools = pytest.importorskip("pabutools")
from pabutools import election as pb  # noqa: E402  # only once pabutools is known to exist
from pabutools import rules as pr  # noqa: E402

SATISFACTIONS = {Satisfaction.COST: pb.Cost_Sat, Satisfaction.CARDINALITY: pb.Cardinality_Sat}


def by_id(election: Election) -> Election:
    return replace(election, projects=tuple(sorted(election.projects, key=lambda p: p.id)))


def theirs(election: Election, satisfaction: Satisfaction) -> tuple[str, ...]:
    projects = {p.id: pb.Project(p.id, p.cost) for p in election.projects}
    instance = pb.Instance(projects.values(), budget_limit=election.budget)
    profile = pb.ApprovalProfile(
        [
            pb.ApprovalBallot([projects[p] for p in ballot.projects])
            for ballot in election.ballots
            for _ in range(ballot.count)
        ]
    )
    allocation = pr.method_of_equal_shares(instance, profile, sat_class=SATISFACTIONS[satisfaction])
    return tuple(p.name for p in allocation)


def ours(election: Election, satisfaction: Satisfaction) -> tuple[str, ...]:
    options = Options(ties=TieBreak.parse("source-order"), satisfaction=satisfaction)
    return equal_shares(election, options).funded


@given(approval_elections(max_projects=8, max_voters=20), st.sampled_from(list(Satisfaction)))
def test_mes_agrees_with_pabutools_on_small_approval_elections(
    election: Election, satisfaction: Satisfaction
) -> None:
    election = by_id(election)  # p0..p7: names sort as the source order
    assert ours(election, satisfaction) == theirs(election, satisfaction)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["Poland_Swiecie_2023.pb", "Netherlands_Assen_2024.pb"])
def test_mes_agrees_with_pabutools_on_real_elections(name: str) -> None:
    if not corpus.CORPUS.exists():
        pytest.skip(f"Pabulib corpus not found at {corpus.CORPUS}")
    with zipfile.ZipFile(corpus.CORPUS) as archive:
        text = archive.read(name).decode("utf-8-sig")
    election = by_id(corpus.parse_pb(text))
    assert ours(election, Satisfaction.COST) == theirs(election, Satisfaction.COST)
