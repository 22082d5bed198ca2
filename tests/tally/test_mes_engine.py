from __future__ import annotations

import random
from fractions import Fraction

from budget.tally import mes
from budget.tally.mes_engine import _State, run
from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.options import Options
from tests.tally.test_mes import reference_mes


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
