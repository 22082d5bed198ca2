"""The demo's past cycle votes, closes, is counted, certified by two council members and
published, all through the real services: ballots of several types cast with
`voting.cast_ballot` on dates inside the past voting window, the box sealed at close, the count
with the locked rule, the two confirmations with the demo council members' passwords.

Voters are declared roll entries of the cycle (as `demo_voting` writes them); each votes in the
city budget and in one district budget (the cycle lets voters choose their district), with
preferences drawn from fixed seeds so the same call gives the same ballots and results.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlmodel import Session

from budget.db import queries
from budget.db.tables import RollEntry
from budget.domain.ballots import BallotType
from budget.domain.cycle import Phase
from budget.domain.validation import Ballot
from budget.services import cycles, results, voting
from budget.services.voting import Channel, Voter, VotingKeys

# The demo's ballots are never revised, and the demo keys are thrown away with the database.
KEYS = VotingKeys(link=b"demo-link-key-".ljust(32, b"."), receipt=b"demo-receipt".ljust(32, b"."))


def _ballot(
    rng: random.Random, kind: BallotType, projects: Sequence[tuple[int, int]], envelope: int
) -> Ballot:
    """One voter's ballot: projects drawn with weights falling along the list (the first
    proposals of each budget are the popular ones)."""
    weights = [len(projects) - i + 2 for i in range(len(projects))]
    order: list[int] = []
    pool = list(range(len(projects)))
    while pool:
        pick = rng.choices(pool, weights=[weights[i] for i in pool])[0]
        order.append(pick)
        pool.remove(pick)
    ids = [projects[i][0] for i in order]
    if kind is BallotType.KNAPSACK:
        chosen, spent = [], 0
        for i in order:
            if spent + projects[i][1] <= envelope:
                chosen.append(projects[i][0])
                spent += projects[i][1]
        return Ballot(tuple(chosen))
    if kind is BallotType.CUMULATIVE:
        return Ballot((ids[0], ids[1]), (3, 2)) if rng.random() < 0.6 else Ballot((ids[0],), (3,))
    if kind is BallotType.RANKED:
        return Ballot(tuple(ids[: rng.randint(1, 3)]))
    return Ballot(tuple(ids[: rng.randint(1, 3)]))


def cast_past_ballots(
    db: Session,
    when: datetime,
    *,
    cycle_id: int,
    city: int,
    districts: Sequence[int],
    ballots: dict[int, list[tuple[int, int]]],
    voters: int,
) -> int:
    """`voters` declared entries, each voting (by voting code, final) in the city budget and in
    one district budget, at `when` (inside the voting window); returns the ballots cast."""
    rng = random.Random(2026_18)  # noqa: S311 - reproducible demo data, not a secret
    kinds: dict[int, tuple[BallotType, int]] = {}
    for budget_id in (city, *districts):
        budget = queries.get_budget(db, budget_id)
        assert budget.ballot_type is not None  # noqa: S101 - set before voting opened
        kinds[budget_id] = (budget.ballot_type, budget.amount)
    cast = 0
    for n in range(voters):
        entry = RollEntry(
            cycle_id=cycle_id, source="declared", birth_year=1950 + n % 55, created_at=when,
            updated_at=when,
        )  # fmt: skip
        db.add(entry)
        db.flush()
        assert entry.id is not None  # noqa: S101 - flush assigns the id
        moment = when + timedelta(seconds=n)
        for budget_id in (city, districts[n % len(districts)]):
            kind, amount = kinds[budget_id]
            voting.cast_ballot(
                db, moment, keys=KEYS, voter=Voter(entry.id, Channel.CODE, None),
                budget_id=budget_id, ballot=_ballot(rng, kind, ballots[budget_id], amount),
                form_key=voting.new_form_key(),
            )  # fmt: skip
            cast += 1
    return cast


def certify_and_publish(
    db: Session,
    now: datetime,
    *,
    cycle_id: int,
    members: Sequence[tuple[int, str]],
    hasher: PasswordHasher,
) -> list[int]:
    """Close the cycle, count each budget, have both council members (id, password) confirm
    what they read, move to certified and publish; returns every budget's winners."""
    council = members[0][0]
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.CLOSED)
    winners: list[int] = []
    for budget in queries.list_budgets(db, cycle_id):
        results.count_budget(db, now, actor_id=council, budget_id=budget.id)
        view = queries.budget_results(db, budget.id)
        assert view is not None  # noqa: S101 - just counted
        seen = results.Confirmation(
            fingerprint=view.box_sha256, rule=view.document["rule"],
            winners=tuple(results.winners(db, budget.id)), spent=view.document["spent"],
        )  # fmt: skip
        for member, password in members:
            results.certify(
                db, now, actor_id=member, budget_id=budget.id, password=password,
                confirmation=seen, hasher=hasher,
            )  # fmt: skip
        winners += seen.winners
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.CERTIFIED)
    results.publish_cycle(db, now, actor_id=council, cycle_id=cycle_id)
    return winners
