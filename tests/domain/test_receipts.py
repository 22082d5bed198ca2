"""Receipts: alphabet, length, tolerant typing, stored digest."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain import receipts
from budget.domain.errors import InvalidReceipt


@given(st.binary(min_size=10, max_size=10))
def test_every_receipt_is_16_crockford_symbols_and_reads_back(raw) -> None:
    receipt = receipts.encode(raw)
    assert len(receipt) == 16
    assert set(receipt) <= set(receipts.ALPHABET)
    assert int.from_bytes(raw, "big") == sum(
        receipts.ALPHABET.index(c) << (5 * (15 - i)) for i, c in enumerate(receipt)
    )
    assert receipts.normalise(receipts.grouped(receipt).lower()) == receipt


def test_typing_tolerates_case_spaces_hyphens_and_look_alikes() -> None:
    assert receipts.normalise(" abcd-efgh ijkl-mnoo ") == "ABCDEFGH1JK1MN00"
    assert receipts.grouped("ABCDEFGHJKMNPQRS") == "ABCD-EFGH-JKMN-PQRS"


@pytest.mark.parametrize("text", ["", "ABCD", "ABCDEFGHJKMNPQRSX", "ABCDEFGHJKMNPQR!", "U" * 16])
def test_what_cannot_be_a_receipt_is_refused(text) -> None:
    with pytest.raises(InvalidReceipt):
        receipts.normalise(text)


def test_the_digest_is_sha256_of_the_receipt() -> None:
    assert receipts.digest("ABCD") == hashlib.sha256(b"ABCD").hexdigest()


def test_encode_takes_ten_bytes() -> None:
    with pytest.raises(ValueError, match="10 bytes"):
        receipts.encode(b"short")
