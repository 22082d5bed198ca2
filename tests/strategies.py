"""Hypothesis strategies for the tally: small elections of every vote type."""

from __future__ import annotations

from hypothesis import strategies as st

from budget.tally.model import Ballot, Election, Project, VoteType


@st.composite
def elections(
    draw: st.DrawFn,
    vote_types: tuple[VoteType, ...] = tuple(VoteType),
    max_projects: int = 8,
    max_voters: int = 20,
    max_cost: int = 50,
) -> Election:
    """A random election: distinct project ids, positive costs, ballots naming known projects."""
    vote_type = draw(st.sampled_from(vote_types))
    n = draw(st.integers(1, max_projects))
    ids = [f"p{i}" for i in range(n)]
    projects = tuple(Project(i, draw(st.integers(1, max_cost))) for i in ids)
    budget = draw(st.integers(0, max_cost * n))
    max_length = n if vote_type is VoteType.ORDINAL else None
    ballots = []
    for _ in range(draw(st.integers(0, max_voters))):
        if vote_type is VoteType.CHOOSE_ONE:
            chosen = [draw(st.sampled_from(ids))]
        else:
            chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=n, unique=True))
        points = None
        if vote_type in (VoteType.CUMULATIVE, VoteType.SCORING):
            points = tuple(draw(st.integers(1, 5)) for _ in chosen)
        elif vote_type is VoteType.APPROVAL or vote_type is VoteType.CHOOSE_ONE:
            chosen.sort()
        ballots.append(Ballot(tuple(chosen), points, draw(st.integers(1, 3))))
    return Election(projects, budget, vote_type, tuple(ballots), max_length=max_length)


def approval_elections(max_projects: int = 8, max_voters: int = 20) -> st.SearchStrategy[Election]:
    return elections((VoteType.APPROVAL,), max_projects, max_voters)
