"""The exact engine behind the Method of Equal Shares: one run for one per-voter endowment.

Definition (PRODUCT.md, Tally; equalshares.net): every voter holds the endowment e. Repeatedly,
for each unfunded project p whose supporters' remaining money covers cost(p), find the least rho
with sum_{i supports p} min(b_i, rho * u_i(p)) = cost(p); fund the p of least rho (ties by the
tie-break chain), each supporter paying min(b_i, rho * u_i(p)); stop when none is affordable.

Why it is fast while exact (int and Fraction only):

- Voters with identical ballots always hold identical budgets, so the engine works per distinct
  ballot ("group") with a multiplicity. Projects that the supporters cannot afford at the start of
  a run never become affordable (budgets only shrink), so a run only looks at the others and
  merges the ballots that agree on them (`mes_groups.Restricted`, cached across add1 runs).
- Voters are pooled into budget classes: groups that paid the same sequence of prices share a
  class. A purchase only moves each supporting group to its new class; evaluating a project
  counts its supporters per (utility, class) first, so solving for rho touches classes, not
  voters.
- Money is kept as integers over one common scale S (true amount = stored / S). When a purchase
  would create fractional payments, every stored amount is multiplied by the missing factor
  first, so budget comparisons are integer comparisons.
- rho is found in one pass over the supporters' budget classes sorted by budget per utility
  (`_State.rho`), with integer comparisons only; the pass usually stops after the few classes
  that cannot pay their full part.
- Lazy evaluation (as equalshares.net's reference code): budgets only shrink, so a project's rho
  never decreases. Projects wait in a heap keyed by (last rho, tie rank); a round re-evaluates
  them in that order and stops once the best exact key is below every remaining bound. Projects
  none of whose supporters paid since their last evaluation keep an exact rho. Ties on rho are
  decided by the integer tie rank, exactly.

On request (`runner_ups=True`) a run also records, for every round, the least key among the
projects it did not buy in that round (every affordable one, not only the bound it stopped at):
the add1 completion uses it to prove that a whole range of shares gives the same outcome.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from math import gcd

from budget.tally.mes_groups import DEAD, Prepared, Restricted

Key = tuple[Fraction, int, int]  # (rho in the election's units, tie rank, project index)
Rank = tuple[Fraction, int]  # (rho in the election's units, tie rank): how a round compares
Counts = list[tuple[int, dict[int, int]]]  # per slot of a project: utility, {class: voters}


@dataclass(frozen=True)
class Purchase:
    """One round: the project index, rho, the largest payment of one supporter, the total paid
    (equal to the cost; kept so tests can check it). Money in the election's units."""

    project: int
    rho: Fraction
    max_payment: Fraction
    paid: Fraction


@dataclass(frozen=True)
class Run:
    """A finished run: the purchases in order and every ballot group's final budget, stored as
    integers over `scale` (true amount = stored / scale). `runner_ups`, if recorded: per round,
    the least key of the projects still affordable besides the one bought (None: there were
    none)."""

    endowment: Fraction
    purchases: tuple[Purchase, ...]
    restricted: Restricted
    scale: int
    group_values: tuple[int, ...]
    runner_ups: tuple[Rank | None, ...] | None = None

    @property
    def funded(self) -> tuple[int, ...]:
        return tuple(p.project for p in self.purchases)

    def keys(self) -> list[Rank]:
        """Per round, the key of the project bought."""
        ranks = self.restricted.prepared.ranks
        return [(p.rho, ranks[p.project]) for p in self.purchases]

    def money_left(self) -> list[Fraction]:
        """For each project index, the money its supporters still hold at the end."""
        full = int(self.endowment * self.scale)
        values = [self.group_values[g] if g != DEAD else full for g in self.restricted.group_of]
        money = [0] * len(self.restricted.prepared.costs)
        for (m, items), value in zip(self.restricted.prepared.ballots, values, strict=True):
            for j, _ in items:
                money[j] += m * value
        return [Fraction(v, self.scale) for v in money]


class _State:
    """One run's mutable state: class budgets (stored units), each group's class, the heap."""

    def __init__(self, restricted: Restricted, endowment: Fraction) -> None:
        self.r = restricted
        self.scale = endowment.denominator
        self.values: list[int] = [endowment.numerator]
        self.classes = [0 if endowment > 0 else DEAD] * len(restricted.multiplicity)
        self.costs = [c * self.scale for c in restricted.prepared.costs]
        self.dirty = [True] * len(self.costs)
        ranks, weight = restricted.prepared.ranks, restricted.weight
        costs = restricted.prepared.costs
        self.heap = [(Fraction(costs[j], weight[j]), ranks[j], j) for j in restricted.projects]
        heapq.heapify(self.heap)

    def counts(self, j: int) -> Counts:
        """Project j's supporters per slot, counted by budget class (the spent ones left out)."""
        classes, r = self.classes, self.r
        found: Counts = []
        for s in r.slots_of[j]:
            # Counter counts in C; the large groups add their other voters.
            counts = Counter(map(classes.__getitem__, r.slot_voters[s]))
            for g, extra in r.slot_extra[s]:
                counts[classes[g]] += extra
            del counts[DEAD]  # the spent voters: a Counter ignores a missing key
            found.append((r.slot_u[s], counts))
        return found

    def rho(self, j: int) -> Fraction | None:
        """Least rho paying project j (in the election's units), or None if unaffordable.

        F(rho) = sum_i min(b_i, rho u_i) is nondecreasing and linear between the ratios b_i / u_i.
        Sorted by ratio, with the k first supporters capped (they pay b_i) and the others paying
        rho u_i, F(r_k) = C_k + r_k W_k (C_k: money of the capped, W_k: utility of the others);
        the least solution lies in the first interval with F(r_k) >= cost, where
        rho = (cost - C_k) / W_k. No such interval: the money is short of the cost."""
        values, cost = self.values, self.costs[j]
        slots = self.counts(j)
        if len(slots) == 1:  # one utility u: sort by budget, W_k = u * (voters left)
            u, counts = slots[0]
            left = sum(counts.values())
            capped = 0
            for b, m in sorted(zip(map(values.__getitem__, counts), counts.values(), strict=True)):
                if b * left >= cost - capped:  # F(b / u) >= cost, in integers
                    return Fraction(cost - capped, u * left * self.scale)
                capped += b * m
                left -= m
            return None
        lcm = 1
        for u, _ in slots:
            lcm = lcm * u // gcd(lcm, u)
        items = sorted(
            (b * (lcm // u), b, u, m)  # b * lcm / u orders the ratios b / u exactly
            for u, counts in slots
            for b, m in zip(map(values.__getitem__, counts), counts.values(), strict=True)
        )
        weight = sum(u * m for _, _, u, m in items)
        capped = 0
        for _, b, u, m in items:
            if b * weight >= (cost - capped) * u:
                return Fraction(cost - capped, weight * self.scale)
            capped += b * m
            weight -= u * m
        return None

    def rescale(self, factor: int) -> None:
        """Multiply every stored amount by `factor` (the true amounts do not change)."""
        self.scale *= factor
        self.values = [v * factor for v in self.values]
        self.costs = [c * factor for c in self.costs]

    def compact(self) -> None:
        """Drop the classes no group holds any more, so that rescaling stays cheap."""
        live = sorted(set(self.classes) - {DEAD})
        renumber = {c: i for i, c in enumerate(live)}
        renumber[DEAD] = DEAD
        self.values = [self.values[c] for c in live]
        self.classes = [renumber[c] for c in self.classes]

    def buy(self, j: int, found: Fraction) -> Purchase:
        """Charge project j's supporters at rho (`found`, in the election's units) and move them
        to their new budget classes."""
        slots = self.counts(j)
        rho = found * self.scale
        factor = 1  # least common denominator of the payments rho * u
        for u, _ in slots:
            denominator = (rho * u).denominator
            factor = factor * denominator // gcd(factor, denominator)
        if factor > 1:
            self.rescale(factor)
            rho *= factor
        moves: list[dict[int, int]] = []
        paid = top = 0
        values = self.values
        for u, counts in slots:
            share = int(rho * u)  # an integer after the rescale
            move = {DEAD: DEAD}
            for c, m in counts.items():
                b = values[c]
                pay = min(b, share)
                paid += pay * m
                top = max(top, pay)
                move[c] = DEAD if b == pay else len(values)
                if b != pay:
                    values.append(b - pay)
            moves.append(move)
        classes, groups = self.classes, self.r.slot_groups
        for s, move in zip(self.r.slots_of[j], moves, strict=True):
            for g in groups[s]:
                classes[g] = move[classes[g]]
        for q in self.r.neighbours(j):
            self.dirty[q] = True
        if len(values) > 2 * len(classes):
            self.compact()
        return Purchase(j, found, Fraction(top, self.scale), Fraction(paid, self.scale))

    def evaluate(self, key: Key) -> Key | None:
        """The exact key of a heap entry (None: unaffordable, dropped for good)."""
        _, rank, j = key
        if not self.dirty[j]:
            return key
        self.dirty[j] = False
        rho = self.rho(j)
        return None if rho is None else (rho, rank, j)

    def next_round(self) -> Key | None:
        """Pop candidates by lower bound until the best exact key beats every remaining bound;
        put the others back with their exact rho as new bound; drop unaffordable projects."""
        heap = self.heap
        best: Key | None = None
        others: list[Key] = []
        while heap and (best is None or heap[0] < best):
            key = self.evaluate(heapq.heappop(heap))
            if key is None:
                continue
            if best is None or key < best:
                if best is not None:
                    others.append(best)
                best = key
            else:
                others.append(key)
        for key in others:
            heapq.heappush(heap, key)
        return best

    def runner_up(self) -> Rank | None:
        """Make the top of the heap exact: then it is the least key of every project left."""
        heap = self.heap
        while heap:
            key = self.evaluate(heap[0])
            if key == heap[0]:
                return key[0], key[1]
            if key is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, key)
        return None


def run(
    prepared: Prepared,
    endowment: Fraction,
    *,
    runner_ups: bool = False,
    reach: Fraction | None = None,
) -> Run:
    """Method of Equal Shares with this per-voter endowment, without completion. `reach`: a
    larger endowment whose runs may share this run's restriction (`Prepared.restrict`)."""
    restricted = prepared.restrict(endowment, reach)
    state = _State(restricted, endowment)
    purchases: list[Purchase] = []
    runners: list[Rank | None] = []
    while True:
        best = state.next_round()
        if best is None:
            break
        if runner_ups:
            runners.append(state.runner_up())
        purchases.append(state.buy(best[2], best[0]))
    values = tuple(state.values[c] if c != DEAD else 0 for c in state.classes)
    found = tuple(runners) if runner_ups else None
    return Run(endowment, tuple(purchases), restricted, state.scale, values, found)
