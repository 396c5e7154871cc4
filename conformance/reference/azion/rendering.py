"""How the Azion reference server answers: the v3 envelope, `{"detail": ...}` errors, the
field-keyed 400 map, and a stored streaming as responses show it (secrets left out)."""

from __future__ import annotations

import copy
import json
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response

from conformance.reference.azion.records import STREAMING_MEMBERS
from conformance.reference.azion.state import AzionState
from conformance.reference.azion.validation import BodyProblem, error_map


class Renderer:
    """Response bodies and their faults."""

    def __init__(self, state: AzionState) -> None:
        self.state = state
        self.fault = state.fault

    def internal_error(self) -> Response:
        """500, as the real service answers an unexpected error."""
        return JSONResponse({"detail": "Internal server error."}, 500)

    def success(self, results: Any, status: int = 200) -> Response:
        """A 200/201 in the v3 envelope."""
        body: Any
        if self.fault("no-envelope"):
            body = results
        else:
            key = "data" if self.fault("results-missing") else "results"
            body = {key: results, "schema_version": 2 if self.fault("schema-version-2") else 3}
        if self.fault("json-served-as-text"):
            return Response(json.dumps(body), status, media_type="text/plain")
        return JSONResponse(body, status)

    def detail(self, status: int, text: str, headers: dict[str, str] | None = None) -> Response:
        """A non-400 error: `{"detail": text}` (unless a fault reshapes it)."""
        body: dict[str, Any] = {"detail": text}
        if status == 404:
            if self.fault("not-found-as-html"):
                return HTMLResponse(f"<h1>{text}</h1>", 404, headers=headers)
            if self.fault("not-found-as-field-map"):
                body = {"id": [text]}
        elif status == 401 and self.fault("unauthorized-without-detail"):
            body = {"error": text}
        elif status == 406 and self.fault("not-acceptable-as-field-map"):
            body = {"accept": [text]}
        elif status == 429 and self.fault("throttled-without-detail"):
            body = {"message": text}
        return JSONResponse(body, status, headers=headers)

    def bad_request(self, problems: list[BodyProblem]) -> Response:
        """400 with the field-keyed map of message lists."""
        if self.fault("active-wrong-type-500") and any(
            p.rule == "type" and p.key == "active" for p in problems
        ):
            return self.internal_error()
        if self.fault("bad-request-as-detail"):
            first = problems[0]
            return JSONResponse({"detail": f"{first.key}: {first.message}"}, 400)
        return JSONResponse(error_map(problems), 400)

    def not_found(self) -> Response:
        return self.detail(404, "Not found.")

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A stored streaming as responses show it (secrets left out)."""
        shown: dict[str, Any] = {"id": record["id"]}
        for key in STREAMING_MEMBERS:
            if key not in record:
                continue
            if key == "template_id" and self.fault("template-id-not-echoed"):
                continue
            value = copy.deepcopy(record[key])
            if key == "endpoint" and isinstance(value, dict) and not self.fault("secrets-echoed"):
                value = {k: v for k, v in value.items() if k not in self.state.secret_fields}
            shown[key] = value
        return shown
