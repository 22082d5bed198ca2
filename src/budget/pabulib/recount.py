"""A ballot box file counted into its results document, and a published document checked.

`recount` is the one count of a sealed box: the file read by `read`, its rule and options
resolved by `plan` (as `budget tally` resolves them), the outcome as plain JSON values. The
platform stores what it returns at the count (`results.json`); `budget verify` calls it again on
the published box and `first_mismatch` names the first difference from the published file.
Fractions are written "numerator/denominator", so the document is exact and byte-stable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from budget.pabulib.planning import plan
from budget.pabulib.reader import read
from budget.tally import ENGINE_VERSION, rules
from budget.tally.greedy import ExclusionError
from budget.tally.model import Election, Figure, Outcome
from budget.tally.phragmen import PhragmenError
from budget.tally.rules import RuleError
from budget.tally.ties import TieBreakError

FORMAT = "budget-results/1"
COMPARE_ERRORS = (RuleError, ExclusionError, PhragmenError, TieBreakError)
# Keys of the document that a recount from the box alone must reproduce, in checking order.
CHECKED = ("rule", "tie_break", "lottery_seed", "budget", "funded", "spent", "projects")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def figure(value: Figure) -> Any:
    """A figure as JSON: ints and strings as they are, Fractions "a/b", tuples as lists."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, tuple):
        return list(value)
    return value


def dumps(document: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a document: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def satisfied(election: Election, funded: Sequence[str]) -> int:
    """Voters with at least one funded project among the projects they gave a utility."""
    chosen = set(funded)
    return sum(
        b.count for b in election.ballots if any(p in chosen for p, _ in election.utilities(b))
    )


def _projects(election: Election, outcome: Outcome) -> list[dict[str, Any]]:
    rank = {p: i + 1 for i, p in enumerate(outcome.funded)}
    return [
        {
            "id": e.project_id, "name": election.project_by_id[e.project_id].name,
            "cost": election.project_by_id[e.project_id].cost,
            "votes": election.votes[e.project_id], "score": election.scores[e.project_id],
            "funded": e.funded, "rank": rank.get(e.project_id), "code": e.code,
            "figures": {k: figure(v) for k, v in sorted(e.figures.items())},
        }
        for e in outcome.explanations
    ]  # fmt: skip


def recount(text: str) -> dict[str, Any]:
    """The results document of a box: the locked rule's outcome with every explanation, the
    voters it satisfies and the box's own SHA-256. Raises PabulibError or RuleError."""
    parsed = read(text, source="box", strict=True)
    counting = plan(parsed)
    outcome = counting.count(parsed.election)
    election = parsed.election
    return {
        "format": FORMAT,
        "engine_version": ENGINE_VERSION,
        "box": {"sha256": sha256(text.encode())},
        "rule": counting.rule.name,
        "tie_break": str(counting.options.ties),
        "lottery_seed": parsed.meta.get("lottery_seed"),
        "currency": parsed.meta.get("currency"),
        "scale": parsed.scale,
        "budget": outcome.budget,
        "spent": outcome.spent,
        "funded": list(outcome.funded),
        "voters": election.num_voters,
        "satisfied": satisfied(election, outcome.funded),
        "projects": _projects(election, outcome),
        "details": {k: figure(v) for k, v in sorted(outcome.details.items())},
    }


def compare(text: str) -> list[dict[str, Any]]:
    """The box under every other rule accepting its ballots, for information: funded set,
    money spent and voters satisfied. A rule the box's options cannot run is left out."""
    parsed = read(text, source="box", strict=True)
    locked = plan(parsed).rule.name
    election = parsed.election
    rows = []
    for name, rule in rules.RULES.items():
        if name == locked or not rule.accepts(election.vote_type):
            continue
        try:
            outcome = plan(parsed, rule=name).count(election)
        except COMPARE_ERRORS:
            continue
        rows.append(
            {"rule": name, "funded": list(outcome.funded), "spent": outcome.spent,
             "satisfied": satisfied(election, outcome.funded)}
        )  # fmt: skip
    return rows


def first_mismatch(box: bytes, published: Mapping[str, Any]) -> str | None:
    """The first difference between the published document and a recount of the box, in
    words, or None when they agree: the box's SHA-256 first, then `CHECKED` in order."""
    digest = sha256(box)
    box_stated = (published.get("box") or {}).get("sha256")
    if digest != box_stated:
        return f"the box's SHA-256 is {digest}, the results file states {box_stated}"
    again = recount(box.decode("utf-8"))
    for key in CHECKED:
        if key == "projects":
            return _project_mismatch(again["projects"], published.get("projects"))
        stated = published.get(key)
        if again[key] != stated:
            return f"{key}: the recount gives {again[key]!r}, the results file {stated!r}"
    return None  # pragma: no cover - "projects" is the last key checked


def _project_mismatch(recounted: list[dict[str, Any]], stated: object) -> str | None:
    if not isinstance(stated, list) or len(stated) != len(recounted):
        return "projects: the results file does not list the box's projects"
    for mine, theirs in zip(recounted, stated, strict=True):
        if mine != theirs:
            return f"project {mine['id']}: the recount gives {mine!r}, the results file {theirs!r}"
    return None
