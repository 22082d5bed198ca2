"""domain.codes: what a voter types becomes the canonical code, or nothing (T6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain import codes

pytestmark = pytest.mark.threat("T6")

canonical = st.text(alphabet=codes.ALPHABET, min_size=codes.LENGTH, max_size=codes.LENGTH)
LOOK_ALIKE = {"0": "oO", "1": "iIlL"}


@given(canonical)
def test_a_printed_code_reads_back_as_itself(code: str) -> None:
    printed = codes.grouped(code)
    assert [len(group) for group in printed.split("-")] == [4] * 5
    assert codes.normalise(printed) == code
    assert codes.normalise(code) == code


@given(canonical, st.data())
def test_case_spaces_hyphens_and_look_alikes_do_not_matter(code: str, data: st.DataObject) -> None:
    typed = []
    for symbol in code:
        if symbol in LOOK_ALIKE and data.draw(st.booleans()):
            symbol = data.draw(st.sampled_from(LOOK_ALIKE[symbol]))
        elif data.draw(st.booleans()):
            symbol = symbol.lower()
        typed.append(symbol + data.draw(st.sampled_from(["", "", " ", "-", "\t", "\u00a0"])))
    assert codes.normalise("".join(typed)) == code


@given(canonical, st.integers(min_value=0, max_value=codes.LENGTH - 1), st.sampled_from("uU*é€ß"))
def test_a_symbol_outside_the_alphabet_makes_the_input_invalid(
    code: str, position: int, intruder: str
) -> None:
    assert codes.normalise(code[:position] + intruder + code[position + 1 :]) is None


@given(canonical)
def test_a_symbol_too_few_or_too_many_is_no_code(code: str) -> None:
    assert codes.normalise(code[1:]) is None
    assert codes.normalise(code + "0") is None


def test_overlong_input_is_refused_before_it_is_read() -> None:
    assert codes.normalise(" " * 200) is None
    assert codes.normalise("") is None


@given(st.text(max_size=60))
def test_normalising_is_idempotent(typed: str) -> None:
    once = codes.normalise(typed)
    if once is not None:
        assert len(once) == codes.LENGTH
        assert set(once) <= set(codes.ALPHABET)
        assert codes.normalise(once) == once
