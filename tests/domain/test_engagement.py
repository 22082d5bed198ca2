"""The limits of before-review engagement, as pure rules: rate limits over a sliding window,
the comment edit window, when supports are open, and the support threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from budget.domain.cycle import Phase
from budget.domain.engagement import (
    COMMENT_EDIT_MINUTES,
    RateLimit,
    check_body,
    check_editable,
    check_supports_open,
    reaches_threshold,
)
from budget.domain.errors import (
    EditWindowClosed,
    RateLimited,
    Required,
    SupportsOff,
    TooLong,
    WrongPhase,
)

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
LIMIT = RateLimit(count=3, minutes=10)


def minutes_ago(*ages: float) -> list[datetime]:
    return [NOW - timedelta(minutes=age) for age in ages]


def test_a_rate_limit_allows_up_to_its_count_in_the_window() -> None:
    LIMIT.check([], NOW)
    LIMIT.check(minutes_ago(1, 2), NOW)
    LIMIT.check(minutes_ago(1, 2, 10, 30), NOW)  # the old ones have left the window


def test_a_full_window_is_refused_until_its_oldest_action_leaves_it() -> None:
    with pytest.raises(RateLimited) as refused:
        LIMIT.check(minutes_ago(1, 2, 4), NOW)
    assert refused.value.params == {"max": 3, "minutes": 10, "retry_after": 360}
    with pytest.raises(RateLimited) as refused:
        LIMIT.check(minutes_ago(0, 0, 9.9999), NOW)
    assert refused.value.params["retry_after"] == 1  # never "try again in 0 seconds"


def test_text_is_trimmed_and_bounded() -> None:
    assert check_body("  hello \n", 10) == "hello"
    with pytest.raises(Required):
        check_body(" \n ", 10)
    with pytest.raises(TooLong):
        check_body("x" * 11, 10)


def test_a_comment_is_editable_for_ten_minutes() -> None:
    check_editable(NOW - timedelta(minutes=COMMENT_EDIT_MINUTES), NOW)
    with pytest.raises(EditWindowClosed):
        check_editable(NOW - timedelta(minutes=COMMENT_EDIT_MINUTES, seconds=1), NOW)


def test_supports_are_open_only_in_the_submission_phase_of_a_cycle_that_takes_them() -> None:
    check_supports_open(True, Phase.SUBMISSION)
    with pytest.raises(SupportsOff):
        check_supports_open(False, Phase.SUBMISSION)
    for phase in Phase:
        if phase is not Phase.SUBMISSION:
            with pytest.raises(WrongPhase):
                check_supports_open(True, phase)


@pytest.mark.parametrize(
    ("count", "threshold", "expected"),
    [(0, None, True), (9, 10, False), (10, 10, True), (11, 10, True)],
)
def test_the_threshold_counts_supports_at_least_n(count, threshold, expected) -> None:
    assert reaches_threshold(count, threshold) is expected
