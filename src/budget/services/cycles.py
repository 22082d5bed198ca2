"""Council administration of cycles: settings, districts, schedule and phase moves.

Budgets (envelopes) live in `services/budgets.py`. Every action requires the council role,
validates everything first (FieldErrors naming each bad field) and is audited.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import Budget, Cycle, District, PhaseSchedule, Proposal
from budget.domain import cycle as rules
from budget.domain.accounts import Role
from budget.domain.cycle import Phase
from budget.domain.eligibility import DistrictMode, EligibilityMode, RollRetention
from budget.domain.engagement import FollowTopic
from budget.domain.errors import (
    BudgetError,
    CodeTaken,
    DatesOutOfOrder,
    InstanceTaken,
    InvalidChoice,
    InvalidCode,
    InvalidCurrency,
    InvalidTimeZone,
    Locked,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ReadOnly,
    TransitionRefused,
    collect,
    raise_if_any,
)
from budget.domain.proposals import EventKind, ProposalStatus, check_text
from budget.services import audit, closing, follows, history, mail_text, voting
from budget.services import retention as retention_service
from budget.tally.ties import seed_commitment

ELIGIBILITY_MODES = tuple(m.value for m in EligibilityMode)
DISTRICT_MODES = tuple(m.value for m in DistrictMode)
_CODE = re.compile(r"^[A-Za-z0-9-]{1,16}$")
_INSTANCE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# Frozen once voting opens (PRODUCT.md "Locks"; T8).
LOCKED_CYCLE_FIELDS = ("currency", "eligibility_mode", "district_mode", "min_age")


@dataclass(frozen=True)
class CycleForm:
    name_fr: str
    name_en: str
    instance: str
    time_zone: str
    currency: str
    eligibility_mode: str
    district_mode: str
    min_age: int | None
    reference_date: date
    max_proposals_per_author: int = 5
    proposers_must_be_eligible: bool = False


def require_council(db: Session, actor_id: int) -> None:
    if not queries.get_account(db, actor_id).has_role(Role.COUNCIL):
        raise PermissionDenied(role=Role.COUNCIL.value)


def editable_cycle(db: Session, cycle_id: int, *, lock: bool = False) -> Cycle:
    """The cycle row, refused when archived (read-only). `lock` takes a row lock on PostgreSQL
    so two council members cannot move the same cycle at once."""
    query = select(Cycle).where(Cycle.id == cycle_id)
    row = db.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(kind="cycle", id=cycle_id)
    if row.phase == Phase.ARCHIVED:
        raise ReadOnly()
    return row


def _cycle_errors(form: CycleForm) -> dict[str, BudgetError]:
    errors: dict[str, BudgetError] = {}
    collect(errors, "name_fr", lambda: check_text(form.name_fr, 120))
    collect(errors, "name_en", lambda: check_text(form.name_en, 120))
    if not _INSTANCE.match(form.instance):
        errors["instance"] = InvalidCode()
    try:
        ZoneInfo(form.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = InvalidTimeZone()
    if form.currency not in list_currencies():
        errors["currency"] = InvalidCurrency()
    if form.eligibility_mode not in ELIGIBILITY_MODES:
        errors["eligibility_mode"] = InvalidChoice(choices=", ".join(ELIGIBILITY_MODES))
    if form.district_mode not in DISTRICT_MODES:
        errors["district_mode"] = InvalidChoice(choices=", ".join(DISTRICT_MODES))
    if form.min_age is not None and not 0 <= form.min_age <= 120:
        errors["min_age"] = OutOfRange(min=0, max=120)
    if not 1 <= form.max_proposals_per_author <= 100:
        errors["max_proposals_per_author"] = OutOfRange(min=1, max=100)
    return errors


def _instance_taken(db: Session, instance: str, cycle_id: int | None) -> bool:
    row = db.exec(select(Cycle).where(Cycle.instance == instance)).first()
    return row is not None and row.id != cycle_id


def _apply(row: Cycle, form: CycleForm) -> list[str]:
    """Copy the form onto the row (names trimmed); returns the names of changed fields."""
    changed = []
    for f in fields(CycleForm):
        value = getattr(form, f.name)
        value = value.strip() if f.name in ("name_fr", "name_en") else value
        if getattr(row, f.name) != value:
            changed.append(f.name)
            setattr(row, f.name, value)
    return changed


def create_cycle(
    db: Session, now: datetime, *, actor_id: int, form: CycleForm, copy_from: int | None = None
) -> int:
    """A new cycle in the draft phase; `copy_from` (another cycle) gives it copies of that
    cycle's districts, boundaries included, which then change independently."""
    require_council(db, actor_id)
    errors = _cycle_errors(form)
    if "instance" not in errors and _instance_taken(db, form.instance, None):
        errors["instance"] = InstanceTaken()
    if copy_from is not None and db.get(Cycle, copy_from) is None:
        errors["copy_from"] = InvalidChoice(choices="the listed cycles")
    raise_if_any(errors)
    row = Cycle(
        name_fr=form.name_fr.strip(),
        name_en=form.name_en.strip(),
        instance=form.instance,
        time_zone=form.time_zone,
        currency=form.currency,
        eligibility_mode=form.eligibility_mode,
        district_mode=form.district_mode,
        min_age=form.min_age,
        reference_date=form.reference_date,
        max_proposals_per_author=form.max_proposals_per_author,
        proposers_must_be_eligible=form.proposers_must_be_eligible,
        phase=Phase.DRAFT,
        created_at=now,
    )
    db.add(row)
    db.flush()
    assert row.id is not None  # noqa: S101 - flush assigns the id
    copied = _copy_districts(db, copy_from, row.id) if copy_from is not None else 0
    audit.append(
        db, now, actor=actor_id, action="cycle.create", object=f"cycle:{row.id}",
        details={"instance": row.instance, "copied_from": copy_from, "districts": copied},
    )  # fmt: skip
    return row.id


def _copy_districts(db: Session, source_id: int, target_id: int) -> int:
    rows = db.exec(select(District).where(District.cycle_id == source_id)).all()
    for district in rows:
        db.add(
            District(
                cycle_id=target_id, code=district.code, name=district.name,
                boundary=district.boundary,
            )
        )  # fmt: skip
    db.flush()
    return len(rows)


def update_cycle(
    db: Session, now: datetime, *, actor_id: int, cycle_id: int, form: CycleForm
) -> None:
    """Change a cycle's settings; eligibility, minimum age and currency freeze at voting."""
    require_council(db, actor_id)
    row = editable_cycle(db, cycle_id)
    errors = _cycle_errors(form)
    if "instance" not in errors and _instance_taken(db, form.instance, cycle_id):
        errors["instance"] = InstanceTaken()
    raise_if_any(errors)
    if rules.is_locked(Phase(row.phase)):
        frozen = tuple(n for n in LOCKED_CYCLE_FIELDS if getattr(row, n) != getattr(form, n))
        if frozen:
            raise Locked(fields=frozen)
    changed = _apply(row, form)
    if "currency" in changed:  # one currency per cycle: its budgets follow
        for budget in db.exec(select(Budget).where(Budget.cycle_id == cycle_id)):
            budget.currency = row.currency
            db.add(budget)
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="cycle.update", object=f"cycle:{cycle_id}",
        details={"changed": changed},
    )  # fmt: skip


# -- districts -------------------------------------------------------------------------------


def _district_errors(
    db: Session, cycle_id: int, code: str, name: str, district_id: int | None
) -> dict[str, BudgetError]:
    errors: dict[str, BudgetError] = {}
    if not _CODE.match(code):
        errors["code"] = InvalidCode()
    else:
        query = select(District).where(District.cycle_id == cycle_id, District.code == code)
        other = db.exec(query).first()
        if other is not None and other.id != district_id:
            errors["code"] = CodeTaken()
    collect(errors, "name", lambda: check_text(name, 120))
    return errors


def create_district(
    db: Session, now: datetime, *, actor_id: int, cycle_id: int, code: str, name: str
) -> int:
    """A district of the cycle (e.g. code 75111, "11e arrondissement") that its district
    budgets can target; codes are unique within the cycle."""
    require_council(db, actor_id)
    editable_cycle(db, cycle_id)
    code = code.strip()
    raise_if_any(_district_errors(db, cycle_id, code, name, None))
    row = District(cycle_id=cycle_id, code=code, name=name.strip())
    db.add(row)
    db.flush()
    assert row.id is not None  # noqa: S101 - flush assigns the id
    audit.append(
        db, now, actor=actor_id, action="district.create", object=f"district:{row.id}",
        details={"cycle": cycle_id, "code": code, "name": row.name},
    )  # fmt: skip
    return row.id


def update_district(
    db: Session, now: datetime, *, actor_id: int, district_id: int, code: str, name: str
) -> None:
    require_council(db, actor_id)
    row = db.get(District, district_id)
    if row is None:
        raise NotFound(kind="district", id=district_id)
    editable_cycle(db, row.cycle_id)
    code = code.strip()
    raise_if_any(_district_errors(db, row.cycle_id, code, name, district_id))
    row.code, row.name = code, name.strip()
    db.add(row)
    audit.append(
        db, now, actor=actor_id, action="district.update", object=f"district:{district_id}",
        details={"code": code, "name": row.name},
    )  # fmt: skip


# -- schedule --------------------------------------------------------------------------------

Window = tuple[datetime, datetime]


def _schedule_errors(merged: Mapping[Phase, Window]) -> dict[str, BudgetError]:
    """Each window must end after it starts and not start before the previous phase ends."""
    errors: dict[str, BudgetError] = {}
    previous_end: datetime | None = None
    for phase in rules.ORDER:
        window = merged.get(phase)
        if window is None:
            continue
        start, end = window
        if end <= start or (previous_end is not None and start < previous_end):
            errors[phase.value] = DatesOutOfOrder(phase=phase.value)
        previous_end = end
    return errors


def _frozen_dates(
    now: datetime, old: Mapping[Phase, Window], new: Mapping[Phase, Window]
) -> tuple[str, ...]:
    """Once voting opened, phases up to voting keep their dates, except that the voting end may
    move later while it has not passed yet."""
    frozen = []
    for phase in rules.ORDER[: rules.ORDER.index(Phase.VOTING)]:
        if old.get(phase) != new.get(phase):
            frozen.append(phase.value)
    old_voting, new_voting = old.get(Phase.VOTING), new.get(Phase.VOTING)
    if old_voting != new_voting:
        moves_end_later = (
            old_voting is not None
            and new_voting is not None
            and old_voting[0] == new_voting[0]
            and new_voting[1] > old_voting[1]
            and now < old_voting[1]
        )
        if not moves_end_later:
            frozen.append(Phase.VOTING.value)
    return tuple(frozen)


def set_schedule(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    cycle_id: int,
    dates: Mapping[Phase, Window | None],
) -> None:
    """Set (a window) or clear (None) the planned dates of the phases given; others unchanged."""
    require_council(db, actor_id)
    cycle = editable_cycle(db, cycle_id)
    rows = {
        Phase(r.phase): r
        for r in db.exec(select(PhaseSchedule).where(PhaseSchedule.cycle_id == cycle_id))
    }
    old = {phase: (r.starts_at, r.ends_at) for phase, r in rows.items()}
    merged = {**old, **{p: w for p, w in dates.items() if w is not None}}
    for phase, window in dates.items():
        if window is None:
            merged.pop(phase, None)
    raise_if_any(_schedule_errors(merged))
    if rules.is_locked(Phase(cycle.phase)):
        frozen = _frozen_dates(now, old, merged)
        if frozen:
            raise Locked(fields=frozen)
    for phase, row in rows.items():
        if phase not in merged:
            db.delete(row)
    for phase, (start, end) in merged.items():
        row = rows.get(phase) or PhaseSchedule(
            cycle_id=cycle_id, phase=phase, starts_at=start, ends_at=end
        )
        row.starts_at, row.ends_at = start, end
        db.add(row)
    audit.append(
        db, now, actor=actor_id, action="cycle.schedule", object=f"cycle:{cycle_id}",
        details={p.value: [s.isoformat(), e.isoformat()] for p, (s, e) in merged.items()},
    )  # fmt: skip


# -- phases ----------------------------------------------------------------------------------


def advance_phase(
    db: Session, now: datetime, *, actor_id: int, cycle_id: int, target: Phase,
    retention: RollRetention = RollRetention.PURGE,
) -> Phase:  # fmt: skip
    """Move the cycle to `target` if its guard allows, else TransitionRefused with every reason.

    Opening voting freezes each budget's ballot and counting rules with its projects and final
    costs (`voting.freeze_cycle`) and draws its 32-byte lottery seed with `secrets`, stored with
    its SHA-256 commitment (published now, the seed at the count); going back to review drops
    them. Entering review moves submitted proposals to in_review. Archiving purges the roll,
    declarations and voting codes when `retention` (BUDGET_ROLL_RETENTION) says so
    (services.retention)."""
    require_council(db, actor_id)
    row = editable_cycle(db, cycle_id, lock=True)
    source = Phase(row.phase)
    _check_move(db, now, cycle_id, source, target)
    commitments = _move_effects(db, now, actor_id, cycle_id, source, target)
    row.phase = target
    db.add(row)
    if target is Phase.ARCHIVED and retention is RollRetention.PURGE:
        db.flush()
        retention_service.purge_cycle(db, now, actor_id=actor_id, cycle_id=cycle_id)
    audit.append(
        db, now, actor=actor_id, action="cycle.advance", object=f"cycle:{cycle_id}",
        details={"from": source.value, "to": target.value, "commitments": commitments},
    )  # fmt: skip
    return target


def _check_move(db: Session, now: datetime, cycle_id: int, source: Phase, target: Phase) -> None:
    """TransitionRefused with every reason the move is not allowed now."""
    if target is Phase.CLOSED:  # the one list of close blockers (polling places among them)
        blockers = closing.close_blockers(db, cycle_id, now)
        if blockers:
            raise TransitionRefused(
                source=source.value, target=target.value, reasons=tuple(blockers)
            )
    else:
        rules.check_transition(queries.cycle_snapshot(db, cycle_id, now), target)


def _move_effects(
    db: Session, now: datetime, actor_id: int, cycle_id: int, source: Phase, target: Phase
) -> dict[str, str | None]:
    """What entering `target` does (seeds, frozen rules, sealed boxes, review, notices);
    returns the commitments or fingerprints the audit entry records."""
    commitments: dict[str, str | None] = {}
    if target in (Phase.VOTING, Phase.REVIEW):
        commitments = _reset_seeds(db, cycle_id, draw=target is Phase.VOTING)
    if target is Phase.VOTING:
        voting.freeze_cycle(db, now, cycle_id)
    elif (source, target) == (Phase.VOTING, Phase.REVIEW):
        voting.thaw_cycle(db, cycle_id)
    if target is Phase.CLOSED:
        commitments = closing.close_boxes(db, now, actor_id=actor_id, cycle_id=cycle_id)
    if (source, target) == (Phase.SUBMISSION, Phase.REVIEW):
        _start_review(db, now, cycle_id)
    if target is Phase.VOTING:
        on_ballot = select(Proposal.id).where(
            Proposal.cycle_id == cycle_id, Proposal.status == ProposalStatus.ON_BALLOT
        )
        for proposal_id in db.exec(on_ballot).all():  # followers, authors among them
            follows.notify_followers(
                db, now, proposal_id or 0, FollowTopic.VOTE, mail_text.Kind.VOTE_OPENED
            )
    return commitments


def _start_review(db: Session, now: datetime, cycle_id: int) -> None:
    """Submitted proposals go to review, except those short of the support threshold, which
    are marked so in public with their count (PRODUCT.md "Before review: supports")."""
    short = queries.below_threshold(db, cycle_id)
    submitted = select(Proposal).where(Proposal.cycle_id == cycle_id)
    for proposal in db.exec(submitted.where(col(Proposal.status) == ProposalStatus.SUBMITTED)):
        pid = proposal.id or 0
        if pid in short:
            count, threshold = short[pid]
            proposal.status = ProposalStatus.UNSUPPORTED
            db.add(proposal)
            history.record(
                db, now, pid, EventKind.NOT_ENOUGH_SUPPORT, supports=count, threshold=threshold
            )
            continue
        proposal.status = ProposalStatus.IN_REVIEW
        db.add(proposal)
        history.record_review_started(db, now, pid)


def _reset_seeds(db: Session, cycle_id: int, *, draw: bool) -> dict[str, str | None]:
    commitments: dict[str, str | None] = {}
    for budget in db.exec(select(Budget).where(Budget.cycle_id == cycle_id)):
        seed = secrets.token_bytes(32) if draw else None
        budget.lottery_seed = seed
        budget.lottery_commitment = seed_commitment(seed) if seed else None
        commitments[f"budget:{budget.id}"] = budget.lottery_commitment
        db.add(budget)
    return commitments
