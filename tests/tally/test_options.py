from __future__ import annotations

from fractions import Fraction

import pytest

from budget.tally.options import Options


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"step": 0}, "step"),
        ({"threshold": -1}, "negative"),
        ({"threshold_pct": Fraction(101)}, "percentage"),
        ({"reserve_pct": Fraction(-1)}, "reserve percentage"),
    ],
)
def test_impossible_options_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Options(**kwargs)  # type: ignore[arg-type]  # the test passes each field by name


def test_defaults() -> None:
    assert Options().step == 1
