"""Feasibility review (PRODUCT.md "Feasibility review"): the rubric, the cost estimate, the
recommendation, and how proposals are spread evenly across a committee's reviewers.

Pure: plain values in, typed errors (`FieldErrors` naming each form field) or plain values out.
A review may be saved as a draft with any subset of its fields; what is given must be valid.
Submitting needs the whole rubric: each of the four criteria scored 0-5 with a comment, the cost
estimate and a recommendation. A 0 on any criterion is a blocking objection: the council may
still decide the proposal feasible, but only with a written (internal) justification.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from budget.domain.errors import (
    BudgetError,
    OutOfRange,
    Required,
    TooLong,
    collect,
    raise_if_any,
)
from budget.domain.money import MAX_CENTS, Cents

SCORE_MIN = 0
SCORE_MAX = 5
BLOCKING_SCORE = 0  # "no": outside the city's competence, illegal, infeasible or running cost
COMMENT_MAX = 2_000
BREAKDOWN_MAX = 5_000
CHANGES_MAX = 2_000
NOTE_MAX = 5_000
CONFLICT_REASON_MAX = 1_000  # the column's size
JUSTIFICATION_MAX = 5_000
EXPLANATION_MAX = 5_000
DURATION_MIN = 1
DURATION_MAX = 240  # months: twenty years is already far beyond a participatory project
COST_MAX: Cents = MAX_CENTS
PER_PROPOSAL_MAX = 10  # reviewers per proposal when spreading


class Criterion(StrEnum):
    """The four criteria, in the order the form shows them."""

    COMPETENCE = "competence"  # within the city's competence
    LEGAL = "legal"
    TECHNICAL = "technical"  # technically feasible
    INVESTMENT = "investment"  # an investment, not a running cost


class Recommendation(StrEnum):
    FEASIBLE = "feasible"
    FEASIBLE_WITH_CHANGES = "feasible_with_changes"
    INFEASIBLE = "infeasible"


class ReviewState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # locked until the council reopens it
    REOPENED = "reopened"  # editable again; submitting locks it anew


class AssignmentState(StrEnum):
    ACTIVE = "active"
    CONFLICT = "conflict"  # declared by the reviewer: never shown to them again (T7)
    REMOVED = "removed"  # unassigned by the council


@dataclass(frozen=True)
class Score:
    value: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class ReviewInput:
    """What a reviewer typed. Money in minor units; None means left empty."""

    scores: Mapping[Criterion, Score] = field(default_factory=dict)
    cost_total: Cents | None = None
    cost_breakdown: str = ""
    running_cost_yearly: Cents | None = None
    duration_months: int | None = None
    recommendation: Recommendation | None = None
    changes: str = ""

    def score(self, criterion: Criterion) -> Score:
        return self.scores.get(criterion, Score())


def _text(value: str, limit: int, *, required: bool) -> None:
    if required and not value.strip():
        raise Required()
    if len(value.strip()) > limit:
        raise TooLong(max=limit)


def _bounded(value: int | None, low: int, high: int, *, required: bool) -> None:
    if value is None:
        if required:
            raise Required()
        return
    if not low <= value <= high:
        raise OutOfRange(min=low, max=high)


def _score_errors(
    errors: dict[str, BudgetError], name: str, score: Score, *, complete: bool
) -> None:
    collect(
        errors,
        f"{name}_score",
        lambda: _bounded(score.value, SCORE_MIN, SCORE_MAX, required=complete),
    )
    collect(errors, f"{name}_comment", lambda: _text(score.comment, COMMENT_MAX, required=complete))


def review_errors(review: ReviewInput, *, complete: bool) -> dict[str, BudgetError]:
    """Every problem of the review, by form field name (`competence_score`, `cost_total`...).
    `complete` asks for the whole rubric (submission); otherwise empty fields are allowed."""
    errors: dict[str, BudgetError] = {}
    for criterion in Criterion:
        _score_errors(errors, criterion.value, review.score(criterion), complete=complete)
    collect(
        errors, "cost_total", lambda: _bounded(review.cost_total, 0, COST_MAX, required=complete)
    )
    collect(
        errors,
        "cost_breakdown",
        lambda: _text(review.cost_breakdown, BREAKDOWN_MAX, required=False),
    )
    collect(
        errors,
        "running_cost_yearly",
        lambda: _bounded(review.running_cost_yearly, 0, COST_MAX, required=complete),
    )
    collect(
        errors,
        "duration_months",
        lambda: _bounded(review.duration_months, DURATION_MIN, DURATION_MAX, required=complete),
    )
    if complete and review.recommendation is None:
        errors["recommendation"] = Required()
    with_changes = review.recommendation is Recommendation.FEASIBLE_WITH_CHANGES
    collect(errors, "changes", lambda: _text(review.changes, CHANGES_MAX, required=with_changes))
    return errors


def check_review(review: ReviewInput, *, complete: bool) -> None:
    """Raise FieldErrors naming every bad field (see `review_errors`)."""
    raise_if_any(review_errors(review, complete=complete))


def has_blocking_objection(scores: Collection[int | None]) -> bool:
    """Whether any criterion was scored 0 (a blocking objection)."""
    return BLOCKING_SCORE in scores


def check_note(body: str) -> str:
    """An internal note: 1..NOTE_MAX characters, trimmed."""
    _text(body, NOTE_MAX, required=True)
    return body.strip()


def check_conflict_reason(reason: str) -> str:
    """Why a reviewer declares a conflict of interest: 1..CONFLICT_REASON_MAX characters."""
    _text(reason, CONFLICT_REASON_MAX, required=True)
    return reason.strip()


def check_per_proposal(per_proposal: int) -> None:
    _bounded(per_proposal, 1, PER_PROPOSAL_MAX, required=True)


# -- spreading proposals evenly -------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """What `spread_evenly` decided.

    `assignments`: (proposal, reviewer) pairs in the order they were dealt. `short`: proposals
    that could not get all their reviewers because too few eligible reviewers remain, with how
    many are missing (reported, never guessed at). `loads`: each reviewer's load afterwards."""

    assignments: tuple[tuple[int, int], ...]
    short: Mapping[int, int]
    loads: Mapping[int, int]


def spread_evenly(
    proposal_ids: Collection[int],
    reviewers: Sequence[int],
    per_proposal: int,
    excluded: Mapping[int, Collection[int]],
    current_loads: Mapping[int, int],
    *,
    assigned: Mapping[int, Collection[int]] | None = None,
) -> Spread:
    """Deal proposals, sorted by id, to reviewers in turn, each to `per_proposal` distinct
    reviewers, never to a reviewer in `excluded[proposal]` (its authors, declared conflicts).

    `assigned[proposal]` names reviewers the proposal already has: they count towards its
    `per_proposal` and are not dealt it again. Each seat goes to the eligible reviewer with the
    least load so far (`current_loads` plus what this call dealt), ties to the reviewer listed
    first; with equal loads this is dealing in turn.

    Guarantees:
    - no proposal goes to an excluded reviewer, nor twice to the same reviewer;
    - each proposal gets min(per_proposal - already assigned, eligible reviewers) new ones,
      and `short` lists every proposal left with fewer than `per_proposal`, by how many;
    - without exclusions, the spread of loads (max - min) never exceeds max(initial spread, 1):
      from equal (e.g. zero) loads, loads end up differing by at most one;
    - with exclusions, each seat still goes to a least-loaded eligible reviewer, but loads may
      differ by more than one when the exclusions leave no other choice (a proposal that only
      one reviewer may review adds to that reviewer, however loaded);
    - deterministic: the same input gives the same output, whatever the order of
      `proposal_ids` (they are sorted) — only the order of `reviewers` breaks ties.
    """
    check_per_proposal(per_proposal)
    order = {reviewer: index for index, reviewer in enumerate(dict.fromkeys(reviewers))}
    loads = {reviewer: current_loads.get(reviewer, 0) for reviewer in order}
    already = assigned or {}
    dealt: list[tuple[int, int]] = []
    short: dict[int, int] = {}
    for proposal in sorted(set(proposal_ids)):
        taken = set(already.get(proposal, ()))
        blocked = set(excluded.get(proposal, ())) | taken
        eligible = [reviewer for reviewer in order if reviewer not in blocked]
        wanted = max(0, per_proposal - len(taken))
        chosen = sorted(eligible, key=lambda r: (loads[r], order[r]))[:wanted]
        for reviewer in chosen:
            loads[reviewer] += 1
            dealt.append((proposal, reviewer))
        if len(chosen) < wanted:
            short[proposal] = wanted - len(chosen)
    return Spread(assignments=tuple(dealt), short=short, loads=loads)
