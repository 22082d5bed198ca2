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
  first, so budget comparisons are integer comparisons. The multiplication is lazy: a class's
  budget is brought to the current scale when it is next read (`_State.normalize`).
- rho is found in one pass over the supporters' budget classes sorted by budget per utility
  (`_State.rho`), with integer comparisons only; with one utility, without sorting: the capped
  classes are set aside in a few passes over the classes, each made in C.
- Lazy evaluation (as equalshares.net's reference code): budgets only shrink, so a project's rho
  never decreases. Projects wait in a heap keyed by (last rho, tie rank); a round re-evaluates
  them in that order and stops once the best exact key is below every remaining bound. Projects
  none of whose supporters paid since their last evaluation keep an exact rho. Ties on rho are
  decided by the integer tie rank, exactly. Keys start with floor(rho * 2**64), an integer that
  orders as rho does wherever it differs (floor is monotone) and only then the Fraction, so the
  heap compares integers in C and Fractions only on a near tie.

On request (`runner_ups=True`) a run also records, for every round, the least key among the
projects it did not buy in that round (every affordable one, not only the bound it stopped at):
the add1 completion uses it to prove that a whole range of shares gives the same outcome.

Runs lend each other bounds (`Run.bounds`, `run(..., above=)`). Every run records, per round, the
bound it holds for each project left (a lower bound of its key then) and the projects it found
unaffordable. Along a fixed sequence of purchases, budgets are nondecreasing and keys
nonincreasing in the share (proof in `mes_add1`). So a run at a smaller share x, while it has
bought what the run above bought, may take the run above's bound for a project as its own (keys
at x are at least those above), and drop at once a project the run above found unaffordable (its
supporters hold less at x). The add1 walk runs steps downwards from a run above, and each run
then evaluates little more than the project it buys.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from itertools import compress, repeat
from math import gcd
from operator import attrgetter, mul, not_, sub

from budget.tally.mes_groups import DEAD, Key, Prepared, Restricted, heap_key

PROJECT = attrgetter("project")  # a heap entry's project index, read in C
Rank = tuple[Fraction, int]  # (rho in the election's units, tie rank): how a round compares
Counts = list[tuple[int, dict[int, int]]]  # per slot of a project: utility, {class: voters}


@dataclass(frozen=True)
class Purchase:
    """One round: the project index, rho, the largest payment of one supporter and the total
    paid (equal to the cost; kept so tests can check it), both stored over `scale`. Money in the
    election's units."""

    project: int
    rho: Fraction
    top: int
    total: int
    scale: int

    @property
    def max_payment(self) -> Fraction:
        return Fraction(self.top, self.scale)

    @property
    def paid(self) -> Fraction:
        return Fraction(self.total, self.scale)


@dataclass(frozen=True)
class Run:
    """A finished run: the purchases in order and every ballot group's final budget, stored as
    integers over `scale` (true amount = stored / scale). `runner_ups`, if recorded: per round,
    the least key of the projects still affordable besides the one bought (None: there were
    none), or a lower bound of it above the key of the run it was made `against`. `bounds`: per
    round (after its choice, and once more at the end), the bound held for each project left,
    None for those found unaffordable (module docstring)."""

    endowment: Fraction
    purchases: tuple[Purchase, ...]
    restricted: Restricted
    scale: int
    state: _State = field(compare=False, repr=False)  # the budgets, read only when asked for
    runner_ups: tuple[Rank | None, ...] | None = None
    bounds: tuple[dict[int, Key | None], ...] = ()  # per round: bounds left, None: unaffordable

    @cached_property
    def group_classes(self) -> tuple[int, ...]:
        """Per group: its budget class at the end."""
        return tuple(self.state.classes)

    @cached_property
    def class_values(self) -> dict[int, int]:
        """Per class held at the end: its budget (DEAD: 0). Most runs of the add1 walk are
        only compared, so this is worked out when first asked for."""
        return self.state.held()

    @property
    def group_values(self) -> tuple[int, ...]:
        """Every ballot group's final budget (stored units)."""
        return tuple(map(self.class_values.__getitem__, self.group_classes))

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
        group_values = self.group_values
        values = [group_values[g] if g != DEAD else full for g in self.restricted.group_of]
        money = [0] * len(self.restricted.prepared.costs)
        for (m, items), value in zip(self.restricted.prepared.ballots, values, strict=True):
            for j, _ in items:
                money[j] += m * value
        return [Fraction(v, self.scale) for v in money]


class _State:
    """One run's mutable state: class budgets (stored units), each group's class, the heap.

    Rescaling is lazy: class c's budget is stored at the scale of epoch `at[c]` (the epoch when it
    was last read; a rescale starts a new epoch), and brought to the current scale when it is read
    again, multiplied by `factors[at[c]]`; so a rescale costs nothing for the classes the run does
    not look at any more, and reading a class costs no division of large numbers."""

    def __init__(self, restricted: Restricted, endowment: Fraction) -> None:
        self.r = restricted
        self.scale = endowment.denominator
        self.values: list[int] = [endowment.numerator]
        self.epoch = 0  # rescales so far
        self.at: list[int] = [0]  # per class: the epoch its budget is stored at
        self.factors: list[int] = [1]  # per epoch: what its amounts are to be multiplied by
        self.classes = [0 if endowment > 0 else DEAD] * len(restricted.multiplicity)
        self.costs = restricted.prepared.costs
        self.dirty = [True] * len(self.costs)
        self.counted: dict[int, Counts] = {}  # per project: its counts at its last evaluation
        self.heap = list(restricted.first_keys)
        heapq.heapify(self.heap)
        self.gone: dict[int, Key | None] = {}  # the projects found unaffordable
        self.lent: dict[int, Key | None] = {}  # the bounds of the run above, this round

    def counts(self, j: int) -> Counts:
        """Project j's supporters per slot, counted by budget class (the spent ones left out);
        the budgets of these classes are brought to the current scale."""
        classes, r = self.classes, self.r
        found: Counts = []
        for s in r.slots_of[j]:
            # Counter counts in C; the large groups add their other voters.
            counts = Counter(map(classes.__getitem__, r.slot_voters[s]))
            for g, extra in r.slot_extra[s]:
                counts[classes[g]] += extra
            del counts[DEAD]  # the spent voters: a Counter ignores a missing key
            found.append((r.slot_u[s], counts))
        self.counted[j] = found
        self.normalize(found)
        return found

    def normalize(self, slots: Counts) -> None:
        """Bring the budgets of the classes counted in `slots` to the current scale."""
        values, at, epoch, factors = self.values, self.at, self.epoch, self.factors
        for _, counts in slots:
            for c in counts:
                k = at[c]
                if k != epoch:
                    values[c] *= factors[k]
                    at[c] = epoch

    def rho(self, j: int) -> Fraction | None:
        """Least rho paying project j (in the election's units), or None if unaffordable.

        F(rho) = sum_i min(b_i, rho u_i) is nondecreasing and linear between the ratios b_i / u_i.
        Sorted by ratio, with the k first supporters capped (they pay b_i) and the others paying
        rho u_i, F(r_k) = C_k + r_k W_k (C_k: money of the capped, W_k: utility of the others);
        the least solution lies in the first interval with F(r_k) >= cost, where
        rho = (cost - C_k) / W_k. No such interval: the money is short of the cost."""
        slots = self.counts(j)
        cost = self.costs[j] * self.scale
        if len(slots) == 1:  # one utility u: W_k = u * (voters left), no sorting needed
            u, counts = slots[0]
            budgets = list(map(self.values.__getitem__, counts))
            voters = list(counts.values())
            if sum(map(mul, budgets, voters)) < cost:
                return None  # the money is short
            capped, left = 0, sum(voters)
            while True:
                # The sorted walk caps classes by increasing budget while b * left < cost -
                # capped. A class passing that test still passes it once another passing one
                # (b', m') is capped: if b <= b', cost - capped - b' m' > b' (left - m') >=
                # b (left - m'); if b >= b', its left side drops by b m', the right by b' m' <=
                # b m'. So the walk caps them all, then goes on: cap them at once, in C, until
                # none passes.
                least = -((capped - cost) // left)  # b * left < cost - capped: b < least
                below = list(map(least.__gt__, budgets))
                if not any(below):
                    return Fraction(cost - capped, u * left * self.scale)
                capped += sum(map(mul, compress(budgets, below), compress(voters, below)))
                left -= sum(compress(voters, below))
                above = list(map(not_, below))
                budgets, voters = list(compress(budgets, above)), list(compress(voters, above))
        lcm = 1
        for u, _ in slots:
            lcm = lcm * u // gcd(lcm, u)
        items = sorted(
            (b * (lcm // u), b, u, m)  # b * lcm / u orders the ratios b / u exactly
            for u, counts in slots
            for b, m in zip(map(self.values.__getitem__, counts), counts.values(), strict=True)
        )
        weight = sum(u * m for _, _, u, m in items)
        capped = 0
        for _, b, u, m in items:
            if b * weight >= (cost - capped) * u:
                return Fraction(cost - capped, weight * self.scale)
            capped += b * m
            weight -= u * m
        return None

    def buy(self, j: int, found: Fraction) -> Purchase:
        """Charge project j's supporters at rho (`found`, in the election's units) and move them
        to their new budget classes. j's counts are those of its evaluation: it is not dirty, so
        none of its supporters paid since."""
        slots = self.counted[j]
        rho, over = found.numerator * self.scale, found.denominator  # stored rho: rho / over
        factor = 1  # least common denominator of the payments rho * u / over
        for u, _ in slots:
            denominator = over // gcd(rho * u, over)
            factor = factor * denominator // gcd(factor, denominator)
        if factor != 1:  # every stored amount is to be multiplied by `factor`, lazily
            self.scale *= factor
            self.epoch += 1
            self.factors = [f * factor for f in self.factors] + [1]
            rho *= factor
        self.normalize(slots)  # (other purchases may also have rescaled since j's evaluation)
        values, at, epoch = self.values, self.at, self.epoch
        moves: list[dict[int, int]] = []
        paid = top = 0
        for u, counts in slots:
            share = rho * u // over  # exact after the rescale
            budgets = list(map(values.__getitem__, counts))
            # Each class pays min(b, share): all it holds (then spent) or the share.
            paid += sum(map(mul, map(min, budgets, repeat(share)), counts.values()))
            top = max(top, min(share, max(budgets, default=0)))
            move = dict.fromkeys(counts, DEAD)
            move[DEAD] = DEAD
            keeps = list(map(share.__lt__, budgets))  # b > share: the class keeps b - share
            kept = list(compress(counts, keeps))
            first = len(values)  # the new classes' ids follow on
            move.update(zip(kept, range(first, first + len(kept)), strict=True))
            values.extend(map(sub, compress(budgets, keeps), repeat(share)))
            at.extend(repeat(epoch, len(kept)))
            moves.append(move)
        classes, groups = self.classes, self.r.slot_groups
        for s, move in zip(self.r.slots_of[j], moves, strict=True):
            # classes[g] = move[classes[g]] for each group of the slot, in C (each group once).
            moved = map(move.__getitem__, map(classes.__getitem__, groups[s]))
            deque(map(classes.__setitem__, groups[s], moved), maxlen=0)
        for q in self.r.neighbours(j):
            self.dirty[q] = True
        return Purchase(j, found, top, paid, self.scale)

    def held(self) -> dict[int, int]:
        """The budget of every class some group holds (current scale; DEAD: 0)."""
        values, at, factors = self.values, self.at, self.factors
        live = set(self.classes) - {DEAD}
        return {c: values[c] * factors[at[c]] for c in live} | {DEAD: 0}

    def evaluate(self, key: Key) -> Key | None:
        """The exact key of a heap entry (None: unaffordable, dropped for good)."""
        rank, j = key.rank, key.project
        if not self.dirty[j]:
            return key
        self.dirty[j] = False
        rho = self.rho(j)
        return None if rho is None else heap_key(rho, rank, j)

    def next_round(self) -> Key | None:
        """Pop candidates by lower bound until the best exact key beats every remaining bound;
        put the others back with their exact rho as new bound; drop unaffordable projects."""
        heap = self.heap
        best: Key | None = None
        others: list[Key] = []
        lent = self.lent
        while heap and (best is None or heap[0] < best):
            key = heapq.heappop(heap)
            j = key.project
            if self.dirty[j] and j in lent:  # the run above lends a bound for j
                above = lent[j]
                if above is None:  # unaffordable above, so here too
                    self.gone[j] = None
                    continue
                if above > key:  # (both end with j)
                    heapq.heappush(heap, above)
                    continue
            exact = self.evaluate(key)
            if exact is None:
                self.gone[j] = None
                continue
            key = exact
            if best is None or key < best:
                if best is not None:
                    others.append(best)
                best = key
            else:
                others.append(key)
        for key in others:
            heapq.heappush(heap, key)
        return best

    def runner_up(self, floor: Rank | None = None) -> Rank | None:
        """Make the top of the heap exact: then it is the least key of every project left. With
        `floor`, a bound above it is enough (a lower bound of that least key, above the floor)."""
        heap = self.heap
        while heap:
            top = heap[0]
            if floor is not None and (top.rho, top.rank) > floor:
                return top.rho, top.rank
            key = self.evaluate(top)
            if key == top:
                return key.rho, key.rank
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
    above: Run | None = None,
    against: Run | None = None,
) -> Run:
    """Method of Equal Shares with this per-voter endowment, without completion. `reach`: a
    larger endowment whose runs may share this run's restriction (`Prepared.restrict`). `above`:
    a run at a larger endowment, whose bounds this run uses while it buys what that one bought
    (module docstring). `against`: the run whose keys the runner-ups are to be compared with;
    a round's runner-up is then exact or a lower bound above that run's key of the round, which
    decides the comparison as well (`mes_add1.certified`)."""
    if above is not None and above.endowment <= endowment:
        raise ValueError("the run lending bounds must be at a larger share")
    restricted = prepared.restrict(endowment, reach)
    state = _State(restricted, endowment)
    purchases: list[Purchase] = []
    runners: list[Rank | None] = []
    bounds: list[dict[int, Key | None]] = []
    lending, bought = (above.bounds, above.funded) if above is not None else ((), ())
    floors = against.keys() if against is not None else []
    while True:
        k = len(purchases)
        if k and k <= len(bought) and purchases[-1].project != bought[k - 1]:
            lending = ()  # this run no longer follows the one above
        state.lent = lending[k] if k < len(lending) else {}
        best = state.next_round()
        heap = state.heap  # each project's bound this round, by project (in C)
        held: dict[int, Key | None] = dict(zip(map(PROJECT, heap), heap, strict=True))
        bounds.append(held | state.gone)
        if best is None:
            break
        if runner_ups:
            runners.append(state.runner_up(floors[k] if k < len(floors) else None))
        purchases.append(state.buy(best.project, best.rho))
    found = tuple(runners) if runner_ups else None
    state.counted, state.heap = {}, []  # what the finished run keeps: the budgets
    return Run(endowment, tuple(purchases), restricted, state.scale, state, found, tuple(bounds))
