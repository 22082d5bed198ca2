"""Receipts: 16 Crockford base32 symbols (80 bits), shown in groups of four (PRODUCT.md
"Casting and revision"; T3, T8). Typing tolerates case, spaces, hyphens and look-alikes."""

from __future__ import annotations

import hashlib

from budget.domain.errors import InvalidReceipt

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 16
RAW_BYTES = LENGTH * 5 // 8  # 80 bits
_LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def encode(raw: bytes) -> str:
    """The 16-symbol receipt for 10 random bytes."""
    if len(raw) != RAW_BYTES:
        raise ValueError("a receipt takes exactly 10 bytes")
    number = int.from_bytes(raw, "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH)))


def normalise(text: str) -> str:
    """The receipt as typed, in canonical form; InvalidReceipt unless it can be one."""
    cleaned = "".join(text.upper().replace("-", "").split()).translate(_LOOK_ALIKES)
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        raise InvalidReceipt()
    return cleaned


def grouped(receipt: str) -> str:
    """`ABCD-EFGH-JKMN-PQRS`, for reading aloud and printing."""
    return "-".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def digest(receipt: str) -> str:
    """What is stored: the SHA-256 of the canonical receipt, in hex."""
    return hashlib.sha256(receipt.encode()).hexdigest()
