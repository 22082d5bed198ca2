"""The optimised MES and add1 against their step-by-step references, on mid-size elections (up
to 40 projects and 300 distinct ballots): the engine's fast paths (ballot groups, capped classes,
heap bounds, add1 probes that borrow bounds) are exercised without the corpus."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from budget.tally import mes
from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.options import Options, Satisfaction
from tests.oracles import reference_add1, reference_mes


@st.composite
def mid_size(draw: st.DrawFn) -> Election:
    """Approval or cumulative elections of 5-40 projects and up to 300 distinct ballots, with
    repeated costs and supporters so that groups, ties and near ties occur."""
    count = draw(st.integers(5, 40))
    costs = draw(st.lists(st.sampled_from([10, 25, 40, 60, 100, 150, 300, 1000]),
                          min_size=count, max_size=count))  # fmt: skip
    projects = tuple(Project(f"p{i}", cost) for i, cost in enumerate(costs))
    vote_type = draw(st.sampled_from([VoteType.APPROVAL, VoteType.CUMULATIVE]))
    ids = [p.id for p in projects]
    ballots: dict[tuple[str, ...], Ballot] = {}
    for _ in range(draw(st.integers(1, 300))):
        chosen = tuple(sorted(draw(st.sets(st.sampled_from(ids), min_size=1, max_size=6))))
        points = (tuple(draw(st.lists(st.integers(1, 5), min_size=len(chosen),
                                      max_size=len(chosen))))
                  if vote_type is VoteType.CUMULATIVE else None)  # fmt: skip
        ballots.setdefault(chosen, Ballot(chosen, points, draw(st.integers(1, 4))))
    budget = draw(st.integers(sum(costs) // 8, sum(costs) // 2))
    return Election(projects, budget, vote_type, tuple(ballots.values()))


@settings(max_examples=25, deadline=None)
@given(mid_size(), st.sampled_from(list(Satisfaction)))
def test_optimised_mes_equals_the_reference(election: Election, satisfaction: Satisfaction) -> None:
    options = Options(satisfaction=satisfaction)
    share = Fraction(election.budget, election.num_voters)
    assert list(mes.equal_shares(election, options).funded) == reference_mes(
        election, options, share
    )


@settings(max_examples=10, deadline=None)
@given(mid_size(), st.booleans())
def test_optimised_add1_equals_the_reference(election: Election, exhaustive: bool) -> None:
    # A step of about a tenth of the first share keeps the reference's walk short.
    step = max(1, election.budget // (election.num_voters * 10))
    options = Options(step=step)
    rule = mes.equal_shares_add1_exhaustive if exhaustive else mes.equal_shares_add1
    outcome = rule(election, options)
    funded, share = reference_add1(election, options, exhaustive)
    assert list(outcome.funded) == funded
    if share is not None:
        assert outcome.details["share_final"] == share
