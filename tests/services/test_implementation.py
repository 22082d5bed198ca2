"""Implementation tracking through the services: funded proposals become projects, the council
reports their building (status, progress, spending, milestones), each change dated, audited
and told to the authors; bad input writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from budget.db import queries
from budget.db.tables import (
    AuditLog,
    Cycle,
    ImplementationChange,
    Milestone,
    Notification,
    Proposal,
)
from budget.domain.cycle import Phase
from budget.domain.errors import (
    FieldErrors,
    NotFound,
    NotFundable,
    PermissionDenied,
    ReadOnly,
    StatusTransition,
    TransitionRefused,
)
from budget.domain.implementation import ImplementationStatus
from budget.domain.proposals import ProposalStatus
from budget.services import audit, cycles, decisions, implementation, proposals
from tests.services.conftest import NOW, resident, schedule
from tests.services.test_decisions import events, mails_to

S = ImplementationStatus
REASON = "The courtyard turned out to be listed as a historic monument."
LATER = NOW + timedelta(days=400)


def closed_cycle_with_projects(
    db: Session, council: int, cycle_id: int, author: int, titles: tuple[str, ...]
) -> list[int]:
    """Walk the cycle to closed through the services with one on-ballot proposal per title
    (all by `author`); returns their ids."""
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    budget = queries.get_cycle(db, cycle_id).budgets[0].id
    ids = []
    for title in titles:
        proposal = proposals.create_proposal(
            db, NOW, author_id=author, budget_id=budget, title=title, summary="For everyone."
        )
        proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
        ids.append(proposal)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    for proposal in ids:
        decisions.decide_proposal(
            db, NOW, actor_id=council, proposal_id=proposal, feasible=True, final_cost=90_000_00
        )
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.VOTING)
    end = (schedule()[Phase.VOTING] or (NOW, NOW))[1]
    cycles.advance_phase(db, end, actor_id=council, cycle_id=cycle_id, target=Phase.CLOSED)
    return ids


@pytest.fixture
def author(db: Session, hasher) -> int:
    return resident(db, hasher)


@pytest.fixture
def projects(db: Session, council: int, cycle_id: int, author: int) -> list[int]:
    ids = closed_cycle_with_projects(db, council, cycle_id, author, ("Shade trees", "Benches"))
    implementation.mark_funded(db, LATER, actor_id=council, proposal_ids=ids[:1])
    return ids


def count(db: Session, table: type) -> int:
    return db.exec(select(func.count()).select_from(table)).one()


def test_funding_makes_a_planned_project_and_tells_its_authors(
    db: Session, council: int, author: int, projects: list[int]
) -> None:
    funded, other = projects
    assert queries.get_proposal(db, funded).status is ProposalStatus.FUNDED
    assert queries.get_proposal(db, other).status is ProposalStatus.ON_BALLOT
    project = queries.get_project(db, funded)
    assert (project.status, project.progress, project.spent, project.cost) == (
        S.PLANNED, 0, None, 90_000_00,
    )  # fmt: skip
    assert events(db, funded)[-1] == ("funded", {"final_cost": 90_000_00})
    subject = [m.subject for m in mails_to(db, author)][-1]
    assert subject == f"Votre proposition est lauréate (n° {funded})"  # no title (phishing)
    entry = db.exec(select(AuditLog).order_by(col(AuditLog.seq).desc())).first()
    assert entry is not None
    assert (entry.action, entry.actor) == ("proposal.fund", f"account:{council}")
    with pytest.raises(NotFound):
        queries.get_project(db, other)


def test_only_proposals_on_a_counted_ballot_can_be_funded(
    db: Session, council: int, author: int, cycle_id: int, projects: list[int]
) -> None:
    funded, other = projects
    before = count(db, ImplementationChange)
    for ids in ([other, funded], [funded]):  # already funded: refused, and the other untouched
        with pytest.raises(NotFundable) as caught:
            implementation.mark_funded(db, LATER, actor_id=council, proposal_ids=ids)
        assert caught.value.params == {"id": funded}
    assert queries.get_proposal(db, other).status is ProposalStatus.ON_BALLOT
    assert count(db, ImplementationChange) == before
    with pytest.raises(NotFound):
        implementation.mark_funded(db, LATER, actor_id=council, proposal_ids=[999_999])
    with pytest.raises(PermissionDenied):
        implementation.mark_funded(db, LATER, actor_id=author, proposal_ids=[other])


def test_a_proposal_of_an_open_cycle_cannot_be_funded(
    db: Session, council: int, cycle_id: int, author: int
) -> None:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    budget = queries.get_cycle(db, cycle_id).budgets[0].id
    proposal = proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget, title="Trees", summary="Shade."
    )
    with pytest.raises(NotFundable):
        implementation.mark_funded(db, NOW, actor_id=council, proposal_ids=[proposal])


def test_the_building_is_reported_dated_audited_and_told(
    db: Session, council: int, author: int, projects: list[int]
) -> None:
    funded = projects[0]
    steps = [
        (S.IN_PROGRESS, 40, 30_000_00, "Works started."),
        (S.IN_PROGRESS, 80, 70_000_00, ""),
        (S.DONE, 100, 88_500_00, "Opened to the public."),
        (S.IN_PROGRESS, 95, 88_500_00, "Two benches must be replaced under warranty."),
    ]
    for day, (status, progress, spent, note) in enumerate(steps, start=1):
        implementation.update_project(
            db, LATER + timedelta(days=day), actor_id=council, proposal_id=funded,
            status=status, progress=progress, spent=spent, note=note,
        )  # fmt: skip
    detail = queries.project_detail(db, funded)
    assert (detail.project.status, detail.project.progress, detail.project.spent) == (
        S.IN_PROGRESS, 95, 88_500_00,
    )  # fmt: skip
    assert [(c.status, c.progress) for c in detail.changes] == [
        (S.IN_PROGRESS, 95), (S.DONE, 100), (S.IN_PROGRESS, 80), (S.IN_PROGRESS, 40),
        (S.PLANNED, 0),
    ]  # fmt: skip
    assert detail.changes[0].at == LATER + timedelta(days=4)
    assert [a.display_name for a in detail.authors] == ["Amina"]
    actions = db.exec(select(AuditLog.action).where(AuditLog.action == "project.update")).all()
    assert len(actions) == 4
    news = [
        m.subject
        for m in mails_to(db, author)
        if m.subject.startswith("Nouvelles de la réalisation")
    ]
    assert len(news) == 4
    notes = db.exec(select(Notification).where(Notification.kind == "project.updated")).all()
    assert len(notes) == 4
    assert audit.verify_chain(db).ok


def test_abandoning_needs_a_public_reason_and_is_final(
    db: Session, council: int, projects: list[int]
) -> None:
    funded = projects[0]
    before = count(db, ImplementationChange)
    with pytest.raises(FieldErrors) as caught:
        implementation.update_project(
            db, LATER, actor_id=council, proposal_id=funded, status=S.ABANDONED, progress=0,
            spent=None, note="",
        )  # fmt: skip
    assert list(caught.value.fields) == ["note"]
    assert count(db, ImplementationChange) == before
    assert queries.get_project(db, funded).status is S.PLANNED
    implementation.update_project(
        db, LATER, actor_id=council, proposal_id=funded, status=S.ABANDONED, progress=0,
        spent=None, note=REASON,
    )  # fmt: skip
    assert queries.get_project(db, funded).reason == REASON
    with pytest.raises(StatusTransition):
        implementation.update_project(
            db, LATER, actor_id=council, proposal_id=funded, status=S.IN_PROGRESS, progress=5,
            spent=None, note=REASON,
        )  # fmt: skip


def test_only_the_council_reports_and_only_on_projects(
    db: Session, council: int, author: int, projects: list[int]
) -> None:
    funded, other = projects
    change: dict[str, Any] = {"status": S.IN_PROGRESS, "progress": 10, "spent": None}
    with pytest.raises(PermissionDenied):
        implementation.update_project(db, LATER, actor_id=author, proposal_id=funded, **change)
    with pytest.raises(NotFound):
        implementation.update_project(db, LATER, actor_id=council, proposal_id=other, **change)
    with pytest.raises(NotFound):
        implementation.add_milestone(
            db,
            LATER,
            actor_id=council,
            proposal_id=other,
            title="Start",
            planned_on=date(2028, 1, 1),
        )


def test_milestones_make_a_timeline(db: Session, council: int, projects: list[int]) -> None:
    funded = projects[0]
    second = implementation.add_milestone(
        db, LATER, actor_id=council, proposal_id=funded, title="Planting",
        planned_on=date(2028, 11, 15), note="Eight plane trees.",
    )  # fmt: skip
    implementation.add_milestone(
        db, LATER, actor_id=council, proposal_id=funded, title="Survey of the networks",
        planned_on=date(2028, 3, 1), reached_on=date(2028, 3, 20),
    )  # fmt: skip
    implementation.update_milestone(
        db, LATER, actor_id=council, milestone_id=second, title="Planting",
        planned_on=date(2028, 11, 15), reached_on=date(2028, 11, 30), note="Done with pupils.",
    )  # fmt: skip
    milestones = queries.project_detail(db, funded).milestones
    assert [(m.title, m.reached_on, m.note) for m in milestones] == [
        ("Survey of the networks", date(2028, 3, 20), ""),
        ("Planting", date(2028, 11, 30), "Done with pupils."),
    ]  # fmt: skip
    before = count(db, Milestone)
    with pytest.raises(FieldErrors) as caught:
        implementation.add_milestone(
            db, LATER, actor_id=council, proposal_id=funded, title="", planned_on=None
        )
    assert set(caught.value.fields) == {"title", "planned_on"}
    with pytest.raises(FieldErrors):
        implementation.update_milestone(
            db, LATER, actor_id=council, milestone_id=second, title="x" * 121,
            planned_on=date(2028, 1, 1),
        )  # fmt: skip
    with pytest.raises(NotFound):
        implementation.update_milestone(
            db, LATER, actor_id=council, milestone_id=999_999, title="x", planned_on=None
        )
    assert count(db, Milestone) == before


def test_the_list_filters_by_status_district_and_year(
    db: Session, council: int, projects: list[int], cycle_id: int
) -> None:
    funded = projects[0]
    everything = queries.list_projects(db)
    assert [p.id for p in everything] == [funded]
    year = queries.get_cycle(db, cycle_id).instance
    assert queries.project_choices(db).years == (year,)
    by = queries.ProjectFilters
    assert [p.id for p in queries.list_projects(db, by(year=year, status=S.PLANNED))] == [funded]
    assert queries.list_projects(db, by(status=S.DONE)) == ()
    assert queries.list_projects(db, by(year="1999")) == ()
    assert queries.list_projects(db, by(district_id=1)) == ()
    assert [p.id for p in queries.list_projects(db, by(cycle_id=cycle_id))] == [funded]


def test_archiving_waits_for_every_project_to_finish_and_then_freezes_them(
    db: Session, council: int, projects: list[int], cycle_id: int
) -> None:
    funded = projects[0]
    assert queries.unfinished_projects(db, cycle_id) == 1
    row = db.get(Proposal, funded)
    assert row is not None
    snapshot = queries.cycle_snapshot(db, cycle_id, LATER)
    assert snapshot.unfinished_projects == 1
    implementation.update_project(
        db, LATER, actor_id=council, proposal_id=funded, status=S.ABANDONED, progress=0,
        spent=None, note=REASON,
    )  # fmt: skip
    assert queries.unfinished_projects(db, cycle_id) == 0
    with pytest.raises(TransitionRefused):  # the cycle is closed, not in implementation yet
        cycles.advance_phase(db, LATER, actor_id=council, cycle_id=cycle_id, target=Phase.ARCHIVED)
    cycle = db.get(Cycle, cycle_id)
    assert cycle is not None
    cycle.phase = Phase.ARCHIVED  # as results publishing and archiving will leave it
    db.add(cycle)
    with pytest.raises(ReadOnly):
        implementation.add_milestone(
            db, LATER, actor_id=council, proposal_id=funded, title="x", planned_on=date(2028, 1, 1)
        )
