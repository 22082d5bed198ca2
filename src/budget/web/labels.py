"""Names shown for the domain's codes (phases, roles, ballot types, rules...), as msgids.

Templates translate them with `_()`: `{{ _(PHASES[cycle.phase]) }}`. The domain stays free of
prose; a test checks that every enum member has a label here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from budget.web.i18n import N_

PHASES: Final[Mapping[str, str]] = {
    "draft": N_("Draft"),
    "submission": N_("Proposals"),
    "review": N_("Review"),
    "voting": N_("Voting"),
    "closed": N_("Closed"),
    "certified": N_("Certified"),
    "implementation": N_("Implementation"),
    "archived": N_("Archived"),
}

PHASE_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "draft": N_("The council prepares the cycle."),
    "submission": N_("Residents submit their project ideas."),
    "review": N_("City services check feasibility and cost."),
    "voting": N_("Residents vote for the projects they prefer."),
    "closed": N_("Voting is over; the count is being prepared."),
    "certified": N_("Two council members have certified the count."),
    "implementation": N_("The winning projects are being built."),
    "archived": N_("The cycle is complete."),
}

ROLES: Final[Mapping[str, str]] = {
    "visitor": N_("Visitor"),
    "resident": N_("Resident"),
    "reviewer": N_("Reviewer"),
    "officer": N_("Polling officer"),
    "council": N_("Council"),
}

BALLOT_TYPES: Final[Mapping[str, str]] = {
    "approval": N_("Approval (choose several projects)"),
    "knapsack": N_("Knapsack (choose projects within the budget)"),
    "cumulative": N_("Cumulative (share out points)"),
    "ranked": N_("Ranked (order your preferences)"),
    "choose_one": N_("Choose one project"),
}

LIMITS: Final[Mapping[str, str]] = {
    "min_choices": N_("Minimum number of projects"),
    "max_choices": N_("Maximum number of projects"),
    "min_spend_pct": N_("Minimum share of the budget to spend, in percent"),
    "points": N_("Points per voter"),
    "max_per_project": N_("Maximum points per project"),
    "min_ranks": N_("Minimum number of ranks"),
    "max_ranks": N_("Maximum number of ranks"),
}

RULES: Final[Mapping[str, str]] = {
    "greedy": N_("Greedy: most votes first, fund each project that still fits"),
    "greedy-no-skip": N_("Greedy without skipping: stop at the first project that does not fit"),
    "greedy-threshold": N_("Greedy over the projects reaching a threshold"),
    "greedy-exclusive": N_("Greedy with exclusion sets"),
    "greedy-reserve": N_("Greedy, then the first project that does not fit, from a reserve"),
    "mes": N_("Method of Equal Shares"),
    "mes-add1": N_("Method of Equal Shares, completed by raising shares"),
    "mes-add1-exhaustive": N_("Method of Equal Shares, completed until exhaustive"),
    "mes-add1-greedy": N_("Method of Equal Shares, then greedy completion"),
    "mes-add1-comparison": N_("Method of Equal Shares or greedy, whichever more voters prefer"),
    "phragmen": N_("Sequential Phragmén"),
    "max-utilitarian": N_("Greatest total score within the budget"),
}

PROPOSAL_STATUSES: Final[Mapping[str, str]] = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "in_review": N_("in review"),
    "on_ballot": N_("on the ballot"),
    "infeasible": N_("not feasible"),
    "withdrawn": N_("withdrawn"),
    "merged": N_("merged"),
    "unsupported": N_("not enough support"),
    "funded": N_("funded"),
    "not_funded": N_("not funded"),
}

# Why a project was funded or not, in a few words (the tally's explanation codes); the full
# sentence with its figures, in the reader's language, is web/explanations.py's, beside it.
EXPLANATIONS: Final[Mapping[str, str]] = {
    "unsupported": N_("No valid ballot supports it"),
    "over-budget": N_("Costs more than the whole budget"),
    "greedy-funded": N_("Funded in ranking order"),
    "greedy-did-not-fit": N_("Did not fit in what remained"),
    "greedy-stopped-here": N_("Did not fit; the count stopped here"),
    "greedy-not-reached": N_("Not reached: the count had stopped"),
    "below-threshold": N_("Below the score threshold"),
    "below-threshold-pct": N_("Below the score threshold"),
    "excluded": N_("Excluded by a project funded first"),
    "funded-from-reserve": N_("Funded partly from the reserve"),
    "mes-funded": N_("Funded by its supporters' equal shares"),
    "mes-unaffordable": N_("Its supporters' shares could not pay for it"),
    "mes-no-share": N_("Its supporters had no share left"),
    "mes-all-fit": N_("Every supported project fits: funded"),
    "greedy-completion": N_("Funded by the completion step"),
    "mes-completion-did-not-fit": N_("Did not fit in the completion step"),
    "no-leftover": N_("Nothing was left for it"),
    "phragmen-funded": N_("Funded: its cost spread over its supporters"),
    "phragmen-did-not-fit": N_("Did not fit in what remained"),
    "phragmen-stopped": N_("Not reached: the count had stopped"),
    "maxutil-funded": N_("Part of the set of greatest total score"),
    "maxutil-funded-tie": N_("Part of the set of greatest total score (tie broken)"),
    "maxutil-not-funded": N_("Not in the set of greatest total score"),
    "maxutil-not-funded-tie": N_("Not in the set of greatest total score (tie broken)"),
}

IMPLEMENTATION_STATUSES: Final[Mapping[str, str]] = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "abandoned": N_("abandoned"),
}

SCOPES: Final[Mapping[str, str]] = {
    "city": N_("Whole city"),
    "district": N_("One district"),
}

ELIGIBILITY_MODES: Final[Mapping[str, str]] = {
    "roll": N_("Voter roll imported by the council"),
    "declared": N_("Residents declare their district"),
}

DISTRICT_MODES: Final[Mapping[str, str]] = {
    "residence": N_("District of residence only"),
    "choice": N_("One district of the voter's choice"),
}

# Who may propose (Cycle.proposers_must_be_eligible, as "yes"/"no" form values).
PROPOSERS: Final[Mapping[str, str]] = {
    "no": N_("Any resident with an account"),
    "yes": N_("Only residents entitled to the budget (roll entry or declaration)"),
}

# The public history of a proposal (domain.proposals.EventKind).
EVENTS: Final[Mapping[str, str]] = {
    "created": N_("Created"),
    "submitted": N_("Submitted"),
    "edited": N_("Edited"),
    "coauthor_joined": N_("A co-author joined"),
    "coauthor_left": N_("A co-author left"),
    "review_started": N_("Review started"),
    "decided_feasible": N_("Found feasible: on the ballot"),
    "decided_infeasible": N_("Found not feasible"),
    "merged_into": N_("Merged into another proposal"),
    "merged_from": N_("Built by merging proposals"),
    "withdrawn": N_("Withdrawn"),
    "not_enough_support": N_("Not enough support to go to review"),
    "funded": N_("Funded: to be built"),
}

FOLLOW_TOPICS: Final[Mapping[str, str]] = {
    "decision": N_("the decision on their feasibility"),
    "vote": N_("the opening of the vote"),
    "results": N_("the results"),
    "implementation": N_("the progress of their building"),
}

# Why an uploaded district boundary is refused (domain.geo.PROBLEMS).
BOUNDARY_PROBLEMS: Final[Mapping[str, str]] = {
    "not-json": N_("the file is not valid JSON."),
    "too-large": N_(
        "the file is too large or too detailed (at most 2,000 rings and 200,000 positions)."
    ),
    "wrong-type": N_(
        "use a GeoJSON Polygon or MultiPolygon, a Feature or a FeatureCollection of them."
    ),
    "no-polygon": N_("it contains no polygon."),
    "bad-coordinates": N_("the coordinates are not nested as GeoJSON requires."),
    "bad-position": N_("a position is not a pair of numbers [longitude, latitude]."),
    "out-of-range": N_(
        "a position lies outside -180..180 degrees of longitude or -90..90 of latitude."
    ),
    "ring-too-short": N_("a ring has fewer than 4 positions."),
    "ring-not-closed": N_("a ring does not end where it starts."),
}

# -- review --
CRITERIA: Final[Mapping[str, str]] = {
    "competence": N_("Within the city's competence"),
    "legal": N_("Legal"),
    "technical": N_("Technically feasible"),
    "investment": N_("An investment, not a running cost"),
}

RECOMMENDATIONS: Final[Mapping[str, str]] = {
    "feasible": N_("Feasible"),
    "feasible_with_changes": N_("Feasible with changes"),
    "infeasible": N_("Not feasible"),
}

REVIEW_STATES: Final[Mapping[str, str]] = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "reopened": N_("reopened"),
}

ASSIGNMENT_STATES: Final[Mapping[str, str]] = {
    "active": N_("assigned"),
    "conflict": N_("conflict of interest"),
    "removed": N_("unassigned"),
}

LANGUAGES: Final[Mapping[str, str]] = {"fr": "Français", "en": "English"}

CHANNELS: Final[Mapping[str, str]] = {
    "account": N_("online, signed in"),
    "code": N_("online, with a voting code"),
    "paper": N_("on paper, at a polling place"),
}

BATCH_STATES: Final[Mapping[str, str]] = {
    "open": N_("open"),
    "entering": N_("being entered"),
    "accepted": N_("accepted"),
    "voided": N_("voided"),
}

PAPER_KINDS: Final[Mapping[str, str]] = {
    "choices": N_("choices"),
    "blank": N_("blank"),
    "invalid-over-limit": N_("invalid: over limit"),
    "invalid-unreadable": N_("invalid: unreadable"),
}


TEMPLATE_GLOBALS: Final[Mapping[str, Mapping[str, str]]] = {
    "BATCH_STATES": BATCH_STATES,
    "CHANNELS": CHANNELS,
    "PAPER_KINDS": PAPER_KINDS,
    "PHASES": PHASES,
    "PHASE_DESCRIPTIONS": PHASE_DESCRIPTIONS,
    "ROLE_LABELS": ROLES,
    "BALLOT_TYPES": BALLOT_TYPES,
    "LIMIT_LABELS": LIMITS,
    "RULE_LABELS": RULES,
    "PROPOSAL_STATUSES": PROPOSAL_STATUSES,
    "EXPLANATIONS": EXPLANATIONS,
    "IMPLEMENTATION_STATUSES": IMPLEMENTATION_STATUSES,
    "CRITERIA": CRITERIA,
    "RECOMMENDATIONS": RECOMMENDATIONS,
    "REVIEW_STATES": REVIEW_STATES,
    "ASSIGNMENT_STATES": ASSIGNMENT_STATES,
    "SCOPES": SCOPES,
    "ELIGIBILITY_MODES": ELIGIBILITY_MODES,
    "DISTRICT_MODES": DISTRICT_MODES,
    "PROPOSERS": PROPOSERS,
    "LANGUAGE_NAMES": LANGUAGES,
    "EVENT_LABELS": EVENTS,
    "FOLLOW_TOPICS": FOLLOW_TOPICS,
}
