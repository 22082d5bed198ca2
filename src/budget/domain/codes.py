"""Voting codes (T6): 20 symbols of Crockford's base32 (100 bits), printed in groups of four;
what a voter types is normalised before it is looked up, and guessing is throttled.

Crockford's alphabet has no I, L, O nor U: typed `I` and `L` read as `1`, `O` as `0`; case,
spaces and hyphens do not matter. `U` (and anything else outside the alphabet) makes the input
invalid rather than guessed at.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH: Final = 20
GROUP: Final = 4
_LOOK_ALIKES: Final = {"I": "1", "L": "1", "O": "0"}
_IGNORED: Final = frozenset(" -\t\u00a0")
MAX_TYPED: Final = 100  # longer input is refused before it is read

# Throttle (SECURITY.md T6): 10 failures from one address in 10 minutes; and, against guessing
# spread over many addresses, 1,000 failures for one cycle in 10 minutes stop every attempt on it.
WINDOW: Final = timedelta(minutes=10)
SOURCE_MAX_FAILURES: Final = 10
CYCLE_MAX_FAILURES: Final = 1000


def normalise(typed: str) -> str | None:
    """The canonical 20 symbols of what was typed, or None if it cannot be a code."""
    if len(typed) > MAX_TYPED:
        return None
    symbols = []
    for char in typed:
        if char in _IGNORED:
            continue
        upper = _LOOK_ALIKES.get(char.upper(), char.upper()) if char.isascii() else char
        if upper not in ALPHABET:
            return None
        symbols.append(upper)
    return "".join(symbols) if len(symbols) == LENGTH else None


def grouped(code: str) -> str:
    """A canonical code as printed: groups of four joined by hyphens (ABCD-EFGH-...)."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
