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
  class. Each project keeps, per utility value ("slot"), how many of its supporters sit in each
  class, so computing its rho touches classes, not voters.
- Money is kept as integers over one common scale S (true amount = stored / S). When a purchase
  would create fractional payments, every stored amount is multiplied by the missing factor
  first, so budget comparisons are integer comparisons.
- rho is found by Newton's method on the concave piecewise-linear map
  rho -> sum min(b_i, rho u_i): from a lower bound, cap the supporters who cannot pay rho u_i and
  re-solve for the others; every step is again a lower bound, and it ends in a few steps.
- Lazy evaluation (as equalshares.net's reference code): budgets only shrink, so a project's rho
  never decreases. Projects wait in a heap keyed by (last rho, tie rank); a round re-evaluates
  them in that order and stops once the best exact key is below every remaining bound. Projects
  none of whose supporters paid since their last evaluation keep an exact rho. Ties on rho are
  decided by the integer tie rank, exactly.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from fractions import Fraction
from math import gcd

from budget.tally.mes_groups import DEAD, Prepared, Restricted

Key = tuple[Fraction, int, int]  # (rho in stored units, tie rank, project index)


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
    integers over `scale` (true amount = stored / scale)."""

    endowment: Fraction
    purchases: tuple[Purchase, ...]
    restricted: Restricted
    scale: int
    group_values: tuple[int, ...]

    @property
    def funded(self) -> tuple[int, ...]:
        return tuple(p.project for p in self.purchases)

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
    """One run's mutable state: class budgets (stored units), group classes, slot counts."""

    def __init__(self, restricted: Restricted, endowment: Fraction) -> None:
        self.r = restricted
        self.scale = endowment.denominator
        self.values: list[int] = [endowment.numerator]
        self.classes = [0 if endowment > 0 else DEAD] * len(restricted.multiplicity)
        self.counts: list[dict[int, int]] = [{0: m} for m in restricted.slot_weight]
        self.costs = [c * self.scale for c in restricted.prepared.costs]
        self.alive = [False] * len(self.costs)
        self.slot_alive = [False] * len(restricted.slot_u)
        self.dirty = [True] * len(self.costs)
        self.heap: list[Key] = []

    def start(self) -> None:
        r = self.r
        for j in r.projects:
            self.alive[j] = True
            for s in r.slots_of[j]:
                self.slot_alive[s] = True
            self.heap.append((Fraction(self.costs[j], r.weight[j]), r.prepared.ranks[j], j))
        heapq.heapify(self.heap)

    def rho(self, j: int, lower: Fraction) -> Fraction | None:
        """Least rho paying project j (Newton from `lower`), or None if it is unaffordable."""
        values, cost = self.values, self.costs[j]
        slots = [(self.r.slot_u[s], self.counts[s]) for s in self.r.slots_of[j]]
        if sum(values[c] * m for _, d in slots for c, m in d.items()) < cost:
            return None
        rho = lower
        while True:
            capped = free = 0
            for u, d in slots:
                # For integer b, b <= rho * u exactly when b <= floor(rho * u).
                limit = rho.numerator * u // rho.denominator
                uncapped = 0
                for c, m in d.items():
                    b = values[c]
                    if b <= limit:
                        capped += b * m
                    else:
                        uncapped += m
                free += u * uncapped
            if free == 0:
                return rho  # all capped at rho: the money equals the cost exactly
            step = Fraction(cost - capped, free)
            if step == rho:
                return rho
            rho = step

    def rescale(self, factor: int) -> None:
        """Multiply every stored amount by `factor` (the true amounts do not change)."""
        self.scale *= factor
        self.values = [v * factor for v in self.values]
        self.costs = [c * factor for c in self.costs]
        self.heap = [(rho * factor, rank, j) for rho, rank, j in self.heap]  # order kept

    def buy(self, j: int, rho: Fraction) -> Purchase:
        """Charge project j's supporters at rho and move them to their new budget classes."""
        slots = self.r.slots_of[j]
        factor = 1  # least common denominator of the payments rho * u
        for s in slots:
            denominator = (rho * self.r.slot_u[s]).denominator
            factor = factor * denominator // gcd(factor, denominator)
        if factor > 1:
            self.rescale(factor)
            rho *= factor
        moves: dict[int, dict[int, int]] = {}
        paid = top = 0
        values = self.values
        for s in slots:
            share = int(rho * self.r.slot_u[s])  # an integer after the rescale
            moves[s] = move = {}
            for c, m in self.counts[s].items():
                b = values[c]
                pay = min(b, share)
                paid += pay * m
                top = max(top, pay)
                if b == pay:
                    move[c] = DEAD
                else:
                    move[c] = len(values)
                    values.append(b - pay)
        self.alive[j] = False
        for s in slots:
            self.slot_alive[s] = False
        self.move(j, moves)
        for q in self.r.neighbours(j):
            self.dirty[q] = True
        return Purchase(j, rho / self.scale, Fraction(top, self.scale), Fraction(paid, self.scale))

    def move(self, j: int, moves: dict[int, dict[int, int]]) -> None:
        # The hot loop: each supporting group changes class, and so do its slots' counts.
        classes, counts, slot_alive = self.classes, self.counts, self.slot_alive
        multiplicity, group_slots = self.r.multiplicity, self.r.group_slots
        for g, s in self.r.supporters[j]:
            old = classes[g]
            if old == DEAD:
                continue
            new = moves[s][old]
            classes[g] = new
            m = multiplicity[g]
            for t in group_slots[g]:
                if slot_alive[t]:
                    d = counts[t]
                    left = d[old] - m
                    if left:
                        d[old] = left
                    else:
                        del d[old]
                    if new != DEAD:
                        d[new] = d.get(new, 0) + m

    def next_round(self) -> Key | None:
        """Pop candidates by lower bound until the best exact key beats every remaining bound;
        put the others back with their exact rho as new bound; drop unaffordable projects."""
        heap = self.heap
        best: Key | None = None
        others: list[Key] = []
        while heap and (best is None or heap[0] < best):
            key = heapq.heappop(heap)
            lower, rank, j = key
            if self.dirty[j]:
                self.dirty[j] = False
                rho = self.rho(j, lower)
                if rho is None:
                    self.alive[j] = False
                    for s in self.r.slots_of[j]:
                        self.slot_alive[s] = False
                    continue
                key = (rho, rank, j)
            if best is None or key < best:
                if best is not None:
                    others.append(best)
                best = key
            else:
                others.append(key)
        for key in others:
            heapq.heappush(heap, key)
        return best


def run(prepared: Prepared, endowment: Fraction) -> Run:
    """Method of Equal Shares with this per-voter endowment, without completion."""
    restricted = prepared.restrict(endowment)
    state = _State(restricted, endowment)
    state.start()
    purchases: list[Purchase] = []
    while True:
        best = state.next_round()
        if best is None:
            break
        purchases.append(state.buy(best[2], best[0]))
    values = tuple(state.values[c] if c != DEAD else 0 for c in state.classes)
    return Run(endowment, tuple(purchases), restricted, state.scale, values)
