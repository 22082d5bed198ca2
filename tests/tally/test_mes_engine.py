from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.tally import mes
from budget.tally.mes_engine import _State, run
from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.options import Options, Satisfaction
from tests.oracles import reference_mes
from tests.strategies import elections


def many_ballots(seed: int, vote_type: VoteType) -> Election:
    """60 distinct ballots over 14 projects: many budget classes, rescaled many times."""
    rng = random.Random(seed)
    projects = tuple(Project(f"p{i:02}", rng.randint(20, 200)) for i in range(14))
    ballots = []
    for _ in range(60):
        chosen = sorted(rng.sample([p.id for p in projects], rng.randint(3, 9)))
        points = None
        if vote_type is VoteType.CUMULATIVE:
            points = tuple(rng.randint(1, 4) for _ in chosen)
        ballots.append(Ballot(tuple(chosen), points))
    return Election(projects, 1200, vote_type, tuple(ballots))


def test_runs_that_rescale_classes_lazily_still_follow_the_definition(monkeypatch) -> None:
    stale: list[int] = []  # classes read again after rescales that left their budget as it was
    original = _State.normalize

    def counting(state: _State, slots) -> None:
        stale.extend(c for _, counts in slots for c in counts if state.at[c] != state.scale)
        original(state, slots)

    monkeypatch.setattr(_State, "normalize", counting)
    for seed, vote_type in [(1, VoteType.APPROVAL), (2, VoteType.CUMULATIVE)]:
        election = many_ballots(seed, vote_type)
        _, prepared = mes._prepare(election, Options())
        for share in (Fraction(20), Fraction(61, 3)):
            ours = [election.projects[j].id for j in run(prepared, share).funded]
            assert ours == reference_mes(election, Options(), share)
    assert stale


# Bounds lent by a run at a larger share (proof in mes_engine's and mes_add1's docstrings).


@given(
    elections(max_projects=6, max_voters=8, max_cost=40),
    st.sampled_from(list(Satisfaction)),
    st.fractions(0, 20, max_denominator=3),
    st.fractions(Fraction(1, 3), 6, max_denominator=3),
)
def test_a_run_borrowing_bounds_from_above_is_the_same_run(
    election: Election, satisfaction: Satisfaction, share: Fraction, gap: Fraction
) -> None:
    _, prepared = mes._prepare(election, Options(satisfaction=satisfaction))
    above = run(prepared, share + gap)
    alone, borrowing = run(prepared, share), run(prepared, share, above=above)
    assert borrowing.purchases == alone.purchases
    assert borrowing.group_values == alone.group_values
    assert borrowing.money_left() == alone.money_left()


def test_borrowed_bounds_spare_evaluations(monkeypatch) -> None:
    election = many_ballots(3, VoteType.APPROVAL)
    _, prepared = mes._prepare(election, Options())
    evaluated: list[int] = []
    original = _State.rho

    def counting(state: _State, j: int):
        evaluated.append(j)
        return original(state, j)

    monkeypatch.setattr(_State, "rho", counting)
    above = run(prepared, Fraction(26))
    evaluated.clear()
    alone = run(prepared, Fraction(25))
    alone_count = len(evaluated)
    evaluated.clear()
    borrowing = run(prepared, Fraction(25), above=above)
    assert borrowing.funded == alone.funded
    assert len(evaluated) < alone_count


def test_bounds_come_only_from_a_larger_share() -> None:
    _, prepared = mes._prepare(many_ballots(1, VoteType.APPROVAL), Options())
    with pytest.raises(ValueError, match="larger share"):
        run(prepared, Fraction(20), above=run(prepared, Fraction(20)))
