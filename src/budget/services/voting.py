"""Voting online: freezing the rules when voting opens, casting and revising ballots, receipts.

Casting runs inside the caller's one write transaction (T1, T8):
1. the budget's frozen rules, voting open now (PostgreSQL: the budget row `FOR SHARE`, so the
   close step's `FOR UPDATE` waits for ballots in flight and none lands after close);
2. the voter's entitlement, from the roll entry and the cycle, never from the request (T2);
   in a cycle where voters choose their district, the first district ballot fixes it;
3. the whole ballot through the one validator (limits, projects of this budget);
4. the idempotency key of the form: a form already processed returns the same receipt;
5. `participation` INSERT (UNIQUE entry+budget is the one-ballot rule, never check-then-insert;
   db/inserts.insert_new, ON CONFLICT DO NOTHING):
   a loser of the race, or a second ballot, becomes a revision for an account and is refused
   for a code (final) or after a paper vote;
6. a revision replaces the linked ballot: the old row goes, its receipt reads `replaced`.

The receipt is HMAC(receipt key, voter key + form key): random (the form key comes from
`secrets`), independent of the choices and the time, the same for a resubmitted form, and stored
only as SHA-256. Nothing here logs or audits what a ballot chose.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from budget.db import queries
from budget.db.inserts import insert_new
from budget.db.tables import (
    Ballot,
    BallotLink,
    BallotProject,
    Budget,
    Cycle,
    FrozenBudget,
    IdempotencyKey,
    Participation,
    Proposal,
    Receipt,
    RollEntry,
)
from budget.domain import cycle as cycle_rules
from budget.domain import eligibility, receipts, validation
from budget.domain.ballots import BallotType, normalise_limits
from budget.domain.cycle import Phase
from budget.domain.eligibility import DistrictMode
from budget.domain.errors import (
    AlreadyVotedOnPaper,
    BallotFinal,
    NotEntitled,
    NotFound,
    VotingClosed,
)
from budget.domain.proposals import ProposalStatus
from budget.services import audit, identity

FORM_KEY_BYTES = 16


@dataclass(frozen=True)
class VotingKeys:
    """Per-purpose keys (SECURITY.md): `link` keys the voter-to-ballot link, `receipt` derives
    receipts from form keys."""

    link: bytes
    receipt: bytes


class Channel:
    ACCOUNT = "account"  # signed in, bound to a roll entry: may revise until close
    CODE = "code"  # a mailed voting code: final per budget
    PAPER = "paper"  # checked in at a polling place (issue 17)


@dataclass(frozen=True)
class Voter:
    """Who casts: a roll entry, by which channel, and the account acting (None for a code)."""

    entry_id: int
    channel: str
    account_id: int | None = None


@dataclass(frozen=True)
class CastResult:
    receipt: str  # canonical 16 symbols; shown once, after commit
    revised: bool  # True when it replaced an earlier ballot of this voter
    resubmitted: bool  # True when this form had already been processed


def new_form_key() -> str:
    """A fresh key for one ballot form (hidden field): 128 random bits from `secrets`."""
    return secrets.token_hex(FORM_KEY_BYTES)


# -- opening and going back ------------------------------------------------------------------


def freeze_cycle(db: Session, now: datetime, cycle_id: int) -> None:
    """Freeze every budget's ballot type, limits, projects with final costs, rule, options and
    tie-break (called by `cycles.advance_phase` when voting opens, after its guard passed)."""
    for budget in db.exec(select(Budget).where(Budget.cycle_id == cycle_id)).all():
        assert budget.id is not None  # noqa: S101 - rows read back carry their id
        assert budget.ballot_type is not None  # noqa: S101 - the guard refused otherwise
        ballot_type = BallotType(budget.ballot_type)
        limits = normalise_limits(ballot_type, queries.limits_of(budget))
        db.add(
            FrozenBudget(
                budget_id=budget.id, ballot_type=ballot_type.value,
                limits=json.dumps(asdict(limits), sort_keys=True), amount=budget.amount,
                rule=budget.rule or "", rule_options=budget.rule_options,
                tie_break=budget.tie_break or "", frozen_at=now,
            )
        )  # fmt: skip
        db.flush()
        on_ballot = select(Proposal).where(Proposal.budget_id == budget.id)
        for proposal in db.exec(on_ballot.where(Proposal.status == ProposalStatus.ON_BALLOT)):
            assert proposal.id is not None  # noqa: S101
            db.add(
                BallotProject(
                    budget_id=budget.id, proposal_id=proposal.id, cost=proposal.final_cost or 0
                )
            )
    db.flush()


def thaw_cycle(db: Session, cycle_id: int) -> None:
    """Drop the frozen rules (voting -> review, allowed only while nobody has voted)."""
    budget_ids = select(Budget.id).where(Budget.cycle_id == cycle_id)
    db.exec(delete(BallotProject).where(col(BallotProject.budget_id).in_(budget_ids)))
    db.exec(delete(FrozenBudget).where(col(FrozenBudget.budget_id).in_(budget_ids)))
    db.flush()


# -- casting ---------------------------------------------------------------------------------


def voter_key(keys: VotingKeys, entry_id: int, budget_id: int) -> str:
    """HMAC(link key, "entry:budget"): the link's key; a dump alone does not name the voter."""
    message = f"{entry_id}:{budget_id}".encode()
    return hmac.new(keys.link, message, hashlib.sha256).hexdigest()


def receipt_for(keys: VotingKeys, voter: str, form_key: str) -> str:
    """The receipt of one ballot form of one voter (the same if the form is sent again)."""
    mac = hmac.new(keys.receipt, f"{voter}:{form_key}".encode(), hashlib.sha256).digest()
    return receipts.encode(mac[: receipts.RAW_BYTES])


def _open_budget(db: Session, now: datetime, budget_id: int) -> tuple[Budget, Cycle]:
    """The budget, locked FOR SHARE, and its cycle, if voting is open now; VotingClosed
    otherwise. The caller keeps both rows: the session's identity map holds rows weakly, so a
    row let go is read again by the next `db.get`."""
    budget = db.exec(
        select(Budget).where(Budget.id == budget_id).with_for_update(read=True)
    ).first()
    if budget is None:
        raise NotFound(kind="budget", id=budget_id)
    cycle = db.get(Cycle, budget.cycle_id)
    assert cycle is not None  # noqa: S101 - a foreign key
    dates = queries.voting_window(db, budget.cycle_id)
    if not cycle_rules.is_voting_open(Phase(cycle.phase), dates, now):
        raise VotingClosed()
    return budget, cycle


def cast_ballot(
    db: Session,
    now: datetime,
    *,
    keys: VotingKeys,
    voter: Voter,
    budget_id: int,
    ballot: validation.Ballot,
    form_key: str,
) -> CastResult:
    """Validate and store the voter's ballot for the budget (see the module's steps); returns
    the receipt to show after commit."""
    budget, cycle = _open_budget(db, now, budget_id)
    if voter.account_id is not None:  # voting signed in; a code or paper vote has no account
        identity.require_may_participate(db, voter.account_id)
    rules = queries.frozen_budget(db, budget_id).rules
    entry = _entitled_entry(db, cycle, voter.entry_id, budget)
    key = voter_key(keys, voter.entry_id, budget_id)
    receipt = receipt_for(keys, key, form_key)
    form_hash = hashlib.sha256(f"{key}:{form_key}".encode()).hexdigest()
    if db.get(IdempotencyKey, form_hash) is not None:
        return CastResult(receipt=receipt, revised=False, resubmitted=True)
    _check_revisable(db, voter, budget_id)  # the usual refusals, before anything is written
    canonical = validation.validate(rules, ballot)
    if insert_new(db, IdempotencyKey(key_hash=form_hash, budget_id=budget_id)) is None:
        return CastResult(receipt=receipt, revised=False, resubmitted=True)  # a racing twin
    _fix_district(db, now, cycle, entry, budget)
    voted_on = now.astimezone(ZoneInfo(cycle.time_zone)).date()
    participation = Participation(
        roll_entry_id=voter.entry_id, budget_id=budget_id, channel=voter.channel,
        voted_on=voted_on,
    )  # fmt: skip
    first = insert_new(db, participation) is not None
    if not first:
        _check_revisable(db, voter, budget_id)
    _store(db, key, budget_id, canonical, receipt, link=voter.channel == Channel.ACCOUNT)
    audit.append(
        db, now, actor=voter.account_id, action="vote.revise" if not first else "vote.cast",
        object=f"budget:{budget_id}", details={"channel": voter.channel},
    )  # fmt: skip
    return CastResult(receipt=receipt, revised=not first, resubmitted=False)


def _entitled_entry(db: Session, cycle: Cycle, entry_id: int, budget: Budget) -> RollEntry:
    """The voter's roll entry, if it is entitled to the budget now (T2: computed from the entry
    and the cycle, never from the request). A first district ballot in a cycle where the voter
    chooses a district locks the entry (PostgreSQL: FOR UPDATE), so two first ballots in two
    districts cannot both fix one."""
    choosing = budget.scope == "district" and cycle.district_mode == DistrictMode.CHOICE
    query = select(RollEntry).where(RollEntry.id == entry_id)
    entry = db.exec(query.with_for_update() if choosing else query).first()
    if entry is None or entry.cycle_id != cycle.id:
        raise NotEntitled()
    scopes = queries.budget_scopes(db, entry.cycle_id)
    facts = queries.entry_view(entry).facts
    if budget.id not in eligibility.entitled_budgets(queries.rules_of(cycle), facts, scopes):
        raise NotEntitled()
    return entry


def _fix_district(
    db: Session, now: datetime, cycle: Cycle, entry: RollEntry, budget: Budget
) -> None:
    """Mode `choice`: the first district ballot fixes the entry's district for the cycle."""
    if budget.scope != "district" or budget.district_id is None:
        return
    if cycle.district_mode != DistrictMode.CHOICE or entry.chosen_district_id is not None:
        return
    entry.chosen_district_id = budget.district_id
    entry.district_chosen_at = now
    entry.updated_at = now
    db.add(entry)
    db.flush()


def _check_revisable(db: Session, voter: Voter, budget_id: int) -> None:
    """The entry already voted in this budget: an account may revise its online ballot; a code
    ballot is final, and a paper vote cannot be replaced online."""
    earlier = db.exec(
        select(Participation).where(
            Participation.roll_entry_id == voter.entry_id, Participation.budget_id == budget_id
        )
    ).first()
    if earlier is None:
        return
    if earlier.channel == Channel.PAPER:
        raise AlreadyVotedOnPaper()
    if earlier.channel == Channel.CODE or voter.channel == Channel.CODE:
        raise BallotFinal(date=earlier.voted_on.isoformat())


def _store(
    db: Session, key: str, budget_id: int, canonical: validation.Ballot, receipt: str, *, link: bool
) -> None:
    """Insert the ballot and its receipt; with `link`, point the voter's link at it, replacing
    (deleting) the ballot it pointed at, whose receipt then reads `replaced`."""
    receipt_hash = receipts.digest(receipt)
    db.add(Receipt(receipt_hash=receipt_hash, budget_id=budget_id, state="recorded"))
    db.flush()  # before the ballot that refers to it (no ORM relationship orders the two)
    row = Ballot(
        id=secrets.token_hex(16), budget_id=budget_id, choices=validation.to_json(canonical),
        receipt_hash=receipt_hash, channel="online",
    )  # fmt: skip
    db.add(row)
    db.flush()
    if not link:
        return
    existing = db.exec(
        select(BallotLink)
        .where(BallotLink.voter_key == key, BallotLink.budget_id == budget_id)
        .with_for_update()
    ).first()
    if existing is None:
        db.add(BallotLink(voter_key=key, budget_id=budget_id, ballot_id=row.id))
        db.flush()
        return
    old = db.get(Ballot, existing.ballot_id)
    existing.ballot_id = row.id
    db.add(existing)
    db.flush()
    if old is not None:
        old_receipt = db.get(Receipt, old.receipt_hash)
        db.delete(old)
        db.flush()
        if old_receipt is not None:
            old_receipt.state = "replaced"
            db.add(old_receipt)
    db.flush()


def check_receipt(db: Session, text: str) -> str:
    """The public check: `recorded`, `replaced`, `frozen`, `counted` or `unknown`; never what
    the ballot chose. InvalidReceipt if the text cannot be a receipt."""
    return queries.receipt_state(db, receipts.digest(receipts.normalise(text)))
