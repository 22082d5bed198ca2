"""Tie-breaking: an explicit chain of criteria, passed to every rule, never dict or sort order.

A chain such as `more-votes,lower-cost,lottery` orders projects that a rule finds equal. The
lottery is reproducible: the server commits to SHA-256(seed) when voting opens and reveals the
seed at the count; project p's lottery key is SHA-256(seed || 0x00 || UTF-8 id), smaller wins.
Every chain is completed by the source order (the order of the PROJECTS section of a Pabulib file,
which is the city's published ranking), so the order is always total and always documented.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from budget.tally.model import Election


class Criterion(StrEnum):
    MORE_VOTES = "more-votes"
    HIGHER_SCORE = "higher-score"
    LOWER_COST = "lower-cost"
    HIGHER_COST = "higher-cost"
    SOURCE_ORDER = "source-order"
    LOTTERY = "lottery"


class TieBreakError(ValueError):
    """A tie-break chain that cannot be used as written."""


def lottery_key(seed: bytes, project_id: str) -> bytes:
    """SHA-256(seed || 0x00 || UTF-8 project id); the smaller key wins the lottery."""
    return hashlib.sha256(seed + b"\x00" + project_id.encode("utf-8")).digest()


def seed_commitment(seed: bytes) -> str:
    """The hash published when voting opens, before the seed is revealed."""
    return hashlib.sha256(seed).hexdigest()


KeyPart = int | bytes


def _key_function(
    criterion: Criterion, election: Election, seed: bytes
) -> Callable[[str], KeyPart]:
    projects = election.project_by_id
    if criterion is Criterion.MORE_VOTES:
        return lambda p: -election.votes[p]
    if criterion is Criterion.HIGHER_SCORE:
        return lambda p: -election.scores[p]
    if criterion is Criterion.LOWER_COST:
        return lambda p: projects[p].cost
    if criterion is Criterion.HIGHER_COST:
        return lambda p: -projects[p].cost
    if criterion is Criterion.LOTTERY:
        return lambda p: lottery_key(seed, p)
    return lambda p: election.position[p]


@dataclass(frozen=True)
class TieBreak:
    """An ordered chain of criteria; the first that separates two projects decides."""

    criteria: tuple[Criterion, ...]
    seed: bytes | None = None

    def __post_init__(self) -> None:
        if len(set(self.criteria)) != len(self.criteria):
            raise TieBreakError("a criterion appears twice in the tie-break chain")
        if Criterion.LOTTERY in self.criteria and self.seed is None:
            raise TieBreakError("the lottery needs a seed")

    @classmethod
    def parse(cls, text: str, seed: bytes | None = None) -> TieBreak:
        """Read a comma-separated chain such as `more-votes,lower-cost,lottery`."""
        names = [part.strip() for part in text.split(",") if part.strip()]
        if not names:
            raise TieBreakError("the tie-break chain is empty")
        known = {c.value for c in Criterion}
        for name in names:
            if name not in known:
                raise TieBreakError(
                    f"unknown tie-break criterion {name!r} (known: {', '.join(sorted(known))})"
                )
        return cls(tuple(Criterion(n) for n in names), seed)

    def __str__(self) -> str:
        return ",".join(c.value for c in self.criteria)

    @property
    def complete_chain(self) -> tuple[Criterion, ...]:
        """The chain as applied: completed by the source order unless already total."""
        if Criterion.LOTTERY in self.criteria or Criterion.SOURCE_ORDER in self.criteria:
            return self.criteria
        return (*self.criteria, Criterion.SOURCE_ORDER)

    def keys(self, election: Election) -> Mapping[str, tuple[KeyPart, ...]]:
        """A sort key per project: sorting ascending puts the tie-break winner first."""
        # TieBreak refuses a lottery without a seed, so the empty seed is never used by one.
        seed = self.seed or b""
        functions = [_key_function(c, election, seed) for c in self.complete_chain]
        return {p.id: tuple(f(p.id) for f in functions) for p in election.projects}

    def deciding_criterion(self, election: Election, first: str, second: str) -> Criterion:
        """The criterion that put `first` ahead of `second` (for explanations)."""
        for criterion in self.complete_chain:
            key = _key_function(criterion, election, self.seed or b"")
            if key(first) != key(second):
                return criterion
        raise TieBreakError(f"projects {first!r} and {second!r} cannot be told apart")


def default_ties(family: str, seed: bytes | None = None) -> TieBreak:
    """Defaults of PRODUCT.md: greedy, Phragmen and max-utilitarian break ties by more votes, then
    lower cost; MES by lower cost, then more votes (equalshares.net). Then the lottery when a seed
    is given, else the source order."""
    last = Criterion.LOTTERY if seed is not None else Criterion.SOURCE_ORDER
    if family == "mes":
        return TieBreak((Criterion.LOWER_COST, Criterion.MORE_VOTES, last), seed)
    return TieBreak((Criterion.MORE_VOTES, Criterion.LOWER_COST, last), seed)
