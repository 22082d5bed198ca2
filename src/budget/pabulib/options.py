"""Counting options from a file's META (`PabulibFile.options`); a bad value names its line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from budget.pabulib.syntax import COUNT, PabulibError, parse_amount, scaled, split_list
from budget.tally.options import Options, Satisfaction
from budget.tally.ties import Criterion, TieBreak, default_ties

if TYPE_CHECKING:  # the file type holds an options() method built on this class
    from budget.pabulib.model import PabulibFile


class MetaOptions:
    """Options from a file's META; a bad value is an error naming its META line."""

    def __init__(self, file: PabulibFile) -> None:
        self.file = file
        self.meta = file.meta

    def fail(self, key: str, message: str) -> PabulibError:
        return PabulibError(f"{key}: {message}", self.file.meta_lines.get(key), self.file.source)

    def build(self, family: str | None) -> Options:
        try:
            return Options(
                ties=self.ties(family),
                threshold=self.whole("min_project_score_threshold"),
                exclusions=self.exclusions(),
                satisfaction=self.satisfaction(),
                step=self.step(),
            )
        except ValueError as error:  # Options' own checks (a zero add1 step)
            if isinstance(error, PabulibError):
                raise
            raise self.fail("add1_step", str(error)) from None

    def ties(self, family: str | None) -> TieBreak:
        seed = None
        if "lottery_seed" in self.meta:
            try:
                seed = bytes.fromhex(self.meta["lottery_seed"])
            except ValueError:
                raise self.fail("lottery_seed", "expected hexadecimal digits") from None
        if "tie_break" not in self.meta:
            if seed is None:
                return TieBreak((Criterion.SOURCE_ORDER,))
            return default_ties(family or "greedy", seed)
        try:
            return TieBreak.parse(self.meta["tie_break"], seed)
        except ValueError as error:
            raise self.fail("tie_break", str(error)) from None

    def whole(self, key: str) -> int | None:
        if key not in self.meta:
            return None
        if COUNT.fullmatch(self.meta[key]) is None:
            raise self.fail(key, f"expected a whole number, not {self.meta[key]!r}")
        return int(self.meta[key])

    def exclusions(self) -> tuple[frozenset[str], ...]:
        text = self.meta.get("exclusion_sets", "")
        sets = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            members = frozenset(split_list(part))
            unknown = sorted(members - set(self.file.election.project_by_id))
            if unknown:
                raise self.fail("exclusion_sets", f"unknown project {unknown[0]!r}")
            if len(members) < 2:
                raise self.fail("exclusion_sets", f"the set {part!r} needs two projects")
            sets.append(members)
        return tuple(sets)

    def satisfaction(self) -> Satisfaction:
        text = self.meta.get("mes_satisfaction", Satisfaction.COST.value)
        try:
            return Satisfaction(text)
        except ValueError:
            known = ", ".join(s.value for s in Satisfaction)
            raise self.fail("mes_satisfaction", f"{text!r} is not one of {known}") from None

    def step(self) -> int:
        """add1_step in the election's units: currency units times the file's scale."""
        if "add1_step" not in self.meta:
            return self.file.scale
        parts = parse_amount(self.meta["add1_step"])
        decimals = len(str(self.file.scale)) - 1
        if parts is None or len(parts[1]) > decimals:
            message = f"expected an amount with at most {decimals} decimals"
            raise self.fail("add1_step", message)
        return scaled(parts, decimals)
