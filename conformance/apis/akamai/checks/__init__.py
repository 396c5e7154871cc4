"""Akamai's exchange checks, registered in this one place."""

from __future__ import annotations

from conformance.apis.akamai.checks import problem_details as problems
from conformance.apis.akamai.checks import rate_limit_headers as rate
from conformance.apis.akamai.checks import stream_bodies as bodies
from conformance.checks.base import CheckFunction, ExchangeCheck
from conformance.checks.operation_contract import items_match_component, success_checks

# operationId -> (requirement on its success status, requirement on its success body).
SUCCESS = {
    "listProperties": ("AKAMAI-PROP-001", "AKAMAI-PROP-002"),
    "listConnectorTypes": ("AKAMAI-CONN-001", "AKAMAI-CONN-002"),
    "listDatasetFields": ("AKAMAI-DATASET-001", "AKAMAI-DATASET-002"),
    "listGroups": ("AKAMAI-GROUP-001", "AKAMAI-GROUP-002"),
    "listProducts": ("AKAMAI-PRODUCT-001", "AKAMAI-PRODUCT-002"),
    "listStreamTypes": ("AKAMAI-STREAMTYPE-001", "AKAMAI-STREAMTYPE-002"),
    "listStreams": ("AKAMAI-STREAM-LIST-001", "AKAMAI-STREAM-LIST-002"),
    "createStream": ("AKAMAI-STREAM-CREATE-001", "AKAMAI-STREAM-CREATE-002"),
    "getStream": ("AKAMAI-STREAM-GET-001", "AKAMAI-STREAM-GET-002"),
    "editStream": ("AKAMAI-STREAM-EDIT-001", "AKAMAI-STREAM-EDIT-002"),
    "deleteStream": ("AKAMAI-STREAM-DELETE-001", "AKAMAI-STREAM-DELETE-002"),
    "getActivationHistory": ("AKAMAI-ACTHIST-001", "AKAMAI-ACTHIST-002"),
    "activateStream": ("AKAMAI-ACTIVATE-001", "AKAMAI-ACTIVATE-002"),
    "deactivateStream": ("AKAMAI-DEACTIVATE-001", "AKAMAI-DEACTIVATE-002"),
    "getStreamHistory": ("AKAMAI-HISTORY-001", "AKAMAI-HISTORY-002"),
}
STREAM_READS = ("getStream", "getStreamHistory")
STREAM_BODIES = ("listStreams", "getStream", "getStreamHistory")


def _akamai(requirement_id: str, function: CheckFunction, *operations: str) -> ExchangeCheck:
    return ExchangeCheck(requirement_id, "akamai", function, operations)


CHECKS: tuple[ExchangeCheck, ...] = (
    # Rate limiting
    _akamai("AKAMAI-RATE-003", rate.limit_header_present),
    _akamai("AKAMAI-RATE-004", rate.remaining_header_present),
    _akamai("AKAMAI-RATE-005", rate.next_header_when_exhausted),
    _akamai("AKAMAI-RATE-006", rate.limit_is_seed_budget),
    _akamai("AKAMAI-RATE-009", rate.remaining_within_limit),
    _akamai("AKAMAI-RATE-010", rate.next_is_iso8601),
    _akamai("AKAMAI-STATUS-012", rate.too_many_requests_means_exhausted),
    # Status codes and problem details
    _akamai("AKAMAI-STATUS-001", problems.status_is_documented),
    _akamai("AKAMAI-ERROR-001", problems.problem_body_is_object),
    _akamai("AKAMAI-ERROR-002", problems.problem_media_type),
    _akamai("AKAMAI-ERROR-003", problems.problem_has_type),
    _akamai("AKAMAI-ERROR-004", problems.problem_has_title),
    _akamai("AKAMAI-ERROR-005", problems.problem_has_instance),
    _akamai("AKAMAI-ERROR-006", problems.problem_status_matches),
    _akamai("AKAMAI-ERROR-007", problems.problem_errors_are_details),
    # Success answers: status, media type, schema
    *success_checks("akamai", SUCCESS, media_type_is_json=True),
    # Body content the schema cannot say
    _akamai("AKAMAI-CONN-003", bodies.connector_types_include_seed_four, "listConnectorTypes"),
    _akamai("AKAMAI-DATASET-004", bodies.dataset_field_ids_unique, "listDatasetFields"),
    _akamai("AKAMAI-DATASET-005", bodies.dataset_fields_have_no_order, "listDatasetFields"),
    _akamai("AKAMAI-DATASET-006", bodies.dataset_lists_seed_fields, "listDatasetFields"),
    _akamai("AKAMAI-PRODUCT-003", items_match_component("ProductGroup", "groups"), "listProducts"),
    _akamai("AKAMAI-PRODUCT-004", bodies.product_templates_are_edge_logs, "listProducts"),
    _akamai("AKAMAI-STREAMTYPE-003", bodies.stream_types_only_raw_logs, "listStreamTypes"),
    _akamai("AKAMAI-STREAM-LIST-004", bodies.list_current_version_matches, "listStreams"),
    _akamai("AKAMAI-STREAM-LIST-007", bodies.list_stream_type_name_is_raw, "listStreams"),
    _akamai("AKAMAI-STREAM-GET-008", bodies.stream_type_is_raw_logs, *STREAM_READS),
    _akamai("AKAMAI-STREAM-GET-009", bodies.template_name_is_edge_logs, *STREAM_READS),
    _akamai("AKAMAI-VERSION-007", bodies.activation_status_is_known, *STREAM_BODIES),
    _akamai(
        "AKAMAI-VERSION-008", bodies.dates_in_akamai_form, *STREAM_BODIES, "getActivationHistory"
    ),
    _akamai("AKAMAI-ERROR-008", bodies.stream_errors_are_typed, *STREAM_BODIES),
    _akamai("AKAMAI-CONNECTOR-007", bodies.s3_compresses_logs, *STREAM_READS),
    _akamai("AKAMAI-CONNECTOR-008", bodies.azure_compresses_logs, *STREAM_READS),
    _akamai("AKAMAI-CONNECTOR-011", bodies.s3_hides_secret_access_key, *STREAM_READS),
    _akamai("AKAMAI-CONNECTOR-012", bodies.s3_hides_access_key, *STREAM_READS),
    _akamai("AKAMAI-CONNECTOR-013", bodies.azure_hides_access_key, *STREAM_READS),
    _akamai("AKAMAI-CONNECTOR-014", bodies.datadog_hides_auth_token, *STREAM_READS),
    _akamai("AKAMAI-CONNECTOR-015", bodies.splunk_hides_collector_token, *STREAM_READS),
    _akamai("AKAMAI-CONNECTOR-016", bodies.connectors_have_ids, *STREAM_READS),
    _akamai("AKAMAI-STREAM-DELETE-002", bodies.delete_says_success, "deleteStream"),
    _akamai("AKAMAI-STREAM-EDIT-002", bodies.version_key_names_path_stream, "editStream"),
    _akamai("AKAMAI-ACTIVATE-002", bodies.version_key_names_path_stream, "activateStream"),
    _akamai("AKAMAI-DEACTIVATE-002", bodies.version_key_names_path_stream, "deactivateStream"),
    _akamai("AKAMAI-ACTHIST-002", bodies.history_entries_name_path_stream, "getActivationHistory"),
)
