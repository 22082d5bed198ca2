"""The demo's eligibility data, built through the services (called by services.demo):

- in the declared-mode cycle (2027, Paris-like: district of choice, no minimum age), the demo
  resident and a share of the generated residents have declared a birth year and a district;
  one suspicious declaration is voided by the council;
- a roll-mode cycle "2028-roll" (district of residence, minimum age 16), created from 2027 so it has
  copies of its districts, with a generated voter roll imported from CSV (as the council would
  upload it), one entry marked removed.

Demo accounts count as having verified their e-mail address: nothing verifies addresses yet
(issue 19), and the demo shows declarations as they will be once it does.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from budget.db import queries
from budget.services import cycles, roll
from budget.services.cycles import CycleForm
from budget.services.demo_data import FIRST_NAMES, LAST_NAMES, STREETS

DECLARED_SHARE = 4  # one generated resident in 4 has declared
ROLL_SIZE = 400


@dataclass(frozen=True)
class RollDemo:
    declarations: int
    roll_cycle_id: int
    roll_entries: int


def load(
    db: Session, now: datetime, *, council: int, cycle_id: int, residents: list[int]
) -> RollDemo:
    """Declarations in `cycle_id` (declared mode, submission phase) and the 2028 roll cycle."""
    rng = random.Random(2028)  # noqa: S311 - reproducible demo data, not a secret
    districts = [d.id for d in queries.list_districts(db, cycle_id)]
    resident = queries.find_account(db, "resident@demo.budget")
    declaring = [resident.id] if resident is not None else []
    declaring += [r for r in residents if rng.randrange(DECLARED_SHARE) == 0]
    entries = [
        roll.declare(
            db, now, account_id=account, cycle_id=cycle_id, birth_year=rng.randint(1940, 2011),
            district_id=rng.choice(districts),
        )
        for account in dict.fromkeys(declaring)
    ]  # fmt: skip
    if len(entries) > 1:
        roll.void_entry(
            db, now, actor_id=council, entry_id=entries[-1],
            reason="Same person as another declaration (demo)",
        )  # fmt: skip
    roll_cycle = _roll_cycle(db, now, council, cycle_id)
    report = roll.import_roll(
        db, now, actor_id=council, cycle_id=roll_cycle, content=roll_csv(db, rng, roll_cycle)
    )
    return RollDemo(declarations=len(entries), roll_cycle_id=roll_cycle, roll_entries=report.rows)


def _roll_cycle(db: Session, now: datetime, council: int, source: int) -> int:
    form = CycleForm(
        name_fr="Budget participatif 2028 (liste électorale)",
        name_en="Participatory budget 2028 (voter roll)",
        instance="2028-roll",
        time_zone="Europe/Paris",
        currency="EUR",
        eligibility_mode="roll",
        district_mode="residence",
        min_age=16,
        reference_date=date(2028, 9, 6),
        proposers_must_be_eligible=True,
    )
    return cycles.create_cycle(db, now, actor_id=council, form=form, copy_from=source)


def roll_csv(db: Session, rng: random.Random, cycle_id: int) -> str:
    """A voter roll as a city's registry would export it (semicolons, as French spreadsheets)."""
    codes = [d.code for d in queries.list_districts(db, cycle_id)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(
        ["external_id", "given_name", "family_name", "birth_date", "district",
         "postal_address", "status"]
    )  # fmt: skip
    for n in range(1, ROLL_SIZE + 1):
        district = rng.choice(codes)
        birth = date(rng.randint(1935, 2013), rng.randint(1, 12), rng.randint(1, 28))
        address = f"{rng.randint(1, 120)} {rng.choice(STREETS)}\n{district} Paris"
        status = "removed" if n == ROLL_SIZE else "active"
        writer.writerow(
            [f"P-{n:06d}", rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), birth.isoformat(),
             district, address, status]
        )  # fmt: skip
    return out.getvalue()
