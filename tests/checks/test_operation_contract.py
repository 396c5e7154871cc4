"""A success answer's status, media type and body schema, per operation of both contracts:
conformance/checks/operation_contract.py."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.base import PASS
from conformance.core.exchange import Exchange
from tests.checks.cases import Case, assert_outcome, params, requirement_of
from tests.support.exchanges import PROBLEM_JSON, exchange, seed_body, seed_exchange, variant

STATUS = "documented_success_status"
BODY = "success_body_matches_schema"
MEDIA = "success_media_type_is_json"
KEY_AS_STRING = {"streamVersionKey": {"streamId": "7050", "streamVersionId": 1}}


def _akamai(name: str) -> Exchange:
    return seed_exchange("akamai", name)


GET_STREAM = seed_body("akamai", "Get a stream")
STREAMING = seed_body("azion", "1. Retrieving a list of data streamings")["results"][0]
TEMPLATE = {"id": 86, "name": "Edge Functions Event Collector", "template_model": "{}"}


def _case(requirement_id: str, check: str, name: str, exchange_: Exchange, expected: Any) -> Case:
    """A case whose id also names the check (status, body or media), which share IDs."""
    short = {STATUS: "status", BODY: "body", MEDIA: "media"}[check]
    return Case(requirement_id, check, f"{short}-{name}", exchange_, expected)


def _azion(operation_id: str, status: int, results: Any) -> Exchange:
    return exchange(
        "azion", operation_id, status=status, body={"results": results, "schema_version": 3}
    )


def _wrapped(base: Exchange) -> Any:
    """A list answer wrapped in an object, as many other APIs (Azion's among them) send it."""
    return {"items": base.response.json()}


# operationId -> (an answer that holds, a 2xx the contract does not document for it, a body
# that breaks the operation's response schema; None: the list wrapped). The holding answers
# are the seeds' own samples where the seed prints one that is JSON and matches its tables.
AKAMAI: dict[str, tuple[Exchange, int, Any]] = {
    "listProperties": (_akamai("List properties"), 204, None),
    "listConnectorTypes": (_akamai("List connector types"), 204, None),
    "listDatasetFields": (_akamai("List data set fields"), 204, None),
    "listGroups": (_akamai("List groups"), 204, None),
    "listProducts": (_akamai("List delivery products and associated groups"), 204, None),
    "listStreamTypes": (_akamai("List stream types"), 204, None),
    "listStreams": (_akamai("List streams"), 204, None),
    "createStream": (_akamai("Create a stream"), 201, KEY_AS_STRING),  # 201: ERRATUM-AKAMAI-101
    "getStream": (_akamai("Get a stream"), 203, {**GET_STREAM, "streamId": "7050"}),
    "editStream": (_akamai("Edit a stream"), 200, KEY_AS_STRING),
    "deleteStream": (_akamai("Delete a stream"), 204, {"message": ["Success"]}),
    "getActivationHistory": (_akamai("View activation history"), 204, None),
    "activateStream": (_akamai("Activate a stream"), 200, KEY_AS_STRING),
    "deactivateStream": (_akamai("Deactivate a stream"), 200, KEY_AS_STRING),
    # The seed's own history sample lacks productId (ERRATUM-AKAMAI-117): its Get a stream
    # sample, as a one-version history, holds.
    "getStreamHistory": (
        variant(_akamai("View history"), body=[GET_STREAM]),
        204,
        [{**GET_STREAM, "connectors": {}}],
    ),
}
AZION: dict[str, tuple[Exchange, int, Any]] = {
    "listStreamings": (
        seed_exchange("azion", "1. Retrieving a list of data streamings"),
        204,
        [STREAMING],
    ),
    "createStreaming": (
        seed_exchange("azion", "2. Registering new data streaming"),
        200,
        {"results": {**STREAMING, "id": "104"}, "schema_version": 3},
    ),
    "getStreaming": (
        _azion("getStreaming", 200, STREAMING),
        203,
        {"results": {**STREAMING, "active": "true"}, "schema_version": 3},
    ),
    "replaceStreaming": (
        _azion("replaceStreaming", 200, STREAMING),
        204,
        {"results": {**STREAMING, "domain_ids": 1629290002}, "schema_version": 3},
    ),
    "updateStreaming": (
        seed_exchange("azion", "5. Editing data streaming"),
        202,
        {"results": {k: v for k, v in STREAMING.items() if k != "id"}, "schema_version": 3},
    ),
    "deleteStreaming": (
        seed_exchange("azion", "4. Deleting data streaming"),
        200,
        {"results": STREAMING, "schema_version": 3},
    ),
    "listTemplates": (
        _azion("listTemplates", 200, [TEMPLATE]),
        204,
        {"results": [{**TEMPLATE, "template_model": {}}], "schema_version": 3},
    ),
    "getTemplate": (
        _azion("getTemplate", 200, TEMPLATE),
        204,
        {"results": {**TEMPLATE, "id": None}, "schema_version": 3},
    ),
}


NOT_FOUND = {
    "akamai": {"type": "not-found", "title": "Not Found", "instance": "x", "status": 404},
    "azion": {"detail": "Not found."},
}
ERROR_MEDIA = {"akamai": PROBLEM_JSON, "azion": "application/json"}


def _per_operation(api: str, table: dict[str, tuple[Exchange, int, Any]]) -> list[Case]:
    cases = []
    for operation_id, (holds, wrong_status, broken) in table.items():
        status_id = requirement_of(api, STATUS, operation_id)
        body_id = requirement_of(api, BODY, operation_id)
        wrong = (
            variant(holds, status=204, body="", media_type=None)
            if wrong_status == 204
            else variant(holds, status=wrong_status)
        )
        body = _wrapped(holds) if broken is None else broken
        refused = variant(holds, status=404, body=NOT_FOUND[api], media_type=ERROR_MEDIA[api])
        cases += [
            _case(status_id, STATUS, f"{operation_id}-holds", holds, PASS),
            _case(
                status_id, STATUS, f"{operation_id}-{wrong_status}", wrong, f"status-{wrong_status}"
            ),
            _case(body_id, BODY, f"{operation_id}-holds", holds, PASS),
            _case(
                body_id,
                BODY,
                f"{operation_id}-broken-body",
                variant(holds, body=body),
                # deleteStreaming documents 204 without a body: any body breaks it.
                "unexpected-body" if operation_id == "deleteStreaming" else "schema",
            ),
            _case(body_id, BODY, f"{operation_id}-undocumented-{wrong_status}", wrong, None),
            _case(status_id, STATUS, f"{operation_id}-404", refused, None),
        ]
        if api == "akamai":
            media_id = requirement_of(api, MEDIA, operation_id)
            cases += [
                _case(media_id, MEDIA, f"{operation_id}-json", holds, PASS),
                _case(
                    media_id,
                    MEDIA,
                    f"{operation_id}-text-plain",
                    variant(holds, media_type="text/plain; charset=utf-8"),
                    "success-media-type",
                ),
                _case(media_id, MEDIA, f"{operation_id}-404", refused, None),
            ]
    return cases


STREAMS = AKAMAI["listStreams"][0]
CREATED = AKAMAI["createStream"][0]
AZION_LIST = AZION["listStreamings"][0]
AZION_DELETED = AZION["deleteStreaming"][0]

EDGE_CASES = [
    # The seeds' own samples that are not JSON or break their own tables.
    _case(
        "AKAMAI-STREAM-LIST-002",
        BODY,
        "seed-streamversion-sample-erratum-108",
        _akamai("StreamVersion: Sample GET response"),
        "schema",
    ),
    _case(
        "AKAMAI-HISTORY-002", BODY, "seed-history-erratum-117", _akamai("View history"), "schema"
    ),
    _case(
        "AZION-GET-001",
        BODY,
        "seed-get-as-printed",
        seed_exchange("azion", "3. Detailing data streaming"),
        "not-json",
    ),
    _case(
        "AZION-TEMPLATE-005",
        BODY,
        "seed-templates-erratum-011",
        seed_exchange("azion", "6. Retrieving a list of templates"),
        "not-json",
    ),
    # An error is no success to judge; a check registered for one operation skips the others.
    _case(
        "AKAMAI-STREAM-LIST-002",
        BODY,
        "404",
        variant(STREAMS, status=404, body=NOT_FOUND["akamai"], media_type=PROBLEM_JSON),
        None,
    ),
    _case("AKAMAI-STREAM-LIST-001", STATUS, "other-operation", CREATED, None),
    _case(
        "AZION-LIST-001",
        STATUS,
        "empty-list-200",
        variant(AZION_LIST, body={"results": [], "schema_version": 3}),
        PASS,
    ),
    _case(
        "AZION-LIST-001",
        BODY,
        "empty-list-200",
        variant(AZION_LIST, body={"results": [], "schema_version": 3}),
        PASS,
    ),
    _case("AZION-LIST-001", BODY, "empty-200", variant(AZION_LIST, body=""), "not-json"),
    _case(
        "AZION-LIST-001",
        BODY,
        "html-200",
        variant(AZION_LIST, body="<html>OK</html>", media_type="text/html"),
        "not-json",
    ),
    # deleteStreaming documents 204 without a body.
    _case("AZION-DELETE-001", BODY, "204-empty", AZION_DELETED, PASS),
    # Akamai's media type: parameters and case do not matter; a missing one does.
    _case(
        "AKAMAI-STREAM-LIST-001",
        MEDIA,
        "with-charset",
        variant(STREAMS, media_type="application/json; charset=utf-8"),
        PASS,
    ),
    _case(
        "AKAMAI-STREAM-LIST-001",
        MEDIA,
        "upper-case",
        variant(STREAMS, media_type="Application/JSON"),
        PASS,
    ),
    _case(
        "AKAMAI-STREAM-LIST-001",
        MEDIA,
        "no-content-type",
        variant(STREAMS, media_type=None),
        "success-media-type",
    ),
    _case(
        "AKAMAI-STREAM-CREATE-001",
        MEDIA,
        "problem-json-on-202",
        variant(CREATED, media_type=PROBLEM_JSON),
        "success-media-type",
    ),
    _case(
        "AKAMAI-STREAM-DELETE-001",
        MEDIA,
        "204",
        variant(AKAMAI["deleteStream"][0], status=204, body="", media_type=None),
        None,
    ),
]
CASES = _per_operation("akamai", AKAMAI) + _per_operation("azion", AZION) + EDGE_CASES


@pytest.mark.parametrize("case", params(CASES))
def test_operation_contract(case: Case) -> None:
    """Each case's exchange gets the outcome its requirement's statement demands."""
    assert_outcome(case)
