"""Form readers: typed values, or one clear message per field."""

from __future__ import annotations

import datetime as dt

import pytest

from budget.domain.errors import FieldErrors, Required, WrongPassword
from budget.web import forms
from budget.web.forms import FORM_LEVEL, Form


def test_text_is_trimmed_and_bounded() -> None:
    form = Form({"a": "  hello ", "b": "x" * 11, "c": "", "d": "ab"})
    assert form.text("a") == "hello"
    assert form.text("b", max_length=10) is None
    assert form.text("c") is None
    assert form.text("c", required=False) == ""
    assert form.text("d", min_length=3) is None
    assert form.errors["b"].msgid == forms.TOO_LONG
    assert form.errors["c"].msgid == forms.REQUIRED
    assert form.errors["d"].msgid == forms.TOO_SHORT


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "a\u202eb", "line\nbreak"])
def test_control_characters_are_refused_in_single_line_text(value: str) -> None:
    form = Form({"a": value})
    assert form.text("a") is None
    assert form.errors["a"].msgid == forms.NOT_TEXT


def test_line_breaks_are_kept_in_multiline_text() -> None:
    assert Form({"a": "one\r\ntwo"}).text("a", multiline=True) == "one\r\ntwo"


def test_a_secret_is_never_echoed_back() -> None:
    form = Form({"password": " with spaces "})
    assert form.secret("password") == " with spaces "
    assert "password" not in form.values


def test_numbers_dates_and_choices() -> None:
    form = Form(
        {"n": "42", "m": "4.2", "r": "99", "d": "2027-02-30", "e": "2027-02-28", "c": "b", "x": "z"}
    )
    assert form.integer("n", minimum=0, maximum=100) == 42
    assert form.integer("m", minimum=0, maximum=100) is None
    assert form.integer("r", minimum=0, maximum=10) is None
    assert form.date("d") is None
    assert form.date("e") == dt.date(2027, 2, 28)
    assert form.choice("c", ["a", "b"]) == "b"
    assert form.choice("x", ["a", "b"]) is None
    assert {k: e.msgid for k, e in form.errors.items()} == {
        "m": forms.NOT_INTEGER,
        "r": forms.OUT_OF_RANGE,
        "d": forms.NOT_DATE,
        "x": forms.NOT_CHOICE,
    }


def test_amounts_are_exact_minor_units() -> None:
    form = Form({"a": "1 250 000,50 €", "b": "1,250"})
    assert form.amount("a") == 125_000_050
    assert form.amount("b") is None
    assert "Ambiguous" in form.errors["b"].msgid


def test_local_times_become_utc() -> None:
    form = Form({"t": "2027-07-01T12:00", "u": "noon", "v": "2027-07-01T12:00+02:00"})
    assert form.local_datetime("t", "Europe/Paris") == dt.datetime(2027, 7, 1, 10, tzinfo=dt.UTC)
    assert form.local_datetime("u", "Europe/Paris") is None
    assert form.local_datetime("v", "Europe/Paris") is None


def test_the_email_reader_accepts_ordinary_addresses_only() -> None:
    form = Form({"a": "ada@example.org", "b": "ada@", "c": "two@at@example.org"})
    assert form.email("a") == "ada@example.org"
    assert form.email("b") is None
    assert form.email("c") is None


def test_service_errors_land_on_their_fields() -> None:
    form = Form({})
    form.add_service_error(
        FieldErrors({"email": Required(), "district_id": Required()}),
        renames={"district_id": "district"},
    )
    form.add_service_error(WrongPassword())
    form.add_service_error(WrongPassword(), field="current_password")
    assert set(form.errors) == {"email", "district", FORM_LEVEL, "current_password"}


def test_a_file_where_text_is_expected_reads_as_empty() -> None:
    from starlette.datastructures import FormData, UploadFile

    upload = UploadFile(file=__import__("io").BytesIO(b"x"), filename="x.txt")
    form = Form(FormData([("name", upload)]))
    assert form.text("name") is None
