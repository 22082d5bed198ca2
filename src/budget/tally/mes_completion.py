"""Completions of the Method of Equal Shares: add1 (raise every share by one step), the greedy
completion, and Wieliczka's comparison with the greedy outcome. Definitions in `mes`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from budget.tally import greedy
from budget.tally.mes_engine import Run, run
from budget.tally.mes_groups import Prepared
from budget.tally.model import Election, Explanation, Figure, Outcome
from budget.tally.options import Options
from budget.tally.ties import TieBreak


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


def ineligible(election: Election) -> dict[str, Explanation]:
    """Explanations of the projects no MES rule may fund: unsupported, or over the budget."""
    found: dict[str, Explanation] = {}
    for project in election.projects:
        if election.votes[project.id] == 0:
            found[project.id] = Explanation(
                project.id, False, "unsupported", {"cost": project.cost}
            )
        elif project.cost > election.budget:
            figures: dict[str, Figure] = {"cost": project.cost, "budget": election.budget}
            found[project.id] = Explanation(project.id, False, "over-budget", figures)
    return found


def add1(election: Election, prepared: Prepared, step: int, *, exhaustive: bool) -> Add1:
    """Shares e0 = step * floor(B / (n * step)), then + step while the outcome costs at most B
    (and, if `exhaustive`, until an outcome is exhaustive). Terminates: once a share covers every
    cost alone, all supported projects within B are bought, which then costs more than B (else
    they all fit and are funded without running MES)."""
    n = election.num_voters
    share = Fraction(step * (election.budget // (n * step))) if n else Fraction(0)
    fits = _all_fit(election, share)
    if fits is not None:
        return fits
    initial = share
    kept = run(prepared, share)
    steps = 0
    while not (exhaustive and is_exhaustive(election, kept)):
        following = run(prepared, share + step)
        if _cost(election, following) > election.budget:
            break
        kept, share, steps = following, share + step, steps + 1
    return Add1(kept, initial, kept.endowment, steps)


def greedy_completion(election: Election, base: Outcome, ties: TieBreak) -> Outcome:
    """Fund the remaining supported projects by score descending, then `ties`, if they fit."""
    funded = list(base.funded)
    remaining = base.remaining
    explanations = {e.project_id: e for e in base.explanations}
    for project_id in greedy.greedy_order(election, ties):
        mine = explanations[project_id]
        if mine.funded or mine.code in ("unsupported", "over-budget"):
            continue
        cost = election.project_by_id[project_id].cost
        figures: dict[str, Figure] = {
            "cost": cost,
            "score": election.scores[project_id],
            "remaining": remaining,
        }
        if cost <= remaining:
            funded.append(project_id)
            remaining -= cost
            explanations[project_id] = Explanation(project_id, True, "greedy-completion", figures)
        else:
            figures["money"] = mine.figures.get("money", Fraction(0))
            figures["supporters"] = election.votes[project_id]
            code = "mes-completion-did-not-fit"
            explanations[project_id] = Explanation(project_id, False, code, figures)
    details = dict(base.details)
    details["completion"] = f"{details['completion']}+greedy"
    return replace(
        base,
        funded=tuple(funded),
        spent=election.cost_of(tuple(funded)),
        explanations=tuple(explanations[p.id] for p in election.projects),
        details=details,
    )


def preference_counts(
    election: Election, first: tuple[str, ...], second: tuple[str, ...]
) -> tuple[int, int]:
    """Voters whose score utility is strictly larger under `first`, and under `second`."""
    a, b = set(first), set(second)
    prefer_first = prefer_second = 0
    for ballot in election.ballots:
        mine = theirs = 0
        for project_id, utility in election.utilities(ballot):
            mine += utility if project_id in a else 0
            theirs += utility if project_id in b else 0
        if mine > theirs:
            prefer_first += ballot.count
        elif theirs > mine:
            prefer_second += ballot.count
    return prefer_first, prefer_second


def compare_with_greedy(election: Election, options: Options, mes_outcome: Outcome) -> Outcome:
    """Keep the MES outcome unless strictly more voters prefer the greedy one."""
    greedy_outcome = greedy.greedy(election, options)
    prefer_mes, prefer_greedy = preference_counts(
        election, mes_outcome.funded, greedy_outcome.funded
    )
    chosen = greedy_outcome if prefer_greedy > prefer_mes else mes_outcome
    details = dict(mes_outcome.details)
    if chosen is greedy_outcome:
        details = dict(greedy_outcome.details) | {
            "share_initial": mes_outcome.details["share_initial"],
            "share_final": mes_outcome.details["share_final"],
        }
    details |= {
        "prefer_mes": prefer_mes,
        "prefer_greedy": prefer_greedy,
        "chosen": "greedy" if chosen is greedy_outcome else "mes",
    }
    return replace(chosen, rule="mes-add1-comparison", details=details)
