"""Before review (PRODUCT.md "Before review"): the limits of images, supports, comments,
moderation and follows, as plain values and pure checks (time is a parameter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from budget.domain.cycle import Phase
from budget.domain.errors import (
    EditWindowClosed,
    RateLimited,
    Required,
    SupportsOff,
    TooLong,
    WrongPhase,
)
from budget.domain.proposals import ProposalStatus

MAX_IMAGES: Final = 3
MAX_IMAGE_BYTES: Final = 5 * 1024 * 1024
MAX_IMAGE_PIXELS: Final = 40_000_000  # decoded size bound: a small file cannot blow up memory
IMAGE_MAX_SIDE: Final = 1600  # what the server keeps
THUMB_MAX_SIDE: Final = 320
ALT_MAX: Final = 250
IMAGE_FORMATS: Final = frozenset({"JPEG", "PNG", "WEBP"})

COMMENT_MAX: Final = 5_000
REASON_MAX: Final = 500
COMMENT_EDIT_MINUTES: Final = 10

# Only submitted proposals take supports, comments and flags from residents.
OPEN_FOR_DISCUSSION: Final = frozenset(
    {ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.ON_BALLOT}
)


class FollowTopic(StrEnum):
    """What a follower hears about; each can be turned off."""

    DECISION = "decision"
    VOTE = "vote"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


class FlagTarget(StrEnum):
    COMMENT = "comment"
    PROPOSAL = "proposal"


class FlagResolution(StrEnum):
    HIDDEN = "hidden"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class RateLimit:
    """At most `count` actions of one kind per account in any window of `minutes`."""

    count: int
    minutes: int

    def window_start(self, now: datetime) -> datetime:
        return now - timedelta(minutes=self.minutes)

    def check(self, recent: list[datetime], now: datetime) -> None:
        """Refuse one more action when `recent` (the account's times in the window) is full;
        the wait is until the oldest of them leaves the window."""
        inside = sorted(t for t in recent if t > self.window_start(now))
        if len(inside) < self.count:
            return
        wait = inside[-self.count] + timedelta(minutes=self.minutes) - now
        raise RateLimited(
            max=self.count, minutes=self.minutes, retry_after=max(1, int(wait.total_seconds()))
        )


COMMENT_RATE: Final = RateLimit(count=5, minutes=10)
FLAG_RATE: Final = RateLimit(count=10, minutes=60)


def check_body(text: str, limit: int) -> str:
    """Trimmed text of 1..limit characters (comments, reasons, alt text)."""
    cleaned = text.strip()
    if not cleaned:
        raise Required()
    if len(cleaned) > limit:
        raise TooLong(max=limit)
    return cleaned


def check_editable(created_at: datetime, now: datetime) -> None:
    """A comment is editable by its writer for COMMENT_EDIT_MINUTES after it was written."""
    if now - created_at > timedelta(minutes=COMMENT_EDIT_MINUTES):
        raise EditWindowClosed(minutes=COMMENT_EDIT_MINUTES)


def check_supports_open(enabled: bool, phase: Phase) -> None:
    """Supports are given and withdrawn during the submission phase of a cycle that collects
    them, and at no other time."""
    if not enabled:
        raise SupportsOff()
    if phase is not Phase.SUBMISSION:
        raise WrongPhase(phase=phase)


def reaches_threshold(count: int, threshold: int | None) -> bool:
    """Whether a proposal has enough supports to go to review (no threshold: always)."""
    return threshold is None or count >= threshold
