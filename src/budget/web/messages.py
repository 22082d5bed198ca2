"""Translatable messages: a msgid with parameters, and the msgids of every typed error.

`MESSAGES` maps each `BudgetError.code` to a msgid, `REASONS` each guard `Reason.code` (why a
phase move is refused). Parameters that are codes themselves (phases, ballot types, limits) are
shown by their translated labels; amounts in minor units as decimal numbers. A test checks
that every error class and every reason the domain can raise has its message here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from babel.numbers import format_decimal
from babel.support import Translations

from budget.domain import errors as domain
from budget.domain.cycle import Reason
from budget.web import i18n, labels
from budget.web.i18n import N_

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """A msgid and its parameters, translated where it is shown."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)


MESSAGES: Final[Mapping[str, str]] = {
    "error": N_("The request could not be completed."),
    "form.invalid": N_("Some fields need attention: see the messages next to them."),
    "field.required": N_("This field is required."),
    "field.too-long": N_("Use at most %(max)s characters."),
    "field.out-of-range": N_("Enter a number from %(min)s to %(max)s."),
    "field.invalid-choice": N_("Choose one of the options."),
    "field.code": N_("Use 1 to 16 letters, digits or hyphens."),
    "email.invalid": N_("Enter an email address, such as name@example.org."),
    "email.taken": N_("An account already uses this email address."),
    "password.too-short": N_("A password needs at least %(min)s characters."),
    "password.too-long": N_("A password has at most %(max)s characters."),
    "password.trivial": N_("This password is too easy to guess: choose a less common one."),
    "cycle.time-zone": N_("Unknown time zone: use a name such as Europe/Paris."),
    "cycle.currency": N_("Unknown currency: use an ISO 4217 code such as EUR."),
    "district.code-taken": N_("Another district already uses this code."),
    "cycle.instance-taken": N_("Another cycle already uses this edition name."),
    "schedule.order": N_(
        "The %(phase)s phase must end after it starts, and not start before the previous "
        "phase ends."
    ),
    "budget.rule-incompatible": N_("The rule “%(rule)s” does not accept %(ballot_type)s ballots."),
    "budget.tie-break": N_(
        "Invalid tie-break chain: list known criteria, each once, ending with lottery."
    ),
    "budget.rule-option": N_("The rule option %(option)s is not valid."),
    "money.invalid": N_("Enter an amount, such as 1 250 000,50."),
    "money.ambiguous": N_(
        "Ambiguous amount: write 1250 or 1,25 rather than 1,250 (a single separator before "
        "three digits)."
    ),
    "money.sub-cent": N_("An amount cannot be finer than one cent."),
    "money.negative": N_("An amount cannot be negative."),
    "money.too-large": N_("This amount is too large."),
    "not-found": N_("This page does not exist, or is not public."),
    "permission.denied": N_("This action needs the %(role)s role."),
    "account.throttled": N_("Too many failed attempts. Try again in %(retry_after)s seconds."),
    "account.wrong-password": N_("The current password is wrong."),
    "account.last-council": N_("The last council member cannot lose the council role."),
    "account.email-not-verified": N_(
        "Confirm your e-mail address first: open the link we sent you, or ask for it again."
    ),
    "account.invalid-link": N_(
        "This link is not valid any more (used, replaced by a newer one, or expired). Ask for "
        "a new one."
    ),
    "account.self-approval": N_(
        "A second council member must approve this, not the member it is for."
    ),
    "account.deleted": N_("This account was deleted."),
    "account.sign-in-refused": N_(
        "The sign-in through the identity provider was refused: %(reason)s. Nothing was "
        "changed; try again from the sign-in page."
    ),
    "cycle.transition-refused": N_("The cycle cannot move from %(source)s to %(target)s yet:"),
    "cycle.locked": N_("These settings are frozen since voting opened: %(fields)s."),
    "cycle.read-only": N_("An archived cycle is read-only."),
    "cycle.wrong-phase": N_("This is not possible in the %(phase)s phase."),
    "schema.unmigrated": N_("The database has no schema yet: run “budget migrate”."),
    "schema.outdated": N_("The database schema is out of date: run “budget migrate”."),
    "schema.too-new": N_("The database is newer than this version of the software."),
    "demo.not-empty": N_("The demo only fills an empty database."),
    "proposal.state": N_("This is not possible for a proposal that is %(status)s."),
    "proposal.limit": N_("A resident may submit at most %(max)s proposals in a cycle."),
    # -- proposals: authoring --
    "proposal.not-author": N_("Only the proposal's authors may do this."),
    "proposal.not-creator": N_("Only the proposal's creator may do this."),
    "proposal.outside-district": N_("This point lies outside the district's boundary."),
    "proposal.estimate": N_("Enter an estimate above zero and at most %(limit)s."),
    "coauthor.unknown": N_(
        "No account uses this email address: ask this person to create an account first."
    ),
    "coauthor.self": N_("You are already an author of this proposal."),
    "coauthor.already": N_("This person is already invited or an author."),
    "coauthor.limit": N_("A proposal has at most %(max)s co-authors."),
    # -- proposals: places and categories (public side) --
    "geo.bad-boundary": N_("This boundary cannot be used: %(problem)s"),
    "geo.coordinate": N_("Enter a coordinate in decimal degrees, such as 48.8566."),
    "category.code-taken": N_("Another category of this cycle already uses this code."),
    "category.in-use": N_("This category cannot be deleted: proposals use it (%(count)s)."),
    # -- review --
    "field.too-short": N_("Use at least %(min)s characters."),
    "review.not-reviewer": N_("This account does not hold the reviewer role."),
    "review.author": N_("This reviewer is an author of the proposal."),
    "review.conflicted": N_("This reviewer declared a conflict of interest on the proposal."),
    "review.already-assigned": N_("This reviewer is already assigned to the proposal."),
    "review.locked": N_("This review was submitted: it is locked until the council reopens it."),
    "committee.name-taken": N_("Another committee of this cycle already uses this name."),
    "committee.already-member": N_("This reviewer is already a member of the committee."),
    "decision.justification": N_(
        "A submitted review raises a blocking objection: write an internal justification."
    ),
    "merge.too-few": N_("Choose at least two proposals to merge."),
    "merge.budgets": N_("Merged proposals must all belong to the same budget."),
}

REASONS: Final[Mapping[str, str]] = {
    "cycle.not-adjacent": N_("The cycle cannot go from %(source)s to %(target)s directly."),
    "cycle.no-budget": N_("Add at least one budget."),
    "budget.no-district": N_("Budget “%(budget)s”: choose its district."),
    "cycle.dates-missing": N_("Set the dates of the %(phase)s phase."),
    "cycle.proposals-submitted": N_("Proposals were already submitted (%(count)s)."),
    "budget.no-ballot-type": N_("Budget “%(budget)s”: choose a ballot type."),
    "budget.limit": N_("Budget “%(budget)s”: the ballot setting “%(field)s” is not valid."),
    "budget.unsatisfiable": N_(
        "Budget “%(budget)s”: no valid ballot exists with these limits and projects."
    ),
    "budget.no-rule": N_("Budget “%(budget)s”: choose an allocation rule."),
    "budget.no-tie-break": N_("Budget “%(budget)s”: set a tie-break chain."),
    "budget.tie-break": N_("Budget “%(budget)s”: the tie-break chain is not valid."),
    "budget.rule-incompatible": N_(
        "Budget “%(budget)s”: the rule “%(rule)s” does not accept %(ballot_type)s ballots."
    ),
    "budget.no-projects": N_("Budget “%(budget)s”: no project is on its ballot yet."),
    "budget.project-over-envelope": N_(
        "Budget “%(budget)s”: project “%(project)s” costs %(cost)s, more than the envelope "
        "(%(limit)s)."
    ),
    "budget.project-over-cap": N_(
        "Budget “%(budget)s”: project “%(project)s” costs %(cost)s, more than the maximum "
        "project cost (%(limit)s)."
    ),
    "cycle.undecided-proposals": N_("Proposals still awaiting a decision: %(count)s."),
    "cycle.no-roll": N_("Import the voter roll first."),
    "cycle.votes-exist": N_("Votes were already cast, so voting cannot go back to review."),
    "cycle.voting-not-ended": N_("Voting has not ended yet (end: %(ends_at)s)."),
    "cycle.unreconciled": N_("Polling places not yet reconciled: %(count)s."),
    "cycle.not-certified": N_(
        "Certification needs two distinct council members; so far: %(count)s."
    ),
    "cycle.not-published": N_("Publish the results first."),
    "cycle.unfinished-projects": N_("Funded projects neither done nor abandoned: %(count)s."),
}

LABELLED_PARAMS: Final[Mapping[str, Mapping[str, str]]] = {
    "phase": labels.PHASES,
    "source": labels.PHASES,
    "target": labels.PHASES,
    "ballot_type": labels.BALLOT_TYPES,
    "field": labels.LIMITS,
    "role": labels.ROLES,
    "status": labels.PROPOSAL_STATUSES,
    "problem": labels.BOUNDARY_PROBLEMS,
}
MONEY_PARAMS: Final = frozenset({"cost", "limit"})


def _param(name: str, value: object, translations: Translations, locale: str) -> str:
    if name in LABELLED_PARAMS and str(value) in LABELLED_PARAMS[name]:
        return translations.gettext(LABELLED_PARAMS[name][str(value)])
    if name in MONEY_PARAMS and isinstance(value, int):
        return format_decimal(Decimal(value) / 100, format="#,##0.00", locale=locale)
    if isinstance(value, dt.datetime):
        return i18n.format_datetime(value, locale)
    if value is None:
        return "—"
    if isinstance(value, tuple | list | frozenset | set):
        return ", ".join(str(item) for item in value)
    return str(value)


def translate(
    msgid: str, params: Mapping[str, object], translations: Translations, locale: str
) -> str:
    text = translations.gettext(msgid)
    if not params:
        return text
    # A translation naming a parameter the error lacks is a bug: tests compare placeholders.
    shown = {name: _param(name, value, translations, locale) for name, value in params.items()}
    return text % shown


def of_error(error: domain.BudgetError) -> Message:
    """The error's message; an unmapped code (a test forbids it) gets the generic one."""
    if error.code not in MESSAGES:
        log.error("no message for error code %s", error.code)
    return Message(MESSAGES.get(error.code, MESSAGES["error"]), error.params)


def of_reason(reason: Reason) -> Message:
    """Why a phase move is refused; an unmapped code (a test forbids it) gets the generic one."""
    if reason.code not in REASONS:
        log.error("no message for guard reason %s", reason.code)
    return Message(REASONS.get(reason.code, MESSAGES["error"]), reason.params)


# Confirmations shown after a redirect (`?notice=<key>`): an allow-list, so a crafted link can
# only ever show one of these sentences.
NOTICES: Final[Mapping[str, str]] = {
    "registered": N_(
        "Thank you. We sent a mail to this address: open its link to confirm the address. You "
        "can sign in meanwhile and read everything; proposing waits for the confirmation."
    ),
    "link-sent": N_(
        "If this address has an account waiting for it, we sent it a mail with a link. It "
        "may take a few minutes; look in the spam folder too."
    ),
    "email-confirmed": N_("Your e-mail address is confirmed. You can now take part."),
    "email-change-sent": N_(
        "We sent a link to the new address; your address changes once you open it. We told "
        "the current address too."
    ),
    "reset-sent": N_(
        "If this address has an account, we sent it a link to choose a new password. It works "
        "once, for 30 minutes."
    ),
    "password-reset": N_(
        "Your new password is set and every session of the account was signed out. Sign in."
    ),
    "reset-approved": N_("The reset was approved: the member was mailed a link."),
    "oidc-link-sent": N_(
        "One more step: we sent a mail to the address your identity provider gave. Open its "
        "link to attach this sign-in to your account (or to create it)."
    ),
    "session-ended": N_("That session was signed out."),
    "account-deleted": N_(
        "Your account was deleted. Your proposals stay, credited to a former resident."
    ),
    "page-saved": N_("The page was saved."),
    "signed-in": N_("You are signed in."),
    "signed-out": N_("You are signed out."),
    "password-changed": N_("Your password was changed. Your other sessions were signed out."),
    "cycle-created": N_("The cycle was created."),
    "cycle-saved": N_("The cycle was saved."),
    "schedule-saved": N_("The schedule was saved."),
    "budget-created": N_("The budget was created."),
    "budget-saved": N_("The budget was saved."),
    "district-created": N_("The district was created."),
    "district-saved": N_("The district was saved."),
    "phase-changed": N_("The cycle moved to its new phase."),
    "roles-saved": N_("The roles were saved."),
    "proposal-created": N_("Your draft was saved. It stays private until you submit it."),
    "proposal-saved": N_("Your changes were saved."),
    "proposal-submitted": N_("Your proposal was submitted: it is now public."),
    "proposal-withdrawn": N_("The proposal was withdrawn."),
    "coauthor-invited": N_("The invitation was sent."),
    "invitation-accepted": N_("You are now a co-author of this proposal."),
    "invitation-declined": N_("You declined the invitation."),
    "coauthor-left": N_("You are no longer an author of this proposal."),
    "category-created": N_("The category was created."),
    "category-saved": N_("The category was saved."),
    "category-deleted": N_("The category was deleted."),
    # -- review --
    "review-saved": N_("Your review was saved as a draft."),
    "review-submitted": N_(
        "Your review was submitted. It is locked unless the council reopens it."
    ),
    "conflict-declared": N_(
        "Your conflict of interest was recorded: the proposal left your queue."
    ),
    "note-added": N_("The internal note was added."),
    "committee-created": N_("The committee was created."),
    "committee-saved": N_("The committee was saved."),
    "assigned": N_("The proposal was assigned."),
    "unassigned": N_("The proposal was taken back from the reviewer."),
    "decided": N_("The decision was recorded and the authors were told."),
    "review-reopened": N_("The review was reopened: its reviewer may change it."),
    "merged": N_("The proposals were merged into this one."),
    "notifications-read": N_("Your notifications are marked as read."),
    "notifications-saved": N_("Your notification preference was saved."),
}
