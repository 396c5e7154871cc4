"""RFC 7807 problem details (a relative `type` and a title per status), for a reference server
whose API documents its errors so."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"

# status -> (type, title); `type` is a relative reference like the seed's "bad-request".
PROBLEM_KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad Request"),
    401: ("unauthorized", "Not authorized"),
    402: ("failed-request", "Failed Request"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not Found"),
    405: ("method-not-allowed", "Method Not Allowed"),
    415: ("unsupported-media-type", "Unsupported Media Type"),
    429: ("too-many-requests", "Too Many Requests"),
    500: ("internal-server-error", "Internal Server Error"),
}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one member of a request (an item of `errors`)."""

    field: str
    detail: str


class ProblemError(Exception):
    """Raised by a handler to answer with a problem; `errors` lists field problems."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: tuple[FieldProblem, ...] | list[FieldProblem] = (),
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = tuple(errors)
        self.title = title
        self.headers = dict(headers or {})


def new_instance() -> str:
    """A fresh occurrence identifier, as in the seed's sample (a UUID)."""
    return str(uuid.uuid4())


def problem_body(problem: ProblemError) -> dict[str, Any]:
    """The JSON object of a problem response."""
    kind, title = PROBLEM_KINDS.get(problem.status, ("error", "Error"))
    body: dict[str, Any] = {
        "type": kind,
        "title": problem.title or title,
        "instance": new_instance(),
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors:
        body["errors"] = [
            {
                "type": kind,
                "title": f"Invalid {item.field}",
                "instance": new_instance(),
                "detail": item.detail,
            }
            for item in problem.errors
        ]
    return body
