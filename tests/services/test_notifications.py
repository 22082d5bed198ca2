"""Notifications: in-app rows, the outbox in the recipient's language, the email preference,
and delivery through a real local SMTP server (aiosmtpd) by the sender and `budget mail send`."""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SMTPSession
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from sqlmodel import Session, select

from budget.cli import main
from budget.config import ConfigError, parse_smtp
from budget.db import migrate, queries
from budget.db.engine import make_engine
from budget.db.tables import Notification, OutboxEmail
from budget.domain.errors import NotFound
from budget.services import mail, mail_text, notifications
from budget.services.mail_text import Kind
from tests.services.conftest import NOW, resident

SECRET = "smtp-secret-password-42"


def outbox(db: Session) -> list[OutboxEmail]:
    return list(db.exec(select(OutboxEmail).order_by(OutboxEmail.id)).all())  # type: ignore[arg-type]


def test_notify_writes_the_notification_and_the_mail(db, hasher) -> None:
    amina = resident(db, hasher, "amina")
    notifications.notify(db, NOW, amina, Kind.REVIEW_STARTED, proposal_id=None, title="Trees")
    [row] = db.exec(select(Notification)).all()
    assert (row.account_id, row.kind, row.read_at) == (amina, Kind.REVIEW_STARTED, None)
    [mail_row] = outbox(db)
    assert mail_row.to_address == "amina@example.fr"
    assert "Trees" in mail_row.body
    assert "Trees" not in mail_row.subject
    assert mail_row.sent_at is None


def test_optional_mail_respects_the_preference_mandatory_does_not(db, hasher) -> None:
    amina = resident(db, hasher, "amina")
    notifications.set_email_preference(db, NOW, account_id=amina, enabled=False)
    assert queries.email_preference(db, amina) is False
    notifications.notify(db, NOW, amina, Kind.MERGED, title="Trees", proposal=3)
    assert outbox(db) == []
    notifications.notify(
        db, NOW, amina, Kind.DECIDED_INFEASIBLE, mandatory=True, title="Trees", proposal=3,
        explanation="Not the city's land.",
    )  # fmt: skip
    [only] = outbox(db)
    assert "Not the city's land." in only.body
    assert queries.unread_count(db, amina) == 2
    assert [e.action for e in queries.list_audit(db, limit=1)] == ["account.notify-by-email"]


def test_marking_read_is_for_the_owner(db, hasher) -> None:
    amina, ben = resident(db, hasher, "amina"), resident(db, hasher, "ben")
    for title in ("One", "Two"):
        notifications.notify(db, NOW, amina, Kind.MERGED, title=title, proposal=1)
    db.flush()
    first, second = (n.id for n in queries.notifications_of(db, amina))
    with pytest.raises(NotFound):
        notifications.mark_read(db, NOW, account_id=ben, notification_id=first)
    notifications.mark_read(db, NOW, account_id=amina, notification_id=first)
    notifications.mark_read(db, NOW, account_id=amina, notification_id=first)  # idempotent
    assert queries.unread_count(db, amina) == 1
    notifications.mark_all_read(db, NOW, account_id=amina)
    assert queries.unread_count(db, amina) == 0
    assert second


def french() -> Translations:
    catalog = Catalog(locale="fr")
    text = mail_text.TEXTS[Kind.DECIDED_FEASIBLE]
    catalog.add(text.subject, "Votre proposition est réalisable (n° %(proposal)s)")
    catalog.add(text.body, "Coût final : %(final_cost)s.")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def test_rendering_translates_and_formats_money_in_the_readers_language() -> None:
    params = {"title": "Arbres", "final_cost": 125_000_050, "currency": "EUR", "proposal": 4}
    text = mail_text.render(Kind.DECIDED_FEASIBLE, params, french(), "fr")
    assert text.subject == "Votre proposition est réalisable (n° 4)"
    assert text.body == "Coût final : 1\u202f250\u202f000,50\xa0€."
    english = mail_text.render_for(Kind.DECIDED_FEASIBLE, params, "en")
    assert "€1,250,000.50" in english.body
    assert mail_text.render("unknown.kind", {}, french(), "fr").subject == "unknown.kind"


def test_missing_catalogues_fall_back_to_english(tmp_path: Path) -> None:
    loaded = mail_text.catalogues(tmp_path)
    assert loaded["fr"].gettext("Hello") == "Hello"


# -- delivery ---------------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the local SMTP server received; `refuse` makes it reject recipients."""

    messages: list[Envelope] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: SMTPSession, envelope: Envelope, address: str, options
    ) -> str:
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: SMTPSession, envelope: Envelope
    ) -> str:
        self.messages.append(envelope)
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == SECRET.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        # An explicit message: aiosmtpd 1.4 otherwise answers nothing to a failed AUTH.
        return AuthResult(success=ok, handled=False, message=None if ok else "535 5.7.8 refused")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
        auth_require_tls=False, auth_exclude_mechanism=["CRAM-MD5"],
    )  # fmt: skip
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def server_on(port: int, **changes: object) -> mail.SmtpServer:
    values: dict[str, object] = {
        "host": "127.0.0.1", "port": port, "sender": "budget@city.example",
        "username": "budget", "password": SECRET, "starttls": False,
    }  # fmt: skip
    values.update(changes)
    return mail.SmtpServer(**values)  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_sender_delivers_and_records_each_mail(db, hasher, smtp) -> None:
    inbox, port = smtp
    amina, ben = resident(db, hasher, "amina"), resident(db, hasher, "ben")
    inbox.refuse.add("ben@example.fr")
    for account in (amina, ben):
        notifications.notify(db, NOW, account, Kind.MERGED, title="Trees", proposal=1)
    report = mail.deliver_pending(db, NOW, server=server_on(port))
    assert (report.sent, report.failed) == (1, 1)
    assert inbox.logins == ["budget"]
    [received] = inbox.messages
    assert received.rcpt_tos == ["amina@example.fr"]
    assert b"Trees" in received.original_content
    sent, refused = outbox(db)
    assert (sent.sent_at, sent.attempts, sent.last_error) == (NOW, 1, None)
    assert (refused.sent_at, refused.attempts) == (None, 1)
    assert "550" in (refused.last_error or "")
    assert SECRET not in repr(server_on(port))
    again = mail.deliver_pending(db, NOW, server=server_on(port))
    assert (again.sent, again.failed) == (0, 1)  # only the refused one is tried again


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_wrong_credentials_and_an_absent_server_leave_the_mail_waiting(db, hasher, smtp) -> None:
    _, port = smtp
    amina = resident(db, hasher, "amina")
    notifications.notify(db, NOW, amina, Kind.MERGED, title="Trees", proposal=1)
    wrong = mail.deliver_pending(db, NOW, server=server_on(port, password="not-it"))
    assert (wrong.sent, wrong.failed) == (0, 1)
    absent = mail.deliver_pending(db, NOW, server=server_on(free_port()))
    assert (absent.sent, absent.failed) == (0, 1)
    [waiting] = outbox(db)
    assert (waiting.sent_at, waiting.attempts) == (None, 2)
    assert "not-it" not in (waiting.last_error or "")
    assert mail.deliver_pending(db, NOW, server=server_on(port)).sent == 1
    assert mail.deliver_pending(db, NOW, server=server_on(port)) == mail.DeliveryReport(0, 0)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_budget_mail_send_delivers_the_outbox(tmp_path, hasher, smtp, monkeypatch, capsys):
    inbox, port = smtp
    url = f"sqlite:///{tmp_path / 'mail.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as db:
        amina = resident(db, hasher, "amina")
        notifications.notify(db, NOW, amina, Kind.MERGED, title="Trees", proposal=1)
        db.commit()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "k7Hq2vPz9LmN4xR8sT1wY6bC3dF5gJ0aE-uIoQ")
    monkeypatch.delenv("BUDGET_SMTP_HOST", raising=False)
    assert main(["mail", "send"]) == 0
    assert "outbox" in capsys.readouterr().err
    for name, value in {
        "BUDGET_SMTP_HOST": "127.0.0.1", "BUDGET_SMTP_PORT": str(port),
        "BUDGET_SMTP_FROM": "budget@city.example", "BUDGET_SMTP_USERNAME": "budget",
        "BUDGET_SMTP_PASSWORD": SECRET, "BUDGET_SMTP_STARTTLS": "false",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert main(["mail", "send"]) == 0
    printed = capsys.readouterr()
    assert "1 sent, 0 failed" in printed.out
    assert SECRET not in printed.out + printed.err
    assert len(inbox.messages) == 1
    with Session(engine) as db:
        assert outbox(db)[0].sent_at is not None
    engine.dispose()


def test_smtp_settings_are_read_and_checked() -> None:
    assert parse_smtp({}) is None
    settings = parse_smtp(
        {
            "BUDGET_SMTP_HOST": "mail.city.example",
            "BUDGET_SMTP_FROM": "budget@city.example",
            "BUDGET_SMTP_PASSWORD": SECRET,
        }
    )
    assert settings is not None
    assert (settings.port, settings.starttls, settings.username) == (587, True, None)
    assert SECRET not in repr(settings)
    for bad, variable in (
        ({"BUDGET_SMTP_PORT": "0"}, "BUDGET_SMTP_PORT"),
        ({"BUDGET_SMTP_FROM": "nobody"}, "BUDGET_SMTP_FROM"),
        ({"BUDGET_SMTP_STARTTLS": "maybe"}, "BUDGET_SMTP_STARTTLS"),
    ):
        environ = {"BUDGET_SMTP_HOST": "h", "BUDGET_SMTP_FROM": "a@b.example", **bad}
        with pytest.raises(ConfigError, match=variable):
            parse_smtp(environ)


# What a subject may show: numbers we assign and the sign-in provider's name from the
# operator's configuration (BUDGET_OIDC_*), never a title, a person's name or a cycle's name.
SUBJECT_PARAMS = frozenset({"proposal", "cycle_id", "provider"})


@pytest.mark.parametrize("kind", list(mail_text.TEXTS))
def test_no_subject_carries_text_a_user_wrote(kind: str) -> None:
    """A title or a name in a subject turns our mail into a phishing channel (issue 14)."""
    subject_id = mail_text.TEXTS[kind].subject
    named = set(re.findall(r"%\((\w+)\)s", subject_id))
    assert named <= SUBJECT_PARAMS, f"{kind}: subject shows {named - SUBJECT_PARAMS}"
    hostile = dict.fromkeys(
        re.findall(r"%\((\w+)\)s", subject_id + mail_text.TEXTS[kind].body),
        "WIN A PRIZE http://evil.example",
    )
    params = {**hostile, "proposal": 7, "cycle_id": 7, "provider": "FranceConnect"}
    for language in ("fr", "en"):
        subject = mail_text.render_for(kind, params, language).subject
        assert "evil" not in subject
        if not kind.startswith("account."):  # account mails (issue 19) are about no proposal
            assert "7" in subject
