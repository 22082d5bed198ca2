"""Counting options from a file's META (`PabulibFile.options`); a bad value names its line.

Pabulib's keys: `min_project_score_threshold`. Ours: `tie_break`, `lottery_seed`,
`exclusion_sets`, `mes_satisfaction`, `add1_step`, `threshold_pct` (greedy rules skip projects
supported by fewer than this percentage of voters) and `reserve_pct` (greedy-reserve's share of
the next project's cost that what is left must reach; Poznan's 80).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

from budget.pabulib.syntax import (
    COUNT,
    PabulibError,
    count_problem,
    parse_amount,
    scaled,
    shown,
    split_list,
)
from budget.tally.options import Options, Satisfaction
from budget.tally.ties import Criterion, TieBreak, default_ties

PERCENTAGE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,6})?")

if TYPE_CHECKING:  # the file type holds an options() method built on this class
    from budget.pabulib.model import PabulibFile


class MetaOptions:
    """Options from a file's META; a bad value is an error naming its META line, or, for a key
    in `given` (set from outside the file), the name the caller gave it (`--seed`)."""

    def __init__(self, file: PabulibFile, given: Mapping[str, str] | None = None) -> None:
        self.file = file
        self.meta = file.meta
        self.given = given or {}

    def fail(self, key: str, message: str) -> PabulibError:
        if key in self.given:
            return PabulibError(f"{self.given[key]}: {message}")
        return PabulibError(f"{key}: {message}", self.file.meta_lines.get(key), self.file.source)

    def build(self, family: str | None) -> Options:
        try:
            return Options(
                ties=self.ties(family),
                threshold=self.whole("min_project_score_threshold"),
                threshold_pct=self.percentage("threshold_pct"),
                exclusions=self.exclusions(),
                satisfaction=self.satisfaction(),
                step=self.step(),
                reserve_pct=self.percentage("reserve_pct"),
                envelopes=self.envelopes(),
                leftover_rule=self.meta.get("envelope_leftover_rule") or None,
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
            raise self.fail(key, f"{count_problem(self.meta[key])}, not {shown(self.meta[key])}")
        return int(self.meta[key])

    def percentage(self, key: str) -> Fraction | None:
        """A percentage written as a decimal (`80`, `12.5`), read exactly."""
        if key not in self.meta:
            return None
        text = self.meta[key]
        if PERCENTAGE.fullmatch(text) is None or Fraction(text) > 100:
            raise self.fail(
                key, f"expected a percentage from 0 to 100 such as 80 or 12.5, not {text!r}"
            )
        return Fraction(text)

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

    def envelopes(self) -> tuple[tuple[str, int], ...]:
        """`category_envelopes`: `category:amount` pairs separated by `;`, amounts in currency
        units (decimals up to the file's), in the election's units."""
        text = self.meta.get("category_envelopes", "")
        pairs = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            category, colon, amount = part.rpartition(":")
            parts = parse_amount(amount.strip())
            if not colon or not category.strip() or parts is None or len(parts[1]) > self.decimals:
                message = (
                    f"expected category:amount pairs such as Green:40000000, not {shown(part)}"
                )
                raise self.fail("category_envelopes", message)
            amount_units = scaled(parts, self.decimals)
            if amount_units == 0:
                raise self.fail("category_envelopes", f"the envelope of {category!r} is zero")
            pairs.append((category.strip(), amount_units))
        return tuple(pairs)

    @property
    def decimals(self) -> int:
        return len(str(self.file.scale)) - 1

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
