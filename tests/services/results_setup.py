"""A cycle whose vote ended, built through the services: ballots of every type cast, closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from budget.domain.accounts import Role
from budget.domain.ballots import BallotType
from budget.domain.cycle import Phase
from budget.domain.validation import Ballot as Marks
from budget.services import accounts, cycles, results, voting
from budget.services.voting import Channel, Voter
from tests.services.conftest import NOW, resident
from tests.services.voting_setup import DURING, KEYS, OpenCycle, enrol, open_cycle

AFTER = NOW + timedelta(days=261)  # the voting window of conftest.schedule() has ended


def marks_for(kind: BallotType, p: tuple[int, ...], n: int) -> Marks:
    """The n-th voter's ballot of this type on projects p (400, 300 and 200 EUR)."""
    a, b = p[n % 3], p[(n + 1) % 3]
    return {
        BallotType.APPROVAL: Marks((a, b) if n % 2 else (a,)),
        BallotType.KNAPSACK: Marks((p[0], p[1])) if n % 2 else Marks((p[0], p[2])),
        BallotType.CUMULATIVE: Marks((a, b), (3, 2)),
        BallotType.RANKED: Marks((a, b)),
        BallotType.CHOOSE_ONE: Marks((a,)),
    }[kind]


@dataclass(frozen=True)
class Voted:
    opened: OpenCycle
    second: int  # a second council member


def vote(db: Session, council: int, hasher, voters: int = 5, instance: str = "2027") -> Voted:
    """A voting cycle (voting_setup.open_cycle) where `voters` entries voted in every budget."""
    opened = open_cycle(db, council, hasher, instance=instance)
    entries = list(opened.entries) + [enrol(db, opened.cycle_id) for _ in range(voters - 3)]
    for n, entry in enumerate(entries[:voters]):
        for kind, budget_id in opened.budgets.items():
            voting.cast_ballot(
                db, DURING, keys=KEYS, voter=Voter(entry, Channel.CODE, None),
                budget_id=budget_id, ballot=marks_for(kind, opened.projects[budget_id], n),
                form_key=voting.new_form_key(),
            )  # fmt: skip
    second = resident(db, hasher, name=f"second{instance}")
    accounts.grant_role(db, NOW, actor_id=council, account_id=second, role=Role.COUNCIL)
    return Voted(opened, second)


def close(db: Session, voted: Voted) -> None:
    cycles.advance_phase(
        db, AFTER, actor_id=voted.opened.council, cycle_id=voted.opened.cycle_id,
        target=Phase.CLOSED,
    )  # fmt: skip


def counted_cycle(db: Session, budgets: list[BallotType] | None = None, voters: int = 5) -> Voted:
    """A fresh database's council, a cycle voted by `voters` (see `vote`), closed, and the given
    budgets (every one by default) counted; the caller commits."""
    hasher = accounts.test_hasher()
    council = accounts.create_admin(
        db, NOW, email="council@example.fr", password="council-password-1",
        display_name="Camille", hasher=hasher,
    ).id  # fmt: skip
    voted = vote(db, council, hasher, voters=voters)
    close(db, voted)
    for kind in budgets if budgets is not None else list(voted.opened.budgets):
        budget_id = voted.opened.budgets[kind]
        results.count_budget(db, AFTER, actor_id=voted.opened.council, budget_id=budget_id)
    return voted
