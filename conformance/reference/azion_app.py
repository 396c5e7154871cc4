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
from conformance.reference.azion_store import AzionStore
from conformance.reference.azion_validation import (
    NON_FIELD,
    BodyProblem,
    body_problems,
    endpoint_properties,
    error_map,
)
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import Fault, FaultSwitchboard, vacuity_fault
from conformance.reference.rate_limit import TokenBucket
from conformance.reference.static_mock import StaticMock

# The endpoint variable each per-type fault stops requiring (one catalogue entry per type).
ENDPOINT_REQUIRED_FAULTS: dict[str, tuple[str, str, str]] = {
    # fault name: (endpoint_type, variable, requirement id)
    "standard-payload-format-optional": ("standard", "payload_format", "AZION-ENDPOINT-002"),
    "kafka-bootstrap-servers-optional": ("kafka", "bootstrap_servers", "AZION-ENDPOINT-003"),
    "s3-secret-key-optional": ("s3", "secret_key", "AZION-ENDPOINT-004"),
    "big-query-service-account-key-optional": (
        "big_query",
        "service_account_key",
        "AZION-ENDPOINT-005",
    ),
    "elasticsearch-api-key-optional": ("elasticsearch", "api_key", "AZION-ENDPOINT-006"),
    "firehose-stream-name-optional": ("aws_kinesis_firehose", "stream_name", "AZION-ENDPOINT-007"),
    "datadog-api-key-optional": ("datadog", "api_key", "AZION-ENDPOINT-008"),
    "qradar-url-optional": ("qradar", "url", "AZION-ENDPOINT-009"),
}

FAULTS: tuple[Fault, ...] = (
    # AUTH
    Fault("no-auth-required", "AZION-AUTH-001", "a request without Authorization is served"),
    Fault("unknown-token-accepted", "AZION-AUTH-002", "any token is accepted as an edit token"),
    Fault("auth-scheme-case-sensitive", "AZION-AUTH-003", "`token <t>` (lower case) gets 401"),
    Fault("view-token-cannot-read", "AZION-AUTH-004", "the view-only token gets 403 on reads"),
    Fault("view-token-can-create", "AZION-AUTH-005", "the view-only token may create"),
    Fault("view-token-can-edit", "AZION-AUTH-006", "the view-only token may PUT and PATCH"),
    Fault("view-token-can-delete", "AZION-AUTH-007", "the view-only token may delete"),
    # ACCEPT
    Fault("json-served-as-text", "AZION-ACCEPT-001", "200/201 bodies are sent as text/plain"),
    Fault("accept-version-ignored", "AZION-ACCEPT-002", "Accept version=4 is served, not 406"),
    Fault("accept-needs-space", "AZION-ACCEPT-003", "`application/json;version=3` gets 406"),
    Fault(
        "content-type-json-refused",
        "AZION-ACCEPT-004",
        "a body sent as plain application/json gets 415 (charset demanded)",
    ),
    # ENVELOPE
    Fault("no-envelope", "AZION-ENVELOPE-001", "200/201 bodies are the bare results"),
    Fault("results-missing", "AZION-ENVELOPE-001", "the envelope says `data`, not `results`"),
    Fault("schema-version-2", "AZION-ENVELOPE-002", "schema_version is 2"),
    Fault("get-results-as-array", "AZION-ENVELOPE-003", "getStreaming's results is a list"),
    # LIST
    Fault("list-returns-summaries", "AZION-LIST-001", "list items hold only id and name"),
    Fault("list-hides-inactive", "AZION-LIST-002", "inactive streamings are not listed"),
    Fault("list-omits-newest", "AZION-LIST-003", "the newest streaming is missing from the list"),
    # CREATE
    Fault("create-status-200", "AZION-CREATE-001", "create answers 200 instead of 201"),
    Fault("create-id-string", "AZION-CREATE-001", "create answers the new id as a string"),
    Fault("create-drops-domain-ids", "AZION-CREATE-002", "create stores domain_ids as []"),
    Fault("name-not-required", "AZION-CREATE-003", "a create/PUT body without name is accepted"),
    Fault(
        "domain-ids-not-required",
        "AZION-CREATE-004",
        "a create/PUT body without domain_ids is accepted",
    ),
    Fault(
        "endpoint-not-required",
        "AZION-CREATE-005",
        "a create/PUT body without endpoint is accepted",
    ),
    Fault("active-defaults-false", "AZION-CREATE-006", "a streaming created without active is off"),
    # TEMPLATE
    Fault("template-id-not-echoed", "AZION-TEMPLATE-001", "responses leave template_id out"),
    Fault("template-model-rejected", "AZION-TEMPLATE-002", "a template_model body gets 400"),
    Fault(
        "both-templates-accepted",
        "AZION-TEMPLATE-003",
        "template_id and template_model together are accepted",
    ),
    Fault(
        "template-model-type-not-checked",
        "AZION-TEMPLATE-004",
        "a non-string template_model is accepted",
    ),
    Fault("template-list-missing-model", "AZION-TEMPLATE-005", "listed templates lack the model"),
    Fault("custom-templates-listed", "AZION-TEMPLATE-006", "customized templates are listed"),
    Fault("get-template-wrong-id", "AZION-TEMPLATE-007", "getTemplate always answers template 86"),
    Fault("unknown-template-500", "AZION-TEMPLATE-008", "an unknown template id gets 500"),
    # GET
    Fault("get-returns-first-streaming", "AZION-GET-001", "getStreaming answers the lowest id"),
    Fault("unknown-id-500", "AZION-GET-002", "getStreaming of an unknown id gets 500"),
    Fault("non-integer-id-500", "AZION-GET-003", "a non-integer path id gets 500"),
    Fault("get-omits-headers", "AZION-GET-004", "getStreaming leaves the endpoint headers out"),
    # EDIT
    Fault("patch-returns-only-changes", "AZION-EDIT-001", "PATCH answers only the named members"),
    Fault(
        "patch-acts-as-put",
        "AZION-EDIT-002",
        "PATCH resets unnamed active, data_source and domain_ids",
    ),
    Fault("put-status-204", "AZION-EDIT-003", "PUT answers 204 without a body"),
    Fault("put-acts-as-patch", "AZION-EDIT-004", "a partial PUT body is accepted and merged"),
    Fault("edit-not-persisted", "AZION-EDIT-005", "edits are answered but not stored"),
    Fault("put-unknown-id-upserts", "AZION-EDIT-006", "PUT of an unknown id creates it"),
    Fault("empty-patch-accepted", "AZION-EDIT-007", "PATCH with {} is answered 200"),
    # DELETE
    Fault("delete-status-200-body", "AZION-DELETE-001", "delete answers 200 with a body"),
    Fault("deleted-still-readable", "AZION-DELETE-002", "GET of a deleted streaming answers 200"),
    Fault("deleted-still-listed", "AZION-DELETE-003", "deleted streamings stay in the list"),
    Fault("delete-unknown-id-204", "AZION-DELETE-004", "DELETE of an unknown id answers 204"),
    # ENDPOINT
    Fault(
        "endpoint-variables-not-checked",
        "AZION-ENDPOINT-001",
        "no endpoint variable is required (only endpoint_type)",
    ),
    *(
        Fault(name, requirement, f"a {etype} endpoint without {variable} is accepted")
        for name, (etype, variable, requirement) in ENDPOINT_REQUIRED_FAULTS.items()
    ),
    Fault("unknown-endpoint-type-accepted", "AZION-ENDPOINT-010", "endpoint_type syslog accepted"),
    Fault("secrets-echoed", "AZION-ENDPOINT-011", "responses echo secret endpoint variables"),
    # HEADERS
    Fault("headers-dropped", "AZION-HEADERS-001", "custom headers are accepted but dropped"),
    Fault("more-than-5-headers-accepted", "AZION-HEADERS-002", "6 custom headers are accepted"),
    Fault(
        "headers-on-non-standard-accepted",
        "AZION-HEADERS-003",
        "headers on a non-standard endpoint are accepted",
    ),
    Fault(
        "log-line-separator-escaped",
        "AZION-HEADERS-004",
        "a newline log_line_separator is stored as the two characters \\n",
    ),
    # DATASOURCE
    Fault("invalid-data-source-accepted", "AZION-DATASOURCE-001", "data_source `ftp` accepted"),
    Fault("data-source-not-defaulted", "AZION-DATASOURCE-002", "omitted data_source is null"),
    # ERROR
    Fault("bad-request-as-detail", "AZION-ERROR-001", '400 bodies are {"detail": ...}'),
    Fault("not-found-as-field-map", "AZION-ERROR-002", '404 bodies are {"id": [...]}'),
    Fault("unauthorized-without-detail", "AZION-ERROR-002", '401 bodies are {"error": ...}'),
    Fault("not-acceptable-as-field-map", "AZION-ERROR-003", '406 bodies are {"accept": [...]}'),
    Fault("throttled-without-detail", "AZION-ERROR-003", '429 bodies are {"message": ...}'),
    Fault("never-throttles", "AZION-ERROR-004", "no 429 even when a rate limit is configured"),
    Fault("not-found-as-html", "AZION-ERROR-005", "404 answers are HTML"),
    Fault(
        "active-wrong-type-500",
        "AZION-ERROR-006",
        "a non-boolean `active` crashes the server (500) instead of 400",
    ),
)


def _vacuity(name: str, description: str, *requirements: str) -> Fault:
    return vacuity_fault("AZION-", name, description, *requirements)


# Refusal requirements ("an invalid X is answered 400"): a server refusing every write must not
# pass them, since it refuses the valid twin as well.
_REFUSALS = (
    "ENDPOINT-001",
    "ENDPOINT-010",
    "ERROR-006",
    "CREATE-003",
    "CREATE-004",
    "CREATE-005",
    "TEMPLATE-003",
    "TEMPLATE-004",
    "TEMPLATE-006",
    "HEADERS-002",
    "HEADERS-003",
    "DATASOURCE-001",
    "EDIT-004",
    "EDIT-007",
)
CONSTANT_STREAMING_ID = 49  # what every create answers under the constant-id fault (the seed's)

VACUITY_FAULTS: tuple[Fault, ...] = (
    _vacuity(
        "static-mock",
        "every operation answers its documented example, whatever was sent (Prism's static mode)",
        "CREATE-001",
        "CREATE-002",
        "GET-001",
        "GET-004",
        "EDIT-001",
        "EDIT-003",
        "DELETE-003",
        "AUTH-001",
    ),
    _vacuity(
        "constant-id",
        "every create answers the same id; reads answer the last streaming so created",
        "CREATE-001",
    ),
    _vacuity("refuse-writes", "every write (POST, PUT, PATCH, DELETE) is answered 400", *_REFUSALS),
    _vacuity(
        "refuse-writes-403",
        "every write is answered 403, as a gateway's method policy does",
        "ACCEPT-004",
        *_REFUSALS,
    ),
    _vacuity(
        "unauthorized",
        "every request is answered 401, the valid token's too",
        "AUTH-004",
        *_REFUSALS,
    ),
    _vacuity("wrong-id", "GET of a streaming answers another streaming's id", "GET-001"),
)

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
