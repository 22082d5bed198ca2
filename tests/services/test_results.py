"""Close, count, compare, amend, certify and publish through the services, on both backends."""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from budget.db import queries
from budget.db.tables import (
    AuditLog,
    Ballot,
    BallotLink,
    BudgetCount,
    ClosedBox,
    Proposal,
    RuleComparison,
)
from budget.domain.ballots import BallotType
from budget.domain.cycle import Phase
from budget.domain.errors import (
    AlreadyCertified,
    AlreadyPublished,
    AmendmentPointless,
    BudgetError,
    CertificationMismatch,
    NotCertified,
    NotClosed,
    NotCounted,
    NotOnBallot,
    PermissionDenied,
    SameCertifier,
    TransitionRefused,
    VotingClosed,
    WrongPassword,
)
from budget.domain.polling import PaperKind
from budget.domain.proposals import ProposalStatus
from budget.domain.validation import Ballot as Marks
from budget.pabulib import recount
from budget.services import closing, cycles, polling, results, voting
from budget.services.polling import Reading
from budget.services.results import Confirmation
from budget.services.voting import Channel, Voter
from tests.services.conftest import resident
from tests.services.polling_setup import polling_place
from tests.services.results_setup import AFTER, Voted, close, marks_for, vote
from tests.services.voting_setup import DURING, KEYS, enrol, open_cycle

COUNCIL_PASSWORD = "council-password-1"


@pytest.fixture
def voted(db: Session, council: int, hasher) -> Voted:
    return vote(db, council, hasher)


@pytest.fixture
def closed(db: Session, voted: Voted) -> Voted:
    close(db, voted)
    return voted


def refused(db: Session, statement: str, **params: object) -> None:
    """The raw statement is refused by the database (a trigger), inside a savepoint."""
    with pytest.raises(DBAPIError), db.begin_nested():
        db.connection().execute(text(statement), params)


def confirmation(db: Session, budget_id: int) -> Confirmation:
    view = queries.budget_results(db, budget_id)
    assert view is not None
    return Confirmation(
        fingerprint=view.box_sha256, rule=view.document["rule"],
        winners=tuple(results.winners(db, budget_id)), spent=view.document["spent"],
    )  # fmt: skip


def certify(db, hasher, budget_id: int, actor: int, password: str = COUNCIL_PASSWORD) -> bool:
    return results.certify(
        db, AFTER, actor_id=actor, budget_id=budget_id, password=password,
        confirmation=confirmation(db, budget_id), hasher=hasher,
    )  # fmt: skip


def second_password(voted: Voted) -> str:
    return "second2027-password-123"


# -- close -----------------------------------------------------------------------------------


def test_closing_seals_each_box_with_its_fingerprint_counts_and_audit_entry(db, closed):
    opened = closed.opened
    assert queries.get_cycle(db, opened.cycle_id).phase is Phase.CLOSED
    entries = {e.object: json.loads(e.details) for e in db.exec(select(AuditLog)).all()
               if e.action == "results.close"}  # fmt: skip
    for budget_id in opened.budgets.values():
        box = db.get(ClosedBox, budget_id)
        assert box is not None
        assert box.sha256 == hashlib.sha256(box.box).hexdigest()
        assert (box.valid_online, box.blank_online, box.valid_paper) == (5, 0, 0)
        assert entries[f"budget:{budget_id}"]["sha256"] == box.sha256
        text_box = box.box.decode()
        assert "voter_id;vote" in text_box
        assert "lottery_seed;" in text_box
        assert "rule;greedy" in text_box
    assert db.exec(select(BallotLink)).first() is None


def test_box_lists_pseudonymous_voters_in_canonical_order_with_no_attribute(db, closed):
    budget_id = closed.opened.budgets[BallotType.APPROVAL]
    box = db.get(ClosedBox, budget_id)
    assert box is not None
    votes = box.box.decode().split("VOTES\n", 1)[1].splitlines()
    assert votes[0] == "voter_id;vote"
    assert [row.split(";")[0] for row in votes[1:]] == [str(n) for n in range(1, 6)]
    assert len(votes) == 6  # five voters, pseudonymous 1..5, only their votes


def test_ballots_are_refused_from_the_end_of_voting_even_before_closing(db, voted):
    opened = voted.opened
    kind = BallotType.APPROVAL
    late = enrol(db, opened.cycle_id)
    with pytest.raises(VotingClosed):
        voting.cast_ballot(
            db, AFTER, keys=KEYS, voter=Voter(late, Channel.CODE, None),
            budget_id=opened.budgets[kind],
            ballot=marks_for(kind, opened.projects[opened.budgets[kind]], 0),
            form_key=voting.new_form_key(),
        )  # fmt: skip


def test_closing_before_the_end_is_refused_and_writes_nothing(db, voted):
    from tests.services.voting_setup import DURING

    with pytest.raises(TransitionRefused) as caught:
        cycles.advance_phase(
            db, DURING, actor_id=voted.opened.council, cycle_id=voted.opened.cycle_id,
            target=Phase.CLOSED,
        )  # fmt: skip
    reasons = caught.value.params["reasons"]
    assert isinstance(reasons, tuple)
    assert [r.code for r in reasons] == ["cycle.voting-not-ended"]
    assert db.exec(select(ClosedBox)).first() is None
    assert closing.close_blockers(db, voted.opened.cycle_id, AFTER) == []


def test_frozen_ballots_refuse_raw_update_delete_and_insert_after_close(db, closed):
    budget_id = closed.opened.budgets[BallotType.APPROVAL]
    row = db.exec(select(Ballot).where(Ballot.budget_id == budget_id)).first()
    assert row is not None
    refused(db, "UPDATE ballot SET choices = '[]' WHERE id = :id", id=row.id)
    refused(db, "DELETE FROM ballot WHERE id = :id", id=row.id)
    refused(db, "UPDATE closed_box SET sha256 = 'x' WHERE budget_id = :b", b=budget_id)
    refused(db, "DELETE FROM closed_box WHERE budget_id = :b", b=budget_id)
    refused(
        db, "INSERT INTO ballot (id, budget_id, choices, receipt_hash, channel) "
        "VALUES ('f', :b, '[]', :r, 'online')", b=budget_id, r=row.receipt_hash,
    )  # fmt: skip


# -- count and compare -----------------------------------------------------------------------


def test_count_is_council_only_and_needs_a_closed_box(db, voted, hasher):
    budget_id = voted.opened.budgets[BallotType.APPROVAL]
    someone = resident(db, hasher, name="bob")
    with pytest.raises(NotClosed):
        results.count_budget(db, AFTER, actor_id=voted.opened.council, budget_id=budget_id)
    close(db, voted)
    with pytest.raises(PermissionDenied):
        results.count_budget(db, AFTER, actor_id=someone, budget_id=budget_id)
    assert db.get(BudgetCount, budget_id) is None


@pytest.mark.parametrize("kind", list(BallotType))
def test_count_stores_the_locked_rules_outcome_byte_identical_on_recount(db, closed, kind):
    council = closed.opened.council
    budget_id = closed.opened.budgets[kind]
    digest = results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id)
    stored = db.get(BudgetCount, budget_id)
    assert stored is not None
    assert stored.sha256 == digest == hashlib.sha256(stored.result).hexdigest()
    box = db.get(ClosedBox, budget_id)
    assert box is not None
    assert results.result_document(box) == stored.result  # a second count, the same bytes
    assert results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id) == digest
    document = json.loads(stored.result)
    assert document["rule"] == stored.rule == "greedy"
    assert document["box"]["sha256"] == box.sha256
    assert stored.engine_version.startswith("budget.tally ")
    assert document["funded"]  # every budget funds something from these ballots
    assert document["spent"] <= document["budget"] == 1000_00
    assert document["ballots"] == 5
    assert document["turnout"]["valid"] == {"online": None, "paper": None}  # fewer than 10


def test_permuting_the_ballots_changes_nothing(db, closed):
    budget_id = closed.opened.budgets[BallotType.CUMULATIVE]
    box = db.get(ClosedBox, budget_id)
    assert box is not None
    head, votes = box.box.decode().split("VOTES\n", 1)
    header, *rows = votes.splitlines()
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    permuted = head + "VOTES\n" + "\n".join([header, *shuffled]) + "\n"
    first, second = recount.recount(box.box.decode()), recount.recount(permuted)
    for key in recount.CHECKED:
        assert first[key] == second[key]


def test_comparison_lists_every_other_accepting_rule(db, closed):
    budget_id = closed.opened.budgets[BallotType.APPROVAL]
    results.count_budget(db, AFTER, actor_id=closed.opened.council, budget_id=budget_id)
    rules = {r.rule for r in db.exec(select(RuleComparison)).all()}
    assert "greedy" not in rules
    assert {"mes", "phragmen", "max-utilitarian", "greedy-no-skip"} <= rules
    ranked = closed.opened.budgets[BallotType.RANKED]
    results.count_budget(db, AFTER, actor_id=closed.opened.council, budget_id=ranked)
    view = queries.budget_results(db, ranked)
    assert view is not None
    assert "phragmen" not in {c.rule for c in view.comparisons}  # approval-type ballots only


# -- amend -----------------------------------------------------------------------------------


def test_amendment_needs_a_count_a_reason_and_a_real_change(db, closed):
    council = closed.opened.council
    budget_id = closed.opened.budgets[BallotType.APPROVAL]
    projects = closed.opened.projects[budget_id]
    with pytest.raises(NotCounted):
        results.amend(db, AFTER, actor_id=council, budget_id=budget_id, proposal_id=projects[0],
                      funded=False, reason="Site unavailable.")  # fmt: skip
    results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id)
    computed = results.winners(db, budget_id)
    with pytest.raises(AmendmentPointless):
        results.amend(db, AFTER, actor_id=council, budget_id=budget_id, proposal_id=computed[0],
                      funded=True, reason="Already funded.")  # fmt: skip
    with pytest.raises(NotOnBallot):
        results.amend(db, AFTER, actor_id=council, budget_id=budget_id, proposal_id=999_999,
                      funded=True, reason="Not here.")  # fmt: skip
    with pytest.raises(BudgetError, match="required"):
        results.amend(db, AFTER, actor_id=council, budget_id=budget_id,
                      proposal_id=computed[0], funded=False, reason="   ")  # fmt: skip
    results.amend(db, AFTER, actor_id=council, budget_id=budget_id, proposal_id=computed[0],
                  funded=False, reason="The site was sold after the vote.")  # fmt: skip
    assert results.winners(db, budget_id) == computed[1:]
    view = queries.budget_results(db, budget_id)
    assert view is not None
    assert view.document["funded"] == [str(p) for p in computed]  # the computed outcome stays
    assert view.amendments[0].reason == "The site was sold after the vote."


# -- certify ---------------------------------------------------------------------------------


def test_certificate_needs_two_distinct_council_members_with_their_passwords(db, closed, hasher):
    council, second = closed.opened.council, closed.second
    budget_id = closed.opened.budgets[BallotType.APPROVAL]
    results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id)
    with pytest.raises(WrongPassword):
        certify(db, hasher, budget_id, council, password="not-my-password")
    wrong = confirmation(db, budget_id)
    with pytest.raises(CertificationMismatch):
        results.certify(
            db, AFTER, actor_id=council, budget_id=budget_id, password=COUNCIL_PASSWORD,
            confirmation=Confirmation(wrong.fingerprint, wrong.rule, wrong.winners,
                                      wrong.spent + 1), hasher=hasher,
        )  # fmt: skip
    assert certify(db, hasher, budget_id, council) is False
    with pytest.raises(SameCertifier):
        certify(db, hasher, budget_id, council)
    head = queries.audit_head(db)
    assert certify(db, hasher, budget_id, second, password=second_password(closed)) is True
    view = queries.budget_results(db, budget_id)
    assert view is not None
    assert view.certificate is not None
    assert view.certificate.first_member == "Camille"
    assert view.certificate.second_member == "Second2027"
    assert view.certificate.box_sha256 == view.box_sha256
    assert view.certificate.result_sha256 == view.result_sha256
    assert view.certificate.audit_head != head  # the head includes the second confirmation


def test_after_certification_counts_and_certificates_refuse_every_write(db, closed, hasher):
    council, second = closed.opened.council, closed.second
    budget_id = closed.opened.budgets[BallotType.APPROVAL]
    results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id)
    certify(db, hasher, budget_id, council)
    certify(db, hasher, budget_id, second, password=second_password(closed))
    with pytest.raises(AlreadyCertified):
        results.amend(db, AFTER, actor_id=council, budget_id=budget_id,
                      proposal_id=closed.opened.projects[budget_id][0], funded=False,
                      reason="Too late.")  # fmt: skip
    refused(db, "UPDATE budget_count SET sha256 = 'x' WHERE budget_id = :b", b=budget_id)
    refused(db, "DELETE FROM budget_count WHERE budget_id = :b", b=budget_id)
    refused(db, "UPDATE rule_comparison SET spent = 0 WHERE budget_id = :b", b=budget_id)
    refused(db, "UPDATE certificate SET audit_head = 'x' WHERE budget_id = :b", b=budget_id)
    refused(db, "DELETE FROM certificate WHERE budget_id = :b", b=budget_id)
    refused(db, "DELETE FROM certification WHERE budget_id = :b", b=budget_id)


# -- publish ---------------------------------------------------------------------------------


def certify_all(db, closed: Voted, hasher) -> None:
    council, second = closed.opened.council, closed.second
    for budget_id in closed.opened.budgets.values():
        results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id)
        certify(db, hasher, budget_id, council)
        certify(db, hasher, budget_id, second, password=second_password(closed))


def test_publishing_needs_a_certified_cycle_then_marks_every_proposal(db, closed, hasher):
    council, cycle_id = closed.opened.council, closed.opened.cycle_id
    with pytest.raises(NotCertified):  # closed, not certified: the refusal says which
        results.publish_cycle(db, AFTER, actor_id=council, cycle_id=cycle_id)
    certify_all(db, closed, hasher)
    cycles.advance_phase(db, AFTER, actor_id=council, cycle_id=cycle_id, target=Phase.CERTIFIED)
    budget_id = closed.opened.budgets[BallotType.APPROVAL]
    assert not queries.is_published(db, budget_id)
    results.publish_cycle(db, AFTER, actor_id=council, cycle_id=cycle_id)
    assert queries.is_published(db, budget_id)
    with pytest.raises(AlreadyPublished):
        results.publish_cycle(db, AFTER, actor_id=council, cycle_id=cycle_id)
    for budget, projects in closed.opened.projects.items():
        won = set(results.winners(db, budget))
        for proposal_id in projects:
            row = db.get(Proposal, proposal_id)
            assert row is not None
            expected = ProposalStatus.FUNDED if proposal_id in won else ProposalStatus.NOT_FUNDED
            assert row.status == expected
    cycles.advance_phase(
        db, AFTER, actor_id=council, cycle_id=cycle_id, target=Phase.IMPLEMENTATION
    )


def test_the_cycle_cannot_be_certified_with_one_confirmation(db, closed, hasher):
    council = closed.opened.council
    for budget_id in closed.opened.budgets.values():
        results.count_budget(db, AFTER, actor_id=council, budget_id=budget_id)
        certify(db, hasher, budget_id, council)
    with pytest.raises(TransitionRefused):
        cycles.advance_phase(
            db, AFTER, actor_id=council, cycle_id=closed.opened.cycle_id, target=Phase.CERTIFIED
        )


def test_a_budget_s_category_envelopes_reach_its_box_and_its_count(db, voted):
    """The rule option the budget form sets (domain.ballots.ENVELOPES) is written into the box's
    META, which the count reads back through pabulib's plan: each pass is named."""
    from budget.db.tables import Category, FrozenBudget, Proposal

    budget_id = voted.opened.budgets[BallotType.APPROVAL]
    first = voted.opened.projects[budget_id][0]
    category = Category(
        cycle_id=voted.opened.cycle_id, code="green", name_fr="Vert", name_en="Green"
    )
    db.add(category)
    db.flush()
    proposal = db.get(Proposal, first)
    frozen = db.get(FrozenBudget, budget_id)
    assert proposal is not None
    assert frozen is not None
    proposal.category_id = category.id
    frozen.rule_options = json.dumps({"category_envelopes": [["green", 400_00]]})  # its cost
    db.add_all([proposal, frozen])
    close(db, voted)
    box = db.get(ClosedBox, budget_id)
    assert box is not None
    assert "category_envelopes;green:400.00" in box.box.decode()
    results.count_budget(db, AFTER, actor_id=voted.opened.council, budget_id=budget_id)
    stored = db.get(BudgetCount, budget_id)
    assert stored is not None
    projects = json.loads(stored.result)["projects"]
    passes = {str(p.get("figures", {}).get("pass")) for p in projects}
    assert "green" in passes, stored.result[:600]


@pytest.mark.threat("T9")
def test_paper_blank_and_invalid_ballots_are_counted_at_close_and_published_suppressed(
    db, council, hasher
):
    opened = open_cycle(db, council, hasher, instance="2031")
    place = polling_place(db, opened, hasher)
    picks = ["blank", "invalid-over-limit", "invalid-unreadable"] + ["choices"] * 12
    entries = [*opened.entries, *(enrol(db, opened.cycle_id) for _ in range(len(picks) - 3))]
    for entry in entries:
        polling.check_in(
            db, DURING, officer_id=place.officers[0], place_id=place.place_id, entry_id=entry,
            budget_ids=[place.budget],
        )  # fmt: skip
    projects = opened.projects[place.budget]
    readings = {
        n: Reading(PaperKind(pick), Marks(projects[:1]) if pick == "choices" else Marks(()))
        for n, pick in enumerate(picks, start=1)
    }
    batch = polling.open_batch(
        db, DURING, officer_id=place.officers[0], place_id=place.place_id,
        budget_id=place.budget, size=len(picks),
    )  # fmt: skip
    for officer in place.officers:
        polling.enter_batch(db, DURING, officer_id=officer, batch_id=batch, readings=readings)
    cycles.advance_phase(db, AFTER, actor_id=council, cycle_id=opened.cycle_id,
                         target=Phase.CLOSED)  # fmt: skip
    box = db.get(ClosedBox, place.budget)
    assert box is not None
    assert (box.valid_paper, box.blank_paper, box.invalid_paper) == (12, 1, 2)
    assert queries.closed_box(db, place.budget).invalid == 2  # type: ignore[union-attr]
    entry = next(
        e
        for e in db.exec(select(AuditLog)).all()
        if e.action == "results.close" and e.object == f"budget:{place.budget}"
    )
    assert json.loads(entry.details)["invalid"] == {"online": 0, "paper": 2}  # fmt: skip
    results.count_budget(db, AFTER, actor_id=council, budget_id=place.budget)
    document = json.loads(db.get(BudgetCount, place.budget).result)
    assert document["ballots"] == 15
    # 1 blank and 2 invalid on paper: fewer than 10, hidden together; the 12 valid stand alone.
    assert document["turnout"] == {
        "valid": {"online": None, "paper": None},  # 0 online would give 12 on paper away
        "blank": {"online": 0, "paper": None},
        "invalid": {"online": 0, "paper": None},
    }
