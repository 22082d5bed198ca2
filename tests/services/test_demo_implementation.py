"""`budget demo` also loads a past cycle whose funded projects are being built."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from budget.domain.implementation import ImplementationStatus
from budget.domain.proposals import ProposalStatus
from budget.services import audit, demo
from tests.services.conftest import NOW


def test_the_demo_has_a_past_cycle_with_projects_in_every_state(db: Session, hasher) -> None:
    summary = demo.load_demo(db, NOW, hasher, residents=60)
    past = next(c for c in queries.list_cycles(db) if c.instance == "2026")
    assert past.id != summary.cycle_id
    assert past.phase is Phase.CLOSED
    projects = queries.list_projects(db, queries.ProjectFilters(year="2026"))
    assert len(projects) == 12
    assert Counter(p.status for p in projects) == {
        ImplementationStatus.DONE: 4, ImplementationStatus.IN_PROGRESS: 4,
        ImplementationStatus.PLANNED: 2, ImplementationStatus.ABANDONED: 2,
    }  # fmt: skip
    assert {p.district_name for p in projects} == {
        None, "11e arrondissement", "18e arrondissement", "20e arrondissement",
    }  # fmt: skip
    for project in projects:
        detail = queries.project_detail(db, project.id)
        assert len(detail.milestones) == 4
        reached = [m for m in detail.milestones if m.reached_on is not None]
        assert all(m.reached_on <= NOW.date() for m in reached)  # type: ignore[operator]
        if project.status is ImplementationStatus.DONE:
            assert (project.progress, len(reached)) == (100, 4)
        if project.status is ImplementationStatus.ABANDONED:
            assert project.reason
        assert project.lat_e6 is not None
    statuses = Counter(p.status for p in queries.list_proposals(db, past.id))
    assert statuses == {ProposalStatus.FUNDED: 12, ProposalStatus.ON_BALLOT: 8}
    assert queries.list_projects(db, queries.ProjectFilters(year="2027")) == ()
    assert audit.verify_chain(db).ok
