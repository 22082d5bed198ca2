"""Address search for the proposal form through a geocoder the city configures
(BUDGET_GEOCODER_URL, off by default): the server asks it, so the browser talks only to this
site (CSP 'self') and the resident's address query is not sent to a third party with their
cookies or IP. The answer must be GeoJSON points (France's national address service, Photon and
Nominatim's `format=geojson` all answer so); at most RESULTS_MAX are passed on, as plain values.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Final

TIMEOUT_SECONDS: Final = 5
MAX_ANSWER_BYTES: Final = 512 * 1024
RESULTS_MAX: Final = 5
QUERY_MAX: Final = 200
LABEL_MAX: Final = 200


class GeocoderError(Exception):
    """The geocoder could not be reached or gave an answer that is not GeoJSON points."""


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float


def _label(properties: dict[str, object]) -> str:
    for key in ("label", "display_name", "name"):
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:LABEL_MAX]
    return ""


def _places(answer: object) -> list[Place]:
    if not isinstance(answer, dict) or not isinstance(answer.get("features"), list):
        raise GeocoderError("not a GeoJSON FeatureCollection")
    found = []
    for feature in answer["features"]:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            continue
        coordinates = geometry.get("coordinates")
        if not (isinstance(coordinates, list) and len(coordinates) >= 2):
            continue
        lon, lat = coordinates[0], coordinates[1]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        label = _label(properties if isinstance(properties, dict) else {})
        if label:
            found.append(Place(label=label, lat=float(lat), lon=float(lon)))
        if len(found) == RESULTS_MAX:
            break
    return found


def search(url_template: str, query: str) -> list[Place]:
    """The places the geocoder finds for `query` (already trimmed and bounded by the caller)."""
    url = url_template.replace("{query}", urllib.parse.quote(query, safe=""))
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by config (http/https)
        url, headers={"Accept": "application/geo+json, application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_ANSWER_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise GeocoderError(str(error)) from None
    if len(body) > MAX_ANSWER_BYTES:
        raise GeocoderError("answer too large")
    try:
        return _places(json.loads(body))
    except (ValueError, UnicodeDecodeError) as error:
        raise GeocoderError(f"not JSON: {error}") from None
