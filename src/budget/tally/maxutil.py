"""Max-utilitarian: the set of projects of greatest total score within the budget, exactly.

The 0/1 knapsack is solved exactly by dynamic programming over (cost, score) pairs: after each
project, the table keeps only the Pareto-optimal partial sets (no other is cheaper and scores at
least as much). That table never holds more entries than the classic tables over total score or
over gcd-reduced cost, whichever is smaller, since its costs and its scores are all distinct. On
top of it, entries that cannot beat the best set found so far, even with the fractional (Dantzig)
bound of the projects still to come, are dropped: an exact cut, never an approximation. Projects
are taken in decreasing score per cost so that the bound is tight.

Ties between optimal sets: scores are lifted to `score * 2**m + 2**(m - 1 - rank)` where rank is
the project's place in the tie-break priority order (`Options.ties`, by default more votes, then
lower cost, then the source order or the lottery). Every subset then has a distinct lifted total,
the score part dominates, and among sets of optimal score the lifted optimum is the one that
includes the highest-priority project when possible, then the next, and so on.

Source: PRODUCT.md, Tally (`max-utilitarian`); pabutools `max_additive_utilitarian_welfare`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from fractions import Fraction

from budget.tally.model import Election, Explanation, Figure, Outcome
from budget.tally.options import Options
from budget.tally.ties import default_ties

# A partial set: (total cost, total value, bit mask of the items in it).
_State = tuple[int, int, int]


class _Bound:
    """Dantzig's bound for the items from position j on (items sorted by value per cost)."""

    def __init__(self, costs: Sequence[int], values: Sequence[int]) -> None:
        self.costs, self.values = costs, values
        self.cost_sums, self.value_sums = [0], [0]
        for cost, value in zip(costs, values, strict=True):
            self.cost_sums.append(self.cost_sums[-1] + cost)
            self.value_sums.append(self.value_sums[-1] + value)

    def upper(self, j: int, capacity: int) -> int:
        """The best value items j.. could add within `capacity` if the last could be split."""
        k = bisect_right(self.cost_sums, self.cost_sums[j] + capacity, lo=j) - 1
        bound = self.value_sums[k] - self.value_sums[j]
        if k < len(self.costs):
            spare = capacity - (self.cost_sums[k] - self.cost_sums[j])
            bound += spare * self.values[k] // self.costs[k]  # floor: totals are integers
        return bound


def _merge(states: list[_State], shifted: list[_State]) -> list[_State]:
    """Both lists sorted by cost with strictly rising values -> their Pareto frontier."""
    merged: list[_State] = []
    i = j = 0
    while i < len(states) or j < len(shifted):
        if j == len(shifted) or (
            i < len(states) and (states[i][0], -states[i][1]) <= (shifted[j][0], -shifted[j][1])
        ):
            state, i = states[i], i + 1
        else:
            state, j = shifted[j], j + 1
        if not merged or state[1] > merged[-1][1]:
            merged.append(state)
    return merged


def _greedy_start(costs: Sequence[int], values: Sequence[int], capacity: int) -> _State:
    cost = value = mask = 0
    for index, (c, v) in enumerate(zip(costs, values, strict=True)):
        if cost + c <= capacity:
            cost, value, mask = cost + c, value + v, mask | 1 << index
    return cost, value, mask


def knapsack(costs: Sequence[int], values: Sequence[int], capacity: int) -> tuple[int, int]:
    """The greatest total value of items within `capacity`, and the bit mask (bit i = item i) of
    one set achieving it: the best set, exactly. Costs must be positive, values non-negative."""
    order = sorted(range(len(costs)), key=lambda i: Fraction(-values[i], costs[i]))
    c = [costs[i] for i in order]
    v = [values[i] for i in order]
    bound = _Bound(c, v)
    best = _greedy_start(c, v, capacity)
    states: list[_State] = [(0, 0, 0)]
    for j in range(len(c)):
        shifted = [
            (s[0] + c[j], s[1] + v[j], s[2] | 1 << j) for s in states if s[0] + c[j] <= capacity
        ]
        states = _merge(states, shifted)
        if states[-1][1] > best[1]:
            best = states[-1]
        # Keep only partial sets that could still beat the best complete one.
        states = [s for s in states if s[1] + bound.upper(j + 1, capacity - s[0]) > best[1]]
        if not states:
            break
    mask = sum(1 << order[j] for j in range(len(c)) if best[2] >> j & 1)
    return best[1], mask


def _excluded(election: Election) -> dict[str, tuple[str, dict[str, Figure]]]:
    codes: dict[str, tuple[str, dict[str, Figure]]] = {}
    for project in election.projects:
        blocked = election.ineligible(project)
        if blocked is not None:
            codes[project.id] = blocked
    return codes


def _why(
    election: Election, items: list[str], chosen: set[str], best: int, project_id: str
) -> tuple[str, dict[str, Figure]]:
    """Re-solve without the project (funded) or with it forced in (not funded)."""
    others = [p for p in items if p != project_id]
    costs = [election.project_by_id[p].cost for p in others]
    scores = [election.scores[p] for p in others]
    cost, score = election.project_by_id[project_id].cost, election.scores[project_id]
    if project_id in chosen:
        without, _ = knapsack(costs, scores, election.budget)
        code = "maxutil-funded-tie" if without == best else "maxutil-funded"
        return code, {"best_without": without, "chosen": best, "cost": cost, "score": score}
    rest, _ = knapsack(costs, scores, election.budget - cost)
    code = "maxutil-not-funded-tie" if rest + score == best else "maxutil-not-funded"
    return code, {"best_with": rest + score, "chosen": best, "cost": cost, "score": score}


def max_utilitarian(election: Election, options: Options) -> Outcome:
    """Max-utilitarian: fund the set S maximising the total score of S with cost(S) <= budget,
    exactly; among optimal sets, the one the tie-break priority order prefers lexicographically.
    Unsupported projects and projects costing more than the budget are never funded. Each
    explanation compares the chosen total with the best set without (or with) the project."""
    ties = options.ties or default_ties("greedy")
    keys = ties.keys(election)
    codes = _excluded(election)
    items = sorted((p.id for p in election.projects if p.id not in codes), key=keys.__getitem__)
    m = len(items)
    lifted = [election.scores[p] << m | 1 << (m - 1 - rank) for rank, p in enumerate(items)]
    costs = [election.project_by_id[p].cost for p in items]
    _, mask = knapsack(costs, lifted, election.budget)
    chosen = {p for i, p in enumerate(items) if mask >> i & 1}
    best = sum(election.scores[p] for p in chosen)
    for project_id in items:
        codes[project_id] = _why(election, items, chosen, best, project_id)
    scores = election.scores
    funded = tuple(sorted(chosen, key=lambda p: (-scores[p], keys[p])))
    return Outcome(
        rule="max-utilitarian",
        budget=election.budget,
        funded=funded,
        spent=election.cost_of(funded),
        explanations=tuple(
            Explanation(p.id, p.id in chosen, *codes[p.id]) for p in election.projects
        ),
        details={"ties": str(ties), "score": best},
    )
