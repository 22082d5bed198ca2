"""The words of notifications: one subject and one body per kind, as gettext msgids, rendered
in the reader's language.

Why here, and why like this: a notification and its email are written in the same transaction
as the decision they report (services/notifications.py), so the email's subject and body must
be rendered inside the service, in the recipient's language (Account.language), not in the
language of whoever clicked. Services may not read `budget.config` nor use Jinja2; they may use
Babel. The catalogues are deployment artefacts like the templates, not settings: by default
they are read from the `locales/` directory of the source tree, the one `create_app` reads, and
a caller may pass another directory (`catalogues(path)`). The in-app list renders the same
kind and parameters with the page's own catalogue (`render(..., translations)`), so a
notification reads in whatever language its reader uses today.

Subjects carry no text a user wrote (no title, no name): a mail subject is what a phishing
message would imitate, so it holds only our words and the proposal's number. Parameters are
public facts only (titles, ids, amounts, public explanations): never an internal
note, a review or the council's internal justification (T7), never any ballot content.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final

from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

LOCALES_DIR: Final = Path(__file__).resolve().parents[3] / "locales"
LANGUAGES: Final = ("fr", "en")
DEFAULT_LANGUAGE: Final = "fr"
DOMAIN: Final = "messages"
SUBJECT_MAX: Final = 200  # OutboxEmail.subject


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark a msgid for extraction; translated when rendered."""
    return message


class Kind:
    """Notification kinds (Notification.kind, at most 32 characters)."""

    REVIEW_ASSIGNED: Final = "review.assigned"
    REVIEW_REOPENED: Final = "review.reopened"
    REVIEW_STARTED: Final = "proposal.review-started"
    DECIDED_FEASIBLE: Final = "proposal.feasible"
    DECIDED_INFEASIBLE: Final = "proposal.infeasible"
    MERGED: Final = "proposal.merged"
    COAUTHOR_INVITED: Final = "coauthor.invited"
    # To followers (services.follows.notify_followers); building news uses PROJECT_* below.
    FOLLOWED_FEASIBLE: Final = "followed.feasible"
    FOLLOWED_INFEASIBLE: Final = "followed.infeasible"
    VOTE_OPENED: Final = "followed.vote-opened"
    RESULTS_PUBLISHED: Final = "followed.results"
    PROJECT_FUNDED: Final = "project.funded"
    PROJECT_UPDATED: Final = "project.updated"
    MILESTONE: Final = "project.milestone"
    VOTING_OPENED: Final = "vote.opened"
    VOTING_CLOSING: Final = "vote.closing"
    # Account mail (never an in-app notification): each carries a single-use link or warns
    # the owner of an address (services/identity.py, recovery.py).
    VERIFY_EMAIL: Final = "account.verify"
    ALREADY_REGISTERED: Final = "account.exists"
    EMAIL_CHANGE_NEW: Final = "account.email-new"
    EMAIL_CHANGE_OLD: Final = "account.email-old"
    RESET_LINK: Final = "account.reset"
    RESET_APPROVAL: Final = "account.reset-approval"
    OIDC_LINK: Final = "account.oidc-link"


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


TEXTS: Final[Mapping[str, Text]] = {
    Kind.REVIEW_ASSIGNED: Text(
        N_("A proposal to review (no. %(proposal)s)"),
        N_(
            "The council asked you to review the proposal “%(title)s” (no. %(proposal)s). "
            "It is waiting in your review queue."
        ),
    ),
    Kind.REVIEW_REOPENED: Text(
        N_("Your review was reopened (proposal no. %(proposal)s)"),
        N_(
            "The council reopened your review of the proposal “%(title)s” (no. %(proposal)s): "
            "you may change it and submit it again."
        ),
    ),
    Kind.REVIEW_STARTED: Text(
        N_("Your proposal is in review (no. %(proposal)s)"),
        N_(
            "City services are now checking the feasibility and the cost of your proposal "
            "“%(title)s” (no. %(proposal)s)."
        ),
    ),
    Kind.DECIDED_FEASIBLE: Text(
        N_("Your proposal is feasible (no. %(proposal)s)"),
        N_(
            "The council found your proposal “%(title)s” (no. %(proposal)s) feasible, at a "
            "final cost of %(final_cost)s. It will be on the ballot when voting opens."
        ),
    ),
    Kind.DECIDED_INFEASIBLE: Text(
        N_("Decision on your proposal (no. %(proposal)s)"),
        N_(
            "The council found your proposal “%(title)s” (no. %(proposal)s) not feasible. "
            "Its explanation: %(explanation)s"
        ),
    ),
    Kind.MERGED: Text(
        N_("Your proposal was merged (no. %(proposal)s)"),
        N_(
            "The council merged your proposal with others into the proposal “%(title)s” "
            "(no. %(proposal)s). You are credited as one of its authors."
        ),
    ),
    Kind.COAUTHOR_INVITED: Text(
        N_("An invitation to co-author a proposal (no. %(proposal)s)"),
        N_(
            "%(inviter)s invites you to co-author the proposal “%(title)s” (no. %(proposal)s). "
            "Accept or decline it on your invitations page."
        ),
    ),
    Kind.FOLLOWED_FEASIBLE: Text(
        N_("A proposal you follow is feasible (no. %(proposal)s)"),
        N_(
            "The council found the proposal “%(title)s” (no. %(proposal)s) feasible, at a final "
            "cost of %(final_cost)s. It will be on the ballot when voting opens."
        ),
    ),
    Kind.FOLLOWED_INFEASIBLE: Text(
        N_("Decision on a proposal you follow (no. %(proposal)s)"),
        N_(
            "The council found the proposal “%(title)s” (no. %(proposal)s) not feasible. Its "
            "explanation: %(explanation)s"
        ),
    ),
    Kind.VOTE_OPENED: Text(
        N_("A proposal you follow is on the ballot (no. %(proposal)s)"),
        N_(
            "The proposal “%(title)s” (no. %(proposal)s), which you follow, is on the ballot: "
            "voting is open."
        ),
    ),
    Kind.RESULTS_PUBLISHED: Text(
        N_("Results are out for a proposal you follow (no. %(proposal)s)"),
        N_(
            "The results of the vote are published. See what became of the proposal "
            "“%(title)s” (no. %(proposal)s), which you follow."
        ),
    ),
    Kind.PROJECT_FUNDED: Text(
        N_("Your proposal is funded (no. %(proposal)s)"),
        N_(
            "The proposal “%(title)s” (no. %(proposal)s) won funding. Its building will be "
            "reported on its project page: status, progress and milestones."
        ),
    ),
    Kind.PROJECT_UPDATED: Text(
        N_("Building news of a project (no. %(proposal)s)"),
        N_(
            "The project “%(title)s” (no. %(proposal)s) is %(implementation_status)s, "
            "%(progress)s %% complete. %(note)s"
        ),
    ),
    Kind.MILESTONE: Text(
        N_("A milestone of a project (no. %(proposal)s)"),
        N_(
            "The project “%(title)s” (no. %(proposal)s) has a milestone: “%(milestone)s”, "
            "planned on %(planned_on)s, reached on %(reached_on)s."
        ),
    ),
    Kind.VOTING_OPENED: Text(
        N_("Voting is open (participatory budget no. %(cycle_id)s)"),
        N_(
            "Voting is open in “%(cycle)s” until %(ends_at)s. You may vote in %(count)s "
            "budgets; see them on your voting page (Vote)."
        ),
    ),
    Kind.VOTING_CLOSING: Text(
        N_("Two days left to vote (participatory budget no. %(cycle_id)s)"),
        N_(
            "Voting in “%(cycle)s” closes on %(ends_at)s, and you have not voted yet in "
            "%(count)s of the budgets open to you. See them on your voting page (Vote)."
        ),
    ),
    Kind.VERIFY_EMAIL: Text(
        N_("Confirm your e-mail address"),
        N_(
            "Welcome. To confirm that this address is yours, open this link within 48 hours:\n"
            "%(link)s\n\nUntil then you can read everything but not propose, support, "
            "comment or vote. If you did not create an account, ignore this mail."
        ),
    ),
    Kind.ALREADY_REGISTERED: Text(
        N_("Someone tried to register with your address"),
        N_(
            "Someone tried to create an account with this address, which already has one. "
            "If it was you, sign in, or reset your password from the sign-in page: %(link)s\n"
            "If not, you need do nothing: your account is unchanged."
        ),
    ),
    Kind.EMAIL_CHANGE_NEW: Text(
        N_("Confirm your new e-mail address"),
        N_(
            "To make this address the one of your account, open this link within 48 hours:\n"
            "%(link)s\n\nIf you did not ask for it, ignore this mail."
        ),
    ),
    Kind.EMAIL_CHANGE_OLD: Text(
        N_("Your account's e-mail address is being changed"),
        N_(
            "Someone signed in to your account asked to change its address to %(new)s. It "
            "changes once that address is confirmed. If it was not you, change your password "
            "now: %(link)s"
        ),
    ),
    Kind.RESET_LINK: Text(
        N_("Choose a new password"),
        N_(
            "To choose a new password, open this link within 30 minutes; it works once and "
            "signs out every other session:\n%(link)s\n\nIf you did not ask for it, ignore "
            "this mail: your password is unchanged."
        ),
    ),
    Kind.RESET_APPROVAL: Text(
        N_("A council member's password reset awaits your approval"),
        N_(
            "%(member)s (account no. %(account)s) asked to reset their password. A council "
            "account is reset only once a second member approves: check with them by another "
            "channel, then approve it here: %(link)s"
        ),
    ),
    Kind.OIDC_LINK: Text(
        N_("Confirm your sign-in through %(provider)s"),
        N_(
            "You signed in through %(provider)s for the first time. To attach it to the "
            "account of this address (or to create one), open this link within 48 hours:\n"
            "%(link)s\n\nIf it was not you, ignore this mail."
        ),
    ),
}

MONEY_PARAMS: Final = frozenset({"final_cost"})
# Parameters that are codes, shown by their translated labels.
LABELLED_PARAMS: Final[Mapping[str, Mapping[str, str]]] = {
    "implementation_status": {
        "planned": N_("planned"),
        "in_progress": N_("in progress"),
        "done": N_("done"),
        "abandoned": N_("abandoned"),
    },
}


@cache
def catalogues(directory: Path = LOCALES_DIR) -> Mapping[str, NullTranslations]:
    """The compiled catalogue of each language, read once per directory. A missing one (not
    compiled yet) falls back to the msgids, in English, with a warning: a decision must not
    fail because a translation file is absent."""
    found: dict[str, NullTranslations] = {}
    for language in LANGUAGES:
        mo = directory / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo.is_file():
            with mo.open("rb") as handle:
                found[language] = Translations(handle, domain=DOMAIN)
        else:
            log.warning("%s is missing: notifications in %s fall back to English", mo, language)
            found[language] = NullTranslations()
    return found


def translations_for(language: str, directory: Path = LOCALES_DIR) -> NullTranslations:
    loaded = catalogues(directory)
    return loaded.get(language, loaded[DEFAULT_LANGUAGE])


def _shown(
    name: str,
    value: object,
    params: Mapping[str, object],
    translations: NullTranslations,
    locale: str,
) -> str:
    if name in MONEY_PARAMS and isinstance(value, int):
        currency = str(params.get("currency", "EUR"))
        return format_currency(Decimal(value) / 100, currency, locale=locale)
    if name in LABELLED_PARAMS and str(value) in LABELLED_PARAMS[name]:
        return translations.gettext(LABELLED_PARAMS[name][str(value)])
    if value is None:
        return "—"
    return str(value)


class _Shown(dict[str, str]):
    """Parameters as text; one the caller left out shows as a dash rather than failing."""

    def __missing__(self, key: str) -> str:
        return "—"


def render(
    kind: str, params: Mapping[str, object], translations: NullTranslations, locale: str
) -> Text:
    """Subject and body of a notification in the catalogue's language. An unknown kind (from
    a newer version, say) shows its code rather than failing."""
    text = TEXTS.get(kind)
    if text is None:
        return Text(kind, kind)
    shown = _Shown(
        {name: _shown(name, value, params, translations, locale) for name, value in params.items()}
    )
    subject = translations.gettext(text.subject) % shown
    body = translations.gettext(text.body) % shown
    return Text(subject.replace("\n", " ")[:SUBJECT_MAX], body)


def render_for(kind: str, params: Mapping[str, object], language: str) -> Text:
    """As `render`, in `language` from the default catalogues (for email)."""
    return render(kind, params, translations_for(language), language)


@dataclass(frozen=True)
class Link:
    path: str
    label: str  # a msgid


# Where a notification leads: a reviewer's to the review form (the public page cannot be
# reviewed from), an invitation to the invitations page, the others to the proposal's page.
REVIEW_KINDS: Final = frozenset({Kind.REVIEW_ASSIGNED, Kind.REVIEW_REOPENED})


def link_of(kind: str, proposal_id: int | None) -> Link | None:
    """The page a notification of `kind` about `proposal_id` points its reader to."""
    if kind == Kind.COAUTHOR_INVITED:
        return Link("/invitations", N_("See my invitations"))
    if proposal_id is None:
        return None
    if kind in REVIEW_KINDS:
        return Link(f"/review/proposals/{proposal_id}", N_("Review the proposal"))
    return Link(f"/proposals/{proposal_id}", N_("See the proposal"))
