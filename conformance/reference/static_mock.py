"""What a static mock answers: each operation's documented example, whatever was sent.

Stoplight Prism's static mode (and most hand-rolled mocks) answer every request of an operation
with the first example of its first documented success response. The reference servers' vacuity
fault `static-mock` answers the same way, so the suite can prove it does not pass such a target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.openapi_document import OpenApiDocument, Operation


@dataclass(frozen=True, slots=True)
class StaticAnswer:
    """The canned answer of one operation: status, and the JSON body (None: no body)."""

    operation_id: str
    status: int
    body: Any


def _first_example(document: OpenApiDocument, media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    examples = media.get("examples") or {}
    for example in examples.values():
        resolved = document.resolve(example)
        if isinstance(resolved, dict) and "value" in resolved:
            return resolved["value"]
    schema = document.resolve(media.get("schema") or {})
    return schema.get("example") if isinstance(schema, dict) else None


def static_answer(operation: Operation, document: OpenApiDocument) -> StaticAnswer:
    """The first documented 2xx of `operation` and the first example of its JSON content."""
    responses = operation.definition.get("responses") or {}
    codes = sorted(str(code) for code in responses if str(code).startswith("2"))
    if not codes:
        return StaticAnswer(operation.operation_id, 200, None)
    response = document.resolve(responses[codes[0]])
    content = response.get("content") or {} if isinstance(response, dict) else {}
    media = next(iter(content.values()), None)
    body = _first_example(document, media) if isinstance(media, dict) else None
    return StaticAnswer(operation.operation_id, int(codes[0]), body)


class StaticMock:
    """Every operation of a contract, answered with its canned example."""

    def __init__(self, document: OpenApiDocument) -> None:
        self.document = document

    def answer(self, method: str, path: str) -> StaticAnswer | None:
        """The canned answer of the operation at `method` `path`; None when none matches."""
        operation = self.document.operation_at(method, path)
        return static_answer(operation, self.document) if operation else None
