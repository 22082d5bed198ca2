"""RULES: every allocation rule by name; the one lookup for services, the CLI and scripts.

Names are ours (`mes-add1`); Pabulib's `rule` values (`equalshares/add1`) are aliases, mapped to the
variant that reproduces those files. Two add1 variants exist (PRODUCT.md, Tally): equalshares.net's
reference code stops raising the shares at the first exhaustive outcome (`mes-add1-exhaustive`);
the Pabulib files labelled `equalshares/add1` are reproduced without that stop (`mes-add1`;
Wieliczka 2023 is the one corpus file that tells them apart).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from budget.tally import envelopes, greedy, maxutil, mes, phragmen
from budget.tally.model import Election, Outcome, VoteType
from budget.tally.options import Options
from budget.tally.ties import TieBreak, default_ties

ALL_TYPES = frozenset(VoteType)
APPROVAL_LIKE = frozenset({VoteType.APPROVAL, VoteType.CHOOSE_ONE})


class RuleError(ValueError):
    """An unknown rule, or one that does not accept the election's ballots."""


@dataclass(frozen=True)
class Rule:
    name: str
    function: Callable[[Election, Options], Outcome]
    vote_types: frozenset[VoteType]
    family: str  # keys the default tie-break chain: "greedy" or "mes"
    summary: str
    aliases: tuple[str, ...] = ()

    def accepts(self, vote_type: VoteType) -> bool:
        return vote_type in self.vote_types

    def default_ties(self, seed: bytes | None = None) -> TieBreak:
        return default_ties(self.family, seed)


_RULES = (
    Rule("greedy", greedy.greedy, ALL_TYPES, "greedy",
         "Most votes first; fund each project that still fits."),
    Rule("greedy-no-skip", greedy.greedy_no_skip, ALL_TYPES, "greedy",
         "Most votes first; stop at the first project that does not fit."),
    Rule("greedy-threshold", greedy.greedy_threshold, ALL_TYPES, "greedy",
         "Greedy over the projects whose score reaches the threshold."),
    Rule("greedy-exclusive", greedy.greedy_exclusive, ALL_TYPES, "greedy",
         "Greedy; funding a project excludes the others of its exclusion sets."),
    Rule("greedy-reserve", greedy.greedy_reserve, ALL_TYPES, "greedy",
         "Most votes first until one does not fit; that one too, from a reserve, if at least "
         "80% of its cost is left (Poznan)."),
    Rule("mes", mes.equal_shares, ALL_TYPES, "mes",
         "Method of Equal Shares without completion.", ("equalshares",)),
    Rule("mes-add1", mes.equal_shares_add1, ALL_TYPES, "mes",
         "MES, shares raised by one unit while the outcome fits the budget, with no stop at an "
         "exhaustive outcome: the variant that reproduces the Pabulib files labelled "
         "equalshares/add1.", ("equalshares/add1",)),
    Rule("mes-add1-exhaustive", mes.equal_shares_add1_exhaustive, ALL_TYPES, "mes",
         "MES, shares raised by one unit while the outcome fits the budget, stopping at the first "
         "exhaustive outcome: equalshares.net's reference code."),
    Rule("mes-add1-greedy", mes.equal_shares_add1_greedy, ALL_TYPES, "mes",
         "MES with add1 completion, then utilitarian greedy completion."),
    Rule("mes-add1-comparison", mes.equal_shares_add1_comparison, ALL_TYPES, "mes",
         "MES with add1, kept unless more voters prefer the greedy outcome.",
         ("equalshares/add1-comparison",)),
    Rule("phragmen", phragmen.sequential_phragmen, APPROVAL_LIKE, "greedy",
         "Sequential Phragmen: spread the cost as evenly as possible over supporters."),
    Rule("max-utilitarian", maxutil.max_utilitarian, ALL_TYPES, "greedy",
         "The set of projects of greatest total score within the budget."),
)  # fmt: skip

RULES: Mapping[str, Rule] = {rule.name: rule for rule in _RULES}
_BY_ALIAS: Mapping[str, Rule] = {alias: rule for rule in _RULES for alias in rule.aliases}


def known_names() -> tuple[str, ...]:
    """Every name `lookup` accepts: ours, then Pabulib's aliases."""
    return (*RULES, *_BY_ALIAS)


def lookup(name: str) -> Rule:
    """The rule named `name` (ours or Pabulib's)."""
    rule = RULES.get(name) or _BY_ALIAS.get(name)
    if rule is None:
        raise RuleError(f"unknown rule {name!r}; known rules: {', '.join(known_names())}")
    return rule


# Rules that count category envelopes (`envelopes`): the greedy and MES families.
ENVELOPE_RULES = frozenset(r.name for r in _RULES if r.name.startswith(("greedy", "mes")))


def count(name: str, election: Election, options: Options | None = None) -> Outcome:
    """Run rule `name` on `election`, refusing a rule that does not accept its ballots; with
    category envelopes in the options, through `envelopes.count`."""
    rule = _accepting(name, election)
    options = options or Options()
    if not options.envelopes:
        return rule.function(election, options)
    leftover = _accepting(options.leftover_rule or rule.name, election)
    for used in (rule, leftover):
        if used.name not in ENVELOPE_RULES:
            raise RuleError(f"rule {used.name!r} cannot count category envelopes; "
                            f"rules that can: {', '.join(sorted(ENVELOPE_RULES))}")  # fmt: skip
    try:
        return envelopes.count(election, options, rule.function, leftover.function, rule.name)
    except envelopes.EnvelopeError as error:
        raise RuleError(str(error)) from None


def _accepting(name: str, election: Election) -> Rule:
    rule = lookup(name)
    if not rule.accepts(election.vote_type):
        raise RuleError(f"rule {rule.name!r} does not accept {election.vote_type} ballots")
    return rule
