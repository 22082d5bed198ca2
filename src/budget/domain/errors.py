# ruff: noqa: N818 - names state the mistake (OverBudget), as STYLE.md shows
"""Typed errors for mistakes a person can correct: a stable `code` and parameters, no prose.

The web layer maps `code` to a translated message filled with `params`; `str(error)` gives an
English fallback (the CLI prints it). A service raises these before writing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar


class BudgetError(Exception):
    """A mistake the user can correct; `code` keys the message, `params` fill it."""

    code: ClassVar[str] = "error"
    message: ClassVar[str] = "invalid request"

    def __init__(self, **params: object) -> None:
        self.params: dict[str, object] = dict(params)
        super().__init__(self.describe())

    def describe(self) -> str:
        """The English fallback message, with the parameters filled in."""
        try:
            return self.message.format(**self.params)
        except (KeyError, IndexError):  # a message naming a parameter the raiser left out
            return f"{self.message} {self.params}"


class FieldErrors(BudgetError):
    """Several form fields are wrong at once; `fields` maps each field name to its error."""

    code = "form.invalid"
    message = "some fields are invalid: {names}"

    def __init__(self, fields: Mapping[str, BudgetError]) -> None:
        self.fields: dict[str, BudgetError] = dict(fields)
        super().__init__(names=", ".join(f"{k} ({v.code})" for k, v in self.fields.items()))


def raise_if_any(errors: Mapping[str, BudgetError]) -> None:
    """Raise `FieldErrors` when at least one field failed; collect all of them first."""
    if errors:
        raise FieldErrors(errors)


def collect(errors: dict[str, BudgetError], name: str, check: Callable[[], object]) -> None:
    """Run `check` and file the BudgetError it raises, if any, under field `name`."""
    try:
        check()
    except BudgetError as error:
        errors[name] = error


# -- single fields ---------------------------------------------------------------------------


class Required(BudgetError):
    code = "field.required"
    message = "this field is required"


class TooLong(BudgetError):
    code = "field.too-long"
    message = "at most {max} characters"


class OutOfRange(BudgetError):
    code = "field.out-of-range"
    message = "must lie between {min} and {max}"


class InvalidChoice(BudgetError):
    code = "field.invalid-choice"
    message = "must be one of: {choices}"


class InvalidCode(BudgetError):
    code = "field.code"
    message = "use 1 to 16 letters, digits or hyphens"


class InvalidEmail(BudgetError):
    code = "email.invalid"
    message = "not a valid email address"


class EmailTaken(BudgetError):
    code = "email.taken"
    message = "an account already uses this email address"


class PasswordTooShort(BudgetError):
    code = "password.too-short"
    message = "a password needs at least {min} characters"


class PasswordTooLong(BudgetError):
    code = "password.too-long"
    message = "a password has at most {max} characters"


class PasswordTrivial(BudgetError):
    code = "password.trivial"
    message = "this password is too easy to guess"


class InvalidTimeZone(BudgetError):
    code = "cycle.time-zone"
    message = "unknown time zone (use a name such as Europe/Paris)"


class InvalidCurrency(BudgetError):
    code = "cycle.currency"
    message = "unknown currency (use an ISO 4217 code such as EUR)"


class CodeTaken(BudgetError):
    code = "district.code-taken"
    message = "another district already uses this code"


class InstanceTaken(BudgetError):
    code = "cycle.instance-taken"
    message = "another cycle already uses this instance"


class DatesOutOfOrder(BudgetError):
    code = "schedule.order"
    message = "the {phase} phase must end after it starts and not before the previous phase ends"


class RuleIncompatible(BudgetError):
    code = "budget.rule-incompatible"
    message = "rule {rule} does not accept {ballot_type} ballots"


class InvalidTieBreak(BudgetError):
    code = "budget.tie-break"
    message = "invalid tie-break chain: {detail}"


class InvalidRuleOption(BudgetError):
    code = "budget.rule-option"
    message = "invalid rule option {option}"


class EnvelopeCategory(BudgetError):
    code = "budget.envelope-category"
    message = "the category {category} has no envelope here: it is not one of the cycle's"


class EnvelopesOverBudget(BudgetError):
    code = "budget.envelopes-over"
    message = "the category envelopes add up to {total}, more than the budget's {amount}"


class EnvelopesRanked(BudgetError):
    code = "budget.envelopes-ranked"
    message = "category envelopes cannot be used with ranked ballots"


# -- money -----------------------------------------------------------------------------------


class InvalidAmount(BudgetError):
    code = "money.invalid"
    message = "not an amount (write it like 1 250 000,50)"


class AmbiguousAmount(BudgetError):
    code = "money.ambiguous"
    message = "ambiguous amount: write 1250 or 1,25 without a single separator before 3 digits"


class SubCentAmount(BudgetError):
    code = "money.sub-cent"
    message = "an amount cannot be finer than one cent"


class NegativeAmount(BudgetError):
    code = "money.negative"
    message = "an amount cannot be negative"


class AmountTooLarge(BudgetError):
    code = "money.too-large"
    message = "an amount must not exceed {max} minor units"


# -- access and accounts ---------------------------------------------------------------------


class NotFound(BudgetError):
    code = "not-found"
    message = "no {kind} with id {id}"


class PermissionDenied(BudgetError):
    code = "permission.denied"
    message = "this action needs the {role} role"


class Throttled(BudgetError):
    code = "account.throttled"
    message = "too many failed attempts; try again in {retry_after} seconds"


class WrongPassword(BudgetError):
    code = "account.wrong-password"
    message = "the current password is wrong"


class LastCouncil(BudgetError):
    code = "account.last-council"
    message = "the last council member cannot lose the council role"


class EmailNotVerified(PermissionDenied):
    """Proposing, supporting, commenting, declaring and voting need a verified address."""

    code = "account.email-not-verified"
    message = "confirm your e-mail address first (open the link we sent you)"


class InvalidLink(BudgetError):
    """A mailed link that is unknown, already used, superseded or expired: one answer for all."""

    code = "account.invalid-link"
    message = "this link is not valid any more; ask for a new one"


class SelfApproval(BudgetError):
    code = "account.self-approval"
    message = "a second council member must approve this, not the one it is for"


class AccountDeleted(BudgetError):
    code = "account.deleted"
    message = "this account was deleted"


class SignInRefused(BudgetError):
    """An OpenID Connect sign-in that failed a check; `reason` names which (never a secret)."""

    code = "account.sign-in-refused"
    message = "the sign-in through the identity provider was refused ({reason})"


# -- cycles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason an action is refused: a message code and its parameters (no prose)."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.code} ({details})" if details else self.code


class TransitionRefused(BudgetError):
    code = "cycle.transition-refused"
    message = "cannot move from {source} to {target}: {summary}"

    def __init__(self, *, source: str, target: str, reasons: tuple[Reason, ...]) -> None:
        self.reasons = reasons
        summary = "; ".join(str(r) for r in reasons)
        super().__init__(source=source, target=target, reasons=reasons, summary=summary)


class Locked(BudgetError):
    code = "cycle.locked"
    message = "frozen since voting opened: {fields}"


class ReadOnly(BudgetError):
    code = "cycle.read-only"
    message = "an archived cycle is read-only"


class WrongPhase(BudgetError):
    code = "cycle.wrong-phase"
    message = "not allowed in the {phase} phase"


class ProposalState(BudgetError):
    code = "proposal.state"
    message = "not allowed for a proposal that is {status}"


class ProposalLimit(BudgetError):
    code = "proposal.limit"
    message = "at most {max} submitted proposals per author in a cycle"


# -- operations ------------------------------------------------------------------------------


class SchemaNotMigrated(BudgetError):
    code = "schema.unmigrated"
    message = "the database has no schema yet: run `budget migrate`"


class SchemaOutdated(BudgetError):
    code = "schema.outdated"
    message = "the database is at revision {current}, the code needs {head}: run `budget migrate`"


class SchemaTooNew(BudgetError):
    code = "schema.too-new"
    message = (
        "the database is at revision {current}, newer than this code ({head}): "
        "upgrade the software, or restore a matching backup"
    )


class DemoNotEmpty(BudgetError):
    code = "demo.not-empty"
    message = "the demo only fills an empty database (accounts or cycles already exist)"


# -- proposals: places and categories (public side) ------------------------------------------


class BadBoundary(BudgetError):
    code = "geo.bad-boundary"
    message = "not a usable GeoJSON boundary: {problem}"


class InvalidCoordinate(BudgetError):
    code = "geo.coordinate"
    message = "not a coordinate in decimal degrees (such as 48.8566)"


class CategoryCodeTaken(BudgetError):
    code = "category.code-taken"
    message = "another category of this cycle already uses this code"


class CategoryInUse(BudgetError):
    code = "category.in-use"
    message = "{count} proposals use this category"


# -- proposals: authoring (drafts, co-authors) -----------------------------------------------


class NotAuthor(PermissionDenied):
    code = "proposal.not-author"
    message = "only the proposal's authors may do this"


class NotCreator(PermissionDenied):
    code = "proposal.not-creator"
    message = "only the proposal's creator may do this"


class OutsideDistrict(BudgetError):
    code = "proposal.outside-district"
    message = "this point lies outside the district's boundary"


class OutsideMap(BudgetError):
    code = "proposal.outside-map"
    message = "this point lies outside the area of this cycle's map"


class EstimateOutOfRange(BudgetError):
    code = "proposal.estimate"
    message = "an estimate is more than zero and at most {limit} minor units"


class InvitationLimit(Throttled):
    code = "coauthor.daily-limit"
    message = "at most {max} invitations a day; try again in {retry_after} seconds"


class SelfInvitation(BudgetError):
    code = "coauthor.self"
    message = "you are already an author of this proposal"


class TooManyCoauthors(BudgetError):
    code = "coauthor.limit"
    message = "a proposal has at most {max} co-authors"


# -- before review: images, supports, comments, moderation -----------------------------------


class ImageUnreadable(BudgetError):
    code = "image.unreadable"
    message = "not a JPEG, PNG or WebP image"


class ImageTooHeavy(BudgetError):
    code = "image.too-heavy"
    message = "an image file has at most {max_mb} MB"


class ImageTooManyPixels(BudgetError):
    code = "image.too-many-pixels"
    message = "an image has at most {max_megapixels} million pixels"


class TooManyImages(BudgetError):
    code = "image.limit"
    message = "a proposal has at most {max} images"


class SupportsOff(BudgetError):
    code = "support.off"
    message = "this cycle does not collect supports"


class RateLimited(Throttled):
    code = "engagement.rate-limited"
    message = "at most {max} in {minutes} minutes; try again in {retry_after} seconds"


class EditWindowClosed(BudgetError):
    code = "comment.edit-closed"
    message = "a comment can be edited for {minutes} minutes after it is written"


class ReplyDepth(BudgetError):
    code = "comment.reply-depth"
    message = "replies are one level deep: answer the first comment instead"


class AlreadyFlagged(BudgetError):
    code = "flag.already"
    message = "you already reported this"


# -- review: committees, assignments, reviews, decisions, merging ----------------------------


class TooShort(BudgetError):
    code = "field.too-short"
    message = "at least {min} characters"


class NotReviewer(BudgetError):
    code = "review.not-reviewer"
    message = "this account does not hold the reviewer role"


class ReviewerIsAuthor(BudgetError):
    code = "review.author"
    message = "this reviewer is an author of the proposal"


class ReviewerConflicted(BudgetError):
    code = "review.conflicted"
    message = "this reviewer declared a conflict of interest on the proposal"


class AlreadyAssigned(BudgetError):
    code = "review.already-assigned"
    message = "this reviewer is already assigned to the proposal"


class ReviewLocked(BudgetError):
    code = "review.locked"
    message = "a submitted review is locked until the council reopens it"


class CommitteeNameTaken(BudgetError):
    code = "committee.name-taken"
    message = "another committee of this cycle already uses this name"


class AlreadyMember(BudgetError):
    code = "committee.already-member"
    message = "this reviewer is already a member of the committee"


class JustificationRequired(BudgetError):
    code = "decision.justification"
    message = "a submitted review raises a blocking objection: write an internal justification"


class MergeTooFew(BudgetError):
    code = "merge.too-few"
    message = "choose at least two proposals to merge"


class MergeBudgets(BudgetError):
    code = "merge.budgets"
    message = "merged proposals must all belong to the same budget"


# -- ballots and voting ------------------------------------------------------------------------


class BallotShape(BudgetError):
    code = "ballot.shape"
    message = "this ballot does not have the form of a {ballot_type} ballot"


class BlankBallot(BudgetError):
    code = "ballot.blank"
    message = "choose at least one project"


class UnknownProject(BudgetError):
    code = "ballot.unknown-project"
    message = "project {project} is not on this budget's ballot"


class DuplicateProject(BudgetError):
    code = "ballot.duplicate"
    message = "project {project} appears twice"


class TooFewChoices(BudgetError):
    code = "ballot.too-few"
    message = "choose at least {min} projects ({count} chosen)"


class TooManyChoices(BudgetError):
    code = "ballot.too-many"
    message = "choose at most {max} projects ({count} chosen)"


class OverBudget(BudgetError):
    code = "ballot.over-budget"
    message = "the chosen projects cost {total}, more than the envelope of {limit}"


class UnderMinimumSpend(BudgetError):
    code = "ballot.under-minimum-spend"
    message = "the chosen projects cost {total}: use at least {pct}% of {limit}"


class PointsNotPositive(BudgetError):
    code = "ballot.points-not-positive"
    message = "project {project} is listed with {points} points: give it at least 1"


class PointsPerProject(BudgetError):
    code = "ballot.points-per-project"
    message = "project {project} has {points} points, more than {cap}"


class PointsOverLimit(BudgetError):
    code = "ballot.points-over-limit"
    message = "{given} points given, more than {allowed}"


class VotingClosed(BudgetError):
    code = "vote.closed"
    message = "voting is not open for this budget"


class NotEntitled(PermissionDenied):
    code = "vote.not-entitled"
    message = "you are not entitled to vote in this budget"


class BallotFinal(BudgetError):
    code = "vote.final"
    message = "this budget was already voted with this code on {date}: a code ballot is final"


class AlreadyVotedOnPaper(BudgetError):
    code = "vote.paper"
    message = "you already voted in this budget at a polling place"


class StaleBallotForm(BudgetError):
    code = "vote.stale-form"
    message = "this ballot form was sent before; see your receipt"


class InvalidReceipt(BudgetError):
    code = "receipt.invalid"
    message = "a receipt has 16 letters and digits"


# -- eligibility and the roll ----------------------------------------------------------------


class NotEligible(BudgetError):
    code = "eligibility.not-eligible"
    message = "your roll entry for this cycle does not entitle you to this budget"


class DistrictNotChoosable(BudgetError):
    code = "eligibility.no-choice"
    message = "this cycle's district budgets go by district of residence"


class DistrictAlreadyChosen(BudgetError):
    code = "eligibility.district-chosen"
    message = "your district for this cycle is already chosen and cannot change"


class NotDeclaredMode(BudgetError):
    code = "eligibility.not-declaring"
    message = "this cycle takes no declarations now"


class AlreadyDeclared(BudgetError):
    code = "eligibility.already-declared"
    message = "you already declared for this cycle"


class ProposerNotEligible(BudgetError):
    code = "eligibility.proposer"
    message = "this cycle takes proposals from residents entitled to the budget only"


# -- implementation tracking -----------------------------------------------------------------


class StatusTransition(BudgetError):
    code = "implementation.transition"
    message = "a project cannot go from {from_status} to {to_status}"


class DoneNotComplete(BudgetError):
    code = "implementation.done-progress"
    message = "a done project is 100% complete"


class NotFundable(BudgetError):
    code = "implementation.not-fundable"
    message = "proposal {id} is not on a ballot of a closed cycle"


class NotRollMode(BudgetError):
    code = "roll.not-roll-mode"
    message = "this cycle's voters declare themselves: it takes no imported roll"


class RollHeader(BudgetError):
    code = "roll.header"
    message = "the first line must name the columns; missing: {missing}"


class RollNotText(BudgetError):
    code = "roll.encoding"
    message = "the file is not UTF-8 text (save it as CSV UTF-8)"


class RollTooLarge(BudgetError):
    code = "roll.too-large"
    message = "at most {max} lines per file"


class InvalidDate(BudgetError):
    code = "field.date"
    message = "not a date: write it as 1990-05-31"


class DuplicateInRoll(BudgetError):
    code = "roll.duplicate"
    message = "this external id is already on line {line}"


class UnknownDistrictCode(BudgetError):
    code = "roll.district"
    message = "no district of this cycle has the code {district}"


@dataclass(frozen=True)
class RowProblem:
    """One problem in an imported file: its line (1 is the header), column and error."""

    line: int
    field: str
    error: BudgetError

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.error}"


class RollFileInvalid(BudgetError):
    """Every problem of the file at once; nothing was written."""

    code = "roll.invalid"
    message = "{count} problem(s) in the file, nothing imported: {summary}"

    def __init__(self, problems: tuple[RowProblem, ...]) -> None:
        self.problems = problems
        summary = "; ".join(str(p) for p in problems[:20])
        super().__init__(count=len(problems), summary=summary)


class EntryVoided(BudgetError):
    code = "roll.entry-voided"
    message = "this roll entry is void"


class UnknownVotingCode(BudgetError):
    code = "code.unknown"
    message = "this voting code is not valid for this cycle: check what you typed"


class VotingCodeVoided(BudgetError):
    code = "code.voided"
    message = "this voting code was cancelled; a new letter replaces it"


class NoLiveCode(BudgetError):
    code = "code.none"
    message = "this roll entry has no valid voting code"


class CodeKeyChanged(BudgetError):
    code = "code.key-changed"
    message = "the codes of this cycle were issued under another SECRET_KEY: restore that key"


class RollExtraCells(BudgetError):
    code = "roll.extra-cells"
    message = "this line has more cells than the first line has columns"


class RollFileTooLarge(BudgetError):
    code = "roll.file-too-large"
    message = "the file is larger than {max_kib} KiB: import it with `budget roll import`"


class RankShared(BudgetError):
    code = "ballot.rank-shared"
    message = "two projects have rank {rank}: give each rank to one project"


# -- polling places and paper ballots (issue 17) -------------------------------------------------


class OffShift(PermissionDenied):
    """An officer's page outside their shift at that place; `next` is the next shift's start."""

    code = "polling.off-shift"
    message = "you are not on shift at this polling place now (next shift: {next})"


class OffShiftNone(PermissionDenied):
    code = "polling.off-shift-none"
    message = "you are not on shift at this polling place now, and no later shift is planned"


class AlreadyVoted(BudgetError):
    code = "polling.already-voted"
    message = "this person already voted in budget {budget} ({channel})"


class NothingToCheckIn(BudgetError):
    code = "polling.nothing-to-check-in"
    message = "choose at least one budget this person may still vote in here"


class NotVotedHere(BudgetError):
    code = "polling.not-voted-here"
    message = "budget {budget} is not voted at this polling place"


class BatchClosed(BudgetError):
    code = "polling.batch-closed"
    message = "batch {number} is {state}: nothing more can be entered"


class SidesTaken(PermissionDenied):
    code = "polling.sides-taken"
    message = "two other officers already enter this batch"


class AlreadyEntered(BudgetError):
    code = "polling.already-entered"
    message = "ballot #{number} is already entered on your side: correct it from the differences"


class NotADifference(BudgetError):
    code = "polling.not-a-difference"
    message = "ballot #{number} is not a difference between the two entries"


class NotOfficer(BudgetError):
    code = "polling.not-officer"
    message = "this account does not have the officer role"


class ShiftOrder(BudgetError):
    code = "polling.shift-order"
    message = "a shift ends after it starts"


class VoteOver(BudgetError):
    code = "polling.vote-over"
    message = "voting is over for this cycle: paper ballots can no longer be entered"


class ReadingSyntax(BudgetError):
    code = "polling.reading-syntax"
    message = "type project numbers separated by spaces, - blank, x over the limit, ? unreadable"


class NotClosed(BudgetError):
    code = "results.not-closed"
    message = "the budget's ballot box is not closed"


class NotCounted(BudgetError):
    code = "results.not-counted"
    message = "the budget has not been counted"


class NotCertified(BudgetError):
    code = "results.not-certified"
    message = "the cycle's results are not certified: two council members confirm each count"


class AlreadyCertified(BudgetError):
    code = "results.already-certified"
    message = "the count is already certified or being certified: it cannot change"


class SameCertifier(BudgetError):
    code = "results.same-certifier"
    message = "you already confirmed this count: a second council member must confirm it"


class CertificationMismatch(BudgetError):
    code = "results.mismatch"
    message = "the {field} you confirmed does not match the count"


class AlreadyPublished(BudgetError):
    code = "results.already-published"
    message = "the results are already published"


class NotOnBallot(BudgetError):
    code = "results.not-on-ballot"
    message = "proposal {id} is not on this budget's ballot"


class AmendmentPointless(BudgetError):
    code = "results.amendment-pointless"
    message = "proposal {id} is already {state} in the computed outcome"
