"""Peer tests: our rules against pabutools 1.2.3 (test-only; src/ never imports it).

Matching conventions: pabutools breaks ties by project name, which equals our source order once
the projects are listed by id (`by_id`) and the chain is `source-order`. pabutools' greedy with
`Cost_Sat` orders by votes (total satisfaction / cost). pabutools funds unsupported projects when
they fit; our rules never do, so those are left out before comparing. pabutools' Phragmen stops
when *any* project tied for the least load does not fit, ours when the tie-break winner does not;
the only allowed difference is that one, and our outcome records the tie. Its max-welfare ILP
breaks ties arbitrarily, so our set must be one of its optimal sets (irresolute), or score the
same on real elections.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings

from budget.tally.greedy import greedy
from budget.tally.maxutil import max_utilitarian
from budget.tally.model import Election, Outcome, VoteType
from budget.tally.options import Options
from budget.tally.phragmen import sequential_phragmen
from budget.tally.ties import TieBreak
from tests import corpus
from tests.strategies import elections

pabutools = pytest.importorskip("pabutools")
from pabutools import election as pb  # noqa: E402  # only once pabutools is known to exist
from pabutools import rules as pr  # noqa: E402

BY_NAME = Options(ties=TieBreak.parse("source-order"))
CORPUS_FILES = [
    "France_Toulouse_2022_6_-_Saint-Cyprien.pb",
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb",
    "Hungary_Budapest_2022_VIII_Jozsefvaros.pb",
    "Poland_Gdynia_2020_Babie_Doly__large.pb",
]


def by_id(election: Election) -> Election:
    return replace(election, projects=tuple(sorted(election.projects, key=lambda p: p.id)))


def to_pabutools(election: Election):
    projects = {p.id: pb.Project(p.id, p.cost) for p in election.projects}
    instance = pb.Instance(projects.values(), budget_limit=election.budget)
    profile = pb.ApprovalProfile(
        [
            pb.ApprovalBallot([projects[p] for p in ballot.projects])
            for ballot in election.ballots
            for _ in range(ballot.count)
        ]
    )
    return instance, profile


def supported(election: Election, allocation) -> list[str]:
    return [p.name for p in allocation if election.votes[p.name] > 0]


def check_greedy(election: Election) -> None:
    instance, profile = to_pabutools(election)
    theirs = pr.greedy_utilitarian_welfare(instance, profile, sat_class=pb.Cost_Sat)
    assert greedy(election, BY_NAME).funded == tuple(supported(election, theirs))


def check_phragmen(election: Election) -> None:
    instance, profile = to_pabutools(election)
    theirs = supported(election, pr.sequential_phragmen(instance, profile))
    ours: Outcome = sequential_phragmen(election, BY_NAME)
    assert set(theirs) <= set(ours.funded)
    prefix = [p for p in ours.funded if p in theirs]
    assert list(ours.funded[: len(prefix)]) == prefix
    if len(theirs) < len(ours.funded):
        next_funded = ours.explanation_for(ours.funded[len(theirs)])
        assert "tied_with" in next_funded.figures


def check_max_utilitarian(election: Election, *, irresolute: bool) -> None:
    instance, profile = to_pabutools(election)
    ours = max_utilitarian(election, BY_NAME)
    if irresolute:
        optimal = pr.max_additive_utilitarian_welfare(
            instance, profile, sat_class=pb.Cardinality_Sat, resoluteness=False
        )
        assert set(ours.funded) in [set(supported(election, a)) for a in optimal]
    else:
        theirs = pr.max_additive_utilitarian_welfare(
            instance, profile, sat_class=pb.Cardinality_Sat
        )
        assert ours.details["score"] == sum(election.scores[p.name] for p in theirs)


approval = elections((VoteType.APPROVAL,), max_projects=7, max_voters=12, max_cost=1000)


@given(approval)
def test_greedy_agrees_with_pabutools_greedy_utilitarian_welfare(election) -> None:
    check_greedy(by_id(election))


@given(approval)
def test_phragmen_agrees_with_pabutools_sequential_phragmen(election) -> None:
    check_phragmen(by_id(election))


# pabutools' ILP goes through PuLP, which warns about its own coming API change.
PULP_DEPRECATION = pytest.mark.filterwarnings("ignore:.*PuLP 4.0:DeprecationWarning")


@PULP_DEPRECATION
@settings(max_examples=30)
@given(elections((VoteType.APPROVAL,), max_projects=5, max_voters=8))
def test_max_utilitarian_is_one_of_pabutools_optimal_sets(election) -> None:
    check_max_utilitarian(by_id(election), irresolute=True)


@PULP_DEPRECATION
@pytest.mark.slow
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_real_elections_agree_with_pabutools(name) -> None:
    election = by_id(corpus.load(name))
    check_greedy(election)
    check_phragmen(election)
    check_max_utilitarian(election, irresolute=False)
