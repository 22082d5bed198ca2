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


# A conflict with the current state of things (409), rather than malformed input (422).
CONFLICT: Final = (
    domain.TransitionRefused,
    domain.Locked,
    domain.ReadOnly,
    domain.WrongPhase,
    domain.ProposalState,
    domain.LastCouncil,
    domain.DemoNotEmpty,
    domain.EmailTaken,
    domain.InstanceTaken,
    domain.CodeTaken,
    domain.VotingClosed,
    domain.BallotFinal,
    domain.AlreadyVotedOnPaper,
    domain.AlreadyVoted,
    domain.BatchClosed,
    domain.VoteOver,
    domain.NotCertified,
)


def status_of(error: domain.BudgetError) -> int:
    """The HTTP status of a typed error: 404, 403, 429, 409 (a conflict), else 422."""
    if isinstance(error, domain.NotFound):
        return 404
    if isinstance(error, domain.PermissionDenied):
        return 403
    if isinstance(error, domain.Throttled):
        return 429
    if isinstance(error, CONFLICT):
        return 409
    return 422


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
    "budget.envelope-category": N_(
        "The category %(category)s is not one of this cycle's: it cannot have an envelope."
    ),
    "budget.envelopes-over": N_(
        "The category envelopes add up to %(total)s, more than the budget (%(amount)s)."
    ),
    "budget.envelopes-ranked": N_("Category envelopes cannot be used with ranked ballots."),
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
    "eligibility.not-eligible": N_(
        "Your entry on this cycle's roll does not entitle you to this budget."
    ),
    "eligibility.no-choice": N_("This cycle's district budgets go by district of residence."),
    "eligibility.district-chosen": N_(
        "Your district for this cycle is already chosen and cannot change."
    ),
    "eligibility.not-declaring": N_("This cycle takes no declarations now."),
    "eligibility.already-declared": N_("You already declared for this cycle."),
    "roll.not-roll-mode": N_("In this cycle voters declare themselves: it takes no voter roll."),
    "roll.header": N_("The first line must name the columns; missing: %(missing)s."),
    "roll.encoding": N_("The file is not UTF-8 text: save it as “CSV UTF-8”."),
    "roll.too-large": N_("A file holds at most %(max)s lines."),
    "roll.file-too-large": N_(
        "The file is larger than %(max_kib)s KiB: import it with “budget roll import”."
    ),
    "field.date": N_("Not a date: write it as 1990-05-31."),
    "roll.duplicate": N_("This external id is already on line %(line)s."),
    "roll.district": N_("No district of this cycle has the code %(district)s."),
    "roll.extra-cells": N_("This line has more cells than the first line has columns."),
    "roll.invalid": N_("%(count)s problem(s) in the file: nothing was imported."),
    "roll.entry-voided": N_("This roll entry is void."),
    "code.unknown": N_("This voting code is not valid for this cycle: check what you typed."),
    "code.voided": N_("This voting code was cancelled; a new letter replaces it."),
    "code.none": N_("This roll entry has no valid voting code."),
    "code.key-changed": N_(
        "The codes of this cycle were issued under another secret key: the operator must "
        "restore it."
    ),
    "eligibility.proposer": N_(
        "This cycle takes proposals only from residents entitled to vote in the budget: "
        "declare your district, or ask the council about the voter roll."
    ),
    "proposal.outside-map": N_(
        "This point lies outside the area of this cycle's map: check the latitude and longitude."
    ),
    "proposal.estimate": N_("Enter an estimate above zero and at most %(limit)s."),
    "coauthor.self": N_("You are already an author of this proposal."),
    "coauthor.daily-limit": N_(
        "You sent %(max)s invitations today, the most a day. Try again in %(retry_after)s seconds."
    ),
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
    "image.unreadable": N_("This file is not a JPEG, PNG or WebP image, or it is damaged."),
    "image.too-heavy": N_("An image file can be at most %(max_mb)s MB."),
    "image.too-many-pixels": N_(
        "This image is too large: at most %(max_megapixels)s million pixels."
    ),
    "image.limit": N_("A proposal can have at most %(max)s images: remove one first."),
    "support.off": N_("This cycle does not collect supports."),
    "engagement.rate-limited": N_(
        "You reached the limit of %(max)s in %(minutes)s minutes. Try again in "
        "%(retry_after)s seconds."
    ),
    "comment.edit-closed": N_(
        "A comment can only be edited in the %(minutes)s minutes after it was written."
    ),
    "comment.reply-depth": N_("Replies are one level deep: answer the first comment instead."),
    "flag.already": N_("You already reported this; the moderators will look at it."),
    "merge.too-few": N_("Choose at least two proposals to merge."),
    "merge.budgets": N_("Merged proposals must all belong to the same budget."),
    # -- implementation tracking --
    "implementation.transition": N_("A project cannot go from %(from_status)s to %(to_status)s."),
    "implementation.done-progress": N_("A done project is complete: set its progress to 100."),
    "implementation.not-fundable": N_(
        "Proposal no. %(id)s cannot be funded: it is not on the ballot of a closed cycle."
    ),
    # -- voting --
    "ballot.shape": N_("This ballot form was altered: start again from the ballot page."),
    "ballot.blank": N_("Choose at least one project."),
    "ballot.unknown-project": N_("Project %(project)s is not on this budget's ballot."),
    "ballot.duplicate": N_("Project %(project)s appears twice on the ballot."),
    "ballot.too-few": N_("Choose at least %(min)s projects (%(count)s chosen)."),
    "ballot.too-many": N_("Choose at most %(max)s projects (%(count)s chosen)."),
    "ballot.over-budget": N_(
        "The chosen projects cost %(total)s, more than the budget of %(limit)s."
    ),
    "ballot.under-minimum-spend": N_(
        "The chosen projects cost %(total)s: use at least %(pct)s%% of the budget of %(limit)s."
    ),
    "ballot.points-not-positive": N_("Give each listed project at least 1 point."),
    "ballot.points-per-project": N_("At most %(cap)s points per project (%(points)s given)."),
    "ballot.points-over-limit": N_("%(given)s points given: at most %(allowed)s."),
    "ballot.rank-shared": N_("Two projects have rank %(rank)s: give each rank to one project."),
    "vote.closed": N_("Voting is not open for this budget."),
    "vote.not-entitled": N_("You are not entitled to vote in this budget."),
    "vote.final": N_(
        "This budget was already voted with this voting code on %(date)s: a code ballot is final."
    ),
    "vote.paper": N_("You already voted in this budget at a polling place."),
    "vote.stale-form": N_("This ballot form was already sent: see your receipt."),
    "receipt.invalid": N_("A receipt has 16 letters and digits, such as ABCD-EFGH-JKMN-PQRS."),
    "polling.off-shift": N_(
        "You are not on shift at this polling place now. Your next shift here starts at %(next)s."
    ),
    "polling.off-shift-none": N_(
        "You are not on shift at this polling place now, and no later shift is planned here."
    ),
    "polling.already-voted": N_(
        "This person already voted in one of these budgets (%(channel)s): they cannot vote "
        "in it again."
    ),
    "polling.nothing-to-check-in": N_(
        "Choose at least one budget this person may still vote in here."
    ),
    "polling.not-voted-here": N_("This budget is not voted at this polling place."),
    "polling.batch-closed": N_("Batch %(number)s is %(state)s: nothing more can be entered."),
    "polling.sides-taken": N_("Two other officers already enter this batch."),
    "polling.already-entered": N_(
        "Ballot #%(number)s is already entered on your side: correct it from the differences."
    ),
    "polling.not-a-difference": N_(
        "Ballot #%(number)s is not a difference between the two entries."
    ),
    "polling.not-officer": N_("This account does not have the officer role."),
    "polling.shift-order": N_("A shift ends after it starts."),
    "polling.vote-over": N_(
        "Voting is over for this cycle: paper ballots can no longer be entered."
    ),
    "polling.surplus": N_(
        "%(paper)s paper ballots for %(check_ins)s check-ins: the council must explain and void "
        "a batch."
    ),
    "polling.pending": N_("%(count)s batches are not accepted yet."),
    "polling.reading-syntax": N_(
        "Type the project numbers separated by spaces (such as 3 5 12; points as 3:2), - for a "
        "blank ballot, x for one over the limit, ? for an unreadable one."
    ),
    # -- results --
    "results.not-closed": N_("This step needs the closed ballot box of a closed cycle."),
    "results.not-counted": N_("Count the budget first."),
    "results.already-certified": N_(
        "Certification has begun: the count and its amendments can no longer change."
    ),
    "results.same-certifier": N_(
        "You already confirmed this count: a second council member must confirm it."
    ),
    "results.mismatch": N_(
        "The %(field)s you confirmed no longer matches the count: read the page again."
    ),
    "results.already-published": N_("The results are already published."),
    "results.not-certified": N_(
        "The results are not certified yet: two council members must confirm each budget's "
        "count, then the cycle moves to certified."
    ),
    "results.not-on-ballot": N_("Project no. %(id)s is not on this budget's ballot."),
    "results.amendment-pointless": N_("Project no. %(id)s is already %(state)s as computed."),
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
    "budget.envelope-empty": N_(
        "Budget “%(budget)s”: the category %(category)s has an envelope but no project on the "
        "ballot."
    ),
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
    "from_status": labels.IMPLEMENTATION_STATUSES,
    "to_status": labels.IMPLEMENTATION_STATUSES,
    "channel": labels.CHANNELS,
    "state": labels.BATCH_STATES,
}

MONEY_PARAMS: Final = frozenset({"cost", "limit", "total", "amount"})


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
    "checked-in": N_("The check-in was recorded: hand over the ballot papers."),
    "entry-declared": N_("The new declared entry was recorded: check the person in below."),
    "batch-opened": N_("The batch was opened: enter its ballots."),
    "batch-entered": N_("Your entries were saved."),
    "entry-corrected": N_("Your correction was saved."),
    "batch-accepted": N_("Both entries agree: the batch is accepted and its ballots stored."),
    "place-created": N_("The polling place was created."),
    "shift-added": N_("The shift was added."),
    "batch-voided": N_("The batch was voided: its paper ballots are to be entered again."),
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
    "roll-imported": N_("The roll was imported."),
    "codes-none": N_("Every active entry already has a voting code: none was issued."),
    "entry-void": N_("The entry was voided."),
    "entry-code-void": N_("The voting code was cancelled."),
    "declared": N_("Your declaration was recorded."),
    "phase-changed": N_("The cycle moved to its new phase."),
    "roles-saved": N_("The roles were saved."),
    "proposal-created": N_("Your draft was saved. It stays private until you submit it."),
    "proposal-saved": N_("Your changes were saved."),
    "proposal-submitted": N_("Your proposal was submitted: it is now public."),
    "proposal-withdrawn": N_("The proposal was withdrawn."),
    "proposal-deleted": N_("The draft was deleted."),
    "coauthor-invited": N_(
        "If an account uses this address, its owner is invited and sees it on their invitations "
        "page. Their name appears here once they accept."
    ),
    "invitation-accepted": N_("You are now a co-author of this proposal."),
    "invitation-declined": N_("You declined the invitation."),
    "coauthor-left": N_("You are no longer an author of this proposal."),
    "image-added": N_("The image was added."),
    "image-removed": N_("The image was removed."),
    "supported": N_("Your support was counted."),
    "support-withdrawn": N_("Your support was withdrawn."),
    "comment-posted": N_("Your comment was published."),
    "comment-edited": N_("Your comment was changed."),
    "flagged": N_("Thank you: the moderators will look at your report."),
    "followed": N_("You follow this proposal: you will be told what becomes of it."),
    "unfollowed": N_("You no longer follow this proposal."),
    "moderation-hidden": N_("It was hidden, with its public reason."),
    "moderation-restored": N_("It was restored."),
    "moderation-dismissed": N_("The reports were dismissed."),
    "supports-saved": N_("The supports settings were saved."),
    "topics-saved": N_("Your choices were saved."),
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
    # -- implementation tracking --
    "project-saved": N_("The change was recorded and the authors were told."),
    "milestone-saved": N_("The milestone was saved and the authors were told."),
}
