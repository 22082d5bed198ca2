"""services.roll: roll import (every error with line and column, nothing written), re-import by
external id, declarations, voiding, the district of choice; on both backends (T2)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import Cycle, RollEntry
from budget.domain.cycle import Phase
from budget.domain.eligibility import entitled_budgets
from budget.domain.errors import (
    AlreadyDeclared,
    DistrictAlreadyChosen,
    DistrictNotChoosable,
    EmailNotVerified,
    FieldErrors,
    NotDeclaredMode,
    NotRollMode,
    PermissionDenied,
    RollFileInvalid,
    WrongPhase,
)
from budget.services import budgets, cycles, oidc, roll
from tests import mailbox
from tests.security.test_csrf import snapshot
from tests.services.conftest import NOW, budget_form, cycle_form, resident, schedule

pytestmark = pytest.mark.threat("T2")

HEADER = "external_id,given_name,family_name,birth_date,district,postal_address,status\n"
GOOD = HEADER + (
    'A1,Amina,Diallo,1990-05-31,75111,"12 rue des Lilas\n75011 Paris",\n'
    "A2,Marc,Durand,2011-09-09,75112,3 rue Oberkampf,active\n"
    "A3,Léa,Nguyễn,,,,\n"
)


def make_cycle(db: Session, council: int, **changes: object) -> int:
    form = cycle_form(instance=str(changes.pop("instance", "2028")), **changes)
    cycle_id = cycles.create_cycle(db, NOW, actor_id=council, form=form)
    for code, name in (("75111", "11e"), ("75112", "12e")):
        district = cycles.create_district(
            db, NOW, actor_id=council, cycle_id=cycle_id, code=code, name=name
        )
        district_form = budget_form(name_fr=name, scope="district", district_id=district)
        budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=district_form)
    budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=budget_form())
    cycles.set_schedule(db, NOW, actor_id=council, cycle_id=cycle_id, dates=schedule())
    return cycle_id


@pytest.fixture
def roll_cycle(db: Session, council: int) -> int:
    return make_cycle(
        db, council, eligibility_mode="roll", district_mode="residence", min_age=16,
        reference_date=date(2027, 9, 8),
    )  # fmt: skip


def entries(db: Session, cycle_id: int) -> dict[str, RollEntry]:
    query = select(RollEntry).where(RollEntry.cycle_id == cycle_id).order_by(col(RollEntry.id))
    return {e.external_id or "": e for e in db.exec(query)}


def district_id(db: Session, cycle_id: int, code: str) -> int:
    return next(d.id for d in queries.list_districts(db, cycle_id) if d.code == code)


def entitled(db: Session, entry: RollEntry) -> set[str]:
    rules = queries.cycle_rules(db, entry.cycle_id)
    ids = entitled_budgets(
        rules, queries.entry_view(entry).facts, queries.budget_scopes(db, entry.cycle_id)
    )
    return {queries.get_budget(db, i).name_fr for i in ids}


def test_a_valid_roll_is_imported_and_entitles_by_residence_and_age(
    db: Session, council: int, roll_cycle: int
) -> None:
    report = roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=GOOD)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    found = entries(db, roll_cycle)
    amina = found["A1"]
    assert (amina.given_name, amina.birth_date, amina.birth_year, amina.source) == (
        "Amina", date(1990, 5, 31), 1990, "roll",
    )  # fmt: skip
    assert amina.postal_address == "12 rue des Lilas\n75011 Paris"
    assert amina.district_id == district_id(db, roll_cycle, "75111")
    assert entitled(db, amina) == {"Tout Paris", "11e"}
    assert entitled(db, found["A2"]) == set()  # 16 only the day after the reference date
    assert entitled(db, found["A3"]) == set()  # no birth date: the minimum age is not proven
    [entry] = queries.list_audit(db, limit=1)
    assert (entry.action, entry.details["created"]) == ("roll.import", 3)


def test_every_problem_is_listed_with_line_and_column_and_nothing_is_written(
    db: Session, council: int, roll_cycle: int
) -> None:
    bad = HEADER + (
        "A1,Amina,Diallo,1990-05-31,75111,,\n"
        ",Marc,,31/05/1990,75999,,gone\n"
        "\n"
        "A1,Léa,Martin,1991-02-30,,,\n"
        f"{'x' * 65},Paul,Petit,,,,\n"
        "A5,a,b,,,,,extra\n"
    )
    before = snapshot(db)
    with pytest.raises(RollFileInvalid) as caught:
        roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=bad)
    found = [(p.line, p.field, p.error.code) for p in caught.value.problems]
    assert found == [
        (3, "external_id", "field.required"),
        (3, "family_name", "field.required"),
        (3, "status", "field.invalid-choice"),
        (3, "birth_date", "field.date"),
        (3, "district", "roll.district"),
        (5, "birth_date", "field.date"),
        (6, "external_id", "field.too-long"),
        (7, "row", "roll.extra-cells"),
    ]
    assert snapshot(db) == before
    # A duplicate external id names the line it repeats.
    duplicate = HEADER + "A1,Amina,Diallo,,,,\nA1,Léa,Martin,,,,\n"
    with pytest.raises(RollFileInvalid) as caught:
        roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=duplicate)
    [problem] = caught.value.problems
    assert (problem.line, problem.field, problem.error.params) == (3, "external_id", {"line": 2})
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\xff\xfe not utf-8", "roll.encoding"),
        ("given_name,birth_date\nAmina,1990-01-01\n", "roll.header"),
        ("", "roll.header"),
    ],
)
def test_an_unreadable_file_is_refused_as_a_whole(
    db: Session, council: int, roll_cycle: int, content: bytes | str, code: str
) -> None:
    with pytest.raises(FieldErrors) as caught:
        roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=content)
    assert caught.value.fields["file"].code == code
    assert entries(db, roll_cycle) == {}


def test_reimporting_updates_by_external_id_and_removes_and_restores(
    db: Session, council: int, roll_cycle: int
) -> None:
    roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=GOOD)
    first = {k: e.id for k, e in entries(db, roll_cycle).items()}
    again = HEADER + (
        'A1,Amina,Diallo,1990-05-31,75112,"12 rue des Lilas\n75011 Paris",\n'  # moved
        "A2,Marc,Durand,2011-09-09,75112,3 rue Oberkampf,removed\n"
        "A3,Léa,Nguyễn,,,,\n"
        "A4,Paul,Petit,1980-01-01,75111,,\n"
    )
    report = roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=again)
    assert (report.created, report.updated, report.unchanged, report.removed) == (1, 2, 1, 1)
    found = entries(db, roll_cycle)
    assert {k: e.id for k, e in found.items() if k in first} == first  # same rows, updated
    assert found["A1"].district_id == district_id(db, roll_cycle, "75112")
    assert (found["A2"].voided_at, found["A2"].void_reason) == (NOW, "removed from the roll")
    # Semicolons (a French spreadsheet) and the entry back on the roll.
    restored = "external_id;family_name;status\nA2;Durand;active\n"
    report = roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=restored)
    assert (report.updated, report.removed) == (1, 0)
    assert entries(db, roll_cycle)["A2"].voided_at is None


def test_only_the_council_imports_only_a_roll_mode_cycle_before_voting(
    db: Session, hasher, council: int, roll_cycle: int
) -> None:
    with pytest.raises(PermissionDenied):
        roll.import_roll(db, NOW, actor_id=resident(db, hasher), cycle_id=roll_cycle, content=GOOD)
    declared = make_cycle(db, council, instance="2029", eligibility_mode="declared")
    with pytest.raises(NotRollMode):
        roll.import_roll(db, NOW, actor_id=council, cycle_id=declared, content=GOOD)
    row = db.get(Cycle, roll_cycle)
    assert row is not None
    row.phase = Phase.VOTING
    db.add(row)
    with pytest.raises(WrongPhase):
        roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=GOOD)


# -- declarations ------------------------------------------------------------------------------


@pytest.fixture
def declared_cycle(db: Session, council: int) -> int:
    cycle_id = make_cycle(
        db, council, instance="2030", eligibility_mode="declared", district_mode="choice"
    )
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    return cycle_id


def test_a_resident_declares_once_and_the_council_voids_it(
    db: Session, hasher, council: int, declared_cycle: int
) -> None:
    amina = resident(db, hasher)
    eleventh = district_id(db, declared_cycle, "75111")
    entry_id = roll.declare(
        db, NOW, account_id=amina, cycle_id=declared_cycle, birth_year=1990,
        district_id=eleventh,
    )  # fmt: skip
    view = queries.account_entry(db, declared_cycle, amina)
    assert view is not None
    assert (view.id, view.source, view.birth_year, view.district_id) == (
        entry_id, "declared", 1990, eleventh,
    )  # fmt: skip
    assert queries.list_audit(db, limit=1)[0].action == "roll.declare"
    with pytest.raises(AlreadyDeclared):
        roll.declare(
            db, NOW, account_id=amina, cycle_id=declared_cycle, birth_year=1991,
            district_id=eleventh,
        )  # fmt: skip
    with pytest.raises(FieldErrors) as caught:
        roll.void_entry(db, NOW, actor_id=council, entry_id=entry_id, reason=" ")
    assert caught.value.fields["reason"].code == "field.required"
    assert roll.void_entry(db, NOW, actor_id=council, entry_id=entry_id, reason="Two accounts")
    assert not roll.void_entry(db, NOW, actor_id=council, entry_id=entry_id, reason="again")
    voided = queries.get_entry(db, entry_id)
    assert (voided.voided_at, voided.void_reason) == (NOW, "Two accounts")
    with pytest.raises(PermissionDenied):
        roll.void_entry(db, NOW, actor_id=amina, entry_id=entry_id, reason="mine")


def test_a_declaration_needs_a_verified_email_a_year_and_a_district_of_the_cycle(
    db: Session, hasher, council: int, declared_cycle: int, roll_cycle: int
) -> None:
    unverified = resident(db, hasher, "noor", verified=False)
    amina = resident(db, hasher)
    before = snapshot(db)
    assert queries.email_verified(db, unverified) is False
    assert queries.email_verified(db, amina) is True
    with pytest.raises(EmailNotVerified):
        roll.declare(
            db, NOW, account_id=unverified, cycle_id=declared_cycle, birth_year=1990,
            district_id=district_id(db, declared_cycle, "75111"),
        )  # fmt: skip
    with pytest.raises(FieldErrors) as caught:
        roll.declare(
            db, NOW, account_id=amina, cycle_id=declared_cycle, birth_year=1800,
            district_id=district_id(db, roll_cycle, "75111"),
        )  # fmt: skip
    assert {k: v.code for k, v in caught.value.fields.items()} == {
        "birth_year": "field.out-of-range", "district_id": "field.invalid-choice",
    }  # fmt: skip
    with pytest.raises(FieldErrors) as caught:
        roll.declare(
            db, NOW, account_id=amina, cycle_id=declared_cycle, birth_year=None,
            district_id=None,
        )  # fmt: skip
    assert set(caught.value.fields) == {"birth_year", "district_id"}
    with pytest.raises(NotDeclaredMode):
        roll.declare(
            db, NOW, account_id=amina, cycle_id=roll_cycle, birth_year=1990,
            district_id=district_id(db, roll_cycle, "75111"),
        )  # fmt: skip
    assert snapshot(db) == before


def test_a_birth_date_vouched_by_a_provider_fills_the_declaration(
    db: Session, hasher, declared_cycle: int
) -> None:
    amina = resident(db, hasher)
    claims = oidc.Claims(
        provider="city", label="City", subject="s-1", email="amina@example.fr",
        birthdate=date(1984, 6, 2), name=None,
    )  # fmt: skip
    oidc.sign_in(db, NOW, claims=claims, links=mailbox.links(), language="fr")
    token = mailbox.link_token(db, "amina@example.fr", "/login/oidc/confirm")
    oidc.confirm_link(db, NOW, token=token, token_key=mailbox.TOKEN_KEY)
    entry_id = roll.declare(
        db, NOW, account_id=amina, cycle_id=declared_cycle, birth_year=None,
        district_id=district_id(db, declared_cycle, "75111"),
    )  # fmt: skip
    entry = db.get(RollEntry, entry_id)
    assert entry is not None
    assert (entry.birth_year, entry.birth_date, entry.verified_by_provider) == (
        1984, date(1984, 6, 2), True,
    )  # fmt: skip
    assert queries.list_audit(db, limit=1)[0].details["verified_by"] == "city"


def test_a_typed_year_is_a_declaration_not_verified_by_a_provider(
    db: Session, hasher, declared_cycle: int
) -> None:
    amina = resident(db, hasher)
    entry_id = roll.declare(
        db, NOW, account_id=amina, cycle_id=declared_cycle, birth_year=1990,
        district_id=district_id(db, declared_cycle, "75111"),
    )  # fmt: skip
    entry = db.get(RollEntry, entry_id)
    assert entry is not None
    assert (entry.birth_year, entry.birth_date, entry.verified_by_provider) == (1990, None, False)


def test_the_district_of_choice_is_fixed_by_the_first_choice(
    db: Session, hasher, council: int, declared_cycle: int, roll_cycle: int
) -> None:
    amina = resident(db, hasher)
    eleventh, twelfth = (district_id(db, declared_cycle, c) for c in ("75111", "75112"))
    entry_id = roll.declare(
        db, NOW, account_id=amina, cycle_id=declared_cycle, birth_year=1990,
        district_id=eleventh,
    )  # fmt: skip
    entry = db.get(RollEntry, entry_id)
    assert entry is not None
    assert entitled(db, entry) == {"Tout Paris", "11e", "12e"}
    with pytest.raises(FieldErrors):
        roll.choose_district(db, entry_id, district_id(db, roll_cycle, "75112"), NOW)
    assert roll.choose_district(db, entry_id, twelfth, NOW) is True
    assert roll.choose_district(db, entry_id, twelfth, NOW) is False
    with pytest.raises(DistrictAlreadyChosen):
        roll.choose_district(db, entry_id, eleventh, NOW)
    db.refresh(entry)
    assert (entry.chosen_district_id, entry.district_chosen_at) == (twelfth, NOW)
    assert entitled(db, entry) == {"Tout Paris", "12e"}
    names = {queries.get_budget(db, i).name_fr for i in queries.entitled_budget_ids(db, entry_id)}
    assert names == {"Tout Paris", "12e"}
    # By residence there is nothing to choose.
    roll.import_roll(db, NOW, actor_id=council, cycle_id=roll_cycle, content=GOOD)
    with pytest.raises(DistrictNotChoosable):
        roll.choose_district(
            db, entries(db, roll_cycle)["A1"].id or 0, district_id(db, roll_cycle, "75112"), NOW
        )
