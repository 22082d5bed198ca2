"""Brute-force oracles: slow, obviously correct definitions to test the rules against.

Each enumerates subsets or walks voter by voter, so keep elections tiny (8 projects or fewer);
`reference_mes` and `reference_add1` follow MES and add1 round by round (mid-size elections
are fine: tests/tally/test_mes_differential.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from itertools import chain, combinations

from budget.tally.mes_groups import mes_utilities
from budget.tally.model import Election, Project
from budget.tally.options import Options
from budget.tally.ties import TieBreak, default_ties


def subsets(projects: Sequence[Project]) -> Iterator[tuple[Project, ...]]:
    return chain.from_iterable(combinations(projects, k) for k in range(len(projects) + 1))


def feasible_sets(election: Election) -> Iterator[frozenset[str]]:
    """Every set of supported projects whose total cost fits in the budget."""
    supported = [p for p in election.projects if election.votes[p.id] > 0]
    for subset in subsets(supported):
        if sum(p.cost for p in subset) <= election.budget:
            yield frozenset(p.id for p in subset)


def total_score(election: Election, funded: Iterable[str]) -> int:
    return sum(election.scores[p] for p in funded)


def best_total_score(election: Election) -> int:
    """The greatest total score of any set within the budget, by enumeration."""
    return max(total_score(election, s) for s in feasible_sets(election))


def max_utilitarian_set(election: Election, ties: TieBreak) -> frozenset[str]:
    """Among the sets of best total score, the one that includes the highest-priority project
    when possible, then the next (priority = the tie-break chain's order)."""
    keys = ties.keys(election)
    priority = sorted(keys, key=keys.__getitem__)
    best = best_total_score(election)
    optimal = [s for s in feasible_sets(election) if total_score(election, s) == best]
    return max(optimal, key=lambda s: tuple(p in s for p in priority))


def phragmen_reference(election: Election, ties: TieBreak) -> tuple[str, ...]:
    """Sequential Phragmen as written in PRODUCT.md, one load per voter (ballots expanded)."""
    voters = [set(b.projects) for b in election.ballots for _ in range(b.count)]
    loads = [Fraction(0)] * len(voters)
    keys = ties.keys(election)
    remaining = election.budget
    candidates = [
        p for p in election.projects if election.votes[p.id] > 0 and p.cost <= election.budget
    ]
    funded: list[str] = []
    while candidates:

        def t(p: Project) -> Fraction:
            supporters = [i for i, v in enumerate(voters) if p.id in v]
            return Fraction(p.cost + sum(loads[i] for i in supporters), len(supporters))

        best = min(candidates, key=lambda p: (t(p), keys[p.id]))
        if best.cost > remaining:
            break
        load = t(best)
        for i, voter in enumerate(voters):
            if best.id in voter:
                loads[i] = load
        funded.append(best.id)
        remaining -= best.cost
        candidates.remove(best)
    return tuple(funded)


def is_ejr_up_to_one(election: Election, funded: Iterable[str]) -> bool:
    """EJR up to one project for approval ballots with cost utilities (u_i(S) = cost of the
    approved projects in S; Peters, Pierczynski, Skowron 2021, Definition "EJR-x up to one").

    A group S of voters is T-cohesive when all approve every project of T and
    |S| * budget >= n * cost(T). The outcome W satisfies EJR up to one when every such group has a
    voter i with u_i(W) >= cost(T), or u_i(W) + cost(a) > cost(T) for some a in T but not in W.
    A violating group exists iff the unsatisfied voters approving all of T are numerous enough.
    """
    chosen = set(funded)
    cost = {p.id: p.cost for p in election.projects}
    n = election.num_voters
    for subset in subsets(election.projects):
        if not subset:
            continue
        target = {p.id for p in subset}
        cost_t = sum(p.cost for p in subset)
        missing = [cost[a] for a in target - chosen]
        unsatisfied = 0
        for ballot in election.ballots:
            approved = set(ballot.projects)
            if not target <= approved:
                continue
            utility = sum(cost[p] for p in chosen & approved)
            satisfied = utility >= cost_t or any(utility + c > cost_t for c in missing)
            if not satisfied:
                unsatisfied += ballot.count
        if unsatisfied and unsatisfied * election.budget >= n * cost_t:
            return False
    return True


# A naive MES straight from the definition: one budget per ballot, every project re-evaluated
# every round by sorting its supporters by budget / utility. Slow, obviously right.


def reference_mes(election: Election, options: Options, share: Fraction) -> list[str]:
    ties = options.ties or default_ties("mes")
    keys = ties.keys(election)
    fixed = mes_utilities(election, options.satisfaction)
    utility = [
        {p: (fixed[p] if fixed else u) for p, u in election.utilities(b)} for b in election.ballots
    ]
    budget = [share] * len(election.ballots)
    eligible = {p.id for p in election.projects if p.cost <= election.budget}
    funded: list[str] = []
    while True:
        candidates = []
        for p in eligible - set(funded):
            cost = election.project_by_id[p].cost
            voters = sorted(
                (i for i, u in enumerate(utility) if p in u),
                key=lambda i: budget[i] / utility[i][p],
            )
            if sum(budget[i] * election.ballots[i].count for i in voters) < cost or not voters:
                continue
            left, weight = (
                Fraction(cost),
                sum(utility[i][p] * election.ballots[i].count for i in voters),
            )
            for i in voters:
                rho = left / weight
                if rho * utility[i][p] <= budget[i]:
                    break
                left -= budget[i] * election.ballots[i].count
                weight -= utility[i][p] * election.ballots[i].count
            candidates.append((rho, keys[p], p))
        if not candidates:
            return funded
        rho, _, chosen = min(candidates)
        funded.append(chosen)
        for i, u in enumerate(utility):
            if chosen in u:
                budget[i] -= min(budget[i], rho * u[chosen])


def reference_add1(
    election: Election, options: Options, exhaustive: bool
) -> tuple[list[str], Fraction | None]:
    """The add1 definition step by step: the funded projects and the final share (None when every
    supported project fits and is funded without MES)."""
    n, step = election.num_voters, options.step
    supported = [
        p.id for p in election.projects if election.votes[p.id] and p.cost <= election.budget
    ]
    if election.cost_of(tuple(supported)) <= election.budget:
        return supported, None
    share = Fraction(step * (election.budget // (n * step)))
    kept = reference_mes(election, options, share)
    while True:
        left = election.budget - election.cost_of(tuple(kept))
        fits = [p for p in supported if p not in kept and election.project_by_id[p].cost <= left]
        if exhaustive and not fits:
            return kept, share
        following = reference_mes(election, options, share + step)
        if election.cost_of(tuple(following)) > election.budget:
            return kept, share
        kept, share = following, share + step
