"""One HTTP request and the response it got, independent of the client that sent it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from conformance.redaction import redact_body_text, redact_headers, redact_url


def header_value(headers: dict[str, str], name: str) -> str | None:
    """Case-insensitive header lookup."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    url: str
    path: str
    headers: dict[str, str]
    body: str = ""

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)

    def redacted(self) -> RecordedRequest:
        return RecordedRequest(
            self.method,
            redact_url(self.url),
            redact_url(self.path),
            redact_headers(self.headers),
            redact_body_text(self.body),
        )

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "headers": self.headers, "body": self.body}


@dataclass(frozen=True, slots=True)
class RecordedResponse:
    status: int
    headers: dict[str, str]
    body: str = ""
    truncated: bool = False

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body)

    def redacted(self) -> RecordedResponse:
        return RecordedResponse(
            self.status, redact_headers(self.headers), redact_body_text(self.body), self.truncated
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "headers": self.headers,
            "body": self.body,
            "truncated": self.truncated,
        }


@dataclass(frozen=True, slots=True)
class Exchange:
    """A request/response pair with what the engine knows about it."""

    request: RecordedRequest
    response: RecordedResponse
    operation_id: str | None
    phase: str
    elapsed: float = 0.0
    labels: tuple[str, ...] = field(default=())

    def redacted(self) -> Exchange:
        return Exchange(
            self.request.redacted(),
            self.response.redacted(),
            self.operation_id,
            self.phase,
            self.elapsed,
            self.labels,
        )
