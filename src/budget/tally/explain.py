"""Explanations as English sentences: `MESSAGES` maps each explanation code to a template.

Rules record *why* as data (`Explanation.code` and exact figures); this module turns that into one
sentence a resident understands, with thousands separators. Money figures (`MONEY_FIGURES`) are
amounts in the election's units, integers of 1/`scale` currency units: with `scale` 1 they print
as whole units ("40,000"), with `scale` 100 as units and cents ("1,250.50"); a money Fraction
(a share, a load) prints with two decimals of a currency unit. Other Fractions are rounded to two
decimals, for display only.

`templates` is the one choice of which templates make a project's sentence (the main one, then
the equal-shares, tie and pass additions); `Formatter` fills them in. The web layer translates
the same templates with gettext (they are marked with `N_` for the message catalogue) and fills
them with a `Formatter` that prints numbers, money, ranks and nouns in the reader's language.

Template fields use `str.format` syntax with six extra format specs: `{rank:ordinal}` (7th),
`{tied_with:id}` (#22), `{tie_criterion:criterion}` (lower cost), `{score:kind}` (1 vote, 12
points: the figure `score_kind`, in agreement), `{supporters:count:supporter}` (1 supporter,
2 supporters; a translation may write `count:singular|plural`) and `{threshold_pct:pct}` (5%).
A code without a template, or a template whose figures are missing, falls back to the code and
its figures: never a crash.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from budget.tally.model import Explanation, Figure, Outcome


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark a template for the web layer's message catalogue; the tally prints it as it is."""
    return message


MESSAGES: dict[str, str] = {
    # Shared by every rule.
    "unsupported": N_("No valid ballot supports it: not funded."),
    "over-budget": N_("It costs {cost}, more than the whole budget of {budget}: not funded."),
    # Greedy family (greedy.py).
    "greedy-funded": N_(
        "Ranked {rank:ordinal} with {score:kind}; {remaining} remained, it costs {cost}: funded."
    ),
    "greedy-did-not-fit": N_(
        "Ranked {rank:ordinal} with {score:kind}; {remaining} remained, "
        "it costs {cost}: did not fit."
    ),
    "greedy-stopped-here": N_(
        "Ranked {rank:ordinal} with {score:kind}; {remaining} remained, "
        "it costs {cost}: did not fit, and the count stopped here."
    ),
    "greedy-not-reached": N_("Not reached: the count stopped at {stopped_at:id}."),
    "below-threshold": N_("Below the threshold of {threshold:kind} ({score})."),
    "below-threshold-pct": N_(
        "Below the threshold of {threshold_pct:pct} of {voters:count:voter} ({score:kind})."
    ),
    "excluded": N_("Excluded by {excluded_by:id}, funded first."),
    "funded-from-reserve": N_(
        "Ranked {rank:ordinal} with {score:kind}; only {remaining} remained, it costs "
        "{cost}: at least {reserve_pct:pct} of its cost was left, so it was funded, {reserve} "
        "coming from the reserve beyond the budget."
    ),
    # Method of Equal Shares and its completions (mes.py).
    "mes-funded": N_(
        "Each voter's share was {share}. Funded in round {round}: its "
        "{supporters:count:supporter} paid at most {max_payment} each."
    ),
    "mes-unaffordable": N_(
        "Not funded: its {supporters:count:supporter} had {money} of their shares left; it "
        "costs {cost}, {shortfall} more. Had {more_supporters:count:more voter} supported it, "
        "each bringing a full unspent share of {share}, their shares would have covered that."
    ),
    "mes-no-share": N_("Not funded: each voter's share was 0, so nothing could be paid for."),
    "mes-all-fit": N_(
        "All supported projects together cost {total}, within the budget of {budget}: funded."
    ),
    "greedy-completion": N_(
        "Funded after equal shares by the greedy completion ({score} points of score): "
        "{remaining} remained, it costs {cost}."
    ),
    "mes-completion-did-not-fit": N_(
        "Not funded: its {supporters:count:supporter} had {money} of their shares left, and in "
        "the greedy completion only {remaining} remained; it costs {cost}."
    ),
    # Category envelopes (envelopes.py).
    "no-leftover": N_(
        "Not funded: the category envelopes spent the whole budget, so nothing was left for the "
        "projects outside them."
    ),
    # Sequential Phragmen (phragmen.py).
    "phragmen-funded": N_(
        "Funded in step {step}; its supporters' load rose to {load}, the lowest."
    ),
    "phragmen-did-not-fit": N_(
        "Next in line in step {step} with a load of {load}, but it costs {cost} and only "
        "{remaining} remained: the count stopped here."
    ),
    "phragmen-stopped": N_(
        "Not funded: the count stopped when {stopped_at:id}, next in line, did not fit."
    ),
    # Max-utilitarian (maxutil.py).
    "maxutil-funded": N_(
        "Funded: the best set without it scores {best_without}, the chosen set {chosen}."
    ),
    "maxutil-funded-tie": N_(
        "Funded: the best set without it also scores {best_without}; the tie-break order "
        "preferred the set with it."
    ),
    "maxutil-not-funded": N_(
        "Not funded: the best set with it scores {best_with}, the chosen set {chosen}."
    ),
    "maxutil-not-funded-tie": N_(
        "Not funded: the best set with it also scores {best_with}; the tie-break order "
        "preferred the chosen set."
    ),
}

# Appended to the sentence when the tie-break chain decided a project's place against a
# neighbour of equal score (figures `tied_with`, `tie` = "won" | "lost", `tie_criterion`), or
# Phragmen's next project against another of equal load ("won-load").
TIE_MESSAGES: dict[str, str] = {
    "won": N_(
        "Tied with {tied_with:id} on {score:kind}; it came first by {tie_criterion:criterion}."
    ),
    "won-load": N_(
        "Tied with {tied_with:id} on that load; it came first by {tie_criterion:criterion}."
    ),
    "lost": N_(
        "Tied with {tied_with:id} on {score:kind}; {tied_with:id} came first by "
        "{tie_criterion:criterion}."
    ),
}

# Appended to an MES sentence: `raised` when the add1 completion raised the share above B/n
# (figures share_initial, voters, share_total); `left-over` when the budget left unspent would
# cover a project MES did not fund (figure left >= cost).
MES_MESSAGES: dict[str, str] = {
    "raised": N_(
        "That is the share raised by the add1 completion from {share_initial}, the budget "
        "divided among the {voters:count:voter}: {voters} shares of {share} make {share_total}, "
        "more than the budget, because shares are raised only while the projects they buy "
        "still fit in it."
    ),
    "left-over": N_(
        "The {left} left unspent would cover its cost, but equal shares funds a project only "
        "from its own supporters' shares."
    ),
    "left-over-raised": N_(
        "The {left} left unspent would cover its cost, but equal shares funds a project only "
        "from its own supporters' shares, and raising every share once more would have bought "
        "more than the budget."
    ),
}

# Appended when category envelopes were counted (figures `pass`, `envelope`).
PASS_MESSAGES: dict[str, str] = {
    "category": N_("Counted in the envelope of the category {pass} ({envelope})."),
    "leftover": N_("Counted in the last pass, over what the category envelopes left ({envelope})."),
}

# Figures that are amounts of money, printed in currency units according to the scale.
MONEY_FIGURES = frozenset(
    {
        "cost",
        "remaining",
        "budget",
        "total",
        "money",
        "share",
        "max_payment",
        "load",
        "reserve",
        "shortfall",
        "left",
        "share_initial",
        "share_total",
    }
)

CRITERIA: Mapping[str, str] = {
    "more-votes": N_("more votes"),
    "higher-score": N_("a higher score"),
    "lower-cost": N_("lower cost"),
    "higher-cost": N_("higher cost"),
    "source-order": N_("the published order"),
    "lottery": N_("the lottery"),
}


def _ordinal(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return f"{number:,}th"
    return f"{number:,}" + {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _fraction_text(value: Fraction) -> str:
    """Two decimals, exact rounding (half to even), for display only."""
    hundredths = round(value * 100)
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole:,}.{part:02d}"


def money_text(value: int | Fraction, scale: int) -> str:
    """An amount of 1/scale currency units, in currency units: 40,000 (scale 1), 1,250.50 (scale
    100); a Fraction (a share, a load) with two decimals of a unit."""
    if isinstance(value, Fraction):
        return _fraction_text(value / scale)
    if scale == 1:
        return f"{value:,}"
    whole, part = divmod(abs(value), scale)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole:,}.{part:0{len(str(scale)) - 1}d}"


def _shown(key: str, value: Figure, scale: int) -> Figure:
    is_amount = isinstance(value, int | Fraction) and not isinstance(value, bool)
    if key in MONEY_FIGURES and is_amount:
        return money_text(value, scale)  # type: ignore[arg-type]  # is_amount narrowed it
    return value


def _money_figures(figures: Mapping[str, Figure], scale: int) -> dict[str, Figure]:
    """The figures with money amounts already printed, so every template keeps `{cost}`."""
    return {key: _shown(key, value, scale) for key, value in figures.items()}


def figure_text(value: Figure) -> str:
    """A figure as printed: 40,000 / 812.40 / text / a, b."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Fraction):
        return _fraction_text(value)
    if isinstance(value, tuple):
        return ", ".join(value)
    return value


class Formatter(string.Formatter):
    """`str.format` with the specs of the module docstring, in English; `kind` is the score's
    noun ("votes" or "points") that `{score:kind}` puts after the number, singular for 1. The
    web layer overrides the printing methods for the reader's language."""

    def __init__(self, kind: str = "points") -> None:
        self.kind = kind

    def number(self, value: Figure) -> str:
        return figure_text(value)

    def ordinal(self, number: int) -> str:
        return _ordinal(number)

    def criterion(self, code: str) -> str:
        return CRITERIA.get(code, str(code))

    def counted(self, value: Figure, noun: str) -> str:
        """`1 supporter`, `2 supporters`; `noun` may be `singular|plural`."""
        singular, _, plural = noun.partition("|")
        return f"{self.number(value)} {singular if value == 1 else plural or singular + 's'}"

    def kind_noun(self) -> str:
        return self.kind.removesuffix("s")

    def percent(self, value: Figure) -> str:
        return f"{self.number(value)}%"

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "kind":
            return self.counted(value, self.kind_noun())
        if format_spec == "ordinal":
            return self.ordinal(value)
        if format_spec == "id":
            return f"#{value}"
        if format_spec == "criterion":
            return self.criterion(value)
        if format_spec == "pct":
            return self.percent(value)
        if format_spec.startswith("count:"):  # {supporters:count:supporter}: 1 supporter, 2 ...
            return self.counted(value, format_spec.removeprefix("count:"))
        return self.number(value)


def _fallback(explanation: Explanation, scale: int) -> str:
    shown = _money_figures(explanation.figures, scale)
    figures = "; ".join(f"{k} {figure_text(v)}" for k, v in sorted(shown.items()))
    verdict = "funded" if explanation.funded else "not funded"
    return f"{explanation.code} ({verdict})" + (f": {figures}." if figures else ".")


def templates(explanation: Explanation) -> list[str]:
    """The templates of `explanation`'s sentence, in order: its code's, then the equal-shares
    additions, the tie and the pass. KeyError for a code without a template."""
    figures = explanation.figures
    found = [MESSAGES[explanation.code]]
    found += [MES_MESSAGES[extra] for extra in _mes_extras(explanation)]
    tie = figures.get("tie")
    if isinstance(tie, str):
        found.append(TIE_MESSAGES[tie])
    if "envelope" in figures:
        found.append(PASS_MESSAGES["leftover" if figures.get("pass") == "leftover" else "category"])
    return found


def render(explanation: Explanation, scale: int = 1) -> str:
    """The sentence for `explanation`, strictly: KeyError for a code without a template or a
    figure its template needs (the test suite runs every rule's codes through this). Money
    figures are integers of 1/`scale` currency units."""
    figures = _money_figures(explanation.figures, scale)
    formatter = Formatter(str(figures.get("score_kind", "points")))
    return " ".join(formatter.format(t, **figures) for t in templates(explanation))


def _mes_extras(explanation: Explanation) -> list[str]:
    figures = explanation.figures
    raised = "share_initial" in figures
    extras = ["raised"] if raised and explanation.code == "mes-funded" else []
    left, cost = figures.get("left"), figures.get("cost")
    unaffordable = explanation.code == "mes-unaffordable"
    if unaffordable and isinstance(left, int) and isinstance(cost, int) and left >= cost:
        extras.append("left-over-raised" if raised else "left-over")
    return extras


def explain(explanation: Explanation, scale: int = 1) -> str:
    """One English sentence (two when a tie is reported) for one project's explanation; an
    unknown code or a missing figure falls back to the code and its figures. Money figures are
    integers of 1/`scale` currency units (a Pabulib file's `scale`: 100 when it writes cents)."""
    try:
        return render(explanation, scale)
    except (KeyError, IndexError, TypeError, ValueError):
        # Explanations from elsewhere (an older results file, a new rule) must not break a
        # results page; the rules' own codes are checked by the tests through `render`.
        return _fallback(explanation, scale)


def explain_outcome(outcome: Outcome, scale: int = 1) -> list[str]:
    """The sentences for every project, in the election's order (as `outcome.explanations`);
    money figures are integers of 1/`scale` currency units."""
    return [explain(explanation, scale) for explanation in outcome.explanations]
