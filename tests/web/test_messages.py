"""Typed errors and guard reasons become sentences in the reader's language."""

from __future__ import annotations

import datetime as dt

from babel.support import NullTranslations

from budget.domain import errors as domain
from budget.domain.cycle import Reason
from budget.web import errors, messages

ENGLISH = NullTranslations()


def say(message: messages.Message) -> str:
    return messages.translate(message.msgid, message.params, ENGLISH, "en")  # type: ignore[arg-type]


def test_codes_in_parameters_are_shown_by_their_labels() -> None:
    refused = domain.TransitionRefused(source="draft", target="submission", reasons=())
    assert say(messages.of_error(refused)) == ("The cycle cannot move from Draft to Proposals yet:")


def test_amounts_dates_lists_and_missing_values_are_formatted() -> None:
    figures = {"budget": "Tout Paris", "project": "#12", "cost": 150_000_000}
    over = Reason("budget.project-over-envelope", {**figures, "limit": 100_000_000})
    assert "costs 1,500,000.00, more than the envelope (1,000,000.00)" in say(
        messages.of_reason(over)
    )
    ends = Reason(
        "cycle.voting-not-ended", {"ends_at": dt.datetime(2027, 9, 30, 18, tzinfo=dt.UTC)}
    )
    assert "Sep 30, 2027, 8:00" in say(messages.of_reason(ends))
    assert "(end: —)" in say(
        messages.of_reason(Reason("cycle.voting-not-ended", {"ends_at": None}))
    )
    locked = domain.Locked(fields=("currency", "min_age"))
    assert say(messages.of_error(locked)).endswith("voting opened: currency, min_age.")


def test_an_unmapped_code_gets_the_generic_message() -> None:
    class Novel(domain.BudgetError):
        code = "novel.code"

    assert say(messages.of_error(Novel())) == "The request could not be completed."
    assert say(messages.of_reason(Reason("novel.reason"))) == "The request could not be completed."


def test_each_kind_of_error_has_its_status() -> None:
    assert errors.status_for(domain.NotFound(kind="cycle", id=1)) == 404
    assert errors.status_for(domain.PermissionDenied(role="council")) == 403
    assert errors.status_for(domain.Throttled(retry_after=5)) == 429
    assert errors.status_for(domain.LastCouncil()) == 409
    assert errors.status_for(domain.Required()) == 422
