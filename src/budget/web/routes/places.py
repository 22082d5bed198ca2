"""The proposal form's address search: `/geocode?q=` answers JSON places from the configured
geocoder (web/geocoder.py), 404 when none is configured. For signed-in residents only (they
write proposals), so the site is no open proxy to the geocoder."""

from __future__ import annotations

import logging
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from budget.web import geocoder
from budget.web.i18n import N_
from budget.web.routing import SIGNED_IN, route

log = logging.getLogger(__name__)

UNAVAILABLE: Final = N_(
    "The address search is not available right now: place the point on the map."
)
QUERY_INVALID: Final = N_("Type an address of at most 200 characters.")


def _answer(
    request: Request,
    status: int,
    message: str | None = None,
    results: list[dict[str, object]] | None = None,
) -> Response:
    translations = request.state.translations
    payload: dict[str, object] = {"results": results or []}
    if message is not None:
        payload["message"] = translations.gettext(message)
    return JSONResponse(payload, status_code=status, headers={"Cache-Control": "no-store"})


async def geocode(request: Request) -> Response:
    template: str | None = request.app.state.settings.geocoder_url
    if template is None:
        return JSONResponse({"results": []}, status_code=404)
    query = request.query_params.get("q", "").strip()
    if not query or len(query) > geocoder.QUERY_MAX or not query.isprintable():
        return _answer(request, 422, QUERY_INVALID)
    try:
        places = await run_in_threadpool(geocoder.search, template, query)
    except geocoder.GeocoderError as error:
        log.warning("geocoder failed: %s", error)
        return _answer(request, 502, UNAVAILABLE)
    found = [{"label": p.label, "lat": p.lat, "lon": p.lon} for p in places]
    return _answer(request, 200, results=found)


ROUTES = [route("/geocode", geocode, roles=SIGNED_IN)]
