"""The static side of the Method of Equal Shares engine: projects by index and ballots as groups.

`Prepared` is built once per election (utilities, tie ranks, identical ballots merged) and reused
by every run; `Restricted` is the same data cut down to the projects a run can ever fund (those
its supporters can afford at the start), with the ballots that agree on them merged again. Runs
with the same starting set (most add1 iterations) share one `Restricted`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from budget.tally.model import Election
from budget.tally.options import Satisfaction

DEAD = -1  # class of the voters who spent everything, and "no group" in `Restricted.group_of`

Items = tuple[tuple[int, int], ...]  # (project index, utility) pairs, by project index


def mes_utilities(election: Election, satisfaction: Satisfaction) -> Mapping[str, int] | None:
    """Approval-like ballots: u(p) = cost(p) (satisfaction "cost") or 1 for every chosen p. None
    means "as the ballot says": points (cumulative, scoring) or positional points (ordinal)."""
    if not election.vote_type.is_approval_like:
        return None
    if satisfaction is Satisfaction.COST:
        return {p.id: p.cost for p in election.projects}
    return dict.fromkeys(election.project_by_id, 1)


def _ballot_items(election: Election, satisfaction: Satisfaction) -> dict[Items, int]:
    """Identical ballots merged: items over projects costing at most the budget -> voters."""
    fixed = mes_utilities(election, satisfaction)
    pair = {
        p.id: (j, fixed[p.id] if fixed is not None else 0)
        for j, p in enumerate(election.projects)
        if p.cost <= election.budget
    }
    merged: dict[Items, int] = {}
    for ballot in election.ballots:
        if fixed is not None:
            pairs = [pair[p] for p in ballot.projects if p in pair]
        else:
            pairs = [(pair[p][0], u) for p, u in election.utilities(ballot) if p in pair]
        if pairs:
            key = tuple(sorted(pairs))
            merged[key] = merged.get(key, 0) + ballot.count
    return merged


@dataclass(frozen=True)
class Prepared:
    """What every run shares. `ballots` are the distinct ballots over eligible projects (supported,
    cost <= budget) with their multiplicity; `votes[j]` counts the supporters of project j."""

    costs: tuple[int, ...]
    ranks: tuple[int, ...]
    ballots: tuple[tuple[int, Items], ...]
    votes: tuple[int, ...]
    _cache: dict[frozenset[int], Restricted] = field(default_factory=dict, compare=False)

    @classmethod
    def build(
        cls, election: Election, satisfaction: Satisfaction, ranks: Mapping[str, int]
    ) -> Prepared:
        merged = _ballot_items(election, satisfaction)
        votes = [0] * len(election.projects)
        for items, m in merged.items():
            for j, _ in items:
                votes[j] += m
        return cls(
            tuple(p.cost for p in election.projects),
            tuple(ranks[p.id] for p in election.projects),
            tuple((m, items) for items, m in merged.items()),
            tuple(votes),
        )

    def restrict(self, endowment: Fraction) -> Restricted:
        """The data for a run with this endowment: only projects affordable at the start."""
        start = frozenset(
            j for j, v in enumerate(self.votes) if v and endowment * v >= self.costs[j]
        )
        found = self._cache.get(start)
        if found is None:
            found = self._cache[start] = Restricted.build(self, start)
        return found


@dataclass(frozen=True)
class Restricted:
    """Ballot groups over the starting projects. A slot is one (project, utility) pair: each
    project has one slot per distinct utility its supporters give it (one for approval)."""

    prepared: Prepared
    projects: tuple[int, ...]
    group_of: tuple[int, ...]  # per prepared ballot: its group, or DEAD if it has no slot
    multiplicity: tuple[int, ...]
    group_slots: tuple[tuple[int, ...], ...]
    slot_u: tuple[int, ...]
    slot_weight: tuple[int, ...]  # voters in each slot
    slots_of: tuple[tuple[int, ...], ...]
    supporters: tuple[tuple[tuple[int, int], ...], ...]  # per project: (group, slot)
    weight: tuple[int, ...]  # per project: total utility of its supporters
    slot_project: tuple[int, ...]
    _neighbours: dict[int, frozenset[int]] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, prepared: Prepared, start: frozenset[int]) -> Restricted:
        size = len(prepared.costs)
        merged: dict[Items, int] = {}
        group_of = []
        for _, items in prepared.ballots:
            key = tuple([i for i in items if i[0] in start])
            group_of.append(merged.setdefault(key, len(merged)) if key else DEAD)
        multiplicity = [0] * len(merged)
        for g, (m, _) in zip(group_of, prepared.ballots, strict=True):
            if g != DEAD:
                multiplicity[g] += m
        slot_of = {i: s for s, i in enumerate(sorted({i for items in merged for i in items}))}
        slot_weight = [0] * len(slot_of)
        supporters: list[list[tuple[int, int]]] = [[] for _ in range(size)]
        group_slots = []
        for g, items in enumerate(merged):
            slots = tuple([slot_of[i] for i in items])
            group_slots.append(slots)
            m = multiplicity[g]
            for (j, _), s in zip(items, slots, strict=True):
                slot_weight[s] += m
                supporters[j].append((g, s))
        slot_u = [u for _, u in slot_of]
        slots_of: list[list[int]] = [[] for _ in range(size)]
        weight = [0] * size
        for (j, u), s in slot_of.items():
            slots_of[j].append(s)
            weight[j] += u * slot_weight[s]
        return cls(
            prepared,
            tuple(sorted(start)),
            tuple(group_of),
            tuple(multiplicity),
            tuple(group_slots),
            tuple(slot_u),
            tuple(slot_weight),
            tuple(tuple(s) for s in slots_of),
            tuple(tuple(s) for s in supporters),
            tuple(weight),
            tuple(p for p, _ in slot_of),
        )

    def neighbours(self, j: int) -> frozenset[int]:
        """The projects sharing a supporter with project j (computed once, on first use)."""
        found = self._neighbours.get(j)
        if found is None:
            slot_project, group_slots = self.slot_project, self.group_slots
            slots = set().union(*[group_slots[g] for g, _ in self.supporters[j]])
            found = self._neighbours[j] = frozenset(slot_project[s] for s in slots)
        return found
