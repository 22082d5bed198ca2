"""Council administration of a cycle's roll (PRODUCT.md "Where eligibility comes from"; T2, T6).

The roll page lists the entries (searchable, 100 a page) with the counts; in a roll-mode cycle
it imports a CSV file (every problem listed with its line and column, nothing imported unless
the whole file is valid; a file may also be pasted; files above the web's 1 MB go through
`budget roll import`) and issues
the voting codes: the answer is a ZIP of the mailing files (codes.csv, letters.pdf), the only
time the codes are shown in clear. An entry is voided (a suspicious declaration, a roll error),
its code voided or reissued (the new letter downloaded at once), each with a reason.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any, Final

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from budget.db import queries
from budget.domain.errors import (
    BudgetError,
    FieldErrors,
    Required,
    RollFileInvalid,
    RollFileTooLarge,
)
from budget.services import codes, roll
from budget.services.codes import IssuedCode, LetterText
from budget.web import errors, loaders, messages, transactions
from budget.web.caller import actor_id
from budget.web.forms import TEXT_LIMIT, Form, search_term
from budget.web.i18n import N_
from budget.web.numbers import page_number
from budget.web.routing import COUNCIL, route
from budget.web.templating import render, see_other

MAX_ROLL_BYTES: Final = 1024 * 1024 - 64 * 1024  # under the app's body limit, with the form
LETTER_TITLE: Final = N_("Your voting code for the participatory budget")
LETTER_BODY: Final = N_(
    "Dear {name},\n\nYou are on the voter roll of the participatory budget. With the code "
    "below you can vote once in each budget you are entitled to, without an account, at "
    "{url}. Keep this letter to yourself: anyone holding the code can vote in your place.\n\n"
    "Upper or lower case, spaces and hyphens do not matter."
)
LETTER_CODE: Final = N_("Your voting code:")


async def roll_context(request: Request, cycle_id: int, **extra: Any) -> dict[str, Any]:
    search = search_term(request.query_params)
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    listing = await transactions.read(
        request, queries.roll_page, cycle_id, search=search, page=page_number(request.query_params)
    )
    return {
        "cycle": cycle, "roll": listing, "search": search, "problems": (),
        "form": Form({}), "max_kib": MAX_ROLL_BYTES // 1024, **extra,
    }  # fmt: skip


async def roll_index(request: Request) -> Response:
    context = await roll_context(request, loaders.loaded_id(request))
    return render(request, "admin/roll.html", context)


async def _uploaded(request: Request) -> tuple[Form, bytes | None]:
    async with request.form() as data:
        form = Form(data)
        upload = data.get("file")
        content = None
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(MAX_ROLL_BYTES + 1)
    if content is None:  # no file chosen: the text pasted instead
        pasted = form.text("content", required=False, max_length=MAX_ROLL_BYTES, multiline=True)
        content = pasted.encode() if pasted else None
    if not form.is_valid:
        return form, None
    if content is None or not content.strip():
        form.add_service_error(FieldErrors({"file": Required()}))
        return form, None
    if len(content) > MAX_ROLL_BYTES:
        error = RollFileTooLarge(max_kib=MAX_ROLL_BYTES // 1024)
        form.add_service_error(FieldErrors({"file": error}))
        return form, None
    return form, content


async def roll_import(request: Request) -> Response:
    cycle_id: int = loaders.loaded_id(request)
    await transactions.read(request, queries.get_cycle, cycle_id)  # 404 before reading
    form, content = await _uploaded(request)
    problems: tuple[tuple[int, str, messages.Message], ...] = ()
    status = 422
    if content is not None:
        try:
            await transactions.perform(
                request, roll.import_roll, actor_id=actor_id(request), cycle_id=cycle_id,
                content=content,
            )  # fmt: skip
        except RollFileInvalid as invalid:
            problems = tuple(
                (p.line, p.field, messages.of_error(p.error)) for p in invalid.problems
            )
            form.add_service_error(invalid)
        except BudgetError as error:
            form.add_service_error(error)
            status = errors.status_for(error)
        else:
            return see_other(request, f"/admin/cycles/{cycle_id}/roll?notice=roll-imported")
    context = await roll_context(request, cycle_id, form=form, problems=problems)
    return render(request, "admin/roll.html", context, status_code=status)


def letter_text(request: Request) -> LetterText:
    translations = request.state.translations
    return LetterText(
        title=translations.gettext(LETTER_TITLE),
        body=translations.gettext(LETTER_BODY),
        code_label=translations.gettext(LETTER_CODE),
        url=str(request.base_url).rstrip("/"),
    )


def mailing(request: Request, issued: list[IssuedCode], name: str) -> Response:
    """The codes in clear, once: codes.csv and letters.pdf in one ZIP, never cached."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("codes.csv", codes.codes_csv(issued))
        archive.writestr("letters.pdf", codes.letters_pdf(issued, letter_text(request)))
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


async def issue_codes(request: Request) -> Response:
    cycle_id: int = loaders.loaded_id(request)
    cycle = await transactions.read(request, queries.get_cycle, cycle_id)
    try:
        issued = await transactions.perform(
            request, codes.issue_codes, actor_id=actor_id(request), cycle_id=cycle_id,
            key=request.app.state.code_key,
        )  # fmt: skip
    except BudgetError as error:
        form = Form({})
        form.add_service_error(error)
        context = await roll_context(request, cycle_id, form=form)
        return render(request, "admin/roll.html", context, status_code=errors.status_for(error))
    if not issued:
        return see_other(request, f"/admin/cycles/{cycle_id}/roll?notice=codes-none")
    return mailing(request, issued, f"codes-{cycle.instance}.zip")


async def _entry_action(request: Request, action: str) -> Response:
    """Void the entry or its code, or reissue the code (the new letter downloaded at once)."""
    entry_id: int = loaders.loaded_id(request)
    entry = await transactions.read(request, queries.get_entry, entry_id)
    form = Form(await request.form())
    reason = form.text("reason", max_length=TEXT_LIMIT) or ""
    if form.is_valid:
        try:
            if action == "reissue":
                issued = await transactions.perform(
                    request, codes.reissue_code, actor_id=actor_id(request), entry_id=entry_id,
                    key=request.app.state.code_key, reason=reason,
                )  # fmt: skip
                return mailing(request, [issued], f"code-{entry_id}.zip")
            service = roll.void_entry if action == "void" else codes.void_code
            await transactions.perform(
                request, service, actor_id=actor_id(request), entry_id=entry_id, reason=reason
            )
        except BudgetError as error:
            form.add_service_error(error)
        else:
            path = f"/admin/cycles/{entry.cycle_id}/roll?notice=entry-{action}"
            return see_other(request, path)
    context = await roll_context(request, entry.cycle_id, entry_form=form, entry_id=entry_id)
    return render(request, "admin/roll.html", context, status_code=422)


async def void_entry(request: Request) -> Response:
    return await _entry_action(request, "void")


async def void_code(request: Request) -> Response:
    return await _entry_action(request, "code-void")


async def reissue_code(request: Request) -> Response:
    return await _entry_action(request, "reissue")


ROLL: Final = "/admin/cycles/{cycle_id:id}/roll"
ENTRY: Final = "/admin/roll/{entry_id:id}"
ROUTES = [
    route(ROLL, roll_index, roles=COUNCIL, loader=loaders.cycle, name="admin_roll"),
    route(
        ROLL,
        roll_import,
        roles=COUNCIL,
        loader=loaders.cycle,
        methods=["POST"],
        name="roll_import",
    ),
    route(
        "/admin/cycles/{cycle_id:id}/codes",
        issue_codes,
        loader=loaders.cycle,
        roles=COUNCIL,
        methods=["POST"],
        name="codes_issue",
    ),
    route(
        f"{ENTRY}/void",
        void_entry,
        roles=COUNCIL,
        loader=loaders.roll_entry,
        methods=["POST"],
        name="entry_void",
    ),
    route(
        f"{ENTRY}/code/void",
        void_code,
        roles=COUNCIL,
        loader=loaders.roll_entry,
        methods=["POST"],
        name="code_void",
    ),
    route(
        f"{ENTRY}/code/reissue",
        reissue_code,
        loader=loaders.roll_entry,
        roles=COUNCIL,
        methods=["POST"],
        name="code_reissue",
    ),
]
