"""Azion request bodies: spec violations turned into the API's field-keyed 400 map.

The spec is the one source of truth: `validate_body` (the spec's StreamingCreate /
StreamingPatch) decides whether a body is valid, and an endpoint is checked against the schema
that the spec's own `Endpoint` discriminator names for its `endpoint_type` (so a missing `url`
reads "url: This field is required." rather than the message of some other oneOf branch). Each
problem carries a `rule` so that a fault can switch exactly one rule off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError

from conformance.openapi_document import OpenApiDocument
from conformance.reference.azion.faults import ENDPOINT_REQUIRED_FAULTS
from conformance.reference.azion.state import AzionState
from conformance.reference.request_validation import validate_body

REQUIRED_MESSAGE = "This field is required."
NON_FIELD = "non_field_errors"


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """One reason to answer 400: the key of the 400 map, a rule name and the message."""

    key: str
    rule: str
    message: str
    # For endpoint rules: "<endpoint_type>.<variable>" (e.g. "kafka.bootstrap_servers").
    subject: str = ""


def error_map(problems: list[BodyProblem]) -> dict[str, list[str]]:
    """The 400 body: `{"field": ["message", ...], ...}` in the order the problems were found."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        messages = found.setdefault(problem.key, [])
        if problem.message not in messages:
            messages.append(problem.message)
    return found


def endpoint_mapping(document: OpenApiDocument) -> dict[str, str]:
    """endpoint_type -> JSON pointer of its request schema, from the spec's discriminator."""
    endpoint = document.at_pointer("/components/schemas/Endpoint")
    mapping = endpoint.get("discriminator", {}).get("mapping", {})
    return {str(k): str(v).removeprefix("#") for k, v in mapping.items()}


def endpoint_properties(document: OpenApiDocument, endpoint_type: str) -> tuple[str, ...]:
    """The variables the spec defines for an endpoint type (empty for an unknown type)."""
    pointer = endpoint_mapping(document).get(endpoint_type)
    if pointer is None:
        return ()
    return tuple(document.at_pointer(pointer).get("properties", {}))


def body_problems(document: OpenApiDocument, operation_id: str, body: Any) -> list[BodyProblem]:
    """Every reason the spec gives to refuse `body` for the operation (empty: valid)."""
    errors = validate_body(document, operation_id, body)
    if not isinstance(body, dict):
        kind = type(body).__name__ if body is not None else "null"
        return [BodyProblem(NON_FIELD, "not-object", f"Expected an object, but got {kind}.")]
    problems: list[BodyProblem] = []
    template_rule_hit = False
    for error in errors:
        parts = [p for p in error.pointer.split("/") if p]
        if parts and parts[0] == "endpoint":
            continue  # re-checked below against the discriminated schema
        if parts:
            nested = "/".join(parts[1:])
            message = f"{nested}: {error.message}" if nested else error.message
            problems.append(BodyProblem(parts[0], _rule_of(error.message), message))
            continue
        if error.field in ("template_id", "template_model") or " valid under " in error.message:
            template_rule_hit = True
        elif error.message.endswith("is a required property"):
            problems.append(BodyProblem(error.field, "required", REQUIRED_MESSAGE))
        elif error.message.endswith("should be non-empty"):
            problems.append(
                BodyProblem(NON_FIELD, "empty-patch", "Name at least one field to change.")
            )
        else:
            problems.append(BodyProblem(NON_FIELD, _rule_of(error.message), error.message))
    if template_rule_hit:
        problems.extend(_template_problems(body))
    if "endpoint" in body:
        problems.extend(endpoint_problems(document, body["endpoint"]))
    return problems


def _template_problems(body: dict[str, Any]) -> list[BodyProblem]:
    if "template_id" in body and "template_model" in body:
        return [
            BodyProblem(
                "template_model",
                "template-both",
                "Give either template_id or template_model, not both.",
            )
        ]
    return [
        BodyProblem(
            "template_id", "template-missing", "This field is required (or give template_model)."
        )
    ]


def endpoint_problems(document: OpenApiDocument, endpoint: Any) -> list[BodyProblem]:
    """Problems of one `endpoint` member, judged by the schema of its `endpoint_type`."""
    if not isinstance(endpoint, dict):
        return [BodyProblem("endpoint", "endpoint-not-object", "Expected an object.")]
    mapping = endpoint_mapping(document)
    endpoint_type = endpoint.get("endpoint_type")
    if endpoint_type is None:
        return [
            BodyProblem("endpoint", "endpoint-type-missing", f"endpoint_type: {REQUIRED_MESSAGE}")
        ]
    if not isinstance(endpoint_type, str) or endpoint_type not in mapping:
        choices = ", ".join(mapping)
        return [
            BodyProblem(
                "endpoint",
                "endpoint-type-unknown",
                f'endpoint_type: "{endpoint_type}" is not a valid choice ({choices}).',
            )
        ]
    validator = document.validator(mapping[endpoint_type])
    return [
        _endpoint_problem(endpoint_type, error)
        for error in sorted(validator.iter_errors(endpoint), key=lambda e: e.message)
    ]


def _endpoint_problem(endpoint_type: str, error: ValidationError) -> BodyProblem:
    """One schema violation of an endpoint, under the rule a fault can switch off."""
    path = "/".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        variable = error.message.split("'")[1] if "'" in error.message else path
        return BodyProblem(
            "endpoint",
            "endpoint-required",
            f"{variable}: {REQUIRED_MESSAGE}",
            subject=f"{endpoint_type}.{variable}",
        )
    if error.validator == "not" and not path:
        return BodyProblem(
            "endpoint",
            "headers-not-standard",
            "headers: Custom headers are only allowed on standard endpoints.",
            subject=f"{endpoint_type}.headers",
        )
    if error.validator == "maxProperties" and path == "headers":
        return BodyProblem(
            "endpoint",
            "headers-too-many",
            f"headers: At most {error.validator_value} headers are allowed.",
            subject=f"{endpoint_type}.headers",
        )
    where = f"{path}: " if path else ""
    return BodyProblem(
        "endpoint",
        f"endpoint-{error.validator}",
        f"{where}{error.message}",
        subject=f"{endpoint_type}.{path}",
    )


def _rule_of(message: str) -> str:
    if " is not of type " in message:
        return "type"
    if " is not one of " in message:
        return "enum"
    return "schema"


class Validator:
    """The spec's and the semantic checks of a body, with the faults' exemptions."""

    def __init__(self, state: AzionState) -> None:
        self.state = state
        self.fault = state.fault

    def problems(self, operation_id: str, body: Any) -> list[BodyProblem]:
        """The spec's and the semantic reasons to refuse `body`, minus the faults' exemptions."""
        found = [p for p in body_problems(self.state.document, operation_id, body) if self._keep(p)]
        if isinstance(body, dict):
            template_id = body.get("template_id")
            if (
                isinstance(template_id, int)
                and not isinstance(template_id, bool)
                and template_id not in self.state.store.global_templates
            ):
                found.append(
                    BodyProblem(
                        "template_id",
                        "template-unknown",
                        f'Invalid pk "{template_id}" - object does not exist.',
                    )
                )
            if "template_model" in body and self.fault("template-model-rejected"):
                found.append(
                    BodyProblem(
                        "template_model", "custom", "Customized templates are not supported."
                    )
                )
        return found

    def _keep(self, problem: BodyProblem) -> bool:
        """False when an active fault switches the problem's rule off."""
        rule, key = problem.rule, problem.key
        exemptions = (
            (rule == "required" and key == "name", "name-not-required"),
            (rule == "required" and key == "domain_ids", "domain-ids-not-required"),
            (rule == "required" and key == "endpoint", "endpoint-not-required"),
            (rule == "template-both", "both-templates-accepted"),
            (rule == "type" and key == "template_model", "template-model-type-not-checked"),
            (rule == "enum" and key == "data_source", "invalid-data-source-accepted"),
            (rule == "empty-patch", "empty-patch-accepted"),
            (rule == "endpoint-type-unknown", "unknown-endpoint-type-accepted"),
            (rule == "headers-too-many", "more-than-5-headers-accepted"),
            (rule == "headers-not-standard", "headers-on-non-standard-accepted"),
            (rule == "endpoint-required", "endpoint-variables-not-checked"),
        )
        if any(applies and self.fault(fault) for applies, fault in exemptions):
            return False
        if rule == "endpoint-required":
            for fault, (etype, variable, _) in ENDPOINT_REQUIRED_FAULTS.items():
                if problem.subject == f"{etype}.{variable}" and self.fault(fault):
                    return False
        return True
