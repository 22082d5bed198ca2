"""T7: who the product means to let through each route, written down independently of the route
table (web/routes/), so a route that declares the wrong roles is caught rather than trusted.

Source: PRODUCT.md, "Roles". Visitors browse the public pages and may register, sign in and pick
a language; account pages (own account, password, sign-out) are for anyone signed in; cycle,
budget, district, account and audit administration is the council's alone.

Each row names a route (route names are unique: one row per path and method) and the roles
allowed on it. From the row the expected outcome per caller follows: an allowed role gets
through (no 403, no redirect to the login page, no 5xx); a signed-out visitor who is not allowed
is sent to the login page (303); a signed-in role that is not allowed gets 403. A route without
a row fails tests/security/test_route_roles.py until the product's intent is written here.
"""

from __future__ import annotations

from typing import Final

ANYONE: Final = frozenset({"visitor", "resident", "reviewer", "officer", "council"})
SIGNED_IN: Final = frozenset({"resident", "reviewer", "officer", "council"})
COUNCIL: Final = frozenset({"council"})
OFFICER: Final = frozenset({"officer"})
PAGES: Final = ("RULES", "FAQ", "LEGAL", "PRIVACY", "ACCESSIBILITY")

POLICY: Final[dict[str, frozenset[str]]] = {
    # public pages (visitor)
    "home": ANYONE,
    "cycles": ANYONE,
    "cycle_page": ANYONE,
    "healthz": ANYONE,
    # becoming and being someone
    "register_form": ANYONE,
    "register_submit": ANYONE,
    "login_form": ANYONE,
    "login_submit": ANYONE,
    "choose_language": ANYONE,
    "logout": SIGNED_IN,
    "account_page": SIGNED_IN,
    "password_form": SIGNED_IN,
    "password_submit": SIGNED_IN,
    # mailed links (T13): anyone may open one or ask for one; the address is the account's own
    "verify_page": ANYONE,
    "verify_submit": ANYONE,
    "resend_form": ANYONE,
    "resend_submit": ANYONE,
    "forgot_form": ANYONE,
    "forgot_submit": ANYONE,
    "reset_form": ANYONE,
    "reset_submit": ANYONE,
    "email_form": SIGNED_IN,
    "email_submit": SIGNED_IN,
    "sessions_page": SIGNED_IN,
    "end_session": SIGNED_IN,
    "data_export": SIGNED_IN,
    "delete_form": SIGNED_IN,
    "delete_submit": SIGNED_IN,
    "oidc_confirm_page": ANYONE,
    "oidc_confirm": ANYONE,
    "oidc_start": ANYONE,
    "oidc_callback": ANYONE,
    # the five public pages, and their editing by the council in each language
    **{f"public_page_{page}": ANYONE for page in PAGES},
    "pages_admin": COUNCIL,
    **{f"page_form_{page}_{lang}": COUNCIL for page in PAGES for lang in ("fr", "en")},
    **{f"page_save_{page}_{lang}": COUNCIL for page in PAGES for lang in ("fr", "en")},
    "resets_page": COUNCIL,
    "approve_reset": COUNCIL,
    # administration: council only
    "index": COUNCIL,
    "new_cycle_form": COUNCIL,
    "cycle_create": COUNCIL,
    "admin_cycle": COUNCIL,
    "edit_cycle_form": COUNCIL,
    "cycle_update": COUNCIL,
    "schedule_form": COUNCIL,
    "schedule_set": COUNCIL,
    "advance": COUNCIL,
    "new_budget_form": COUNCIL,
    "budget_create": COUNCIL,
    "edit_budget_form": COUNCIL,
    "budget_update": COUNCIL,
    "admin_districts": COUNCIL,
    "district_create": COUNCIL,
    "edit_district_form": COUNCIL,
    "district_update": COUNCIL,
    "accounts_page": COUNCIL,
    "change_role": COUNCIL,
    "audit_page": COUNCIL,
    # proposals: public listing, detail, map, exports (web/routes/proposals.py)
    "proposal_list": ANYONE,
    "proposal_map": ANYONE,
    "proposals_geojson": ANYONE,
    "proposals_csv": ANYONE,
    "proposals_json": ANYONE,
    "districts_geojson": ANYONE,
    "proposal_page": ANYONE,
    "proposal_versions": ANYONE,
    # implementation tracking: public list, map, exports, project pages (implementation.py);
    # reporting on a project is the council's (admin_implementation.py)
    "project_list": ANYONE,
    "project_map": ANYONE,
    "projects_geojson": ANYONE,
    "projects_csv": ANYONE,
    "projects_json": ANYONE,
    "project_page": ANYONE,
    "api_cycles": ANYONE,
    "api_cycle": ANYONE,
    "api_budget_projects": ANYONE,
    "api_project_implementation": ANYONE,
    "api_budget_results": ANYONE,
    # results: public once published (404 before, for all but the council: loader); the
    # results desk (count, amend, certify, publish) is the council's (admin_results.py)
    "results_rules": ANYONE,
    "results": ANYONE,
    "results_box": ANYONE,
    "results_json": ANYONE,
    "results_projects_csv": ANYONE,
    "results_receipts": ANYONE,
    "results_desk": COUNCIL,
    "results_count": COUNCIL,
    "results_amend": COUNCIL,
    "results_certify": COUNCIL,
    "results_publish": COUNCIL,
    "api_openapi": ANYONE,
    "admin_project": COUNCIL,
    "project_update": COUNCIL,
    "milestone_save": COUNCIL,
    # proposals: categories and district boundaries, council only (admin_categories.py,
    # admin_districts.py)
    "admin_categories": COUNCIL,
    "category_create": COUNCIL,
    "edit_category_form": COUNCIL,
    "category_update": COUNCIL,
    "category_delete": COUNCIL,
    "district_boundary": COUNCIL,
    # the roll and voting codes, council only (admin_roll.py)
    "admin_roll": COUNCIL,
    "roll_import": COUNCIL,
    "codes_issue": COUNCIL,
    "entry_void": COUNCIL,
    "code_void": COUNCIL,
    "code_reissue": COUNCIL,
    # a resident's declaration (declare.py)
    "declare_form": SIGNED_IN,
    "declare_submit": SIGNED_IN,
    # authoring: drafts, edits, co-authors, withdrawal (web/routes/authoring.py)
    "my_proposals": SIGNED_IN,
    "invitations": SIGNED_IN,
    "invitation_answer": SIGNED_IN,
    "proposal_new_form": SIGNED_IN,
    "proposal_create": SIGNED_IN,
    "proposal_edit_form": SIGNED_IN,
    "proposal_update": SIGNED_IN,
    "proposal_submit_confirm": SIGNED_IN,  # the step before: a page, then the POST
    "proposal_withdraw_confirm": SIGNED_IN,
    "proposal_submit": SIGNED_IN,
    "proposal_withdraw": SIGNED_IN,
    "proposal_delete_form": SIGNED_IN,
    "proposal_delete": SIGNED_IN,
    "coauthor_invite": SIGNED_IN,
    "coauthor_leave": SIGNED_IN,
    # images: authors add and remove them, anyone who may see the proposal gets them
    # (web/routes/images.py)
    "proposal_image_add": SIGNED_IN,
    "proposal_image_remove": SIGNED_IN,
    "image_full": ANYONE,
    "image_thumb": ANYONE,
    "geocode": SIGNED_IN,
    # supports and follows (web/routes/supports.py)
    "support": SIGNED_IN,
    "support_withdraw": SIGNED_IN,
    "follow": SIGNED_IN,
    "unfollow": SIGNED_IN,
    "follow_topics": SIGNED_IN,
    "supports_form": COUNCIL,
    "supports_save": COUNCIL,
    # comments, reports and moderation (web/routes/comments.py)
    "comment_post": SIGNED_IN,
    "edit_comment_form": SIGNED_IN,
    "comment_edit": SIGNED_IN,
    "comment_flag": SIGNED_IN,
    "proposal_flag": SIGNED_IN,
    "moderation": COUNCIL,
    "moderate": COUNCIL,  # the form's address search (web/routes/places.py)
    # notifications (web/routes/notifications.py)
    "notifications": SIGNED_IN,
    "notification_read": SIGNED_IN,
    "notifications_read_all": SIGNED_IN,
    "notification_preference": SIGNED_IN,
    # review: a reviewer's queue and reviews (web/routes/review.py)
    "review_queue": frozenset({"reviewer"}),
    "review_form": frozenset({"reviewer"}),
    "review_save": frozenset({"reviewer"}),
    "review_conflict": frozenset({"reviewer"}),
    "note_add": frozenset({"reviewer"}),  # an assigned reviewer's note, on the review page
    "admin_note_add": COUNCIL,  # the council's note, on its page of the proposal
    # council: committees, assignment, decisions, merging, outbox (web/routes/admin_review.py)
    "committees": COUNCIL,
    "committee_create": COUNCIL,
    "committee_member_add": COUNCIL,
    "committee_member_remove": COUNCIL,
    "assignments": COUNCIL,
    "assignment_create": COUNCIL,
    "assignment_remove": COUNCIL,
    "assignments_spread": COUNCIL,
    "admin_proposal": COUNCIL,
    "decide": COUNCIL,
    "review_reopen": COUNCIL,
    "merge_form": COUNCIL,
    "merge": COUNCIL,
    # voting (PRODUCT.md "Roles": residents vote once on the roll; every account is a resident,
    # the roll decides the rest, T2); anyone checks a receipt
    "vote_home": SIGNED_IN,
    "ballot_page": SIGNED_IN,
    "ballot_map": SIGNED_IN,
    # a ballot's POSTs also serve the holder of a mailed code, signed in or not (T6)
    "ballot_action": ANYONE,
    "cast": ANYONE,
    "code_page": ANYONE,
    "receipt_check": ANYONE,
    "outbox": COUNCIL,
    # polling places (PRODUCT.md "Roles": officers at their place during their shift, T2; the
    # shift itself is checked by the route's loader, tests/web/test_polling.py); the council
    # creates places and shifts, reconciles and voids batches
    "officer_home": OFFICER,
    "officer_place": OFFICER,
    "check_in_page": OFFICER,
    "check_in_submit": OFFICER,
    "check_in_code": OFFICER,
    "officer_declare": OFFICER,
    "batch_open": OFFICER,
    "batch_page": OFFICER,
    "batch_enter": OFFICER,
    "batch_correct": OFFICER,
    "admin_polling": COUNCIL,
    "polling_place_create": COUNCIL,
    "admin_polling_place": COUNCIL,
    "shift_add": COUNCIL,
    "batch_void": COUNCIL,
}


def allows(route_name: str, role: str) -> bool:
    """Whether the product means `role` (or a signed-out `visitor`) to get through the route."""
    return role in POLICY[route_name]
