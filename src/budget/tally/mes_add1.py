"""The add1 completion of the Method of Equal Shares, exact, without one MES run per step.

Definition (equalshares.net; `mes.equal_shares_add1`): per-voter shares e0 = s * floor(B / (n s)),
e0 + s, e0 + 2s, ...; keep the last outcome costing at most B, stopping before the first that
costs more (and, with `exhaustive`, at the first exhaustive one). Running MES at every step is
slow (hundreds of steps on city elections), so whole ranges of shares are settled by one run.

Why a range [L, R] of shares may be skipped. Fix a sequence of purchases S and follow it at any
share e. Then every budget after every round is nondecreasing in e, and every rho is
nonincreasing in e (of the project bought and of any other affordable project):

- At the start every budget is e. If after round k every budget b_i(e) is nondecreasing, the map
  F_e(rho) = sum_i min(b_i(e), rho u_i) is nondecreasing in e, so its least solution of
  F_e(rho) = cost is nonincreasing in e (for every project affordable at e, hence also at any
  larger e: the money sum_i b_i(e) is nondecreasing), and after buying at that rho each
  supporter keeps max(0, b_i(e) - rho u_i): again nondecreasing in e.

Let runs at L < R buy the same sequence S; in round k, let K_k(L) = (rho_k(L), rank) be the key of
the project p_k bought at L and Q_k(R) the least key among the other projects affordable at R in
that round (no key if none). If K_k(L) < Q_k(R) for every k, every share e in [L, R] buys S too.
By induction on k, suppose the run at e followed S up to round k - 1. Then p_k is affordable at e
(its money is at least its money at L) with key K_k(e) <= K_k(L) (rho nonincreasing). Any other
project q affordable at e in round k is affordable at R, so its key at e is at least its key at R,
which is at least Q_k(R) > K_k(L) >= K_k(e): p_k is bought. After the last round nothing is
affordable at R, hence nothing at e. So every share in [L, R] has the same funded set: the same
cost and the same exhaustiveness as at L, and no step inside can stop the completion.

The search: from the kept share e, probe a share R = e + w s with runner-ups recorded (`Run.
runner_ups`); if [e, R] is certified, jump to R and double w; else halve w toward the nearest
uncertified probe and, once w < 2, take one plain step (the probe is reused when reached). The
kept run is always a real run at its share, so outcomes, explanations and details are those of
the step-by-step definition. A probe with no run above it is preceded by an anchor ANCHOR times
as far, so that it and the probes after it borrow bounds (below). A probe's runner-ups need only
be exact where their bound is not already above the kept run's key of the round (`mes_engine.
run`'s `against`): a lower bound above K_k(L) proves K_k(L) < Q_k(R) just as well, and so for any
later kept run on the same purchases, whose keys are no larger.

Where outcomes change at nearly every step (Warsaw's district files: the order of purchases
changes at about every other step), probes cannot be certified and only add runs. So after
failed probes the walk takes `pause` plain steps before probing again (doubling up to BLOCK at
each failure, back to 0 at a jump), and it runs plain steps in blocks from the top down: each run
borrows the bounds of the nearest run above it (`mes_engine.run`'s `above`; valid by the
monotonicity above: along the same purchases, a key at a smaller share is at least the key at a
larger one, and a project unaffordable there is unaffordable here), so it evaluates little more
than the projects it buys. Blocks start at 2 steps and double, so a walk that stops early runs
few shares past its end.

One walk for both variants (`add1_both`). The search does not depend on `exhaustive`: that
option only stops it at the first exhaustive kept run. And the first exhaustive share of the
step-by-step walk is a kept run: a skipped share has the funded set, hence the exhaustiveness,
of the kept run below it, which was not exhaustive (else the walk had stopped there). So the
plain walk, noting its first exhaustive kept run, gives both results.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from budget.tally.mes_completion import ineligible
from budget.tally.mes_engine import Run, run
from budget.tally.mes_groups import Prepared
from budget.tally.model import Election, Explanation

REACH = 32  # steps a restriction to the affordable projects is built ahead for
ANCHOR = 4  # a probe with no run above it is preceded by one this many times as far
BLOCK = 16  # at most this many plain steps are run at once, downwards (`_Search.descend`)


@dataclass(frozen=True)
class Add1:
    """The kept run (None when every supported project fits, then `all_fit` is funded), the
    initial and final per-voter shares and the number of increments."""

    run: Run | None
    initial: Fraction
    final: Fraction
    steps: int
    all_fit: tuple[str, ...] = ()
    all_fit_explanations: dict[str, Explanation] = field(default_factory=dict)


def _cost(election: Election, result: Run) -> int:
    costs = [p.cost for p in election.projects]
    return sum(costs[j] for j in result.funded)


def is_exhaustive(election: Election, result: Run) -> bool:
    """No unfunded supported project fits in the money left (B - spent)."""
    left = election.budget - _cost(election, result)
    funded = set(result.funded)
    return not any(
        j not in funded and election.votes[p.id] > 0 and p.cost <= left
        for j, p in enumerate(election.projects)
    )


def _all_fit(election: Election, share: Fraction) -> Add1 | None:
    """Every supported project costing at most B fits with the others: fund them all."""
    supported = tuple(
        p.id for p in election.projects if election.votes[p.id] > 0 and p.cost <= election.budget
    )
    total = election.cost_of(supported)
    if total > election.budget:
        return None
    explanations = {
        p: Explanation(
            p,
            True,
            "mes-all-fit",
            {"cost": election.project_by_id[p].cost, "total": total, "budget": election.budget},
        )
        for p in supported
    }
    return Add1(None, share, share, 0, supported, explanations | ineligible(election))


def certified(left: Run, right: Run) -> bool:
    """Every share between the two runs' buys the same sequence (proof in the module
    docstring): same purchases, and each round's key at `left` below the runner-up at `right`."""
    if right.runner_ups is None or left.funded != right.funded:
        return False
    pairs = zip(left.keys(), right.runner_ups, strict=True)
    return all(runner is None or key < runner for key, runner in pairs)


@dataclass
class _Search:
    """The walk over shares: the kept run, probes above it, the probing width (in steps)."""

    election: Election
    prepared: Prepared
    step: int
    kept: Run
    probes: dict[Fraction, Run] = field(default_factory=dict)
    width: int = 2
    block: int = 2
    pause: int = 0  # plain steps to take before probing again, after probes failed
    since: int = 0  # plain steps taken since then
    failed: bool = False  # probes made since the last step or jump, none certified yet

    def run(self, share: Fraction, *, runner_ups: bool = False) -> Run:
        """One MES run, borrowing the bounds of the nearest run above it if any (`mes_engine.
        run`'s `above`); its restriction is built to serve the next REACH steps too. Runner-ups
        need only be known as far as the certificate from the kept run asks (`against`)."""
        reach = share + REACH * self.step
        higher = [e for e in self.probes if e > share]
        above = self.probes[min(higher)] if higher else None
        against = self.kept if runner_ups else None
        return run(
            self.prepared, share, runner_ups=runner_ups, reach=reach, above=above, against=against
        )

    def descend(self, low: Fraction) -> None:
        """Plain runs from `low` up to the block's end or below the nearest probe, made downwards
        so that each borrows the bounds of the run above it (`mes_engine.run`'s `above`). Blocks
        grow while the walk goes on, so a short walk runs few shares past its end."""
        top = low + (self.block - 1) * self.step
        higher = [e for e in self.probes if e > low]
        if higher:
            top = min(top, min(higher) - self.step)
        share = top
        while share >= low:
            self.probes[share] = self.run(share)
            share -= self.step
        self.block = min(2 * self.block, BLOCK)

    def jump(self) -> bool:
        """Move to the farthest probe certified from the kept run, if any."""
        share = self.kept.endowment
        for target in sorted(self.probes, reverse=True):
            if certified(self.kept, self.probes[target]):
                self.width = 2 * int((target - share) // self.step)
                self.pause, self.failed = 0, False
                self.kept = self.probes[target]
                self.probes = {e: r for e, r in self.probes.items() if e > target}
                return True
        return False

    def probe(self) -> bool:
        """Run a probe w steps above the kept share, closer than any probe already made; after
        failed probes, only once `pause` plain steps are taken (it doubles at each failure, up to
        a block, and ends at a jump): where the shares' outcomes change at nearly every step,
        probes would only double the runs."""
        share = self.kept.endowment
        if self.since < self.pause:
            return False
        if self.probes:
            self.width = min(self.width, int((min(self.probes) - share) // self.step) // 2)
        if self.width < 2:
            return False
        target = share + self.width * self.step
        if not self.probes:  # an anchor above, so that the probes below it borrow its bounds
            anchor = share + ANCHOR * self.width * self.step
            self.probes[anchor] = self.run(anchor, runner_ups=True)
        self.probes[target] = self.run(target, runner_ups=True)
        self.failed = True  # until a jump says otherwise
        return True

    def advance(self) -> bool:
        """One plain step; False when its outcome costs more than the budget (then stop)."""
        target = self.kept.endowment + self.step
        if target not in self.probes:
            self.descend(target)
        following = self.probes.pop(target)
        if _cost(self.election, following) > self.election.budget:
            return False
        if self.failed:
            self.pause, self.since, self.failed = min(2 * self.pause + 1, BLOCK), 0, False
        else:
            self.since += 1
        self.kept, self.width = following, 2
        return True


def _kept_runs(election: Election, prepared: Prepared, step: int, share: Fraction) -> Iterator[Run]:
    """The kept run at the initial share, then each run the walk keeps after it, in order of
    share; it ends before the first share whose outcome costs more than the budget. Every share
    skipped between two kept runs has the funded set of the lower one (module docstring), so the
    first exhaustive share of the step-by-step walk, if any, is one of these runs."""
    search = _Search(election, prepared, step, run(prepared, share))
    yield search.kept
    while search.jump() or search.probe() or search.advance():
        if search.kept.endowment > share:
            share = search.kept.endowment
            yield search.kept


def _start(election: Election, step: int) -> Fraction:
    n = election.num_voters
    return Fraction(step * (election.budget // (n * step))) if n else Fraction(0)


def _found(start: Fraction, kept: Run, step: int) -> Add1:
    return Add1(kept, start, kept.endowment, int((kept.endowment - start) // step))


def add1(election: Election, prepared: Prepared, step: int, *, exhaustive: bool) -> Add1:
    """Shares e0 = step * floor(B / (n * step)), then + step while the outcome costs at most B
    (and, if `exhaustive`, until an outcome is exhaustive). Terminates: once a share covers every
    cost alone, all supported projects within B are bought, which then costs more than B (else
    they all fit and are funded without running MES)."""
    start = _start(election, step)
    fits = _all_fit(election, start)
    if fits is not None:
        return fits
    walk = _kept_runs(election, prepared, step, start)
    kept = next(walk)
    while not (exhaustive and is_exhaustive(election, kept)):
        following = next(walk, None)
        if following is None:
            break
        kept = following
    return _found(start, kept, step)


def add1_both(election: Election, prepared: Prepared, step: int) -> tuple[Add1, Add1]:
    """`add1` without and with `exhaustive` from one walk: the exhaustive walk is the plain one
    stopped at its first exhaustive kept run (the same searches, in the same order)."""
    start = _start(election, step)
    fits = _all_fit(election, start)
    if fits is not None:
        return fits, fits
    walk = _kept_runs(election, prepared, step, start)
    kept = next(walk)
    first_exhaustive = kept if is_exhaustive(election, kept) else None
    for kept in walk:
        if first_exhaustive is None and is_exhaustive(election, kept):
            first_exhaustive = kept
    plain = _found(start, kept, step)
    return plain, plain if first_exhaustive is None else _found(start, first_exhaustive, step)
