"""Akamai's status table and Problem Details errors (seed: "Errors"):
conformance/checks/problem_details.py."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.base import PASS
from tests.checks.cases import Case, assert_outcome, params
from tests.support.exchanges import PROBLEM_JSON, seed_body, seed_exchange, variant

PROBLEM = seed_exchange("akamai", "Error responses: unlabelled")  # the seed's 400 sample
SAMPLE = seed_body("akamai", "Error responses: unlabelled")
LIST = seed_exchange("akamai", "List streams")
CREATED = seed_exchange("akamai", "Create a stream")  # 202
HTML_404 = variant(
    PROBLEM, status=404, body="<html><body>Not Found</body></html>", media_type="text/html"
)
EMPTY_401 = variant(PROBLEM, status=401, body="", media_type=None)
SERVER_ERROR = variant(PROBLEM, status=500, body={"title": "Internal server error", "status": 500})


def _sample(**changes: Any) -> dict[str, Any]:
    """The seed's problem with members replaced (a value of None removes the member)."""
    body = {**SAMPLE, **changes}
    return {key: value for key, value in body.items() if value is not None}


def _problem(**changes: Any) -> Any:
    return variant(PROBLEM, body=_sample(**changes))


CASES = [
    # AKAMAI-STATUS-001: only the status table's codes.
    Case("AKAMAI-STATUS-001", "status_is_documented", "seed-200", LIST, PASS),
    Case("AKAMAI-STATUS-001", "status_is_documented", "seed-202", CREATED, PASS),
    Case("AKAMAI-STATUS-001", "status_is_documented", "seed-400", PROBLEM, PASS),
    Case("AKAMAI-STATUS-001", "status_is_documented", "500", SERVER_ERROR, "status-500"),
    Case(
        "AKAMAI-STATUS-001",
        "status_is_documented",
        "204-not-in-table",
        variant(CREATED, status=204, body="", media_type=None),
        "status-204",
    ),
    # AKAMAI-ERROR-001: a 4xx body is a JSON object.
    Case("AKAMAI-ERROR-001", "problem_body_is_object", "seed-400", PROBLEM, PASS),
    Case("AKAMAI-ERROR-001", "problem_body_is_object", "success", LIST, None),
    Case("AKAMAI-ERROR-001", "problem_body_is_object", "5xx", SERVER_ERROR, None),
    Case("AKAMAI-ERROR-001", "problem_body_is_object", "html-404", HTML_404, "problem-not-object"),
    Case(
        "AKAMAI-ERROR-001", "problem_body_is_object", "empty-401", EMPTY_401, "problem-not-object"
    ),
    Case(
        "AKAMAI-ERROR-001",
        "problem_body_is_object",
        "json-array",
        variant(PROBLEM, body=[SAMPLE]),
        "problem-not-object",
    ),
    # AKAMAI-ERROR-002: a 4xx is application/problem+json.
    Case("AKAMAI-ERROR-002", "problem_media_type", "problem-json", PROBLEM, PASS),
    Case(
        "AKAMAI-ERROR-002",
        "problem_media_type",
        "with-charset",
        variant(PROBLEM, media_type="application/problem+json; charset=utf-8"),
        PASS,
    ),
    Case(
        "AKAMAI-ERROR-002",
        "problem_media_type",
        "upper-case",
        variant(PROBLEM, media_type="Application/Problem+JSON"),
        PASS,
    ),
    Case(
        "AKAMAI-ERROR-002",
        "problem_media_type",
        "lowercase-header-name",
        variant(PROBLEM, drop=("Content-Type",), headers={"content-type": PROBLEM_JSON}),
        PASS,
    ),
    Case("AKAMAI-ERROR-002", "problem_media_type", "success", LIST, None),
    Case(
        "AKAMAI-ERROR-002",
        "problem_media_type",
        "plain-json",
        variant(PROBLEM, media_type="application/json; charset=utf-8"),
        "problem-media-type",
    ),
    Case("AKAMAI-ERROR-002", "problem_media_type", "html-404", HTML_404, "problem-media-type"),
    Case(
        "AKAMAI-ERROR-002", "problem_media_type", "no-content-type", EMPTY_401, "problem-media-type"
    ),
    # AKAMAI-ERROR-003/004/005: string type, title and instance, as the seed's sample has.
    Case("AKAMAI-ERROR-003", "problem_has_type", "seed-400", PROBLEM, PASS),
    Case("AKAMAI-ERROR-003", "problem_has_type", "missing", _problem(type=None), "problem-type"),
    Case("AKAMAI-ERROR-003", "problem_has_type", "number", _problem(type=400), "problem-type"),
    Case("AKAMAI-ERROR-003", "problem_has_type", "not-an-object", HTML_404, None),
    Case("AKAMAI-ERROR-003", "problem_has_type", "success", LIST, None),
    Case("AKAMAI-ERROR-004", "problem_has_title", "seed-400", PROBLEM, PASS),
    Case("AKAMAI-ERROR-004", "problem_has_title", "missing", _problem(title=None), "problem-title"),
    Case("AKAMAI-ERROR-004", "problem_has_title", "boolean", _problem(title=True), "problem-title"),
    Case("AKAMAI-ERROR-004", "problem_has_title", "not-an-object", EMPTY_401, None),
    Case("AKAMAI-ERROR-005", "problem_has_instance", "seed-400", PROBLEM, PASS),
    Case(
        "AKAMAI-ERROR-005",
        "problem_has_instance",
        "missing",
        _problem(instance=None),
        "problem-instance",
    ),
    Case("AKAMAI-ERROR-005", "problem_has_instance", "success", LIST, None),
    # AKAMAI-ERROR-006: an integer status equal to the HTTP status.
    Case("AKAMAI-ERROR-006", "problem_status_matches", "seed-400", PROBLEM, PASS),
    Case(
        "AKAMAI-ERROR-006",
        "problem_status_matches",
        "404-says-404",
        variant(PROBLEM, status=404, body=_sample(status=404, errors=None)),
        PASS,
    ),
    Case(
        "AKAMAI-ERROR-006",
        "problem_status_matches",
        "400-says-404",
        _problem(status=404),
        "problem-status-mismatch",
    ),
    Case(
        "AKAMAI-ERROR-006",
        "problem_status_matches",
        "string-status",
        _problem(status="400"),
        "problem-status",
    ),
    Case(
        "AKAMAI-ERROR-006",
        "problem_status_matches",
        "go-client-statusCode",
        _problem(status=None, statusCode=400),
        "problem-status",
    ),
    Case("AKAMAI-ERROR-006", "problem_status_matches", "not-an-object", HTML_404, None),
    # AKAMAI-ERROR-007: an optional errors[] of {type, title, detail} objects.
    Case("AKAMAI-ERROR-007", "problem_errors_are_details", "seed-400", PROBLEM, PASS),
    Case(
        "AKAMAI-ERROR-007",
        "problem_errors_are_details",
        "empty-array",
        _problem(errors=[]),
        PASS,
    ),
    Case(
        "AKAMAI-ERROR-007",
        "problem_errors_are_details",
        "no-errors-member",
        _problem(errors=None),
        None,
    ),
    Case("AKAMAI-ERROR-007", "problem_errors_are_details", "success", LIST, None),
    Case(
        "AKAMAI-ERROR-007",
        "problem_errors_are_details",
        "item-without-detail",
        _problem(errors=[{"type": "bad-request", "title": "Bad Request"}]),
        "problem-errors",
    ),
    Case(
        "AKAMAI-ERROR-007",
        "problem_errors_are_details",
        "strings",
        _problem(errors=["Expiry Date of Previous Key is required"]),
        "problem-errors",
    ),
    Case(
        "AKAMAI-ERROR-007",
        "problem_errors_are_details",
        "object-not-array",
        _problem(errors=SAMPLE["errors"][0]),
        "problem-errors",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_problem_details(case: Case) -> None:
    """Each case's exchange gets the outcome its requirement's statement demands."""
    assert_outcome(case)
