"""What the Azion reference server stores of a create, PUT or PATCH body: the members the
spec defines, defaults filled in, the endpoint's variables for its type, and customized
templates."""

from __future__ import annotations

import copy
from typing import Any

from conformance.reference.azion.state import AzionState
from conformance.reference.azion.validation import endpoint_properties

STREAMING_MEMBERS = (
    "name",
    "template_id",
    "data_source",
    "active",
    "domain_ids",
    "endpoint",
    "template_model",
    # Not in the seed; Azion's own OpenAPI and console send them (ERRATUM-AZION-020).
    "all_domains",
    "sampling_percentage",
)
DEFAULT_DATA_SOURCE = "http"


class Records:
    """The storage mapping of request bodies, and its faults."""

    def __init__(self, state: AzionState) -> None:
        self.state = state
        self.fault = state.fault

    def _stored_endpoint(self, endpoint: Any) -> Any:
        """The endpoint as stored: the variables the spec defines for its type."""
        if not isinstance(endpoint, dict):
            return endpoint
        known = endpoint_properties(self.state.document, str(endpoint.get("endpoint_type")))
        stored = {k: copy.deepcopy(v) for k, v in endpoint.items() if not known or k in known}
        if self.fault("headers-dropped"):
            stored.pop("headers", None)
        separator = stored.get("log_line_separator")
        if self.fault("log-line-separator-escaped") and isinstance(separator, str):
            stored["log_line_separator"] = separator.encode("unicode_escape").decode("ascii")
        return stored

    def apply_member(self, record: dict[str, Any], key: str, value: Any) -> None:
        """Set one member of a stored streaming (caller holds the store lock)."""
        if key == "template_id":
            record.pop("template_model", None)
            record.pop("_custom_template_id", None)
        elif key == "template_model":
            if not self.fault("both-templates-accepted"):
                record.pop("template_id", None)
            name = str(record.get("name", ""))
            record["_custom_template_id"] = self.state.store.add_custom_template(name, value)
        elif key == "endpoint":
            value = self._stored_endpoint(value)
        record[key] = copy.deepcopy(value)

    def full_record(self, streaming_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """A streaming built from a create/PUT body, defaults filled (caller holds the lock)."""
        record: dict[str, Any] = {"id": streaming_id}
        if self.fault("data-source-not-defaulted"):
            record["data_source"] = None
        else:
            record["data_source"] = DEFAULT_DATA_SOURCE
        record["active"] = not self.fault("active-defaults-false")
        for key in STREAMING_MEMBERS:
            if key in body:
                self.apply_member(record, key, body[key])
        return record
