"""Method of Equal Shares (MES) and its completions, exact (int and Fraction only).

MES: each of the n voters holds an endowment e (B/n without completion). Repeatedly, for every
unfunded project p whose supporters' remaining money covers cost(p), find the least rho with
sum_{i supports p} min(b_i, rho * u_i(p)) = cost(p); fund the p of least rho (ties: the tie-break
chain, `Options.ties`, by default lower cost, then more votes, then the source order or the
lottery), each supporter paying min(b_i, rho * u_i(p)); stop when none is affordable.
Utilities: approval and choose-1 use `Options.satisfaction` (cost: u = cost(p), the default, as
equalshares.net; cardinality: u = 1); cumulative and scoring ballots their points; ordinal ballots
positional points (`Election.utilities`). A project no ballot supports, or costing more than the
budget, is never funded. The engine is in `mes_engine` (how it stays fast).

Sources: Peters & Skowron, "Proportionality and the Limits of Welfarism", EC 2020; Peters,
Pierczynski & Skowron, "Proportional Participatory Budgeting with Additive Utilities", NeurIPS
2021; equalshares.net (completion by budget increase, the `exhaustive` option, Wieliczka's
comparison step); PRODUCT.md, Tally.

Explanation codes (figures in brackets; money exact, in the election's units):

- `mes-funded` [round, rho, max_payment, supporters, cost, share]: bought in MES round `round`;
  each supporter paid min(budget, rho * utility), at most `max_payment`; `share` is the per-voter
  endowment of the deciding run.
- `mes-unaffordable` [cost, money, shortfall, supporters, more_supporters, share, left]: when MES
  stopped, its `supporters` held `money` < `cost`; `more_supporters` = ceil(shortfall / share)
  more voters, each bringing a full unspent share, would have covered the shortfall (their own
  money alone; it does not redo the count); `left` is the budget the run left unspent.
- Both carry [share_initial, voters, share_total] when an add1 completion raised the share above
  B/n (`share_total` = voters * share, more than the budget: shares are raised only while what
  they buy fits the budget).
- `mes-no-share` [cost, supporters]: the per-voter share was 0, so nothing was affordable.
- `mes-all-fit` [cost, total, budget]: every supported project fits in the budget together
  (`total`), so all are funded (the limit the add1 completion would reach).
- `greedy-completion` [cost, score, remaining]: funded after MES by the utilitarian greedy
  completion: `remaining` budget was left when its turn came.
- `mes-completion-did-not-fit` [cost, score, remaining, money, supporters]: MES could not afford
  it and at its turn in the greedy completion only `remaining` was left.
- `unsupported` [cost]: no ballot supports it. `over-budget` [cost, budget]: costs more than the
  whole budget.

The four add1 rules share one walk over the shares when asked together
(`equal_shares_add1_variants`, as `budget compare` and the corpus benchmark may): the same
outcomes as their own functions, at the cost of one.

`Outcome.details`: `share_initial`, `share_final` (Fractions), `rounds` (MES purchases of the
deciding run), `steps` (add1 increments), `completion`, `satisfaction`, `ties`; the comparison
rule adds `prefer_mes`, `prefer_greedy` and `chosen`.
"""

from __future__ import annotations

from fractions import Fraction

from budget.tally.mes_add1 import Add1, add1, add1_both
from budget.tally.mes_completion import compare_with_greedy, greedy_completion, ineligible
from budget.tally.mes_engine import Run, run
from budget.tally.mes_groups import Prepared
from budget.tally.model import Election, Explanation, Figure, Outcome
from budget.tally.options import Options
from budget.tally.ties import TieBreak, default_ties


def _prepare(election: Election, options: Options) -> tuple[TieBreak, Prepared]:
    ties = options.ties or default_ties("mes")
    keys = ties.keys(election)
    order = sorted(keys, key=keys.__getitem__)
    ranks = {project_id: rank for rank, project_id in enumerate(order)}
    return ties, Prepared.build(election, options.satisfaction, ranks)


def _raised(election: Election, share: Fraction) -> dict[str, Figure]:
    """When add1 raised the share above B/n: the figures that say so (`share_initial` = B/n,
    `voters`, `share_total` = n * share, more than the budget); empty otherwise."""
    n = election.num_voters
    initial = Fraction(election.budget, n) if n else Fraction(0)
    if share <= initial:
        return {}
    return {"share_initial": initial, "voters": n, "share_total": share * n}


def _unfunded(
    election: Election, project_id: str, money: Fraction, share: Fraction, left: int
) -> Explanation:
    cost = election.project_by_id[project_id].cost
    supporters = election.votes[project_id]
    if share == 0:
        return Explanation(
            project_id, False, "mes-no-share", {"cost": cost, "supporters": supporters}
        )
    shortfall = cost - money
    figures: dict[str, Figure] = {
        "cost": cost,
        "money": money,
        "shortfall": shortfall,
        "supporters": supporters,
        "more_supporters": -(-shortfall // share),  # ceiling, exact
        "share": share,
        "left": left,  # the budget the run left unspent
    }
    return Explanation(project_id, False, "mes-unaffordable", figures | _raised(election, share))


def explain_run(election: Election, result: Run) -> dict[str, Explanation]:
    """One explanation per project for a finished MES run (ineligible projects included)."""
    money = result.money_left()
    by_project = {p.project: (n, p) for n, p in enumerate(result.purchases, start=1)}
    left = election.budget - sum(election.projects[j].cost for j in by_project)
    raised = _raised(election, result.endowment)
    explanations: dict[str, Explanation] = {}
    for j, project in enumerate(election.projects):
        if j in by_project:
            number, purchase = by_project[j]
            figures: dict[str, Figure] = {
                "round": number,
                "rho": purchase.rho,
                "max_payment": purchase.max_payment,
                "supporters": election.votes[project.id],
                "cost": project.cost,
                "share": result.endowment,
            }
            explanations[project.id] = Explanation(project.id, True, "mes-funded", figures | raised)
        else:
            explanations[project.id] = _unfunded(
                election, project.id, money[j], result.endowment, left
            )
    return explanations | ineligible(election)


def outcome(
    election: Election,
    rule: str,
    funded: tuple[str, ...],
    explanations: dict[str, Explanation],
    details: dict[str, Figure],
) -> Outcome:
    """Assemble an Outcome; explanations in the election's order."""
    return Outcome(
        rule=rule,
        budget=election.budget,
        funded=funded,
        spent=election.cost_of(funded),
        explanations=tuple(explanations[p.id] for p in election.projects),
        details=details,
    )


def _ids(election: Election, result: Run) -> tuple[str, ...]:
    return tuple(election.projects[j].id for j in result.funded)


def equal_shares(election: Election, options: Options) -> Outcome:
    """Method of Equal Shares without completion: each voter's share is B/n; the next project
    bought is the one its supporters can pay at the lowest price per unit of utility, until none
    is affordable. Utility, ties and source as in the module docstring."""
    ties, prepared = _prepare(election, options)
    n = election.num_voters
    share = Fraction(election.budget, n) if n else Fraction(0)
    result = run(prepared, share)
    details: dict[str, Figure] = {
        "share_initial": share,
        "share_final": share,
        "rounds": len(result.purchases),
        "steps": 0,
        "completion": "none",
        "satisfaction": str(options.satisfaction),
        "ties": str(ties),
    }
    return outcome(election, "mes", _ids(election, result), explain_run(election, result), details)


def _add1_outcome(
    election: Election,
    ties: TieBreak,
    options: Options,
    found: Add1,
    *,
    exhaustive: bool,
    rule: str,
) -> Outcome:
    details: dict[str, Figure] = {
        "share_initial": found.initial,
        "share_final": found.final,
        "rounds": len(found.run.purchases) if found.run is not None else 0,
        "steps": found.steps,
        "completion": "add1-exhaustive" if exhaustive else "add1",
        "satisfaction": str(options.satisfaction),
        "ties": str(ties),
    }
    if found.run is None:
        details["completion"] = "all-fit"
        return outcome(election, rule, found.all_fit, found.all_fit_explanations, details)
    explanations = explain_run(election, found.run)
    return outcome(election, rule, _ids(election, found.run), explanations, details)


def _add1_rule(election: Election, options: Options, *, exhaustive: bool, rule: str) -> Outcome:
    ties, prepared = _prepare(election, options)
    found = add1(election, prepared, options.step, exhaustive=exhaustive)
    return _add1_outcome(election, ties, options, found, exhaustive=exhaustive, rule=rule)


def equal_shares_add1(election: Election, options: Options) -> Outcome:
    """MES with the add1 completion that reproduces the Pabulib `equalshares/add1` cities:
    per-voter share e0 = s * floor(B / (n * s)) (s = `Options.step`), then e0 + s, e0 + 2s, ...;
    the last outcome costing at most B is kept, stopping when the next one costs more (not when
    an outcome is exhaustive). If all supported projects together fit in B, all are funded. No
    greedy completion afterwards. Source: equalshares.net (completion), Pabulib files."""
    return _add1_rule(election, options, exhaustive=False, rule="mes-add1")


def equal_shares_add1_exhaustive(election: Election, options: Options) -> Outcome:
    """As `equal_shares_add1`, but also stopping at the first exhaustive outcome (no unfunded
    supported project fits in the money left): equalshares.net's `exhaustive` option."""
    return _add1_rule(election, options, exhaustive=True, rule="mes-add1-exhaustive")


def equal_shares_add1_greedy(election: Election, options: Options) -> Outcome:
    """`equal_shares_add1_exhaustive`, then the utilitarian greedy completion: the remaining
    supported projects by score descending, then the tie-break chain, each funded if it fits."""
    base = _add1_rule(election, options, exhaustive=True, rule="mes-add1-greedy")
    ties = options.ties or default_ties("mes")
    return greedy_completion(election, base, ties)


def equal_shares_add1_comparison(election: Election, options: Options) -> Outcome:
    """Wieliczka 2023 (Pabulib `equalshares/add1-comparison`): M = `equal_shares_add1`, G =
    `greedy.greedy`; each voter prefers the outcome giving it more score utility (approval: more
    funded projects it chose); G is the result if strictly more voters prefer it, else M. Both
    counts are in `details`."""
    mes_outcome = _add1_rule(election, options, exhaustive=False, rule="mes-add1-comparison")
    return compare_with_greedy(election, options, mes_outcome)


ADD1_RULES = ("mes-add1", "mes-add1-exhaustive", "mes-add1-greedy", "mes-add1-comparison")


def equal_shares_add1_variants(election: Election, options: Options) -> dict[str, Outcome]:
    """The four add1 rules (`ADD1_RULES`, by name) from one add1 walk: each outcome equals the
    one its own function gives, in every detail; for callers that want several of them."""
    ties, prepared = _prepare(election, options)
    plain, exhaustive = add1_both(election, prepared, options.step)
    return {
        "mes-add1": _add1_outcome(
            election, ties, options, plain, exhaustive=False, rule="mes-add1"
        ),
        "mes-add1-exhaustive": _add1_outcome(
            election, ties, options, exhaustive, exhaustive=True, rule="mes-add1-exhaustive"
        ),
        "mes-add1-greedy": greedy_completion(
            election,
            _add1_outcome(
                election, ties, options, exhaustive, exhaustive=True, rule="mes-add1-greedy"
            ),
            ties,
        ),
        "mes-add1-comparison": compare_with_greedy(
            election,
            options,
            _add1_outcome(
                election, ties, options, plain, exhaustive=False, rule="mes-add1-comparison"
            ),
        ),
    }
