"""A cycle open for voting, built through the services: one budget per ballot type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from budget.db import queries
from budget.db.tables import RollEntry
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.services import budgets, cycles, decisions, images, proposals
from budget.services.voting import VotingKeys
from tests.services.conftest import NOW, budget_form, cycle_form, resident, schedule

KEYS = VotingKeys(link=b"l" * 32, receipt=b"r" * 32)
# Inside the voting window of conftest.schedule()
DURING = NOW + timedelta(days=241)
LIMITS = {
    BallotType.APPROVAL: BallotLimits(max_choices=2),
    BallotType.KNAPSACK: BallotLimits(min_spend_pct=50),
    BallotType.CUMULATIVE: BallotLimits(points=5, max_per_project=3),
    BallotType.RANKED: BallotLimits(max_ranks=2),
    BallotType.CHOOSE_ONE: BallotLimits(),
}
COSTS = (400_00, 300_00, 200_00)  # each budget's three projects; envelope 1 000 EUR


@dataclass(frozen=True)
class OpenCycle:
    cycle_id: int
    council: int
    budgets: dict[BallotType, int]  # ballot type -> budget id
    projects: dict[int, tuple[int, ...]]  # budget id -> its on-ballot proposal ids
    entries: tuple[int, ...]  # roll entries (declarations) of the cycle, without accounts


def enrol(
    db: Session,
    cycle_id: int,
    *,
    account_id: int | None = None,
    district_id: int | None = None,
    source: str = "declared",
) -> int:
    """A roll entry of the cycle (declared, or `roll` as if imported), bound to the account if
    given.

    Inserted as a row: the declaration and roll-import services arrive with issue 14's next
    steps; the entry's columns are the ones those services fill."""
    row = RollEntry(
        cycle_id=cycle_id, source=source, birth_year=1990, district_id=district_id,
        account_id=account_id, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    db.add(row)
    db.flush()
    assert row.id is not None
    return row.id


def open_cycle(
    db: Session,
    council: int,
    hasher,
    instance: str = "2027",
    *,
    image: bytes | None = None,
    **cycle_fields: object,
) -> OpenCycle:
    """A cycle in the voting phase with a city budget of each ballot type, three projects each;
    with `image`, every budget's first project is illustrated by it."""
    form = cycle_form(instance=instance, max_proposals_per_author=20, **cycle_fields)
    cycle_id = cycles.create_cycle(db, NOW, actor_id=council, form=form)
    made = {}
    for kind, limits in LIMITS.items():
        made[kind] = budgets.create_budget(
            db, NOW, actor_id=council, cycle_id=cycle_id,
            form=budget_form(name_en=f"{kind.value} budget", amount=1000_00, ballot_type=kind,
                             limits=limits, rule="greedy"),
        )  # fmt: skip
    cycles.set_schedule(db, NOW, actor_id=council, cycle_id=cycle_id, dates=schedule())
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    author = resident(db, hasher, name=f"author{instance}")
    drafted: dict[int, list[int]] = {}
    for budget_id in made.values():
        for n, _ in enumerate(COSTS):
            proposal = proposals.create_proposal(
                db, NOW, author_id=author, budget_id=budget_id, title=f"Project {n}",
                summary="A project.",
            )  # fmt: skip
            if image is not None and n == 0:
                images.add_image(
                    db, NOW, actor_id=author, proposal_id=proposal, upload=image,
                    alt_text="A bench under a plane tree",
                )  # fmt: skip
            proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
            drafted.setdefault(budget_id, []).append(proposal)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    for ids in drafted.values():
        for proposal, cost in zip(ids, COSTS, strict=True):
            decisions.decide_proposal(
                db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=cost
            )
    source = "roll" if form.eligibility_mode == "roll" else "declared"  # roll mode needs its roll
    entries = tuple(enrol(db, cycle_id, source=source) for _ in range(3))
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.VOTING)
    assert queries.get_cycle(db, cycle_id).phase is Phase.VOTING
    return OpenCycle(cycle_id, council, made, {b: tuple(p) for b, p in drafted.items()}, entries)
