"""Accounts: roles, email and password policy, session and throttle limits (SECURITY.md T4, T5).

Pure rules; hashing (argon2id) and storage live in `services/accounts.py`.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from budget.domain.errors import (
    EmailNotVerified,
    InvalidChoice,
    InvalidEmail,
    OutOfRange,
    PasswordTooLong,
    PasswordTooShort,
    PasswordTrivial,
    Required,
    TooLong,
)


class Role(StrEnum):
    RESIDENT = "resident"
    REVIEWER = "reviewer"
    OFFICER = "officer"
    COUNCIL = "council"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


@dataclass(frozen=True)
class Caller:
    """Who is asking, as the object loaders of the route table see them: an account and its
    roles, or nobody (a signed-out visitor)."""

    account_id: int | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    # The request's time, for loaders whose answer depends on it (an officer's shift, T2).
    now: datetime | None = None

    @property
    def is_council(self) -> bool:
        return Role.COUNCIL in self.roles


PASSWORD_MIN = 12  # OWASP ASVS V2.1.1
PASSWORD_MAX = 1024  # bounds the work one login asks of argon2
DISPLAY_NAME_MAX = 80
EMAIL_MAX = 254  # RFC 5321 path limit

# Long enough to pass the length rule, yet first in every guessing list.
_COMMON = frozenset(
    {
        "password1234", "password12345", "passwordpassword", "123456789012", "1234567890123",
        "qwertyuiopas", "qwertyuiop12", "azertyuiopqs", "azertyuiop12", "motdepasse12",
        "motdepasse123", "iloveyou1234", "abcdefghijkl", "abc123abc123", "changeme1234",
        "welcome12345", "letmein12345", "administrator", "000000000000", "111111111111",
    }
)  # fmt: skip

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")


def normalise_email(text: str) -> str:
    """The address trimmed and lower-cased (one account per address whatever its case), or
    InvalidEmail. ASCII only: internationalised addresses are refused, not guessed at."""
    email = unicodedata.normalize("NFC", text).strip().lower()
    if not email:
        raise Required()
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or len(email) > EMAIL_MAX
        or not _LOCAL.match(local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidEmail()
    return email


def check_password(password: str, email: str = "") -> None:
    """At least 12 and at most 1024 characters; not trivial: a common password, fewer than four
    distinct characters, or the email address (or its part before @) itself."""
    if len(password) < PASSWORD_MIN:
        raise PasswordTooShort(min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise PasswordTooLong(max=PASSWORD_MAX)
    lowered = password.lower()
    if (
        lowered in _COMMON
        or len(set(lowered)) < 4
        or (email and lowered in (email, email.partition("@")[0]))
    ):
        raise PasswordTrivial()


def check_display_name(text: str) -> str:
    """The name as shown next to proposals: trimmed, 1..80 characters, no control characters."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        raise Required()
    if len(name) > DISPLAY_NAME_MAX:
        raise TooLong(max=DISPLAY_NAME_MAX)
    return name


def check_birth_year(year: int, this_year: int) -> int:
    """A plausible birth year: not in the future, at most 120 years ago."""
    if not this_year - 120 <= year <= this_year:
        raise OutOfRange(min=this_year - 120, max=this_year)
    return year


def check_language(code: str) -> Language:
    try:
        return Language(code)
    except ValueError:
        raise InvalidChoice(choices=", ".join(Language)) from None


# -- sessions (T5) ---------------------------------------------------------------------------

IDLE_LIMIT = timedelta(minutes=30)
PRIVILEGED_IDLE_LIMIT = timedelta(minutes=15)  # officers and council hold more power
ABSOLUTE_LIMIT = timedelta(hours=12)


TOUCH_EVERY = timedelta(seconds=60)  # a session's last_seen is rewritten at most once a minute


def session_expires_at(created_at: datetime, last_seen_at: datetime, idle_seconds: int) -> datetime:
    """When a session ends: idle too long, or open too long whatever the activity."""
    return min(last_seen_at + timedelta(seconds=idle_seconds), created_at + ABSOLUTE_LIMIT)


def idle_limit(roles: Iterable[Role]) -> timedelta:
    """How long a session may sit unused: 15 minutes for officers and council, else 30."""
    privileged = {Role.OFFICER, Role.COUNCIL}
    return PRIVILEGED_IDLE_LIMIT if privileged.intersection(roles) else IDLE_LIMIT


# -- login throttle (T4) ---------------------------------------------------------------------

ACCOUNT_FREE_FAILURES = 5
ACCOUNT_MAX_DELAY = timedelta(minutes=15)
ACCOUNT_MEMORY = timedelta(hours=24)  # failures older than this are forgotten
ADDRESS_MAX_FAILURES = 30
ADDRESS_WINDOW = timedelta(minutes=10)


def account_delay(failures: int) -> timedelta:
    """The wait before the next attempt on an account: none for the first 5 failures, then 1 s
    doubling per failure up to 15 minutes. No hard lockout, so an attacker cannot lock a
    resident out for good."""
    if failures < ACCOUNT_FREE_FAILURES:
        return timedelta(0)
    exponent = failures - ACCOUNT_FREE_FAILURES
    if exponent >= 10:  # 2^10 s already exceeds the cap
        return ACCOUNT_MAX_DELAY
    return min(timedelta(seconds=2**exponent), ACCOUNT_MAX_DELAY)


# -- taking part: the verified-address rule (T13) --------------------------------------------


def may_participate(email_verified_at: datetime | None) -> bool:
    """THE rule: an account may propose, co-author, support, comment, declare eligibility and
    vote only once its owner opened a link sent to its address. Reading needs nothing."""
    return email_verified_at is not None


def check_may_participate(email_verified_at: datetime | None) -> None:
    """`may_participate`, raising EmailNotVerified (a PermissionDenied) when it is False."""
    if not may_participate(email_verified_at):
        raise EmailNotVerified()


# -- mailed links (T13) ----------------------------------------------------------------------


class LinkPurpose(StrEnum):
    VERIFY = "verify"  # a new account's address
    EMAIL_CHANGE = "email-change"  # a new address for an existing account
    RESET = "reset"  # a forgotten password
    RESET_REQUEST = "reset-request"  # a council account's reset, awaiting a second member
    OIDC_LINK = "oidc-link"  # a first sign-in through an identity provider


LINK_LIFETIME = {
    LinkPurpose.VERIFY: timedelta(hours=48),
    LinkPurpose.EMAIL_CHANGE: timedelta(hours=48),
    LinkPurpose.RESET: timedelta(minutes=30),
    LinkPurpose.RESET_REQUEST: timedelta(hours=24),
    LinkPurpose.OIDC_LINK: timedelta(hours=48),
}

# Mail a request may send (register, resend, reset): per address and per source, per window.
# Counted whether or not the address has an account, so the limit reveals nothing (T4).
MAIL_WINDOW = timedelta(hours=1)
MAIL_PER_ADDRESS = 3
MAIL_PER_SOURCE = 20


def mail_wait(sent: int, limit: int, window_start: datetime, now: datetime) -> timedelta:
    """How long until another mail may go: none under the limit or once the window passed."""
    if sent < limit or now - window_start >= MAIL_WINDOW:
        return timedelta(0)
    return window_start + MAIL_WINDOW - now


def address_bucket(client_address: str) -> str:
    """The throttled unit: the IPv4 address, or the /64 network of an IPv6 address."""
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return client_address  # not an IP (a test client's name): throttle it as given
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


# -- what the sessions page shows ------------------------------------------------------------

_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))  # fmt: skip
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))  # fmt: skip


def describe_device(user_agent: str) -> str:
    """A browser and a system named from the user agent ("Firefox, Linux"), nothing finer: the
    full string would identify the device more than the resident needs to recognise it."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return ", ".join(part for part in (browser, system) if part)


def coarse_network(address: str) -> str:
    """The client's network as coarse as the address allows: 203.0.113.0/24, 2001:db8::/48."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
