"""Each project's explanation in the reader's language (PRODUCT.md "Tally", Explanations).

The tally records why as data (a code and exact figures, kept as they are in results.json) and
chooses the sentence's templates (`tally.explain.templates`, English, marked for the catalogue);
here each template is translated with gettext and filled by a `Formatter` that prints in the
page's locale: money with Babel in the budget's currency (rounded to the cent for display only,
computed exactly), numbers with the locale's separators, ranks as the locale's ordinals, nouns
in the locale's plural. A code the catalogue does not know falls back to the tally's English.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final

from babel import Locale
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from budget.tally import explain
from budget.tally.model import Explanation, Figure
from budget.web import i18n
from budget.web.i18n import N_

# The score's noun in `{score:kind}`, by the figure `score_kind`: "singular|plural".
SCORE_NOUNS: Final[Mapping[str, str]] = {"votes": N_("vote|votes"), "points": N_("point|points")}
# Ordinal suffixes by the locale's ordinal plural category (CLDR, through Babel).
ORDINAL_SUFFIXES: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {"one": "st", "two": "nd", "few": "rd", "other": "th"},
    "fr": {"one": "er", "other": "e"},
}


def _decimal(value: Fraction) -> Decimal:
    """Two decimals, rounded half to even: for display only."""
    return Decimal(round(value * 100)) / 100


class LocaleFormatter(explain.Formatter):
    """The tally's template specs, printed in `locale` with `translations`."""

    def __init__(self, kind: str, translations: Translations, locale: str) -> None:
        super().__init__(kind)
        self.translations = translations
        self.locale = locale
        self.plural = Locale.parse(locale).plural_form
        self.ordinal_form = Locale.parse(locale).ordinal_form

    def number(self, value: Figure) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return format_decimal(value, locale=self.locale)
        if isinstance(value, Fraction):
            return format_decimal(_decimal(value), format="#,##0.00", locale=self.locale)
        if isinstance(value, tuple):
            return ", ".join(value)
        return value

    def ordinal(self, number: int) -> str:
        suffixes = ORDINAL_SUFFIXES.get(self.locale, ORDINAL_SUFFIXES["en"])
        form = self.ordinal_form(number)
        return self.number(number) + suffixes.get(form, suffixes["other"])

    def criterion(self, code: str) -> str:
        phrase = explain.CRITERIA.get(code)
        return str(code) if phrase is None else self.translations.gettext(phrase)

    def counted(self, value: Figure, noun: str) -> str:
        singular, _, plural = noun.partition("|")
        many = isinstance(value, int) and self.plural(value) != "one"
        return f"{self.number(value)} {(plural or singular + 's') if many else singular}"

    def percent(self, value: Figure) -> str:
        if isinstance(value, bool) or not isinstance(value, int | Fraction):
            return super().percent(value)
        share = _decimal(Fraction(value)) / 100
        return format_percent(share, locale=self.locale, decimal_quantization=False)

    def kind_noun(self) -> str:
        noun = SCORE_NOUNS.get(self.kind)
        return self.kind if noun is None else self.translations.gettext(noun)


def _money(value: Figure, scale: int, currency: str, locale: str) -> Figure:
    """A money figure (1/scale currency units, int or Fraction) in the currency, to the cent."""
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        return value
    cents = round(Fraction(value) * 100 / scale)
    return i18n.format_money(cents, currency, locale)


def sentence(
    explanation: Explanation,
    *,
    scale: int,
    currency: str,
    translations: Translations,
    locale: str,
) -> str:
    """The explanation's sentence in `locale`; the tally's English when a template is unknown
    or lacks a figure (an older results file): a results page never breaks on it."""
    figures = {
        key: _money(value, scale, currency, locale) if key in explain.MONEY_FIGURES else value
        for key, value in explanation.figures.items()
    }
    formatter = LocaleFormatter(str(figures.get("score_kind", "points")), translations, locale)
    try:
        parts = explain.templates(explanation)
        return " ".join(formatter.format(translations.gettext(t), **figures) for t in parts)
    except (KeyError, IndexError, TypeError, ValueError):
        return explain.explain(explanation, scale)
