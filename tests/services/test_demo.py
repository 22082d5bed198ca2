"""`budget demo` builds a realistic cycle through the services, once, reproducibly."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from budget.db import queries
from budget.db.queries import RollEntryView
from budget.db.tables import Account, ProposalVersion
from budget.domain.accounts import Role
from budget.domain.ballots import BallotType
from budget.domain.cycle import Phase
from budget.domain.errors import DemoNotEmpty
from budget.domain.proposals import ProposalStatus
from budget.services import accounts, audit, codes, demo, sessions
from tests.services.conftest import DEMO_CODE_KEY, DEMO_RESIDENTS, NOW, THROTTLE_KEY, LoadedDemo


def test_demo_fills_an_empty_database_with_a_paris_like_cycle(
    demo_db: Session, loaded_demo: LoadedDemo
) -> None:
    summary = loaded_demo.summary
    cycle = queries.get_cycle(demo_db, summary.cycle_id)
    assert (cycle.name_fr, cycle.phase, cycle.time_zone) == (
        "Budget participatif 2027", Phase.REVIEW, "Europe/Paris",
    )  # fmt: skip
    city, *districts = cycle.budgets
    assert (city.name_fr, city.scope, city.amount) == ("Tout Paris", "city", 30_000_000_00)
    assert len(districts) == 17
    assert districts[0].district_name == "Paris Centre"
    assert {b.ballot_type for b in cycle.budgets} == set(BallotType)
    statuses = Counter(p.status for p in queries.list_proposals(demo_db, summary.cycle_id))
    assert set(statuses) == {
        ProposalStatus.ON_BALLOT, ProposalStatus.INFEASIBLE, ProposalStatus.WITHDRAWN,
        ProposalStatus.DRAFT,
    }  # fmt: skip
    assert sum(statuses.values()) == summary.proposals >= 36
    assert queries.count_accounts(demo_db) == 60 + len(demo.DEMO_ACCOUNTS) == summary.residents + 6
    assert queries.transition_problems(demo_db, summary.cycle_id, Phase.VOTING, NOW) == ()
    assert audit.verify_chain(demo_db).ok


def test_demo_proposals_are_complete_co_authored_and_revised(
    demo_db: Session, loaded_demo: LoadedDemo
) -> None:
    summary = loaded_demo.summary
    listed = queries.list_proposals(demo_db, summary.cycle_id)
    categories = {c.id for c in queries.category_choices(demo_db, summary.cycle_id)}
    assert len(categories) == 6
    for proposal in listed:
        assert proposal.description.startswith("## Le constat")
        assert proposal.category_id in categories
        assert proposal.address
        assert proposal.lat_e6 is not None
        assert proposal.lon_e6 is not None
        # inside Paris (a rough box around the ring road)
        assert 48_810_000 < proposal.lat_e6 < 48_910_000
        assert 2_240_000 < proposal.lon_e6 < 2_430_000
    assert sum(p.estimated_cost is not None for p in listed) > len(listed) // 2
    coauthored = [p for p in listed if len(queries.authors_of(demo_db, p.id)) > 1]
    assert len(coauthored) >= 10
    revised = demo_db.exec(
        select(ProposalVersion.proposal_id).where(ProposalVersion.number == 2)
    ).all()
    assert len(revised) >= 10
    resident = queries.find_account(demo_db, "resident@demo.budget")
    assert resident is not None
    assert len(queries.pending_invitations(demo_db, resident.id)) == 1
    assert queries.own_proposals(demo_db, resident.id)


def test_demo_accounts_sign_in_with_their_printed_passwords(
    demo_db: Session, loaded_demo: LoadedDemo, hasher
) -> None:
    summary = loaded_demo.summary
    for account in summary.accounts:
        view = accounts.authenticate(
            demo_db, NOW, email=account.email, password=account.password,
            client_address="127.0.0.1", hasher=hasher, throttle_key=THROTTLE_KEY,
        )  # fmt: skip
        assert view is not None
        assert account.role in view.roles
        assert view.may_participate  # the demo's accounts are verified
    assert {a.role for a in summary.accounts} == set(Role)
    assert all(row.email_verified_at is not None for row in demo_db.exec(select(Account)).all())
    assert view is not None
    assert sessions.start_session(demo_db, NOW, account_id=view.id).token


def test_generated_residents_cannot_sign_in(db: Session, hasher) -> None:
    assert demo.load_demo(db, NOW, hasher, residents=3).residents == demo.MIN_RESIDENTS
    generated = [a for a in queries.list_accounts(db) if a.email.count(".") >= 2][:3]
    assert len(generated) == 3
    for account in generated:
        assert accounts.authenticate(
            db, NOW, email=account.email, password="any-password-123", client_address="10.0.0.1",
            hasher=hasher, throttle_key=THROTTLE_KEY,
        ) is None  # fmt: skip


def test_demo_is_reproducible(
    db: Session, demo_db: Session, loaded_demo: LoadedDemo, hasher
) -> None:
    def listed(session: Session, cycle_id: int) -> list[tuple[str, int | None, str]]:
        return [
            (p.title, p.final_cost, p.status) for p in queries.list_proposals(session, cycle_id)
        ]

    again = demo.load_demo(db, NOW, hasher, residents=DEMO_RESIDENTS, code_key=DEMO_CODE_KEY)
    assert listed(db, again.cycle_id) == listed(demo_db, loaded_demo.summary.cycle_id)


def test_demo_refuses_a_database_in_use(db: Session, hasher, council: int) -> None:
    with pytest.raises(DemoNotEmpty):
        demo.load_demo(db, NOW, hasher, residents=1)


def test_demo_has_declarations_and_a_roll_cycle_with_its_own_districts(
    demo_db: Session, loaded_demo: LoadedDemo
) -> None:
    summary = loaded_demo.summary
    resident = queries.find_account(demo_db, "resident@demo.budget")
    assert resident is not None
    declared = queries.account_entry(demo_db, summary.cycle_id, resident.id)
    assert declared is not None
    assert (declared.source, declared.voided_at) == ("declared", None)
    assert declared.district_id in {d.id for d in queries.list_districts(demo_db, summary.cycle_id)}
    [roll_cycle] = [c for c in queries.list_cycles(demo_db) if c.instance == "2028-roll"]
    view = queries.get_cycle(demo_db, roll_cycle.id)
    assert (view.eligibility_mode, view.min_age, view.proposers_must_be_eligible) == (
        "roll", 16, True,
    )  # fmt: skip
    copies = queries.list_districts(demo_db, roll_cycle.id)
    originals = queries.list_districts(demo_db, summary.cycle_id)
    assert [d.code for d in copies] == [d.code for d in originals]
    assert not {d.id for d in copies} & {d.id for d in originals}
    listing = queries.roll_page(demo_db, roll_cycle.id)
    assert (listing.total, listing.voided) == (400, 1)
    assert queries.roll_page(demo_db, summary.cycle_id).voided == 1  # a voided declaration


def test_demo_has_a_cycle_open_for_voting_with_every_ballot_type(
    demo_db: Session, loaded_demo: LoadedDemo
) -> None:
    from budget.domain.validation import Ballot
    from budget.services import voting
    from budget.services.voting import Channel, Voter
    from tests.services.voting_setup import KEYS

    voting_cycle = next(c for c in queries.list_cycles(demo_db) if c.phase is Phase.VOTING)
    cycle = queries.get_cycle(demo_db, voting_cycle.id)
    assert {b.ballot_type for b in cycle.budgets} == set(BallotType)
    assert {b.scope for b in cycle.budgets} == {"city", "district"}
    resident = queries.find_account(demo_db, "resident@demo.budget")
    assert resident is not None
    voter = queries.account_voter(demo_db, cycle.id, resident.id)
    assert voter is not None
    assert voter.entitled == {b.id for b in cycle.budgets}  # a district still to choose
    district = next(b for b in cycle.budgets if b.scope == "district")
    project = queries.frozen_budget(demo_db, district.id).rules.costs
    voting.cast_ballot(
        demo_db, NOW + timedelta(hours=1), keys=KEYS, voter=Voter(voter.entry_id, Channel.ACCOUNT),
        budget_id=district.id, ballot=Ballot((min(project),)), form_key=voting.new_form_key(),
    )  # fmt: skip
    after = queries.account_voter(demo_db, cycle.id, resident.id)
    assert after is not None
    assert after.chosen_district_id == district.district_id
    assert len(after.entitled) == len(cycle.budgets) - 1  # the other district is gone


def test_demo_prints_three_voting_codes_that_open_a_roll_cycle_in_voting(
    demo_db: Session, loaded_demo: LoadedDemo
) -> None:
    key = DEMO_CODE_KEY
    summary = loaded_demo.summary
    assert len(summary.voting_codes) == 3
    by_post = [
        c
        for c in queries.cycles_in_voting(demo_db)
        if queries.get_cycle(demo_db, c).instance == "2027-codes"
    ]
    assert len(by_post) == 1
    for code in summary.voting_codes:
        found = codes.entry_for_code(
            demo_db, NOW, cycle_id=by_post[0], typed=code, key=key, source="127.0.0.1"
        )
        assert isinstance(found, RollEntryView)
        assert queries.entry_voter(demo_db, found).entitled  # a city budget at least
    assert audit.verify_chain(demo_db).ok


def test_demo_district_outlines_hold_their_own_centre_and_no_other() -> None:
    from budget.domain import geo
    from budget.services import demo_outlines
    from budget.services.demo_data import CENTRES

    shapes = [geo.parse_boundary(demo_outlines.outline(k)) for k in range(len(CENTRES))]
    for k, (lat, lon) in enumerate(CENTRES):
        holding = [n for n, shape in enumerate(shapes) if shape.contains(lat, lon)]
        assert holding == [k]
