"""Who is voting on this request: a signed-in account bound to the cycle's roll, or the holder
of a voting code typed into the form. Both end as a roll entry and its entitled budgets, read
from the database on every request (T2): nothing posted decides them."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from budget.db import queries
from budget.domain import codes as code_rules
from budget.domain.errors import BudgetError, NotEntitled, PermissionDenied
from budget.services import codes
from budget.services.voting import Channel, Voter, VotingKeys
from budget.web import auth, transactions


@dataclass(frozen=True)
class VoterAccess:
    voter: Voter
    entitled: frozenset[int]
    revisable: bool  # an account revises until close; a code ballot is final
    code: str | None = None  # a code voter's code, carried in the forms' hidden fields


def voting_keys(request: Request) -> VotingKeys:
    settings = request.app.state.settings
    return VotingKeys(link=settings.key_for("link"), receipt=settings.key_for("receipt"))


async def resolve_voter(
    request: Request, cycle_id: int, typed_code: str | None = None
) -> VoterAccess:
    """The voter of this request: the holder of `typed_code` when a form carries one (checked
    again on every request), else the signed-in account's roll entry in this cycle."""
    if typed_code is not None:
        return await resolve_code_voter(request, cycle_id, typed_code)
    account = request.state.visitor.account
    if account is None:
        raise PermissionDenied(role="resident")
    entry = await transactions.read(request, queries.account_voter, cycle_id, account.id)
    if entry is None:
        raise NotEntitled()
    voter = Voter(entry.entry_id, Channel.ACCOUNT, account.id)
    return VoterAccess(voter=voter, entitled=entry.entitled, revisable=True)


async def resolve_code_voter(request: Request, cycle_id: int, typed: str) -> VoterAccess:
    """The roll entry whose live voting code was typed, and the budgets it may vote in. A wrong
    code counts against the caller's address and the cycle (T6: the failure is committed, then
    refused); a throttled caller is refused before anything is looked up."""
    settings = request.app.state.settings
    found = await transactions.perform(
        request, codes.entry_for_code, cycle_id=cycle_id, typed=typed,
        key=request.app.state.code_key,
        source=auth.client_address(request, settings.trusted_proxies),
    )  # fmt: skip
    if isinstance(found, BudgetError):
        raise found
    entry = await transactions.read(request, queries.entry_voter, found)
    canonical = code_rules.normalise(typed)
    assert canonical is not None  # noqa: S101 - entry_for_code found its code
    voter = Voter(entry.entry_id, Channel.CODE, None)
    return VoterAccess(
        voter=voter, entitled=entry.entitled, revisable=False, code=code_rules.grouped(canonical)
    )
