"""Outlines for the demo's districts: each district is the part of an ellipse around Paris
nearer its centre (demo_data.CENTRES) than any other centre, a Voronoi cell, so the maps show
plausible, non-overlapping districts without shipping real boundary files. Demo data only:
coordinates are rounded to the micro-degree, and nothing here decides anything."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Final

from budget.services.demo_data import CENTRES

Point = tuple[float, float]  # (x, y): longitude scaled to the latitude's metres, latitude

CENTRE: Final = (2_352_200, 48_858_000)  # micro-degrees (lon, lat) of the outer ellipse
RADII: Final = (118_000, 46_000)  # micro-degrees: Paris is about 11 km by 9.5 km
SIDES: Final = 48
SCALE: Final = math.cos(math.radians(48.86))  # a degree of longitude is shorter than latitude's


def _ellipse() -> list[Point]:
    (cx, cy), (rx, ry) = CENTRE, RADII
    return [
        (
            (cx + rx * math.cos(2 * math.pi * k / SIDES)) * SCALE,
            cy + ry * math.sin(2 * math.pi * k / SIDES),
        )
        for k in range(SIDES)
    ]


def _clip(polygon: Sequence[Point], normal: Point, limit: float) -> list[Point]:
    """The part of a convex polygon where normal . p <= limit (Sutherland-Hodgman, one edge)."""
    kept: list[Point] = []
    for k, current in enumerate(polygon):
        previous = polygon[k - 1]
        inside_now = normal[0] * current[0] + normal[1] * current[1] <= limit
        inside_before = normal[0] * previous[0] + normal[1] * previous[1] <= limit
        if inside_now != inside_before:
            dx, dy = current[0] - previous[0], current[1] - previous[1]
            rate = (limit - normal[0] * previous[0] - normal[1] * previous[1]) / (
                normal[0] * dx + normal[1] * dy
            )
            kept.append((previous[0] + rate * dx, previous[1] + rate * dy))
        if inside_now:
            kept.append(current)
    return kept


def _cell(index: int, sites: Sequence[Point]) -> list[Point]:
    cell = _ellipse()
    sx, sy = sites[index]
    for k, (ox, oy) in enumerate(sites):
        if k != index:  # nearer this site than the other: 2 p.(o - s) <= |o|^2 - |s|^2
            normal = (2 * (ox - sx), 2 * (oy - sy))
            cell = _clip(cell, normal, ox * ox + oy * oy - sx * sx - sy * sy)
    return cell


def outline(index: int) -> str:
    """The GeoJSON Polygon of the `index`-th district of demo_data.DISTRICTS."""
    sites = [(lon * SCALE, lat) for lat, lon in CENTRES]
    ring = [[round(x / SCALE) / 1e6, round(y) / 1e6] for x, y in _cell(index, sites)]
    ring.append(ring[0])
    return json.dumps({"type": "Polygon", "coordinates": [ring]})
