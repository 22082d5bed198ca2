"""Ballot types, their limits, and whether a valid ballot can exist (PRODUCT.md "Ballots").

- approval: `max_choices` k >= 1, `min_choices` m in 1..k (default 1); a set S, m <= |S| <= k.
- knapsack: `min_spend_pct` q in 0..100 (default 0); a set S with Σ cost(S) <= B and
  100·Σ cost(S) >= q·B (integers).
- cumulative: `points` N >= 1, `max_per_project` c in 1..N (default N); points 1..c per listed
  project, 1..N in total.
- ranked: `max_ranks` k >= 1, `min_ranks` m in 1..k (default 1); m..k distinct projects in order.
- choose_one: no limits; exactly one project.

Allocation rules and tie-break criteria are named by the tally (`budget.tally.rules`,
`budget.tally.ties`), so configuration refuses what a count could not run.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from math import gcd

from budget.domain.errors import (
    BudgetError,
    EnvelopeCategory,
    EnvelopesOverBudget,
    EnvelopesRanked,
    InvalidChoice,
    InvalidRuleOption,
    InvalidTieBreak,
    OutOfRange,
    Required,
    raise_if_any,
)
from budget.tally import rules
from budget.tally.model import VoteType
from budget.tally.ties import Criterion


class BallotType(StrEnum):
    APPROVAL = "approval"
    KNAPSACK = "knapsack"
    CUMULATIVE = "cumulative"
    RANKED = "ranked"
    CHOOSE_ONE = "choose_one"


@dataclass(frozen=True)
class BallotLimits:
    """Every limit a ballot type may use; the fields a type does not use stay None."""

    min_choices: int | None = None
    max_choices: int | None = None
    min_spend_pct: int | None = None
    points: int | None = None
    max_per_project: int | None = None
    min_ranks: int | None = None
    max_ranks: int | None = None


LIMIT_FIELDS: Mapping[BallotType, tuple[str, ...]] = {
    BallotType.APPROVAL: ("min_choices", "max_choices"),
    BallotType.KNAPSACK: ("min_spend_pct",),
    BallotType.CUMULATIVE: ("points", "max_per_project"),
    BallotType.RANKED: ("min_ranks", "max_ranks"),
    BallotType.CHOOSE_ONE: (),
}

_VOTE_TYPES: Mapping[BallotType, VoteType] = {
    BallotType.APPROVAL: VoteType.APPROVAL,
    BallotType.KNAPSACK: VoteType.APPROVAL,  # Pabulib writes knapsack ballots as approval sets
    BallotType.CUMULATIVE: VoteType.CUMULATIVE,
    BallotType.RANKED: VoteType.ORDINAL,
    BallotType.CHOOSE_ONE: VoteType.CHOOSE_ONE,
}

MAX_LIMIT = 1000  # no ballot lists or scores more; bounds what a form may store
_BITSET_BITS = 1 << 26  # subset sums up to 2^26 units fit a bitset of 8 MB


def vote_type(ballot_type: BallotType) -> VoteType:
    """The tally's vote type for a ballot type (Pabulib's `vote_type`)."""
    return _VOTE_TYPES[ballot_type]


def limit_errors(ballot_type: BallotType, limits: BallotLimits) -> dict[str, BudgetError]:
    """Each limit field that breaks the table above, with its error (empty when all hold)."""
    errors: dict[str, BudgetError] = {}
    full = _with_defaults(ballot_type, limits)
    for low_name, high_name in _PAIRS[ballot_type]:
        high = getattr(full, high_name)
        if high is None:
            errors[high_name] = Required()
            continue
        if not 1 <= high <= MAX_LIMIT:
            errors[high_name] = OutOfRange(min=1, max=MAX_LIMIT)
            continue
        low = getattr(full, low_name)
        if not 1 <= low <= high:
            errors[low_name] = OutOfRange(min=1, max=high)
    if ballot_type is BallotType.KNAPSACK and not 0 <= (full.min_spend_pct or 0) <= 100:
        errors["min_spend_pct"] = OutOfRange(min=0, max=100)
    return errors


# (lower limit, upper limit) pairs: the upper is required, the lower defaults to 1 (or N)
_PAIRS: Mapping[BallotType, tuple[tuple[str, str], ...]] = {
    BallotType.APPROVAL: (("min_choices", "max_choices"),),
    BallotType.KNAPSACK: (),
    BallotType.CUMULATIVE: (("max_per_project", "points"),),
    BallotType.RANKED: (("min_ranks", "max_ranks"),),
    BallotType.CHOOSE_ONE: (),
}


def _with_defaults(ballot_type: BallotType, limits: BallotLimits) -> BallotLimits:
    """Keep the type's fields, fill PRODUCT.md's defaults, clear the other fields."""
    kept = {f.name: None for f in fields(BallotLimits)}
    for name in LIMIT_FIELDS[ballot_type]:
        kept[name] = getattr(limits, name)
    full = BallotLimits(**kept)
    if ballot_type is BallotType.APPROVAL and full.min_choices is None:
        full = replace(full, min_choices=1)
    if ballot_type is BallotType.RANKED and full.min_ranks is None:
        full = replace(full, min_ranks=1)
    if ballot_type is BallotType.KNAPSACK and full.min_spend_pct is None:
        full = replace(full, min_spend_pct=0)
    if ballot_type is BallotType.CUMULATIVE and full.max_per_project is None:
        full = replace(full, max_per_project=full.points)
    return full


def normalise_limits(ballot_type: BallotType, limits: BallotLimits) -> BallotLimits:
    """The limits with defaults filled and unused fields cleared; FieldErrors if any is wrong."""
    raise_if_any(limit_errors(ballot_type, limits))
    return _with_defaults(ballot_type, limits)


def is_satisfiable(
    ballot_type: BallotType, limits: BallotLimits, costs: Sequence[int], envelope: int
) -> bool:
    """Whether at least one valid ballot exists over projects of these costs (exact).

    The limits must already be valid (`limit_errors` empty)."""
    full = _with_defaults(ballot_type, limits)
    if ballot_type is BallotType.KNAPSACK:
        low = -(-(full.min_spend_pct or 0) * envelope // 100)  # ceil(q·B/100) in integers
        return _some_subset_sum_between(costs, low, envelope)
    least = {BallotType.APPROVAL: full.min_choices, BallotType.RANKED: full.min_ranks}
    return len(costs) >= (least.get(ballot_type) or 1)


def _some_subset_sum_between(costs: Sequence[int], low: int, high: int) -> bool:
    """Whether a non-empty subset of `costs` sums to a value in [low, high] (exact)."""
    usable = [c for c in costs if 0 < c <= high]
    if not usable:
        return False
    if sum(usable) <= high:
        return sum(usable) >= low
    unit = gcd(*usable)  # every subset sum is a multiple of the gcd: work in those units
    low_u, high_u = -(-low // unit), high // unit
    units = [c // unit for c in usable]
    if any(low_u <= u <= high_u for u in units):
        return True
    if high_u < _BITSET_BITS:
        return _bitset_search(units, low_u, high_u)
    return _set_search(units, low_u, high_u)


def _bitset_search(units: Sequence[int], low: int, high: int) -> bool:
    """Subset sums as the bits of one integer: bit s is set when some subset sums to s."""
    mask = (1 << (high + 1)) - 1
    reach = 1
    for unit in units:
        reach = (reach | (reach << unit)) & mask
        if reach >> low:
            return True
    return False


def _set_search(units: Sequence[int], low: int, high: int) -> bool:
    """Subset sums as a set, for envelopes too fine for a bitset; stops at the first hit."""
    reach = {0}
    for unit in units:
        grown = {s + unit for s in reach if s + unit <= high}
        if any(s >= low for s in grown):
            return True
        reach |= grown
    return False


def rule_names() -> tuple[str, ...]:
    """Every allocation rule a budget may use (the tally's registry)."""
    return tuple(rules.RULES)


def rule_accepts(rule: str, ballot_type: BallotType) -> bool:
    """Whether the tally's rule `rule` counts ballots of this type (False for unknown rules)."""
    known = rules.RULES.get(rule)
    return known is not None and known.accepts(vote_type(ballot_type))


def default_tie_break(rule: str) -> str:
    """PRODUCT.md's default chain: MES breaks ties by lower cost first, the others by votes."""
    known = rules.RULES.get(rule)
    if known is not None and known.family == "mes":
        return "lower-cost,more-votes,lottery"
    return "more-votes,lower-cost,lottery"


def parse_tie_break(text: str) -> str:
    """A comma-separated chain of known criteria, each once, ending with the lottery so that
    every count is determined; returned normalised."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    known = {c.value for c in Criterion}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidTieBreak(detail=f"unknown criterion {unknown[0]}")
    if len(set(names)) != len(names):
        raise InvalidTieBreak(detail="a criterion appears twice")
    if not names or names[-1] != Criterion.LOTTERY.value:
        raise InvalidTieBreak(detail="the chain must end with lottery")
    return ",".join(names)


_OPTION_RANGES: Mapping[str, tuple[int, int]] = {
    "threshold": (0, 10**12),
    "threshold_pct": (0, 100),
}
_SATISFACTIONS = ("cost", "cardinality")


def normalise_rule_options(options: Mapping[str, object]) -> dict[str, object]:
    """The known rule options with valid values, or the first option's error."""
    for name, value in options.items():
        error = _option_error(name, value)
        if error is not None:
            raise error
    return dict(options)


def _option_error(name: str, value: object) -> BudgetError | None:
    if name == ENVELOPES:
        return None if _is_envelope_list(value) else InvalidRuleOption(option=name)
    if name == "satisfaction":
        return None if value in _SATISFACTIONS else InvalidChoice(choices=", ".join(_SATISFACTIONS))
    bounds = _OPTION_RANGES.get(name)
    if bounds is None or isinstance(value, bool) or not isinstance(value, int):
        return InvalidRuleOption(option=name)
    if not bounds[0] <= value <= bounds[1]:
        return OutOfRange(min=bounds[0], max=bounds[1])
    return None


# Category envelopes (PRODUCT.md, budget fields): rule option `category_envelopes`, a list of
# [category code, amount in minor units], counted in that order (tally/envelopes.py).
ENVELOPES = "category_envelopes"


def _is_envelope_list(value: object) -> bool:
    if not isinstance(value, list) or not value:
        return False
    codes = [pair[0] for pair in value if isinstance(pair, list) and len(pair) == 2]
    return (
        len(codes) == len(value)
        and all(isinstance(code, str) and code for code in codes)
        and len(set(codes)) == len(codes)
        and all(type(pair[1]) is int and pair[1] > 0 for pair in value)
    )


def envelope_codes(options: Mapping[str, object]) -> tuple[str, ...]:
    """The categories that have an envelope, in pass order (none without the option)."""
    envelopes = options.get(ENVELOPES)
    return tuple(str(pair[0]) for pair in envelopes) if isinstance(envelopes, list) else ()


def envelope_problem(
    options: Mapping[str, object],
    *,
    amount: int,
    categories: Collection[str],
    ballot_type: BallotType | None,
) -> BudgetError | None:
    """What is wrong with a budget's category envelopes, given the rest of the budget: each
    names one of the cycle's categories, together they fit in the budget, and the ballots are
    not ranked (dropping a pass's other projects would move the ranks). None when fine or when
    the budget has none; the option's own shape is checked by `normalise_rule_options`."""
    envelopes = options.get(ENVELOPES)
    if not isinstance(envelopes, list):
        return None
    unknown = [code for code, _ in envelopes if code not in categories]
    if unknown:
        return EnvelopeCategory(category=unknown[0])
    total = sum(cents for _, cents in envelopes)
    if total > amount:
        return EnvelopesOverBudget(total=total, amount=amount)
    if ballot_type is BallotType.RANKED:
        return EnvelopesRanked()
    return None
