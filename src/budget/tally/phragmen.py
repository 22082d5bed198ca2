"""Sequential Phragmen for participatory budgeting (approval and choose-1 ballots).

Every voter carries a load, 0 at first. Projects costing more than the budget are dropped. At each
step, project p would bring its supporters to the common load

    t(p) = (cost(p) + sum of its supporters' loads) / votes(p)        (an exact Fraction)

and the project with the least t is next (ties: the chain of `Options.ties`, by default more
votes, then lower cost, then the source order or the lottery). If it does not fit in the remaining
budget the count stops (as pabutools' `sequential_phragmen`); otherwise it is funded and each of
its supporters' loads becomes t. Projects nobody approves are never funded.

Voters with identical ballots always carry identical loads, so the count works per distinct ballot
with its multiplicity, and keeps each project's total supporter load up to date incrementally.

Source: M. Los, Z. Christoff, D. Grossi, "Proportional Budget Allocations: Towards a
Systematization", IJCAI 2022; PRODUCT.md, Tally.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from budget.tally.model import Election, Explanation, Figure, Outcome
from budget.tally.options import Options
from budget.tally.ties import KeyPart, TieBreak, default_ties


class PhragmenError(ValueError):
    """Sequential Phragmen was asked to count ballots that are not approval-like."""


@dataclass
class _Loads:
    """Loads per distinct ballot and, per project, the total load of its supporters."""

    groups: list[tuple[tuple[str, ...], int]]  # (approved projects, multiplicity)
    supporters: Mapping[str, list[int]]  # project -> indices into groups
    load: list[Fraction] = field(default_factory=list)
    total: dict[str, Fraction] = field(default_factory=dict)

    @classmethod
    def of(cls, election: Election) -> _Loads:
        counts: dict[tuple[str, ...], int] = defaultdict(int)
        for ballot in election.ballots:
            counts[tuple(sorted(set(ballot.projects)))] += ballot.count
        groups = sorted(counts.items())
        supporters: dict[str, list[int]] = {p.id: [] for p in election.projects}
        for index, (projects, _) in enumerate(groups):
            for project_id in projects:
                supporters[project_id].append(index)
        zero = Fraction(0)
        return cls(groups, supporters, [zero] * len(groups), dict.fromkeys(supporters, zero))

    def raise_to(self, project_id: str, new_load: Fraction) -> None:
        """Set the load of `project_id`'s supporters to `new_load`, updating every total."""
        # Loads take few distinct values, so count the voters moved from each old load per project
        # with integers and do one Fraction update per (old load, project).
        moved: dict[Fraction, Counter[str]] = defaultdict(Counter)
        for index in self.supporters[project_id]:
            projects, count = self.groups[index]
            counter = moved[self.load[index]]
            for other in projects:
                counter[other] += count
            self.load[index] = new_load
        for old, counter in moved.items():
            delta = new_load - old
            for other, voters in counter.items():
                self.total[other] += delta * voters


def _next_in_line(
    election: Election, loads: _Loads, candidates: set[str], keys: Mapping[str, tuple[KeyPart, ...]]
) -> tuple[str, Fraction, str | None]:
    """The project of least t (then the chain), its t, and a runner-up tied on t, if any."""
    ranked = sorted(
        (
            Fraction(election.project_by_id[p].cost + loads.total[p], election.votes[p]),
            keys[p],
            p,
        )
        for p in candidates
    )
    load, _, winner = ranked[0]
    tied = ranked[1][2] if len(ranked) > 1 and ranked[1][0] == load else None
    return winner, load, tied


def _tie(election: Election, ties: TieBreak, winner: str, tied: str | None) -> dict[str, Figure]:
    if tied is None:
        return {}
    criterion = ties.deciding_criterion(election, winner, tied)
    return {"tied_with": tied, "tie": "won-load", "tie_criterion": str(criterion)}


def _excluded_at_start(election: Election) -> dict[str, tuple[str, dict[str, Figure]]]:
    codes: dict[str, tuple[str, dict[str, Figure]]] = {}
    for project in election.projects:
        blocked = election.ineligible(project)
        if blocked is not None:
            codes[project.id] = blocked
    return codes


def sequential_phragmen(election: Election, options: Options) -> Outcome:
    """Sequential Phragmen: fund the project whose supporters' common load t(p) = (cost(p) + their
    loads) / votes(p) would be least, raise their loads to t(p), and repeat; stop when the next in
    line does not fit. Approval-like ballots only (each approval counts 1)."""
    if not election.vote_type.is_approval_like:
        raise PhragmenError(
            f"sequential Phragmen counts approval ballots, not {election.vote_type}"
        )
    ties = options.ties or default_ties("greedy")
    keys = ties.keys(election)
    loads = _Loads.of(election)
    codes = _excluded_at_start(election)
    candidates = {p.id for p in election.projects if p.id not in codes}
    funded: list[str] = []
    remaining = election.budget
    step = 0
    while candidates:
        step += 1
        winner, load, tied = _next_in_line(election, loads, candidates, keys)
        cost = election.project_by_id[winner].cost
        figures: dict[str, Figure] = {"step": step, "load": load, "cost": cost}
        figures |= _tie(election, ties, winner, tied)
        candidates.remove(winner)
        if cost > remaining:
            codes[winner] = ("phragmen-did-not-fit", figures | {"remaining": remaining})
            codes |= {p: ("phragmen-stopped", {"stopped_at": winner}) for p in candidates}
            break
        codes[winner] = ("phragmen-funded", figures)
        funded.append(winner)
        remaining -= cost
        loads.raise_to(winner, load)
    return Outcome(
        rule="phragmen",
        budget=election.budget,
        funded=tuple(funded),
        spent=election.budget - remaining,
        explanations=tuple(
            Explanation(p.id, p.id in funded, *codes[p.id]) for p in election.projects
        ),
        details={"ties": str(ties), "steps": step},
    )
