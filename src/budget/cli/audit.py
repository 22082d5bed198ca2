"""`budget audit verify`: check the audit log's hash chain (SECURITY.md T10).

Every entry's hash covers its contents and the previous entry's hash, so an edited, deleted,
inserted or reordered entry breaks the chain there. The command recomputes it from the database
at DATABASE_URL and prints the head hash and the entry count (exit 0): the head, compared with
one printed earlier (in a certification or publication), also anchors the chain's end. A broken
chain exits 1 naming the first entry that does not follow from its predecessor.
"""

from __future__ import annotations

import argparse
import sys

from budget.cli.operations import engine_for, settings

BROKEN = 1  # distinct from 2, a user's mistake: the data itself is wrong


def add_audit(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit_parser = commands.add_parser("audit", help="check the audit log")
    actions = audit_parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify",
        help="verify the audit log's hash chain",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.set_defaults(handler=run_audit_verify)


def run_audit_verify(args: argparse.Namespace) -> int:
    from sqlmodel import Session  # the database stack, only for this sub-command

    from budget.db import migrate
    from budget.services import audit

    engine = engine_for(settings())
    try:
        migrate.check_schema(engine)
        with Session(engine) as db:
            report = audit.verify_chain(db)
    finally:
        engine.dispose()
    if not report.ok:
        print(
            f"budget audit verify: the chain is broken at seq {report.first_bad_seq}: that "
            f"entry does not follow from the one before it ({report.entries} entries read)",
            file=sys.stderr,
        )
        return BROKEN
    print(f"budget audit verify: the chain is intact: {report.entries} entries, head {report.head}")
    return 0
