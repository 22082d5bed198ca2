"""Council administration of budgets (envelopes): amount, scope, ballot type and limits,
allocation rule, its options and tie-break chain. Ballot and rule settings freeze when voting
opens (PRODUCT.md "Locks"; T8); names stay editable until the cycle is archived.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from budget.db import queries
from budget.db.tables import Budget, District
from budget.domain import ballots, geo
from budget.domain import cycle as rules
from budget.domain.ballots import BallotLimits, BallotType
from budget.domain.cycle import Phase
from budget.domain.errors import (
    BudgetError,
    FieldErrors,
    InvalidChoice,
    Locked,
    NotFound,
    OutOfRange,
    Required,
    RuleIncompatible,
    WrongPhase,
    collect,
    raise_if_any,
)
from budget.domain.money import MAX_CENTS, Cents
from budget.domain.proposals import check_text
from budget.services import audit
from budget.services.cycles import editable_cycle, require_council

SCOPES = ("city", "district")
LOCKED_BUDGET_FIELDS = (
    "scope", "district_id", "amount", "ballot_type", "limits", "rule", "rule_options",
    "tie_break", "max_project_cost",
)  # fmt: skip


@dataclass(frozen=True)
class BudgetForm:
    name_fr: str
    name_en: str
    scope: str
    district_id: int | None
    amount: Cents
    ballot_type: BallotType | None = None
    limits: BallotLimits = field(default_factory=BallotLimits)
    rule: str | None = None
    tie_break: str | None = None
    max_project_cost: Cents | None = None
    rule_options: Mapping[str, object] = field(default_factory=dict)


def _scope_errors(
    db: Session, cycle_id: int, form: BudgetForm, errors: dict[str, BudgetError]
) -> None:
    if form.scope not in SCOPES:
        errors["scope"] = InvalidChoice(choices=", ".join(SCOPES))
    elif form.scope == "district":
        if form.district_id is None:
            errors["district_id"] = Required()
        elif (district := db.get(District, form.district_id)) is None or (
            district.cycle_id != cycle_id
        ):
            errors["district_id"] = InvalidChoice(choices="the listed districts")
    if not 1 <= form.amount <= MAX_CENTS:
        errors["amount"] = OutOfRange(min=1, max=MAX_CENTS)
    elif form.max_project_cost is not None and not 1 <= form.max_project_cost <= form.amount:
        errors["max_project_cost"] = OutOfRange(min=1, max=form.amount)


def _rule_errors(form: BudgetForm, errors: dict[str, BudgetError]) -> None:
    if form.ballot_type is not None:
        errors |= ballots.limit_errors(form.ballot_type, form.limits)
    if form.rule is not None:
        if form.rule not in ballots.rule_names():
            errors["rule"] = InvalidChoice(choices=", ".join(ballots.rule_names()))
        elif form.ballot_type is not None and not ballots.rule_accepts(form.rule, form.ballot_type):
            errors["rule"] = RuleIncompatible(rule=form.rule, ballot_type=form.ballot_type.value)
    if form.tie_break is not None:
        collect(errors, "tie_break", lambda: ballots.parse_tie_break(form.tie_break or ""))
    collect(errors, "rule_options", lambda: ballots.normalise_rule_options(form.rule_options))


def _budget_errors(db: Session, cycle_id: int, form: BudgetForm) -> dict[str, BudgetError]:
    """Every problem with the form, keyed by field (limit fields by their own names)."""
    errors: dict[str, BudgetError] = {}
    collect(errors, "name_fr", lambda: check_text(form.name_fr, 120))
    collect(errors, "name_en", lambda: check_text(form.name_en, 120))
    _scope_errors(db, cycle_id, form, errors)
    _rule_errors(form, errors)
    if "rule_options" not in errors:
        codes = [c.code for c in queries.list_categories(db, cycle_id)]
        problem = ballots.envelope_problem(
            form.rule_options, amount=form.amount, categories=codes, ballot_type=form.ballot_type
        )
        if problem is not None:
            errors["rule_options"] = problem
    return errors


def _values(form: BudgetForm) -> dict[str, object]:
    """The column values the form stands for (normalised)."""
    limits = (
        ballots.normalise_limits(form.ballot_type, form.limits)
        if form.ballot_type
        else BallotLimits()
    )
    return {
        "name_fr": form.name_fr.strip(),
        "name_en": form.name_en.strip(),
        "scope": form.scope,
        "district_id": form.district_id if form.scope == "district" else None,
        "amount": form.amount,
        "ballot_type": form.ballot_type.value if form.ballot_type else None,
        **{name: getattr(limits, name) for name in BallotLimits.__dataclass_fields__},
        "rule": form.rule,
        "rule_options": json.dumps(dict(form.rule_options), sort_keys=True),
        "tie_break": ballots.parse_tie_break(form.tie_break) if form.tie_break else None,
        "max_project_cost": form.max_project_cost,
    }


def _frozen_changes(row: Budget, values: Mapping[str, object]) -> tuple[str, ...]:
    limit_names = set(BallotLimits.__dataclass_fields__)
    changed = {n for n, v in values.items() if getattr(row, n) != v}
    frozen = {"limits" if n in limit_names else n for n in changed}
    return tuple(n for n in LOCKED_BUDGET_FIELDS if n in frozen)


def create_budget(
    db: Session, now: datetime, *, actor_id: int, cycle_id: int, form: BudgetForm
) -> int:
    """A new budget of the cycle, in the cycle's currency, before voting opens."""
    require_council(db, actor_id)
    cycle = editable_cycle(db, cycle_id)
    if rules.is_locked(Phase(cycle.phase)):
        raise WrongPhase(phase=cycle.phase)
    raise_if_any(_budget_errors(db, cycle_id, form))
    row = Budget(cycle_id=cycle_id, currency=cycle.currency, **_values(form))  # type: ignore[arg-type]  # values checked above
    db.add(row)
    db.flush()
    assert row.id is not None  # noqa: S101 - flush assigns the id
    audit.append(
        db, now, actor=actor_id, action="budget.create", object=f"budget:{row.id}",
        details={"cycle": cycle_id, "amount": row.amount, "scope": row.scope},
    )  # fmt: skip
    return row.id


def update_budget(
    db: Session, now: datetime, *, actor_id: int, budget_id: int, form: BudgetForm
) -> None:
    """Change a budget; once voting opened only its names may change (Locked otherwise)."""
    require_council(db, actor_id)
    row = db.get(Budget, budget_id)
    if row is None:
        raise NotFound(kind="budget", id=budget_id)
    cycle = editable_cycle(db, row.cycle_id)
    raise_if_any(_budget_errors(db, row.cycle_id, form))
    values = _values(form)
    if rules.is_locked(Phase(cycle.phase)):
        frozen = _frozen_changes(row, values)
        if frozen:
            raise Locked(fields=frozen)
    changed = sorted(n for n, v in values.items() if getattr(row, n) != v)
    for name, value in values.items():
        setattr(row, name, value)
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="budget.update", object=f"budget:{budget_id}",
        details={"changed": changed},
    )  # fmt: skip


# -- districts: boundaries (the proposals feature) ---------------------------------------------


def set_district_boundary(
    db: Session, now: datetime, *, actor_id: int, district_id: int, geojson: str | None
) -> None:
    """Store the district's GeoJSON boundary (checked by domain.geo), or remove it (None).
    A bad file raises FieldErrors on `boundary` naming the problem; nothing is written."""
    require_council(db, actor_id)
    row = db.get(District, district_id)
    if row is None:
        raise NotFound(kind="district", id=district_id)
    editable_cycle(db, row.cycle_id)
    details: dict[str, object] = {"removed": True}
    if geojson is not None:
        try:
            shape = geo.parse_boundary(geojson)
        except BudgetError as error:
            raise FieldErrors({"boundary": error}) from None
        details = {"polygons": len(shape.polygons), "characters": len(geojson)}
    row.boundary = geojson
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="district.boundary", object=f"district:{district_id}",
        details=details,
    )  # fmt: skip
