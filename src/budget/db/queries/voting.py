"""Voting reads: a budget's frozen ballot rules and projects, receipts, turnout, participations.

Nothing here returns a ballot together with anything about a voter (T3).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from budget.db.queries.images import ImageView, cover_images
from budget.db.queries.roll import (
    RollEntryView,
    account_entry,
    budget_scopes,
    cycle_rules,
    get_entry,
)
from budget.db.tables import (
    Ballot,
    BallotProject,
    Budget,
    Category,
    Cycle,
    District,
    FrozenBudget,
    Participation,
    PhaseSchedule,
    Proposal,
    Receipt,
    RollEntry,
)
from budget.domain import eligibility
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import ORDER, Phase
from budget.domain.errors import NotFound
from budget.domain.validation import BallotRules


@dataclass(frozen=True)
class BallotProjectView:
    """A project as the ballot page shows it (public facts only)."""

    id: int
    title: str
    summary: str
    cost: int
    category_code: str | None
    category_fr: str | None
    category_en: str | None
    lat_e6: int | None
    lon_e6: int | None


@dataclass(frozen=True)
class FrozenView:
    """A budget's rules as frozen when voting opened."""

    budget_id: int
    rules: BallotRules
    rule: str
    tie_break: str
    lottery_commitment: str | None


def limits_from_json(text: str) -> BallotLimits:
    return BallotLimits(**json.loads(text))


def frozen_budget(db: Session, budget_id: int) -> FrozenView:
    """The frozen rules of a budget open (or once opened) for voting; NotFound otherwise."""
    row = db.get(FrozenBudget, budget_id)
    budget = db.get(Budget, budget_id)
    if row is None or budget is None:
        raise NotFound(kind="budget", id=budget_id)
    projects = db.exec(select(BallotProject).where(BallotProject.budget_id == budget_id)).all()
    rules = BallotRules(
        ballot_type=BallotType(row.ballot_type),
        limits=limits_from_json(row.limits),
        costs={p.proposal_id: p.cost for p in projects},
        envelope=row.amount,
    )
    return FrozenView(
        budget_id=budget_id,
        rules=rules,
        rule=row.rule,
        tie_break=row.tie_break,
        lottery_commitment=budget.lottery_commitment,
    )


def ballot_projects(db: Session, budget_id: int) -> tuple[BallotProjectView, ...]:
    """The frozen budget's projects, by title, with their frozen cost and category."""
    query = (
        select(BallotProject, Proposal, Category)
        .join(Proposal, col(Proposal.id) == col(BallotProject.proposal_id))
        .join(Category, col(Category.id) == col(Proposal.category_id), isouter=True)
        .where(BallotProject.budget_id == budget_id)
        .order_by(col(Proposal.title), col(Proposal.id))
    )
    return tuple(
        BallotProjectView(
            id=project.proposal_id, title=proposal.title, summary=proposal.summary,
            cost=project.cost, category_code=category.code if category else None,
            category_fr=category.name_fr if category else None,
            category_en=category.name_en if category else None,
            lat_e6=proposal.lat_e6, lon_e6=proposal.lon_e6,
        )
        for project, proposal, category in db.exec(query).all()
    )  # fmt: skip


class ReceiptState:
    """What the public receipt check answers; never what the ballot chose."""

    UNKNOWN = "unknown"
    RECORDED = "recorded"
    REPLACED = "replaced"
    FROZEN = "frozen"  # in the frozen box: voting closed
    COUNTED = "counted"  # results published


def receipt_state(db: Session, receipt_hash: str) -> str:
    query = (
        select(Receipt.state, Cycle.phase)
        .join(Budget, col(Budget.id) == col(Receipt.budget_id))
        .join(Cycle, col(Cycle.id) == col(Budget.cycle_id))
        .where(Receipt.receipt_hash == receipt_hash)
    )
    found = db.exec(query).first()
    if found is None:
        return ReceiptState.UNKNOWN
    state, phase = found
    if state == ReceiptState.REPLACED:
        return ReceiptState.REPLACED
    position = ORDER.index(Phase(phase))
    if position >= ORDER.index(Phase.IMPLEMENTATION):  # entered only once results are published
        return ReceiptState.COUNTED
    if position >= ORDER.index(Phase.CLOSED):
        return ReceiptState.FROZEN
    return ReceiptState.RECORDED


def turnout(db: Session, budget_ids: Collection[int]) -> dict[int, int]:
    """Participations per budget (every channel): the only count public during voting (T9)."""
    query = (
        select(Participation.budget_id, func.count())
        .where(col(Participation.budget_id).in_(list(budget_ids)))
        .group_by(col(Participation.budget_id))
    )
    return dict(db.exec(query).all())


def ballot_count(db: Session, budget_id: int) -> int:
    query = select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget_id)
    return db.exec(query).one()


def has_participations(db: Session, cycle_id: int) -> bool:
    """Whether anyone voted in the cycle (online or checked in on paper)."""
    query = (
        select(func.count())
        .select_from(Participation)
        .join(Budget, col(Budget.id) == col(Participation.budget_id))
        .where(Budget.cycle_id == cycle_id)
    )
    return db.exec(query).one() > 0


def has_roll(db: Session, cycle_id: int) -> bool:
    """Whether the council imported a voter roll for the cycle (an entry of source `roll`)."""
    query = (
        select(func.count())
        .select_from(RollEntry)
        .where(RollEntry.cycle_id == cycle_id, RollEntry.source == "roll")
    )
    return db.exec(query).one() > 0


@dataclass(frozen=True)
class ParticipationView:
    budget_id: int
    channel: str
    voted_on: date


def participations_of(db: Session, entry_id: int) -> dict[int, ParticipationView]:
    """Budget -> how and on which day this roll entry voted there."""
    rows = db.exec(select(Participation).where(Participation.roll_entry_id == entry_id)).all()
    return {r.budget_id: ParticipationView(r.budget_id, r.channel, r.voted_on) for r in rows}


@dataclass(frozen=True)
class BallotPage:
    """Everything a ballot page shows about one frozen budget."""

    budget_id: int
    cycle_id: int
    name_fr: str
    name_en: str
    currency: str
    time_zone: str
    phase: Phase
    voting_ends_at: datetime | None
    frozen: FrozenView
    projects: tuple[BallotProjectView, ...]
    covers: Mapping[int, ImageView]  # each project's first image, for its thumbnail


def voting_window(db: Session, cycle_id: int) -> tuple[datetime, datetime] | None:
    """The cycle's voting dates (start, end) as scheduled, None when voting has no dates: the
    one read of the window (domain.cycle.is_voting_open takes what it returns)."""
    row = db.exec(
        select(PhaseSchedule).where(
            PhaseSchedule.cycle_id == cycle_id, PhaseSchedule.phase == Phase.VOTING
        )
    ).first()
    return (row.starts_at, row.ends_at) if row is not None else None


def ballot_page(db: Session, budget_id: int) -> BallotPage:
    frozen = frozen_budget(db, budget_id)
    budget = db.get(Budget, budget_id)
    assert budget is not None  # noqa: S101 - frozen_budget found it
    cycle = db.get(Cycle, budget.cycle_id)
    assert cycle is not None  # noqa: S101 - a foreign key
    window = voting_window(db, budget.cycle_id)
    projects = ballot_projects(db, budget_id)
    return BallotPage(
        budget_id=budget_id, cycle_id=budget.cycle_id, name_fr=budget.name_fr,
        name_en=budget.name_en, currency=budget.currency, time_zone=cycle.time_zone,
        phase=Phase(cycle.phase), voting_ends_at=window[1] if window else None,
        frozen=frozen, projects=projects, covers=cover_images(db, [p.id for p in projects]),
    )  # fmt: skip


@dataclass(frozen=True)
class VoterEntry:
    """A voter's roll entry in one cycle and the budgets it may vote in now."""

    entry_id: int
    cycle_id: int
    entitled: frozenset[int]
    district_id: int | None
    chosen_district_id: int | None


def entry_voter(db: Session, entry: RollEntryView) -> VoterEntry:
    """The budgets a roll entry is entitled to, from the entry and its cycle (T2)."""
    rules = cycle_rules(db, entry.cycle_id)
    entitled = eligibility.entitled_budgets(rules, entry.facts, budget_scopes(db, entry.cycle_id))
    return VoterEntry(
        entry_id=entry.id, cycle_id=entry.cycle_id, entitled=entitled,
        district_id=entry.district_id, chosen_district_id=entry.chosen_district_id,
    )  # fmt: skip


def account_voter(db: Session, cycle_id: int, account_id: int) -> VoterEntry | None:
    """The account's roll entry in the cycle as a voter, None when it has none."""
    entry = account_entry(db, cycle_id, account_id)
    return entry_voter(db, entry) if entry is not None else None


@dataclass(frozen=True)
class BudgetState:
    """One entitled budget on the voter's home page."""

    budget_id: int
    name_fr: str
    name_en: str
    scope: str
    district_id: int | None
    voted_on: date | None
    channel: str | None


@dataclass(frozen=True)
class VoterHome:
    cycle_id: int
    cycle_name_fr: str
    cycle_name_en: str
    time_zone: str
    voting_ends_at: datetime | None
    district_mode: str
    chosen_district: str | None
    budgets: tuple[BudgetState, ...]


def voter_home(db: Session, voter: VoterEntry) -> VoterHome:
    """Each budget the entry may vote in, voted or not (and how), for its home page."""
    cycle = db.get(Cycle, voter.cycle_id)
    assert cycle is not None  # noqa: S101 - a foreign key
    done = participations_of(db, voter.entry_id)
    rows = db.exec(
        select(Budget)
        .where(col(Budget.id).in_(list(voter.entitled | set(done))))
        .order_by(col(Budget.scope), col(Budget.id))
    ).all()
    window = voting_window(db, voter.cycle_id)
    chosen = db.get(District, voter.chosen_district_id) if voter.chosen_district_id else None
    states = tuple(
        BudgetState(
            budget_id=b.id or 0, name_fr=b.name_fr, name_en=b.name_en, scope=b.scope,
            district_id=b.district_id,
            voted_on=done[b.id].voted_on if b.id in done else None,
            channel=done[b.id].channel if b.id in done else None,
        )
        for b in rows
    )  # fmt: skip
    return VoterHome(
        cycle_id=voter.cycle_id, cycle_name_fr=cycle.name_fr, cycle_name_en=cycle.name_en,
        time_zone=cycle.time_zone, voting_ends_at=window[1] if window else None,
        district_mode=cycle.district_mode, chosen_district=chosen.name if chosen else None,
        budgets=states,
    )  # fmt: skip


def cycles_in_voting(db: Session) -> tuple[int, ...]:
    rows = db.exec(select(Cycle.id).where(Cycle.phase == Phase.VOTING).order_by(col(Cycle.id)))
    return tuple(r for r in rows if r is not None)


@dataclass(frozen=True)
class VotingCycle:
    id: int
    name_fr: str
    name_en: str


def voting_cycle_names(db: Session) -> tuple[VotingCycle, ...]:
    """The cycles open for voting now, with their names (the code form's choice)."""
    rows = db.exec(select(Cycle).where(Cycle.phase == Phase.VOTING).order_by(col(Cycle.id)))
    return tuple(VotingCycle(id=c.id or 0, name_fr=c.name_fr, name_en=c.name_en) for c in rows)


def entry_home(db: Session, entry_id: int) -> VoterHome:
    """The home of a roll entry (a code voter's): its budgets, voted or not."""
    return voter_home(db, entry_voter(db, get_entry(db, entry_id)))
