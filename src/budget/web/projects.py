"""Funded projects for the web: the list's query string -> checked filters, and the public
record of a project shared by the CSV/JSON exports and the API (the same view model, T7).

Filter values are allow-listed against what the list offers (statuses, the years and districts
that have funded projects); a value that is not one of them is ignored and named, never an
error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode

from budget.db.queries import ChangeView, MilestoneView, ProjectChoices, ProjectFilters, ProjectView
from budget.domain.implementation import ImplementationStatus
from budget.web.exports import degrees, major_units

KEYS: Final = ("status", "district", "year")
COLUMNS: Final = (
    "id", "url", "proposal_url", "title", "year", "cycle_id", "budget_id", "budget",
    "district_code", "district", "status", "progress", "currency", "cost", "cost_minor",
    "spent", "spent_minor", "reason", "latitude", "longitude", "funded_at", "updated_at",
)  # fmt: skip


@dataclass(frozen=True)
class ProjectQuery:
    filters: ProjectFilters
    values: Mapping[str, str]  # the accepted values, as the form shows them
    ignored: tuple[str, ...]

    def url(self, path: str) -> str:
        pairs = [(k, self.values[k]) for k in KEYS if self.values.get(k)]
        return f"{path}?{urlencode(pairs)}" if pairs else path


def read_project_query(params: Mapping[str, str], choices: ProjectChoices) -> ProjectQuery:
    raw = {key: params.get(key, "").strip() for key in KEYS}
    districts = {str(d[0]): d[0] for d in choices.districts}
    accepted = {
        "status": raw["status"] in {s.value for s in ImplementationStatus},
        "district": raw["district"] in districts,
        "year": raw["year"] in choices.years,
    }
    values = {k: raw[k] for k in KEYS if raw[k] and accepted[k]}
    ignored = tuple(k for k in KEYS if raw[k] and not accepted[k])
    filters = ProjectFilters(
        status=ImplementationStatus(values["status"]) if "status" in values else None,
        district_id=districts[values["district"]] if "district" in values else None,
        year=values.get("year"),
    )
    return ProjectQuery(filters=filters, values=values, ignored=ignored)


def _local(project: ProjectView, name: str, locale: str) -> str:
    own, other = ("fr", "en") if locale == "fr" else ("en", "fr")
    value: str = getattr(project, f"{name}_{own}") or getattr(project, f"{name}_{other}")
    return value


def project_record(project: ProjectView, *, locale: str, base_url: str) -> dict[str, object]:
    """One funded project's public fields, as the exports and the API name them."""
    return {
        "id": project.id,
        "url": f"{base_url}/projects/{project.id}",
        "proposal_url": f"{base_url}/proposals/{project.id}",
        "title": project.title,
        "year": project.year,
        "cycle_id": project.cycle_id,
        "budget_id": project.budget_id,
        "budget": _local(project, "budget_name", locale),
        "district_code": project.district_code or "",
        "district": project.district_name or "",
        "status": project.status.value,
        "progress": project.progress,
        "currency": project.currency,
        "cost": major_units(project.cost),
        "cost_minor": project.cost,
        "spent": major_units(project.spent),
        "spent_minor": project.spent,
        "reason": project.reason or "",
        "latitude": degrees(project.lat_e6),
        "longitude": degrees(project.lon_e6),
        "funded_at": project.funded_at.isoformat(),
        "updated_at": project.updated_at.isoformat(),
    }


def milestone_record(milestone: MilestoneView) -> dict[str, object]:
    return {
        "id": milestone.id,
        "title": milestone.title,
        "planned_on": milestone.planned_on.isoformat(),
        "reached_on": milestone.reached_on.isoformat() if milestone.reached_on else None,
        "note": milestone.note,
    }


def change_record(change: ChangeView) -> dict[str, object]:
    return {
        "at": change.at.isoformat(),
        "status": change.status.value,
        "progress": change.progress,
        "spent_minor": change.spent,
        "note": change.note,
    }
