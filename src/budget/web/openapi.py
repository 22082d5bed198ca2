"""The OpenAPI 3.1 document of the public read-only API (`/api/v1/openapi.json`).

Written by hand next to the handlers (web/routes/api.py) and checked against them: the tests
validate every answer against these schemas (jsonschema) and let schemathesis generate requests
from this document, so a field added on one side only fails there.
"""

from __future__ import annotations

from typing import Any, Final

from budget.domain.cycle import Phase
from budget.domain.implementation import ImplementationStatus
from budget.domain.proposals import ProposalStatus

VERSION: Final = "1.0.0"
PUBLIC_PHASES: Final = [p.value for p in Phase if p is not Phase.DRAFT]
PUBLIC_PROPOSAL_STATUSES: Final = [s.value for s in ProposalStatus if s is not ProposalStatus.DRAFT]

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Schema]) -> Schema:
    """Every property present, no other."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


ID: Final = {"type": "integer", "minimum": 1}
TEXT: Final = {"type": "string"}
URL: Final = {"type": "string", "format": "uri-reference"}  # site-relative: never from Host
MINOR: Final = {"type": "integer", "minimum": 0, "description": "minor units (cents)"}
DATE: Final = {"type": "string", "format": "date"}
TIME: Final = {"type": "string", "format": "date-time"}
CURRENCY: Final = {"type": "string", "pattern": "^[A-Z]{3}$"}
COUNT: Final = {"type": "integer", "minimum": 0}
SHA256: Final = {"type": "string", "pattern": "^[0-9a-f]{64}$"}

SCHEMAS: Final[dict[str, Schema]] = {
    "Error": _object(
        {"error": _object({"status": {"type": "integer"}, "code": TEXT, "message": TEXT})}
    ),
    "CycleSummary": _object(
        {
            "id": ID, "name": TEXT, "name_fr": TEXT, "name_en": TEXT, "instance": TEXT,
            "phase": {"enum": PUBLIC_PHASES}, "url": URL, "page_url": URL,
        }
    ),
    "CycleList": _object({"cycles": {"type": "array", "items": _ref("CycleSummary")}}),
    "District": _object({"id": ID, "code": TEXT, "name": TEXT}),
    "Budget": _object(
        {
            "id": ID, "name": TEXT, "name_fr": TEXT, "name_en": TEXT,
            "scope": {"enum": ["city", "district"]}, "district": _nullable(_ref("District")),
            "amount": MINOR, "currency": CURRENCY, "projects_url": URL,
            "results_url": _nullable(URL),
        }
    ),
    "Cycle": _object(
        {
            "id": ID, "name": TEXT, "name_fr": TEXT, "name_en": TEXT, "instance": TEXT,
            "phase": {"enum": PUBLIC_PHASES}, "currency": CURRENCY, "time_zone": TEXT,
            "url": URL, "page_url": URL, "budgets": {"type": "array", "items": _ref("Budget")},
        }
    ),
    "Category": _object({"id": ID, "code": TEXT, "name": TEXT}),
    "ResultProject": _object(
        {
            "id": TEXT, "name": TEXT, "cost": MINOR, "votes": _nullable(COUNT),
            "score": _nullable(COUNT), "funded": {"type": "boolean"},
            "rank": _nullable(COUNT), "code": TEXT, "explanation": TEXT,
        }
    ),
    "File": _object({"url": URL, "sha256": SHA256}),
    "Certificate": _object(
        {
            "first_member": TEXT, "second_member": TEXT, "certified_at": TIME,
            "audit_head": SHA256, "box_sha256": SHA256, "result_sha256": SHA256,
        }
    ),
    "Amendment": _object(
        {"proposal_id": ID, "funded": {"type": "boolean"}, "reason": TEXT, "at": TIME}
    ),
    "Comparison": _object(
        {
            "rule": TEXT, "funded": {"type": "array", "items": TEXT}, "spent": MINOR,
            "voters_with_a_funded_project": _nullable(COUNT),
        }
    ),
    "Results": _object(
        {
            "budget_id": ID, "rule": TEXT, "engine_version": TEXT, "tie_break": TEXT,
            "lottery_seed": _nullable(TEXT), "funded": {"type": "array", "items": TEXT},
            "winners": {"type": "array", "items": ID}, "spent": MINOR, "budget": MINOR,
            "currency": CURRENCY, "projects": {"type": "array", "items": _ref("ResultProject")},
            "turnout": {
                "type": "object",
                "additionalProperties": {
                    "type": "object", "additionalProperties": _nullable(COUNT),
                },
            },
            "turnout_by_district": {
                "type": "object", "additionalProperties": _nullable(COUNT),
                "description": "voters per district name (\"\": none given); null: hidden",
            },
            "comparison": {"type": "array", "items": _ref("Comparison")},
            "amendments": {"type": "array", "items": _ref("Amendment")},
            "box": _ref("File"), "results_file": _ref("File"),
            "projects_file": URL, "receipts_file": URL,
            "certificate": _nullable(_ref("Certificate")), "published_at": TIME,
            "page_url": URL,
        }
    ),
    "Project": _object(
        {
            "id": ID, "name": TEXT, "cost": _nullable(MINOR), "currency": CURRENCY,
            "category": _nullable(_ref("Category")), "district": _nullable(_ref("District")),
            "status": {"enum": PUBLIC_PROPOSAL_STATUSES}, "proposal_url": URL,
            "implementation_url": _nullable(URL),
        }
    ),
    "BudgetProjects": _object(
        {
            "budget_id": ID, "cycle_id": ID,
            "projects": {"type": "array", "items": _ref("Project")},
        }
    ),
    "ProjectState": _object(
        {
            "id": ID, "url": URL, "proposal_url": URL, "title": TEXT, "year": TEXT,
            "cycle_id": ID, "budget_id": ID, "budget": TEXT, "district_code": TEXT,
            "district": TEXT, "status": {"enum": [s.value for s in ImplementationStatus]},
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "currency": CURRENCY, "cost": TEXT, "cost_minor": _nullable(MINOR), "spent": TEXT,
            "spent_minor": _nullable(MINOR), "reason": TEXT, "latitude": TEXT,
            "longitude": TEXT, "funded_at": TIME, "updated_at": TIME,
        }
    ),
    "Milestone": _object(
        {"id": ID, "title": TEXT, "planned_on": DATE, "reached_on": _nullable(DATE), "note": TEXT}
    ),
    "Change": _object(
        {
            "at": TIME, "status": {"enum": [s.value for s in ImplementationStatus]},
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "spent_minor": _nullable(MINOR), "note": TEXT,
        }
    ),
    "Implementation": _object(
        {
            "project": _ref("ProjectState"),
            "milestones": {"type": "array", "items": _ref("Milestone")},
            "changes": {"type": "array", "items": _ref("Change")},
        }
    ),
}  # fmt: skip


def _json(schema: str, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


NOT_FOUND: Final = _json("Error", "No such public object (a draft cycle is not public)")
NOT_MODIFIED: Final = {"description": "The answer has not changed since the ETag sent"}
CONDITIONAL: Final = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
}


def _path_id(name: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


def _get(summary: str, schema: str, *params: Schema, missing: bool = True) -> Schema:
    responses = {"200": _json(schema, summary), "304": NOT_MODIFIED}
    if missing:
        responses["404"] = NOT_FOUND
    return {
        "get": {"summary": summary, "parameters": [*params, CONDITIONAL], "responses": responses}
    }


def document() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "budget: public participatory budgeting data",
            "version": VERSION,
            "description": (
                "Read-only, no sign-in. Public data only: draft cycles and draft proposals "
                "never appear. Amounts are integers of minor units (cents). Answers carry an "
                "ETag and Cache-Control; names follow Accept-Language (fr, en)."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/cycles": _get("The public cycles, newest first", "CycleList", missing=False),
            "/api/v1/cycles/{cycle_id}": _get(
                "A cycle and its budgets", "Cycle", _path_id("cycle_id")
            ),
            "/api/v1/budgets/{budget_id}/projects": _get(
                "The public proposals of a budget", "BudgetProjects", _path_id("budget_id")
            ),
            "/api/v1/budgets/{budget_id}/results": _get(
                "A budget's published results (404 until published): the funded ids exactly "
                "as in the box file, explanations, the files with their SHA-256, the "
                "certificate",
                "Results",
                _path_id("budget_id"),
            ),
            "/api/v1/projects/{proposal_id}/implementation": _get(
                "A funded project's building (its id is its proposal's)",
                "Implementation",
                _path_id("proposal_id"),
            ),
        },
        "components": {"schemas": SCHEMAS},
    }
