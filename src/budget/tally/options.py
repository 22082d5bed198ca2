"""The options a rule is counted with, in one frozen value shared by every rule."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from budget.tally.ties import TieBreak


class Satisfaction(StrEnum):
    """MES utility for approval-like ballots: the project's cost (equalshares.net) or 1."""

    COST = "cost"
    CARDINALITY = "cardinality"


@dataclass(frozen=True)
class Options:
    """Everything a rule may read besides the election.

    - `ties`: the tie-break chain; `None` means the rule family's default (`ties.default_ties`).
    - `threshold`: greedy rules skip projects whose score is below it (absolute number).
    - `threshold_pct`: the same as a percentage of voters: kept iff 100 * score >= pct * n.
    - `exclusions`: sets of mutually incompatible projects; funding one excludes the others.
    - `satisfaction`: MES utility for approval and choose-1 ballots.
    - `step`: the add1 completion's increment of each voter's share, in the election's units
      (one currency unit: 1 for whole-unit Pabulib files, 100 for cents).
    - `reserve_pct`: `greedy-reserve` funds the project its walk stops at when what is left is
      at least this percentage of its cost (100 * remaining >= pct * cost); `None` means that
      rule's default, 80 (Poznan). Other rules ignore it.
    - `envelopes`: category envelopes inside the budget, (category, amount in the election's
      units) in counting order (`envelopes.count`); greedy and MES rules only.
    - `leftover_rule`: the rule counting what the envelopes leave; `None`: the same rule.
    """

    ties: TieBreak | None = None
    threshold: int | None = None
    threshold_pct: Fraction | None = None
    exclusions: tuple[frozenset[str], ...] = ()
    satisfaction: Satisfaction = Satisfaction.COST
    step: int = 1
    reserve_pct: Fraction | None = None
    envelopes: tuple[tuple[str, int], ...] = ()
    leftover_rule: str | None = None

    def __post_init__(self) -> None:
        if self.step < 1:
            raise ValueError("the add1 step must be a positive integer")
        if self.threshold is not None and self.threshold < 0:
            raise ValueError("the threshold cannot be negative")
        if self.threshold_pct is not None and not 0 <= self.threshold_pct <= 100:
            raise ValueError("the threshold percentage must lie between 0 and 100")
        if self.reserve_pct is not None and not 0 <= self.reserve_pct <= 100:
            raise ValueError("the reserve percentage must lie between 0 and 100")
        if any(amount <= 0 for _, amount in self.envelopes):
            raise ValueError("a category envelope must be a positive amount")
