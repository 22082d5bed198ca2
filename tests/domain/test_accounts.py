"""Email and password policy, session limits and the login throttle's delays."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta

import pytest

from budget.domain import accounts, errors
from budget.domain.accounts import ABSOLUTE_LIMIT, Caller, Language, Role, session_expires_at
from budget.domain.errors import (
    InvalidChoice,
    InvalidEmail,
    OutOfRange,
    PasswordTooLong,
    PasswordTooShort,
    PasswordTrivial,
    Required,
    TooLong,
)


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("  Amina.Diallo@Example.FR ", "amina.diallo@example.fr"),
        ("léa+pb@mairie-paris.fr".replace("é", "e"), "lea+pb@mairie-paris.fr"),
        ("x@a.bc", "x@a.bc"),
    ],
)
def test_emails_are_trimmed_and_lower_cased(text: str, email: str) -> None:
    assert accounts.normalise_email(text) == email


@pytest.mark.parametrize(
    "text",
    [
        "no-at-sign", "two@@example.fr", "@example.fr", "user@", "user@localhost",
        "user@example.123", ".user@example.fr", "user.@example.fr", "us..er@example.fr",
        "user@-example.fr", "us er@example.fr", "léa@example.fr", "u@" + "a" * 250 + ".fr",
    ],
)  # fmt: skip
def test_malformed_emails_are_refused(text: str) -> None:
    with pytest.raises(InvalidEmail):
        accounts.normalise_email(text)


def test_an_empty_email_is_required() -> None:
    with pytest.raises(Required):
        accounts.normalise_email("   ")


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short-pass1", PasswordTooShort),
        ("x" * 1025, PasswordTooLong),
        ("aaaaaaaaaaaa", PasswordTrivial),
        ("abababababab", PasswordTrivial),
        ("Password1234", PasswordTrivial),
        ("amina.diallo", PasswordTrivial),
        ("amina.diallo@example.fr", PasswordTrivial),
    ],
)
def test_weak_passwords_are_refused(password: str, error: type) -> None:
    with pytest.raises(error):
        accounts.check_password(password, "amina.diallo@example.fr")


def test_a_long_varied_password_is_accepted() -> None:
    accounts.check_password("correct horse battery staple", "amina@example.fr")
    accounts.check_password("correct horse battery staple")


def test_display_names_are_tidied_and_bounded() -> None:
    assert accounts.check_display_name("  Amina \t Diallo ") == "Amina Diallo"
    with pytest.raises(Required):
        accounts.check_display_name(" \n ")
    with pytest.raises(TooLong):
        accounts.check_display_name("x" * 81)


def test_birth_years_are_plausible() -> None:
    assert accounts.check_birth_year(1990, 2027) == 1990
    for year in (1906, 2028):
        with pytest.raises(OutOfRange):
            accounts.check_birth_year(year, 2027)


def test_languages_are_french_or_english() -> None:
    assert accounts.check_language("en") is Language.EN
    with pytest.raises(InvalidChoice):
        accounts.check_language("de")


@pytest.mark.threat("T5")
def test_officers_and_council_sessions_idle_out_sooner() -> None:
    assert accounts.idle_limit([]) == timedelta(minutes=30)
    assert accounts.idle_limit([Role.RESIDENT, Role.REVIEWER]) == timedelta(minutes=30)
    assert accounts.idle_limit([Role.RESIDENT, Role.OFFICER]) == timedelta(minutes=15)
    assert accounts.idle_limit([Role.COUNCIL]) == timedelta(minutes=15)
    assert timedelta(hours=12) == accounts.ABSOLUTE_LIMIT


@pytest.mark.threat("T4")
def test_account_delay_doubles_from_one_second_to_fifteen_minutes() -> None:
    delays = [accounts.account_delay(n).total_seconds() for n in range(20)]
    assert delays[:5] == [0] * 5
    assert delays[5:15] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    assert delays[15:] == [900] * 5


def test_a_caller_is_council_only_with_the_role() -> None:
    assert not Caller().is_council
    assert not Caller(1, frozenset({Role.RESIDENT})).is_council
    assert Caller(1, frozenset({Role.RESIDENT, Role.COUNCIL})).is_council


def test_a_session_ends_when_idle_or_at_its_absolute_limit() -> None:
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    idle = session_expires_at(start, start + timedelta(hours=1), 1800)
    assert idle == start + timedelta(hours=1, minutes=30)
    late = session_expires_at(start, start + timedelta(hours=11, minutes=50), 1800)
    assert late == start + ABSOLUTE_LIMIT


# -- issue 19: taking part, mail throttle, what the sessions page shows -----------------------


def test_only_a_verified_address_may_take_part() -> None:
    when = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    assert accounts.may_participate(when)
    assert not accounts.may_participate(None)
    accounts.check_may_participate(when)
    with pytest.raises(errors.EmailNotVerified) as caught:
        accounts.check_may_participate(None)
    assert isinstance(caught.value, errors.PermissionDenied)


def test_mail_wait_counts_within_the_hour_only() -> None:
    start = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
    assert accounts.mail_wait(2, 3, start, start) == dt.timedelta(0)
    assert accounts.mail_wait(3, 3, start, start + dt.timedelta(minutes=20)) == dt.timedelta(
        minutes=40
    )
    assert accounts.mail_wait(3, 3, start, start + accounts.MAIL_WINDOW) == dt.timedelta(0)


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        ("Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Firefox/130.0", "Firefox, Linux"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Safari/604.1",
         "Safari, iOS"),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36 Edg/131.0", "Edge, Windows"),
        ("curl/8.5.0", ""),
    ],
)  # fmt: skip
def test_a_device_is_named_by_browser_and_system_only(agent: str, shown: str) -> None:
    assert accounts.describe_device(agent) == shown


@pytest.mark.parametrize(
    ("address", "network"),
    [("203.0.113.77", "203.0.113.0/24"), ("2001:db8:1:2::5", "2001:db8:1::/48"),
     ("::ffff:198.51.100.9", "198.51.100.0/24"), ("testclient", "")],
)  # fmt: skip
def test_the_network_is_as_coarse_as_the_address_allows(address: str, network: str) -> None:
    assert accounts.coarse_network(address) == network


def test_address_buckets_throttle_ipv6_by_64() -> None:
    assert accounts.address_bucket("192.0.2.1") == "192.0.2.1"
    assert accounts.address_bucket("::ffff:192.0.2.1") == "192.0.2.1"
    assert accounts.address_bucket("2001:db8::1") == "2001:db8::/64"
    assert accounts.address_bucket("testclient") == "testclient"
