"""The `budget` command: one sub-command per action, each a thin call into the layers below.

Each sub-command registers itself with `add_<name>(commands)` and runs in `run_<name>(args)`,
which returns the exit status. A user's mistake (bad configuration, a refused action) prints one
clear line and exits 2; a bug keeps its traceback. The sub-commands live by theme:
`operations` (serve, migrate, create-admin, demo), `counting` (tally, compare) and `audit`
(audit verify).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from budget.cli import audit, counting, mail, operations, results, roll, voting
from budget.cli.terminal import printable
from budget.config import ConfigError
from budget.domain.errors import BudgetError, FieldErrors

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="budget", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    operations.add_serve(commands)
    operations.add_migrate(commands)
    operations.add_create_admin(commands)
    operations.add_demo(commands)
    counting.add_tally(commands)
    counting.add_compare(commands)
    results.add_verify(commands)
    audit.add_audit(commands)
    mail.add_mail(commands)
    roll.add_roll(commands)
    voting.add_remind(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (ConfigError, BudgetError) as error:
        print(f"budget {args.command}: {printable(describe(error))}", file=sys.stderr)
        return 2


def describe(error: Exception) -> str:
    if isinstance(error, FieldErrors):
        return "; ".join(f"{name}: {field_error}" for name, field_error in error.fields.items())
    return str(error)
