"""Settings from the environment: defaults, checks, and a clear message for each mistake (T12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from budget.config import ConfigError, Settings
from budget.domain.eligibility import RollRetention

KEY = "k7Hq2vPz9LmN4xR8sT1wY6bC3dF5gJ0aE-uIoQ"


def test_production_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({"SECRET_KEY": KEY}, cwd=tmp_path)
    assert settings.env == "production"
    assert not settings.is_development
    assert settings.port == 8000
    assert settings.trusted_proxies == ()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/var/budget.sqlite3"


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "SECRET_KEY": KEY,
            "BUDGET_ENV": "development",
            "PORT": "8080",
            "DATABASE_URL": "postgresql://u@h/db",
            "TRUSTED_PROXIES": "10.0.0.0/8, ::1",
        }
    )
    assert (settings.env, settings.port, settings.database_url) == (
        "development",
        8080,
        "postgresql://u@h/db",
    )
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "::1/128"]


@pytest.mark.threat("T12")
@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "SECRET_KEY is required"),
        ("short-but-random-9f8e7d", "too short"),
        ("changeme", "published example"),
        ("a" * 40, "too few characters"),
        ("changeme-changeme-changeme-changeme", "published example"),
        ("Replace-Me-In-Production-With-Something-Long", "published example"),
        ("qwertyuiop-" * 4, "repeats a short pattern"),
        ("0123456789abcdef" * 3, "repeats a short pattern"),
    ],
)
def test_production_refuses_a_missing_short_or_example_key(key: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"SECRET_KEY": key} if key else {})


def test_development_generates_a_key_when_none_is_set() -> None:
    first = Settings.from_env({"BUDGET_ENV": "development"})
    second = Settings.from_env({"BUDGET_ENV": "development"})
    assert first.secret_key_generated
    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key


def test_development_still_refuses_a_weak_key_it_was_given() -> None:
    with pytest.raises(ConfigError, match="too short"):
        Settings.from_env({"BUDGET_ENV": "development", "SECRET_KEY": "weak"})


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"BUDGET_ENV": "staging"}, "BUDGET_ENV must be"),
        ({"PORT": "eighty"}, "PORT must be a whole number"),
        ({"PORT": "70000"}, "PORT must be a whole number"),
        ({"PORT": "0"}, "PORT must be a whole number"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "'proxy.local' is not an IP"),
    ],
)
def test_bad_values_name_the_variable(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"SECRET_KEY": KEY, **variables})


def test_keys_are_derived_per_purpose() -> None:
    settings = Settings.from_env({"SECRET_KEY": KEY})
    cookie, csrf = settings.key_for("cookie"), settings.key_for("csrf")
    assert cookie != csrf
    assert len(cookie) == 32
    assert KEY.encode() not in cookie
    assert settings.key_for("cookie") == cookie


def test_media_directory_and_geocoder_are_off_by_default(tmp_path: Path) -> None:
    settings = Settings.from_env({"SECRET_KEY": KEY}, cwd=tmp_path)
    assert (settings.media_dir, settings.geocoder_url) == (None, None)


def test_media_directory_is_made_absolute_and_must_not_be_a_file(tmp_path: Path) -> None:
    settings = Settings.from_env({"SECRET_KEY": KEY, "BUDGET_MEDIA_DIR": "media"}, cwd=tmp_path)
    assert settings.media_dir == tmp_path.resolve() / "media"
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ConfigError, match="BUDGET_MEDIA_DIR must be a directory"):
        Settings.from_env({"SECRET_KEY": KEY, "BUDGET_MEDIA_DIR": "afile"}, cwd=tmp_path)


@pytest.mark.parametrize(
    "url", ["ftp://geo.example/?q={query}", "https://geo.example/?q=fixed", "geo.example/{query}"]
)
def test_a_geocoder_url_is_an_http_template_with_the_query(url: str) -> None:
    with pytest.raises(ConfigError, match="BUDGET_GEOCODER_URL"):
        Settings.from_env({"SECRET_KEY": KEY, "BUDGET_GEOCODER_URL": url})


def test_a_geocoder_url_is_read() -> None:
    url = "https://api-adresse.data.gouv.fr/search/?q={query}&limit=5"
    assert Settings.from_env({"SECRET_KEY": KEY, "BUDGET_GEOCODER_URL": url}).geocoder_url == url


def test_the_roll_retention_purges_by_default_and_may_keep() -> None:
    assert Settings.from_env({"SECRET_KEY": KEY}).roll_retention is RollRetention.PURGE
    kept = Settings.from_env({"SECRET_KEY": KEY, "BUDGET_ROLL_RETENTION": " Keep "})
    assert kept.roll_retention is RollRetention.KEEP
    with pytest.raises(ConfigError, match="BUDGET_ROLL_RETENTION must be 'purge' or 'keep'"):
        Settings.from_env({"SECRET_KEY": KEY, "BUDGET_ROLL_RETENTION": "forever"})
