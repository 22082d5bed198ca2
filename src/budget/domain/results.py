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


def suppress_turnout(
    counts: Mapping[str, Mapping[str, int]],
) -> dict[str, dict[str, int | None]]:
    """The turnout table (kind -> channel -> ballots; kinds valid, blank, invalid) as it may be
    published. Two breakdowns whose totals are public each get `suppress`: the valid ballots by
    channel (their total is the box's number of voters) and the blank and invalid ones together
    (their total is the turnout minus the voters). An online ballot always names a project
    and is never invalid, so an online blank or invalid count of 0 says nothing and is shown as
    0, outside the breakdown (else that known 0 would force hiding a paper count). Under 10
    ballots in all, nothing is shown: the budget publishes winners only."""
    if not shows_breakdowns(sum(n for by in counts.values() for n in by.values())):
        return {kind: dict.fromkeys(by) for kind, by in counts.items()}
    valid = {f"valid.{channel}": n for channel, n in counts.get("valid", {}).items()}
    rest = {
        f"{kind}.{channel}": n
        for kind, by in counts.items()
        if kind != "valid"
        for channel, n in by.items()
    }
    impossible = {key: 0 for key, n in rest.items() if n == 0 and key.endswith(".online")}
    rest = {key: n for key, n in rest.items() if key not in impossible}
    table: dict[str, dict[str, int | None]] = {kind: {} for kind in counts}
    for key, value in {**impossible, **suppress(valid), **suppress(rest)}.items():
        kind, channel = key.split(".")
        table[kind][channel] = value
    return table
