"""`budget demo` also loads a past cycle, voted, counted, certified and published through the
services, whose funded projects are being built."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from budget.db import queries
from budget.domain.cycle import Phase
from budget.domain.implementation import ImplementationStatus
from budget.domain.proposals import ProposalStatus
from budget.services import audit, results
from tests.services.conftest import NOW, LoadedDemo


def test_the_demo_has_a_past_cycle_with_projects_in_every_state(
    demo_db: Session, loaded_demo: LoadedDemo
) -> None:
    summary = loaded_demo.summary
    past = next(c for c in queries.list_cycles(demo_db) if c.instance == "2026")
    assert past.id != summary.cycle_id
    assert past.phase is Phase.IMPLEMENTATION
    projects = queries.list_projects(demo_db, queries.ProjectFilters(year="2026"))
    budgets = queries.list_budgets(demo_db, past.id)
    winners = [w for b in budgets for w in results.winners(demo_db, b.id)]
    assert sorted(p.id for p in projects) == sorted(winners)
    assert len(projects) >= 6
    assert set(Counter(p.status for p in projects)) == set(ImplementationStatus)
    types = set()
    for budget in budgets:
        view = queries.budget_results(demo_db, budget.id)
        assert view is not None
        assert view.published_at is not None
        assert view.certificate is not None
        assert view.document["voters"] >= 20  # the city: every voter; a district: a third
        assert results.verify_budget(demo_db, budget.id) is None
        types.add(budget.ballot_type)
    assert len(types) == 4
    assert {p.district_name for p in projects} == {
        None, "11e arrondissement", "18e arrondissement", "20e arrondissement",
    }  # fmt: skip
    for project in projects:
        detail = queries.project_detail(demo_db, project.id)
        assert len(detail.milestones) == 4
        reached = [m for m in detail.milestones if m.reached_on is not None]
        assert all(m.reached_on <= NOW.date() for m in reached)  # type: ignore[operator]
        if project.status is ImplementationStatus.DONE:
            assert (project.progress, len(reached)) == (100, 4)
        if project.status is ImplementationStatus.ABANDONED:
            assert project.reason
        assert project.lat_e6 is not None
    statuses = Counter(p.status for p in queries.list_proposals(demo_db, past.id))
    assert statuses == {
        ProposalStatus.FUNDED: len(projects),
        ProposalStatus.NOT_FUNDED: 20 - len(projects),
    }
    assert queries.list_projects(demo_db, queries.ProjectFilters(year="2027")) == ()
    assert audit.verify_chain(demo_db).ok
