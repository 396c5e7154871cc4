"""Akamai request bodies: media type and JSON, the spec's schemas (each connector against its
own type's schema), and the rules no schema states (known product, group, properties and data
set fields); each active fault lets exactly one violation through."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from conformance.reference.akamai import seed_data as seed
from conformance.reference.akamai.state import JSON, AkamaiState
from conformance.reference.akamai.store import Stream
from conformance.reference.problem_details import FieldProblem, ProblemError
from conformance.reference.request_validation import FieldError, validate_body


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _field_problems(errors: list[FieldError]) -> list[FieldProblem]:
    return [FieldProblem(e.field, f"{e.pointer or '/'}: {e.message}") for e in errors]


def _connector_type(body: Any) -> Any:
    connectors = body.get("connectors") if isinstance(body, dict) else None
    if isinstance(connectors, list) and connectors and isinstance(connectors[0], dict):
        return connectors[0].get("connectorType")
    return None


def _required_member(message: str) -> str:
    # "'secretAccessKey' is a required property" -> secretAccessKey
    if message.startswith("'") and "'" in message[1:]:
        return message[1 : message.index("'", 1)]
    return "connector"


class Validator:
    """The checks of createStream and editStream bodies."""

    def __init__(self, state: AkamaiState) -> None:
        self.state = state
        self.fault = state.fault

    def _json_body(self, request: Request, body: bytes) -> Any:
        content_type = request.headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        if media != JSON and not self.fault("non-json-content-type-accepted"):
            raise ProblemError(
                415, f"The request body must be application/json, not {content_type or 'untyped'}."
            )
        try:
            return json.loads(body, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            status = 415 if self.fault("malformed-json-415") else 400
            raise ProblemError(status, f"The request body is not valid JSON: {exc}.") from None

    def _schema_errors(self, operation_id: str, body: Any) -> list[FieldError]:
        """Spec violations; each connector is checked against its own type's schema."""
        errors = [
            e
            for e in validate_body(self.state.document, operation_id, body)
            if not e.pointer.startswith("/connectors/")
        ]
        connectors = body.get("connectors") if isinstance(body, dict) else None
        for index, connector in enumerate(connectors if isinstance(connectors, list) else []):
            ctype = connector.get("connectorType") if isinstance(connector, dict) else None
            pointer = self.state.connector_schemas.get(str(ctype))
            if pointer is None:
                if not self.fault("unknown-connector-type-accepted"):
                    errors.append(
                        FieldError(
                            f"/connectors/{index}/connectorType",
                            "connectorType",
                            f"{ctype!r} is not one of {sorted(self.state.connector_schemas)}",
                        )
                    )
                continue
            for error in self.state.document.validator(pointer).iter_errors(connector):
                path = [str(p) for p in error.absolute_path]
                field = path[-1] if path else _required_member(error.message)
                errors.append(
                    FieldError(
                        f"/connectors/{index}" + "".join(f"/{p}" for p in path),
                        field,
                        error.message,
                    )
                )
        errors += self._uri_errors(connectors)
        return [e for e in errors if not self._relaxed(e, body)]

    def _uri_errors(self, connectors: Any) -> list[FieldError]:
        """`format: uri` members (Datadog url): jsonschema checks them only with rfc3987."""
        found: list[FieldError] = []
        for index, connector in enumerate(connectors if isinstance(connectors, list) else []):
            if not isinstance(connector, dict):
                continue
            url = connector.get("url")
            pointer = self.state.connector_schemas.get(str(connector.get("connectorType")))
            if pointer is None or not isinstance(url, str):
                continue
            declared = self.state.document.at_pointer(pointer)["properties"].get("url", {})
            parts = urlsplit(url)
            if declared.get("format") == "uri" and not (parts.scheme and parts.netloc):
                found.append(FieldError(f"/connectors/{index}/url", "url", f"{url!r} is not a URI"))
        return found

    def _relaxed(self, e: FieldError, body: Any) -> bool:
        """Whether an active fault lets this schema violation through."""
        ctype = _connector_type(body)
        at, field, says = e.pointer, e.field, e.message
        exemptions = (  # (fault, whether it exempts this violation)
            ("stream-name-type-not-checked", at == "/streamName"),
            ("create-contract-id-optional", field == "contractId" and at == "/"),
            ("fourth-property-accepted", at == "/propertyIds" and "too long" in says),
            ("frequency-not-checked", at == "/config/frequency/timeInSec"),
            ("delimiter-not-checked", at == "/config/delimiter"),
            ("prefix-length-not-checked", at == "/config/uploadFilePrefix" and "too long" in says),
            ("prefix-dot-accepted", at == "/config/uploadFilePrefix" and "match" in says),
            ("suffix-length-not-checked", at == "/config/uploadFileSuffix" and "too long" in says),
            ("suffix-chars-accepted", at == "/config/uploadFileSuffix" and "match" in says),
            ("path-length-not-checked", at == "/connectors/0/path"),
            ("stream-type-not-checked", at == "/streamType"),
            ("template-name-not-checked", at == "/templateName"),
            ("s3-secret-optional", ctype == "S3" and field == "secretAccessKey"),
            ("azure-access-key-optional", ctype == "AZURE" and field == "accessKey"),
            ("datadog-auth-token-optional", ctype == "DATADOG" and field == "authToken"),
            ("splunk-token-optional", ctype == "SPLUNK" and field == "eventCollectorToken"),
            ("splunk-url-not-checked", ctype == "SPLUNK" and at == "/connectors/0/url"),
        )
        return any(applies and self.fault(fault) for fault, applies in exemptions)

    def problems(
        self, body: dict[str, Any], product_id: str, group_id: int, own: Stream | None
    ) -> list[FieldProblem]:
        """Rules no schema states: known product, group, properties and data set fields."""
        product = self.state.products.get(product_id)
        if product is None:
            return [FieldProblem("productId", f"There is no product {product_id!r}.")]
        if group_id not in {g["groupId"] for g in product["groups"]}:
            return [FieldProblem("groupId", f"Group {group_id} has no access to {product_id}.")]
        return [
            *self._property_problems(body, product_id, group_id, own),
            *self._dataset_problems(body),
            *self._path_problems(body),
        ]

    def _property_problems(
        self, body: dict[str, Any], product_id: str, group_id: int, own: Stream | None
    ) -> list[FieldProblem]:
        """Each property must be active for the product in the group, and in no other stream."""
        problems: list[FieldProblem] = []
        known = {p["propertyId"] for p in self.state.properties.get((product_id, group_id), [])}
        taken_fault = (
            "property-in-two-streams-accepted"
            if own is None
            else "edit-property-in-other-stream-accepted"
        )
        for pid in body.get("propertyIds", []):
            if pid not in known and not self.fault("unknown-property-accepted"):
                problems.append(
                    FieldProblem(
                        "propertyIds",
                        f"Property {pid} is not active for {product_id} in group {group_id}.",
                    )
                )
                continue
            owner = self.state.store.property_owner(
                pid, include_deleted=self.fault("deleted-stream-keeps-properties")
            )
            if (
                owner is not None
                and (own is None or owner != own.stream_id)
                and not self.fault(taken_fault)
            ):
                problems.append(
                    FieldProblem(
                        "propertyIds", f"Property {pid} is already part of stream {owner}."
                    )
                )
        return problems

    def _dataset_problems(self, body: dict[str, Any]) -> list[FieldProblem]:
        """Each data set field must be the template's, and listed once."""
        problems: list[FieldProblem] = []
        seen: set[int] = set()
        for fid in body.get("datasetFieldIds", []):
            if fid not in self.state.dataset_fields and not self.fault(
                "unknown-dataset-field-accepted"
            ):
                problems.append(
                    FieldProblem(
                        "datasetFieldIds", f"{fid} is not a data set field of {seed.TEMPLATE_NAME}."
                    )
                )
            elif fid in seen:
                problems.append(
                    FieldProblem("datasetFieldIds", f"Data set field {fid} is listed twice.")
                )
            seen.add(fid)
        return problems

    def _path_problems(self, body: dict[str, Any]) -> list[FieldProblem]:
        """What only a fault refuses: dynamic variables in the prefix, spaced ones in a path."""
        problems: list[FieldProblem] = []
        prefix = str(body.get("config", {}).get("uploadFilePrefix", ""))
        if self.fault("prefix-dynamic-variables-refused") and "{" in prefix:
            problems.append(
                FieldProblem("uploadFilePrefix", "Dynamic variables are not supported.")
            )
        for connector in body.get("connectors", []):
            path = str(connector.get("path", "")) if isinstance(connector, dict) else ""
            if self.fault("path-spaced-variables-refused") and re.search(r"\{[^}]*\s/\s", path):
                problems.append(FieldProblem("path", "Spaces inside {} are not supported."))
        return problems

    def body(self, request: Request, body: bytes, operation_id: str) -> dict[str, Any]:
        document = self._json_body(request, body)
        if (
            self.fault("email-ids-required")
            and isinstance(document, dict)
            and "emailIds" not in document
        ):
            raise ProblemError(
                400, "emailIds is required.", [FieldProblem("emailIds", "emailIds is required.")]
            )
        errors = self._schema_errors(operation_id, document)
        if errors:
            raise ProblemError(
                400,
                "The stream configuration is not valid.",
                _field_problems(errors),
                title="Erroneous data input",
            )
        if not isinstance(document, dict):  # pragma: no cover - the schema demands an object
            raise ProblemError(400, "The request body must be a JSON object.")
        return document

    def product_of(self, document: dict[str, Any], group_id: int) -> str:
        """The create's productId, or (not sent) the product of its first property's group."""
        if "productId" in document:
            return str(document["productId"])
        first = next(iter(document.get("propertyIds") or []), None)
        for (product_id, gid), listed in self.state.properties.items():
            if gid == group_id and any(p["propertyId"] == first for p in listed):
                return product_id
        raise ProblemError(
            400,
            "The stream configuration is not valid.",
            [FieldProblem("propertyIds", f"Property {first} is not active in group {group_id}.")],
            title="Erroneous data input",
        )
