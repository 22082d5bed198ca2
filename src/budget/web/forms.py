"""Form data -> typed values, or one clear error per field.

Each reader returns the typed value, or None after recording the field's error; a handler reads
every field, then re-renders the form (status 422, the user's input kept) if any error was
recorded, so nothing is written. Messages are msgids with parameters, translated when shown.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from starlette.datastructures import FormData

from budget.domain.errors import BudgetError, FieldErrors
from budget.domain.money import Cents, parse_amount
from budget.web import messages, numbers
from budget.web.i18n import N_
from budget.web.messages import Message

REQUIRED: Final = N_("This field is required.")
TOO_LONG: Final = N_("Use at most %(max)s characters.")
TOO_SHORT: Final = N_("Use at least %(min)s characters.")
NOT_TEXT: Final = N_("Remove the control characters from this field.")
NOT_INTEGER: Final = N_("Enter a whole number, such as 3.")
OUT_OF_RANGE: Final = N_("Enter a number from %(min)s to %(max)s.")
NOT_EMAIL: Final = N_("Enter an email address, such as name@example.org.")
NOT_DATE: Final = N_("Enter a date as YYYY-MM-DD, such as 2027-03-01.")
NOT_CHOICE: Final = N_("Choose one of the options.")
NOT_DATETIME: Final = N_("Enter a date and time, such as 2027-03-01 09:00.")
BOTH_OR_NEITHER: Final = N_("Enter both the start and the end, or neither.")

FORM_LEVEL: Final = "__form__"  # errors about the whole form, shown above it
TEXT_LIMIT: Final = 1000  # a sanity bound on free text; the services apply the real limits

# Deliberately loose (one @, a dot in the domain, no spaces): the confirmation mail is the test.
EMAIL_PATTERN: Final = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH: Final = 254


def amount_input(cents: int | None, locale: str) -> str:
    """Minor units as a form shows them: `1250000,50` in French, `1250000.50` in English."""
    if cents is None:
        return ""
    return format_decimal(Decimal(cents) / 100, format="0.00", locale=locale)


def is_clean_text(value: str, *, multiline: bool) -> bool:
    """No control characters (NUL, escapes, bidi overrides), no lone surrogates."""
    allowed = {"\n", "\r", "\t"} if multiline else set()
    for char in value:
        if char in allowed:
            continue
        if unicodedata.category(char) in {"Cc", "Cs"} or char in "\u202a\u202b\u202c\u202d\u202e":
            return False
    return True


def search_term(params: Mapping[str, str], *, max_length: int = TEXT_LIMIT) -> str:
    """The `q` of a search box, trimmed to `max_length`; one with control characters (a NUL
    would reach PostgreSQL and fail there) is ignored, as if nothing were typed (T11)."""
    search = params.get("q", "").strip()[:max_length]
    return search if is_clean_text(search, multiline=False) else ""


class Form:
    """Typed reading of one submitted form, collecting per-field errors."""

    def __init__(self, data: FormData | Mapping[str, str]) -> None:
        self.values: dict[str, str] = {}
        self.errors: dict[str, Message] = {}
        self.labels: dict[str, str] = {}  # filled by the templates' field macros, for the summary
        self.lists: dict[str, list[str]] = {}  # every value of each key (repeated fields)
        self.refusal: BudgetError | None = None  # a service's refusal not about one field
        self.renames: dict[str, str] = {}  # a service's field names -> this form's
        self.placed: dict[str, str] = {}  # error code -> the field it is shown next to
        for key in data:
            value = data.get(key)
            # A file where text is expected is read as empty: required fields then say so.
            self.values[key] = value if isinstance(value, str) else ""
            every = data.getlist(key) if isinstance(data, FormData) else [data[key]]
            self.lists[key] = [v for v in every if isinstance(v, str)]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def add_error(self, name: str, msgid: str, **params: object) -> None:
        """Record the first error of a field (later ones would repeat the same problem)."""
        self.errors.setdefault(name, Message(msgid, params))

    def add_service_error(
        self,
        error: BudgetError,
        *,
        field: str = FORM_LEVEL,
        renames: Mapping[str, str] | None = None,
    ) -> None:
        """Show a service's refusal: each of its field errors next to that field (`renames`
        maps the service's names to the form's), any other error at `field` (default: above
        the form)."""
        if isinstance(error, FieldErrors):
            for name, field_error in error.fields.items():
                shown = (renames or self.renames).get(name, name)
                self.errors.setdefault(shown, messages.of_error(field_error))
        else:
            self.refusal = self.refusal or error
            self.errors.setdefault(self.placed.get(error.code, field), messages.of_error(error))

    @property
    def status(self) -> int:
        """The status of the page showing this form again: 422 for what the user wrote, or the
        refusal's own (409 when the state of things forbids it, 429 when throttled)."""
        return 422 if self.refusal is None else messages.status_of(self.refusal)

    def text(
        self,
        name: str,
        *,
        required: bool = True,
        max_length: int = 200,
        min_length: int = 0,
        multiline: bool = False,
    ) -> str | None:
        value = self.values.get(name, "").strip()
        if not value:
            if required:
                self.add_error(name, REQUIRED)
                return None
            return ""
        if not is_clean_text(value, multiline=multiline):
            self.add_error(name, NOT_TEXT)
        elif len(value) > max_length:
            self.add_error(name, TOO_LONG, max=max_length)
        elif len(value) < min_length:
            self.add_error(name, TOO_SHORT, min=min_length)
        else:
            return value
        return None

    def secret(self, name: str, *, max_length: int = 1024) -> str | None:
        """A password as typed: never stripped (spaces are allowed characters), never echoed."""
        value = self.values.pop(name, "")
        if not value:
            self.add_error(name, REQUIRED)
            return None
        if len(value) > max_length:
            self.add_error(name, TOO_LONG, max=max_length)
            return None
        return value

    def email(self, name: str) -> str | None:
        value = self.text(name, max_length=MAX_EMAIL_LENGTH)
        if value is None:
            return None
        if not EMAIL_PATTERN.match(value):
            self.add_error(name, NOT_EMAIL)
            return None
        return value

    def integer(
        self, name: str, *, minimum: int, maximum: int, required: bool = True
    ) -> int | None:
        value = self.text(name, required=required, max_length=40)
        if not value:
            return None
        if not numbers.is_integer_text(value):
            self.add_error(name, NOT_INTEGER)
            return None
        number = numbers.parse_int(value, minimum=minimum, maximum=maximum)
        if number is None:
            self.add_error(name, OUT_OF_RANGE, min=minimum, max=maximum)
        return number

    def ids(self, name: str) -> list[int]:
        """Every value of a repeated field (checkboxes) that is an id; others are left out."""
        return [n for v in self.lists.get(name, ()) if (n := numbers.parse_id(v)) is not None]

    def date(self, name: str, *, required: bool = True) -> dt.date | None:
        value = self.text(name, required=required, max_length=10)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.add_error(name, NOT_DATE)
            return None

    def choice(self, name: str, choices: Sequence[str], *, required: bool = True) -> str | None:
        value = self.text(name, required=required, max_length=100)
        if not value:
            return None
        if value not in choices:
            self.add_error(name, NOT_CHOICE)
            return None
        return value

    def amount(self, name: str, *, required: bool = True) -> Cents | None:
        """An amount of money in minor units, parsed exactly by domain.money."""
        value = self.text(name, required=required, max_length=40)
        if not value:
            return None
        try:
            return parse_amount(value)
        except BudgetError as error:
            self.errors.setdefault(name, messages.of_error(error))
            return None

    def local_datetime(
        self, name: str, time_zone: str, *, required: bool = True
    ) -> dt.datetime | None:
        """A `datetime-local` value, read in the cycle's time zone, returned in UTC."""
        value = self.text(name, required=required, max_length=25)
        if not value:
            return None
        try:
            naive = dt.datetime.fromisoformat(value.replace(" ", "T"))
        except ValueError:
            self.add_error(name, NOT_DATETIME)
            return None
        if naive.tzinfo is not None:
            self.add_error(name, NOT_DATETIME)
            return None
        return naive.replace(tzinfo=ZoneInfo(time_zone)).astimezone(dt.UTC)
