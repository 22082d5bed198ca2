"""Results: close, count, compare, amend, certify and publish (PRODUCT.md "Results"; T8-T10).

- closing (`services/closing.py`, called by `cycles.advance_phase`) seals each budget's box;
  the database then refuses any change to its ballots (triggers of migration 0012).
- `count_budget` counts a box with `pabulib.recount` (the CLI's rule resolution), stores the
  results document with the engine version and the other rules' outcomes (`compare`).
- `amend` records a public change to the computed winners beside them; `certify` needs two
  distinct council members re-entering their password and confirming what they saw;
  `publish_cycle` makes a certified cycle's results public and marks the proposals.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import (
    Account,
    Amendment,
    AuditLog,
    BallotProject,
    Budget,
    BudgetCount,
    Certificate,
    Certification,
    ClosedBox,
    Cycle,
    Proposal,
    Publication,
    RuleComparison,
)
from budget.domain.accounts import Role
from budget.domain.audit import GENESIS
from budget.domain.cycle import Phase
from budget.domain.engagement import FollowTopic
from budget.domain.errors import (
    AlreadyCertified,
    AlreadyPublished,
    AmendmentPointless,
    CertificationMismatch,
    NotCertified,
    NotClosed,
    NotCounted,
    NotFound,
    NotOnBallot,
    PermissionDenied,
    SameCertifier,
    WrongPassword,
)
from budget.domain.proposals import ProposalStatus, check_text
from budget.domain.results import suppress_turnout
from budget.pabulib import recount
from budget.services import audit, closing, follows, implementation, results_box
from budget.services.accounts import verify_password
from budget.services.mail_text import Kind
from budget.services.notifications import notify_authors

CERTIFIERS = 2  # distinct council members confirming a count


def _require_council(db: Session, actor_id: int) -> None:
    if not queries.get_account(db, actor_id).has_role(Role.COUNCIL):
        raise PermissionDenied(role=Role.COUNCIL.value)


# -- count -----------------------------------------------------------------------------------


def _box(db: Session, budget_id: int) -> ClosedBox:
    box = db.get(ClosedBox, budget_id)
    if box is None:
        if db.get(Budget, budget_id) is None:
            raise NotFound(kind="budget", id=budget_id)
        raise NotClosed()
    return box


def _turnout(box: ClosedBox) -> dict[str, dict[str, int]]:
    return {
        "valid": {"online": box.valid_online, "paper": box.valid_paper},
        "blank": {"online": box.blank_online, "paper": box.blank_paper},
        "invalid": {"online": box.invalid_online, "paper": box.invalid_paper},
    }


def result_document(box: ClosedBox) -> bytes:
    """results.json of a closed box: the recount of its bytes, with its ballot counts: the
    total, and the table by kind and channel as it may be published (T9: suppressed)."""
    document = recount.recount(box.box.decode("utf-8"))
    turnout = _turnout(box)
    document["ballots"] = sum(n for by in turnout.values() for n in by.values())
    document["turnout"] = suppress_turnout(turnout)
    return recount.dumps(document)


def count_budget(db: Session, now: datetime, *, actor_id: int, budget_id: int) -> str:
    """Count the closed box with its locked rule (council only, T9) and store the results
    document and the comparison; returns its SHA-256. A second count must give the same bytes:
    it is recorded in the audit log as a check and changes nothing."""
    _require_council(db, actor_id)
    box = _box(db, budget_id)
    data = result_document(box)
    digest = recount.sha256(data)
    existing = db.get(BudgetCount, budget_id)
    if existing is not None:
        audit.append(
            db, now, actor=actor_id, action="results.recount", object=f"budget:{budget_id}",
            details={"sha256": digest, "same": digest == existing.sha256},
        )  # fmt: skip
        return existing.sha256
    document = json.loads(data)
    db.add(
        BudgetCount(
            budget_id=budget_id, rule=document["rule"], engine_version=document["engine_version"],
            result=data, sha256=digest, counted_at=now, counted_by=actor_id,
        )
    )  # fmt: skip
    db.flush()
    for row in recount.compare(box.box.decode("utf-8")):
        db.add(
            RuleComparison(
                budget_id=budget_id, rule=row["rule"], funded=json.dumps(row["funded"]),
                spent=row["spent"], satisfied=row["satisfied"],
            )
        )  # fmt: skip
    db.flush()
    audit.append(
        db, now, actor=actor_id, action="results.count", object=f"budget:{budget_id}",
        details={"sha256": digest, "box": box.sha256, "rule": document["rule"],
                 "engine": document["engine_version"], "funded": document["funded"]},
    )  # fmt: skip
    return digest


def _count(db: Session, budget_id: int) -> BudgetCount:
    row = db.get(BudgetCount, budget_id)
    if row is None:
        _box(db, budget_id)
        raise NotCounted()
    return row


# -- amend -----------------------------------------------------------------------------------


def amend(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    budget_id: int,
    proposal_id: int,
    funded: bool,
    reason: str,
) -> int:
    """Record that the council funds (or does not fund) a project against the computed
    outcome, with a public reason; refused once certification began."""
    _require_council(db, actor_id)
    count = _count(db, budget_id)
    if db.exec(select(Certification).where(Certification.budget_id == budget_id)).first():
        raise AlreadyCertified()
    if db.get(BallotProject, (budget_id, proposal_id)) is None:
        raise NotOnBallot(id=proposal_id)
    check_text(reason, 2000)
    computed = str(proposal_id) in json.loads(count.result)["funded"]
    if computed == funded:
        raise AmendmentPointless(id=proposal_id, state="funded" if funded else "not funded")
    row = Amendment(
        budget_id=budget_id, proposal_id=proposal_id, funded=funded, reason=reason.strip(),
        at=now, actor_id=actor_id,
    )  # fmt: skip
    db.add(row)
    db.flush()
    audit.append(
        db, now, actor=actor_id, action="results.amend", object=f"budget:{budget_id}",
        details={"proposal": proposal_id, "funded": funded, "reason": row.reason},
    )  # fmt: skip
    return row.id or 0


def winners(db: Session, budget_id: int) -> list[int]:
    """The funded proposals: the computed ones in selection order, amended (the latest
    amendment of a proposal decides), amended additions last."""
    funded = [int(p) for p in json.loads(_count(db, budget_id).result)["funded"]]
    query = select(Amendment).where(Amendment.budget_id == budget_id).order_by(col(Amendment.id))
    for row in db.exec(query):
        if row.funded and row.proposal_id not in funded:
            funded.append(row.proposal_id)
        elif not row.funded and row.proposal_id in funded:
            funded.remove(row.proposal_id)
    return funded


# -- certify ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """What a certifying council member read and confirms: all must match the count."""

    fingerprint: str
    rule: str
    winners: tuple[int, ...]
    spent: int


def _audit_head(db: Session) -> str:
    last = db.exec(select(AuditLog).order_by(col(AuditLog.seq).desc()).limit(1)).first()
    return last.hash if last else GENESIS


def _check_confirmation(db: Session, budget_id: int, confirmation: Confirmation) -> None:
    count = _count(db, budget_id)
    document = json.loads(count.result)
    expected = {
        "fingerprint": _box(db, budget_id).sha256, "rule": count.rule,
        "winners": tuple(winners(db, budget_id)), "spent": document["spent"],
    }  # fmt: skip
    for name, value in expected.items():
        if getattr(confirmation, name) != value:
            raise CertificationMismatch(field=name)


def certify(
    db: Session,
    now: datetime,
    *,
    actor_id: int,
    budget_id: int,
    password: str,
    confirmation: Confirmation,
    hasher: PasswordHasher,
) -> bool:
    """One council member confirms the count, re-entering their password (T5); the second
    distinct member's confirmation writes the certificate. Returns True when certified."""
    _require_council(db, actor_id)
    account = db.get(Account, actor_id)
    assert account is not None  # noqa: S101 - get_account found it
    if not verify_password(hasher, account.password_hash, password):
        raise WrongPassword()
    _check_confirmation(db, budget_id, confirmation)
    done = db.exec(select(Certification).where(Certification.budget_id == budget_id)).all()
    if any(c.account_id == actor_id for c in done):
        raise SameCertifier()
    if db.get(Certificate, budget_id) is not None:
        raise AlreadyCertified()
    db.add(Certification(budget_id=budget_id, account_id=actor_id, at=now))
    db.flush()
    audit.append(
        db, now, actor=actor_id, action="results.confirm", object=f"budget:{budget_id}",
        details={"fingerprint": confirmation.fingerprint, "rule": confirmation.rule},
    )  # fmt: skip
    if len(done) + 1 < CERTIFIERS:
        return False
    head = _audit_head(db)
    count = _count(db, budget_id)
    db.add(
        Certificate(
            budget_id=budget_id, first_member=done[0].account_id, second_member=actor_id,
            certified_at=now, audit_head=head, box_sha256=confirmation.fingerprint,
            result_sha256=count.sha256,
        )
    )  # fmt: skip
    db.flush()
    audit.append(
        db, now, actor=actor_id, action="results.certify", object=f"budget:{budget_id}",
        details={"audit_head": head, "box": confirmation.fingerprint, "result": count.sha256},
    )  # fmt: skip
    return True


# -- publish ---------------------------------------------------------------------------------


def publish_cycle(db: Session, now: datetime, *, actor_id: int, cycle_id: int) -> None:
    """Make a certified cycle's results public: every budget's publication, its winners
    `funded` (`implementation.mark_funded`, which tells authors and followers), the other
    projects on the ballot `not_funded`, their authors and followers told."""
    _require_council(db, actor_id)
    cycle = db.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(kind="cycle", id=cycle_id)
    budget_ids = [b for b in closing.budget_ids(db, cycle_id) if db.get(ClosedBox, b) is not None]
    if cycle.phase == Phase.CLOSED:
        raise NotCertified()
    if cycle.phase in (Phase.IMPLEMENTATION, Phase.ARCHIVED):
        raise AlreadyPublished()
    if cycle.phase != Phase.CERTIFIED:
        raise NotClosed()
    if any(db.get(Publication, b) is not None for b in budget_ids):
        raise AlreadyPublished()
    funded: list[int] = []
    for budget_id in budget_ids:
        db.add(Publication(budget_id=budget_id, published_at=now, published_by=actor_id))
        funded += winners(db, budget_id)
    db.flush()
    implementation.mark_funded(db, now, actor_id=actor_id, proposal_ids=funded)
    _not_funded(db, now, budget_ids, set(funded))
    audit.append(
        db, now, actor=actor_id, action="results.publish", object=f"cycle:{cycle_id}",
        details={"budgets": budget_ids, "funded": funded},
    )  # fmt: skip


def _not_funded(db: Session, now: datetime, budget_ids: Sequence[int], funded: set[int]) -> None:
    query = select(Proposal).join(BallotProject, col(BallotProject.proposal_id) == col(Proposal.id))
    for row in db.exec(query.where(col(BallotProject.budget_id).in_(list(budget_ids)))).all():
        if row.id in funded:
            continue
        row.status, row.updated_at = ProposalStatus.NOT_FUNDED, now
        db.add(row)
        notify_authors(db, now, row, Kind.RESULTS_PUBLISHED, title=row.title)
        follows.notify_followers(
            db, now, row.id or 0, FollowTopic.RESULTS, Kind.RESULTS_PUBLISHED, skip_authors=True,
            title=row.title,
        )  # fmt: skip
    db.flush()


# -- verify ----------------------------------------------------------------------------------


def verify_budget(db: Session, budget_id: int) -> str | None:
    """`budget verify --budget`: the first difference between what the database holds and what
    it should (the ballots sealed again give the stored box byte for byte, the box its
    fingerprint, the recount the stored results), in words; None when all agree."""
    box = _box(db, budget_id)
    if results_box.seal(db, budget_id).text.encode() != box.box:
        return "the stored ballots no longer give the box sealed at close"
    if recount.sha256(box.box) != box.sha256:
        return "the stored box no longer matches the fingerprint recorded at close"
    count = _count(db, budget_id)
    if recount.sha256(count.result) != count.sha256:
        return "the stored results no longer match their recorded SHA-256"
    return recount.first_mismatch(box.box, json.loads(count.result))
