"""Brute-force oracles: slow, obviously correct definitions to test the rules against.

Each enumerates subsets or walks voter by voter, so keep elections tiny (8 projects or fewer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from itertools import chain, combinations

from budget.tally.model import Election, Project
from budget.tally.ties import TieBreak


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
