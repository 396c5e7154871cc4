"""Reference server of the Akamai DataStream 2 Configuration API v1, with switchable faults.

All 15 operations under /datastream-config-api/v1/log, EdgeGrid authentication, a per-client
token bucket (20 a minute unless configured) and RFC 7807 problems for every error. The
catalogue (specs/requirements/akamai.yaml) is the statement of each rule; request bodies are
checked against the spec's own schemas; the semantic rules are here.

Decisions where the seed is silent:
- Order of checks: rate limit (429), Authorization header form (401), body size (400, checked
  on Content-Length first and while reading), EdgeGrid signature (401, only when the server has
  credentials; then also client/access token and a timestamp within 5 minutes), route (404 for
  an unknown path, 405 with Allow for a wrong method), path ids, query, body (415, 400).
  Every request, 401 and 429 included, spends a token; the bucket is keyed by the header's
  client_token, or the client address when there is none.
- A non-integer streamId (or groupId in the listProperties path) is 404: no such resource.
  A non-integer or below-1 `version`, or a non-integer `groupId` query, is 400.
- listProperties and listStreams answer 403 for a groupId not in listGroups; listProperties
  answers 404 for an unknown productId and 200 [] for a known group the product doesn't have.
  createStream answers 403 for a groupId not in listGroups, 400 for an unknown product, a
  group the product lacks, unknown or taken properties, unknown or repeated data set fields.
- contractId is stored as sent (the seed's edit sample uses a contract no group has).
- productId is optional on create (Akamai's own clients never send it, ERRATUM-AKAMAI-129): the
  product is the one whose properties in the group include the first propertyId. An edit's
  `"groupId": null` (what Akamai's Go client sends) means "not given" (ERRATUM-AKAMAI-130).
  A repeated propertyId names one property and is stored once (ERRATUM-AKAMAI-133).
- An edit may not change groupId or productId (400); without `connectors` it keeps the current
  connector (and its connectorId), with them it gets a new connector. `activateNow` on an edit
  is ignored (ERRATUM-AKAMAI-124): the new version inherits its base version's state; an edit
  of an active stream pushes the new version (ACTIVATING, then ACTIVATED) and records an
  isActive=true activation history entry for it.
- A version never activated is DEACTIVATED. Superseded versions keep their own state.
- activateStream of a stream that is ACTIVATED or ACTIVATING is 400, and so is
  deactivateStream of one that is DEACTIVATED or DEACTIVATING (never activated included):
  activation history records changes, and the catalogue only promises 202 for the change.
- deleteStream works in any state (the seed's procedure deactivates first, but cleanup after a
  crash should not have to wait for a deactivation); afterwards every /streams/{id} operation
  answers 404 and the stream's properties are free again.
- listStreams, history and activationHistory are newest first, as the seed's samples.
- createdBy/modifiedBy are "dsconform"; stream and connector ids start at 1001 and 8601.
- Each connector is validated against its own type's schema (chosen by connectorType, from the
  spec's discriminator) so problems name the real member; the Datadog url's `format: uri` is
  checked here because jsonschema skips it without the rfc3987 package.
- Data set fields 2001-2010, absent from the operation's sample, join the sample's groups
  (2001, 2006, 2007: Network performance data; the others: Message exchange data).
- Properties: the seed's seven sample properties (Download_Delivery, group 21484, where the
  seed's create sample needs them) plus 10 synthetic ones per product/group pair (60).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response

from conformance.apis import AKAMAI
from conformance.openapi_document import OpenApiDocument
from conformance.reference.akamai import seed_data as seed
from conformance.reference.akamai.faults import FAULTS, VACUITY_FAULTS
from conformance.reference.akamai.store import (
    ACTIVATED,
    ActivationEntry,
    AkamaiStore,
    Stream,
    Version,
    akamai_date,
)
from conformance.reference.config import ReferenceConfig
from conformance.reference.edgegrid_verify import (
    AuthHeader,
    EdgeGridError,
    parse_authorization,
    verify,
)
from conformance.reference.faults import FaultSwitchboard
from conformance.reference.problem_details import (
    PROBLEM_MEDIA_TYPE,
    FieldProblem,
    ProblemError,
    problem_body,
)
from conformance.reference.rate_limit import RateDecision, TokenBucket
from conformance.reference.request_validation import FieldError, validate_body
from conformance.reference.static_mock import StaticMock

__all__ = ["create_app"]

log = logging.getLogger(__name__)

BASE_PATH = "/datastream-config-api/v1/log"
JSON = "application/json"
USER = "dsconform"
CONSTANT_STREAM_ID = 1001  # what every create answers under the constant-id fault
SECRETS = {
    "S3": ("accessKey", "secretAccessKey"),
    "AZURE": ("accessKey",),
    "DATADOG": ("authToken",),
    "SPLUNK": ("eventCollectorToken", "clientKey"),
}
_ECHO_FAULTS = {
    "secretAccessKey": "s3-secret-access-key-echoed",
    "S3:accessKey": "s3-access-key-echoed",
    "AZURE:accessKey": "azure-access-key-echoed",
    "authToken": "datadog-auth-token-echoed",
    "eventCollectorToken": "splunk-token-echoed",
}
_CLIENT_TOKEN = re.compile(r"client_token=([^;\s]+)")

Handler = Callable[..., Awaitable[Response]]

# (path pattern below BASE_PATH, {method: handler name}); one entry per path of the spec.
_ROUTES: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = tuple(
    (re.compile(pattern), methods)
    for pattern, methods in (
        (
            r"/properties/product/(?P<product_id>[^/]+)/group/(?P<group_id>[^/]+)",
            {"GET": "list_properties"},
        ),
        (r"/connectors", {"GET": "list_connector_types"}),
        (r"/datasets/template/(?P<template_name>[^/]+)", {"GET": "list_dataset_fields"}),
        (r"/groups", {"GET": "list_groups"}),
        (r"/products", {"GET": "list_products"}),
        (r"/streamTypes", {"GET": "list_stream_types"}),
        (r"/streams", {"GET": "list_streams", "POST": "create_stream"}),
        (
            r"/streams/(?P<stream_id>[^/]+)",
            {"GET": "get_stream", "PUT": "edit_stream", "DELETE": "delete_stream"},
        ),
        (r"/streams/(?P<stream_id>[^/]+)/activationHistory", {"GET": "activation_history"}),
        (r"/streams/(?P<stream_id>[^/]+)/activate", {"PUT": "activate_stream"}),
        (r"/streams/(?P<stream_id>[^/]+)/deactivate", {"PUT": "deactivate_stream"}),
        (r"/streams/(?P<stream_id>[^/]+)/history", {"GET": "stream_history"}),
    )
)


@lru_cache(maxsize=1)
def _document() -> OpenApiDocument:
    return OpenApiDocument.load(AKAMAI.spec_path)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _field_problems(errors: list[FieldError]) -> list[FieldProblem]:
    return [FieldProblem(e.field, f"{e.pointer or '/'}: {e.message}") for e in errors]


class AkamaiReference:
    """One server instance: configuration, faults, rate limiter and state."""

    def __init__(self, config: ReferenceConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.faults = FaultSwitchboard(FAULTS + VACUITY_FAULTS, config.faults)
        self.document = _document()
        self.static = StaticMock(self.document)
        self.clock = clock
        self.store = AkamaiStore(clock=clock)
        spec_limit = int((self.document.raw.get("x-rate-limit") or {}).get("limit", 20))
        self.bucket = TokenBucket(config.rate_limit or spec_limit, config.rate_window, clock=clock)
        self.spent: Counter[str] = Counter()
        self.groups = {g["groupId"]: g for g in seed.GROUPS}
        self.products = {p["productId"]: p for p in seed.PRODUCTS}
        self.properties = seed.properties_by_pair()
        self.property_names = {
            p["propertyId"]: p["propertyName"] for ps in self.properties.values() for p in ps
        }
        self.dataset_fields = {
            field["datasetFieldId"]: (group, field)
            for group in seed.dataset_groups()
            for field in group["datasetFields"]
        }
        mapping = self.document.raw["components"]["schemas"]["Connector"]["discriminator"]
        self.connector_schemas: dict[str, str] = {
            ctype: str(ref).removeprefix("#") for ctype, ref in mapping["mapping"].items()
        }
        self.connector_type_names = {
            c["connectorType"]: c["connectorTypeName"] for c in seed.CONNECTOR_TYPES
        }

    def f(self, name: str) -> bool:
        """Whether the named fault is on."""
        return self.faults.active(name)

    # ------------------------------------------------------------------ request pipeline
    async def endpoint(self, request: Request) -> Response:
        """Every request comes through here: budget, auth, routing, handler, headers."""
        client = self._client_key(request)
        decision = self.bucket.take(client)
        self.spent[client] += 1
        allowed = decision.allowed
        if self.f("throttles-early"):
            allowed = allowed and decision.remaining >= decision.limit // 2
        if self.f("never-throttles"):
            allowed = True
        try:
            if not allowed:
                raise ProblemError(
                    429, "The client has exceeded its request budget; see X-RateLimit-Next."
                )
            response = await self._dispatch(request)
        except ProblemError as problem:
            response = self._problem_response(problem)
        except Exception:  # never let a bug escape as a bare connection error
            log.exception("unexpected error in the Akamai reference server")
            response = self._problem_response(ProblemError(500, "Unexpected error."))
        self._rate_headers(response, decision, client)
        return response

    def _client_key(self, request: Request) -> str:
        match = _CLIENT_TOKEN.search(request.headers.get("authorization", ""))
        if match:
            return f"token:{match.group(1)}"
        return f"address:{request.client.host if request.client else 'unknown'}"

    async def _dispatch(self, request: Request) -> Response:
        if self.f("unauthorized"):
            raise ProblemError(401, "The request's credentials are not valid.")
        if self.f("static-mock"):
            canned = self.static.answer(request.method, request.scope["path"])
            if canned is not None:
                return self._json(canned.body, canned.status)
        header = self._auth_header(request)
        body = await self._read_body(request)
        if header is not None:
            self._verify(header, request, body)
        if request.method not in ("GET", "HEAD"):
            if self.f("refuse-writes"):
                raise ProblemError(400, "The request is not valid.")
            if self.f("refuse-writes-403"):
                raise ProblemError(403, "The client may not write.")
        path = request.scope["path"]
        if not path.startswith(BASE_PATH + "/"):
            raise ProblemError(404, f"No resource at {path}.")
        method = request.method
        for pattern, methods in _ROUTES:
            match = pattern.fullmatch(path[len(BASE_PATH) :])
            if match is None:
                continue
            if self.f("activate-post-accepted") and method == "POST" and path.endswith("activate"):
                method = "PUT"
            name = methods.get(method)
            if name is None:
                if self.f("wrong-method-404"):
                    raise ProblemError(404, f"No resource at {path} for {method}.")
                allow = ", ".join(methods)
                raise ProblemError(
                    405, f"{method} is not allowed on {path}.", headers={"Allow": allow}
                )
            handler: Handler = getattr(self, name)
            return await handler(request, body, **match.groupdict())
        raise ProblemError(404, f"No resource at {path}.")

    def _auth_header(self, request: Request) -> AuthHeader | None:
        value = request.headers.get("authorization")
        if value is None and self.f("missing-auth-accepted"):
            return None
        try:
            return parse_authorization(value)
        except EdgeGridError as exc:
            raise ProblemError(401, str(exc)) from None

    def _verify(self, header: AuthHeader, request: Request, body: bytes) -> None:
        credentials = self.config.edgegrid
        if credentials is None or self.f("bad-signature-accepted"):
            return
        host = request.headers.get("host", "")
        if self.f("host-port-ignored"):
            host = host.rsplit(":", 1)[0]
        raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
        query: bytes = request.scope.get("query_string", b"")
        path_and_query = raw_path.decode("latin-1") + (
            "?" + query.decode("latin-1") if query else ""
        )
        try:
            verify(
                header,
                credentials,
                method=request.method,
                scheme=request.url.scheme,
                host=host,
                path_and_query=path_and_query,
                body=body,
                now=self.clock(),
                max_skew=float("inf") if self.f("expired-timestamp-accepted") else 300.0,
                hash_every_body=self.f("put-body-hashed"),
            )
        except EdgeGridError as exc:
            raise ProblemError(401, str(exc)) from None

    async def _read_body(self, request: Request) -> bytes:
        cap = self.config.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise ProblemError(400, "Content-Length is not a number.")
            if int(declared) > cap:
                raise ProblemError(400, f"The request body is larger than {cap} bytes.")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                raise ProblemError(400, f"The request body is larger than {cap} bytes.")
            chunks.append(chunk)
        return b"".join(chunks)

    # ------------------------------------------------------------------ responses
    def _json(self, body: Any, status: int = 200, *, as_text: bool = False) -> Response:
        return Response(
            json.dumps(body), status_code=status, media_type="text/plain" if as_text else JSON
        )

    def _problem_response(self, problem: ProblemError) -> Response:
        body: Any = problem_body(problem)
        if self.f("problem-without-type"):
            del body["type"]
        if self.f("problem-without-title"):
            del body["title"]
        if self.f("problem-without-instance"):
            del body["instance"]
        if self.f("problem-status-always-400"):
            body["status"] = 400
        if self.f("problem-status-as-string"):
            body["status"] = str(problem.status)
        if self.f("problem-status-code-member"):
            body["statusCode"] = body.pop("status")
        if self.f("problem-errors-missing-detail") and "errors" in body:
            body["errors"] = [{k: v for k, v in e.items() if k != "detail"} for e in body["errors"]]
        if self.f("problem-errors-not-array") and "errors" in body:
            body["errors"] = {item.field: item.detail for item in problem.errors}
        if self.f("problem-wrapped-in-array"):
            body = [body]
        media = JSON if self.f("problem-as-application-json") else PROBLEM_MEDIA_TYPE
        response = Response(json.dumps(body), status_code=problem.status, media_type=media)
        for name, value in problem.headers.items():
            response.headers[name] = value
        return response

    def _rate_headers(self, response: Response, decision: RateDecision, client: str) -> None:
        now = self.clock()
        remaining = decision.remaining
        if self.f("remaining-not-counting-down"):
            remaining = decision.limit
        if self.f("remaining-never-refills"):
            remaining = max(0, decision.limit - self.spent[client])
        if self.f("remaining-exceeds-limit"):
            remaining += decision.limit
        if self.f("429-remaining-nonzero") and response.status_code == 429:
            remaining = max(remaining, 1)
        next_at = decision.next_at
        if self.f("next-too-early") and next_at is not None:
            next_at = now - 1.0
        if self.f("next-header-missing"):
            next_at = None
        shown = dataclasses.replace(
            decision,
            limit=100 if self.f("limit-header-wrong") else decision.limit,
            remaining=remaining,
            next_at=next_at,
        )
        headers = shown.headers()
        if self.f("next-not-iso8601") and next_at is not None:
            headers["X-RateLimit-Next"] = akamai_date(next_at)
        error = response.status_code >= 400
        if self.f("limit-header-missing") or (self.f("limit-header-missing-on-errors") and error):
            del headers["X-RateLimit-Limit"]
        if self.f("remaining-header-missing") or (
            self.f("remaining-header-missing-on-errors") and error
        ):
            del headers["X-RateLimit-Remaining"]
        for name, value in headers.items():
            response.headers[name] = value

    def _date(self, epoch: float) -> str:
        if self.f("dates-iso8601"):
            return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return akamai_date(epoch)

    # ------------------------------------------------------------------ parameters
    def _stream_id(self, text: str) -> int:
        if re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        if self.f("non-integer-stream-id-500"):
            raise ProblemError(500, "Unexpected error.")
        raise ProblemError(404, f"There is no stream {text!r}.")

    def _int_query(self, request: Request, name: str, ignore_bad: bool) -> int | None:
        text = request.query_params.get(name)
        if text is None:
            return None
        if re.fullmatch(r"-?[0-9]+", text.strip()):
            return int(text)
        if ignore_bad:
            return None
        raise ProblemError(
            400, f"The {name} query parameter must be an integer.", [FieldProblem(name, text)]
        )

    def _live_stream(self, stream_id: int, *, include_deleted: bool = False) -> Stream:
        stream = (
            self.store.streams.get(stream_id) if include_deleted else self.store.live(stream_id)
        )
        if stream is None:
            raise ProblemError(404, f"There is no stream {stream_id}.")
        return stream

    # ------------------------------------------------------------------ lookups
    async def list_properties(
        self, request: Request, body: bytes, product_id: str, group_id: str
    ) -> Response:
        if not group_id.isdigit():
            raise ProblemError(404, f"There is no group {group_id!r}.")
        gid = int(group_id)
        if gid not in self.groups and not self.f("unknown-group-properties-allowed"):
            raise ProblemError(403, f"The account has no access to group {gid}.")
        if self.f("child-group-properties-forbidden") and self.groups[gid].get("parentGroupId"):
            raise ProblemError(403, f"The account has no access to group {gid}.")
        if product_id not in self.products:
            raise ProblemError(404, f"There is no product {product_id!r}.")
        found = [dict(p) for p in self.properties.get((product_id, gid), [])]
        if self.f("property-id-as-string"):
            found = [{**p, "propertyId": str(p["propertyId"])} for p in found]
        return self._json(found, as_text=self.f("properties-as-text"))

    async def list_connector_types(self, request: Request, body: bytes) -> Response:
        types = [dict(c) for c in seed.CONNECTOR_TYPES]
        if self.f("connector-type-name-missing"):
            types = [{"connectorType": c["connectorType"]} for c in types]
        if self.f("splunk-missing-from-connector-types"):
            types = [c for c in types if c["connectorType"] != "SPLUNK"]
        return self._json(types, as_text=self.f("connector-types-as-text"))

    async def list_dataset_fields(
        self, request: Request, body: bytes, template_name: str
    ) -> Response:
        if template_name != seed.TEMPLATE_NAME and not self.f("any-template-accepted"):
            raise ProblemError(404, f"There is no data set template {template_name!r}.")
        groups = seed.dataset_groups()
        for group in groups:
            if self.f("dataset-fields-sample-only"):
                group["datasetFields"] = [
                    f
                    for f in group["datasetFields"]
                    if f["datasetFieldId"] not in seed.TABLE_ONLY_FIELD_IDS
                ]
            for index, field in enumerate(group["datasetFields"]):
                if self.f("dataset-fields-carry-order"):
                    field["order"] = index
                if self.f("dataset-field-id-as-string"):
                    field["datasetFieldId"] = str(field["datasetFieldId"])
        if self.f("dataset-field-1068-twice"):
            groups[-2]["datasetFields"].append(
                {
                    "datasetFieldId": 1068,
                    "datasetFieldName": "Error code",
                    "datasetFieldDescription": "A string describing a specific issue with "
                    "serving the request.",
                }
            )
        return self._json(groups, as_text=self.f("dataset-fields-as-text"))

    async def list_groups(self, request: Request, body: bytes) -> Response:
        groups = [dict(g) for g in seed.GROUPS]
        if self.f("group-enabled-missing"):
            groups = [{k: v for k, v in g.items() if k != "enabled"} for g in groups]
        return self._json(groups, 202 if self.f("groups-answer-202") else 200)

    async def list_products(self, request: Request, body: bytes) -> Response:
        products = json.loads(json.dumps(seed.PRODUCTS))
        for product in products:
            if self.f("products-list-foreign-group"):
                product["groups"].append(
                    {
                        "groupId": 18544,
                        "groupName": "DefaultGroup",
                        "parentGroupId": None,
                        "contractIds": ["1-5C1778"],
                        "childGroups": [],
                    }
                )
            if self.f("product-templates-missing"):
                del product["templates"]
            if self.f("product-template-raw-logs"):
                product["templates"] = [{"templateName": "RAW_LOGS"}]
            if self.f("product-group-contract-ids-missing"):
                for group in product["groups"]:
                    del group["contractIds"]
        return self._json(products, as_text=self.f("products-as-text"))

    async def list_stream_types(self, request: Request, body: bytes) -> Response:
        types = [dict(t) for t in seed.STREAM_TYPES]
        if self.f("stream-type-is-raw-missing"):
            types = [{k: v for k, v in t.items() if k != "isRaw"} for t in types]
        if self.f("stream-types-list-extra"):
            types.append(
                {
                    "streamTypeName": "Logs - Structured",
                    "streamType": "STRUCTURED_LOGS",
                    "isRaw": False,
                }
            )
        return self._json(types, as_text=self.f("stream-types-as-text"))

    # ------------------------------------------------------------------ streams: reads
    async def list_streams(self, request: Request, body: bytes) -> Response:
        group_id = self._int_query(request, "groupId", self.f("non-integer-group-id-ignored"))
        unknown = group_id is not None and group_id not in self.groups
        if unknown and not self.f("unknown-group-streams-allowed"):
            raise ProblemError(403, f"The account has no access to group {group_id}.")
        with self.store.lock:
            streams = sorted(
                (s for s in self.store.streams.values() if not s.deleted),
                key=lambda s: s.stream_id,
                reverse=True,
            )
            if self.f("list-omits-newest-stream") and streams:
                streams = streams[1:]
            if group_id is not None and not self.f("group-filter-ignored"):
                streams = [s for s in streams if s.group_id == group_id]
            items = [
                self._summary(s, s.versions[0] if self.f("list-shows-first-version") else s.latest)
                for s in streams
            ]
        return self._json(items, as_text=self.f("list-streams-as-text"))

    async def get_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        version_number = self._int_query(request, "version", self.f("non-integer-version-ignored"))
        if version_number is not None and version_number < 1:
            raise ProblemError(400, "The version query parameter must be at least 1.")
        with self.store.lock:
            stream = self.store.streams.get(sid)
            if stream is None or (stream.deleted and not self.f("deleted-stream-still-readable")):
                if self.f("unknown-stream-500"):
                    raise ProblemError(500, "Unexpected error.")
                raise ProblemError(
                    400 if self.f("get-unknown-stream-400") else 404, f"There is no stream {sid}."
                )
            version = stream.versions[0] if self.f("get-returns-first-version") else stream.latest
            if version_number is not None and not self.f("version-query-ignored"):
                found = stream.version(version_number)
                if self.f("old-versions-discarded") and version_number != stream.latest.number:
                    found = None
                if found is None and not self.f("unknown-version-returns-latest"):
                    raise ProblemError(404, f"Stream {sid} has no version {version_number}.")
                version = found or stream.latest
            detail = self._detail(stream, version)
            if self.f("wrong-id"):
                others = [s for s in self.store.streams if s != sid]
                detail["streamId"] = max(others) if others else sid + 1
        return self._json(detail, as_text=self.f("get-stream-as-text"))

    async def stream_history(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        with self.store.lock:
            if self.f("history-unknown-stream-empty") and self.store.live(sid) is None:
                return self._json([])
            stream = self._live_stream(sid)
            versions = list(reversed(stream.versions))
            if self.f("history-missing-first-version") and len(versions) > 1:
                versions = versions[:-1]
            if self.f("history-duplicates-latest"):
                versions.insert(0, versions[0])
            if self.f("history-entries-summaries"):
                items = [self._summary(stream, v) for v in versions]
            else:
                items = [
                    self._detail(
                        stream,
                        v,
                        at=v.modified_at if self.f("history-activation-status-frozen") else None,
                    )
                    for v in versions
                ]
        return self._json(items, as_text=self.f("history-as-text"))

    async def activation_history(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        with self.store.lock:
            if self.f("activation-history-unknown-stream-empty") and self.store.live(sid) is None:
                return self._json([])
            stream = self._live_stream(sid)
            items = [
                {
                    "streamId": stream.stream_id,
                    "streamVersionId": entry.version,
                    "createdBy": entry.by,
                    "createdDate": self._date(entry.at),
                    "isActive": str(entry.is_active).lower()
                    if self.f("activation-history-is-active-string")
                    else entry.is_active,
                }
                for entry in reversed(stream.activations)
            ]
        return self._json(items, as_text=self.f("activation-history-as-text"))

    # ------------------------------------------------------------------ rendering
    def _status(self, version: Version, at: float | None = None) -> str:
        status = version.status(self.clock() if at is None else at, self.config.activation_delay)
        return "ACTIVE" if self.f("activation-status-active") and status == ACTIVATED else status

    def _properties(self, version: Version) -> list[dict[str, Any]]:
        return [
            {"propertyId": pid, "propertyName": self.property_names.get(pid, f"property-{pid}")}
            for pid in version.config.get("propertyIds", [])
        ]

    def _summary(self, stream: Stream, version: Version) -> dict[str, Any]:
        connectors = version.config.get("connectors", [])
        properties: Any = self._properties(version)
        if self.f("list-properties-as-string"):
            properties = ",".join(p["propertyName"] for p in properties)
        current = version.number + 1 if self.f("current-version-id-off-by-one") else version.number
        return {
            "streamId": stream.stream_id,
            "streamName": version.config.get("streamName"),
            "streamVersionId": version.number,
            "createdBy": stream.created_by,
            "createdDate": self._date(stream.created_at),
            "currentVersionId": current,
            "archived": False,
            "activationStatus": self._status(version),
            "groupId": stream.group_id,
            "groupName": self.groups[stream.group_id]["groupName"],
            "contractId": version.config.get("contractId"),
            "connectors": ",".join(
                f"{self.connector_type_names.get(c.get('connectorType'), c.get('connectorType'))}"
                f"-{c.get('connectorName')}"
                for c in connectors
            ),
            "streamTypeName": "RAW_LOGS"
            if self.f("stream-type-name-raw-logs")
            else seed.STREAM_TYPE_NAME,
            "properties": properties,
        }

    def _detail(
        self, stream: Stream, version: Version, *, at: float | None = None
    ) -> dict[str, Any]:
        config = version.config
        product = self.products[stream.product_id]
        detail: dict[str, Any] = {
            "streamId": stream.stream_id,
            "streamVersionId": version.number,
            "streamName": config.get("streamName"),
            "productId": stream.product_id,
            "productName": product["productName"],
            "templateName": "RAW_LOGS"
            if self.f("template-name-raw-logs")
            else config.get("templateName"),
            "groupId": stream.group_id,
            "groupName": self.groups[stream.group_id]["groupName"],
            "contractId": config.get("contractId"),
            "streamType": "Logs - Raw"
            if self.f("stream-type-wrong-in-get")
            else config.get("streamType"),
            "activationStatus": self._status(version, at),
            "createdBy": stream.created_by,
            "createdDate": self._date(stream.created_at),
            "modifiedBy": USER,
            "modifiedDate": self._date(version.modified_at),
        }
        if self.f("get-stream-missing-product-name"):
            del detail["productName"]
        if "emailIds" in config:
            detail["emailIds"] = config["emailIds"]
        detail["config"] = json.loads(json.dumps(config.get("config", {})))
        detail["datasets"] = self._datasets(config.get("datasetFieldIds", []))
        detail["connectors"] = [self._saved_connector(c) for c in config.get("connectors", [])]
        detail["properties"] = self._properties(version)
        if self.f("stream-error-bad-type"):
            detail["errors"] = [
                {"type": "FAILED", "title": "Failed", "detail": f"Version {version.number} failed."}
            ]
        return detail

    def _datasets(self, field_ids: list[Any]) -> list[dict[str, Any]]:
        ids = [i for i in field_ids if _is_int(i) and i in self.dataset_fields]
        if self.f("datasets-drop-last-field"):
            ids = ids[:-1]
        order = {
            fid: n for n, fid in enumerate(sorted(ids) if self.f("dataset-order-by-id") else ids)
        }
        first = 1 if self.f("dataset-order-from-1") else 0
        groups: list[dict[str, Any]] = []
        for template_group in seed.dataset_groups():
            chosen = [
                {**f, "order": order[f["datasetFieldId"]] + first}
                for f in template_group["datasetFields"]
                if f["datasetFieldId"] in order
            ]
            if chosen:
                chosen.sort(key=lambda f: int(f["order"]))
                group = {k: v for k, v in template_group.items() if k != "datasetFields"}
                group["datasetFields"] = chosen
                groups.append(group)
        return groups

    def _saved_connector(self, stored: dict[str, Any]) -> dict[str, Any]:
        ctype = stored.get("connectorType")
        shown = dict(stored)
        for secret in SECRETS.get(str(ctype), ()):
            fault = _ECHO_FAULTS.get(secret) or _ECHO_FAULTS.get(f"{ctype}:{secret}")
            if not (fault and self.f(fault)):
                shown.pop(secret, None)
        if self.f("connector-id-as-string"):
            shown["connectorId"] = str(shown["connectorId"])
        return shown

    # ------------------------------------------------------------------ streams: writes
    def _json_body(self, request: Request, body: bytes) -> Any:
        content_type = request.headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        if media != JSON and not self.f("non-json-content-type-accepted"):
            raise ProblemError(
                415, f"The request body must be application/json, not {content_type or 'untyped'}."
            )
        try:
            return json.loads(body, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            status = 415 if self.f("malformed-json-415") else 400
            raise ProblemError(status, f"The request body is not valid JSON: {exc}.") from None

    def _schema_errors(self, operation_id: str, body: Any) -> list[FieldError]:
        """Spec violations; each connector is checked against its own type's schema."""
        errors = [
            e
            for e in validate_body(self.document, operation_id, body)
            if not e.pointer.startswith("/connectors/")
        ]
        connectors = body.get("connectors") if isinstance(body, dict) else None
        for index, connector in enumerate(connectors if isinstance(connectors, list) else []):
            ctype = connector.get("connectorType") if isinstance(connector, dict) else None
            pointer = self.connector_schemas.get(str(ctype))
            if pointer is None:
                if not self.f("unknown-connector-type-accepted"):
                    errors.append(
                        FieldError(
                            f"/connectors/{index}/connectorType",
                            "connectorType",
                            f"{ctype!r} is not one of {sorted(self.connector_schemas)}",
                        )
                    )
                continue
            for error in self.document.validator(pointer).iter_errors(connector):
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
            pointer = self.connector_schemas.get(str(connector.get("connectorType")))
            if pointer is None or not isinstance(url, str):
                continue
            declared = self.document.at_pointer(pointer)["properties"].get("url", {})
            parts = urlsplit(url)
            if declared.get("format") == "uri" and not (parts.scheme and parts.netloc):
                found.append(FieldError(f"/connectors/{index}/url", "url", f"{url!r} is not a URI"))
        return found

    def _relaxed(self, e: FieldError, body: Any) -> bool:
        """Whether an active fault lets this schema violation through."""
        ctype = _connector_type(body)
        return (
            (self.f("stream-name-type-not-checked") and e.pointer == "/streamName")
            or (
                self.f("create-contract-id-optional")
                and e.field == "contractId"
                and e.pointer == "/"
            )
            or (
                self.f("fourth-property-accepted")
                and e.pointer == "/propertyIds"
                and "too long" in e.message
            )
            or (self.f("frequency-not-checked") and e.pointer == "/config/frequency/timeInSec")
            or (self.f("delimiter-not-checked") and e.pointer == "/config/delimiter")
            or (
                self.f("prefix-length-not-checked")
                and e.pointer == "/config/uploadFilePrefix"
                and "too long" in e.message
            )
            or (
                self.f("prefix-dot-accepted")
                and e.pointer == "/config/uploadFilePrefix"
                and "match" in e.message
            )
            or (
                self.f("suffix-length-not-checked")
                and e.pointer == "/config/uploadFileSuffix"
                and "too long" in e.message
            )
            or (
                self.f("suffix-chars-accepted")
                and e.pointer == "/config/uploadFileSuffix"
                and "match" in e.message
            )
            or (self.f("path-length-not-checked") and e.pointer == "/connectors/0/path")
            or (self.f("stream-type-not-checked") and e.pointer == "/streamType")
            or (self.f("template-name-not-checked") and e.pointer == "/templateName")
            or (self.f("s3-secret-optional") and ctype == "S3" and e.field == "secretAccessKey")
            or (self.f("azure-access-key-optional") and ctype == "AZURE" and e.field == "accessKey")
            or (
                self.f("datadog-auth-token-optional")
                and ctype == "DATADOG"
                and e.field == "authToken"
            )
            or (
                self.f("splunk-token-optional")
                and ctype == "SPLUNK"
                and e.field == "eventCollectorToken"
            )
            or (
                self.f("splunk-url-not-checked")
                and ctype == "SPLUNK"
                and e.pointer == "/connectors/0/url"
            )
        )

    def _semantic_problems(
        self, body: dict[str, Any], product_id: str, group_id: int, own: Stream | None
    ) -> list[FieldProblem]:
        """Rules no schema states: known product, group, properties and data set fields."""
        problems: list[FieldProblem] = []
        product = self.products.get(product_id)
        if product is None:
            return [FieldProblem("productId", f"There is no product {product_id!r}.")]
        if group_id not in {g["groupId"] for g in product["groups"]}:
            return [FieldProblem("groupId", f"Group {group_id} has no access to {product_id}.")]
        known = {p["propertyId"] for p in self.properties.get((product_id, group_id), [])}
        property_ids = body.get("propertyIds", [])
        taken_fault = (
            "property-in-two-streams-accepted"
            if own is None
            else "edit-property-in-other-stream-accepted"
        )
        for pid in property_ids:
            if pid not in known and not self.f("unknown-property-accepted"):
                problems.append(
                    FieldProblem(
                        "propertyIds",
                        f"Property {pid} is not active for {product_id} in group {group_id}.",
                    )
                )
                continue
            owner = self.store.property_owner(
                pid, include_deleted=self.f("deleted-stream-keeps-properties")
            )
            if (
                owner is not None
                and (own is None or owner != own.stream_id)
                and not self.f(taken_fault)
            ):
                problems.append(
                    FieldProblem(
                        "propertyIds", f"Property {pid} is already part of stream {owner}."
                    )
                )
        seen: set[int] = set()
        for fid in body.get("datasetFieldIds", []):
            if fid not in self.dataset_fields and not self.f("unknown-dataset-field-accepted"):
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
        prefix = str(body.get("config", {}).get("uploadFilePrefix", ""))
        if self.f("prefix-dynamic-variables-refused") and "{" in prefix:
            problems.append(
                FieldProblem("uploadFilePrefix", "Dynamic variables are not supported.")
            )
        for connector in body.get("connectors", []):
            path = str(connector.get("path", "")) if isinstance(connector, dict) else ""
            if self.f("path-spaced-variables-refused") and re.search(r"\{[^}]*\s/\s", path):
                problems.append(FieldProblem("path", "Spaces inside {} are not supported."))
        return problems

    def _validated(self, request: Request, body: bytes, operation_id: str) -> dict[str, Any]:
        document = self._json_body(request, body)
        if (
            self.f("email-ids-required")
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

    def _stored_config(self, body: dict[str, Any], previous: Version | None) -> dict[str, Any]:
        """What a version keeps: the request's members with defaults filled in."""
        stored: dict[str, Any] = {
            key: json.loads(json.dumps(body[key]))
            for key in (
                "streamName",
                "streamType",
                "templateName",
                "contractId",
                "emailIds",
                "propertyIds",
                "datasetFieldIds",
                "config",
            )
            if key in body
        }
        if "propertyIds" in stored:
            stored["propertyIds"] = list(dict.fromkeys(stored["propertyIds"]))
        if self.f("create-drops-email-ids"):
            stored.pop("emailIds", None)
        if self.f("create-stores-first-property-only"):
            stored["propertyIds"] = stored.get("propertyIds", [])[:1]
        config = stored.setdefault("config", {})
        config.setdefault("uploadFilePrefix", "logs" if self.f("prefix-default-wrong") else "ak")
        config.setdefault("uploadFileSuffix", "ak" if self.f("suffix-default-wrong") else "ds")
        if self.f("frequency-not-stored"):
            config["frequency"] = {"timeInSec": 30}
        if "connectors" in body:
            stored["connectors"] = [self._stored_connector(c) for c in body["connectors"]]
        else:
            stored["connectors"] = (
                json.loads(json.dumps(previous.config["connectors"])) if previous else []
            )
        return stored

    def _stored_connector(self, connector: dict[str, Any]) -> dict[str, Any]:
        stored = dict(connector)
        ctype = stored.get("connectorType")
        stored["connectorId"] = self.store.allocate_connector_id()
        if ctype == "S3":
            stored["compressLogs"] = not self.f("s3-compress-logs-false")
        elif ctype == "AZURE":
            stored["compressLogs"] = not self.f("azure-compress-logs-false")
        elif ctype == "DATADOG":
            stored.setdefault("compressLogs", self.f("datadog-compress-default-true"))
            if self.f("datadog-tags-dropped"):
                stored.pop("tags", None)
        elif ctype == "SPLUNK":
            stored.setdefault("compressLogs", not self.f("splunk-compress-default-false"))
        else:
            stored.setdefault("compressLogs", True)
        return stored

    def _key(self, stream_id: int, version: int, status: int = 202) -> Response:
        return self._json(
            {"streamVersionKey": {"streamId": stream_id, "streamVersionId": version}}, status
        )

    def _product_of(self, document: dict[str, Any], group_id: int) -> str:
        """The create's productId, or (not sent) the product of its first property's group."""
        if "productId" in document:
            return str(document["productId"])
        first = next(iter(document.get("propertyIds") or []), None)
        for (product_id, gid), listed in self.properties.items():
            if gid == group_id and any(p["propertyId"] == first for p in listed):
                return product_id
        raise ProblemError(
            400,
            "The stream configuration is not valid.",
            [FieldProblem("propertyIds", f"Property {first} is not active in group {group_id}.")],
            title="Erroneous data input",
        )

    async def create_stream(self, request: Request, body: bytes) -> Response:
        document = self._validated(request, body, "createStream")
        group_id = int(document["groupId"])
        if group_id not in self.groups:
            raise ProblemError(403, f"The account has no access to group {group_id}.")
        product_id = self._product_of(document, group_id)
        now = self.clock()
        with self.store.lock:
            problems = self._semantic_problems(document, product_id, group_id, None)
            if problems:
                raise ProblemError(
                    400,
                    "The stream configuration is not valid.",
                    problems,
                    title="Erroneous data input",
                )
            active = bool(document.get("activateNow", False))
            if self.f("activate-now-ignored"):
                active = False
            if self.f("create-always-activates"):
                active = True
            stream = Stream(
                stream_id=(
                    CONSTANT_STREAM_ID if self.f("constant-id") else self.store.allocate_stream_id()
                ),
                product_id=product_id,
                group_id=group_id,
                created_at=now,
                created_by=USER,
            )
            version = Version(
                1, self._stored_config(document, None), now, active, now if active else None
            )
            stream.versions.append(version)
            if active and not self.f("activate-now-not-recorded"):
                stream.activations.append(_entry(1, True, now))
            self.store.streams[stream.stream_id] = stream
        if self.f("create-key-unwrapped"):
            return self._json({"streamId": stream.stream_id, "streamVersionId": 1}, 202)
        shown_id = stream.stream_id + 1 if self.f("create-key-wrong-id") else stream.stream_id
        return self._key(shown_id, 1, 201 if self.f("create-answers-201") else 202)

    async def edit_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        with self.store.lock:
            self._live_stream(sid)
        document = self._validated(request, body, "editStream")
        now = self.clock()
        with self.store.lock:
            stream = self._live_stream(sid)
            problems: list[FieldProblem] = []
            if document.get("groupId") is not None and document["groupId"] != stream.group_id:
                problems.append(
                    FieldProblem(
                        "groupId",
                        f"The stream belongs to group {stream.group_id}; an edit can't move it.",
                    )
                )
            if "productId" in document and document["productId"] != stream.product_id:
                problems.append(
                    FieldProblem(
                        "productId",
                        f"The stream is for {stream.product_id}; an edit can't change it.",
                    )
                )
            problems += self._semantic_problems(
                document, stream.product_id, stream.group_id, stream
            )
            if problems:
                raise ProblemError(
                    400,
                    "The stream configuration is not valid.",
                    problems,
                    title="Erroneous data input",
                )
            base = stream.latest
            active = base.active
            if self.f("edit-deactivates-active-stream"):
                active = False
            if self.f("edit-activates-inactive-stream"):
                active = True
            if self.f("edit-honours-activate-now") and "activateNow" in document:
                active = bool(document["activateNow"])
            number = base.number + (2 if self.f("versions-step-by-two") else 1)
            if self.f("edit-does-not-bump-version"):
                number = base.number
            stored = (
                json.loads(json.dumps(base.config))
                if self.f("edit-not-persisted")
                else self._stored_config(document, base)
            )
            version = Version(number, stored, now, active, now if active else None)
            if self.f("edit-does-not-bump-version"):
                stream.versions[-1] = version
            else:
                stream.versions.append(version)
            if self.f("activation-history-reset-on-edit"):
                stream.activations.clear()
            if active:
                stream.activations.append(_entry(number, True, now))
        shown = base.number if self.f("edit-key-old-version") else number
        return self._key(sid, shown, 200 if self.f("edit-answers-200") else 202)

    async def delete_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        with self.store.lock:
            stream = self.store.live(sid)
            if stream is None and not self.f("delete-unknown-stream-200"):
                raise ProblemError(404, f"There is no stream {sid}.")
            if stream is not None:
                stream.deleted = True
        if self.f("delete-answers-204"):
            return Response(status_code=204)
        return self._json({"message": "Deleted" if self.f("delete-message-deleted") else "Success"})

    async def activate_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        now = self.clock()
        with self.store.lock:
            stream = self.store.streams.get(sid)
            if stream is None and self.f("activate-unknown-stream-202"):
                return self._key(sid, 1)
            stream = self._live_stream(sid, include_deleted=self.f("deleted-stream-activatable"))
            latest = stream.latest
            if latest.active:
                raise ProblemError(
                    400, f"Version {latest.number} of stream {sid} is already active."
                )
            if self.f("reactivation-refused") and any(not e.is_active for e in stream.activations):
                raise ProblemError(
                    400, f"Stream {sid} was deactivated and can't be activated again."
                )
            if not self.f("activate-not-applied"):
                latest.active, latest.changed_at = True, now
            if not self.f("activation-not-recorded"):
                stream.activations.append(_entry(latest.number, True, now))
        if self.f("activate-answers-message"):
            return self._json({"message": "Success"}, 202)
        shown = 1 if self.f("activate-key-first-version") else latest.number
        return self._key(sid, shown, 200 if self.f("activate-answers-200") else 202)

    async def deactivate_stream(self, request: Request, body: bytes, stream_id: str) -> Response:
        sid = self._stream_id(stream_id)
        now = self.clock()
        with self.store.lock:
            stream = self._live_stream(sid)
            latest = stream.latest
            if not latest.active:
                raise ProblemError(400, f"Version {latest.number} of stream {sid} is not active.")
            if not self.f("deactivate-not-applied"):
                latest.active, latest.changed_at = False, now
            if not self.f("deactivation-not-recorded"):
                stream.activations.append(_entry(latest.number, False, now))
        if self.f("deactivate-answers-message"):
            return self._json({"message": "Success"}, 202)
        shown = 1 if self.f("deactivate-key-first-version") else latest.number
        return self._key(sid, shown, 200 if self.f("deactivate-answers-200") else 202)


def _entry(version: int, is_active: bool, at: float) -> ActivationEntry:
    return ActivationEntry(version, is_active, at, USER)


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


def create_app(config: ReferenceConfig) -> Starlette:
    """The Akamai reference app for `config` (raises UnknownFaultError for unknown faults)."""
    reference = AkamaiReference(config)
    app = Starlette()
    # Own dispatch for every path and method: Starlette's `{path:path}` regex stops at a
    # newline (%0A), and its own 404 would be text/plain without the rate-limit headers.
    app.router.default = request_response(reference.endpoint)
    app.state.reference = reference
    return app
