"""A read .pb file: its sections as text (`Table`) and the election they describe."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from budget.pabulib.options import MetaOptions
from budget.pabulib.syntax import section_rows
from budget.tally.model import Election
from budget.tally.options import Options


@dataclass(frozen=True)
class Table:
    """A section's header and rows, as text in file order."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def column(self, name: str) -> tuple[str, ...] | None:
        """The values of column `name`, or None when the table has no such column."""
        if name not in self.columns:
            return None
        index = self.columns.index(name)
        return tuple(row[index] for row in self.rows)


@dataclass(frozen=True)
class PabulibFile:
    """A read .pb file: its three sections as text, and the election they describe."""

    meta: Mapping[str, str]
    projects: Table
    election: Election
    scale: int  # amounts are integers of 1/scale currency units (scale = 10**decimals)
    source: str = field(default="", compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)
    meta_lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)  # the file as read

    @property
    def votes(self) -> Table:
        """The VOTES section as text, read again from the file on each call: reading keeps only
        the ballots, identical ones merged (a 50 MB file of votes is a few kilobytes of them)."""
        header, *rows = (fields for _, fields in section_rows(self.text, "VOTES"))
        return Table(tuple(header), tuple(tuple(row) for row in rows))

    @property
    def rule(self) -> str | None:
        """The META `rule` as written (`greedy`, `equalshares/add1`...), None if absent."""
        return self.meta.get("rule") or None

    @property
    def selected(self) -> tuple[str, ...] | None:
        """Projects the city funded (`selected` = 1) in file order; None without the column.

        Other non-zero values (2 and 3 in Gdynia and Poznan: funded from reserves or money added
        after the vote) are left out; `selected_with` includes them on request."""
        return self.selected_with("1")

    @property
    def selected_with_reserve(self) -> tuple[str, ...] | None:
        """Projects funded by the vote, including from a reserve (`selected` 1 or 2): the outcome
        of Poznan's `greedy-custom` rule (`greedy-reserve`), which marks with 2 the project its
        reserve funded. Value 3 (money added after the vote) stays out."""
        return self.selected_with("1", "2")

    def selected_with(self, *flags: str) -> tuple[str, ...] | None:
        """Projects whose `selected` value is one of `flags`, in file order; None without the
        column."""
        values = self.projects.column("selected")
        if values is None:
            return None
        projects = self.election.projects
        return tuple(p.id for p, value in zip(projects, values, strict=True) if value in flags)

    def options(self, *, family: str | None = None) -> Options:
        """Options from META: `min_project_score_threshold` (an absolute score) and our keys.

        Without `tie_break`, a `lottery_seed` ends the default chain of `family` ("greedy" or
        "mes"; greedy when not given). Without either, ties follow the PROJECTS section's order
        alone (`source-order`): every rule still compares its own key first (score for greedy,
        the price per utility for MES), and a Pabulib file lists its projects in the city's
        published ranking, so equal projects are placed as the city placed them. Breaking them
        by more votes or lower cost instead misses about ten corpus files whose cities ranked
        equal scores otherwise (shared/pabulib/README.md)."""
        return MetaOptions(self).build(family)
