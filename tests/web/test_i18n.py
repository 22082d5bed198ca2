"""Languages: complete catalogues, every typed error and guard reason worded, pages in both
languages, the locale chosen as promised, money and dates the locale's way."""

from __future__ import annotations

import ast
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from budget.domain import errors as domain_errors
from budget.domain.accounts import Role
from budget.domain.ballots import BallotType, rule_names
from budget.domain.cycle import Phase
from budget.domain.proposals import ProposalStatus
from budget.web import i18n, labels, messages
from tests.webapp import Web, make_cycle

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(name: str):
    with (LOCALES / name).open("rb") as handle:
        return read_po(handle)


def msgids() -> list[str | tuple[str, ...]]:
    return [m.id for m in catalog("messages.pot") if m.id]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_message_is_translated(language: str) -> None:
    translated = {
        m.id if isinstance(m.id, str) else tuple(m.id): m
        for m in catalog(f"{language}/LC_MESSAGES/messages.po")
        if m.id
    }
    missing = []
    for msgid in msgids():
        key = msgid if isinstance(msgid, str) else tuple(msgid)
        message = translated.get(key)
        strings = (
            []
            if message is None
            else [message.string]
            if isinstance(message.string, str)
            else list(message.string)
        )
        if message is None or message.fuzzy or not all(strings):
            missing.append(key)
    assert not missing, f"{language} lacks translations for {missing}"


def test_translations_keep_the_placeholders() -> None:
    for message in catalog("fr/LC_MESSAGES/messages.po"):
        if not message.id or not isinstance(message.id, str):
            continue
        assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), (
            message.id
        )


def test_the_template_catalogue_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        [pybabel, "-q", "extract", "--mapping-file", "locales/babel.cfg", "--keywords", "N_",
         "--no-location", "--sort-output", "--omit-header", "--output-file", str(fresh),
         "src", "templates", "templates/_fragments", "templates/_macros"],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    with fresh.open("rb") as handle:
        extracted = {
            m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id
        }
    kept = {m if isinstance(m, str) else tuple(m) for m in msgids()}
    assert extracted == kept, "run ./scripts/translations extract, then update"


def error_classes() -> list[type[domain_errors.BudgetError]]:
    found, pending = [], [domain_errors.BudgetError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_typed_error_has_a_message() -> None:
    import budget.services.accounts  # noqa: F401 (loads every module defining errors)

    codes = {cls.code for cls in error_classes()}
    assert codes - set(messages.MESSAGES) == set()


def test_every_guard_reason_has_a_message() -> None:
    codes = set()
    for path in (ROOT / "src" / "budget" / "domain").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Reason"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                codes.add(node.args[0].value)
    assert codes
    assert codes - set(messages.REASONS) == set()


@pytest.mark.parametrize(
    ("names", "labelled"),
    [
        ({p.value for p in Phase}, labels.PHASES),
        ({p.value for p in Phase}, labels.PHASE_DESCRIPTIONS),
        ({r.value for r in Role} | {"visitor"}, labels.ROLES),
        ({b.value for b in BallotType}, labels.BALLOT_TYPES),
        (set(rule_names()), labels.RULES),
        ({s.value for s in ProposalStatus}, labels.PROPOSAL_STATUSES),
    ],
)
def test_every_code_shown_has_a_label(names: set[str], labelled: dict[str, str]) -> None:
    assert names == set(labelled)


@pytest.mark.parametrize(
    ("chosen", "header", "expected"),
    [
        (None, "", "fr"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "de-DE, en;q=0.5, fr;q=0.8", "fr"),
        (None, "fr;q=0, en", "en"),
        (None, "garbage;q=x, ;;", "fr"),
        ("en", "fr", "en"),
        ("xx", "en", "en"),
    ],
)
def test_the_locale_is_the_choice_then_accept_language(
    chosen: str | None, header: str, expected: str
) -> None:
    assert i18n.negotiate(chosen=chosen, accept_language=header) == expected


def test_money_and_dates_are_shown_the_locale_way() -> None:
    assert i18n.format_money(125_000_050, "EUR", "en") == "€1,250,000.50"
    assert (
        i18n.format_money(125_000_050, "EUR", "fr").replace("\u202f", " ").replace("\xa0", " ")
        == "1 250 000,50 €"
    )
    assert i18n.format_date(dt.date(2027, 3, 1), "fr") == "1 mars 2027"
    moment = dt.datetime(2027, 7, 1, 10, 0, tzinfo=dt.UTC)
    assert "12:00" in i18n.format_datetime(moment, "fr", "Europe/Paris")


PAGES = [
    "/",
    "/cycles",
    "/cycles/{cycle}",
    "/login",
    "/register",
    "/account",
    "/account/password",
    "/admin",
    "/admin/cycles/new",
    "/admin/cycles/{cycle}",
    "/admin/cycles/{cycle}/edit",
    "/admin/cycles/{cycle}/schedule",
    "/admin/cycles/{cycle}/budgets/new",
    "/admin/cycles/{cycle}/districts",
    "/admin/accounts",
    "/admin/audit",
    "/nowhere",
]


@pytest.mark.parametrize(
    ("language", "word", "foreign"), [("fr", "Accueil", "Home"), ("en", "Home", "Accueil")]
)
def test_every_page_renders_in_each_language(
    web: Web, language: str, word: str, foreign: str
) -> None:
    cycle_id = make_cycle(web)
    client = web.signed_in(Role.COUNCIL)
    client.cookies.set(i18n.LANGUAGE_COOKIE, language)
    for page in PAGES:
        response = client.get(page.format(cycle=cycle_id))
        assert response.status_code in (200, 404), page
        assert f'<html lang="{language}">' in response.text, page
        assert word in response.text, page
        assert f">{foreign}<" not in response.text, page
