"""`budget mail send`: deliver the outbox by SMTP (BUDGET_SMTP_*), e.g. every minute from cron
or a systemd timer. Each mail is recorded as sent, or with its attempt count and the server's
last answer; the password never appears in any output (T12). Without BUDGET_SMTP_HOST nothing
is sent: the mail waits in the outbox, which the council reads at /admin/outbox.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from budget.cli.operations import engine_for, settings, utc_now
from budget.config import SmtpSettings

if TYPE_CHECKING:
    from budget.services import mail

FAILED = 1  # some mail could not be delivered (it stays in the outbox for the next run)


def add_mail(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mail_parser = commands.add_parser("mail", help="deliver notification mail")
    actions = mail_parser.add_subparsers(dest="mail_command", required=True, metavar="ACTION")
    send = actions.add_parser(
        "send",
        help="send the outbox's unsent mail by SMTP",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    send.add_argument("--limit", type=int, default=100, help="at most this many mails (100)")
    send.set_defaults(handler=run_mail_send)


def smtp_server(config: SmtpSettings) -> mail.SmtpServer:
    from budget.services import mail

    return mail.SmtpServer(
        host=config.host,
        port=config.port,
        sender=config.sender,
        username=config.username,
        password=config.password,
        starttls=config.starttls,
    )


def run_mail_send(args: argparse.Namespace) -> int:
    from sqlmodel import Session  # the database stack, only for this sub-command

    from budget.db import migrate
    from budget.services import mail

    config = settings()
    if config.smtp is None:
        print(
            "budget mail send: BUDGET_SMTP_HOST is not set: mail stays in the outbox "
            "(the council reads it at /admin/outbox)",
            file=sys.stderr,
        )
        return 0
    engine = engine_for(config)
    try:
        migrate.check_schema(engine)
        with Session(engine) as db:
            report = mail.deliver_pending(
                db, utc_now(), server=smtp_server(config.smtp), limit=max(1, args.limit)
            )
            db.commit()
    finally:
        engine.dispose()
    print(f"budget mail send: {report.sent} sent, {report.failed} failed")
    return FAILED if report.failed else 0
