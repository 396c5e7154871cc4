"""Request bodies checked against the spec's own schemas (one source of truth)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.openapi_document import OpenApiDocument


@dataclass(frozen=True, slots=True)
class FieldError:
    """One schema violation: where in the body (a JSON pointer) and what."""

    pointer: str
    field: str
    message: str


def validate_body(document: OpenApiDocument, operation_id: str, body: Any) -> list[FieldError]:
    """Schema violations of `body` for the operation's JSON request body, best first."""
    operation = document.operation(operation_id)
    pointer = document.request_body_schema_pointer(operation)
    if pointer is None:
        return []
    validator = document.validator(pointer)
    found: list[FieldError] = []
    for error in sorted(
        validator.iter_errors(body), key=lambda e: (len(e.absolute_path), e.message)
    ):
        path = [str(p) for p in error.absolute_path]
        best = error
        if error.context:
            # For oneOf/anyOf, report the most specific sub-error (the branch that got furthest).
            best = max(error.context, key=lambda e: len(e.absolute_path))
            path = [str(p) for p in best.absolute_path]
        field = path[-1] if path else _field_from_message(best.message)
        found.append(FieldError("/" + "/".join(path), field, best.message))
    return found


def _field_from_message(message: str) -> str:
    # "'streamName' is a required property" -> streamName
    if message.startswith("'") and "'" in message[1:]:
        return message[1 : message.index("'", 1)]
    return "body"
