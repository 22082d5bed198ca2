"""Typed errors carry a code and parameters, and read well as English fallbacks."""

from __future__ import annotations

import pytest

from budget.domain.errors import (
    BudgetError,
    FieldErrors,
    OutOfRange,
    Required,
    SchemaTooNew,
    collect,
    raise_if_any,
)


def test_an_error_keeps_its_parameters_and_fills_its_message() -> None:
    error = OutOfRange(min=1, max=5)
    assert error.code == "field.out-of-range"
    assert error.params == {"min": 1, "max": 5}
    assert str(error) == "must lie between 1 and 5"
    assert "newer than this code (0002)" in str(SchemaTooNew(current="0003", head="0002"))


def test_a_message_missing_a_parameter_still_reads() -> None:
    assert str(OutOfRange(min=1)) == "must lie between {min} and {max} {'min': 1}"


def test_field_errors_collect_every_field() -> None:
    errors: dict[str, BudgetError] = {}
    collect(errors, "name", lambda: (_ for _ in ()).throw(Required()))
    collect(errors, "fine", lambda: None)
    assert list(errors) == ["name"]
    with pytest.raises(FieldErrors) as caught:
        raise_if_any(errors)
    assert caught.value.fields["name"].code == "field.required"
    assert str(caught.value) == "some fields are invalid: name (field.required)"
    raise_if_any({})  # nothing to report: no error
