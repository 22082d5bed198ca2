"""The budget cycle's phases, the moves between them and their guards (PRODUCT.md "Cycles").

`draft -> submission -> review -> voting -> closed -> certified -> implementation -> archived`,
plus the two backward moves: submission -> draft (no proposal submitted yet) and voting ->
review (no vote, participation or check-in yet). Guards are pure functions over a frozen
snapshot built by `db.queries.cycle_snapshot`; they return every failing reason, not the first.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from budget.domain import ballots
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.errors import BudgetError, TransitionRefused
from budget.domain.errors import Reason as Reason  # re-exported: the guards' vocabulary


class Phase(StrEnum):
    DRAFT = "draft"
    SUBMISSION = "submission"
    REVIEW = "review"
    VOTING = "voting"
    CLOSED = "closed"
    CERTIFIED = "certified"
    IMPLEMENTATION = "implementation"
    ARCHIVED = "archived"


ORDER: tuple[Phase, ...] = tuple(Phase)
FORWARD: Mapping[Phase, Phase] = dict(itertools.pairwise(ORDER))
BACKWARD: Mapping[Phase, Phase] = {Phase.SUBMISSION: Phase.DRAFT, Phase.VOTING: Phase.REVIEW}
LOCKED_FROM = Phase.VOTING  # ballot and rule settings freeze when voting opens (T8)


def targets(phase: Phase) -> tuple[Phase, ...]:
    """The phases one move away from `phase`: forward first, then the backward move."""
    moves = [FORWARD.get(phase), BACKWARD.get(phase)]
    return tuple(p for p in moves if p is not None)


def project_cost_limit(amount: int, max_project_cost: int | None) -> int:
    """The most one project of a budget may cost: the envelope, or the per-project cap."""
    return amount if max_project_cost is None else min(amount, max_project_cost)


def is_public(phase: Phase) -> bool:
    """Whether anyone may see the cycle: a cycle in draft is the council's work in progress."""
    return phase is not Phase.DRAFT


def is_running(phase: Phase) -> bool:
    """Whether the cycle is still in progress (not archived): its pages offer actions."""
    return phase is not Phase.ARCHIVED


def is_voting_open(phase: Phase, window: tuple[datetime, datetime] | None, now: datetime) -> bool:
    """The one rule for accepting a ballot: the cycle is in voting and `now` is inside the
    voting window [start, end). From the end on no ballot is accepted, even before close."""
    return phase is Phase.VOTING and window is not None and window[0] <= now < window[1]


def is_locked(phase: Phase) -> bool:
    """Whether ballot types, limits, rules, tie-breaks, costs and eligibility are frozen."""
    return ORDER.index(phase) >= ORDER.index(LOCKED_FROM)


@dataclass(frozen=True)
class BudgetSnapshot:
    """What the guards need to know about one budget; `costs` are its on-ballot projects'."""

    name: str
    is_district: bool
    has_district: bool
    amount: int
    ballot_type: BallotType | None = None
    limits: BallotLimits = field(default_factory=BallotLimits)
    rule: str | None = None
    tie_break: str | None = None
    max_project_cost: int | None = None
    costs: Mapping[str, int] = field(default_factory=dict)  # project label -> final cost
    envelopes: tuple[str, ...] = ()  # the categories with an envelope (ballots.ENVELOPES)
    categories: frozenset[str] = frozenset()  # the categories of its on-ballot projects


@dataclass(frozen=True)
class CycleSnapshot:
    """What the guards need to know about a cycle at time `now`."""

    phase: Phase
    now: datetime
    budgets: tuple[BudgetSnapshot, ...] = ()
    scheduled: frozenset[Phase] = frozenset()  # phases whose dates are set
    voting_ends_at: datetime | None = None
    needs_roll: bool = False  # eligibility mode `roll`
    has_roll: bool = False
    submitted_proposals: int = 0  # proposals that ever left the draft state
    undecided_proposals: int = 0  # submitted or in review, neither decided, withdrawn nor merged
    has_votes: bool = False  # any ballot, participation or check-in
    unreconciled_places: int = 0
    certifications: int = 0  # distinct council members who certified
    results_published: bool = False
    unfinished_projects: int = 0  # funded projects neither done nor abandoned


Guard = Callable[[CycleSnapshot], list[Reason]]


def _to_submission(s: CycleSnapshot) -> list[Reason]:
    reasons = [] if s.budgets else [Reason("cycle.no-budget")]
    reasons += [
        Reason("budget.no-district", {"budget": b.name})
        for b in s.budgets
        if b.is_district and not b.has_district
    ]
    return reasons + _dates(s, Phase.SUBMISSION)


def _back_to_draft(s: CycleSnapshot) -> list[Reason]:
    if s.submitted_proposals:
        return [Reason("cycle.proposals-submitted", {"count": s.submitted_proposals})]
    return []


def _to_voting(s: CycleSnapshot) -> list[Reason]:
    reasons = [] if s.budgets else [Reason("cycle.no-budget")]
    for budget in s.budgets:
        reasons += budget_problems(budget)
    if s.undecided_proposals:
        reasons.append(Reason("cycle.undecided-proposals", {"count": s.undecided_proposals}))
    if s.needs_roll and not s.has_roll:
        reasons.append(Reason("cycle.no-roll"))
    return reasons + _dates(s, Phase.VOTING)


def _back_to_review(s: CycleSnapshot) -> list[Reason]:
    return [Reason("cycle.votes-exist")] if s.has_votes else []


def _to_closed(s: CycleSnapshot) -> list[Reason]:
    reasons = []
    if s.voting_ends_at is None or s.now < s.voting_ends_at:
        reasons.append(Reason("cycle.voting-not-ended", {"ends_at": s.voting_ends_at}))
    if s.unreconciled_places:
        reasons.append(Reason("cycle.unreconciled", {"count": s.unreconciled_places}))
    return reasons


def _to_certified(s: CycleSnapshot) -> list[Reason]:
    return (
        []
        if s.certifications >= 2
        else [Reason("cycle.not-certified", {"count": s.certifications})]
    )


def _to_implementation(s: CycleSnapshot) -> list[Reason]:
    return [] if s.results_published else [Reason("cycle.not-published")]


def _to_archived(s: CycleSnapshot) -> list[Reason]:
    if s.unfinished_projects:
        return [Reason("cycle.unfinished-projects", {"count": s.unfinished_projects})]
    return []


def _no_guard(s: CycleSnapshot) -> list[Reason]:
    return []  # submission -> review: unsubmitted drafts simply stay private drafts


def _dates(s: CycleSnapshot, phase: Phase) -> list[Reason]:
    return [] if phase in s.scheduled else [Reason("cycle.dates-missing", {"phase": phase.value})]


GUARDS: Mapping[tuple[Phase, Phase], Guard] = {
    (Phase.DRAFT, Phase.SUBMISSION): _to_submission,
    (Phase.SUBMISSION, Phase.DRAFT): _back_to_draft,
    (Phase.SUBMISSION, Phase.REVIEW): _no_guard,
    (Phase.REVIEW, Phase.VOTING): _to_voting,
    (Phase.VOTING, Phase.REVIEW): _back_to_review,
    (Phase.VOTING, Phase.CLOSED): _to_closed,
    (Phase.CLOSED, Phase.CERTIFIED): _to_certified,
    (Phase.CERTIFIED, Phase.IMPLEMENTATION): _to_implementation,
    (Phase.IMPLEMENTATION, Phase.ARCHIVED): _to_archived,
}


def budget_problems(budget: BudgetSnapshot) -> list[Reason]:
    """Why this budget cannot be voted on yet: ballot, rule, tie-break and projects."""
    name = {"budget": budget.name}
    reasons = _ballot_problems(budget)
    if budget.rule is None:
        reasons.append(Reason("budget.no-rule", name))
    elif budget.ballot_type is not None and not ballots.rule_accepts(
        budget.rule, budget.ballot_type
    ):
        reasons.append(
            Reason(
                "budget.rule-incompatible",
                {**name, "rule": budget.rule, "ballot_type": budget.ballot_type.value},
            )
        )
    reasons += _tie_break_problems(budget)
    reasons += [  # an envelope no project can use would make the count fail at the end
        Reason("budget.envelope-empty", {**name, "category": code})
        for code in budget.envelopes
        if code not in budget.categories
    ]
    return reasons + _project_problems(budget)


def _ballot_problems(budget: BudgetSnapshot) -> list[Reason]:
    name = {"budget": budget.name}
    if budget.ballot_type is None:
        return [Reason("budget.no-ballot-type", name)]
    errors = ballots.limit_errors(budget.ballot_type, budget.limits)
    if errors:
        return [
            Reason("budget.limit", {**name, "field": f, "code": e.code}) for f, e in errors.items()
        ]
    costs = list(budget.costs.values())
    if costs and not ballots.is_satisfiable(
        budget.ballot_type, budget.limits, costs, budget.amount
    ):
        return [Reason("budget.unsatisfiable", {**name, "ballot_type": budget.ballot_type.value})]
    return []


def _tie_break_problems(budget: BudgetSnapshot) -> list[Reason]:
    if budget.tie_break is None:
        return [Reason("budget.no-tie-break", {"budget": budget.name})]
    try:
        ballots.parse_tie_break(budget.tie_break)
    except BudgetError as error:
        return [Reason("budget.tie-break", {"budget": budget.name, **error.params})]
    return []


def _project_problems(budget: BudgetSnapshot) -> list[Reason]:
    if not budget.costs:
        return [Reason("budget.no-projects", {"budget": budget.name})]
    reasons = []
    for project, cost in budget.costs.items():
        figures = {"budget": budget.name, "project": project, "cost": cost}
        if cost > budget.amount:
            reasons.append(
                Reason("budget.project-over-envelope", {**figures, "limit": budget.amount})
            )
        elif budget.max_project_cost is not None and cost > budget.max_project_cost:
            reasons.append(
                Reason("budget.project-over-cap", {**figures, "limit": budget.max_project_cost})
            )
    return reasons


def transition_problems(snapshot: CycleSnapshot, target: Phase) -> tuple[Reason, ...]:
    """Every reason the move from the snapshot's phase to `target` is refused (empty: allowed)."""
    guard = GUARDS.get((snapshot.phase, target))
    if guard is None:
        return (
            Reason("cycle.not-adjacent", {"source": snapshot.phase.value, "target": target.value}),
        )
    return tuple(guard(snapshot))


def check_transition(snapshot: CycleSnapshot, target: Phase) -> None:
    """Raise `TransitionRefused` with every reason unless the move is allowed."""
    reasons = transition_problems(snapshot, target)
    if reasons:
        raise TransitionRefused(source=snapshot.phase.value, target=target.value, reasons=reasons)
