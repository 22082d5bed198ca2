"""The demo's past cycle: "Budget participatif 2026", counted and closed, whose funded projects
are being built (planned, in progress, done, one abandoned), with milestones and spending.

Built through the services like the rest of the demo: proposals written by the demo residents,
decided in review, voting opened on dates already past, ballots of several types cast in the
voting window, then closed, counted, certified by the two demo council members and published
(`demo_results`): publishing marks the winners funded. Generated from fixed seeds and the demo's
word lists: the same call builds the same cycle.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from sqlmodel import Session

from budget.db import queries
from budget.domain.ballots import BallotLimits, BallotType, default_tie_break
from budget.domain.cycle import Phase
from budget.domain.implementation import ImplementationStatus
from budget.services import budgets, cycles, decisions, demo_results, implementation, proposals
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm
from budget.services.demo_data import CENTRES, DISTRICTS, PLACES, PROJECT_IDEAS, STREETS

EURO = 100  # cents
DAY = timedelta(days=1)
S = ImplementationStatus
# Which districts (by index in DISTRICTS) have a budget in the past cycle, with the city.
PAST_DISTRICTS = (7, 14, 16)  # 11e, 18e, 20e
# (district index or None for the city, ballot type, limits, rule) of each budget
PAST_BUDGETS = (
    (None, BallotType.APPROVAL, BallotLimits(max_choices=3), "mes-add1"),
    (7, BallotType.KNAPSACK, BallotLimits(min_spend_pct=20), "greedy"),
    (14, BallotType.CUMULATIVE, BallotLimits(points=5, max_per_project=3), "greedy"),
    (16, BallotType.RANKED, BallotLimits(max_ranks=3), "greedy"),
)
ON_BALLOT = 5  # proposals per budget
# The story of each funded project, in turn: (status, progress, share of its cost spent in %).
STORIES = (
    (S.DONE, 100, 97),
    (S.IN_PROGRESS, 60, 55),
    (S.PLANNED, 0, 0),
    (S.IN_PROGRESS, 30, 20),
    (S.DONE, 100, 104),
    (S.ABANDONED, 10, 4),
)
ABANDON_REASON = (
    "Les études de sol ont révélé des réseaux anciens sous la chaussée : le chantier coûterait "
    "trois fois l'estimation. Le budget est rendu à l'enveloppe de l'arrondissement."
)
MILESTONES = (
    ("Études et concertation", "Réunion publique avec les riverains et les auteurs."),
    ("Choix de l'entreprise", "Marché attribué après mise en concurrence."),
    ("Début des travaux", ""),
    ("Livraison", "Inauguration avec les habitants du quartier."),
)


def load_past_cycle(
    db: Session,
    now: datetime,
    *,
    members: Sequence[tuple[int, str]],
    hasher: PasswordHasher,
    copy_from: int,
    authors: list[int],
    voters: int,
) -> int:
    """The past cycle (its schedule ended before `now`), with copies of `copy_from`'s districts
    (districts belong to a cycle), `voters` voters, results published by the council
    `members` (id, password: two of them certify); returns its id. The caller commits."""
    council = members[0][0]
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not a secret
    form = CycleForm(
        name_fr="Budget participatif 2026", name_en="Participatory budget 2026",
        instance="2026", time_zone="Europe/Paris", currency="EUR",
        eligibility_mode="declared", district_mode="choice", min_age=None,
        reference_date=(now - 100 * DAY).date(),
    )  # fmt: skip
    cycle_id = cycles.create_cycle(db, now, actor_id=council, form=form, copy_from=copy_from)
    by_code = {d.code: d.id for d in queries.list_districts(db, cycle_id)}
    district_ids = [by_code[code] for code, _, _ in DISTRICTS]
    windows = {
        Phase.SUBMISSION: (now - 400 * DAY, now - 370 * DAY),
        Phase.REVIEW: (now - 369 * DAY, now - 200 * DAY),
        Phase.VOTING: (now - 120 * DAY, now - 100 * DAY),
    }
    cycles.set_schedule(db, now, actor_id=council, cycle_id=cycle_id, dates=windows)
    budget_ids = _budgets(db, now, council, cycle_id, district_ids)
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    ballots = [
        _proposals(db, now, rng, budget_id, where, authors) for budget_id, where in budget_ids
    ]
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    for listed in ballots:
        for proposal_id, cost in listed:
            decisions.decide_proposal(
                db, now, actor_id=council, proposal_id=proposal_id, feasible=True, final_cost=cost
            )
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.VOTING)
    on_ballot = {budget_id: listed for (budget_id, _), listed in zip(budget_ids, ballots,
                                                                      strict=True)}  # fmt: skip
    demo_results.cast_past_ballots(
        db, now - 110 * DAY, cycle_id=cycle_id, city=budget_ids[0][0],
        districts=[b for b, _ in budget_ids[1:]], ballots=on_ballot, voters=voters,
    )  # fmt: skip
    winners = demo_results.certify_and_publish(
        db, now, cycle_id=cycle_id, members=members, hasher=hasher
    )
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.IMPLEMENTATION)
    costs = {p: cost for listed in ballots for p, cost in listed}
    for index, proposal_id in enumerate(winners):
        _build(db, now, council, proposal_id, costs[proposal_id], STORIES[index % len(STORIES)])
    return cycle_id


def _budgets(
    db: Session, now: datetime, council: int, cycle_id: int, district_ids: list[int]
) -> list[tuple[int, int | None]]:
    """(budget id, index of its district in DISTRICTS or None for the city) of each budget."""
    made: list[tuple[int, int | None]] = []
    for where, kind, limits, rule in PAST_BUDGETS:
        name = "Tout Paris" if where is None else DISTRICTS[where][1]
        form = BudgetForm(
            name_fr=name, name_en="All of Paris" if where is None else name,
            scope="city" if where is None else "district",
            district_id=None if where is None else district_ids[where],
            amount=(8_000_000 if where is None else 1_200_000) * EURO,
            ballot_type=kind, limits=limits, rule=rule, tie_break=default_tie_break(rule),
        )  # fmt: skip
        made.append(
            (budgets.create_budget(db, now, actor_id=council, cycle_id=cycle_id, form=form), where)
        )
    return made


def _degrees(micro: int) -> str:
    return str(Decimal(micro).scaleb(-6))


def _proposals(
    db: Session,
    now: datetime,
    rng: random.Random,
    budget_id: int,
    where: int | None,
    authors: list[int],
) -> list[tuple[int, int]]:
    """ON_BALLOT submitted proposals of the budget; (id, final cost) of each."""
    made = []
    for _ in range(ON_BALLOT):
        start, sentence, _, _ = rng.choice(PROJECT_IDEAS)
        street, place = rng.choice(STREETS), rng.choice(PLACES)
        district = where if where is not None else rng.randrange(len(DISTRICTS))
        lat, lon = CENTRES[district]
        author = rng.choice(authors)
        proposal_id = proposals.create_proposal(
            db, now, author_id=author, budget_id=budget_id, title=f"{start}, {street}",
            summary=f"{sentence} Près {place}, {street}.",
            address=f"{rng.randint(1, 120)} {street}, {DISTRICTS[district][1]}",
            lat=_degrees(lat + rng.randint(-2000, 2000)),
            lon=_degrees(lon + rng.randint(-2000, 2000)),
        )  # fmt: skip
        proposals.submit_proposal(db, now, actor_id=author, proposal_id=proposal_id)
        cost = rng.randint(100, 600) * 1000 * EURO if where is not None else (
            rng.randint(1000, 4000) * 1000 * EURO
        )  # fmt: skip
        made.append((proposal_id, cost))
    return made


def _build(
    db: Session,
    now: datetime,
    council: int,
    proposal_id: int,
    cost: int,
    story: tuple[ImplementationStatus, int, int],
) -> None:
    """Report the project's building as the council would have, with dated milestones."""
    status, progress, spent_pct = story
    reached = {S.DONE: 4, S.IN_PROGRESS: 2, S.PLANNED: 0, S.ABANDONED: 1}[status]
    first: date = (now - 95 * DAY).date()  # after the vote closed (now - 100 days)
    for k, (title, note) in enumerate(MILESTONES):
        implementation.add_milestone(
            db, now, actor_id=council, proposal_id=proposal_id, title=title,
            planned_on=first + k * 20 * DAY,
            reached_on=first + (k * 20 + 6) * DAY if k < reached else None, note=note,
        )  # fmt: skip
    spent = cost * spent_pct // 100 or None
    if status is not S.PLANNED:
        middle = S.IN_PROGRESS if status is not S.ABANDONED else S.PLANNED
        implementation.update_project(
            db, now, actor_id=council, proposal_id=proposal_id, status=middle,
            progress=min(progress, 50) if middle is S.IN_PROGRESS else 0,
            spent=(spent or 0) // 2 or None, note="Les travaux ont commencé."
            if middle is S.IN_PROGRESS else "",
        )  # fmt: skip
    if status in (S.DONE, S.ABANDONED) or (status is S.IN_PROGRESS and progress > 50):
        note = ABANDON_REASON if status is S.ABANDONED else "Projet livré aux habitants."
        implementation.update_project(
            db, now, actor_id=council, proposal_id=proposal_id, status=status,
            progress=progress, spent=spent, note=note if status is not S.IN_PROGRESS else "",
        )  # fmt: skip
