"""What the Akamai seed says of successful bodies beyond their schema:
conformance/checks/stream_bodies.py (and PRODUCT-003's component check)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.base import PASS
from tests.checks.cases import Case, assert_outcome, params
from tests.support.exchanges import (
    PROBLEM_JSON,
    seed_exchange,
    seed_objects,
    variant,
)

NOT_FOUND = {"type": "not-found", "title": "Not Found", "instance": "x", "status": 404}
CONNECTORS = seed_exchange("akamai", "List connector types")
DATASETS = seed_exchange("akamai", "List data set fields")
PRODUCTS = seed_exchange("akamai", "List delivery products and associated groups")
STREAM_TYPES = seed_exchange("akamai", "List stream types")
STREAMS = seed_exchange("akamai", "List streams")
STREAM = seed_exchange("akamai", "Get a stream")  # one Azure connector
HISTORY = seed_exchange("akamai", "View history")
ACTIVATIONS = seed_exchange("akamai", "View activation history")
DELETED = seed_exchange("akamai", "Delete a stream")
EDITED = seed_exchange("akamai", "Edit a stream")
ACTIVATED = seed_exchange("akamai", "Activate a stream")
DEACTIVATED = seed_exchange("akamai", "Deactivate a stream")
# The seed's stream error object (the Errors section's sample without an HTTP status).
STREAM_ERROR = next(e for e in seed_objects("akamai", "Error responses") if "status" not in e)


def _missing_404(base: Any) -> Any:
    return variant(base, status=404, body=NOT_FOUND, media_type=PROBLEM_JSON)


def _edit_items(base: Any, **changes: Any) -> Any:
    """`base` with `changes` made to each object of its body (a value of None removes)."""
    body = base.response.json()

    def edit(item: dict[str, Any]) -> dict[str, Any]:
        merged = {**item, **changes}
        return {k: v for k, v in merged.items() if v is not None}

    return variant(base, body=[edit(i) for i in body] if isinstance(body, list) else edit(body))


def _connector(kind: str, **extra: Any) -> dict[str, Any]:
    """The seed's POST sample of a connector as a GET would show it: no credential, an id."""
    sample = next(iter(seed_objects("akamai", kind)))
    credentials = {"accessKey", "secretAccessKey", "authToken", "eventCollectorToken"}
    shown = {k: v for k, v in sample.items() if k not in credentials}
    return {"connectorId": 9100, **shown, **extra}


def _with_connectors(*connectors: dict[str, Any]) -> Any:
    return _edit_items(STREAM, connectors=list(connectors))


S3 = _connector("AmazonS3", compressLogs=True)
AZURE = STREAM.response.json()["connectors"][0]
DATADOG = _connector("Datadog")
SPLUNK = _connector("Splunk")
S3_STREAM = _with_connectors(S3)


def _credential(kind: str, member: str) -> str:
    return str(next(iter(seed_objects("akamai", kind)))[member])


# The seed's data set parameters table has 2001-2010 (less 2008); the operation's own sample
# lacks them (ERRATUM-AKAMAI-119).
CMCD_GROUP = {
    "datasetGroupName": "Media",
    "datasetFields": [
        {"datasetFieldId": i, "datasetFieldName": f"field {i}", "datasetFieldDescription": "."}
        for i in (2001, 2002, 2003, 2004, 2005, 2006, 2007, 2009, 2010)
    ],
}
DATASET_BODY = DATASETS.response.json()
ALL_DATASETS = variant(DATASETS, body=[*DATASET_BODY, CMCD_GROUP])
FIRST_FIELD = DATASET_BODY[0]["datasetFields"][0]


def _datasets_with(field: dict[str, Any]) -> Any:
    last = {**DATASET_BODY[-1], "datasetFields": [*DATASET_BODY[-1]["datasetFields"], field]}
    return variant(DATASETS, body=[*DATASET_BODY[:-1], last])


def _version_key(base: Any, stream_id: Any) -> Any:
    return variant(base, body={"streamVersionKey": {"streamId": stream_id, "streamVersionId": 2}})


CASES = [
    # AKAMAI-CONN-003: the four seed connector types are offered (others tolerated).
    Case("AKAMAI-CONN-003", "connector_types_include_seed_four", "seed", CONNECTORS, PASS),
    Case(
        "AKAMAI-CONN-003",
        "connector_types_include_seed_four",
        "extra-type-tolerated",
        variant(
            CONNECTORS,
            body=[
                *CONNECTORS.response.json(),
                {"connectorType": "HTTPS", "connectorTypeName": "Custom HTTPS"},
            ],
        ),
        PASS,
    ),
    Case(
        "AKAMAI-CONN-003",
        "connector_types_include_seed_four",
        "no-splunk",
        variant(CONNECTORS, body=CONNECTORS.response.json()[:3]),
        "connector-types",
    ),
    Case(
        "AKAMAI-CONN-003",
        "connector_types_include_seed_four",
        "404",
        _missing_404(CONNECTORS),
        None,
    ),
    # AKAMAI-DATASET-004: a datasetFieldId is listed once across the groups.
    Case("AKAMAI-DATASET-004", "dataset_field_ids_unique", "seed", DATASETS, PASS),
    Case(
        "AKAMAI-DATASET-004",
        "dataset_field_ids_unique",
        "same-id-in-two-groups",
        _datasets_with(FIRST_FIELD),
        "dataset-dup",
    ),
    Case("AKAMAI-DATASET-004", "dataset_field_ids_unique", "404", _missing_404(DATASETS), None),
    # AKAMAI-DATASET-005: no order member in listDatasetFields.
    Case("AKAMAI-DATASET-005", "dataset_fields_have_no_order", "seed", DATASETS, PASS),
    Case(
        "AKAMAI-DATASET-005",
        "dataset_fields_have_no_order",
        "field-with-order",
        _datasets_with({**FIRST_FIELD, "datasetFieldId": 9999, "order": 0}),
        "dataset-order",
    ),
    Case("AKAMAI-DATASET-005", "dataset_fields_have_no_order", "404", _missing_404(DATASETS), None),
    # AKAMAI-DATASET-006: EDGE_LOGS lists the data set parameters table's fields.
    Case("AKAMAI-DATASET-006", "dataset_lists_seed_fields", "all-table-fields", ALL_DATASETS, PASS),
    Case(
        "AKAMAI-DATASET-006",
        "dataset_lists_seed_fields",
        "trailing-slash",
        variant(ALL_DATASETS, path="/datastream-config-api/v1/log/datasets/template/EDGE_LOGS/"),
        PASS,
    ),
    Case(
        "AKAMAI-DATASET-006",
        "dataset_lists_seed_fields",
        "seed-sample-lacks-2001-2010",
        DATASETS,
        "dataset-missing",
    ),
    Case(
        "AKAMAI-DATASET-006",
        "dataset_lists_seed_fields",
        "other-template",
        variant(DATASETS, path="/datastream-config-api/v1/log/datasets/template/OTHER_LOGS"),
        None,
    ),
    # AKAMAI-PRODUCT-003: each product group is a ProductGroup.
    Case("AKAMAI-PRODUCT-003", "groups_items_are_ProductGroup", "seed", PRODUCTS, PASS),
    Case(
        "AKAMAI-PRODUCT-003",
        "groups_items_are_ProductGroup",
        "string-group-id",
        _edit_items(
            PRODUCTS,
            groups=[{"groupId": "21483", "parentGroupId": None, "contractIds": ["2-FGHIJ"]}],
        ),
        "groups-item",
    ),
    Case(
        "AKAMAI-PRODUCT-003",
        "groups_items_are_ProductGroup",
        "contract-ids-string",
        _edit_items(
            PRODUCTS, groups=[{"groupId": 21483, "parentGroupId": None, "contractIds": "2-FGHIJ"}]
        ),
        "groups-item",
    ),
    Case(
        "AKAMAI-PRODUCT-003",
        "groups_items_are_ProductGroup",
        "not-json",
        variant(PRODUCTS, body="<products/>", media_type="text/xml"),
        None,
    ),
    # AKAMAI-PRODUCT-004: EDGE_LOGS is the only template.
    Case("AKAMAI-PRODUCT-004", "product_templates_are_edge_logs", "seed", PRODUCTS, PASS),
    Case(
        "AKAMAI-PRODUCT-004",
        "product_templates_are_edge_logs",
        "raw-logs-template",
        _edit_items(
            PRODUCTS, templates=[{"templateName": "EDGE_LOGS"}, {"templateName": "RAW_LOGS"}]
        ),
        "product-template",
    ),
    Case(
        "AKAMAI-PRODUCT-004",
        "product_templates_are_edge_logs",
        "404",
        _missing_404(PRODUCTS),
        None,
    ),
    # AKAMAI-STREAMTYPE-003: RAW_LOGS and nothing else.
    Case("AKAMAI-STREAMTYPE-003", "stream_types_only_raw_logs", "seed", STREAM_TYPES, PASS),
    Case(
        "AKAMAI-STREAMTYPE-003",
        "stream_types_only_raw_logs",
        "second-type",
        variant(
            STREAM_TYPES,
            body=[
                {"streamTypeName": "Logs - Raw", "streamType": "RAW_LOGS", "isRaw": True},
                {"streamTypeName": "Logs - Digest", "streamType": "DIGEST_LOGS", "isRaw": False},
            ],
        ),
        "stream-types",
    ),
    Case(
        "AKAMAI-STREAMTYPE-003",
        "stream_types_only_raw_logs",
        "empty",
        variant(STREAM_TYPES, body=[]),
        "stream-types",
    ),
    Case(
        "AKAMAI-STREAMTYPE-003",
        "stream_types_only_raw_logs",
        "404",
        _missing_404(STREAM_TYPES),
        None,
    ),
    # AKAMAI-STREAM-LIST-004: currentVersionId equals streamVersionId in listStreams.
    Case("AKAMAI-STREAM-LIST-004", "list_current_version_matches", "seed", STREAMS, PASS),
    Case(
        "AKAMAI-STREAM-LIST-004",
        "list_current_version_matches",
        "older-current",
        _edit_items(STREAMS, streamVersionId=3),
        "current-version",
    ),
    Case(
        "AKAMAI-STREAM-LIST-004",
        "list_current_version_matches",
        "404",
        _missing_404(STREAMS),
        None,
    ),
    # AKAMAI-STREAM-LIST-007: streamTypeName is "Logs - Raw".
    Case("AKAMAI-STREAM-LIST-007", "list_stream_type_name_is_raw", "seed", STREAMS, PASS),
    Case(
        "AKAMAI-STREAM-LIST-007",
        "list_stream_type_name_is_raw",
        "raw-logs-enum",
        _edit_items(STREAMS, streamTypeName="RAW_LOGS"),
        "stream-type-name",
    ),
    Case(
        "AKAMAI-STREAM-LIST-007",
        "list_stream_type_name_is_raw",
        "missing",
        _edit_items(STREAMS, streamTypeName=None),
        "stream-type-name",
    ),
    Case(
        "AKAMAI-STREAM-LIST-007",
        "list_stream_type_name_is_raw",
        "get-stream-not-covered",
        STREAM,
        None,
    ),
    # AKAMAI-STREAM-GET-008 / -009: streamType RAW_LOGS, templateName EDGE_LOGS.
    Case("AKAMAI-STREAM-GET-008", "stream_type_is_raw_logs", "seed-get", STREAM, PASS),
    Case("AKAMAI-STREAM-GET-008", "stream_type_is_raw_logs", "seed-history", HISTORY, PASS),
    Case(
        "AKAMAI-STREAM-GET-008",
        "stream_type_is_raw_logs",
        "digest",
        _edit_items(STREAM, streamType="DIGEST_LOGS"),
        "stream-type",
    ),
    Case(
        "AKAMAI-STREAM-GET-008",
        "stream_type_is_raw_logs",
        "history-item-missing-it",
        _edit_items(HISTORY, streamType=None),
        "stream-type",
    ),
    Case("AKAMAI-STREAM-GET-008", "stream_type_is_raw_logs", "404", _missing_404(STREAM), None),
    Case("AKAMAI-STREAM-GET-008", "stream_type_is_raw_logs", "list-not-covered", STREAMS, None),
    Case("AKAMAI-STREAM-GET-009", "template_name_is_edge_logs", "seed-get", STREAM, PASS),
    Case("AKAMAI-STREAM-GET-009", "template_name_is_edge_logs", "seed-history", HISTORY, PASS),
    Case(
        "AKAMAI-STREAM-GET-009",
        "template_name_is_edge_logs",
        "raw-logs-erratum-106",
        _edit_items(STREAM, templateName="RAW_LOGS"),
        "template-name",
    ),
    Case("AKAMAI-STREAM-GET-009", "template_name_is_edge_logs", "404", _missing_404(STREAM), None),
    # AKAMAI-VERSION-007: activationStatus is one of the four documented values.
    Case("AKAMAI-VERSION-007", "activation_status_is_known", "seed-list", STREAMS, PASS),
    Case("AKAMAI-VERSION-007", "activation_status_is_known", "seed-get", STREAM, PASS),
    Case("AKAMAI-VERSION-007", "activation_status_is_known", "seed-history", HISTORY, PASS),
    Case(
        "AKAMAI-VERSION-007",
        "activation_status_is_known",
        "inactive-known-deviation",
        _edit_items(STREAM, activationStatus="INACTIVE"),
        "activation-status",
    ),
    Case(
        "AKAMAI-VERSION-007",
        "activation_status_is_known",
        "lowercase",
        _edit_items(STREAMS, activationStatus="activated"),
        "activation-status",
    ),
    Case("AKAMAI-VERSION-007", "activation_status_is_known", "404", _missing_404(STREAM), None),
    # AKAMAI-VERSION-008: dates are DD-MM-YYYY HH:MM:SS GMT.
    Case("AKAMAI-VERSION-008", "dates_in_akamai_form", "seed-list", STREAMS, PASS),
    Case("AKAMAI-VERSION-008", "dates_in_akamai_form", "seed-get", STREAM, PASS),
    Case("AKAMAI-VERSION-008", "dates_in_akamai_form", "seed-activations", ACTIVATIONS, PASS),
    Case(
        "AKAMAI-VERSION-008",
        "dates_in_akamai_form",
        "iso-8601",
        _edit_items(STREAMS, createdDate="2020-07-14T07:07:40Z"),
        "date-form",
    ),
    Case(
        "AKAMAI-VERSION-008",
        "dates_in_akamai_form",
        "http-date-modified",
        _edit_items(STREAM, modifiedDate="Tue, 14 Jul 2020 07:07:40 GMT"),
        "date-form",
    ),
    Case(
        "AKAMAI-VERSION-008",
        "dates_in_akamai_form",
        "epoch-number",
        _edit_items(ACTIVATIONS, createdDate=1594710460),
        "date-form",
    ),
    Case("AKAMAI-VERSION-008", "dates_in_akamai_form", "404", _missing_404(STREAMS), None),
    # AKAMAI-ERROR-008: a stream's errors[] items are typed and titled.
    Case("AKAMAI-ERROR-008", "stream_errors_are_typed", "seed-no-errors", STREAMS, PASS),
    Case(
        "AKAMAI-ERROR-008",
        "stream_errors_are_typed",
        "seed-error-object",
        _edit_items(STREAM, errors=[STREAM_ERROR]),
        PASS,
    ),
    Case(
        "AKAMAI-ERROR-008",
        "stream_errors_are_typed",
        "problem-type",
        _edit_items(STREAMS, errors=[{**STREAM_ERROR, "type": "bad-request"}]),
        "stream-errors",
    ),
    Case(
        "AKAMAI-ERROR-008",
        "stream_errors_are_typed",
        "no-detail",
        _edit_items(STREAM, errors=[{"type": "ACTIVATION_ERROR", "title": "Activation Error"}]),
        "stream-errors",
    ),
    Case(
        "AKAMAI-ERROR-008",
        "stream_errors_are_typed",
        "message-string",
        _edit_items(STREAM, errors=["activation failed"]),
        "stream-errors",
    ),
    Case("AKAMAI-ERROR-008", "stream_errors_are_typed", "404", _missing_404(STREAM), None),
    # AKAMAI-CONNECTOR-007 / -008: S3 and Azure connectors always compress.
    Case("AKAMAI-CONNECTOR-007", "s3_compresses_logs", "s3-true", S3_STREAM, PASS),
    Case(
        "AKAMAI-CONNECTOR-007",
        "s3_compresses_logs",
        "s3-false",
        _with_connectors(_connector("AmazonS3", compressLogs=False)),
        "s3-compress",
    ),
    Case(
        "AKAMAI-CONNECTOR-007",
        "s3_compresses_logs",
        "s3-missing",
        _with_connectors(_connector("AmazonS3")),
        "s3-compress",
    ),
    Case(
        "AKAMAI-CONNECTOR-007",
        "s3_compresses_logs",
        "s3-string-true",
        _with_connectors(_connector("AmazonS3", compressLogs="true")),
        "s3-compress",
    ),
    Case("AKAMAI-CONNECTOR-007", "s3_compresses_logs", "seed-azure-only", STREAM, None),
    Case("AKAMAI-CONNECTOR-008", "azure_compresses_logs", "seed-get", STREAM, PASS),
    Case("AKAMAI-CONNECTOR-008", "azure_compresses_logs", "seed-history", HISTORY, PASS),
    Case(
        "AKAMAI-CONNECTOR-008",
        "azure_compresses_logs",
        "azure-false",
        _with_connectors(S3, {**AZURE, "compressLogs": False}),
        "azure-compress",
    ),
    Case("AKAMAI-CONNECTOR-008", "azure_compresses_logs", "s3-only", S3_STREAM, None),
    # AKAMAI-CONNECTOR-011..015: no credential comes back in a GET.
    Case("AKAMAI-CONNECTOR-011", "s3_hides_secret_access_key", "s3-without", S3_STREAM, PASS),
    Case(
        "AKAMAI-CONNECTOR-011",
        "s3_hides_secret_access_key",
        "s3-echoes-seed-key",
        _with_connectors({**S3, "secretAccessKey": _credential("AmazonS3", "secretAccessKey")}),
        "s3-secret",
    ),
    Case(
        "AKAMAI-CONNECTOR-011",
        "s3_hides_secret_access_key",
        "s3-masked",
        _with_connectors({**S3, "secretAccessKey": "****"}),
        "s3-secret",
    ),
    Case("AKAMAI-CONNECTOR-011", "s3_hides_secret_access_key", "seed-azure", STREAM, None),
    Case("AKAMAI-CONNECTOR-012", "s3_hides_access_key", "s3-without", S3_STREAM, PASS),
    Case(
        "AKAMAI-CONNECTOR-012",
        "s3_hides_access_key",
        "s3-echoes-seed-key",
        _with_connectors({**S3, "accessKey": _credential("AmazonS3", "accessKey")}),
        "s3-access-key",
    ),
    Case("AKAMAI-CONNECTOR-012", "s3_hides_access_key", "seed-azure", STREAM, None),
    Case("AKAMAI-CONNECTOR-013", "azure_hides_access_key", "seed-azure", STREAM, PASS),
    Case(
        "AKAMAI-CONNECTOR-013",
        "azure_hides_access_key",
        "azure-echoes-seed-key",
        _with_connectors({**AZURE, "accessKey": _credential("AzureStorage", "accessKey")}),
        "azure-access-key",
    ),
    Case("AKAMAI-CONNECTOR-013", "azure_hides_access_key", "s3-only", S3_STREAM, None),
    Case(
        "AKAMAI-CONNECTOR-014",
        "datadog_hides_auth_token",
        "datadog-without",
        _with_connectors(DATADOG),
        PASS,
    ),
    Case(
        "AKAMAI-CONNECTOR-014",
        "datadog_hides_auth_token",
        "datadog-echoes-seed-token",
        _with_connectors({**DATADOG, "authToken": _credential("Datadog", "authToken")}),
        "datadog-token",
    ),
    Case("AKAMAI-CONNECTOR-014", "datadog_hides_auth_token", "seed-azure", STREAM, None),
    Case(
        "AKAMAI-CONNECTOR-015",
        "splunk_hides_collector_token",
        "splunk-without",
        _with_connectors(SPLUNK),
        PASS,
    ),
    Case(
        "AKAMAI-CONNECTOR-015",
        "splunk_hides_collector_token",
        "splunk-echoes-seed-token",
        _with_connectors(
            {**SPLUNK, "eventCollectorToken": _credential("Splunk", "eventCollectorToken")}
        ),
        "splunk-token",
    ),
    Case("AKAMAI-CONNECTOR-015", "splunk_hides_collector_token", "seed-azure", STREAM, None),
    # AKAMAI-CONNECTOR-016: every connector has an integer connectorId.
    Case("AKAMAI-CONNECTOR-016", "connectors_have_ids", "seed-get", STREAM, PASS),
    Case("AKAMAI-CONNECTOR-016", "connectors_have_ids", "seed-history", HISTORY, PASS),
    Case(
        "AKAMAI-CONNECTOR-016",
        "connectors_have_ids",
        "string-id",
        _with_connectors({**AZURE, "connectorId": "8600"}),
        "connector-id",
    ),
    Case(
        "AKAMAI-CONNECTOR-016",
        "connectors_have_ids",
        "missing-id",
        _with_connectors(S3, {k: v for k, v in AZURE.items() if k != "connectorId"}),
        "connector-id",
    ),
    Case("AKAMAI-CONNECTOR-016", "connectors_have_ids", "no-connectors", _with_connectors(), None),
    Case("AKAMAI-CONNECTOR-016", "connectors_have_ids", "404", _missing_404(STREAM), None),
    # AKAMAI-STREAM-DELETE-002: {"message": "Success"}.
    Case("AKAMAI-STREAM-DELETE-002", "delete_says_success", "seed", DELETED, PASS),
    Case(
        "AKAMAI-STREAM-DELETE-002",
        "delete_says_success",
        "other-message",
        variant(DELETED, body={"message": "Stream deleted"}),
        "delete-message",
    ),
    Case(
        "AKAMAI-STREAM-DELETE-002",
        "delete_says_success",
        "no-message",
        variant(DELETED, body={}),
        "delete-message",
    ),
    Case("AKAMAI-STREAM-DELETE-002", "delete_says_success", "404", _missing_404(DELETED), None),
    # AKAMAI-STREAM-EDIT-002, ACTIVATE-002, DEACTIVATE-002: the key names the path's stream.
    *(
        case
        for requirement, base in (
            ("AKAMAI-STREAM-EDIT-002", EDITED),
            ("AKAMAI-ACTIVATE-002", ACTIVATED),
            ("AKAMAI-DEACTIVATE-002", DEACTIVATED),
        )
        for case in (
            Case(requirement, "version_key_names_path_stream", "seed", base, PASS),
            Case(
                requirement,
                "version_key_names_path_stream",
                "other-stream",
                _version_key(base, 4608),
                "version-key-stream",
            ),
            Case(
                requirement,
                "version_key_names_path_stream",
                "string-stream-id",
                _version_key(base, "7050"),
                "version-key-stream",
            ),
            Case(
                requirement,
                "version_key_names_path_stream",
                "404",
                _missing_404(base),
                None,
            ),
        )
    ),
    # AKAMAI-ACTHIST-002: every entry carries the path's streamId.
    Case("AKAMAI-ACTHIST-002", "history_entries_name_path_stream", "seed", ACTIVATIONS, PASS),
    Case(
        "AKAMAI-ACTHIST-002",
        "history_entries_name_path_stream",
        "other-stream",
        _edit_items(ACTIVATIONS, streamId=4608),
        "history-stream",
    ),
    Case(
        "AKAMAI-ACTHIST-002",
        "history_entries_name_path_stream",
        "404",
        _missing_404(ACTIVATIONS),
        None,
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_stream_bodies(case: Case) -> None:
    """Each case's exchange gets the outcome its requirement's statement demands."""
    assert_outcome(case)
