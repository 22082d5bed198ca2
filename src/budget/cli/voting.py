"""`budget remind`: send the voting reminders that are due (PRODUCT.md, issue 16): when voting
opens, and two days before it closes, to residents who have not voted yet in a budget open to
them, in the app and by email unless they opted out. Run it from cron or a systemd timer (every
hour is plenty); nobody is reminded twice of the same occasion."""

from __future__ import annotations

import argparse

from budget.cli.operations import engine_for, settings, utc_now


def add_remind(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("remind", help="send the voting reminders that are due")
    parser.set_defaults(handler=run_remind)


def run_remind(args: argparse.Namespace) -> int:
    from sqlmodel import Session  # the database stack, only for this sub-command

    from budget.db import migrate
    from budget.services import reminders

    engine = engine_for(settings())
    try:
        migrate.check_schema(engine)
        with Session(engine) as db:
            told = reminders.send_due_reminders(db, utc_now())
            db.commit()
    finally:
        engine.dispose()
    for cycle_id, count in told.items():
        print(f"budget remind: cycle {cycle_id}: {count} residents reminded")
    if not told:
        print("budget remind: no cycle is open for voting")
    return 0
