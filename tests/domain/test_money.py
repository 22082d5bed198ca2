"""Amounts are read exactly into integer cents; anything doubtful is refused, never rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain.errors import (
    AmbiguousAmount,
    AmountTooLarge,
    InvalidAmount,
    NegativeAmount,
    SubCentAmount,
)
from budget.domain.money import MAX_CENTS, parse_amount, to_decimal


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1 250 000,50 €", 125000050),
        ("1250000.50", 125000050),
        ("1,250,000.50", 125000050),
        ("1.250.000,50", 125000050),
        ("1\u202f250\u00a0000 €", 125000000),
        ("EUR 12", 1200),
        ("12 euros", 1200),
        ("1'250.5", 125050),
        ("0,10", 10),
        ("0,250", 25),
        ("1.250.000", 125000000),
        ("1250,500", 125050),
        ("12,3400", 1234),
        ("0", 0),
    ],
)
def test_amounts_people_write_are_read_exactly(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", InvalidAmount),
        ("€", InvalidAmount),
        ("abc", InvalidAmount),
        ("1e5", InvalidAmount),
        ("NaN", InvalidAmount),
        ("1,,2", InvalidAmount),
        ("1,250,000,50", InvalidAmount),
        ("1.250,000.50", InvalidAmount),
        ("1" * 41, InvalidAmount),
        ("1,250", AmbiguousAmount),
        ("12.500", AmbiguousAmount),
        ("-5", NegativeAmount),
        ("\u22125 €", NegativeAmount),
        ("0.001", SubCentAmount),
        ("12,345", AmbiguousAmount),
        ("12,3456", SubCentAmount),
        ("1 000 000 000 001", AmountTooLarge),
    ],
)
def test_doubtful_amounts_are_refused_with_their_reason(text: str, error: type) -> None:
    with pytest.raises(error):
        parse_amount(text)


def test_too_large_names_the_limit() -> None:
    with pytest.raises(AmountTooLarge) as caught:
        parse_amount(str(MAX_CENTS))
    assert caught.value.params == {"max": MAX_CENTS}


@given(st.integers(min_value=0, max_value=MAX_CENTS))
def test_a_decimal_written_amount_round_trips(cents: int) -> None:
    whole, fraction = divmod(cents, 100)
    assert parse_amount(f"{whole}.{fraction:02d}") == cents
    assert parse_amount(f"{whole:,}.{fraction:02d}".replace(",", " ")) == cents
    assert to_decimal(cents) == Decimal(cents) / 100
