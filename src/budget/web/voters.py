"""Who is voting on this request: a signed-in account bound to the cycle's roll, or the holder
of a voting code typed into the form. Both end as a roll entry and its entitled budgets, read
from the database on every request (T2): nothing posted decides them."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from budget.db import queries
from budget.domain.errors import NotEntitled, PermissionDenied
from budget.services.voting import Channel, Voter, VotingKeys
from budget.web import transactions


@dataclass(frozen=True)
class VoterAccess:
    voter: Voter
    entitled: frozenset[int]
    revisable: bool  # an account revises until close; a code ballot is final
    code: str | None = None  # a code voter's code, carried in the forms' hidden fields


def voting_keys(request: Request) -> VotingKeys:
    settings = request.app.state.settings
    return VotingKeys(link=settings.key_for("link"), receipt=settings.key_for("receipt"))


async def resolve_voter(request: Request, cycle_id: int) -> VoterAccess:
    """The signed-in account's roll entry in this cycle and the budgets it may vote in."""
    account = request.state.visitor.account
    if account is None:
        raise PermissionDenied(role="resident")
    entry = await transactions.read(request, queries.account_voter, cycle_id, account.id)
    if entry is None:
        raise NotEntitled()
    voter = Voter(entry.entry_id, Channel.ACCOUNT, account.id)
    return VoterAccess(voter=voter, entitled=entry.entitled, revisable=True)
