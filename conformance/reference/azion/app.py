"""Reference server of the Azion Data Streaming API v3, with switchable faults.

Contract: `specs/azion-data-streaming-v3.yaml`; catalogue: `specs/requirements/azion.yaml`;
seed: `specs/sources/azion-data-streaming-api-v3.md`; FIELD-NOTES for the error bodies.

Decisions where the seed is silent (the checks must not rely on more than the catalogue says):

- Accept. The spec's top-level `x-accept-version` names the served media type and version
  (`application/json; version=3`). Each media range of the Accept header is parsed (type and
  parameters case-insensitive, whitespace around `;` optional, `q=0` ranges ignored). A range
  of `application/json`, `application/*` or `*/*` with `version=3` or with no version at all is
  served; so is a request without an Accept header (the default version is 3, as a DRF-style
  service with a default version would do). The catalogue only requires that the v3 value is
  served (AZION-ACCEPT-001/003) and that another version is refused (AZION-ACCEPT-002), so
  being lenient about a missing version never turns a conformant client away. An Accept header
  none of whose ranges can be served (`application/json; version=4`, `text/html`) is answered
  406 `{"detail": ...}`.
- Order of the gates (as in Django REST framework, which the real service's error bodies
  betray): routing (404 unknown path, 405 wrong method with `Allow`, 404 non-integer id), then
  Accept (406), authentication (401, with `WWW-Authenticate: Token`), permission (403), rate
  limit (429), then the body: Content-Type (415), size (400), JSON (400), schema (400).
- Authentication. `Authorization: <scheme> <token>` with the scheme word `Token` in any case.
  No header: 401 "Authentication credentials were not provided."; another scheme or an unknown
  token: 401 "Invalid token.". `config.token` holds Edit Data Streaming (reads and writes),
  `config.view_token` View Data Streaming (reads only; writes answer 403).
- Rate limit: off unless `config.rate_limit` is set; then one token bucket per authenticated
  token (requests refused earlier, e.g. 401, spend nothing), and a
  refused request gets 429 `{"detail": "Request was throttled. Expected available in N
  seconds."}` with `Retry-After: N` (N whole seconds, at least 1).
- Bodies: a write needs `Content-Type: application/json` (parameters such as charset allowed),
  else 415 `{"detail": ...}` (not in the spec's responses; the brief asks for it); a write
  with neither a Content-Type nor a body reads as `{}` and gets the 400 map of the missing
  members (what a DRF service answers, and a documented status). A body over
  `config.max_body_bytes` or that is not JSON is answered 400 with the field-keyed map under
  the DRF key `non_field_errors`, because 400 is the status the spec documents for bad bodies.
  Members the spec does not define (top level or endpoint) are ignored, not stored.
- 400 bodies map the top-level member to messages: `{"name": ["This field is required."]}`,
  endpoint problems under `endpoint` prefixed with the variable
  (`{"endpoint": ["url: This field is required."]}`), body-wide problems under
  `non_field_errors`.
- `template_id` must name a global template (2, 3 or 86, seeded from the seed's samples, and
  4, 184, 251, which Azion's own OpenAPI and console name: ERRATUM-AZION-022);
  another id is answered 400 `{"template_id": [...]}`. A `template_model` creates a customized
  template that neither listTemplates nor getTemplate shows; the streaming then carries
  `template_model` and no `template_id` (as the seed's section 2.c response). PATCH with one of
  the two replaces the other.
- PUT is a full replacement with the create schema: omitted `data_source` becomes `http`,
  omitted `active` becomes true. PATCH changes only the members it names; an `endpoint` in a
  PATCH replaces the endpoint whole (validated for its type).
- Secrets: the variables in the spec's `x-secret-fields` (access_key, secret_key, api_key,
  service_account_key; shared_key, blob_sas_token: ERRATUM-AZION-019) are stored but omitted
  from every response (ERRATUM-AZION-010). Custom
  header values are echoed: they are not in `x-secret-fields` and AZION-HEADERS-001 requires
  the echo.
- No 409: AZION-EDIT-008 is a MAY the catalogue marks not observable ("no document says what
  provokes a conflict"); inventing a trigger (duplicate names, If-Match) would refuse requests
  the contract allows, e.g. creating the seed's "Kafka Connector" twice.
- Domain ids are not checked for existence (the API has no domain operation to learn them).
- The server starts with no streamings; ids start at 1 and are never reused. HEAD is served
  like GET (Starlette adds it to every GET route).
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.apis import AZION
from conformance.openapi_document import OpenApiDocument
from conformance.reference.azion.faults import ENDPOINT_REQUIRED_FAULTS, FAULTS, VACUITY_FAULTS
from conformance.reference.azion.store import AzionStore
from conformance.reference.azion.validation import (
    NON_FIELD,
    BodyProblem,
    body_problems,
    endpoint_properties,
    error_map,
)
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import FaultSwitchboard
from conformance.reference.rate_limit import TokenBucket
from conformance.reference.static_mock import StaticMock

CONSTANT_STREAMING_ID = 49  # what every create answers under the constant-id fault (the seed's)


_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
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


@lru_cache(maxsize=1)
def _document() -> OpenApiDocument:
    return OpenApiDocument.load(AZION.spec_path)


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One range of an Accept header, lower-cased."""

    media_type: str
    params: dict[str, str]


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header, without those of q=0."""
    ranges: list[MediaRange] = []
    for item in header.split(","):
        pieces = [p.strip() for p in item.split(";")]
        if not pieces[0]:
            continue
        params: dict[str, str] = {}
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"').lower()
        try:
            if float(params.get("q", "1")) <= 0:
                continue
        except ValueError:
            pass
        ranges.append(MediaRange(pieces[0].lower(), params))
    return ranges


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated token and whether it may write."""

    token: str
    can_edit: bool


class AzionReference:
    """State and behaviour of one Azion reference server instance."""

    def __init__(self, config: ReferenceConfig) -> None:
        self.config = config
        self.faults = FaultSwitchboard(FAULTS + VACUITY_FAULTS, config.faults)
        self.document = _document()
        self.static = StaticMock(self.document)
        self.store = AzionStore()
        self.bucket = (
            TokenBucket(config.rate_limit, config.rate_window)
            if config.rate_limit is not None
            else None
        )
        self.secret_fields = frozenset(self.document.raw.get("x-secret-fields") or ())
        accept = parse_accept(str(self.document.raw.get("x-accept-version", "")))
        self.served_type = accept[0].media_type if accept else "application/json"
        self.served_version = accept[0].params.get("version", "3") if accept else "3"

    def on(self, name: str) -> bool:
        return self.faults.active(name)

    # ------------------------------------------------------------------ responses

    def success(self, results: Any, status: int = 200) -> Response:
        """A 200/201 in the v3 envelope."""
        body: Any
        if self.on("no-envelope"):
            body = results
        else:
            key = "data" if self.on("results-missing") else "results"
            body = {key: results, "schema_version": 2 if self.on("schema-version-2") else 3}
        if self.on("json-served-as-text"):
            return Response(json.dumps(body), status, media_type="text/plain")
        return JSONResponse(body, status)

    def detail(self, status: int, text: str, headers: dict[str, str] | None = None) -> Response:
        """A non-400 error: `{"detail": text}` (unless a fault reshapes it)."""
        body: dict[str, Any] = {"detail": text}
        if status == 404:
            if self.on("not-found-as-html"):
                return HTMLResponse(f"<h1>{text}</h1>", 404, headers=headers)
            if self.on("not-found-as-field-map"):
                body = {"id": [text]}
        elif status == 401 and self.on("unauthorized-without-detail"):
            body = {"error": text}
        elif status == 406 and self.on("not-acceptable-as-field-map"):
            body = {"accept": [text]}
        elif status == 429 and self.on("throttled-without-detail"):
            body = {"message": text}
        return JSONResponse(body, status, headers=headers)

    def bad_request(self, problems: list[BodyProblem]) -> Response:
        """400 with the field-keyed map of message lists."""
        if self.on("active-wrong-type-500") and any(
            p.rule == "type" and p.key == "active" for p in problems
        ):
            return JSONResponse({"detail": "Internal server error."}, 500)
        if self.on("bad-request-as-detail"):
            first = problems[0]
            return JSONResponse({"detail": f"{first.key}: {first.message}"}, 400)
        return JSONResponse(error_map(problems), 400)

    def not_found(self) -> Response:
        return self.detail(404, "Not found.")

    # ------------------------------------------------------------------ gates

    def accept_ok(self, request: Request) -> bool:
        header = request.headers.get("accept")
        if header is None or not header.strip():
            return True
        lowered = header.lower()
        if (
            self.on("accept-needs-space")
            and ";version=" in lowered.replace(" ", "")
            and "; version=" not in lowered
        ):
            return False
        main = self.served_type.partition("/")[0]
        for item in parse_accept(header):
            if item.media_type not in (self.served_type, f"{main}/*", "*/*"):
                continue
            version = item.params.get("version")
            if version is None or version == self.served_version:
                return True
            if self.on("accept-version-ignored"):
                return True
        return False

    def authenticate(self, request: Request) -> Caller | Response:
        header = request.headers.get("authorization")
        challenge = {"WWW-Authenticate": "Token"}
        if header is None or not header.strip():
            if self.on("no-auth-required"):
                return Caller(self.config.token, can_edit=True)
            return self.detail(401, "Authentication credentials were not provided.", challenge)
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        scheme_ok = (
            scheme == "Token"
            if self.on("auth-scheme-case-sensitive")
            else (scheme.lower() == "token")
        )
        if scheme_ok and token == self.config.token:
            return Caller(token, can_edit=True)
        if scheme_ok and token == self.config.view_token:
            return Caller(token, can_edit=False)
        if self.on("unknown-token-accepted") and token:
            return Caller(token, can_edit=True)
        return self.detail(401, "Invalid token.", challenge)

    def permitted(self, caller: Caller, method: str) -> bool:
        if caller.can_edit:
            return True
        if method not in WRITE_METHODS:
            return not self.on("view-token-cannot-read")
        return (
            (method == "POST" and self.on("view-token-can-create"))
            or (method in ("PUT", "PATCH") and self.on("view-token-can-edit"))
            or (method == "DELETE" and self.on("view-token-can-delete"))
        )

    def gate(self, request: Request) -> Response | None:
        """Accept, authentication, permission and rate limit; None when the request may pass."""
        if not self.accept_ok(request):
            return self.detail(406, "Could not satisfy the request Accept header.")
        caller = self.authenticate(request)
        if isinstance(caller, Response):
            return caller
        if not self.permitted(caller, request.method):
            return self.detail(403, "You do not have permission to perform this action.")
        if request.method in WRITE_METHODS and self.on("refuse-writes"):
            return JSONResponse({"non_field_errors": ["The request is not valid."]}, 400)
        if request.method in WRITE_METHODS and self.on("refuse-writes-403"):
            return self.detail(403, "You do not have permission to perform this action.")
        if self.bucket is not None and not self.on("never-throttles"):
            decision = self.bucket.take(caller.token)
            if not decision.allowed:
                wait = (decision.next_at or time.time()) - time.time()
                seconds = max(1, math.ceil(wait))
                unit = "second" if seconds == 1 else "seconds"
                return self.detail(
                    429,
                    f"Request was throttled. Expected available in {seconds} {unit}.",
                    {"Retry-After": str(seconds)},
                )
        return None

    async def read_json(self, request: Request) -> Any | Response:
        """The parsed JSON body, or the 415/400 answer.

        No Content-Type and no body at all reads as `{}` (so the answer is the 400 map of the
        missing members, as a DRF service answers); a body of another media type is 415.
        """
        content_type = request.headers.get("content-type", "")
        media, _, params = content_type.partition(";")
        media_ok = media.strip().lower() == "application/json"
        if media_ok and self.on("content-type-json-refused") and "charset" not in params.lower():
            media_ok = False
        if not media_ok:
            if not content_type.strip() and not await self._has_body(request):
                return {}
            shown = content_type or "none"
            return self.detail(415, f'Unsupported media type "{shown}" in request.')
        cap = self.config.max_body_bytes
        too_large = BodyProblem(
            NON_FIELD, "too-large", f"The request body exceeds the limit of {cap} bytes."
        )
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > cap:
            return self.bad_request([too_large])
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                return self.bad_request([too_large])
            chunks.append(chunk)
        raw = b"".join(chunks)
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            message = f"JSON parse error - {exc}"
            return self.bad_request([BodyProblem(NON_FIELD, "parse", message)])

    @staticmethod
    async def _has_body(request: Request) -> bool:
        length = request.headers.get("content-length")
        if length is not None:
            return length.strip() != "0"
        if "transfer-encoding" not in request.headers:
            return False
        async for chunk in request.stream():
            if chunk:
                return True
        return False

    # ------------------------------------------------------------------ validation

    def problems(self, operation_id: str, body: Any) -> list[BodyProblem]:
        """The spec's and the semantic reasons to refuse `body`, minus the faults' exemptions."""
        found = [p for p in body_problems(self.document, operation_id, body) if self.keep(p)]
        if isinstance(body, dict):
            template_id = body.get("template_id")
            if (
                isinstance(template_id, int)
                and not isinstance(template_id, bool)
                and template_id not in self.store.global_templates
            ):
                found.append(
                    BodyProblem(
                        "template_id",
                        "template-unknown",
                        f'Invalid pk "{template_id}" - object does not exist.',
                    )
                )
            if "template_model" in body and self.on("template-model-rejected"):
                found.append(
                    BodyProblem(
                        "template_model", "custom", "Customized templates are not supported."
                    )
                )
        return found

    def keep(self, problem: BodyProblem) -> bool:
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
        if any(applies and self.on(fault) for applies, fault in exemptions):
            return False
        if rule == "endpoint-required":
            for fault, (etype, variable, _) in ENDPOINT_REQUIRED_FAULTS.items():
                if problem.subject == f"{etype}.{variable}" and self.on(fault):
                    return False
        return True

    # ------------------------------------------------------------------ records

    def stored_endpoint(self, endpoint: Any) -> Any:
        """The endpoint as stored: the variables the spec defines for its type."""
        if not isinstance(endpoint, dict):
            return endpoint
        known = endpoint_properties(self.document, str(endpoint.get("endpoint_type")))
        stored = {k: copy.deepcopy(v) for k, v in endpoint.items() if not known or k in known}
        if self.on("headers-dropped"):
            stored.pop("headers", None)
        separator = stored.get("log_line_separator")
        if self.on("log-line-separator-escaped") and isinstance(separator, str):
            stored["log_line_separator"] = separator.encode("unicode_escape").decode("ascii")
        return stored

    def apply_member(self, record: dict[str, Any], key: str, value: Any) -> None:
        """Set one member of a stored streaming (caller holds the store lock)."""
        if key == "template_id":
            record.pop("template_model", None)
            record.pop("_custom_template_id", None)
        elif key == "template_model":
            if not self.on("both-templates-accepted"):
                record.pop("template_id", None)
            name = str(record.get("name", ""))
            record["_custom_template_id"] = self.store.add_custom_template(name, value)
        elif key == "endpoint":
            value = self.stored_endpoint(value)
        record[key] = copy.deepcopy(value)

    def full_record(self, streaming_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """A streaming built from a create/PUT body, defaults filled (caller holds the lock)."""
        record: dict[str, Any] = {"id": streaming_id}
        if self.on("data-source-not-defaulted"):
            record["data_source"] = None
        else:
            record["data_source"] = DEFAULT_DATA_SOURCE
        record["active"] = not self.on("active-defaults-false")
        for key in STREAMING_MEMBERS:
            if key in body:
                self.apply_member(record, key, body[key])
        return record

    def render(self, record: dict[str, Any]) -> dict[str, Any]:
        """A stored streaming as responses show it (secrets left out)."""
        shown: dict[str, Any] = {"id": record["id"]}
        for key in STREAMING_MEMBERS:
            if key not in record:
                continue
            if key == "template_id" and self.on("template-id-not-echoed"):
                continue
            value = copy.deepcopy(record[key])
            if key == "endpoint" and isinstance(value, dict) and not self.on("secrets-echoed"):
                value = {k: v for k, v in value.items() if k not in self.secret_fields}
            shown[key] = value
        return shown

    # ------------------------------------------------------------------ operations

    async def streamings(self, request: Request) -> Response:
        """GET (listStreamings) and POST (createStreaming) /data_streaming/streamings."""
        refused = self.gate(request)
        if refused is not None:
            return refused
        if request.method in ("GET", "HEAD"):
            return self.list_streamings()
        body = await self.read_json(request)
        if isinstance(body, Response):
            return body
        problems = self.problems("createStreaming", body)
        if problems:
            return self.bad_request(problems)
        with self.store.lock:
            new_id = CONSTANT_STREAMING_ID if self.on("constant-id") else self.store.allocate_id()
            record = self.full_record(new_id, body)
            if self.on("create-drops-domain-ids"):
                record["domain_ids"] = []
            self.store.put(record)
        shown = self.render(record)
        if self.on("create-id-string"):
            shown["id"] = str(shown["id"])
        return self.success(shown, 200 if self.on("create-status-200") else 201)

    def list_streamings(self) -> Response:
        records = self.store.all(include_deleted=self.on("deleted-still-listed"))
        if self.on("list-hides-inactive"):
            records = [r for r in records if r.get("active") is not False]
        if self.on("list-omits-newest") and records:
            newest = max(r["id"] for r in records)
            records = [r for r in records if r["id"] != newest]
        shown = [self.render(r) for r in records]
        if self.on("list-returns-summaries"):
            shown = [{"id": s["id"], "name": s.get("name")} for s in shown]
        return self.success(shown)

    async def streaming(self, request: Request) -> Response:
        """GET, PUT, PATCH and DELETE /data_streaming/streamings/{id}."""
        raw_id = str(request.path_params["id"])
        if not raw_id.isascii() or not raw_id.isdigit():
            if self.on("non-integer-id-500"):
                return JSONResponse({"detail": "Internal server error."}, 500)
            return self.not_found()
        refused = self.gate(request)
        if refused is not None:
            return refused
        streaming_id = int(raw_id)
        method = request.method
        if method in ("GET", "HEAD"):
            return self.get_streaming(streaming_id)
        if method == "DELETE":
            return self.delete_streaming(streaming_id)
        body = await self.read_json(request)
        if isinstance(body, Response):
            return body
        if method == "PUT":
            return self.replace_streaming(streaming_id, body)
        return self.update_streaming(streaming_id, body)

    def get_streaming(self, streaming_id: int) -> Response:
        record = self.store.get(streaming_id, include_deleted=self.on("deleted-still-readable"))
        if record is None:
            if self.on("unknown-id-500"):
                return JSONResponse({"detail": "Internal server error."}, 500)
            return self.not_found()
        if self.on("get-returns-first-streaming"):
            record = self.store.all()[0]
        shown = self.render(record)
        if self.on("wrong-id"):
            others = [r["id"] for r in self.store.all() if r["id"] != streaming_id]
            shown["id"] = max(others) if others else streaming_id + 1
        if self.on("get-omits-headers") and isinstance(shown.get("endpoint"), dict):
            shown["endpoint"].pop("headers", None)
        return self.success([shown] if self.on("get-results-as-array") else shown)

    def replace_streaming(self, streaming_id: int, body: Any) -> Response:
        partial = self.on("put-acts-as-patch")
        problems = self.problems("updateStreaming" if partial else "replaceStreaming", body)
        if problems:
            return self.bad_request(problems)
        with self.store.lock:
            current = self.store.streamings.get(streaming_id)
            if current is None and not self.on("put-unknown-id-upserts"):
                return self.not_found()
            if partial and current is not None:
                record = copy.deepcopy(current)
                for key in STREAMING_MEMBERS:
                    if key in body:
                        self.apply_member(record, key, body[key])
            else:
                record = self.full_record(streaming_id, body)
            if current is None:
                self.store.next_id = max(self.store.next_id, streaming_id + 1)
            if not self.on("edit-not-persisted"):
                self.store.put(record)
        if self.on("put-status-204"):
            return Response(status_code=204)
        return self.success(self.render(record))

    def update_streaming(self, streaming_id: int, body: Any) -> Response:
        problems = self.problems("updateStreaming", body)
        if problems:
            return self.bad_request(problems)
        with self.store.lock:
            current = self.store.streamings.get(streaming_id)
            if current is None:
                return self.not_found()
            record = copy.deepcopy(current)
            if self.on("patch-acts-as-put"):
                record["active"] = True
                record["data_source"] = DEFAULT_DATA_SOURCE
                record["domain_ids"] = []
            for key in STREAMING_MEMBERS:
                if key in body:
                    self.apply_member(record, key, body[key])
            if not self.on("edit-not-persisted"):
                self.store.put(record)
        shown = self.render(record)
        if self.on("patch-returns-only-changes"):
            shown = {k: v for k, v in shown.items() if k == "id" or k in body}
        return self.success(shown)

    def delete_streaming(self, streaming_id: int) -> Response:
        record = self.store.get(streaming_id)
        if not self.store.delete(streaming_id):
            if self.on("delete-unknown-id-204"):
                return Response(status_code=204)
            return self.not_found()
        if self.on("delete-status-200-body") and record is not None:
            return self.success(self.render(record))
        return Response(status_code=204)

    async def templates(self, request: Request) -> Response:
        """GET /data_streaming/templates (listTemplates)."""
        refused = self.gate(request)
        if refused is not None:
            return refused
        with self.store.lock:
            listed = list(self.store.global_templates.values())
            if self.on("custom-templates-listed"):
                listed.extend(self.store.custom_templates.values())
            shown = [copy.deepcopy(t) for t in listed]
        if self.on("template-list-missing-model"):
            for template in shown:
                template.pop("template_model", None)
        return self.success(shown)

    async def template(self, request: Request) -> Response:
        """GET /data_streaming/templates/{id} (getTemplate)."""
        raw_id = str(request.path_params["id"])
        if not raw_id.isascii() or not raw_id.isdigit():
            if self.on("non-integer-id-500"):
                return JSONResponse({"detail": "Internal server error."}, 500)
            return self.not_found()
        refused = self.gate(request)
        if refused is not None:
            return refused
        template_id = 86 if self.on("get-template-wrong-id") else int(raw_id)
        with self.store.lock:
            template = copy.deepcopy(self.store.global_templates.get(template_id))
        if template is None:
            if self.on("unknown-template-500"):
                return JSONResponse({"detail": "Internal server error."}, 500)
            return self.not_found()
        return self.success(template)

    # ------------------------------------------------------------------ framework errors

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Unknown paths (404) and wrong methods (405, with Allow) in the API's error shape."""
        if not isinstance(exc, HTTPException):
            return await self.server_error(request, exc)
        headers = dict(exc.headers or {})
        if "Allow" in headers:
            methods = {m.strip() for m in headers["Allow"].split(",")}
            headers["Allow"] = ", ".join(m for m in _METHOD_ORDER if m in methods)
        if exc.status_code == 404:
            return self.detail(404, "Not found.", headers)
        if exc.status_code == 405:
            return self.detail(405, f'Method "{request.method}" not allowed.', headers)
        return self.detail(exc.status_code, str(exc.detail), headers)

    async def server_error(self, request: Request, exc: Exception) -> Response:
        return JSONResponse({"detail": "Internal server error."}, 500)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def create_app(config: ReferenceConfig) -> Starlette:
    """The Azion reference app for `config` (UnknownFaultError for an unknown fault name)."""
    reference = AzionReference(config)
    routes = [
        Route("/data_streaming/streamings", reference.streamings, methods=["GET", "POST"]),
        Route(
            "/data_streaming/streamings/{id}",
            reference.streaming,
            methods=["GET", "PUT", "PATCH", "DELETE"],
        ),
        Route("/data_streaming/templates", reference.templates, methods=["GET"]),
        Route("/data_streaming/templates/{id}", reference.template, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: reference.http_error,
            Exception: reference.server_error,
        },
    )
    app.router.redirect_slashes = False
    app.state.reference = reference
    if reference.on("static-mock") or reference.on("unauthorized"):
        app.add_middleware(_VacuityGate, reference=reference)
    return app


class _VacuityGate:
    """In front of the routes: the static mock's canned answers, or 401 to everything."""

    def __init__(self, app: ASGIApp, reference: AzionReference) -> None:
        self.app = app
        self.reference = reference

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response: Response | None = None
        if self.reference.on("unauthorized"):
            response = JSONResponse({"detail": "Invalid token."}, 401)
        elif (canned := self.reference.static.answer(scope["method"], scope["path"])) is not None:
            if canned.body is None:
                response = Response(status_code=canned.status)
            else:
                response = JSONResponse(canned.body, canned.status)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)
