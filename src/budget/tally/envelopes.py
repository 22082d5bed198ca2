"""Category envelopes inside one budget (PRODUCT.md, Cycles: budget fields).

Each category named in `Options.envelopes` gets an amount. A project belongs to the envelope of
the first of its categories that has one. Pass 1, for each envelope in the order given: the rule
counts the envelope's projects alone, with the envelope's amount as the budget. Last pass: what
the budget has left after every envelope's spending is counted, by `Options.leftover_rule` (the
same rule when not set), over every project not yet funded, as one list. Each ballot keeps only
the projects of the pass (every voter still counts, so MES shares stay B/n of that pass's
amount); ordinal ballots are refused, since dropping projects would move the others' ranks.

Every explanation gains the figures `pass` (the category, or "leftover") and `envelope` (that
pass's amount), so it says which pass funded or refused it; a project a category pass did not
fund is explained by the last pass, where it competes again. Budapest XI Ujbuda 2025 describes
such a count: greedy-no-skip within "Modern" and "Green" (40 M each), "Free" and "Care" (20 M
each), then greedy over the pooled leftover.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from budget.tally.model import Ballot, Election, Explanation, Figure, Outcome, Project, VoteType
from budget.tally.options import Options

RuleFunction = Callable[[Election, Options], Outcome]
LEFTOVER = "leftover"


class EnvelopeError(ValueError):
    """Category envelopes that cannot be counted as given."""


def home(project: Project, categories: frozenset[str]) -> str | None:
    """The envelope a project is counted in first: its first category that has one."""
    return next((c for c in project.categories if c in categories), None)


def _restricted(election: Election, projects: list[Project], budget: int) -> Election:
    """The election over `projects` alone, with `budget`; every voter kept."""
    kept = {p.id for p in projects}
    ballots: dict[tuple[tuple[str, ...], tuple[int, ...] | None], int] = {}
    for ballot in election.ballots:
        pairs = [(p, i) for i, p in enumerate(ballot.projects) if p in kept]
        ids = tuple(p for p, _ in pairs)
        points = None if ballot.points is None else tuple(ballot.points[i] for _, i in pairs)
        ballots[ids, points] = ballots.get((ids, points), 0) + ballot.count
    merged = tuple(Ballot(ids, points, n) for (ids, points), n in ballots.items())
    return Election(tuple(projects), budget, election.vote_type, merged, election.max_length)


def _check(election: Election, options: Options) -> None:
    if election.vote_type is VoteType.ORDINAL:
        raise EnvelopeError("category envelopes cannot be used with ranked (ordinal) ballots")
    total = sum(amount for _, amount in options.envelopes)
    if total > election.budget:
        raise EnvelopeError(
            f"the category envelopes add up to {total:,}, more than the budget {election.budget:,}"
        )
    names = [name for name, _ in options.envelopes]
    known = {c for p in election.projects for c in p.categories}
    for name in names:
        if names.count(name) > 1:
            raise EnvelopeError(f"the category {name!r} has two envelopes")
        if name not in known:
            raise EnvelopeError(f"no project is in the category {name!r}")


def count(
    election: Election, options: Options, rule: RuleFunction, leftover: RuleFunction, name: str
) -> Outcome:
    """`rule` within each category envelope, then `leftover` over the rest with what is left;
    the outcome is named `name`."""
    _check(election, options)
    plain = replace(options, envelopes=(), leftover_rule=None)
    categories = frozenset(name for name, _ in options.envelopes)
    funded: list[str] = []
    explanations: dict[str, Explanation] = {}
    spent = 0
    for category, amount in options.envelopes:
        members = [p for p in election.projects if home(p, categories) == category]
        outcome = rule(_restricted(election, members, amount), plain)
        funded += outcome.funded
        spent += outcome.spent
        explanations |= _marked(outcome, category, amount)
    rest = [p for p in election.projects if p.id not in set(funded)]
    left = election.budget - spent
    last = leftover(_restricted(election, rest, left), plain) if rest and left > 0 else None
    if last is not None:
        funded += last.funded
        explanations |= _marked(last, LEFTOVER, left)
    details: dict[str, Figure] = dict(last.details) if last is not None else {}
    details["envelopes"] = ", ".join(f"{c} {amount}" for c, amount in options.envelopes)
    details["leftover"] = left
    order = [p.id for p in election.projects]
    missing = [p for p in order if p not in explanations]  # nothing left for the last pass
    for project_id in missing:
        explanations[project_id] = Explanation(project_id, False, "no-leftover", {"pass": LEFTOVER})
    return Outcome(
        rule=name,
        budget=election.budget,
        funded=tuple(funded),
        spent=election.cost_of(tuple(funded)),
        explanations=tuple(explanations[p] for p in order),
        details=details,
    )


def _marked(outcome: Outcome, name: str, amount: int) -> dict[str, Explanation]:
    marks: dict[str, Figure] = {"pass": name, "envelope": amount}
    return {e.project_id: replace(e, figures={**e.figures, **marks}) for e in outcome.explanations}
