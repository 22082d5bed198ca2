"""Public proposal exports (CSV, JSON) and the map's GeoJSON, built from public view models only.

Nothing internal can leak: the rows come from ProposalView, which has no internal field (T7).
CSV is UTF-8 with a byte-order mark (Excel then reads accents right), and every cell that a
spreadsheet would run as a formula (starting with = + - @ tab or CR) is prefixed with `'`
(OWASP "CSV injection"). Money is given twice: decimal major units and integer minor units.
Coordinates are exact: micro-degrees written as decimal text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Final

from budget.db.queries import (
    AuthorView,
    BudgetView,
    CategoryView,
    DistrictBoundary,
    ImageView,
    ProjectView,
    ProposalView,
)
from budget.domain import geo
from budget.domain.errors import BadBoundary

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
COLUMNS: Final = (
    "id", "url", "title", "summary", "description", "status", "budget_id", "budget",
    "district_code", "category_code", "category", "address", "latitude", "longitude",
    "currency", "estimated_cost", "estimated_cost_minor", "final_cost", "final_cost_minor",
    "public_explanation", "merged_into_id", "authors", "submitted_at", "withdrawn_at",
    "decided_at",
)  # fmt: skip

# Links in the exports are site-relative (`/proposals/12`): never built from the request's Host
# header, which the caller chooses (a forged Host would otherwise travel in the open data).
LINK_BASE: Final = ""


def degrees(micro: int | None) -> str:
    """Micro-degrees as exact decimal degrees text ("48.856614"); empty when absent."""
    if micro is None:
        return ""
    sign = "-" if micro < 0 else ""
    return f"{sign}{abs(micro) // geo.MICRO}.{abs(micro) % geo.MICRO:06d}"


def major_units(cents: int | None) -> str:
    """Minor units as a decimal amount with two digits ("1234.50"); empty when absent."""
    return "" if cents is None else f"{Decimal(cents) / 100:.2f}"


def _when(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ""


def proposal_record(
    proposal: ProposalView,
    *,
    budget: BudgetView | None,
    category: CategoryView | None,
    authors: Sequence[AuthorView],
    locale: str,
    base_url: str,
) -> dict[str, object]:
    """One proposal's public fields, as the exports name them."""

    def local(item: BudgetView | CategoryView | None) -> str:
        if item is None:
            return ""
        own, other = (
            (item.name_fr, item.name_en) if locale == "fr" else (item.name_en, item.name_fr)
        )
        return own or other

    return {
        "id": proposal.id,
        "url": f"{base_url}/proposals/{proposal.id}",
        "title": proposal.title,
        "summary": proposal.summary,
        "description": proposal.description,
        "status": proposal.status.value,
        "budget_id": proposal.budget_id,
        "budget": local(budget),
        "district_code": (budget.district_code if budget else None) or "",
        "category_code": category.code if category else "",
        "category": local(category),
        "address": proposal.address or "",
        "latitude": degrees(proposal.lat_e6),
        "longitude": degrees(proposal.lon_e6),
        "currency": budget.currency if budget else "",
        "estimated_cost": major_units(proposal.estimated_cost),
        "estimated_cost_minor": proposal.estimated_cost,
        "final_cost": major_units(proposal.final_cost),
        "final_cost_minor": proposal.final_cost,
        "public_explanation": proposal.public_explanation or "",
        "merged_into_id": proposal.merged_into_id,
        "authors": [a.display_name for a in authors],
        "submitted_at": _when(proposal.submitted_at),
        "withdrawn_at": _when(proposal.withdrawn_at),
        "decided_at": _when(proposal.decided_at),
    }


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(records: Iterable[Mapping[str, object]], columns: Sequence[str] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([safe_cell(record[column]) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _number(micro: int) -> float:
    """A coordinate for a GeoJSON number: the nearest double of an exact 6-decimal value prints
    back as those 6 decimals, so nothing is lost in the text (display only, never compared)."""
    return float(Decimal(micro) / geo.MICRO)


def proposal_features(
    proposals: Iterable[ProposalView | ProjectView],
    labels: Mapping[str, str],
    base_url: str,
    covers: Mapping[int, ImageView] | None = None,
    path: str = "/proposals",
) -> dict[str, object]:
    """A FeatureCollection of the located proposals (or funded projects, `path` "/projects"):
    a point each, with its title, status and page, and its first image's thumbnail (URL and
    alternative text) when it has one."""
    covers = covers or {}
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [_number(p.lon_e6), _number(p.lat_e6)],
            },
            "properties": {
                "id": p.id,
                "title": p.title,
                "status": p.status.value,
                "status_label": labels.get(p.status.value, p.status.value),
                "url": f"{base_url}{path}/{p.id}",
                **_thumbnail(covers.get(p.id)),
            },
        }
        for p in proposals
        if p.lat_e6 is not None and p.lon_e6 is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def _thumbnail(image: ImageView | None) -> dict[str, object]:
    if image is None:
        return {}
    return {"thumb": f"/images/{image.id}/thumb.webp", "thumb_alt": image.alt_text}


def district_features(districts: Iterable[DistrictBoundary]) -> dict[str, object]:
    """The districts' outlines, re-written from the checked boundary (not echoed as uploaded)."""
    features = []
    for district in districts:
        try:
            shape = geo.parse_boundary(district.geojson)
        except BadBoundary:  # checked when saved; a row edited by hand is left off the map
            continue
        polygons = [
            [[[_number(x), _number(y)] for x, y in ring] for ring in (poly.outer, *poly.holes)]
            for poly in shape.polygons
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
                "properties": {"id": district.id, "code": district.code, "name": district.name},
            }
        )
    return {"type": "FeatureCollection", "features": features}
