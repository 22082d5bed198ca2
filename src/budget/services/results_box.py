"""The ballot box sealed at close: a budget's frozen rules and counted ballots as a canonical
Pabulib file (PRODUCT.md "Open data"), written by `pabulib.export`.

META carries what a re-count needs (rule, options, tie-break chain, the lottery seed revealed at
close) and what a reader needs (instance, budget, currency, dates, ballot limits); PROJECTS the
frozen costs; VOTES pseudonymous voters 1..n in canonical order, no voter attribute (T3). Blank
ballots (no project chosen) are counted beside the box, not in it: a .pb vote lists projects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from budget import pabulib
from budget.db import queries
from budget.db.tables import (
    Ballot,
    BallotProject,
    Budget,
    Category,
    Cycle,
    FrozenBudget,
    Proposal,
)
from budget.domain import ballots, validation
from budget.domain.ballots import BallotType, vote_type
from budget.tally import model

SCALE = 100  # amounts are cents: written with two decimals, read back as integer cents
_LIMIT_KEYS = {  # BallotLimits field -> Pabulib META key
    "min_choices": "min_length", "min_ranks": "min_length", "points": "max_sum_points",
    "max_per_project": "max_points",
}  # fmt: skip
_OPTION_KEYS = {  # rule option -> META key read by pabulib.plan
    "threshold": "min_project_score_threshold", "threshold_pct": "threshold_pct",
    "satisfaction": "mes_satisfaction",
}  # fmt: skip


@dataclass(frozen=True)
class Sealed:
    """A budget's box text and its ballot counts by kind and channel."""

    text: str
    valid: dict[str, int]  # channel -> ballots in the box
    blank: dict[str, int]  # channel -> ballots choosing nothing


def _projects(db: Session, budget_id: int) -> tuple[model.Project, ...]:
    query = (
        select(BallotProject, Proposal, Category)
        .join(Proposal, col(Proposal.id) == col(BallotProject.proposal_id))
        .join(Category, col(Category.id) == col(Proposal.category_id), isouter=True)
        .where(BallotProject.budget_id == budget_id)
        .order_by(col(BallotProject.proposal_id))
    )
    return tuple(
        model.Project(
            id=str(p.proposal_id), cost=p.cost, name=proposal.title.strip(),
            categories=(category.code,) if category is not None else (),
        )
        for p, proposal, category in db.exec(query)
    )  # fmt: skip


def _meta(db: Session, frozen: FrozenBudget, budget: Budget) -> dict[str, str]:
    cycle = db.get(Cycle, budget.cycle_id)
    assert cycle is not None  # noqa: S101 - a foreign key
    window = queries.voting_window(db, budget.cycle_id)
    meta = {
        "description": f"{cycle.name_en}: {budget.name_en}".strip(),
        "instance": cycle.instance, "subunit": budget.name_fr.strip(),
        "currency": budget.currency, "rule": frozen.rule, "tie_break": frozen.tie_break,
        "lottery_seed": (budget.lottery_seed or b"").hex(), "budget_id": str(budget.id),
    }  # fmt: skip
    if window is not None:
        meta["date_begin"] = window[0].strftime("%d.%m.%Y")
        meta["date_end"] = window[1].strftime("%d.%m.%Y")
    for name, value in sorted(json.loads(frozen.limits).items()):
        if value is not None and name in _LIMIT_KEYS:
            meta[_LIMIT_KEYS[name]] = str(value)
    for name, value in sorted(json.loads(frozen.rule_options).items()):
        if name == ballots.ENVELOPES:  # code:amount pairs, in currency units, in pass order
            meta["category_envelopes"] = ";".join(
                f"{code}:{Decimal(cents) / SCALE:.2f}" for code, cents in value
            )
        else:
            meta[_OPTION_KEYS[name]] = str(value)
    return {key: value for key, value in meta.items() if value != ""}


def seal(db: Session, budget_id: int) -> Sealed:
    """The canonical box of a frozen budget from its stored ballots (blank ones counted apart)."""
    frozen = db.get(FrozenBudget, budget_id)
    budget = db.get(Budget, budget_id)
    assert frozen is not None  # noqa: S101 - frozen when voting opened
    assert budget is not None  # noqa: S101 - a foreign key
    ballot_type = BallotType(frozen.ballot_type)
    limits = json.loads(frozen.limits)
    valid = {"online": 0, "paper": 0}
    blank = {"online": 0, "paper": 0}
    ballots = []
    rows = select(Ballot.choices, Ballot.channel).where(Ballot.budget_id == budget_id)
    for choices, channel in db.exec(rows):
        stored = validation.from_json(choices)
        if not stored.choices:
            blank[channel] += 1
            continue
        valid[channel] += 1
        projects = tuple(str(p) for p in stored.choices)
        ballots.append(model.Ballot(projects, tuple(stored.points) if stored.points else None))
    max_length = limits.get("max_ranks") if ballot_type is BallotType.RANKED else None
    election = model.Election(
        _projects(db, budget_id), frozen.amount, vote_type(ballot_type), tuple(ballots),
        max_length if max_length is None else int(max_length),
    )  # fmt: skip
    text = pabulib.export(election, _meta(db, frozen, budget), scale=SCALE)
    return Sealed(text, valid, blank)
