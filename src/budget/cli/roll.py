"""`budget roll import CYCLE FILE.csv`: import (or re-import) a roll-mode cycle's voter roll;
`budget roll purge CYCLE`: purge an archived cycle's roll (services.retention).

CYCLE is the cycle's edition (such as 2027) or its number. The file is CSV in UTF-8, commas or
semicolons, with a first line naming the columns: external_id and family_name are required;
given_name, birth_date (1990-05-31), district (its code, such as 75111), postal_address and
status (active or removed) are optional. Every problem is printed with its line and column and
nothing is imported unless the whole file is valid. Importing again updates entries by
external id. The import is audited (the operator at the command line as actor).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from budget.cli.operations import engine_for, settings, utc_now
from budget.domain.errors import NotFound, RollFileInvalid, WrongPhase

if TYPE_CHECKING:
    from sqlmodel import Session

# The database and service modules are imported inside the functions that use them, so that
# `budget tally` never loads SQLAlchemy (tests/test_cli_imports.py).

INVALID = 2


def add_roll(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roll_parser = commands.add_parser("roll", help="the voter roll of a cycle")
    actions = roll_parser.add_subparsers(dest="roll_command", required=True, metavar="ACTION")
    imported = actions.add_parser(
        "import",
        help="import a voter roll from CSV",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imported.add_argument("cycle", help="the cycle's edition (such as 2027) or number")
    imported.add_argument("file", type=Path, help="the roll, CSV in UTF-8")
    imported.set_defaults(handler=run_roll_import)
    purged = actions.add_parser(
        "purge",
        help="purge an archived cycle's roll, declarations and voting codes",
        description=PURGE_HELP,
    )
    purged.add_argument("cycle", help="the cycle's edition (such as 2027) or number")
    purged.set_defaults(handler=run_roll_purge)


PURGE_HELP = (
    "Empty every roll entry and declaration of an archived cycle of the person (names, birth "
    "date and year, address, external id, districts, account) and delete its voting codes; "
    "participations stay as anonymous counts. Archiving does it already unless "
    "BUDGET_ROLL_RETENTION=keep. Audited."
)


def find_cycle(db: Session, reference: str) -> int:
    """The id of the cycle whose edition is `reference`, else whose number it is."""
    from sqlmodel import select

    from budget.db.tables import Cycle

    by_instance = db.exec(select(Cycle).where(Cycle.instance == reference)).first()
    if by_instance is not None and by_instance.id is not None:
        return by_instance.id
    if reference.isascii() and reference.isdigit() and len(reference) < 12:
        by_id = db.get(Cycle, int(reference))
        if by_id is not None and by_id.id is not None:
            return by_id.id
    raise NotFound(kind="cycle", id=reference)


def run_roll_purge(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from budget.db import migrate
    from budget.db.engine import for_writing
    from budget.services import retention

    engine = engine_for(settings())
    try:
        migrate.check_schema(engine)
        with for_writing(Session(engine)) as db:
            try:
                cycle_id = find_cycle(db, args.cycle)
                purged = retention.purge_cycle(db, utc_now(), actor_id=None, cycle_id=cycle_id)
            except NotFound:
                print(f"budget roll: no cycle {args.cycle!r}", file=sys.stderr)
                return INVALID
            except WrongPhase:
                print(
                    f"budget roll: cycle {args.cycle} is not archived: its roll is still in use",
                    file=sys.stderr,
                )
                return INVALID
            db.commit()
    finally:
        engine.dispose()
    print(
        f"budget roll: cycle {args.cycle} purged: {purged.entries} roll entries emptied, "
        f"{purged.codes} voting codes deleted"
    )
    return 0


def run_roll_import(args: argparse.Namespace) -> int:
    try:
        content = args.file.read_bytes()
    except OSError as error:
        print(f"budget roll: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return INVALID
    from sqlmodel import Session

    from budget.db import migrate
    from budget.db.engine import for_writing
    from budget.services import roll

    engine = engine_for(settings())
    try:
        migrate.check_schema(engine)
        with for_writing(Session(engine)) as db:
            cycle_id = find_cycle(db, args.cycle)
            try:
                report = roll.import_roll(
                    db, utc_now(), actor_id=None, cycle_id=cycle_id, content=content
                )
            except RollFileInvalid as invalid:
                print(
                    f"budget roll: {len(invalid.problems)} problem(s) in {args.file}, "
                    "nothing imported:",
                    file=sys.stderr,
                )
                for problem in invalid.problems:
                    print(f"  {problem}", file=sys.stderr)
                return INVALID
            db.commit()
    finally:
        engine.dispose()
    print(
        f"budget roll: {report.rows} rows imported into cycle {args.cycle}: {report.created} "
        f"new, {report.updated} updated, {report.unchanged} unchanged, {report.removed} removed"
    )
    return 0
