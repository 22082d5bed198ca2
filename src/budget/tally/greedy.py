"""Greedy rules: walk the projects from the highest score down and fund each one that fits.

Five rules share one walk (`_walk`). The order is score descending (`Election.scores`: votes for
approval and choose-1, points for cumulative and scoring, positional points for ordinal), then the
tie-break chain (`Options.ties`, by default more votes, then lower cost, then the source order or
the lottery). Whatever the variant:

- a project no ballot supports is never funded ("unsupported");
- a project costing more than the whole budget never enters the walk ("over-budget", as in
  Phragmen and max-utilitarian): no count could fund it, so it cannot stop a no-skip walk either
  (a city cannot put it on the ballot; Pabulib writes a project withdrawn after the vote with
  an unaffordable cost, e.g. Wroclaw 2017 Rejon 11 750);
- the score threshold applies when set (`Options.threshold` absolute, `Options.threshold_pct` as a
  percentage of voters: kept iff 100 * score >= pct * n); many Pabulib `greedy-no-skip` files
  declare `min_project_score_threshold`, and it applies to them too;
- exclusion sets apply when given: a project sharing a set with an already funded project is
  skipped ("excluded by #k").

Source: PRODUCT.md, Tally; Pabulib `rule` values `greedy`, `greedy-no-skip`, `greedy-threshold`,
`greedy-exclusive` (Faliszewski et al., IJCAI 2023); `greedy-reserve` is the rule the Poznan files
(`greedy-custom`) define in their META comment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from budget.tally.model import Election, Explanation, Figure, Outcome
from budget.tally.options import Options
from budget.tally.ties import TieBreak, default_ties


class ExclusionError(ValueError):
    """An exclusion set naming a project that is not on the ballot."""


@dataclass(frozen=True)
class _Threshold:
    """Which projects enter the walk; `check` returns the failing code and figures, or None."""

    check: Callable[[str], tuple[str, dict[str, Figure]] | None]
    details: dict[str, Figure]


def _threshold(election: Election, options: Options, default: int | None) -> _Threshold:
    absolute = options.threshold if options.threshold is not None else default
    pct = options.threshold_pct
    n = election.num_voters
    scores = election.scores

    def check(project_id: str) -> tuple[str, dict[str, Figure]] | None:
        score = scores[project_id]
        if absolute is not None and score < absolute:
            return "below-threshold", {"threshold": absolute}
        if pct is not None and 100 * score < pct * n:
            return "below-threshold-pct", {"threshold_pct": pct, "voters": n}
        return None

    details: dict[str, Figure] = {}
    if absolute is not None:
        details["threshold"] = absolute
    if pct is not None:
        details["threshold_pct"] = pct
    return _Threshold(check, details)


def _exclusion_sets(election: Election, options: Options) -> Mapping[str, tuple[int, ...]]:
    """For each project, the indices of the exclusion sets it belongs to."""
    membership: dict[str, list[int]] = {p.id: [] for p in election.projects}
    for index, group in enumerate(options.exclusions):
        for project_id in sorted(group):
            if project_id not in membership:
                raise ExclusionError(
                    f"exclusion set {index + 1} names unknown project {project_id!r}"
                )
            membership[project_id].append(index)
    return {p: tuple(sets) for p, sets in membership.items()}


def greedy_order(election: Election, ties: TieBreak) -> list[str]:
    """Project ids by score descending, then the tie-break chain."""
    keys = ties.keys(election)
    scores = election.scores
    return sorted(keys, key=lambda p: (-scores[p], keys[p]))


def _tie_figures(
    election: Election, ties: TieBreak, order: Sequence[str], index: int, funded: set[str]
) -> dict[str, Figure]:
    """The neighbour of equal score whose relative place the chain decided, preferring one whose
    fate differs (that tie decided something); empty when the score alone placed the project."""
    scores = election.scores
    me = order[index]
    candidates = [
        (order[j], j > index)
        for j in (index - 1, index + 1)
        if 0 <= j < len(order) and scores[order[j]] == scores[me]
    ]
    if not candidates:
        return {}
    differing = [c for c in candidates if (c[0] in funded) != (me in funded)]
    other, won = (differing or candidates)[0]
    first, second = (me, other) if won else (other, me)
    criterion = ties.deciding_criterion(election, first, second)
    return {"tied_with": other, "tie": "won" if won else "lost", "tie_criterion": str(criterion)}


@dataclass
class _Walk:
    """The state of one greedy walk: what is left, what was funded, where it stopped."""

    election: Election
    stop: bool
    remaining: int
    funded: list[str]
    taken_sets: dict[int, str]
    stopped_at: str | None = None
    # greedy-reserve: the stopping project is funded from a reserve if at least this percentage
    # of its cost is left; `reserve` is then what the reserve paid.
    reserve_pct: Fraction | None = None
    reserve: int = 0

    def decide(self, project_id: str, sets: tuple[int, ...]) -> tuple[str, dict[str, Figure]]:
        """Fund, skip or stop at one project that passed the support and threshold checks."""
        cost = self.election.project_by_id[project_id].cost
        blockers = [self.taken_sets[s] for s in sets if s in self.taken_sets]
        if self.stopped_at is not None:
            return "greedy-not-reached", {"stopped_at": self.stopped_at}
        if blockers:
            return "excluded", {"excluded_by": blockers[0]}
        remaining = self.remaining
        if cost <= remaining:
            self.funded.append(project_id)
            self.remaining -= cost
            self.taken_sets.update((s, project_id) for s in sets if s not in self.taken_sets)
            return "greedy-funded", {"remaining": remaining}
        if self.stop:
            self.stopped_at = project_id
            pct = self.reserve_pct
            if pct is not None and 100 * remaining >= pct * cost:
                self.funded.append(project_id)
                self.remaining, self.reserve = 0, cost - remaining
                whole = pct.numerator if pct.denominator == 1 else pct
                figures: dict[str, Figure] = {"remaining": remaining, "reserve_pct": whole}
                return "funded-from-reserve", figures | {"reserve": self.reserve}
            return "greedy-stopped-here", {"remaining": remaining}
        return "greedy-did-not-fit", {"remaining": remaining}


def _walk(
    election: Election,
    options: Options,
    *,
    stop: bool,
    threshold_default: int | None,
    rule: str,
    reserve_pct: Fraction | None = None,
) -> Outcome:
    ties = options.ties or default_ties("greedy")
    order = greedy_order(election, ties)
    threshold = _threshold(election, options, threshold_default)
    sets = _exclusion_sets(election, options)
    kind = "votes" if election.vote_type.is_approval_like else "points"
    walk = _Walk(election, stop, election.budget, [], {}, reserve_pct=reserve_pct)
    codes: dict[str, tuple[str, dict[str, Figure]]] = {}
    for rank, project_id in enumerate(order, start=1):
        figures: dict[str, Figure] = {
            "rank": rank,
            "score": election.scores[project_id],
            "score_kind": kind,
            "votes": election.votes[project_id],
            "cost": election.project_by_id[project_id].cost,
        }
        failed = threshold.check(project_id)
        extra: dict[str, Figure]
        blocked = election.ineligible(election.project_by_id[project_id])
        if blocked is not None:
            code, extra = blocked
        elif failed is not None:
            code, extra = failed
        else:
            code, extra = walk.decide(project_id, sets[project_id])
        codes[project_id] = (code, figures | extra)
    details = threshold.details | ({"reserve": walk.reserve} if walk.reserve else {})
    return _outcome(election, ties, order, walk.funded, codes, rule, details)


_TIE_CODES = frozenset(
    {"greedy-funded", "greedy-did-not-fit", "greedy-stopped-here", "greedy-not-reached", "excluded",
     "funded-from-reserve"}
)  # fmt: skip


def _outcome(
    election: Election,
    ties: TieBreak,
    order: Sequence[str],
    funded: list[str],
    codes: Mapping[str, tuple[str, dict[str, Figure]]],
    rule: str,
    details: dict[str, Figure],
) -> Outcome:
    funded_set = set(funded)
    index = {p: i for i, p in enumerate(order)}
    explanations = []
    for project in election.projects:
        code, figures = codes[project.id]
        if code in _TIE_CODES:
            # Only projects that entered the walk compete on position; ties among the
            # unsupported or below the threshold decide nothing.
            figures = figures | _tie_figures(election, ties, order, index[project.id], funded_set)
        explanations.append(Explanation(project.id, project.id in funded_set, code, figures))
    return Outcome(
        rule=rule,
        budget=election.budget,
        funded=tuple(funded),
        spent=election.cost_of(tuple(funded)),
        explanations=tuple(explanations),
        details={"ties": str(ties), **details},
    )


def greedy(election: Election, options: Options) -> Outcome:
    """Greedy: by score descending, then the tie-break chain, fund each project that still fits
    in the remaining budget and skip the others (threshold and exclusions apply when set)."""
    return _walk(election, options, stop=False, threshold_default=None, rule="greedy")


def greedy_no_skip(election: Election, options: Options) -> Outcome:
    """Greedy without skipping: the same walk, but the count stops at the first project that does
    not fit; the projects after it are "not reached" (threshold and exclusions apply when set)."""
    return _walk(election, options, stop=True, threshold_default=None, rule="greedy-no-skip")


def greedy_threshold(election: Election, options: Options) -> Outcome:
    """Greedy (with skipping) over the projects whose score reaches the threshold (Pabulib
    `min_project_score_threshold`). Without a threshold in the options it is 0, so the rule is
    plain greedy: unsupported projects are never funded by any rule anyway."""
    return _walk(election, options, stop=False, threshold_default=0, rule="greedy-threshold")


def greedy_exclusive(election: Election, options: Options) -> Outcome:
    """Greedy (with skipping) where funding a project excludes the others of its exclusion sets
    (`Options.exclusions`; Warsaw districts in Pabulib). Same walk as `greedy`, named for the
    Pabulib `greedy-exclusive` files; with no exclusion sets it is plain greedy."""
    return _walk(election, options, stop=False, threshold_default=None, rule="greedy-exclusive")


RESERVE_PCT = Fraction(80)


def greedy_reserve(election: Election, options: Options) -> Outcome:
    """Greedy without skipping, then a reserve for the project the walk stopped at: it is funded
    too when what is left is at least `Options.reserve_pct` percent of its cost (default 80:
    100 * remaining >= pct * cost), the reserve paying the rest. Threshold and exclusions apply.

    The outcome may therefore spend more than the budget, by at most that one project's cost
    minus what was left (`Outcome.details["reserve"]`; its explanation is `funded-from-reserve`
    with the figures remaining, cost, reserve_pct and reserve).

    Source: the META comment of the Poznan files (Pabulib `greedy-custom`, 2023-2026): "we fund
    projects that received the highest number of votes until the next project on the list does
    not fit within the budget. Finally, if the remaining budget is enough to fund at least 80% of
    that project, we fund it as well with the external reserve funds [...]. We mark such project
    with number 2 in the selected column".
    """
    pct = RESERVE_PCT if options.reserve_pct is None else options.reserve_pct
    return _walk(
        election, options, stop=True, threshold_default=None, rule="greedy-reserve",
        reserve_pct=pct,
    )  # fmt: skip
