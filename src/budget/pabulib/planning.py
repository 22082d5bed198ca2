"""How a read file is counted: the one resolution of its rule and options (`plan`).

`budget tally`, `budget compare`, `scripts/conformance.py` and the platform's import all call
`plan`, so what the CLI counts is what conformance measures. It decides:

- the rule: the one asked for, else the file's META `rule` (ours or a Pabulib alias). Two Pabulib
  labels have no definition of their own, `greedy-custom` and `unknown`: they are counted as plain
  greedy and the plan says so, except a `greedy-custom` file whose comment states Poznan's reserve
  rule ("if the remaining budget is enough to fund at least 80% of that project, we fund it as
  well"), which is counted with `greedy-reserve` at the comment's percentage. Any other rule the
  file names and we do not know is refused (`RuleError`, naming the known rules): a count with a
  rule the city did not use would look official.
- the options: the file's META, then the keys `given` (the CLI's `--exclusions`, `--ties`,
  `--seed`, `--threshold-pct`, an options file), then what the file's comment states and META
  does not: the exclusion sets of the Warsaw `greedy-exclusive` files ("projects 773 and 153 ...
  could not be implemented simultaneously").
- what the city's record means under that rule (`CountPlan.expected`): `selected` = 1, and 2 as
  well for `greedy-reserve` (Poznan marks the reserve's project 2; 3 is money added after the vote,
  set aside).

Every decision not written in the file's structured META is a `notice`, printed by the CLI.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from budget.pabulib.model import PabulibFile
from budget.pabulib.options import MetaOptions
from budget.pabulib.syntax import PabulibError
from budget.tally import rules
from budget.tally.model import Election, Outcome
from budget.tally.options import Options
from budget.tally.rules import RuleError

# Pabulib `rule` labels with no definition of their own: counted as plain greedy, with a notice.
FALLBACK_RULES = frozenset({"greedy-custom", "unknown"})
# Poznan's comment defining its greedy-custom rule (`greedy.greedy_reserve`).
RESERVE_RULE = re.compile(
    r"until the next project on the list does not fit within the budget\. Finally, if the "
    r"remaining budget is enough to fund at least (\d+)% of that project, we fund it as well"
)
# Warsaw's comments naming projects that exclude each other (greedy-exclusive).
EXCLUSION_SENTENCE = re.compile(
    r"projects ((?:[\w-]+, )*[\w-]+,? and [\w-]+) .{0,200}?could not (?:all )?be implemented "
    r"simultaneously"
)
# META keys `given` may set: the ones `PabulibFile.options` reads.
OPTION_KEYS = frozenset(
    {"tie_break", "lottery_seed", "exclusion_sets", "min_project_score_threshold",
     "threshold_pct", "reserve_pct", "mes_satisfaction", "add1_step", "category_envelopes",
     "envelope_leftover_rule"}
)  # fmt: skip


@dataclass(frozen=True)
class CountPlan:
    """A file's count: the rule, its options, and what the city's record says it funded."""

    rule: rules.Rule
    options: Options
    notices: tuple[str, ...] = ()  # decisions the file's META does not state, for the user
    expected: tuple[str, ...] | None = None  # the city's funded set under this rule
    set_aside: tuple[str, ...] = ()  # selected=3 under greedy-reserve: funded after the vote

    def count(self, election: Election) -> Outcome:
        """The outcome: the rule run with the options (refused if it rejects the ballots)."""
        return rules.count(self.rule.name, election, self.options)


def plan(
    parsed: PabulibFile,
    *,
    rule: str | None = None,
    given: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> CountPlan:
    """The count of `parsed`: with rule `rule` (else the file's), and META keys `given`
    overriding the file's. A bad given value is reported under its name in `labels` (the CLI's
    `--seed`), else its key."""
    given = dict(given or {})
    names = {key: (labels or {}).get(key, key) for key in given}
    unknown = sorted(set(given) - OPTION_KEYS)
    if unknown:
        known = ", ".join(sorted(OPTION_KEYS))
        raise PabulibError(f"{unknown[0]!r} is not a counting option (known: {known})")
    comment = parsed.meta.get("comment", "")
    chosen, notices = _rule(parsed, rule, comment)
    reserve = RESERVE_RULE.search(comment)
    if chosen.name == "greedy-reserve" and reserve and "reserve_pct" not in parsed.meta:
        given.setdefault("reserve_pct", reserve.group(1))
    exclusions = comment_exclusions(parsed)
    if exclusions and "exclusion_sets" not in parsed.meta and "exclusion_sets" not in given:
        given["exclusion_sets"] = exclusions
        notices.append(f"exclusion sets from the file's comment: {exclusions}")
    options = MetaOptions(with_given(parsed, given), names).build(chosen.family)
    if chosen.name == "greedy-reserve":
        expected = parsed.selected_with_reserve
        set_aside = parsed.selected_with("3") or ()
    else:
        expected, set_aside = parsed.selected, ()
    return CountPlan(chosen, options, tuple(notices), expected, set_aside)


def _rule(parsed: PabulibFile, asked: str | None, comment: str) -> tuple[rules.Rule, list[str]]:
    if asked is not None:
        return rules.lookup(asked), []
    declared = parsed.rule
    if declared == "greedy-custom" and (reserve := RESERVE_RULE.search(comment)) is not None:
        return rules.RULES["greedy-reserve"], [
            f"the file's comment defines its greedy-custom rule as Poznan's reserve rule "
            f"({reserve.group(1)}% of the next project's cost): counting with greedy-reserve"
        ]
    if declared is None or declared in FALLBACK_RULES:
        why = "names no rule" if declared is None else f"names the rule {declared!r}"
        return rules.RULES["greedy"], [
            f"the file {why}, which has no exact definition; counting with greedy (choose "
            f"another with --rule)"
        ]
    try:
        return rules.lookup(declared), []
    except RuleError:
        known = ", ".join(rules.known_names())
        raise RuleError(
            f"the file names an unknown rule {declared!r}; count it with --rule, one of: {known}"
        ) from None


def comment_exclusions(parsed: PabulibFile) -> str:
    """The exclusion sets the file's comment states, as META writes them ("459,1687,2150;..."),
    "" when it states none; a sentence naming a project not in the file is ignored."""
    known = parsed.election.project_by_id
    sets = []
    for match in EXCLUSION_SENTENCE.finditer(parsed.meta.get("comment", "")):
        ids = re.split(r",? and |, ", match.group(1))
        if all(project_id in known for project_id in ids):
            sets.append(",".join(ids))
    return ";".join(sets)


def with_given(parsed: PabulibFile, given: Mapping[str, str]) -> PabulibFile:
    """The file with META keys `given` in place of its own."""
    if not given:
        return parsed
    return replace(parsed, meta=MappingProxyType({**parsed.meta, **given}))


def read_options(text: str, source: str = "") -> dict[str, str]:
    """An options file: `key;value` rows as in META (a `key;value` header allowed), each key one
    of the counting options; errors name the line."""
    options: dict[str, str] = {}
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    try:
        for row in reader:
            fields = [value.strip() for value in row]
            if fields in ([], [""]) or fields == ["key", "value"]:
                continue
            if len(fields) < 2 or fields[0] not in OPTION_KEYS:
                known = ", ".join(sorted(OPTION_KEYS))
                message = f"expected key;value with a key among {known}"
                raise PabulibError(message, reader.line_num, source)
            if fields[0] in options:
                raise PabulibError(f"{fields[0]} given twice", reader.line_num, source)
            options[fields[0]] = ";".join(fields[1:])
    except csv.Error as error:
        raise PabulibError(f"unreadable line: {error}", reader.line_num, source) from None
    return options
