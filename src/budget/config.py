"""Settings from environment variables; read only at the edges (web/ and cli.py).

Variables (README, "Configuration"):
- BUDGET_ENV: `production` (default) or `development`. Development relaxes two things only: a
  missing SECRET_KEY is generated for the process (with a warning), and cookies drop `Secure`
  and the `__Host-` prefix so that http://127.0.0.1 works.
- DATABASE_URL: SQLAlchemy URL; default a SQLite file under ./var/.
- SECRET_KEY: at least 32 bytes, not a known example; required outside development (T12).
- PORT: the port `budget serve` listens on, default 8000.
- TRUSTED_PROXIES: comma-separated CIDRs whose X-Forwarded-For is believed (T4); default none.
- BUDGET_TILE_URL: the map's tile URL template (`https://host/{z}/{x}/{y}.png`, `{s}` allowed
  for subdomains); its host is added to the CSP's img-src. Default: OpenStreetMap's tiles.
- BUDGET_TILE_ATTRIBUTION: the credit line the tile provider requires, shown on the map.
- BUDGET_BASE_URL: the site's public address (https://budget.city.example), which mailed links
  and OpenID Connect redirects use (never taken from the request's Host header, which a caller
  chooses). Default http://127.0.0.1:PORT; the app warns at start outside development without it.
- BUDGET_OIDC_PROVIDERS: comma-separated names of OpenID Connect providers (franceconnect,city);
  for each NAME, BUDGET_OIDC_<NAME>_ISSUER (https URL; http only for 127.0.0.1 or localhost),
  _CLIENT_ID, _CLIENT_SECRET (never printed), _SCOPES (default "openid email"), _LABEL (the
  button's text, default the name).
- BUDGET_SMTP_HOST, BUDGET_SMTP_PORT (587), BUDGET_SMTP_USERNAME, BUDGET_SMTP_PASSWORD,
  BUDGET_SMTP_FROM, BUDGET_SMTP_STARTTLS (true): where `budget mail send` delivers the outbox.
  Without a host, mail stays in the outbox (the council reads it at /admin/outbox). The
  password is never printed (T12).
- BUDGET_MEDIA_DIR: a directory for proposal images (files named by random keys); without it
  they are kept in the database.
- BUDGET_GEOCODER_URL: an address search service for the proposal form, as a URL template with
  `{query}` (for France's national address service:
  `https://api-adresse.data.gouv.fr/search/?q={query}&limit=5`) answering GeoJSON; the server
  asks it, so the browser's CSP stays 'self'. Off by default.
- BUDGET_ROLL_RETENTION: `purge` (default) or `keep`: whether archiving a cycle purges its roll,
  declarations and voting codes (domain.eligibility.RollRetention).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from budget.domain.eligibility import RollRetention

Environment = Literal["development", "production"]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ENVIRONMENTS: tuple[Environment, ...] = ("development", "production")
MIN_SECRET_BYTES = 32
DEFAULT_PORT = 8000
# Values copied from tutorials: a key anyone can read is no key.
KNOWN_EXAMPLE_KEYS = frozenset(
    {
        "changeme",
        "change-me",
        "secret",
        "secret-key",
        "your-secret-key",
        "django-insecure",
        "development",
        "dev",
    }
)


DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
_TILE_URL = re.compile(
    r"^https://(?P<host>(?:\{s\}\.)?[a-z0-9.-]+(?::[0-9]{1,5})?)/[A-Za-z0-9._~/{}@?&=%-]*$"
)


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect provider (BUDGET_OIDC_<NAME>_*)."""

    name: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)  # never printed (T12)
    scopes: str = "openid email"
    label: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server of `budget mail send` (BUDGET_SMTP_*)."""

    host: str
    port: int
    sender: str
    username: str | None
    password: str | None = field(default=None, repr=False)  # never printed (T12)
    starttls: bool = True


class ConfigError(ValueError):
    """A variable is missing or invalid; the message names it and says how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Everything the entry points need from the environment, validated once."""

    env: Environment
    database_url: str
    secret_key: str
    port: int = DEFAULT_PORT
    trusted_proxies: tuple[IPNetwork, ...] = ()
    secret_key_generated: bool = False
    tile_url: str = DEFAULT_TILE_URL
    tile_attribution: str = DEFAULT_TILE_ATTRIBUTION
    smtp: SmtpSettings | None = None
    media_dir: Path | None = None
    geocoder_url: str | None = None
    base_url: str = ""
    oidc_providers: tuple[OidcProvider, ...] = ()
    roll_retention: RollRetention = RollRetention.PURGE

    @property
    def public_url(self) -> str:
        """BUDGET_BASE_URL without its trailing slash, or the development default."""
        return (self.base_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    def key_for(self, purpose: str) -> bytes:
        """A key per purpose, HMAC(SECRET_KEY, purpose) (SECURITY.md): one leak stays put."""
        return hmac.new(self.secret_key.encode(), purpose.encode(), hashlib.sha256).digest()

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, cwd: Path | None = None) -> Settings:
        """Read and check every variable; raise ConfigError naming the first problem."""
        env = parse_environment(environ.get("BUDGET_ENV", "production"))
        raw_key = environ.get("SECRET_KEY", "")
        generated = False
        if not raw_key and env == "development":
            raw_key, generated = secrets.token_urlsafe(48), True
        return cls(
            env=env,
            database_url=environ.get("DATABASE_URL") or default_database_url(cwd or Path.cwd()),
            secret_key=check_secret_key(raw_key),
            port=parse_port(environ.get("PORT", str(DEFAULT_PORT))),
            trusted_proxies=parse_trusted_proxies(environ.get("TRUSTED_PROXIES", "")),
            secret_key_generated=generated,
            tile_url=parse_tile_url(environ.get("BUDGET_TILE_URL") or DEFAULT_TILE_URL),
            tile_attribution=(
                environ.get("BUDGET_TILE_ATTRIBUTION", "").strip() or DEFAULT_TILE_ATTRIBUTION
            ),
            smtp=parse_smtp(environ),
            media_dir=parse_media_dir(environ.get("BUDGET_MEDIA_DIR", ""), cwd or Path.cwd()),
            geocoder_url=parse_geocoder_url(environ.get("BUDGET_GEOCODER_URL", "")),
            base_url=parse_base_url(environ.get("BUDGET_BASE_URL", "")),
            oidc_providers=parse_oidc(environ),
            roll_retention=parse_roll_retention(environ.get("BUDGET_ROLL_RETENTION", "")),
        )


def default_database_url(cwd: Path) -> str:
    return f"sqlite:///{(cwd / 'var' / 'budget.sqlite3').resolve()}"


def parse_environment(value: str) -> Environment:
    for candidate in ENVIRONMENTS:
        if value == candidate:
            return candidate
    raise ConfigError(f"BUDGET_ENV must be 'production' or 'development', not {value!r}")


# Words that only a placeholder key holds ("changeme-changeme-...", "replace-me-in-production"),
# looked for in the key's letters and digits, separators and case dropped.
PLACEHOLDERS = ("changeme", "replaceme", "yoursecret", "insecure", "placeholder", "example")


def _repeats_a_pattern(compact: str) -> bool:
    """Whether the key is one short piece over and over ("abcdabcdabcd..."): long, not random."""
    return any(
        compact == compact[:size] * (len(compact) // size) + compact[: len(compact) % size]
        for size in range(1, len(compact) // 2 + 1)
    )


def check_secret_key(value: str) -> str:
    """T12: refuse a missing, short, example or placeholder key, one of few characters, and
    one that repeats a short pattern."""
    if not value:
        raise ConfigError(
            "SECRET_KEY is required outside development: set it to at least "
            f"{MIN_SECRET_BYTES} random bytes, for example the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    compact = re.sub(r"[^a-z0-9]", "", value.lower())
    if value.strip().lower() in KNOWN_EXAMPLE_KEYS or any(w in compact for w in PLACEHOLDERS):
        raise ConfigError("SECRET_KEY is a published example value: generate a random one")
    if len(value.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"SECRET_KEY is too short: {len(value.encode())} bytes, at least "
            f"{MIN_SECRET_BYTES} are needed"
        )
    if len(set(value)) < 8:
        raise ConfigError("SECRET_KEY repeats too few characters to be random: generate one")
    if _repeats_a_pattern(compact):
        raise ConfigError("SECRET_KEY repeats a short pattern: generate a random one")
    return value


def parse_port(value: str) -> int:
    if not value.strip().isdigit() or not 1 <= int(value) <= 65535:
        raise ConfigError(f"PORT must be a whole number from 1 to 65535, not {value!r}")
    return int(value)


def parse_trusted_proxies(value: str) -> tuple[IPNetwork, ...]:
    networks: list[IPNetwork] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                f"TRUSTED_PROXIES: {item!r} is not an IP address or CIDR block "
                "(example: 10.0.0.0/8,::1)"
            ) from None
    return tuple(networks)


def parse_tile_url(value: str) -> str:
    """An https tile URL template with {z}, {x} and {y}; `{s}.` may prefix the host."""
    match = _TILE_URL.match(value.strip())
    if not match or not all(part in value for part in ("{z}", "{x}", "{y}")):
        raise ConfigError(
            "BUDGET_TILE_URL must be an https URL template with {z}, {x} and {y}, such as "
            f"{DEFAULT_TILE_URL}, not {value!r}"
        )
    return value.strip()


def tile_source(tile_url: str) -> str:
    """The CSP source that lets the map load the tiles: `https://host`, `{s}.` as `*.`."""
    match = _TILE_URL.match(tile_url)
    host = match.group("host") if match else "tile.openstreetmap.org"
    return "https://" + host.replace("{s}.", "*.")


def parse_media_dir(value: str, cwd: Path) -> Path | None:
    """The images directory, absolute; None (the database) when unset. It must not be a file."""
    if not value.strip():
        return None
    path = (cwd / value.strip()).resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"BUDGET_MEDIA_DIR must be a directory, not the file {str(path)!r}")
    return path


def parse_geocoder_url(value: str) -> str | None:
    """An http(s) URL template with `{query}`, or None (address search off)."""
    url = value.strip()
    if not url:
        return None
    if not url.startswith(("https://", "http://")) or "{query}" not in url:
        raise ConfigError(
            "BUDGET_GEOCODER_URL must be an http(s) URL template with {query}, such as "
            f"https://api-adresse.data.gouv.fr/search/?q={{query}}&limit=5, not {url!r}"
        )
    return url


def parse_smtp(environ: Mapping[str, str]) -> SmtpSettings | None:
    """The SMTP settings, or None when BUDGET_SMTP_HOST is unset (mail waits in the outbox)."""
    host = environ.get("BUDGET_SMTP_HOST", "").strip()
    if not host:
        return None
    raw_port = environ.get("BUDGET_SMTP_PORT", "587").strip()
    if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
        raise ConfigError(
            f"BUDGET_SMTP_PORT must be a whole number from 1 to 65535, not {raw_port!r}"
        )
    sender = environ.get("BUDGET_SMTP_FROM", "").strip()
    if "@" not in sender:
        raise ConfigError(
            "BUDGET_SMTP_FROM must be the sender's address (such as budget@city.example) when "
            "BUDGET_SMTP_HOST is set"
        )
    starttls = environ.get("BUDGET_SMTP_STARTTLS", "true").strip().lower()
    if starttls not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"BUDGET_SMTP_STARTTLS must be true or false, not {starttls!r}")
    username = environ.get("BUDGET_SMTP_USERNAME", "").strip() or None
    return SmtpSettings(
        host=host,
        port=int(raw_port),
        sender=sender,
        username=username,
        password=environ.get("BUDGET_SMTP_PASSWORD") or None,
        starttls=starttls in ("true", "1", "yes"),
    )


_BASE_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?$")
_PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_LOCAL_HOSTS = ("http://127.0.0.1", "http://localhost", "http://[::1]")


def parse_roll_retention(value: str) -> RollRetention:
    value = value.strip().lower() or RollRetention.PURGE.value
    try:
        return RollRetention(value)
    except ValueError:
        choices = " or ".join(repr(r.value) for r in RollRetention)
        raise ConfigError(f"BUDGET_ROLL_RETENTION must be {choices}, not {value!r}") from None


def parse_base_url(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if not _BASE_URL.match(value):
        raise ConfigError(
            f"BUDGET_BASE_URL must be an http(s) URL such as https://budget.city.example, "
            f"not {value!r}"
        )
    return value.rstrip("/")


def _provider(environ: Mapping[str, str], name: str) -> OidcProvider:
    prefix = f"BUDGET_OIDC_{name.upper().replace('-', '_')}_"
    values = {key: environ.get(prefix + key, "").strip() for key in
              ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "SCOPES", "LABEL")}  # fmt: skip
    for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET"):
        if not values[key]:
            raise ConfigError(f"{prefix}{key} is required for the provider {name!r}")
    issuer = values["ISSUER"].rstrip("/")
    if not (issuer.startswith("https://") or issuer.startswith(_LOCAL_HOSTS)):
        raise ConfigError(f"{prefix}ISSUER must be an https URL, not {issuer!r}")
    scopes = values["SCOPES"] or "openid email"
    if "openid" not in scopes.split():
        raise ConfigError(f"{prefix}SCOPES must include openid, not {scopes!r}")
    return OidcProvider(
        name=name, issuer=issuer, client_id=values["CLIENT_ID"],
        client_secret=values["CLIENT_SECRET"], scopes=scopes, label=values["LABEL"] or name,
    )  # fmt: skip


def parse_oidc(environ: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    """The providers named by BUDGET_OIDC_PROVIDERS, each fully configured, or ConfigError."""
    names = [n.strip() for n in environ.get("BUDGET_OIDC_PROVIDERS", "").split(",") if n.strip()]
    for name in names:
        if not _PROVIDER_NAME.match(name):
            raise ConfigError(
                f"BUDGET_OIDC_PROVIDERS: {name!r} must be lower-case letters, digits and dashes"
            )
    if len(set(names)) != len(names):
        raise ConfigError("BUDGET_OIDC_PROVIDERS names a provider twice")
    return tuple(_provider(environ, name) for name in names)
