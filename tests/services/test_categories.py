"""Categories of a cycle: created, renamed and deleted by the council, audited; bad input and
categories in use refused with nothing written."""

from __future__ import annotations

from datetime import datetime

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from budget.domain.errors import (
    CategoryCodeTaken,
    CategoryInUse,
    FieldErrors,
    InvalidCode,
    PermissionDenied,
    Required,
)
from budget.services import categories, cycles, proposals
from tests.security.test_csrf import snapshot
from tests.services.conftest import resident


def add(db: Session, now: datetime, council: int, cycle_id: int, code: str = "green") -> int:
    return categories.create_category(
        db, now, actor_id=council, cycle_id=cycle_id, code=code,
        name_fr="Environnement", name_en="Environment",
    )  # fmt: skip


def test_a_category_is_created_normalised_and_audited(
    db: Session, now: datetime, council: int, cycle_id: int
) -> None:
    category_id = categories.create_category(
        db, now, actor_id=council, cycle_id=cycle_id, code=" Mobility ",
        name_fr=" Mobilité ", name_en="Mobility",
    )  # fmt: skip
    view = queries.get_category(db, category_id)
    assert (view.code, view.name_fr, view.proposals) == ("mobility", "Mobilité", 0)
    assert queries.list_audit(db)[0].action == "category.create"


def test_bad_fields_are_all_named_and_nothing_is_written(
    db: Session, now: datetime, council: int, cycle_id: int
) -> None:
    add(db, now, council, cycle_id)
    before = snapshot(db)
    with pytest.raises(FieldErrors) as caught:
        categories.create_category(
            db, now, actor_id=council, cycle_id=cycle_id, code="green", name_fr="", name_en="x"
        )
    assert isinstance(caught.value.fields["code"], CategoryCodeTaken)
    assert isinstance(caught.value.fields["name_fr"], Required)
    with pytest.raises(FieldErrors) as caught:
        add(db, now, council, cycle_id, code="no spaces!")
    assert isinstance(caught.value.fields["code"], InvalidCode)
    assert snapshot(db) == before


def test_only_the_council_manages_categories(
    db: Session, now: datetime, council: int, cycle_id: int, hasher: PasswordHasher
) -> None:
    someone = resident(db, hasher)
    with pytest.raises(PermissionDenied):
        add(db, now, someone, cycle_id)


def test_a_category_is_renamed_and_keeps_its_own_code(
    db: Session, now: datetime, council: int, cycle_id: int
) -> None:
    category_id = add(db, now, council, cycle_id)
    categories.update_category(
        db, now, actor_id=council, category_id=category_id, code="green",
        name_fr="Nature", name_en="Nature",
    )  # fmt: skip
    assert queries.get_category(db, category_id).name_en == "Nature"
    entry = queries.list_audit(db)[0]
    assert (entry.action, entry.details["changed"]) == ("category.update", ["name_en", "name_fr"])


def test_a_category_in_use_cannot_be_deleted_an_unused_one_can(
    db: Session, now: datetime, council: int, cycle_id: int, hasher: PasswordHasher
) -> None:
    used = add(db, now, council, cycle_id)
    unused = add(db, now, council, cycle_id, code="schools")
    cycles.advance_phase(db, now, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    budget_id = queries.list_budgets(db, cycle_id)[0].id
    proposals.create_proposal(
        db, now, author_id=resident(db, hasher), budget_id=budget_id, title="Trees",
        summary="Shade", category_id=used,
    )  # fmt: skip
    before = snapshot(db)
    with pytest.raises(CategoryInUse):
        categories.delete_category(db, now, actor_id=council, category_id=used)
    assert snapshot(db) == before
    categories.delete_category(db, now, actor_id=council, category_id=unused)
    assert [c.code for c in queries.list_categories(db, cycle_id)] == ["green"]
    assert queries.list_categories(db, cycle_id)[0].proposals == 1
