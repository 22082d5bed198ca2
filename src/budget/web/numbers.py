"""Numbers from the outside (paths, query strings, form fields): the one parser.

Only ASCII digits count (`str.isdigit()` also accepts "²" and "٣", which `int()` then refuses or
reads), with an optional minus sign, at most 19 digits, and the value must fit in a signed 64-bit
integer: the databases' BIGINT, so no id or page number can overflow a query. Anything else is
"not a number" to the caller, who says so or ignores the value; never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

INT64_MAX: Final = 2**63 - 1
ID_DIGITS: Final = 18  # every id of 18 digits fits in 64 bits; the path convertor's bound
_INTEGER: Final = re.compile(r"-?[0-9]{1,19}")
_WHOLE: Final = re.compile(r"-?[0-9]+")  # for telling "not a number" from "out of range"


def is_integer_text(text: str) -> bool:
    """Whether the text is written as a whole number (ASCII digits, optional minus), of any
    length: a form then says "out of range" rather than "not a number" for a huge one."""
    return _WHOLE.fullmatch(text) is not None


def parse_int(text: str, *, minimum: int = -INT64_MAX, maximum: int = INT64_MAX) -> int | None:
    """The integer written in `text` if it lies in [minimum, maximum] (both within 64 bits);
    None for anything else: other characters, more than 19 digits, out of the range."""
    if _INTEGER.fullmatch(text) is None:
        return None
    number = int(text)
    return number if minimum <= number <= maximum and abs(number) <= INT64_MAX else None


def parse_id(text: str) -> int | None:
    """A database id: a positive 64-bit integer in ASCII digits; None otherwise."""
    return parse_int(text, minimum=1)


PAGE_MAX: Final = 10**6


def page_number(query: Mapping[str, str]) -> int:
    """The `page` query parameter of a listing: 1 when absent or not a page number."""
    return parse_int(query.get("page", ""), minimum=1, maximum=PAGE_MAX) or 1
