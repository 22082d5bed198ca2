"""Money as `Cents`: an int of minor units, parsed exactly from what people type.

Display belongs to web/i18n.py (Babel, from `to_decimal`). Parsing uses `Decimal` only to read the
digits; the result is an int, and any input finer than one cent is refused rather than rounded.
"""

from __future__ import annotations

import re
from decimal import Decimal

from budget.domain.errors import (
    AmbiguousAmount,
    AmountTooLarge,
    InvalidAmount,
    NegativeAmount,
    SubCentAmount,
)

Cents = int

MAX_CENTS: Cents = 10**14  # one trillion units: far above any city's whole budget
_MAX_TEXT = 40  # longer input is not an amount; refuse before any arithmetic

_CURRENCY = re.compile(r"^(?:€|eur|euros?)\s*|\s*(?:€|eur|euros?)$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")  # group separators: spaces (incl. NBSP), '
_SINGLE = re.compile(r"^(?P<whole>\d+)(?:[.,](?P<fraction>\d+))?$")
_GROUPED = re.compile(
    r"^(?P<whole>\d{1,3}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*)(?:(?!(?P=sep))[.,](?P<fraction>\d+))?$"
)


def parse_amount(text: str) -> Cents:
    """Read "1 250 000,50 €", "1250000.50", "1,250,000.50" or "1.250.000,50" as 125000050.

    Spaces and apostrophes group digits; the last separator followed by other than exactly three
    digits is the decimal mark. A lone separator before exactly three digits ("1,250") is
    refused as ambiguous (1.25 in French, 1250 in English). Negative, sub-cent, exponent and
    over-large inputs are refused with their own error.
    """
    cleaned = text.strip()
    if not cleaned or len(cleaned) > _MAX_TEXT:
        raise InvalidAmount()
    cleaned = _CURRENCY.sub("", cleaned).strip()
    if cleaned[:1] in ("-", "\u2212"):
        raise NegativeAmount()
    cleaned = _SPACES.sub("", cleaned)
    digits = _normalise(cleaned)
    value = Decimal(digits) * 100
    if value != value.to_integral_value():
        raise SubCentAmount()
    cents = int(value)
    if cents > MAX_CENTS:
        raise AmountTooLarge(max=MAX_CENTS)
    return cents


def _normalise(cleaned: str) -> str:
    """The amount as plain `digits[.digits]`, or a typed error."""
    single = _SINGLE.match(cleaned)
    if single:
        whole, fraction = single["whole"], single["fraction"]
        # "1,250" may mean 1.25 or 1250; "0,250" cannot be a thousands group
        if fraction is not None and len(fraction) == 3 and len(whole) <= 3 and whole[0] != "0":
            raise AmbiguousAmount()
        return f"{whole}.{fraction}" if fraction else whole
    grouped = _GROUPED.match(cleaned)
    if grouped is None:
        raise InvalidAmount()
    whole = grouped["whole"].replace(grouped["sep"], "")
    fraction = grouped["fraction"]
    return f"{whole}.{fraction}" if fraction else whole


def to_decimal(cents: Cents) -> Decimal:
    """The amount in major units, exactly (for display with Babel)."""
    return Decimal(cents).scaleb(-2)
