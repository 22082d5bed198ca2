"""Named reads returning frozen view models, never table rows; no writes.

Pages and services read through these, so what a template can show is decided here (T7).
Missing ids raise `NotFound`. One module per noun; every read is reached as `queries.<name>`.
"""

from __future__ import annotations

from budget.db.queries.accounts import (
    AccountView,
    council_count,
    count_accounts,
    find_account,
    get_account,
    list_accounts,
)
from budget.db.queries.audit import (
    AuditEntryView,
    audit_head,
    list_audit,
)
from budget.db.queries.cycles import (
    BudgetView,
    CycleSummary,
    CycleView,
    DistrictView,
    PhaseDates,
    get_budget,
    get_cycle,
    get_district,
    limits_of,
    list_budgets,
    list_cycles,
    list_districts,
    schedule_of,
)
from budget.db.queries.guards import (
    cycle_snapshot,
    transition_problems,
)
from budget.db.queries.proposals import (
    AuthorView,
    ProposalView,
    authors_of,
    get_proposal,
    is_author,
    list_proposals,
)

__all__ = [
    "AccountView",
    "AuditEntryView",
    "AuthorView",
    "BudgetView",
    "CycleSummary",
    "CycleView",
    "DistrictView",
    "PhaseDates",
    "ProposalView",
    "audit_head",
    "authors_of",
    "council_count",
    "count_accounts",
    "cycle_snapshot",
    "find_account",
    "get_account",
    "get_budget",
    "get_cycle",
    "get_district",
    "get_proposal",
    "is_author",
    "limits_of",
    "list_accounts",
    "list_audit",
    "list_budgets",
    "list_cycles",
    "list_districts",
    "list_proposals",
    "schedule_of",
    "transition_problems",
]
