"""The results page's view model, from the stored results document (queries.ResultsView): the
same figures the downloads and the API carry, arranged for reading, with every breakdown passed
through the one suppression rule (domain/results.py) and the charts' geometry computed here so
the SVG is rendered on the server (the numbers are also in a table)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from budget.db.queries import CategoryName, ResultsView
from budget.domain.results import shows_breakdowns, suppress
from budget.services.results import winners
from budget.tally.explain import render
from budget.tally.model import Explanation, Figure

CHART_WIDTH: Final = 320  # px of the longest bar; the drawings are 640 wide for the labels after it
_FRACTION = re.compile(r"^-?\d+/\d+$")


@dataclass(frozen=True)
class ProjectRow:
    id: str
    name: str
    cost: int
    votes: int
    score: int
    funded: bool
    rank: int | None
    code: str
    sentence: str  # the tally's sentence with its figures (English: projects.csv, the API)
    bar: int  # chart bar length in px
    explanation: Explanation  # code and exact figures, for the sentence in the reader's language


@dataclass(frozen=True)
class ComparisonRow:
    rule: str
    funded: tuple[str, ...]
    spent: int
    satisfied: int
    satisfied_pct: str
    added: tuple[str, ...]  # funded under this rule, not under the locked one
    removed: tuple[str, ...]


@dataclass(frozen=True)
class SpendingRow:
    """Money the funded projects of one category take (a category without name: none)."""

    name_fr: str
    name_en: str
    funded: int  # projects funded
    amount: int  # minor units
    bar: int  # chart bar length in px


@dataclass(frozen=True)
class ResultsPage:
    results: ResultsView
    document: Mapping[str, Any]
    projects: tuple[ProjectRow, ...]
    funded: tuple[ProjectRow, ...]
    comparisons: tuple[ComparisonRow, ...]
    turnout: Mapping[str, Mapping[str, int | None]]  # valid|blank|invalid -> channel -> n,
    # suppressed when counted (services.results.result_document)
    breakdowns: bool  # False: fewer than 10 ballots, winners only
    remaining: int
    satisfied_pct: str
    districts: Mapping[str, int | None]  # voters per district name, suppressed ("": none)
    district_bars: Mapping[str, int]  # chart bar length in px of each shown district
    spending: tuple[SpendingRow, ...]  # by category, largest first (costs of the winners)


def _figure(value: Any) -> Figure:
    if isinstance(value, str) and _FRACTION.match(value):
        numerator, denominator = value.split("/")
        return Fraction(int(numerator), int(denominator))
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return value  # type: ignore[no-any-return] # ints and strings as the document holds them


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "0.0"


def _projects(document: Mapping[str, Any]) -> tuple[ProjectRow, ...]:
    scale = int(document.get("scale", 1))
    top = max((p["votes"] for p in document["projects"]), default=0) or 1
    rows = []
    for p in document["projects"]:
        figures = {k: _figure(v) for k, v in p["figures"].items()}
        explanation = Explanation(p["id"], p["funded"], p["code"], figures)
        sentence = render(explanation, scale)
        rows.append(
            ProjectRow(
                p["id"], p["name"], p["cost"], p["votes"], p["score"], p["funded"], p["rank"],
                p["code"], sentence, round(CHART_WIDTH * p["votes"] / top), explanation,
            )
        )  # fmt: skip
    return tuple(rows)


def _comparisons(view: ResultsView, voters: int) -> tuple[ComparisonRow, ...]:
    locked = set(view.document["funded"])
    return tuple(
        ComparisonRow(
            c.rule, c.funded, c.spent, c.satisfied, _pct(c.satisfied, voters),
            tuple(p for p in c.funded if p not in locked),
            tuple(p for p in view.document["funded"] if p not in set(c.funded)),
        )
        for c in view.comparisons
    )  # fmt: skip


def _spending(
    funded: tuple[ProjectRow, ...], categories: Mapping[str, CategoryName]
) -> tuple[SpendingRow, ...]:
    """The computed winners' costs summed by category. Amounts of funded projects, not ballot
    counts: they cover no ballot, and the page shows them beside the other breakdowns."""
    none = CategoryName("", "")
    totals: dict[CategoryName, list[int]] = {}
    for project in funded:
        row = totals.setdefault(categories.get(project.id, none), [0, 0])
        row[0] += 1
        row[1] += project.cost
    top = max((amount for _, amount in totals.values()), default=0) or 1
    ordered = sorted(totals.items(), key=lambda item: (-item[1][1], item[0].name_en))
    return tuple(
        SpendingRow(name.name_fr, name.name_en, count, amount, round(CHART_WIDTH * amount / top))
        for name, (count, amount) in ordered
    )


def results_page(
    view: ResultsView,
    districts: Mapping[str, int] | None = None,
    categories: Mapping[str, CategoryName] | None = None,
) -> ResultsPage:
    document = view.document
    projects = _projects(document)
    by_id = {p.id: p for p in projects}
    funded = tuple(by_id[p] for p in document["funded"])
    voters = int(document["voters"])
    return ResultsPage(
        results=view, document=document, projects=projects, funded=funded,
        comparisons=_comparisons(view, voters), turnout=document["turnout"],
        breakdowns=shows_breakdowns(int(document["ballots"])),
        remaining=document["budget"] - document["spent"],
        satisfied_pct=_pct(int(document["satisfied"]), voters),
        districts=dict(sorted(suppress(districts or {}).items())),
        district_bars=_bars(suppress(districts or {})),
        spending=_spending(funded, categories or {}),
    )  # fmt: skip


def _bars(shown: Mapping[str, int | None]) -> dict[str, int]:
    top = max((n for n in shown.values() if n is not None), default=0) or 1
    return {name: round(CHART_WIDTH * n / top) for name, n in shown.items() if n is not None}


CSV_COLUMNS: Final = ("project_id", "name", "cost_minor", "votes", "score", "funded", "rank",
                      "code", "explanation")  # fmt: skip


def csv_records(page: ResultsPage) -> list[dict[str, object]]:
    """projects.csv: one row per project, with the funded flag, rank and explanation."""
    return [
        {"project_id": p.id, "name": p.name, "cost_minor": p.cost, "votes": p.votes,
         "score": p.score, "funded": int(p.funded), "rank": "" if p.rank is None else p.rank,
         "code": p.code, "explanation": p.sentence}
        for p in page.projects
    ]  # fmt: skip


def results_winners(db: Any, budget_id: int) -> list[int]:
    """The winners after amendments (the one rule, in services.results)."""
    return winners(db, budget_id)


def results_record(page: ResultsPage, winners: list[int], base: str) -> dict[str, object]:
    """The API's results (GET /api/v1/budgets/{id}/results): what the page shows, suppressed
    the same way, with the files' addresses and SHA-256s."""
    view, document = page.results, page.document
    files = f"{base}/budgets/{view.budget_id}/results"
    certificate = view.certificate
    return {
        "budget_id": view.budget_id, "rule": document["rule"],
        "engine_version": view.engine_version, "tie_break": document["tie_break"],
        "lottery_seed": document.get("lottery_seed"), "funded": list(document["funded"]),
        "winners": winners, "spent": document["spent"], "budget": document["budget"],
        "currency": document.get("currency") or "EUR",
        "projects": [
            {"id": p.id, "name": p.name, "cost": p.cost,
             "votes": p.votes if page.breakdowns else None,
             "score": p.score if page.breakdowns else None, "funded": p.funded,
             "rank": p.rank, "code": p.code, "explanation": p.sentence}
            for p in page.projects
        ],
        "turnout": page.turnout,
        "turnout_by_district": dict(page.districts),
        "comparison": [
            {"rule": c.rule, "funded": list(c.funded), "spent": c.spent,
             "voters_with_a_funded_project": c.satisfied}
            for c in page.comparisons
        ] if page.breakdowns else [],
        "amendments": [
            {"proposal_id": a.proposal_id, "funded": a.funded, "reason": a.reason,
             "at": a.at.isoformat()}
            for a in view.amendments
        ],
        "box": {"url": f"{files}/box.pb", "sha256": view.box_sha256},
        "results_file": {"url": f"{files}/results.json", "sha256": view.result_sha256},
        "projects_file": f"{files}/projects.csv", "receipts_file": f"{files}/receipts.txt",
        "certificate": None if certificate is None else {
            "first_member": certificate.first_member,
            "second_member": certificate.second_member,
            "certified_at": certificate.certified_at.isoformat(),
            "audit_head": certificate.audit_head, "box_sha256": certificate.box_sha256,
            "result_sha256": certificate.result_sha256,
        },
        "published_at": view.published_at.isoformat() if view.published_at else "",
        "page_url": files,
    }  # fmt: skip
