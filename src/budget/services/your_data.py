"""Your data (GDPR articles 15, 17 and 20): everything held about an account, as JSON, and the
deletion of the account.

The export walks the schema rather than a list: every table with a column referring to
`account.id` contributes the rows that name this account, so a table added tomorrow is in the
export without anyone remembering it (tests/services/test_your_data.py fails on a table that
refers to the account only through another table until it is classified below). Secrets are
left out: password hash, hashes of tokens, sessions and throttle keys, which are of no use to
the resident and would help an attacker holding the file. Ballots are not in it: they carry no
voter (SECURITY.md T3).

Deletion keeps the account row as an emptied tombstone, so that public proposals, versions
and reviews stay credited to "a former resident"; everything personal goes: address, name,
password, profile, sessions, roles, notifications, mail, links, identities, committee seats,
private drafts and pending invitations, follows and topic choices. Public contributions stay
credited to the tombstone like proposals (comments, supports counted in public totals, images,
flags raised or resolved), and so does a roll entry with its participations, so that the cycle's
one-ballot-per-voter holds until the entry is purged at archiving (services.retention,
BUDGET_ROLL_RETENTION). The audit log keeps its entries (it is append-only and
hash-chained, T10, a legal record); they name the account by number only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Final

from argon2 import PasswordHasher
from sqlalchemy import Column, Table, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, delete, select

from budget.db.tables import (
    Account,
    AccountToken,
    CommitteeMember,
    Follow,
    Notification,
    OidcIdentity,
    OutboxEmail,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    ProposalVersion,
    RoleGrant,
    TopicOptOut,
    WebSession,
    metadata,
)
from budget.domain.accounts import Role
from budget.domain.errors import FieldErrors, LastCouncil, NotFound, WrongPassword
from budget.domain.proposals import AuthorState, ProposalStatus
from budget.services import audit
from budget.services.passwords import UNUSABLE, verify_password

SECRET_COLUMNS: Final = frozenset(
    {"password_hash", "token_hash", "key_hash", "state_hash", "browser_hash", "code_hmac"}
)
# Internal review text never leaves the review pages (SECURITY.md T7), not even in the
# export of its author's or its subject's data: the council's justification on a proposal,
# and the reviews and notes city staff write (work records the city keeps), of which the
# export gives only the ids and times.
INTERNAL_COLUMNS: Final = frozenset({("proposal", "decision_justification")})
WORK_RECORDS: Final = frozenset({"review", "internal_note"})
WORK_RECORD_COLUMNS: Final = frozenset(
    {"id", "proposal_id", "reviewer_id", "author_id", "state", "created_at", "updated_at",
     "submitted_at"}
)  # fmt: skip
# Tables that refer to the account only through another table: exported through that table,
# or said here to hold nothing about the person. A new such table fails the schema test
# until it is added to one of these.
THROUGH: Final[dict[str, tuple[str, str, str]]] = {
    # table: (via table, column of table pointing to it, column of the via table naming the
    # account)
    "proposal_event": ("proposal", "proposal_id", "created_by"),
    # Where and how the resident voted (the day, the channel), never what (T3).
    "participation": ("roll_entry", "roll_entry_id", "account_id"),
    # The codes mailed for the resident's roll entry: when issued or voided (not the code).
    "voting_code": ("roll_entry", "entry_id", "account_id"),
}
NOT_ABOUT_THE_PERSON: Final[dict[str, str]] = {
    "implementation": "the city's building of a funded proposal: the council's work record",
    "ballot_project": "the projects on a budget's frozen ballot, the same for every voter",
    # A paper ballot points at its batch, which names the officers who entered it, never the
    # voter: a ballot holds no voter and no time (SECURITY.md T3).
    "ballot": "a counted ballot: no voter, no time; a paper one's batch names only officers",
    "rule_comparison": "a published count under another rule, the same for every resident",
}
DELETED_NAME: Final = "Ancien·ne habitant·e / former resident"


def account_columns() -> Iterator[Column[Any]]:
    """Every column of the schema that refers to `account.id`."""
    for table in metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "account" for fk in column.foreign_keys):
                yield column


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(table: str, column: str) -> bool:
    if column in SECRET_COLUMNS or (table, column) in INTERNAL_COLUMNS:
        return False
    return table not in WORK_RECORDS or column in WORK_RECORD_COLUMNS


def _rows(db: Session, table: Table, clause: Any) -> list[dict[str, object]]:
    found = db.execute(select_rows(table).where(clause)).mappings().all()
    return [
        {name: _plain(value) for name, value in row.items() if _shown(table.name, name)}
        for row in found
    ]


def _live_link_mails(db: Session) -> set[int]:
    query = select(AccountToken.outbox_id).where(col(AccountToken.outbox_id).is_not(None))
    return {i for i in db.exec(query).all() if i is not None}


def export(db: Session, now: dt.datetime, *, account_id: int) -> dict[str, Any]:
    """Everything held about the account, by table, as JSON-ready values."""
    row = db.get(Account, account_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(kind="account", id=account_id)
    tables: dict[str, list[dict[str, object]]] = {}
    by_table: dict[str, list[Column[Any]]] = {}
    for column in account_columns():
        by_table.setdefault(column.table.name, []).append(column)
    by_name = {table.name: table for table in metadata.sorted_tables}
    for name, columns in by_table.items():
        tables[name] = _rows(db, by_name[name], or_(*(c == account_id for c in columns)))
    for name, (via, link, owner) in THROUGH.items():
        via_table = by_name[via]
        owned = select_rows(via_table.c.id).where(via_table.c[owner] == account_id)
        tables[name] = _rows(db, by_name[name], by_name[name].c[link].in_(owned))
    live = _live_link_mails(db)
    outbox = by_name["outbox_email"]
    mails = _rows(db, outbox, outbox.c.to_address == row.email)
    for mail in mails:
        if mail["id"] in live:
            mail["body"] = "[a single-use link still valid: open it from your mailbox]"
    tables["outbox_email"] = mails
    mine = f"account:{account_id}"
    audit_table = by_name["audit_log"]
    tables["audit_log"] = _rows(
        db, audit_table, or_(audit_table.c.actor == mine, audit_table.c.object == mine)
    )
    account = _rows(db, by_name["account"], by_name["account"].c.id == account_id)
    return {
        "format": "budget/your-data/1",
        "generated_at": now.isoformat(),
        "account": account[0] if account else {},
        "tables": dict(sorted(tables.items())),
        "not_included": [
            "ballots: they carry no voter, so none can be linked to you (SECURITY.md T3)",
            "password hash and the hashes of links, sessions and throttle keys",
            "internal review text (reviews, notes, the council's justification): city work "
            "records, kept by the city, never shown outside the review (SECURITY.md T7)",
        ],
    }


def export_json(db: Session, now: dt.datetime, *, account_id: int) -> str:
    return json.dumps(export(db, now, account_id=account_id), ensure_ascii=False, indent=2)


def _drop_drafts(db: Session, account_id: int) -> None:
    """Private drafts (never public) go with their versions, authors and history."""
    query = select(Proposal.id).where(
        Proposal.created_by == account_id, Proposal.status == ProposalStatus.DRAFT.value
    )
    drafts = [i for i in db.exec(query).all() if i is not None]
    if not drafts:
        return
    for table in (ProposalEvent, ProposalVersion, ProposalAuthor, Notification):
        db.exec(delete(table).where(col(table.proposal_id).in_(drafts)))
    db.exec(delete(Proposal).where(col(Proposal.id).in_(drafts)))


def delete_account(
    db: Session, now: dt.datetime, *, account_id: int, password: str, hasher: PasswordHasher
) -> None:
    """After the password, empty the account (see the module's docstring). Every session
    ends. The last council member cannot leave: the platform needs an administrator."""
    row = db.get(Account, account_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(kind="account", id=account_id)
    if not verify_password(hasher, row.password_hash, password):
        raise FieldErrors({"password": WrongPassword()})
    roles = db.exec(select(RoleGrant.role).where(RoleGrant.account_id == account_id)).all()
    if Role.COUNCIL.value in roles:
        councils = db.exec(select(RoleGrant).where(RoleGrant.role == Role.COUNCIL.value)).all()
        if len(councils) <= 1:
            raise LastCouncil()
    db.exec(
        delete(AccountToken).where(
            or_(col(AccountToken.account_id) == account_id, col(AccountToken.email) == row.email)
        )
    )
    _drop_drafts(db, account_id)
    db.exec(
        delete(ProposalAuthor)
        .where(col(ProposalAuthor.account_id) == account_id)
        .where(col(ProposalAuthor.state) != AuthorState.ACCEPTED.value)
    )
    for table in (
        WebSession, RoleGrant, Notification, OidcIdentity, CommitteeMember, Follow, TopicOptOut,
    ):  # fmt: skip
        db.exec(delete(table).where(col(table.account_id) == account_id))
    db.exec(delete(OutboxEmail).where(col(OutboxEmail.to_address) == row.email))
    row.email = f"deleted-{account_id}@deleted.invalid"
    row.display_name = DELETED_NAME
    row.password_hash = UNUSABLE
    row.email_verified_at = None
    row.notify_by_email = False
    row.deleted_at = now
    db.add(row)
    audit.append(db, now, actor=account_id, action="account.delete", object=f"account:{account_id}")
