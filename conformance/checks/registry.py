"""Every exchange check of the suite, registered in this one place."""

from __future__ import annotations

from conformance.checks import azion_responses as azion
from conformance.checks import problem_details as problems
from conformance.checks import rate_limit_headers as rate
from conformance.checks import stream_bodies as bodies
from conformance.checks.base import CheckFunction, ExchangeCheck
from conformance.checks.operation_contract import (
    documented_success_status,
    items_match_component,
    success_body_matches_schema,
    success_media_type_is_json,
)
from conformance.checks.secrets import no_secret_echoed

# operationId -> (requirement on its success status, requirement on its success body).
AZION_SUCCESS = {
    "listStreamings": ("AZION-LIST-001", "AZION-LIST-001"),
    "createStreaming": ("AZION-CREATE-001", "AZION-CREATE-001"),
    "getStreaming": ("AZION-GET-001", "AZION-GET-001"),
    "replaceStreaming": ("AZION-EDIT-003", "AZION-EDIT-003"),
    "updateStreaming": ("AZION-EDIT-001", "AZION-EDIT-001"),
    "deleteStreaming": ("AZION-DELETE-001", "AZION-DELETE-001"),
    "listTemplates": ("AZION-TEMPLATE-005", "AZION-TEMPLATE-005"),
    "getTemplate": ("AZION-TEMPLATE-007", "AZION-TEMPLATE-007"),
}
AKAMAI_SUCCESS = {
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


def _success_checks(
    api: str, mapping: dict[str, tuple[str, str]], *, media_type_is_json: bool = False
) -> list[ExchangeCheck]:
    """Per operation: its documented success status, (optionally) its JSON media type and
    its body's schema."""
    checks: list[ExchangeCheck] = []
    for operation_id, (status_requirement, body_requirement) in mapping.items():
        checks.append(
            ExchangeCheck(status_requirement, api, documented_success_status, (operation_id,))
        )
        if media_type_is_json:
            checks.append(
                ExchangeCheck(status_requirement, api, success_media_type_is_json, (operation_id,))
            )
        checks.append(
            ExchangeCheck(body_requirement, api, success_body_matches_schema, (operation_id,))
        )
    return checks


def _akamai(requirement_id: str, function: CheckFunction, *operations: str) -> ExchangeCheck:
    return ExchangeCheck(requirement_id, "akamai", function, operations)


AZION_CHECKS: tuple[ExchangeCheck, ...] = (
    ExchangeCheck("AZION-ENVELOPE-001", "azion", azion.envelope_present),
    ExchangeCheck("AZION-ENVELOPE-002", "azion", azion.schema_version_is_3),
    ExchangeCheck("AZION-ENVELOPE-003", "azion", azion.results_shape),
    ExchangeCheck("AZION-ERROR-001", "azion", azion.bad_request_is_field_map),
    ExchangeCheck("AZION-ERROR-002", "azion", azion.auth_and_not_found_have_detail),
    ExchangeCheck("AZION-ERROR-003", "azion", azion.other_errors_have_detail),
    ExchangeCheck("AZION-ERROR-005", "azion", azion.errors_are_json),
    ExchangeCheck("AZION-ENDPOINT-011", "azion", no_secret_echoed),
    *_success_checks("azion", AZION_SUCCESS),
)

AKAMAI_CHECKS: tuple[ExchangeCheck, ...] = (
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
    *_success_checks("akamai", AKAMAI_SUCCESS, media_type_is_json=True),
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

CHECKS: dict[str, tuple[ExchangeCheck, ...]] = {"akamai": AKAMAI_CHECKS, "azion": AZION_CHECKS}
