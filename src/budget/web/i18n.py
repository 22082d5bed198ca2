"""Languages: locale negotiation (fr, en), compiled gettext catalogues, Babel money and dates.

The locale is the user's choice (the account's language, else the language cookie set by the
switcher), else the best match of Accept-Language, else French (the model city's language).
Catalogues are the `.mo` files built by `./scripts/translations compile` from `locales/`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_currency
from babel.support import Translations

LOCALES: Final = ("fr", "en")
DEFAULT_LOCALE: Final = "fr"
DEFAULT_TIME_ZONE: Final = "Europe/Paris"  # times shown outside any cycle (the city's)
LANGUAGE_COOKIE: Final = "budget-lang"
DOMAIN: Final = "messages"


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark a message for extraction without translating it: translated where it is shown."""
    return message


class TranslationsMissingError(RuntimeError):
    """The compiled catalogues are absent: the message says which command builds them."""


@dataclass(frozen=True)
class Catalogs:
    """One compiled catalogue per supported locale."""

    by_locale: Mapping[str, Translations]

    @classmethod
    def load(cls, locales_dir: Path) -> Catalogs:
        catalogs: dict[str, Translations] = {}
        for locale in LOCALES:
            mo = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
            if not mo.is_file():
                raise TranslationsMissingError(
                    f"{mo} is missing: run ./scripts/translations compile "
                    "(./scripts/serve and ./scripts/test do it for you)"
                )
            with mo.open("rb") as handle:
                catalogs[locale] = Translations(handle, domain=DOMAIN)
        return cls(catalogs)

    def get(self, locale: str) -> Translations:
        return self.by_locale[locale if locale in self.by_locale else DEFAULT_LOCALE]


def supported(value: str | None) -> str | None:
    """The supported locale a language tag names (`fr-CA` -> `fr`), or None."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LOCALES else None


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an Accept-Language header, best first (RFC 9110 section 12.5.4).

    Malformed weights count as 0 rather than failing: the header is a hint, never an error."""
    weighted: list[tuple[Decimal, int, str]] = []
    for index, item in enumerate(header.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = Decimal(1)
        if params.strip().startswith("q="):
            try:
                quality = Decimal(params.strip()[2:])
            except ArithmeticError:
                quality = Decimal(0)
        if tag and quality.is_finite() and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(*, chosen: str | None, accept_language: str) -> str:
    """The user's choice if supported, else the best Accept-Language match, else French."""
    if (locale := supported(chosen)) is not None:
        return locale
    for tag in parse_accept_language(accept_language):
        if (locale := supported(tag)) is not None:
            return locale
    return DEFAULT_LOCALE


def format_money(cents: int, currency: str, locale: str) -> str:
    """An amount in minor units, shown the locale's way (`1 250 000,50 €`, `€1,250,000.50`).

    Assumes two minor digits, as for the euro; the exact Decimal keeps every cent."""
    return format_currency(Decimal(cents) / 100, currency, locale=locale)


def format_date(value: dt.date, locale: str) -> str:
    return babel_format_date(value, format="long", locale=locale)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC (PRODUCT.md).
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def format_datetime(value: dt.datetime, locale: str, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """A UTC instant shown in the cycle's time zone (PRODUCT.md: stored UTC, shown local), to
    the minute: `10 janv. 2027, 09:00`, `Jan 10, 2027, 9:00 AM`."""
    local = _aware(value).astimezone(ZoneInfo(time_zone))
    day = babel_format_date(local.date(), format="medium", locale=locale)
    return f"{day}, {babel_format_time(local.time(), format='short', locale=locale)}"


def format_day(value: dt.datetime, locale: str, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """The day of a UTC instant in the cycle's time zone: `10 janv. 2027`."""
    local = _aware(value).astimezone(ZoneInfo(time_zone))
    return babel_format_date(local.date(), format="medium", locale=locale)
