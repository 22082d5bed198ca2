from __future__ import annotations

import hashlib

import pytest

from budget.tally.model import Ballot, Election, Project, VoteType
from budget.tally.ties import (
    Criterion,
    TieBreak,
    TieBreakError,
    default_ties,
    lottery_key,
    seed_commitment,
)

ELECTION = Election(
    (Project("p1", 30), Project("p2", 10), Project("p3", 10)),
    100,
    VoteType.APPROVAL,
    (Ballot(("p1", "p2", "p3"), count=2), Ballot(("p3",))),
)


def order(ties: TieBreak) -> list[str]:
    keys = ties.keys(ELECTION)
    return sorted(keys, key=keys.__getitem__)


def test_chain_applies_criteria_in_turn_then_source_order() -> None:
    assert order(TieBreak.parse("lower-cost")) == ["p2", "p3", "p1"]
    assert order(TieBreak.parse("lower-cost,more-votes")) == ["p3", "p2", "p1"]
    assert order(TieBreak.parse("higher-cost")) == ["p1", "p2", "p3"]
    assert order(TieBreak.parse("higher-score,source-order")) == ["p3", "p1", "p2"]
    assert str(TieBreak.parse(" more-votes , lower-cost ")) == "more-votes,lower-cost"


def test_lottery_key_is_published_formula() -> None:
    seed = b"s" * 32
    assert lottery_key(seed, "p1") == hashlib.sha256(seed + b"\x00p1").digest()
    assert seed_commitment(seed) == hashlib.sha256(seed).hexdigest()
    ties = TieBreak.parse("lottery", seed)
    assert order(ties) == sorted(["p1", "p2", "p3"], key=lambda p: lottery_key(seed, p))


def test_deciding_criterion_names_the_first_that_separates() -> None:
    ties = TieBreak.parse("more-votes,lower-cost")
    assert ties.deciding_criterion(ELECTION, "p2", "p1") is Criterion.LOWER_COST
    assert ties.deciding_criterion(ELECTION, "p3", "p2") is Criterion.MORE_VOTES
    assert TieBreak.parse("lower-cost").deciding_criterion(ELECTION, "p2", "p3") is (
        Criterion.SOURCE_ORDER
    )
    with pytest.raises(TieBreakError):
        ties.deciding_criterion(ELECTION, "p1", "p1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("more-votes,coin", "unknown"),
        ("lottery", "seed"),
        ("lower-cost," * 2, "twice"),
    ],
)
def test_bad_chains_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(TieBreakError, match=message):
        TieBreak.parse(text)


def test_defaults_follow_product_rules() -> None:
    assert str(default_ties("greedy")) == "more-votes,lower-cost,source-order"
    assert str(default_ties("mes", b"x")) == "lower-cost,more-votes,lottery"
