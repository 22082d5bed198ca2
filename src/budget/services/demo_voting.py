"""The demo's cycle open for voting (issue 16): every ballot type used by at least one budget,
district budgets of the voter's choice, projects with categories and places on the map, and the
demo resident on the cycle's roll, so `resident@demo.budget` can vote, revise and check a
receipt at once. Built by calling the services, like the rest of the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from budget.db import queries
from budget.db.tables import RollEntry
from budget.domain import ballots
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.services import (
    budgets,
    categories,
    codes,
    cycles,
    decisions,
    demo_engagement,
    demo_outlines,
    demo_roll,
    images,
    proposals,
    roll,
)
from budget.services.budgets import BudgetForm
from budget.services.cycles import CycleForm
from budget.services.demo_data import CENTRES, DISTRICTS, PLACES, PROJECT_IDEAS, STREETS

EURO = 100
DAY = timedelta(days=1)
# (name fr, name en, ballot type, limits, rule) of the city-wide budgets
CITY_BUDGETS = (
    ("Tout Paris — approbation", "All of Paris — approval", BallotType.APPROVAL,
     BallotLimits(max_choices=3), "mes-add1"),
    ("Tout Paris — sac à dos", "All of Paris — knapsack", BallotType.KNAPSACK,
     BallotLimits(min_spend_pct=50), "greedy"),
    ("Écoles — points", "Schools — points", BallotType.CUMULATIVE,
     BallotLimits(points=10, max_per_project=5), "greedy"),
    ("Quartiers populaires — classement", "Working-class areas — ranking", BallotType.RANKED,
     BallotLimits(max_ranks=3), "greedy"),
    ("Jeunesse — un projet", "Youth — one project", BallotType.CHOOSE_ONE,
     BallotLimits(), "greedy"),
)  # fmt: skip
CATEGORIES = (("green", "Nature", "Nature"), ("mobility", "Mobilité", "Getting around"),
              ("schools", "Écoles", "Schools"))  # fmt: skip


@dataclass(frozen=True)
class VotingDemo:
    cycle_id: int
    budgets: int
    projects: int
    voter_email: str


def load_voting_demo(db: Session, now: datetime, *, council: int, voter_id: int) -> VotingDemo:
    """A cycle whose voting opened yesterday and ends in three weeks; `voter_id` (the demo
    resident) is on its roll. The caller commits."""
    form = CycleForm(
        name_fr="Budget participatif 2027 des quartiers (vote en cours)",
        name_en="Neighbourhood participatory budget 2027 (voting open)", instance="2027-vote",
        time_zone="Europe/Paris", currency="EUR", eligibility_mode="declared",
        district_mode="choice", min_age=None, reference_date=date(now.year, 1, 1),
        max_proposals_per_author=100,
    )  # fmt: skip
    cycle_id, budgets_made, projects = _reviewed_cycle(db, now, council, voter_id, form, 2026)
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.VOTING)
    _declare(db, now, cycle_id, voter_id)
    return VotingDemo(cycle_id, budgets_made, projects, "resident@demo.budget")


@dataclass(frozen=True)
class CodeDemo:
    cycle_id: int
    roll_entries: int
    codes: tuple[str, ...]  # in clear: printed once by `budget demo`, as a mailing would


def load_code_voting_demo(
    db: Session, now: datetime, *, council: int, author_id: int, key: bytes | None, shown: int = 3
) -> CodeDemo:
    """A roll-mode cycle open for voting (districts of residence), whose imported roll entries
    vote with mailed codes or at a polling place; returns the first `shown` codes in clear.
    Codes are issued under `key` (the app's code key, settings.key_for("code")); without one
    the roll has none yet, as before the council's mailing."""
    form = CycleForm(
        name_fr="Budget participatif 2027 par courrier (vote en cours)",
        name_en="Participatory budget 2027 by post (voting open)", instance="2027-codes",
        time_zone="Europe/Paris", currency="EUR", eligibility_mode="roll",
        district_mode="residence", min_age=16, reference_date=date(now.year, 1, 1),
        max_proposals_per_author=100,
    )  # fmt: skip
    cycle_id, _, _ = _reviewed_cycle(db, now, council, author_id, form, 2029, photos=False)
    report = roll.import_roll(
        db, now, actor_id=council, cycle_id=cycle_id,
        content=demo_roll.roll_csv(db, random.Random(2029), cycle_id),  # noqa: S311 - demo
    )  # fmt: skip
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.VOTING)
    if key is None:
        return CodeDemo(cycle_id, report.rows, ())
    issued = codes.issue_codes(db, now, actor_id=council, cycle_id=cycle_id, key=key)
    return CodeDemo(cycle_id, report.rows, tuple(i.code for i in issued[:shown]))


def _reviewed_cycle(
    db: Session,
    now: datetime,
    council: int,
    author: int,
    form: CycleForm,
    seed: int,
    *,
    photos: bool = True,
) -> tuple[int, int, int]:
    """A cycle at the end of review, voting from yesterday for three weeks: city budgets of
    every ballot type and two district budgets, five feasible projects each, by `author`, the
    first of each budget with a photo (unless `photos` is False). Returns (cycle, budgets,
    projects)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    cycle_id = cycles.create_cycle(db, now, actor_id=council, form=form)
    cycles.set_schedule(
        db, now, actor_id=council, cycle_id=cycle_id,
        dates={Phase.SUBMISSION: (now - 120 * DAY, now - 90 * DAY),
               Phase.REVIEW: (now - 89 * DAY, now - 2 * DAY),
               Phase.VOTING: (now - DAY, now + 21 * DAY)},
    )  # fmt: skip
    category_ids = [
        categories.create_category(
            db, now, actor_id=council, cycle_id=cycle_id, code=code, name_fr=fr, name_en=en
        )
        for code, fr, en in CATEGORIES
    ]
    planned: list[tuple[int, int | None]] = [
        (b, None) for b in _city_budgets(db, now, council, cycle_id)
    ]
    districts = _district_budgets(db, now, council, cycle_id)
    planned += [(budget_id, index) for budget_id, index, _ in districts]
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    made = [
        (_propose(db, now, rng, author, budget_id, district, category_ids, n, photos), budget_id)
        for budget_id, district in planned
        for n in range(5)
    ]
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    for proposal_id, budget_id in made:
        amount = queries.get_budget(db, budget_id).amount
        cost = amount * rng.choice((15, 20, 25, 30, 35)) // 100 // (1000 * EURO) * (1000 * EURO)
        decisions.decide_proposal(
            db, now, actor_id=council, proposal_id=proposal_id, feasible=True, final_cost=cost
        )
    for _, index, district_id in districts:  # outlined once the projects are placed
        budgets.set_district_boundary(
            db, now, actor_id=council, district_id=district_id,
            geojson=demo_outlines.outline(index),
        )  # fmt: skip
    return cycle_id, len(planned), len(made)


def _city_budgets(db: Session, now: datetime, council: int, cycle_id: int) -> list[int]:
    made = []
    for fr, en, kind, limits, rule in CITY_BUDGETS:
        form = BudgetForm(
            name_fr=fr, name_en=en, scope="city", district_id=None, amount=2_000_000 * EURO,
            ballot_type=kind, limits=limits, rule=rule, tie_break=ballots.default_tie_break(rule),
        )  # fmt: skip
        made.append(budgets.create_budget(db, now, actor_id=council, cycle_id=cycle_id, form=form))
    return made


def _district_budgets(
    db: Session, now: datetime, council: int, cycle_id: int
) -> list[tuple[int, int, int]]:
    """Two districts with an approval budget each: the voter picks one (arrondissement de
    cœur); returns (budget, index in DISTRICTS, district)."""
    planned = []
    for index in (0, 10):
        code, name, _ = DISTRICTS[index]
        district_id = cycles.create_district(
            db, now, actor_id=council, cycle_id=cycle_id, code=code, name=name
        )
        budget_id = budgets.create_budget(
            db, now, actor_id=council, cycle_id=cycle_id,
            form=BudgetForm(
                name_fr=name, name_en=name, scope="district", district_id=district_id,
                amount=500_000 * EURO, ballot_type=BallotType.APPROVAL,
                limits=BallotLimits(max_choices=2), rule="greedy",
                tie_break="more-votes,lower-cost,lottery",
            ),
        )  # fmt: skip
        planned.append((budget_id, index, district_id))
    return planned


def _propose(
    db: Session, now: datetime, rng: random.Random, author: int, budget_id: int,
    district: int | None, category_ids: list[int], n: int, photo: bool,
) -> int:  # fmt: skip
    start, sentence, _, _ = rng.choice(PROJECT_IDEAS)
    street, place = rng.choice(STREETS), rng.choice(PLACES)
    lat, lon = CENTRES[district if district is not None else rng.randrange(len(CENTRES))]
    proposal_id = proposals.create_proposal(
        db, now, author_id=author, budget_id=budget_id, title=f"{start}, {street}",
        summary=f"{sentence} Près {place}.", category_id=category_ids[n % len(category_ids)],
        address=f"{rng.randint(1, 120)} {street}",
        lat=str(Decimal(lat + rng.randint(-4000, 4000)).scaleb(-6)),
        lon=str(Decimal(lon + rng.randint(-4000, 4000)).scaleb(-6)),
    )  # fmt: skip
    if photo and n == 0:  # each budget's first project has a photo, shown on the ballot
        images.add_image(
            db, now, actor_id=author, proposal_id=proposal_id,
            upload=demo_engagement.picture(rng, f"{start}, {street}"),
            alt_text=f"Vue du lieu, {street}",
        )  # fmt: skip
    proposals.submit_proposal(db, now, actor_id=author, proposal_id=proposal_id)
    return proposal_id


def _declare(db: Session, now: datetime, cycle_id: int, account_id: int) -> None:
    """The demo resident's declaration for the cycle (birth year; district left to choose).

    Written as the roll entry a declaration makes: the declaration service (issue 14) is not on
    this branch yet; when it is, this becomes a call to it."""
    db.add(
        RollEntry(
            cycle_id=cycle_id,
            source="declared",
            birth_year=1988,
            account_id=account_id,
            created_at=now,
            updated_at=now,
        )
    )
    db.flush()
