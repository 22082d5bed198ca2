"""The one ballot validator per ballot type (PRODUCT.md "Ballots"), used online and on paper.

A validator takes the budget's frozen `BallotRules` and a ballot as typed (any order) and returns
the canonical ballot, or raises the typed error naming the rule broken; it never guesses.
Canonical: sets and point maps sorted by project id, rankings in rank order.

Checks run in a fixed order, so a ballot breaking one rule always names that rule: shape, blank,
unknown project, duplicate, then the type's own limits (upper limits before lower ones).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from budget.domain.ballots import BallotLimits, BallotType, normalise_limits
from budget.domain.errors import (
    BallotShape,
    BlankBallot,
    BudgetError,
    DuplicateProject,
    OverBudget,
    PointsNotPositive,
    PointsOverLimit,
    PointsPerProject,
    RankShared,
    TooFewChoices,
    TooManyChoices,
    UnderMinimumSpend,
    UnknownProject,
)


@dataclass(frozen=True)
class Ballot:
    """Project ids as chosen; for cumulative ballots `points` gives each listed project's points
    (same length as `choices`), for every other type it stays empty."""

    choices: tuple[int, ...]
    points: tuple[int, ...] = ()

    def weights(self) -> dict[int, int]:
        """Project -> points (1 for each chosen project of a ballot without points)."""
        return dict(zip(self.choices, self.points or (1,) * len(self.choices), strict=True))


@dataclass(frozen=True)
class BallotRules:
    """What a ballot of one budget is checked against, frozen when voting opens: the type, its
    limits (defaults filled), the on-ballot projects with their final costs, the envelope."""

    ballot_type: BallotType
    limits: BallotLimits
    costs: Mapping[int, int] = field(default_factory=dict)  # project id -> final cost
    envelope: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "limits", normalise_limits(self.ballot_type, self.limits))


def _checked_listing(rules: BallotRules, ballot: Ballot) -> None:
    """Shape, blank, unknown and duplicate: the rules every ballot type shares."""
    if rules.ballot_type is BallotType.CUMULATIVE:
        well_formed = len(ballot.points) == len(ballot.choices)
    else:
        well_formed = not ballot.points
    if not well_formed:
        raise BallotShape(ballot_type=rules.ballot_type.value)
    if not ballot.choices:
        raise BlankBallot()
    for project in ballot.choices:
        if project not in rules.costs:
            raise UnknownProject(project=project)
    seen: set[int] = set()
    for project in ballot.choices:
        if project in seen:
            raise DuplicateProject(project=project)
        seen.add(project)


def _count_between(count: int, low: int, high: int) -> None:
    if count > high:
        raise TooManyChoices(max=high, count=count)
    if count < low:
        raise TooFewChoices(min=low, count=count)


def _as_set(ballot: Ballot) -> Ballot:
    return Ballot(tuple(sorted(ballot.choices)))


def validate_approval(rules: BallotRules, ballot: Ballot) -> Ballot:
    """A set S of on-ballot projects with min_choices <= |S| <= max_choices."""
    _checked_listing(rules, ballot)
    limits = rules.limits
    _count_between(len(ballot.choices), limits.min_choices or 1, limits.max_choices or 0)
    return _as_set(ballot)


def validate_knapsack(rules: BallotRules, ballot: Ballot) -> Ballot:
    """A set S with cost(S) <= envelope and 100·cost(S) >= min_spend_pct·envelope."""
    _checked_listing(rules, ballot)
    total = sum(rules.costs[p] for p in ballot.choices)
    pct = rules.limits.min_spend_pct or 0
    if total > rules.envelope:
        raise OverBudget(total=total, limit=rules.envelope)
    if 100 * total < pct * rules.envelope:
        raise UnderMinimumSpend(total=total, pct=pct, limit=rules.envelope)
    return _as_set(ballot)


def validate_cumulative(rules: BallotRules, ballot: Ballot) -> Ballot:
    """Points 1..max_per_project on each listed project, 1..points in total."""
    _checked_listing(rules, ballot)
    cap, budget = rules.limits.max_per_project or 0, rules.limits.points or 0
    for project, points in zip(ballot.choices, ballot.points, strict=True):
        if points < 1:
            raise PointsNotPositive(project=project, points=points)
        if points > cap:
            raise PointsPerProject(project=project, points=points, cap=cap)
    total = sum(ballot.points)
    if total > budget:
        raise PointsOverLimit(given=total, allowed=budget)
    pairs = sorted(zip(ballot.choices, ballot.points, strict=True))
    return Ballot(tuple(p for p, _ in pairs), tuple(x for _, x in pairs))


def validate_ranked(rules: BallotRules, ballot: Ballot) -> Ballot:
    """Distinct on-ballot projects in rank order, min_ranks..max_ranks of them."""
    _checked_listing(rules, ballot)
    limits = rules.limits
    _count_between(len(ballot.choices), limits.min_ranks or 1, limits.max_ranks or 0)
    return Ballot(ballot.choices)


def validate_choose_one(rules: BallotRules, ballot: Ballot) -> Ballot:
    """Exactly one on-ballot project."""
    _checked_listing(rules, ballot)
    _count_between(len(ballot.choices), 1, 1)
    return ballot


Validator = Callable[[BallotRules, Ballot], Ballot]

VALIDATORS: Mapping[BallotType, Validator] = {
    BallotType.APPROVAL: validate_approval,
    BallotType.KNAPSACK: validate_knapsack,
    BallotType.CUMULATIVE: validate_cumulative,
    BallotType.RANKED: validate_ranked,
    BallotType.CHOOSE_ONE: validate_choose_one,
}


def validate(rules: BallotRules, ballot: Ballot) -> Ballot:
    """The canonical ballot, or the typed error naming the rule it breaks."""
    return VALIDATORS[rules.ballot_type](rules, ballot)


# Errors a ballot gets by choosing more: they decide which choices the page disables.
UPPER_LIMITS: tuple[type[BudgetError], ...] = (
    TooManyChoices,
    OverBudget,
    PointsPerProject,
    PointsOverLimit,
)


def added(ballot: Ballot, project: int, *, cumulative: bool) -> Ballot:
    """The ballot with `project` chosen (appended last) or, on a cumulative ballot, one more
    point on it."""
    if not cumulative:
        return Ballot((*ballot.choices, project))
    weights = ballot.weights()
    weights[project] = weights.get(project, 0) + 1
    return Ballot(tuple(weights), tuple(weights.values()))


def blocked_choices(rules: BallotRules, ballot: Ballot) -> dict[int, BudgetError]:
    """Each on-ballot project whose choice (or one more point) would break an upper limit,
    with the error the validator would give: the page disables it and says why."""
    cumulative = rules.ballot_type is BallotType.CUMULATIVE
    chosen = set(ballot.choices)
    blocked: dict[int, BudgetError] = {}
    for project in rules.costs:
        if project in chosen and not cumulative:
            continue
        try:
            validate(rules, added(ballot, project, cumulative=cumulative))
        except UPPER_LIMITS as error:
            blocked[project] = error
        except BudgetError:
            pass  # a lower limit or another rule: choosing more may still help
    return blocked


@dataclass(frozen=True)
class Progress:
    """The live counter: what the ballot uses of its limits, and whether it can be cast."""

    chosen: int
    spent: int
    points_used: int
    problem: BudgetError | None  # None: the ballot is valid as it stands


def progress(rules: BallotRules, ballot: Ballot) -> Progress:
    """The counter for a ballot being filled in (it may be incomplete or invalid)."""
    weights = ballot.weights() if len(ballot.points) in (0, len(ballot.choices)) else {}
    known = [p for p in dict.fromkeys(ballot.choices) if p in rules.costs]
    problem: BudgetError | None = None
    try:
        validate(rules, ballot)
    except BudgetError as error:
        problem = error
    return Progress(
        chosen=len(known),
        spent=sum(rules.costs[p] for p in known),
        points_used=sum(weights.get(p, 0) for p in known),
        problem=problem,
    )


def to_json(ballot: Ballot) -> str:
    """The stored form of a canonical ballot: `[id, ...]`, or `[[id, points], ...]` with points."""
    if ballot.points:
        return json.dumps([list(pair) for pair in zip(ballot.choices, ballot.points, strict=True)])
    return json.dumps(list(ballot.choices))


def from_json(text: str) -> Ballot:
    """The ballot `to_json` stored."""
    items = json.loads(text)
    if items and isinstance(items[0], list):
        return Ballot(tuple(p for p, _ in items), tuple(x for _, x in items))
    return Ballot(tuple(items))


def ranking(ranks: Mapping[int, int]) -> Ballot:
    """A ranked ballot from a rank per project (as a form gives them): projects ordered by rank,
    gaps closed up; RankShared when two projects hold the same rank."""
    by_rank: dict[int, int] = {}
    for project, rank in ranks.items():
        if rank in by_rank:
            raise RankShared(rank=rank)
        by_rank[rank] = project
    return Ballot(tuple(by_rank[r] for r in sorted(by_rank)))
