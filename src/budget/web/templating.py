"""Jinja2 environment and rendering: a full page, or only its fragment for an htmx request.

Templates are autoescaped and strict (an undefined name is a bug, not an empty string). Text goes
through gettext: `{% trans %}` blocks and `_()` use the request's catalogue, passed in the context,
so one environment serves every locale. An htmx request (`HX-Request`, not a boosted navigation)
for a route that offers a fragment gets just that fragment; every other request the whole page,
so each page works without JavaScript.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.support import Translations
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from budget.domain.cycle import ORDER
from budget.tally.model import Explanation
from budget.web import auth, explanations, i18n, labels, markdown, messages, unread


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    translations: Translations = context["translations"]
    return translations.gettext(message)


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    translations: Translations = context["translations"]
    return translations.ngettext(singular, plural, n)


@jinja2.pass_context
def _money(context: jinja2.runtime.Context, cents: int, currency: str) -> str:
    return i18n.format_money(cents, currency, context["locale"])


@jinja2.pass_context
def _date(context: jinja2.runtime.Context, value: Any) -> str:
    return "" if value is None else i18n.format_date(value, context["locale"])


@jinja2.pass_context
def _day(
    context: jinja2.runtime.Context, value: Any, time_zone: str = i18n.DEFAULT_TIME_ZONE
) -> str:
    return "" if value is None else i18n.format_day(value, context["locale"], time_zone)


@jinja2.pass_context
def _datetime(
    context: jinja2.runtime.Context, value: Any, time_zone: str = i18n.DEFAULT_TIME_ZONE
) -> str:
    return "" if value is None else i18n.format_datetime(value, context["locale"], time_zone)


@jinja2.pass_context
def _message(context: jinja2.runtime.Context, message: messages.Message) -> str:
    """A typed message (form error, guard reason) in the page's language."""
    return messages.translate(
        message.msgid, message.params, context["translations"], context["locale"]
    )


@jinja2.pass_context
def _explanation(
    context: jinja2.runtime.Context, explanation: Explanation, scale: int, currency: str
) -> str:
    """A project's explanation sentence in the page's language (web/explanations.py)."""
    return explanations.sentence(
        explanation, scale=scale, currency=currency, translations=context["translations"],
        locale=context["locale"],
    )  # fmt: skip


@jinja2.pass_context
def _local(context: jinja2.runtime.Context, item: Any, name: str) -> str:
    """A bilingual field in the page's language: `local(cycle, "name")` -> name_fr or name_en,
    falling back to the other language when this one was left empty."""
    own, other = ("fr", "en") if context["locale"] == "fr" else ("en", "fr")
    value: str = getattr(item, f"{name}_{own}") or getattr(item, f"{name}_{other}")
    return value


@jinja2.pass_context
def _choices(context: jinja2.runtime.Context, options: Mapping[str, str]) -> list[tuple[str, str]]:
    """(value, translated label) pairs for a select, from a labels mapping."""
    translations: Translations = context["translations"]
    return [(value, translations.gettext(label)) for value, label in options.items()]


def is_htmx(request: Request) -> bool:
    """A swap requested by htmx; a boosted link is a navigation and gets the whole page, and so
    does Back when htmx's history cache misses (HX-History-Restore-Request): it shows the page."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and "hx-boosted" not in headers
        and headers.get("hx-history-restore-request") != "true"
    )


class Templates:
    """The Jinja2 environment of the app, built once by create_app."""

    def __init__(
        self, directory: Path, static_directory: Path, *, auto_reload: bool = True
    ) -> None:
        """`auto_reload=False` (outside development): templates are compiled once per process,
        not checked against their files (a stat per template and include) at every render."""
        self.static_directory = static_directory
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            auto_reload=auto_reload,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.policies["ext.i18n.trimmed"] = True
        # newstyle: `_("%(n)s left", n=3)` formats after translating, and autoescapes arguments.
        self.env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
            _gettext, _ngettext, newstyle=True
        )
        self.env.filters.update(money=_money, date=_date, day=_day, datetime=_datetime)
        self.env.filters["markdown"] = markdown.render  # returns sanitised Markup: no |safe
        self.env.globals.update(labels.TEMPLATE_GLOBALS)
        self.env.globals.update(
            static_url=self.static_url,
            message=_message,
            local=_local,
            choices=_choices,
            explanation=_explanation,
        )
        self.env.globals["PHASE_ORDER"] = list(ORDER)
        self.env.globals["unread_notifications"] = unread.unread_notifications

    def static_url(self, path: str) -> str:
        """`/static/<path>?v=<content hash>`: a changed file gets a new URL, so caching is safe."""
        return f"/static/{path}?v={_file_version(self.static_directory / path)}"

    def render_string(self, name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(name).render(context)

    def response(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        fragment: str | None = None,
    ) -> HTMLResponse:
        """Render `name`, or `fragment` alone when htmx asks for a swap."""
        full = {**page_context(request), **(context or {})}
        template = fragment if fragment is not None and is_htmx(request) else name
        response = HTMLResponse(self.render_string(template, full), status_code=status_code)
        response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
        return response


def prepare_state(request: Request, visitor: auth.Visitor) -> None:
    """Everything templates and handlers need about the caller, on request.state.

    Language: the switcher's cookie (this browser's latest choice), else the account's saved
    language, else Accept-Language."""
    chosen = request.cookies.get(i18n.LANGUAGE_COOKIE)
    if i18n.supported(chosen) is None and visitor.account is not None:
        chosen = str(visitor.account.language)
    accept = request.headers.get("accept-language", "")
    locale = i18n.negotiate(chosen=chosen, accept_language=accept)
    state = request.state
    state.visitor = visitor
    state.locale = locale
    state.translations = request.app.state.catalogs.get(locale)
    state.csrf_token = visitor.csrf_token


def ensure_state(request: Request) -> None:
    """For pages rendered outside the route guard (404 from the router, 500): an anonymous
    caller, and no cookie is written."""
    if not hasattr(request.state, "visitor"):
        prepare_state(request, auth.anonymous_visitor(request, auth.new_anonymous_id()))


def page_context(request: Request) -> dict[str, Any]:
    """What every template may use: the visitor, their locale and catalogue, the CSRF token."""
    state = request.state
    notice = messages.NOTICES.get(request.query_params.get("notice", ""))
    return {
        "notice": state.translations.gettext(notice) if notice else None,
        "request": request,
        "visitor": state.visitor,
        "locale": state.locale,
        "translations": state.translations,
        "csrf_token": state.csrf_token,
    }


@cache
def _file_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str | None = None,
) -> HTMLResponse:
    """Render with the app's templates: the whole page, or `fragment` for an htmx swap."""
    templates: Templates = request.app.state.templates
    return templates.response(request, name, context, status_code=status_code, fragment=fragment)


def see_other(request: Request, path: str) -> Response:
    """After a successful POST: 303 to the next page; for htmx, a full navigation there
    (the whole page may have changed, not just the swapped part)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": path})
    return RedirectResponse(path, status_code=303)
