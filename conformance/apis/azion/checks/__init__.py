"""Azion's exchange checks, registered in this one place."""

from __future__ import annotations

from conformance.apis.azion.checks import responses as azion
from conformance.checks.base import ExchangeCheck
from conformance.checks.operation_contract import success_checks
from conformance.checks.secrets import no_secret_echoed

# operationId -> (requirement on its success status, requirement on its success body).
SUCCESS = {
    "listStreamings": ("AZION-LIST-001", "AZION-LIST-001"),
    "createStreaming": ("AZION-CREATE-001", "AZION-CREATE-001"),
    "getStreaming": ("AZION-GET-001", "AZION-GET-001"),
    "replaceStreaming": ("AZION-EDIT-003", "AZION-EDIT-003"),
    "updateStreaming": ("AZION-EDIT-001", "AZION-EDIT-001"),
    "deleteStreaming": ("AZION-DELETE-001", "AZION-DELETE-001"),
    "listTemplates": ("AZION-TEMPLATE-005", "AZION-TEMPLATE-005"),
    "getTemplate": ("AZION-TEMPLATE-007", "AZION-TEMPLATE-007"),
}

CHECKS: tuple[ExchangeCheck, ...] = (
    ExchangeCheck("AZION-ENVELOPE-001", "azion", azion.envelope_present),
    ExchangeCheck("AZION-ENVELOPE-002", "azion", azion.schema_version_is_3),
    ExchangeCheck("AZION-ENVELOPE-003", "azion", azion.results_shape),
    ExchangeCheck("AZION-ERROR-001", "azion", azion.bad_request_is_field_map),
    ExchangeCheck("AZION-ERROR-002", "azion", azion.auth_and_not_found_have_detail),
    ExchangeCheck("AZION-ERROR-003", "azion", azion.other_errors_have_detail),
    ExchangeCheck("AZION-ERROR-005", "azion", azion.errors_are_json),
    ExchangeCheck("AZION-ENDPOINT-011", "azion", no_secret_echoed),
    *success_checks("azion", SUCCESS),
)
