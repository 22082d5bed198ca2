"""The static side of the Method of Equal Shares engine: projects by index and ballots as groups.

`Prepared` is built once per election (utilities, tie ranks, identical ballots merged) and reused
by every run; `Restricted` is the same data cut down to the projects a run can ever fund (those
its supporters can afford at the start), with the ballots that agree on them merged again. The
add1 completion asks for the projects affordable at a somewhat larger share (`reach`), so that
one `Restricted` serves many of its runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

from budget.tally.model import Election, VoteType, ordinal_points
from budget.tally.options import Satisfaction

REPEAT = 8  # groups of up to this many voters are counted voter by voter (in C)
DEAD = -1  # class of the voters who spent everything, and "no group" in `Restricted.group_of`

Items = tuple[tuple[int, int], ...]  # (project index, utility) pairs, by project index


class Key(NamedTuple):
    """The MES engine's heap entry. Compared as a tuple (in C): `bound` = floor(rho * 2**64)
    first, so that keys compare as integers unless nearly tied (then by `rho`, exactly); floor
    is monotone, so the order is rho's, then the tie `rank`; `project` is the project index."""

    bound: int
    rho: Fraction
    rank: int
    project: int


def heap_key(rho: Fraction, rank: int, j: int) -> Key:
    """The heap entry for project j at this rho (built by tuple.__new__, in C: a NamedTuple's
    own constructor is a Python function, too slow for the engine's inner loop)."""
    return tuple.__new__(Key, ((rho.numerator << 64) // rho.denominator, rho, rank, j))


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
    index = {p.id: j for j, p in enumerate(election.projects) if p.cost <= election.budget}
    merged: dict[Items, int] = {}
    get = merged.get
    if fixed is not None:
        pair = {p: (j, fixed[p]) for p, j in index.items()}
        for ballot in election.ballots:
            pairs = [pair[p] for p in ballot.projects if p in index]
            if pairs:
                key = tuple(sorted(pairs))
                merged[key] = get(key, 0) + ballot.count
        return merged
    ordinal = election.vote_type is VoteType.ORDINAL
    k = election.ranking_length if ordinal else 0
    points = [ordinal_points(position, k) for position in range(k)]  # all positive
    for ballot in election.ballots:
        if ordinal:  # `utilities` of a ranking, position by position (zip stops at k)
            pairs = [
                (index[p], u) for p, u in zip(ballot.projects, points, strict=False) if p in index
            ]
        else:
            pairs = [(index[p], u) for p, u in election.utilities(ballot) if p in index]
        if pairs:
            key = tuple(sorted(pairs))
            merged[key] = get(key, 0) + ballot.count
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
        # The supporters of each project costing at most the budget (the others: none here).
        budget, supporters = election.budget, election.votes
        return cls(
            tuple(p.cost for p in election.projects),
            tuple(ranks[p.id] for p in election.projects),
            tuple((m, items) for items, m in merged.items()),
            tuple(supporters[p.id] if p.cost <= budget else 0 for p in election.projects),
        )

    def start(self, endowment: Fraction) -> frozenset[int]:
        """The projects whose supporters can afford them at the start: e * votes >= cost."""
        n, d, costs = endowment.numerator, endowment.denominator, self.costs
        return frozenset(j for j, v in enumerate(self.votes) if v and n * v >= costs[j] * d)

    def restrict(self, endowment: Fraction, reach: Fraction | None = None) -> Restricted:
        """The data for a run with this endowment: the projects affordable at the start, or more.

        A run may look at more projects than those (it finds them unaffordable and drops them),
        so a cached restriction whose projects include them serves; else one is built for the
        projects affordable at `reach` >= endowment, to serve the larger shares to come."""
        start = self.start(endowment)
        supersets = [r for key, r in self._cache.items() if start <= key]
        if supersets:
            return min(supersets, key=lambda r: len(r.projects))
        wider = self.start(reach) if reach is not None and reach > endowment else start
        found = self._cache[wider] = Restricted.build(self, wider)
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
    slot_groups: tuple[tuple[int, ...], ...]  # per slot: its groups
    # How a slot's voters are counted per budget class: `slot_voters` repeats each group of at
    # most REPEAT voters that many times (counted in C by collections.Counter), the larger groups
    # once, and `slot_extra` adds their other voters.
    slot_voters: tuple[tuple[int, ...], ...]
    slot_extra: tuple[tuple[tuple[int, int], ...], ...]  # (group, multiplicity - 1)
    slots_of: tuple[tuple[int, ...], ...]
    weight: tuple[int, ...]  # per project: total utility of its supporters
    slot_project: tuple[int, ...]
    _neighbours: dict[int, frozenset[int]] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, prepared: Prepared, start: frozenset[int]) -> Restricted:
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
        groups: list[list[int]] = [[] for _ in slot_of]
        voters: list[list[int]] = [[] for _ in slot_of]
        extra: list[list[tuple[int, int]]] = [[] for _ in slot_of]
        slot_weight = [0] * len(slot_of)
        group_slots = []
        for g, items in enumerate(merged):
            slots = tuple([slot_of[i] for i in items])
            group_slots.append(slots)
            m = multiplicity[g]
            repeated = [g] * m if m <= REPEAT else [g]
            for s in slots:
                groups[s].append(g)
                voters[s] += repeated
                slot_weight[s] += m
                if m > REPEAT:
                    extra[s].append((g, m - 1))
        slots_of: list[list[int]] = [[] for _ in prepared.costs]
        weight = [0] * len(prepared.costs)
        for (j, u), s in slot_of.items():
            slots_of[j].append(s)
            weight[j] += u * slot_weight[s]
        return cls(
            prepared,
            tuple(sorted(start)),
            tuple(group_of),
            tuple(multiplicity),
            tuple(group_slots),
            tuple(u for _, u in slot_of),
            tuple(tuple(g) for g in groups),
            tuple(tuple(v) for v in voters),
            tuple(tuple(e) for e in extra),
            tuple(tuple(s) for s in slots_of),
            tuple(weight),
            tuple(p for p, _ in slot_of),
        )

    @cached_property
    def first_keys(self) -> tuple[Key, ...]:
        """The engine's heap entries before any purchase: rho = cost / weight (nobody capped)."""
        costs, ranks, weight = self.prepared.costs, self.prepared.ranks, self.weight
        return tuple(heap_key(Fraction(costs[j], weight[j]), ranks[j], j) for j in self.projects)

    def neighbours(self, j: int) -> frozenset[int]:
        """The projects sharing a supporter with project j (computed once, on first use)."""
        found = self._neighbours.get(j)
        if found is None:
            group_slots = self.group_slots
            groups = [g for s in self.slots_of[j] for g in self.slot_groups[s]]
            slots = set().union(*[group_slots[g] for g in groups])
            found = self._neighbours[j] = frozenset(self.slot_project[s] for s in slots)
        return found
