"""Exchanges for check unit tests: built by hand, or from the vendor documents' own samples."""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from conformance.apis import APIS
from conformance.cassettes.sample_contract import Contract
from conformance.cassettes.samples import SampleInteraction, parse_seed, plan_samples
from conformance.cassettes.seed_documents import SeedDocument
from conformance.checks.base import CheckEnv
from conformance.core.exchange import Exchange, RecordedRequest, RecordedResponse
from conformance.openapi_document import OpenApiDocument

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"


@cache
def _contract(api: str) -> Contract:
    return Contract(APIS[api])


def document(api: str) -> OpenApiDocument:
    """The API's OpenAPI document, loaded once per test session."""
    return _contract(api).document


def check_env(api: str, *, secrets: tuple[str, ...] = ()) -> CheckEnv:
    """A CheckEnv over the API's real contract, as the engine builds it for a run."""
    return CheckEnv(document(api), set(secrets))


def exchange(
    api: str,
    operation_id: str | None,
    *,
    status: int = 200,
    body: Any = "",
    media_type: str | None = JSON,
    headers: dict[str, str] | None = None,
    path: str | None = None,
    method: str | None = None,
    request_body: Any = "",
) -> Exchange:
    """One exchange of `operation_id`: a non-string body is sent as JSON text; `media_type`
    becomes the Content-Type of a non-empty body (None: no Content-Type at all); `headers`
    are added to the response as given; the URL is the spec's, with its example parameters."""
    text = body if isinstance(body, str) else json.dumps(body)
    sent = request_body if isinstance(request_body, str) else json.dumps(request_body)
    response_headers: dict[str, str] = {}
    if text and media_type is not None:
        response_headers["Content-Type"] = media_type
    response_headers.update(headers or {})
    if operation_id is None:
        url = f"{_contract(api).base}{path or '/'}"
        verb = method or "GET"
    else:
        url, _, _ = _contract(api).url(operation_id, path)
        verb = method or _contract(api).operations[operation_id].method.upper()
    return _build(
        verb,
        url,
        {"Content-Type": JSON} if sent else {},
        sent,
        status,
        response_headers,
        text,
        operation_id,
    )


def _build(
    method: str,
    url: str,
    request_headers: dict[str, str],
    request_body: str,
    status: int,
    response_headers: dict[str, str],
    response_body: str,
    operation_id: str | None,
) -> Exchange:
    split = urlsplit(url)
    path = split.path + (f"?{split.query}" if split.query else "")
    return Exchange(
        RecordedRequest(method, url, path, request_headers, request_body),
        RecordedResponse(status, response_headers, response_body),
        operation_id,
        "unit",
    )


@cache
def _seed(api: str) -> SeedDocument:
    return parse_seed(APIS[api])


@cache
def seed_interactions(api: str) -> tuple[SampleInteraction, ...]:
    """Every request/response sample of the API's vendor document, as `dsconform recheck`
    replays it (what the seed leaves out filled in from the contract, and listed as such)."""
    return tuple(plan_samples(APIS[api], _seed(api)).interactions)


def seed_exchange(api: str, name: str) -> Exchange:
    """The seed's sample interaction named `name` (its section, or object and label)."""
    found = [i for i in seed_interactions(api) if i.record["name"] == name]
    if len(found) != 1:
        names = sorted({i.record["name"] for i in seed_interactions(api)})
        raise LookupError(f"{api}: {len(found)} seed samples named {name!r}; names: {names}")
    sample = found[0]
    return _build(
        sample.method,
        sample.url,
        dict(sample.request_headers),
        sample.request_body or "",
        sample.status,
        {key: values[0] for key, values in sample.response_headers.items()},
        sample.response_body,
        sample.operation_id,
    )


def seed_body(api: str, name: str) -> Any:
    """The parsed response body of the seed's sample `name`, to edit into a broken variant."""
    return json.loads(seed_exchange(api, name).response.body)


_KEEP: Any = object()


def variant(
    base: Exchange,
    *,
    status: int | None = None,
    body: Any = _KEEP,
    media_type: str | None = _KEEP,
    headers: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    path: str | None = None,
    request_body: Any = _KEEP,
) -> Exchange:
    """`base` with parts of it changed: a non-string body is sent as JSON text; `media_type`
    replaces the Content-Type (None removes it); `headers` are set, `drop` removed (any case);
    `path` replaces the request's path and query."""
    response = base.response
    text = response.body if body is _KEEP else body if isinstance(body, str) else json.dumps(body)
    gone = {name.lower() for name in drop}
    if media_type is not _KEEP:
        gone.add("content-type")
    changed = {k: v for k, v in response.headers.items() if k.lower() not in gone}
    if media_type is not _KEEP and media_type is not None:
        changed["Content-Type"] = media_type
    changed.update(headers or {})
    request = base.request
    if path is not None:
        split = urlsplit(request.url)
        request = RecordedRequest(
            request.method,
            f"{split.scheme}://{split.netloc}{path}",
            path,
            request.headers,
            request.body,
        )
    if request_body is not _KEEP:
        sent = request_body if isinstance(request_body, str) else json.dumps(request_body)
        request = RecordedRequest(request.method, request.url, request.path, request.headers, sent)
    return Exchange(
        request,
        RecordedResponse(status or response.status, changed, text),
        base.operation_id,
        base.phase,
    )


def seed_objects(api: str, name: str) -> tuple[Any, ...]:
    """The parsed values of the seed's object samples `name` (Akamai's Data and Errors
    sections: AmazonS3, Datadog, Error responses...), which no operation replays on its own."""
    found = tuple(s.body.value for s in _seed(api).objects if s.name == name and s.body.parsed)
    if not found:
        raise LookupError(f"{api}: no parsed object sample {name!r}")
    return found
