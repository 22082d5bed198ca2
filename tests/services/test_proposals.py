"""Residents' proposals through the services: drafts, versions, submission and its limit,
withdrawal, co-authors; every refusal names the problem and writes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from budget.db import queries
from budget.db.tables import (
    Cycle,
    OutboxEmail,
    ProposalAuthor,
    ProposalEvent,
    ProposalVersion,
    RollEntry,
)
from budget.domain.cycle import Phase
from budget.domain.errors import (
    EmailNotVerified,
    FieldErrors,
    InvitationLimit,
    NotAuthor,
    NotCreator,
    NotFound,
    PermissionDenied,
    ProposalLimit,
    ProposalState,
    WrongPhase,
)
from budget.domain.proposals import MAX_COAUTHORS, AuthorRole, AuthorState, ProposalStatus
from budget.services import budgets, categories, cycles, proposals
from budget.services.proposals import ProposalForm
from tests.security.test_csrf import snapshot
from tests.services.conftest import NOW, budget_form, cycle_form, resident, schedule

# A square around part of the 11th arrondissement: longitudes 2.36-2.40, latitudes 48.85-48.87.
SQUARE = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[2.36, 48.85], [2.40, 48.85], [2.40, 48.87], [2.36, 48.87], [2.36, 48.85]]
        ],
    }
)


@pytest.fixture
def budget_id(db: Session, council: int, cycle_id: int) -> int:
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    return queries.get_cycle(db, cycle_id).budgets[0].id


@pytest.fixture
def district_budget(db: Session, council: int, cycle_id: int, budget_id: int) -> int:
    """A district budget (500 000,00) of the same cycle, its district outlined by SQUARE."""
    district = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=cycle_id, code="75111", name="11e"
    )
    budgets.set_district_boundary(db, NOW, actor_id=council, district_id=district, geojson=SQUARE)
    form = budget_form(
        name_fr="11e", name_en="11th", scope="district", district_id=district, amount=500_000_00
    )
    return budgets.create_budget(db, NOW, actor_id=council, cycle_id=cycle_id, form=form)


def draft(db: Session, author: int, budget_id: int, title: str = "Shade trees") -> int:
    return proposals.create_proposal(
        db, NOW, author_id=author, budget_id=budget_id, title=title, summary="Plant trees."
    )


def full_form(budget: int | None, **changes: object) -> ProposalForm:
    values: dict[str, object] = {
        "budget_id": budget, "title": "A fountain", "summary": "Drinking water for all.",
        "description": "## Why\n\nSummers are **hot**.", "address": "12 rue des Lilas",
        "lat": "48.8600", "lon": "2.3800", "estimated_cost": 45_000_00, "language": "en",
    }  # fmt: skip
    values.update(changes)
    return ProposalForm(**values)  # type: ignore[arg-type]


def field_codes(caught: pytest.ExceptionInfo[FieldErrors]) -> dict[str, str]:
    return {name: error.code for name, error in caught.value.fields.items()}


def events(db: Session, proposal_id: int) -> list[tuple[str, dict[str, object]]]:
    query = (
        select(ProposalEvent)
        .where(ProposalEvent.proposal_id == proposal_id)
        .order_by(col(ProposalEvent.id))
    )
    return [(e.kind, json.loads(e.details)) for e in db.exec(query).all()]


def versions(db: Session, proposal_id: int) -> list[tuple[int, str]]:
    query = (
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal_id)
        .order_by(col(ProposalVersion.number))
    )
    return [(v.number, v.title) for v in db.exec(query).all()]


def actions(db: Session) -> list[str]:
    return [entry.action for entry in reversed(queries.list_audit(db, limit=100))]


def set_phase(db: Session, cycle_id: int, phase: Phase) -> None:
    """Jump the cycle to a phase whose guards would need a whole election to satisfy (voting):
    what is tested here is the proposals' own phase rule, not the cycle's guards."""
    row = db.get(Cycle, cycle_id)
    assert row is not None
    row.phase = phase
    db.add(row)
    db.flush()


# -- drafts ------------------------------------------------------------------------------------


def test_a_draft_keeps_every_field_its_creator_and_version_one(
    db: Session, hasher, cycle_id: int, district_budget: int
) -> None:
    author = resident(db, hasher)
    proposal = proposals.create_draft(
        db, NOW, author_id=author, form=full_form(district_budget), cycle_id=cycle_id
    )
    view = queries.get_proposal(db, proposal)
    assert (view.status, view.budget_id, view.title, view.address) == (
        ProposalStatus.DRAFT, district_budget, "A fountain", "12 rue des Lilas",
    )  # fmt: skip
    assert (view.lat_e6, view.lon_e6, view.estimated_cost, view.language) == (
        48_860_000, 2_380_000, 45_000_00, "en",
    )  # fmt: skip
    assert view.description == "## Why\n\nSummers are **hot**."
    assert view.submitted_at is None
    authors = queries.authors_of(db, proposal)
    assert [(a.account_id, a.role) for a in authors] == [(author, AuthorRole.CREATOR)]
    assert versions(db, proposal) == [(1, "A fountain")]
    assert [kind for kind, _ in events(db, proposal)] == ["created"]
    assert actions(db)[-1] == "proposal.create"


def test_bad_texts_are_named(db: Session, hasher, budget_id: int) -> None:
    with pytest.raises(FieldErrors) as caught:
        proposals.create_proposal(
            db, NOW, author_id=resident(db, hasher), budget_id=budget_id, title="x" * 121,
            summary="", description="d" * 10_001,
        )  # fmt: skip
    assert field_codes(caught) == {
        "title": "field.too-long", "summary": "field.required", "description": "field.too-long",
    }  # fmt: skip
    with pytest.raises(NotFound):
        proposals.create_proposal(db, NOW, author_id=1, budget_id=999, title="t", summary="s")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"budget_id": None}, {"budget_id": "field.required"}),
        ({"budget_id": 99_999}, {"budget_id": "field.invalid-choice"}),
        ({"address": ""}, {"address": "field.required"}),
        ({"address": "a" * 201}, {"address": "field.too-long"}),
        ({"lat": ""}, {"lat": "field.required"}),
        ({"lon": ""}, {"lon": "field.required"}),
        ({"lat": "north", "lon": "200"}, {"lat": "geo.coordinate", "lon": "field.out-of-range"}),
        ({"lat": "48.8400"}, {"lat": "proposal.outside-district"}),
        ({"estimated_cost": 0}, {"estimated_cost": "proposal.estimate"}),
        ({"estimated_cost": -5}, {"estimated_cost": "proposal.estimate"}),
        ({"estimated_cost": 500_000_00 * 100 + 1}, {"estimated_cost": "proposal.estimate"}),
        ({"language": "de"}, {"language": "field.invalid-choice"}),
        ({"category_id": 12_345}, {"category_id": "field.invalid-choice"}),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_written(
    db: Session, hasher, cycle_id: int, district_budget: int, changes, expected
) -> None:
    author = resident(db, hasher)
    before = snapshot(db)
    with pytest.raises(FieldErrors) as caught:
        proposals.create_draft(
            db, NOW, author_id=author, form=full_form(district_budget, **changes),
            cycle_id=cycle_id,
        )  # fmt: skip
    assert field_codes(caught) == expected
    assert snapshot(db) == before


def test_the_largest_plausible_estimate_and_a_point_on_the_boundary_are_accepted(
    db: Session, hasher, cycle_id: int, district_budget: int
) -> None:
    form = full_form(district_budget, estimated_cost=500_000_00 * 100, lat="48.85", lon="2.36")
    proposal = proposals.create_draft(
        db, NOW, author_id=resident(db, hasher), form=form, cycle_id=cycle_id
    )
    assert queries.get_proposal(db, proposal).lat_e6 == 48_850_000


def test_a_city_wide_proposal_needs_no_address_nor_point(
    db: Session, hasher, cycle_id: int, budget_id: int
) -> None:
    form = ProposalForm(budget_id=budget_id, title="Benches", summary="Everywhere.")
    proposal = proposals.create_draft(
        db, NOW, author_id=resident(db, hasher), form=form, cycle_id=cycle_id
    )
    view = queries.get_proposal(db, proposal)
    assert (view.address, view.lat_e6, view.estimated_cost) == (None, None, None)


def test_a_budget_of_another_cycle_is_refused(
    db: Session, hasher, council: int, cycle_id: int, budget_id: int
) -> None:
    other = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form(instance="other"))
    foreign = budgets.create_budget(db, NOW, actor_id=council, cycle_id=other, form=budget_form())
    with pytest.raises(FieldErrors) as caught:
        proposals.create_draft(
            db, NOW, author_id=resident(db, hasher), form=full_form(foreign, address=""),
            cycle_id=cycle_id,
        )  # fmt: skip
    assert field_codes(caught) == {"budget_id": "field.invalid-choice"}
    with pytest.raises(NotFound):
        proposals.create_draft(db, NOW, author_id=1, form=full_form(budget_id), cycle_id=999)


def test_a_cycle_with_categories_requires_one_of_its_own(
    db: Session, hasher, council: int, cycle_id: int, budget_id: int
) -> None:
    green = categories.create_category(
        db, NOW, actor_id=council, cycle_id=cycle_id, code="green", name_fr="Nature",
        name_en="Nature",
    )  # fmt: skip
    other = cycles.create_cycle(db, NOW, actor_id=council, form=cycle_form(instance="other"))
    foreign = categories.create_category(
        db, NOW, actor_id=council, cycle_id=other, code="green", name_fr="Nature",
        name_en="Nature",
    )  # fmt: skip
    author = resident(db, hasher)
    for category, code in ((None, "field.required"), (foreign, "field.invalid-choice")):
        with pytest.raises(FieldErrors) as caught:
            proposals.create_draft(
                db, NOW, author_id=author, form=full_form(budget_id, category_id=category),
                cycle_id=cycle_id,
            )  # fmt: skip
        assert field_codes(caught) == {"category_id": code}
    made = proposals.create_draft(
        db, NOW, author_id=author, form=full_form(budget_id, category_id=green), cycle_id=cycle_id
    )
    assert queries.get_proposal(db, made).category_id == green


def test_drafts_are_written_only_in_the_submission_phase(
    db: Session, hasher, council: int, cycle_id: int
) -> None:
    budget = queries.get_cycle(db, cycle_id).budgets[0].id
    author = resident(db, hasher)
    before = snapshot(db)
    with pytest.raises(WrongPhase):  # the cycle is still a draft
        draft(db, author, budget)
    assert snapshot(db) == before
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.SUBMISSION)
    draft(db, author, budget)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    with pytest.raises(WrongPhase):
        draft(db, author, budget)


# -- edits ---------------------------------------------------------------------------------------


def test_each_save_is_a_new_version_and_public_edits_enter_the_history(
    db: Session, hasher, budget_id: int
) -> None:
    author = resident(db, hasher)
    proposal = draft(db, author, budget_id)
    second = proposals.update_proposal(
        db, NOW, actor_id=author, proposal_id=proposal,
        form=full_form(budget_id, title="Shade trees and benches"),
    )  # fmt: skip
    assert second == 2
    assert [kind for kind, _ in events(db, proposal)] == ["created"]  # a draft's edits: private
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    proposals.update_proposal(
        db, NOW, actor_id=author, proposal_id=proposal, form=full_form(budget_id, title="Trees")
    )
    assert versions(db, proposal) == [
        (1, "Shade trees"),
        (2, "Shade trees and benches"),
        (3, "Trees"),
    ]
    assert events(db, proposal)[-2:] == [("submitted", {}), ("edited", {"version": 3})]
    view = queries.get_proposal(db, proposal)
    assert (view.title, view.status, view.updated_at) == ("Trees", ProposalStatus.SUBMITTED, NOW)
    assert actions(db)[-3:] == ["proposal.update", "proposal.submit", "proposal.update"]


def test_a_non_author_cannot_see_a_draft_nor_change_a_public_proposal(
    db: Session, hasher, budget_id: int
) -> None:
    author, stranger = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)
    form = full_form(budget_id)
    for call in (
        lambda: proposals.update_proposal(
            db, NOW, actor_id=stranger, proposal_id=proposal, form=form
        ),
        lambda: proposals.submit_proposal(db, NOW, actor_id=stranger, proposal_id=proposal),
        lambda: proposals.withdraw_proposal(db, NOW, actor_id=stranger, proposal_id=proposal),
        lambda: proposals.invite_coauthor(
            db, NOW, actor_id=stranger, proposal_id=proposal, email="louis@example.fr"
        ),
    ):
        with pytest.raises(NotFound):
            call()
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    with pytest.raises(NotAuthor):
        proposals.update_proposal(db, NOW, actor_id=stranger, proposal_id=proposal, form=form)
    with pytest.raises(PermissionDenied):
        proposals.withdraw_proposal(db, NOW, actor_id=stranger, proposal_id=proposal)
    assert versions(db, proposal) == [(1, "Shade trees")]


def test_editing_ends_with_the_submission_phase_and_with_withdrawal(
    db: Session, hasher, council: int, cycle_id: int, budget_id: int
) -> None:
    author = resident(db, hasher)
    withdrawn, submitted = draft(db, author, budget_id), draft(db, author, budget_id, "Benches")
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=withdrawn)
    proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=withdrawn)
    with pytest.raises(ProposalState):
        proposals.update_proposal(
            db, NOW, actor_id=author, proposal_id=withdrawn, form=full_form(budget_id)
        )
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=submitted)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    with pytest.raises(WrongPhase):
        proposals.update_proposal(
            db, NOW, actor_id=author, proposal_id=submitted, form=full_form(budget_id)
        )


# -- submission and withdrawal ---------------------------------------------------------------------


def test_a_draft_is_submitted_by_its_creator_only(db: Session, hasher, budget_id: int) -> None:
    author, friend = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="Louis@Example.fr"
    )
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=proposal, accept=True)
    with pytest.raises(NotCreator):
        proposals.submit_proposal(db, NOW, actor_id=friend, proposal_id=proposal)
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    with pytest.raises(ProposalState):
        proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    view = queries.get_proposal(db, proposal)
    assert (view.status, view.submitted_at) == (ProposalStatus.SUBMITTED, NOW)
    with pytest.raises(NotFound):
        proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=999)


def test_an_unverified_account_neither_proposes_nor_co_authors(
    db: Session, hasher, budget_id: int
) -> None:
    author = resident(db, hasher)
    newcomer = resident(db, hasher, "noor", verified=False)
    proposal = draft(db, author, budget_id)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="noor@example.fr"
    )
    before = snapshot(db)
    with pytest.raises(EmailNotVerified):
        draft(db, newcomer, budget_id)
    with pytest.raises(EmailNotVerified):
        proposals.answer_invitation(db, NOW, actor_id=newcomer, proposal_id=proposal, accept=True)
    assert snapshot(db) == before


def test_each_author_submits_at_most_the_cycle_limit(db: Session, council: int, hasher) -> None:
    form = cycle_form(instance="small", max_proposals_per_author=1)
    small = cycles.create_cycle(db, NOW, actor_id=council, form=form)
    budget = budgets.create_budget(db, NOW, actor_id=council, cycle_id=small, form=budget_form())
    cycles.set_schedule(db, NOW, actor_id=council, cycle_id=small, dates=schedule())
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=small, target=Phase.SUBMISSION)
    author, friend = resident(db, hasher), resident(db, hasher, "louis")
    first, second = draft(db, author, budget), draft(db, author, budget, "Benches")
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=first)
    with pytest.raises(ProposalLimit):
        proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=second)
    # co-authorships do not count: the friend co-authors the first and submits their own
    proposals.invite_coauthor(db, NOW, actor_id=author, proposal_id=first, email="louis@example.fr")
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=first, accept=True)
    proposals.submit_proposal(db, NOW, actor_id=friend, proposal_id=draft(db, friend, budget))
    proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=first)
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=second)  # a place freed


def test_withdrawal_is_for_the_creator_until_voting_opens(
    db: Session, hasher, council: int, cycle_id: int, budget_id: int
) -> None:
    author, friend = resident(db, hasher), resident(db, hasher, "louis")
    proposal, later = draft(db, author, budget_id), draft(db, author, budget_id, "Benches")
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="louis@example.fr"
    )
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=proposal, accept=True)
    with pytest.raises(NotCreator):
        proposals.withdraw_proposal(db, NOW, actor_id=friend, proposal_id=proposal)
    with pytest.raises(PermissionDenied):
        proposals.withdraw_proposal(db, NOW, actor_id=council, proposal_id=proposal)
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=later)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=proposal)  # in review
    view = queries.get_proposal(db, proposal)
    assert (view.status, view.withdrawn_at) == (ProposalStatus.WITHDRAWN, NOW)
    assert events(db, proposal)[-1] == ("withdrawn", {})
    with pytest.raises(ProposalState):
        proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    set_phase(db, cycle_id, Phase.VOTING)
    with pytest.raises(WrongPhase):
        proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=later)


def test_a_draft_is_deleted_not_withdrawn(db: Session, hasher, budget_id: int) -> None:
    """Withdrawing is for submitted proposals: a draft refused, so it never becomes a public
    "withdrawn" proposal; its authors delete it instead, with everything that hangs on it."""
    author, friend = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)
    with pytest.raises(ProposalState):
        proposals.withdraw_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="louis@example.fr"
    )
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=proposal, accept=True)
    proposals.delete_draft(db, NOW, actor_id=friend, proposal_id=proposal)  # any accepted author
    with pytest.raises(NotFound):
        queries.get_proposal(db, proposal)
    assert (events(db, proposal), versions(db, proposal)) == ([], [])
    assert queries.notifications_of(db, friend) == ()
    assert actions(db)[-1] == "proposal.delete"


def test_only_authors_delete_and_only_drafts(db: Session, hasher, budget_id: int) -> None:
    author, stranger = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)
    before = snapshot(db)
    with pytest.raises(NotFound):  # to a stranger, a draft does not exist
        proposals.delete_draft(db, NOW, actor_id=stranger, proposal_id=proposal)
    assert snapshot(db) == before
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    before = snapshot(db)
    with pytest.raises(ProposalState):  # public: withdrawn, never deleted
        proposals.delete_draft(db, NOW, actor_id=author, proposal_id=proposal)
    with pytest.raises(NotAuthor):
        proposals.delete_draft(db, NOW, actor_id=stranger, proposal_id=proposal)
    assert snapshot(db) == before


# -- co-authors ----------------------------------------------------------------------------------


def test_an_invited_resident_becomes_an_author_on_accepting(
    db: Session, hasher, budget_id: int
) -> None:
    author, friend = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="louis@example.fr"
    )
    assert [a.account_id for a in queries.authors_of(db, proposal)] == [author]
    assert [i.proposal_id for i in queries.pending_invitations(db, friend)] == [proposal]
    [told] = queries.notifications_of(db, friend)  # in the app, and by mail
    assert (told.kind, told.proposal_id) == ("coauthor.invited", proposal)
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.to_address == "louis@example.fr")).one()
    assert mail.body.startswith("Amina vous invite à co-écrire")  # in the invitee's language
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=proposal, accept=True)
    assert [a.account_id for a in queries.authors_of(db, proposal)] == [author, friend]
    assert queries.pending_invitations(db, friend) == ()
    assert events(db, proposal)[-1] == ("coauthor_joined", {"author": "Louis"})
    # the co-author edits; then leaves, and may no longer edit
    proposals.update_proposal(
        db, NOW, actor_id=friend, proposal_id=proposal, form=full_form(budget_id)
    )
    proposals.leave_proposal(db, NOW, actor_id=friend, proposal_id=proposal)
    assert events(db, proposal)[-1] == ("coauthor_left", {"author": "Louis"})
    with pytest.raises(NotAuthor):
        proposals.update_proposal(
            db, NOW, actor_id=friend, proposal_id=proposal, form=full_form(budget_id)
        )
    assert [i.state for i in queries.invitations_of(db, proposal)] == [AuthorState.LEFT]
    assert actions(db)[-3:] == ["proposal.invitation", "proposal.update", "proposal.leave"]


def test_a_declined_invitation_stays_off_and_may_be_renewed(
    db: Session, hasher, budget_id: int
) -> None:
    author, friend = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)

    def invite() -> None:
        proposals.invite_coauthor(
            db, NOW, actor_id=author, proposal_id=proposal, email="louis@example.fr"
        )

    invite()
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=proposal, accept=False)
    assert [a.account_id for a in queries.authors_of(db, proposal)] == [author]
    with pytest.raises(NotFound):  # answered already
        proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=proposal, accept=True)
    invite()
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=proposal, accept=True)
    assert [kind for kind, _ in events(db, proposal)] == ["created"]  # a draft: nothing public
    mails = len(db.exec(select(OutboxEmail)).all())
    invite()  # already an author: the same answer, and nothing sent again
    assert len(db.exec(select(OutboxEmail)).all()) == mails
    assert queries.author_role(db, proposal, friend) is AuthorRole.COAUTHOR


def test_an_invitation_answers_the_same_whether_or_not_the_address_has_an_account(
    db: Session, hasher, budget_id: int
) -> None:
    """No account oracle (T4): an unknown address is accepted like a known one; only the
    audit log tells them apart. The invitee's name shows once they accept."""
    author, friend = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)
    before = snapshot(db)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="nobody@example.fr"
    )
    after = snapshot(db)
    changed = {t for t, n in after[1].items() if n != before[1][t]}
    assert changed == {"audit_log"}
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=proposal, email="louis@example.fr"
    )
    [invitee] = queries.invitations_of(db, proposal)
    assert (invitee.account_id, invitee.display_name) == (friend, None)
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=proposal, accept=True)
    assert queries.invitations_of(db, proposal)[0].display_name == "Louis"


def test_invitations_are_throttled_per_author_and_day(db: Session, hasher, budget_id: int) -> None:
    author = resident(db, hasher)
    proposal = draft(db, author, budget_id)

    def invite(when: datetime, n: int) -> None:
        proposals.invite_coauthor(
            db, when, actor_id=author, proposal_id=proposal, email=f"n{n}@example.fr"
        )

    for n in range(proposals.INVITATIONS_PER_DAY):
        invite(NOW + timedelta(minutes=n), n)
    later = NOW + timedelta(hours=1)
    before = snapshot(db)
    with pytest.raises(InvitationLimit) as caught:
        invite(later, 99)
    assert caught.value.params["retry_after"] == 23 * 3600 + 1
    assert snapshot(db) == before
    invite(NOW + timedelta(days=1, seconds=1), 100)  # the first one left the window


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("amina@example.fr", "coauthor.self"),
        ("not an address", "email.invalid"),
    ],
)
def test_a_bad_invitation_names_the_problem(
    db: Session, hasher, budget_id: int, email: str, code: str
) -> None:
    author = resident(db, hasher)
    proposal = draft(db, author, budget_id)
    before = snapshot(db)
    with pytest.raises(FieldErrors) as caught:
        proposals.invite_coauthor(db, NOW, actor_id=author, proposal_id=proposal, email=email)
    assert field_codes(caught) == {"email": code}
    assert snapshot(db) == before


def test_a_proposal_has_at_most_five_coauthors_and_only_the_creator_invites(
    db: Session, hasher, budget_id: int
) -> None:
    author = resident(db, hasher)
    proposal = draft(db, author, budget_id)
    names = [f"friend{n}" for n in range(MAX_COAUTHORS + 1)]
    ids = [resident(db, hasher, name) for name in names]
    for name in names[:MAX_COAUTHORS]:
        proposals.invite_coauthor(
            db, NOW, actor_id=author, proposal_id=proposal, email=f"{name}@example.fr"
        )
    with pytest.raises(FieldErrors) as caught:
        proposals.invite_coauthor(
            db, NOW, actor_id=author, proposal_id=proposal, email=f"{names[-1]}@example.fr"
        )
    assert field_codes(caught) == {"email": "coauthor.limit"}
    proposals.answer_invitation(db, NOW, actor_id=ids[0], proposal_id=proposal, accept=True)
    with pytest.raises(NotCreator):
        proposals.invite_coauthor(
            db, NOW, actor_id=ids[0], proposal_id=proposal, email=f"{names[-1]}@example.fr"
        )
    proposals.answer_invitation(db, NOW, actor_id=ids[1], proposal_id=proposal, accept=False)
    proposals.invite_coauthor(  # a declined seat is free again
        db, NOW, actor_id=author, proposal_id=proposal, email=f"{names[-1]}@example.fr"
    )


def test_the_creator_cannot_leave_and_a_stranger_has_no_invitation(
    db: Session, hasher, budget_id: int
) -> None:
    author, stranger = resident(db, hasher), resident(db, hasher, "louis")
    proposal = draft(db, author, budget_id)
    with pytest.raises(ProposalState):
        proposals.leave_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    with pytest.raises(NotFound):
        proposals.answer_invitation(db, NOW, actor_id=stranger, proposal_id=proposal, accept=True)
    with pytest.raises(NotFound):
        proposals.leave_proposal(db, NOW, actor_id=stranger, proposal_id=proposal)


def test_a_merged_in_author_may_remove_their_name(db: Session, hasher, budget_id: int) -> None:
    author, credited = resident(db, hasher), resident(db, hasher, "louis")
    source, merged = draft(db, credited, budget_id), draft(db, author, budget_id, "Together")
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=merged)
    # the council's merge (services.decisions) credits the source's authors like this:
    db.add(
        ProposalAuthor(
            proposal_id=merged, account_id=credited, role=AuthorRole.COAUTHOR,
            state=AuthorState.ACCEPTED, credited_from=source, invited_at=NOW,
        )
    )  # fmt: skip
    db.flush()
    proposals.leave_proposal(db, NOW, actor_id=credited, proposal_id=merged)
    assert [a.account_id for a in queries.authors_of(db, merged)] == [author]


def test_accepting_is_possible_in_review_but_not_once_voting_opened(
    db: Session, hasher, council: int, cycle_id: int, budget_id: int
) -> None:
    author, early, late = (resident(db, hasher, n) for n in ("amina", "louis", "zoe"))
    proposal = draft(db, author, budget_id)
    for email in ("louis@example.fr", "zoe@example.fr"):
        proposals.invite_coauthor(db, NOW, actor_id=author, proposal_id=proposal, email=email)
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=proposal)
    cycles.advance_phase(db, NOW, actor_id=council, cycle_id=cycle_id, target=Phase.REVIEW)
    proposals.answer_invitation(db, NOW, actor_id=early, proposal_id=proposal, accept=True)
    set_phase(db, cycle_id, Phase.VOTING)
    with pytest.raises(WrongPhase):
        proposals.answer_invitation(db, NOW, actor_id=late, proposal_id=proposal, accept=True)
    proposals.answer_invitation(db, NOW, actor_id=late, proposal_id=proposal, accept=False)


# -- the author's own lists ------------------------------------------------------------------------


def test_own_proposals_list_drafts_for_their_authors_only(
    db: Session, hasher, cycle_id: int, budget_id: int
) -> None:
    author, friend = resident(db, hasher), resident(db, hasher, "louis")
    mine, shared = draft(db, author, budget_id), draft(db, author, budget_id, "Benches")
    proposals.submit_proposal(db, NOW, actor_id=author, proposal_id=shared)
    proposals.invite_coauthor(
        db, NOW, actor_id=author, proposal_id=shared, email="louis@example.fr"
    )
    assert queries.own_proposals(db, friend) == ()
    proposals.answer_invitation(db, NOW, actor_id=friend, proposal_id=shared, accept=True)
    listed = queries.own_proposals(db, author, cycle_id=cycle_id)
    assert [(p.id, p.status, p.role) for p in listed] == [
        (shared, ProposalStatus.SUBMITTED, AuthorRole.CREATOR),
        (mine, ProposalStatus.DRAFT, AuthorRole.CREATOR),
    ]
    assert [(p.id, p.role) for p in queries.own_proposals(db, friend)] == [
        (shared, AuthorRole.COAUTHOR)
    ]
    choices = queries.form_choices(db, cycle_id)
    assert [b.id for b in choices.budgets] == [budget_id]
    assert queries.author_role(db, mine, friend) is None


def test_problems_lists_every_wrong_field_without_writing(
    db: Session, hasher, cycle_id: int, district_budget: int
) -> None:
    before = snapshot(db)
    bad = full_form(district_budget, title="", address="", estimated_cost=0)
    assert {n: e.code for n, e in proposals.problems(db, cycle_id, bad).items()} == {
        "title": "field.required", "address": "field.required",
        "estimated_cost": "proposal.estimate",
    }  # fmt: skip
    assert proposals.problems(db, cycle_id, full_form(district_budget)) == {}
    assert snapshot(db) == before
    with pytest.raises(NotFound):
        proposals.problems(db, 999, bad)


# -- where the cycle takes proposals from eligible residents only -----------------------------


def test_where_the_cycle_requires_it_only_residents_entitled_to_the_budget_propose(
    db: Session, hasher, council: int, cycle_id: int, budget_id: int, district_budget: int
) -> None:
    cycles.update_cycle(
        db, NOW, actor_id=council, cycle_id=cycle_id,
        form=cycle_form(proposers_must_be_eligible=True, district_mode="residence"),
    )  # fmt: skip
    amina = resident(db, hasher)
    before = snapshot(db)
    with pytest.raises(FieldErrors) as caught:
        draft(db, amina, budget_id)
    assert field_codes(caught) == {"budget_id": "eligibility.proposer"}
    assert snapshot(db) == before
    # A declaration for another district: the city-wide budget, not the 11th's.
    other = cycles.create_district(
        db, NOW, actor_id=council, cycle_id=cycle_id, code="75112", name="12e"
    )
    db.add(
        RollEntry(
            cycle_id=cycle_id, source="declared", birth_year=1990, district_id=other,
            account_id=amina, created_at=NOW, updated_at=NOW,
        )
    )  # fmt: skip
    created = draft(db, amina, budget_id)
    form = full_form(district_budget)
    with pytest.raises(FieldErrors) as caught:
        proposals.create_draft(db, NOW, author_id=amina, form=form)
    assert field_codes(caught) == {"budget_id": "eligibility.proposer"}
    with pytest.raises(FieldErrors) as caught:
        proposals.update_proposal(db, NOW, actor_id=amina, proposal_id=created, form=form)
    assert field_codes(caught) == {"budget_id": "eligibility.proposer"}
    # Voided since the draft was written: submitting is refused too.
    entry = db.exec(select(RollEntry).where(RollEntry.account_id == amina)).one()
    entry.voided_at = NOW
    db.add(entry)
    with pytest.raises(FieldErrors) as caught:
        proposals.submit_proposal(db, NOW, actor_id=amina, proposal_id=created)
    assert field_codes(caught) == {"budget_id": "eligibility.proposer"}
    assert queries.get_proposal(db, created).status is ProposalStatus.DRAFT
