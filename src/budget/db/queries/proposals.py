"""Proposals, as view models: one proposal, its authors, history and versions, and the public
listing (search, filters, sort, pages) shared by the list, the map and the exports.

Visibility is one clause, `publicly_visible()` (domain.proposals.is_public in SQL): every
listing, count, map, export and credit line reads through it, and `visible_proposal` lets a
draft through only for its accepted authors (T7).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from budget.db.queries.supports import supports_of_cycle
from budget.db.tables import (
    Account,
    Budget,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    ProposalVersion,
)
from budget.domain.accounts import Caller
from budget.domain.errors import NotAuthor, NotFound
from budget.domain.proposals import (
    AuthorRole,
    AuthorState,
    EventKind,
    ProposalStatus,
    is_public,
)

SORTS: Final = ("newest", "random", "supports")
PAGE_SIZE: Final = 20


@dataclass(frozen=True)
class ProposalView:
    """A proposal's public fields. The council's internal justification is deliberately not
    here (T7): pages, fragments and exports built from this view cannot leak it."""

    id: int
    cycle_id: int
    budget_id: int
    title: str
    summary: str
    description: str
    category_id: int | None
    address: str | None
    lat_e6: int | None
    lon_e6: int | None
    estimated_cost: int | None
    language: str
    status: ProposalStatus
    final_cost: int | None
    public_explanation: str | None
    merged_into_id: int | None
    created_by: int
    created_at: datetime
    updated_at: datetime | None
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    decided_at: datetime | None
    hidden_at: datetime | None = None  # hidden by moderation: out of listings, map, exports
    hidden_reason: str | None = None  # public


@dataclass(frozen=True)
class AuthorView:
    account_id: int
    display_name: str
    role: AuthorRole
    state: AuthorState
    credited_from: int | None


def _proposal_view(row: Proposal) -> ProposalView:
    assert row.id is not None  # noqa: S101 - rows read back always carry their id
    return ProposalView(
        id=row.id,
        cycle_id=row.cycle_id,
        budget_id=row.budget_id,
        title=row.title,
        summary=row.summary,
        description=row.description,
        category_id=row.category_id,
        address=row.address,
        lat_e6=row.lat_e6,
        lon_e6=row.lon_e6,
        estimated_cost=row.estimated_cost,
        language=row.language,
        status=ProposalStatus(row.status),
        final_cost=row.final_cost,
        public_explanation=row.public_explanation,
        merged_into_id=row.merged_into_id,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        submitted_at=row.submitted_at,
        withdrawn_at=row.withdrawn_at,
        decided_at=row.decided_at,
        hidden_at=row.hidden_at,
        hidden_reason=row.hidden_reason,
    )


def publicly_visible() -> ColumnElement[bool]:
    """The SQL clause of `domain.proposals.is_public`: what anyone may see of proposals. Every
    public read adds it; a rule hiding more (moderation) belongs here, and nowhere else."""
    return and_(
        col(Proposal.submitted_at).is_not(None), col(Proposal.status) != ProposalStatus.DRAFT
    )


def publicly_listed() -> ColumnElement[bool]:
    """The SQL clause of `domain.proposals.is_listed`: public and not hidden by moderation,
    for every listing, map and export."""
    return and_(publicly_visible(), col(Proposal.hidden_at).is_(None))


def get_proposal(db: Session, proposal_id: int) -> ProposalView:
    """Any proposal, drafts included: for the council's pages and for services. Public pages
    load through `visible_proposal`."""
    row = db.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    return _proposal_view(row)


def _accepted_author_of(account_id: int) -> Any:
    return select(ProposalAuthor.proposal_id).where(
        ProposalAuthor.account_id == account_id, ProposalAuthor.state == AuthorState.ACCEPTED
    )


def visible_proposal(db: Session, caller: Caller, proposal_id: int) -> ProposalView:
    """The proposal if the caller may read it: public, or they are one of its accepted
    authors; NotFound otherwise, as if it did not exist (T7)."""
    query = select(Proposal).where(Proposal.id == proposal_id)
    if caller.account_id is None:
        query = query.where(publicly_visible())
    else:
        mine = col(Proposal.id).in_(_accepted_author_of(caller.account_id))
        query = query.where(or_(publicly_visible(), mine))
    row = db.exec(query).first()
    if row is None:
        raise NotFound(kind="proposal", id=proposal_id)
    return _proposal_view(row)


def authored_proposal(db: Session, caller: Caller, proposal_id: int) -> ProposalView:
    """The proposal for one of its accepted authors: anyone else gets NotFound for a private
    proposal (it does not exist for them) and NotAuthor for a public one."""
    proposal = get_proposal(db, proposal_id)
    if is_author(db, proposal_id, caller.account_id):
        return proposal
    if is_public(proposal.status, proposal.submitted_at):
        raise NotAuthor()
    raise NotFound(kind="proposal", id=proposal_id)


def list_proposals(
    db: Session,
    cycle_id: int,
    *,
    budget_id: int | None = None,
    statuses: Collection[ProposalStatus] | None = None,
) -> tuple[ProposalView, ...]:
    query = select(Proposal).where(Proposal.cycle_id == cycle_id).order_by(col(Proposal.id))
    if budget_id is not None:
        query = query.where(Proposal.budget_id == budget_id)
    if statuses is not None:
        query = query.where(col(Proposal.status).in_([s.value for s in statuses]))
    return tuple(_proposal_view(r) for r in db.exec(query).all())


def authors_of(
    db: Session, proposal_id: int, *, states: Collection[AuthorState] = (AuthorState.ACCEPTED,)
) -> tuple[AuthorView, ...]:
    """The proposal's authors in the given states (by default those shown: accepted), creator
    first, then in order of invitation."""
    query = (
        select(ProposalAuthor, Account.display_name)
        .join(Account, col(Account.id) == col(ProposalAuthor.account_id))
        .where(ProposalAuthor.proposal_id == proposal_id)
        .where(col(ProposalAuthor.state).in_([s.value for s in states]))
        .order_by(col(ProposalAuthor.role).desc(), col(ProposalAuthor.id))
    )  # "creator" sorts after "coauthor": descending puts the creator first
    return tuple(
        AuthorView(
            account_id=author.account_id,
            display_name=name,
            role=AuthorRole(author.role),
            state=AuthorState(author.state),
            credited_from=author.credited_from,
        )
        for author, name in db.exec(query).all()
    )


def is_author(db: Session, proposal_id: int, account_id: int | None) -> bool:
    """Whether the account is an accepted author (creator or co-author) of the proposal."""
    if account_id is None:
        return False
    query = select(ProposalAuthor.id).where(
        ProposalAuthor.proposal_id == proposal_id,
        ProposalAuthor.account_id == account_id,
        ProposalAuthor.state == AuthorState.ACCEPTED,
    )
    return db.exec(query).first() is not None


def check_content_visible(db: Session, proposal_id: int, viewer_id: int | None) -> None:
    """What a proposal carries besides its page (images, comments) is seen by whoever may read
    the proposal (`visible_proposal`, the one rule) and while moderation has not hidden it;
    NotFound otherwise (T7)."""
    if visible_proposal(db, Caller(account_id=viewer_id), proposal_id).hidden_at is not None:
        raise NotFound(kind="proposal", id=proposal_id)


# -- public listing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalFilters:
    """What the public list, map and exports are narrowed to; values already checked by the
    caller against allow-lists (statuses, sorts) and the cycle's own ids."""

    text: str = ""
    budget_id: int | None = None
    district_id: int | None = None
    category_id: int | None = None
    status: ProposalStatus | None = None
    sort: str = "newest"
    seed: str = ""  # per visitor: the random order stays the same from page to page


@dataclass(frozen=True)
class ProposalPage:
    items: tuple[ProposalView, ...]
    total: int
    page: int  # 1-based, clamped to the last page
    pages: int  # at least 1


def folded(text: str) -> str:
    """Text for matching: case and accents folded ("École" ~ "ecole"), the same on SQLite and
    PostgreSQL since it happens here rather than in each database's own LOWER()."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _public_query(cycle_id: int, filters: ProposalFilters):  # type: ignore[no-untyped-def]  # SQLModel's select overloads
    query = (
        select(Proposal.id, Proposal.title, Proposal.summary, Proposal.submitted_at)
        .join(Budget, col(Budget.id) == col(Proposal.budget_id))
        .where(Proposal.cycle_id == cycle_id)
        .where(publicly_listed())
    )
    if filters.status is not None:
        query = query.where(Proposal.status == filters.status)
    if filters.budget_id is not None:
        query = query.where(Proposal.budget_id == filters.budget_id)
    if filters.district_id is not None:
        query = query.where(Budget.district_id == filters.district_id)
    if filters.category_id is not None:
        query = query.where(Proposal.category_id == filters.category_id)
    return query


# Submitted proposals newest first, then any without a submission time, ties by id: the order
# `matching_ids` gives with sort "newest".
NEWEST_FIRST = (
    col(Proposal.submitted_at).is_(None),
    col(Proposal.submitted_at).desc(),
    col(Proposal.id).desc(),
)


def _shuffle_key(seed: str, proposal_id: int) -> bytes:
    return hashlib.sha256(f"{seed}:{proposal_id}".encode()).digest()


def matching_ids(db: Session, cycle_id: int, filters: ProposalFilters) -> list[int]:
    """Ids of the public proposals matching the filters, in the requested order: newest
    submitted first, or shuffled by a hash of (seed, id) so no position is favoured.

    Text search is done here over title and summary (folded), not with LIKE: no wildcard to
    escape, the same answer on both backends; fine for the few thousand proposals of a cycle."""
    rows = db.exec(_public_query(cycle_id, filters)).all()
    needle = folded(filters.text.strip())
    if needle:
        rows = [r for r in rows if needle in folded(r[1]) or needle in folded(r[2])]
    if filters.sort == "random":
        return sorted((r[0] for r in rows), key=lambda i: _shuffle_key(filters.seed, i))
    ordered = sorted(rows, key=lambda r: (r[3] is not None, r[3], r[0]), reverse=True)
    if filters.sort == "supports":  # most supported first, then newest (the sort is stable)
        counts = supports_of_cycle(db, cycle_id)
        ordered.sort(key=lambda r: counts.get(r[0], 0), reverse=True)
    return [r[0] for r in ordered]


def proposals_by_ids(db: Session, ids: Collection[int]) -> tuple[ProposalView, ...]:
    """The public proposals with these ids, in the order given."""
    if not ids:
        return ()
    query = select(Proposal).where(col(Proposal.id).in_(list(ids))).where(publicly_listed())
    rows = db.exec(query).all()
    by_id = {r.id: r for r in rows}
    return tuple(_proposal_view(by_id[i]) for i in ids if i in by_id)


def search_proposals(
    db: Session, cycle_id: int, filters: ProposalFilters, *, page: int = 1
) -> ProposalPage:
    """One page (PAGE_SIZE) of the public proposals matching the filters. Text search and the
    shuffled order need every candidate (see `matching_ids`); the plain newest-first view, the
    one most visits see, is counted, ordered and cut by the database."""
    in_python = bool(filters.text.strip()) or filters.sort != "newest"
    ids = matching_ids(db, cycle_id, filters) if in_python else None
    total = len(ids) if ids is not None else _count(db, cycle_id, filters)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    first = (page - 1) * PAGE_SIZE
    if ids is not None:
        chosen = ids[first : first + PAGE_SIZE]
    else:
        chosen = _newest_ids(db, cycle_id, filters, first)
    return ProposalPage(proposals_by_ids(db, chosen), total=total, page=page, pages=pages)


def _count(db: Session, cycle_id: int, filters: ProposalFilters) -> int:
    matching = _public_query(cycle_id, filters).subquery()
    return db.exec(select(func.count()).select_from(matching)).one()


def _newest_ids(db: Session, cycle_id: int, filters: ProposalFilters, first: int) -> list[int]:
    query = _public_query(cycle_id, filters).order_by(*NEWEST_FIRST)
    return [row[0] for row in db.exec(query.offset(first).limit(PAGE_SIZE)).all()]


def all_matching(db: Session, cycle_id: int, filters: ProposalFilters) -> tuple[ProposalView, ...]:
    """Every public proposal matching the filters (map and exports), in the list's order."""
    return proposals_by_ids(db, matching_ids(db, cycle_id, filters))


def authors_by_proposal(
    db: Session, proposal_ids: Iterable[int]
) -> Mapping[int, tuple[AuthorView, ...]]:
    """The accepted authors of each proposal (for exports), creator first."""
    ids = list(proposal_ids)
    found: dict[int, list[AuthorView]] = {i: [] for i in ids}
    if not ids:
        return {}
    query = (
        select(ProposalAuthor, Account.display_name)
        .join(Account, col(Account.id) == col(ProposalAuthor.account_id))
        .where(col(ProposalAuthor.proposal_id).in_(ids))
        .where(ProposalAuthor.state == AuthorState.ACCEPTED)
        .order_by(col(ProposalAuthor.role).desc(), col(ProposalAuthor.id))
    )
    for author, name in db.exec(query).all():
        found[author.proposal_id].append(
            AuthorView(
                account_id=author.account_id,
                display_name=name,
                role=AuthorRole(author.role),
                state=AuthorState(author.state),
                credited_from=author.credited_from,
            )
        )
    return {i: tuple(authors) for i, authors in found.items()}


# -- history, versions, credit ------------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    at: datetime
    kind: EventKind
    details: Mapping[str, object]


@dataclass(frozen=True)
class VersionView:
    number: int
    title: str
    summary: str
    description: str
    address: str | None
    edited_by: str  # the author's display name (authors are public)
    edited_at: datetime


@dataclass(frozen=True)
class Credit:
    """A merged proposal's credit line: "co-built from #12, #34 by ..."."""

    sources: tuple[int, ...]
    authors: tuple[AuthorView, ...]


def history_of(db: Session, proposal_id: int) -> tuple[EventView, ...]:
    """The public history of a proposal, oldest first."""
    query = (
        select(ProposalEvent)
        .where(ProposalEvent.proposal_id == proposal_id)
        .order_by(col(ProposalEvent.at), col(ProposalEvent.id))
    )
    return tuple(
        EventView(at=row.at, kind=EventKind(row.kind), details=json.loads(row.details))
        for row in db.exec(query).all()
    )


def versions_of(db: Session, proposal_id: int) -> tuple[VersionView, ...]:
    """Every saved version of the proposal's text, first version first."""
    query = (
        select(ProposalVersion, Account.display_name)
        .join(Account, col(Account.id) == col(ProposalVersion.edited_by))
        .where(ProposalVersion.proposal_id == proposal_id)
        .order_by(col(ProposalVersion.number))
    )
    return tuple(
        VersionView(
            number=v.number,
            title=v.title,
            summary=v.summary,
            description=v.description,
            address=v.address,
            edited_by=name,
            edited_at=v.edited_at,
        )
        for v, name in db.exec(query).all()
    )


def credit_of(db: Session, proposal_id: int) -> Credit | None:
    """For a proposal built by merging others: its public sources and all its shown authors;
    None for a proposal that merged nothing."""
    query = (
        select(Proposal.id)
        .where(Proposal.merged_into_id == proposal_id)
        .where(publicly_visible())
        .order_by(col(Proposal.id))
    )
    sources = tuple(i for i in db.exec(query).all() if i is not None)
    if not sources:
        return None
    return Credit(sources=sources, authors=authors_of(db, proposal_id))
