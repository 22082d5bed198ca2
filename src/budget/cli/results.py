"""`budget verify`: re-count a published ballot box and check it against its results file.

`budget verify BOX.pb RESULTS.json` needs nothing but the two published files: the box's SHA-256
must be the fingerprint the results file states, and a re-count with the rule, options,
tie-break chain and seed in the box's META must give the results file's rule, funded set,
spending and every project's explanation. `budget verify --budget ID` does the same from the
database at DATABASE_URL, after sealing the stored ballots again (a changed ballot shows).
Exit 0 when everything agrees, 1 naming the first mismatch, 2 for unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from budget.cli.operations import engine_for, settings
from budget.cli.terminal import printable
from budget.pabulib import PabulibError, recount
from budget.tally.rules import RuleError

MISMATCH = 1
UNREADABLE = 2


def add_verify(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = commands.add_parser(
        "verify",
        help="re-count a ballot box and check its published results",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("box", nargs="?", type=Path, help="the published box (.pb)")
    verify.add_argument("results", nargs="?", type=Path, help="the published results.json")
    verify.add_argument("--budget", type=int, metavar="ID", help="check budget ID in the database")
    verify.set_defaults(handler=run_verify)


def _fail(message: str, status: int) -> int:
    print(f"budget verify: {printable(message)}", file=sys.stderr)
    return status


def run_verify(args: argparse.Namespace) -> int:
    if args.budget is not None:
        if args.box is not None:
            return _fail("give either --budget or the two files, not both", UNREADABLE)
        return _verify_database(args.budget)
    if args.box is None or args.results is None:
        return _fail("give the box (.pb) and the results file, or --budget ID", UNREADABLE)
    try:
        box = args.box.read_bytes()
        published = json.loads(args.results.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return _fail(f"cannot read the files: {error}", UNREADABLE)
    if not isinstance(published, dict):
        return _fail("the results file is not a JSON object", UNREADABLE)
    try:
        mismatch = recount.first_mismatch(box, published)
    except (PabulibError, RuleError, UnicodeDecodeError) as error:
        return _fail(f"the box cannot be counted: {error}", MISMATCH)
    return _report(mismatch, f"{args.box} re-counts to {args.results}")


def _report(mismatch: str | None, what: str) -> int:
    if mismatch is not None:
        return _fail(f"mismatch: {mismatch}", MISMATCH)
    print(f"budget verify: {printable(what)}: fingerprint, funded set and figures agree")
    return 0


def _verify_database(budget_id: int) -> int:
    from sqlmodel import Session  # the database stack, only for this mode

    from budget.db import migrate
    from budget.services import results

    engine = engine_for(settings())
    try:
        migrate.check_schema(engine)
        with Session(engine) as db:
            mismatch = results.verify_budget(db, budget_id)
    finally:
        engine.dispose()
    return _report(mismatch, f"budget {budget_id}")
