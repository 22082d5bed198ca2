"""What a results page may show (T9): no breakdown covering fewer than 10 ballots.

`suppress` hides every cell of a breakdown under the threshold, then keeps hiding the smallest
shown cells while the hidden ones could be worked out from the total: a single hidden cell (the
total minus the shown ones gives it), or hidden cells adding up to fewer than the threshold. A
breakdown whose total is under the threshold is hidden whole: the budget shows winners only.
"""

from __future__ import annotations

from collections.abc import Mapping

MIN_BALLOTS = 10


def shows_breakdowns(total: int) -> bool:
    """Whether a budget with `total` ballots may show any breakdown (else winners only)."""
    return total >= MIN_BALLOTS


def suppress(cells: Mapping[str, int]) -> dict[str, int | None]:
    """The breakdown with each cell that must stay hidden as None (complementary suppression)."""
    if not shows_breakdowns(sum(cells.values())):
        return dict.fromkeys(cells)
    hidden = {name for name, value in cells.items() if value < MIN_BALLOTS}
    # Hidden cells adding up to MIN_BALLOTS or more are at least two: each one hidden first is
    # under MIN_BALLOTS, so a lone hidden cell is always worked on further.
    while hidden:
        if sum(cells[name] for name in hidden) >= MIN_BALLOTS:
            break
        shown = sorted((value, name) for name, value in cells.items() if name not in hidden)
        hidden.add(shown[0][1])  # some cell is shown: the total is at least MIN_BALLOTS
    return {name: None if name in hidden else value for name, value in cells.items()}
