"""Services are called with keyword arguments only, so a swapped positional value cannot slip by."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from budget.web import transactions


def service(db: Any, now: dt.datetime, *extra: object) -> None:
    raise AssertionError  # never reached


@pytest.mark.parametrize("call", [transactions.perform, transactions.perform_hashing])
def test_positional_arguments_are_refused(call: Any) -> None:
    with pytest.raises(TypeError, match="keyword arguments only"):
        asyncio.run(call(None, service, 1))
