"""Completions of the Method of Equal Shares after add1 (`mes_add1`): the greedy completion and
Wieliczka's comparison with the greedy outcome; and the projects no MES rule may fund.
Definitions in `mes`."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from budget.tally import greedy
from budget.tally.model import Election, Explanation, Figure, Outcome
from budget.tally.options import Options
from budget.tally.ties import TieBreak


def ineligible(election: Election) -> dict[str, Explanation]:
    """Explanations of the projects no MES rule may fund: unsupported, or over the budget."""
    found: dict[str, Explanation] = {}
    for project in election.projects:
        blocked = election.ineligible(project)
        if blocked is not None:
            found[project.id] = Explanation(project.id, False, *blocked)
    return found


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
