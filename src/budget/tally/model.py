"""Elections and outcomes as frozen values: integer costs, integer utilities, exact figures.

An `Election` is what a count needs and nothing more: the projects in the source's order (for a
Pabulib file, the PROJECTS section, which is the city's published ranking), the budget, the vote
type and the ballots. Identical ballots are stored once with a multiplicity (`Ballot.count`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from itertools import chain, groupby
from operator import itemgetter


class VoteType(StrEnum):
    """Ballot kinds, named as Pabulib's `vote_type`."""

    APPROVAL = "approval"
    CHOOSE_ONE = "choose-1"
    CUMULATIVE = "cumulative"
    ORDINAL = "ordinal"
    SCORING = "scoring"

    @property
    def is_approval_like(self) -> bool:
        """Approval and choose-1: every chosen project has utility 1 (or its cost, for MES)."""
        return self in (VoteType.APPROVAL, VoteType.CHOOSE_ONE)


@dataclass(frozen=True, slots=True)
class Project:
    """A project on the ballot. `id` is kept exactly as the source writes it."""

    id: str
    cost: int
    name: str = ""
    categories: tuple[str, ...] = ()
    district: str | None = None

    def __post_init__(self) -> None:
        if self.cost <= 0:
            raise ValueError(f"project {self.id!r}: cost must be a positive integer")


@dataclass(frozen=True, slots=True)
class Ballot:
    """One ballot, or `count` identical ones.

    `projects` is in rank order for ordinal ballots (first = preferred) and in the voter's order
    otherwise; `points` runs alongside `projects` for cumulative and scoring ballots and is `None`
    for the others.
    """

    projects: tuple[str, ...]
    points: tuple[int, ...] | None = None
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("a ballot's multiplicity must be at least 1")
        if self.points is not None and len(self.points) != len(self.projects):
            raise ValueError("points must run alongside projects")


def ordinal_points(position: int, max_length: int) -> int:
    """Positional (truncated Borda) points of the project ranked `position` (0-based) when ballots
    rank at most `max_length` projects: the first gets `max_length`, the last possible 1."""
    return max(max_length - position, 0)


@dataclass(frozen=True)
class Election:
    """A budget, its projects and its ballots. Projects keep the source's order."""

    projects: tuple[Project, ...]
    budget: int
    vote_type: VoteType
    ballots: tuple[Ballot, ...]
    # Ordinal ballots: the longest allowed ranking, which fixes the positional points.
    max_length: int | None = None

    def __post_init__(self) -> None:
        if self.budget < 0:
            raise ValueError("the budget cannot be negative")
        ids = [p.id for p in self.projects]
        if len(set(ids)) != len(ids):
            raise ValueError("project ids must be unique")

    @cached_property
    def project_by_id(self) -> Mapping[str, Project]:
        return {p.id: p for p in self.projects}

    @cached_property
    def position(self) -> Mapping[str, int]:
        """Each project's 0-based position in the source order."""
        return {p.id: i for i, p in enumerate(self.projects)}

    @cached_property
    def num_voters(self) -> int:
        return sum(b.count for b in self.ballots)

    @cached_property
    def ranking_length(self) -> int:
        """k for positional points: `max_length` if set, else the longest ranking cast."""
        if self.max_length is not None:
            return self.max_length
        return max((len(b.projects) for b in self.ballots), default=0)

    def utilities(self, ballot: Ballot) -> Iterator[tuple[str, int]]:
        """(project id, utility) for each project the ballot gives a positive utility.

        Approval and choose-1: 1. Cumulative and scoring: the points. Ordinal: positional points
        (`ordinal_points`), as the `score` column of Pabulib's ordinal files shows.
        """
        if self.vote_type is VoteType.ORDINAL:
            k = self.ranking_length
            for position, project_id in enumerate(ballot.projects):
                points = ordinal_points(position, k)
                if points > 0:
                    yield project_id, points
        elif ballot.points is not None:
            for project_id, points in zip(ballot.projects, ballot.points, strict=True):
                if points > 0:
                    yield project_id, points
        else:
            for project_id in ballot.projects:
                yield project_id, 1

    @cached_property
    def votes(self) -> Mapping[str, int]:
        """Number of voters giving each project a positive utility (0 for unsupported ones)."""
        return self._totals[0]

    @cached_property
    def scores(self) -> Mapping[str, int]:
        """Total utility per project: votes, points or positional points."""
        return self._totals[1]

    @cached_property
    def _totals(self) -> tuple[dict[str, int], dict[str, int]]:
        """(votes, scores), as `utilities` defines them. The single ballots without points,
        nearly all of a real file's, are counted in C (`_counted_by_position`); the others
        ballot by ballot."""
        votes = dict.fromkeys(self.project_by_id, 0)
        scores = dict.fromkeys(self.project_by_id, 0)
        ordinal = self.vote_type is VoteType.ORDINAL
        positional = ordinal or self.vote_type.is_approval_like

        def single(ballot: Ballot) -> bool:
            return positional and ballot.count == 1 and (ordinal or ballot.points is None)

        singles = [b.projects for b in self.ballots if single(b)]
        for project_id, n, points in self._counted_by_position(singles):
            votes[project_id] += n
            scores[project_id] += points * n
        for ballot in self.ballots:
            if single(ballot):
                continue  # counted above
            for project_id, utility in self.utilities(ballot):
                votes[project_id] += ballot.count
                scores[project_id] += utility * ballot.count
        return votes, scores

    def _counted_by_position(
        self, singles: list[tuple[str, ...]]
    ) -> Iterator[tuple[str, int, int]]:
        """(project, voters, points each) over single ballots (`projects` of each) as
        `utilities` scores them: 1 per project on an approval-like ballot (one count over them
        all), positional points on an ordinal one (the ballots grouped by length, then counted
        a position at a time)."""
        if self.vote_type is not VoteType.ORDINAL:
            for project_id, n in Counter(chain.from_iterable(singles)).items():
                yield project_id, n, 1
            return
        k = self.ranking_length
        singles.sort(key=len)
        for length, group in groupby(singles, key=len):
            same = list(group)
            for position in range(min(length, k)):
                points = ordinal_points(position, k)
                for project_id, n in Counter(map(itemgetter(position), same)).items():
                    yield project_id, n, points

    def ineligible(self, project: Project) -> tuple[str, dict[str, Figure]] | None:
        """Why no rule may fund `project`, as an explanation code and its figures: no ballot
        supports it ("unsupported"), or it costs more than the whole budget ("over-budget");
        None when it may be funded. Every rule asks this one question."""
        if self.votes[project.id] == 0:
            return "unsupported", {"cost": project.cost}
        if project.cost > self.budget:
            return "over-budget", {"cost": project.cost, "budget": self.budget}
        return None

    def cost_of(self, project_ids: Iterator[str] | tuple[str, ...] | frozenset[str]) -> int:
        return sum(self.project_by_id[p].cost for p in project_ids)


Figure = int | Fraction | str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why one project was funded or not: a stable `code` and the figures its message uses.

    Codes and figures are data; `tally.explain` turns them into sentences, and the web layer into
    translated ones. Money figures are in the election's units, exact.
    """

    project_id: str
    funded: bool
    code: str
    figures: Mapping[str, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The result of one rule on one election.

    `funded` lists project ids in selection order; `explanations` has one entry per project in the
    election's order; `details` holds rule-wide figures (MES endowment, comparison counts...).
    `spent` never exceeds `budget`, except under `greedy-reserve`, which may fund one last project
    partly from a reserve outside the budget: then `details["reserve"]` is the amount the reserve
    paid, `spent == budget + reserve` and `remaining` is minus that amount.
    """

    rule: str
    budget: int
    funded: tuple[str, ...]
    spent: int
    explanations: tuple[Explanation, ...]
    details: Mapping[str, Figure] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return self.budget - self.spent

    def explanation_for(self, project_id: str) -> Explanation:
        for explanation in self.explanations:
            if explanation.project_id == project_id:
                return explanation
        raise KeyError(project_id)
