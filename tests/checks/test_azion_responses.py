"""Azion's results envelope and the real service's error shapes (seed samples, FIELD-NOTES):
conformance/checks/azion_responses.py."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.base import PASS
from tests.checks.cases import Case, assert_outcome, params
from tests.support.exchanges import exchange, seed_body, seed_exchange, variant

LISTED = seed_exchange("azion", "1. Retrieving a list of data streamings")
CREATED = seed_exchange("azion", "2. Registering new data streaming")  # 201
UPDATED = seed_exchange("azion", "5. Editing data streaming")
DELETED = seed_exchange("azion", "4. Deleting data streaming")  # 204, no body
AS_PRINTED = seed_exchange("azion", "3. Detailing data streaming")  # the sample is not JSON
STREAMING = seed_body("azion", "1. Retrieving a list of data streamings")["results"][0]
GOT = exchange("azion", "getStreaming", body={"results": STREAMING, "schema_version": 3})
TEMPLATES = exchange(
    "azion",
    "listTemplates",
    body={
        "results": [{"id": 2, "name": "Edge Applications EC", "template_model": "{}"}],
        "schema_version": 3,
    },
)


def _error(status: int, body: Any, media_type: str | None = "application/json") -> Any:
    return exchange("azion", "createStreaming", status=status, body=body, media_type=media_type)


FIELD_MAP = _error(400, {"invalid_url": ["URL is not on correct format."]})  # FIELD-NOTES' own
UNAUTHORIZED = _error(401, {"detail": "Invalid token."})
NOT_FOUND_HTML = _error(404, "<html><body>Not Found</body></html>", "text/html")
THROTTLED = _error(429, {"detail": "Request was throttled. Expected available in 5 seconds."})
EMPTY_405 = _error(405, "", None)


def _envelope(results: Any, **extra: Any) -> dict[str, Any]:
    return {"results": results, **extra}


CASES = [
    # AZION-ENVELOPE-001: every 200/201 body holds results and schema_version.
    Case("AZION-ENVELOPE-001", "envelope_present", "seed-list", LISTED, PASS),
    Case("AZION-ENVELOPE-001", "envelope_present", "seed-create-201", CREATED, PASS),
    Case("AZION-ENVELOPE-001", "envelope_present", "seed-patch", UPDATED, PASS),
    Case("AZION-ENVELOPE-001", "envelope_present", "seed-delete-204", DELETED, None),
    Case("AZION-ENVELOPE-001", "envelope_present", "error-400", FIELD_MAP, None),
    Case("AZION-ENVELOPE-001", "envelope_present", "seed-get-as-printed", AS_PRINTED, "envelope"),
    Case(
        "AZION-ENVELOPE-001",
        "envelope_present",
        "bare-array",
        variant(LISTED, body=[STREAMING]),
        "envelope",
    ),
    Case(
        "AZION-ENVELOPE-001",
        "envelope_present",
        "no-schema-version",
        variant(GOT, body=_envelope(STREAMING)),
        "envelope",
    ),
    Case("AZION-ENVELOPE-001", "envelope_present", "empty-200", variant(GOT, body=""), "envelope"),
    Case(
        "AZION-ENVELOPE-001",
        "envelope_present",
        "json-null-200",
        variant(GOT, body="null"),
        "envelope",
    ),
    # AZION-ENVELOPE-002: schema_version is the integer 3.
    Case("AZION-ENVELOPE-002", "schema_version_is_3", "seed-list", LISTED, PASS),
    Case("AZION-ENVELOPE-002", "schema_version_is_3", "seed-create-201", CREATED, PASS),
    Case(
        "AZION-ENVELOPE-002",
        "schema_version_is_3",
        "string-3",
        variant(GOT, body=_envelope(STREAMING, schema_version="3")),
        "schema-version",
    ),
    Case(
        "AZION-ENVELOPE-002",
        "schema_version_is_3",
        "version-4",
        variant(GOT, body=_envelope(STREAMING, schema_version=4)),
        "schema-version",
    ),
    Case(
        "AZION-ENVELOPE-002",
        "schema_version_is_3",
        "no-schema-version",
        variant(GOT, body=_envelope(STREAMING)),
        None,
    ),
    Case("AZION-ENVELOPE-002", "schema_version_is_3", "error-401", UNAUTHORIZED, None),
    # AZION-ENVELOPE-003: results is an array on list operations, an object elsewhere.
    Case("AZION-ENVELOPE-003", "results_shape", "seed-list-array", LISTED, PASS),
    Case("AZION-ENVELOPE-003", "results_shape", "templates-array", TEMPLATES, PASS),
    Case("AZION-ENVELOPE-003", "results_shape", "seed-create-object", CREATED, PASS),
    Case("AZION-ENVELOPE-003", "results_shape", "get-object", GOT, PASS),
    Case(
        "AZION-ENVELOPE-003",
        "results_shape",
        "get-array",
        variant(GOT, body=_envelope([STREAMING], schema_version=3)),
        "results",
    ),
    Case(
        "AZION-ENVELOPE-003",
        "results_shape",
        "list-object",
        variant(LISTED, body=_envelope(STREAMING, schema_version=3)),
        "results",
    ),
    Case(
        "AZION-ENVELOPE-003",
        "results_shape",
        "unknown-operation",
        exchange("azion", None, path="/data_streaming/other", body=_envelope([], schema_version=3)),
        None,
    ),
    Case(
        "AZION-ENVELOPE-003",
        "results_shape",
        "no-results",
        variant(GOT, body={"schema_version": 3}),
        None,
    ),
    # AZION-ERROR-001: a 400 maps field names (or error keys) to lists of messages.
    Case("AZION-ERROR-001", "bad_request_is_field_map", "field-notes-sample", FIELD_MAP, PASS),
    Case(
        "AZION-ERROR-001",
        "bad_request_is_field_map",
        "two-fields",
        _error(400, {"name": ["This field is required."], "domain_ids": ["Invalid id."]}),
        PASS,
    ),
    Case("AZION-ERROR-001", "bad_request_is_field_map", "error-401", UNAUTHORIZED, None),
    Case(
        "AZION-ERROR-001",
        "bad_request_is_field_map",
        "detail-string",
        _error(400, {"detail": "Bad request"}),
        "400-shape",
    ),
    Case(
        "AZION-ERROR-001", "bad_request_is_field_map", "empty-object", _error(400, {}), "400-shape"
    ),
    Case(
        "AZION-ERROR-001",
        "bad_request_is_field_map",
        "empty-message-list",
        _error(400, {"name": []}),
        "400-shape",
    ),
    Case(
        "AZION-ERROR-001",
        "bad_request_is_field_map",
        "not-json",
        _error(400, "Bad Request", "text/plain"),
        "400-shape",
    ),
    Case(
        "AZION-ERROR-001",
        "bad_request_is_field_map",
        "array-of-messages",
        _error(400, ["URL is not on correct format."]),
        "400-shape",
    ),
    # AZION-ERROR-002: 401, 403 and 404 are {"detail": "..."}.
    Case("AZION-ERROR-002", "auth_and_not_found_have_detail", "401", UNAUTHORIZED, PASS),
    Case(
        "AZION-ERROR-002",
        "auth_and_not_found_have_detail",
        "403",
        _error(403, {"detail": "You do not have permission to perform this action."}),
        PASS,
    ),
    Case(
        "AZION-ERROR-002",
        "auth_and_not_found_have_detail",
        "404",
        _error(404, {"detail": "Not found."}),
        PASS,
    ),
    Case("AZION-ERROR-002", "auth_and_not_found_have_detail", "400", FIELD_MAP, None),
    Case("AZION-ERROR-002", "auth_and_not_found_have_detail", "429", THROTTLED, None),
    Case(
        "AZION-ERROR-002",
        "auth_and_not_found_have_detail",
        "html-404",
        NOT_FOUND_HTML,
        "404-shape",
    ),
    Case(
        "AZION-ERROR-002",
        "auth_and_not_found_have_detail",
        "empty-401",
        _error(401, "", None),
        "401-shape",
    ),
    Case(
        "AZION-ERROR-002",
        "auth_and_not_found_have_detail",
        "detail-list-403",
        _error(403, {"detail": ["Forbidden"]}),
        "403-shape",
    ),
    # AZION-ERROR-003: 406, 409 and 429 are {"detail": "..."} too.
    Case("AZION-ERROR-003", "other_errors_have_detail", "429", THROTTLED, PASS),
    Case(
        "AZION-ERROR-003",
        "other_errors_have_detail",
        "406",
        _error(406, {"detail": "Could not satisfy the request Accept header."}),
        PASS,
    ),
    Case("AZION-ERROR-003", "other_errors_have_detail", "401", UNAUTHORIZED, None),
    Case(
        "AZION-ERROR-003",
        "other_errors_have_detail",
        "plain-text-429",
        _error(429, "Too Many Requests", "text/plain"),
        "429-shape",
    ),
    Case(
        "AZION-ERROR-003",
        "other_errors_have_detail",
        "field-map-409",
        _error(409, {"name": ["A streaming with this name already exists."]}),
        "409-shape",
    ),
    # AZION-ERROR-005: errors are application/json.
    Case("AZION-ERROR-005", "errors_are_json", "400", FIELD_MAP, PASS),
    Case(
        "AZION-ERROR-005",
        "errors_are_json",
        "with-charset",
        variant(UNAUTHORIZED, media_type="application/json; charset=utf-8"),
        PASS,
    ),
    Case(
        "AZION-ERROR-005",
        "errors_are_json",
        "lowercase-header-name",
        variant(FIELD_MAP, drop=("Content-Type",), headers={"content-type": "application/json"}),
        PASS,
    ),
    Case(
        "AZION-ERROR-005",
        "errors_are_json",
        "versioned-media-type",
        variant(UNAUTHORIZED, media_type="application/json; version=3"),
        PASS,
    ),
    Case("AZION-ERROR-005", "errors_are_json", "success", LISTED, None),
    Case("AZION-ERROR-005", "errors_are_json", "html-404", NOT_FOUND_HTML, "error-media-type"),
    Case(
        "AZION-ERROR-005",
        "errors_are_json",
        "plain-500",
        _error(500, "Internal Server Error", "text/plain"),
        "error-media-type",
    ),
    Case("AZION-ERROR-005", "errors_are_json", "empty-405", EMPTY_405, "error-media-type"),
    Case(
        "AZION-ERROR-005",
        "errors_are_json",
        "problem-json",
        variant(UNAUTHORIZED, media_type="application/problem+json"),
        "error-media-type",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_azion_responses(case: Case) -> None:
    """Each case's exchange gets the outcome its requirement's statement demands."""
    assert_outcome(case)
