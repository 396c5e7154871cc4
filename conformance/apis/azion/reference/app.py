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
  token: 401 "Invalid token.". `config.credentials` (a credentials.Tokens) names the token with
  Edit Data Streaming (reads and writes) and the View Data Streaming one (reads only; writes
  answer 403).
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

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.apis.azion.reference.records import Records
from conformance.apis.azion.reference.rendering import Renderer
from conformance.apis.azion.reference.state import AzionState
from conformance.apis.azion.reference.streamings import Streamings
from conformance.apis.azion.reference.templates import Templates
from conformance.apis.azion.reference.transport import Gates
from conformance.apis.azion.reference.validation import Validator
from conformance.reference.config import ReferenceConfig

_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class AzionReference:
    """One server instance: its state, the parts that serve it, and the framework's errors."""

    def __init__(self, config: ReferenceConfig) -> None:
        self.state = AzionState(config)
        self.render = Renderer(self.state)
        self.gates = Gates(self.state, self.render)
        self.streamings = Streamings(
            self.state, self.render, self.gates, Validator(self.state), Records(self.state)
        )
        self.templates = Templates(self.state, self.render, self.gates)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Unknown paths (404) and wrong methods (405, with Allow) in the API's error shape."""
        if not isinstance(exc, HTTPException):
            return await self.server_error(request, exc)
        headers = dict(exc.headers or {})
        if "Allow" in headers:
            methods = {m.strip() for m in headers["Allow"].split(",")}
            headers["Allow"] = ", ".join(m for m in _METHOD_ORDER if m in methods)
        if exc.status_code == 404:
            return self.render.detail(404, "Not found.", headers)
        if exc.status_code == 405:
            return self.render.detail(405, f'Method "{request.method}" not allowed.', headers)
        return self.render.detail(exc.status_code, str(exc.detail), headers)

    async def server_error(self, request: Request, exc: Exception) -> Response:
        """Any exception a handler lets escape: 500, as the real service answers."""
        return self.render.internal_error()


def create_app(config: ReferenceConfig) -> Starlette:
    """The Azion reference app for `config` (UnknownFaultError for an unknown fault name)."""
    reference = AzionReference(config)
    routes = [
        Route(
            "/data_streaming/streamings",
            reference.streamings.streamings,
            methods=["GET", "POST"],
        ),
        Route(
            "/data_streaming/streamings/{id}",
            reference.streamings.streaming,
            methods=["GET", "PUT", "PATCH", "DELETE"],
        ),
        Route("/data_streaming/templates", reference.templates.templates, methods=["GET"]),
        Route("/data_streaming/templates/{id}", reference.templates.template, methods=["GET"]),
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
    if reference.state.fault("static-mock") or reference.state.fault("unauthorized"):
        app.add_middleware(_VacuityGate, reference=reference)
    return app


class _VacuityGate:
    """In front of the routes: the static mock's canned answers, or 401 to everything."""

    def __init__(self, app: ASGIApp, reference: AzionReference) -> None:
        self.app = app
        self.state = reference.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response: Response | None = None
        if self.state.fault("unauthorized"):
            response = JSONResponse({"detail": "Invalid token."}, 401)
        elif (canned := self.state.static.answer(scope["method"], scope["path"])) is not None:
            if canned.body is None:
                response = Response(status_code=canned.status)
            else:
                response = JSONResponse(canned.body, canned.status)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)
