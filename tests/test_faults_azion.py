"""Every fault of the Azion reference server changes an answer a black-box client can see.

`PROBES` maps each fault to a short request sequence that returns a comparable observation;
the test runs it against a faultless server and against a server with only that fault, and the
observations must differ.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import yaml

from conformance.apis import AZION
from conformance.openapi_document import OpenApiDocument
from conformance.reference.azion.faults import FAULTS
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server

EDIT = "dsconform-edit-token"
VIEW = "dsconform-view-token"
V3 = "application/json; version=3"
STREAMINGS = "/data_streaming/streamings"
TEMPLATES = "/data_streaming/templates"
DOCUMENT = OpenApiDocument.load(AZION.spec_path)


def _examples() -> dict[str, dict[str, Any]]:
    operation = DOCUMENT.operation("createStreaming")
    examples = operation.definition["requestBody"]["content"]["application/json"]["examples"]
    return {name: example["value"] for name, example in examples.items()}


EXAMPLES = _examples()


def example(example_name: str, /, **changes: Any) -> dict[str, Any]:
    """A deep copy of a createStreaming example of the spec, members changed or dropped (None)."""
    body = copy.deepcopy(EXAMPLES[example_name])
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def without_variable(name: str, variable: str) -> dict[str, Any]:
    body = example(name)
    del body["endpoint"][variable]
    return body


class Api:
    """One reference server seen through the seed's headers."""

    def __init__(self, client: httpx.Client, base: str) -> None:
        self.client = client
        self.base = base

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        token: str | None = EDIT,
        scheme: str = "Token",
        accept: str | None = V3,
        content_type: str | None = None,
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if token is not None:
            headers["Authorization"] = f"{scheme} {token}"
        if accept is not None:
            headers["Accept"] = accept
        if content_type is not None:
            headers["Content-Type"] = content_type
        return self.client.request(method, self.base + path, json=body, headers=headers)

    def create(self, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.call("POST", STREAMINGS, body=body, **kwargs)

    def created(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.create(body)
        assert response.status_code in (200, 201), response.text
        results: dict[str, Any] = response.json()["results"]
        return results

    def listed(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.call("GET", STREAMINGS).json()["results"]
        return items

    def status(self, method: str, path: str, **kwargs: Any) -> int:
        return self.call(method, path, **kwargs).status_code


def keys(response: httpx.Response) -> Any:
    """The sorted member names of a JSON object body (the type name otherwise)."""
    try:
        body = response.json()
    except ValueError:
        return ("not json", response.headers.get("content-type"))
    return sorted(body) if isinstance(body, dict) else type(body).__name__


def status_of_create(body: dict[str, Any]) -> Callable[[Api], object]:
    return lambda api: api.create(body).status_code


def _patch_named(api: Api) -> object:
    sid = api.created(example("kafka", active=False, data_source="waf"))["id"]
    results = api.call("PATCH", f"{STREAMINGS}/{sid}", body={"name": "Temp Name"}).json()
    streaming = results["results"]
    return streaming.get("active"), streaming.get("data_source"), streaming.get("domain_ids")


def _get_second(api: Api) -> object:
    api.created(example("kafka", name="first"))
    second = api.created(example("kafka", name="second"))
    return api.call("GET", f"{STREAMINGS}/{second['id']}").json()["results"]["name"]


def _view_edit(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    status = api.status("PATCH", f"{STREAMINGS}/{sid}", body={"name": "x"}, token=VIEW)
    return status, api.call("GET", f"{STREAMINGS}/{sid}").json()["results"]["name"]


def _view_delete(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    status = api.status("DELETE", f"{STREAMINGS}/{sid}", token=VIEW)
    return status, api.status("GET", f"{STREAMINGS}/{sid}")


def _view_create(api: Api) -> object:
    return api.status("POST", STREAMINGS, body=example("kafka"), token=VIEW), len(api.listed())


def _patch_keys(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    return sorted(api.call("PATCH", f"{STREAMINGS}/{sid}", body={"name": "x"}).json()["results"])


def _put(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    response = api.call("PUT", f"{STREAMINGS}/{sid}", body=example("kafka", name="replaced"))
    return response.status_code, response.content[:1]


def _put_partial(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    return api.status("PUT", f"{STREAMINGS}/{sid}", body={"name": "only"})


def _edit_persisted(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    api.call("PATCH", f"{STREAMINGS}/{sid}", body={"name": "renamed"})
    return api.call("GET", f"{STREAMINGS}/{sid}").json()["results"]["name"]


def _empty_patch(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    return api.status("PATCH", f"{STREAMINGS}/{sid}", body={})


def _delete(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    response = api.call("DELETE", f"{STREAMINGS}/{sid}")
    return response.status_code, response.content


def _deleted_get(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    api.call("DELETE", f"{STREAMINGS}/{sid}")
    return api.status("GET", f"{STREAMINGS}/{sid}")


def _deleted_list(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    api.call("DELETE", f"{STREAMINGS}/{sid}")
    return [s["id"] for s in api.listed()]


def _inactive_listed(api: Api) -> object:
    sid = api.created(example("kafka", active=False))["id"]
    return sid in [s["id"] for s in api.listed()]


def _newest_listed(api: Api) -> object:
    api.created(example("kafka"))
    sid = api.created(example("kafka"))["id"]
    return sid in [s["id"] for s in api.listed()]


def _list_item_keys(api: Api) -> object:
    api.created(example("kafka"))
    return sorted(api.listed()[0])


def _get_shape(api: Api) -> object:
    sid = api.created(example("kafka"))["id"]
    return type(api.call("GET", f"{STREAMINGS}/{sid}").json()["results"]).__name__


def _get_headers(api: Api) -> object:
    sid = api.created(example("standard_with_headers"))["id"]
    return api.call("GET", f"{STREAMINGS}/{sid}").json()["results"]["endpoint"].get("headers")


def _custom_listed(api: Api) -> object:
    api.created(example("custom_template"))
    return [t["id"] for t in api.call("GET", TEMPLATES).json()["results"]]


def _throttled(api: Api) -> object:
    first = api.status("GET", STREAMINGS)
    second = api.call("GET", STREAMINGS)
    return first, second.status_code, keys(second)


def _create_member(name: str, member: str) -> Callable[[Api], object]:
    return lambda api: api.created(example(name)).get(member)


def _create_endpoint_member(name: str, member: str) -> Callable[[Api], object]:
    return lambda api: api.created(example(name))["endpoint"].get(member)


SIX_HEADERS = example("standard_with_headers")
SIX_HEADERS["endpoint"]["headers"]["header-name-6"] = "header-api-value-6"
KAFKA_WITH_HEADERS = example("kafka")
KAFKA_WITH_HEADERS["endpoint"]["headers"] = {"header-name-1": "header-api-value-1"}
SPLUNK = example("elasticsearch_from_table")
SPLUNK["endpoint"]["endpoint_type"] = "syslog"  # splunk is a real type (ERRATUM-AZION-019)

PROBES: dict[str, Callable[[Api], object]] = {
    # AUTH
    "no-auth-required": lambda api: api.status("GET", STREAMINGS, token=None),
    "unknown-token-accepted": lambda api: api.status("GET", STREAMINGS, token="not-a-token"),
    "auth-scheme-case-sensitive": lambda api: api.status("GET", STREAMINGS, scheme="token"),
    "view-token-cannot-read": lambda api: api.status("GET", TEMPLATES, token=VIEW),
    "view-token-can-create": _view_create,
    "view-token-can-edit": _view_edit,
    "view-token-can-delete": _view_delete,
    # ACCEPT
    "json-served-as-text": lambda api: api.call("GET", TEMPLATES).headers["content-type"],
    "accept-version-ignored": lambda api: api.status(
        "GET", STREAMINGS, accept="application/json; version=4"
    ),
    "accept-needs-space": lambda api: api.status(
        "GET", STREAMINGS, accept="application/json;version=3"
    ),
    "content-type-json-refused": lambda api: api.status(
        "POST", STREAMINGS, body=example("kafka"), content_type="application/json"
    ),
    # ENVELOPE
    "no-envelope": lambda api: keys(api.call("GET", TEMPLATES)),
    "results-missing": lambda api: keys(api.call("GET", TEMPLATES)),
    "schema-version-2": lambda api: api.call("GET", TEMPLATES).json().get("schema_version"),
    "get-results-as-array": _get_shape,
    # LIST
    "list-returns-summaries": _list_item_keys,
    "list-hides-inactive": _inactive_listed,
    "list-omits-newest": _newest_listed,
    # CREATE
    "create-status-200": status_of_create(example("kafka")),
    "create-id-string": lambda api: type(api.created(example("kafka"))["id"]).__name__,
    "create-drops-domain-ids": _create_member("kafka", "domain_ids"),
    "name-not-required": status_of_create(example("kafka", name=None)),
    "domain-ids-not-required": status_of_create(example("kafka", domain_ids=None)),
    "endpoint-not-required": status_of_create(example("kafka", endpoint=None)),
    "active-defaults-false": _create_member("kafka", "active"),
    # TEMPLATE
    "template-id-not-echoed": _create_member("kafka", "template_id"),
    "template-model-rejected": status_of_create(example("custom_template")),
    "both-templates-accepted": status_of_create(example("kafka", template_model="{}")),
    "template-model-type-not-checked": status_of_create(
        example("custom_template", template_model=5)
    ),
    "template-list-missing-model": lambda api: [
        "template_model" in t for t in api.call("GET", TEMPLATES).json()["results"]
    ],
    "custom-templates-listed": _custom_listed,
    "get-template-wrong-id": lambda api: api.call("GET", f"{TEMPLATES}/2").json()["results"]["id"],
    "unknown-template-500": lambda api: api.status("GET", f"{TEMPLATES}/15"),
    # GET
    "get-returns-first-streaming": _get_second,
    "unknown-id-500": lambda api: api.status("GET", f"{STREAMINGS}/987654"),
    "non-integer-id-500": lambda api: api.status("GET", f"{STREAMINGS}/abc"),
    "get-omits-headers": _get_headers,
    # EDIT
    "patch-returns-only-changes": _patch_keys,
    "patch-acts-as-put": _patch_named,
    "put-status-204": _put,
    "put-acts-as-patch": _put_partial,
    "edit-not-persisted": _edit_persisted,
    "put-unknown-id-upserts": lambda api: api.status(
        "PUT", f"{STREAMINGS}/4242", body=example("kafka")
    ),
    "empty-patch-accepted": _empty_patch,
    # DELETE
    "delete-status-200-body": _delete,
    "deleted-still-readable": _deleted_get,
    "deleted-still-listed": _deleted_list,
    "delete-unknown-id-204": lambda api: api.status("DELETE", f"{STREAMINGS}/4242"),
    # ENDPOINT
    "endpoint-variables-not-checked": status_of_create(without_variable("kafka", "kafka_topic")),
    "standard-payload-format-optional": status_of_create(
        without_variable("standard_with_headers", "payload_format")
    ),
    "kafka-bootstrap-servers-optional": status_of_create(
        without_variable("kafka", "bootstrap_servers")
    ),
    "s3-secret-key-optional": status_of_create(without_variable("s3_from_table", "secret_key")),
    "big-query-service-account-key-optional": status_of_create(
        without_variable("big_query_from_table", "service_account_key")
    ),
    "elasticsearch-api-key-optional": status_of_create(
        without_variable("elasticsearch_from_table", "api_key")
    ),
    "firehose-stream-name-optional": status_of_create(
        without_variable("aws_kinesis_firehose_from_table", "stream_name")
    ),
    "datadog-api-key-optional": status_of_create(without_variable("datadog_from_table", "api_key")),
    "qradar-url-optional": status_of_create(without_variable("qradar_from_table", "url")),
    "unknown-endpoint-type-accepted": status_of_create(SPLUNK),
    "secrets-echoed": lambda api: sorted(api.created(example("s3_from_table"))["endpoint"]),
    # HEADERS
    "headers-dropped": _create_endpoint_member("standard_with_headers", "headers"),
    "more-than-5-headers-accepted": status_of_create(SIX_HEADERS),
    "headers-on-non-standard-accepted": status_of_create(KAFKA_WITH_HEADERS),
    "log-line-separator-escaped": _create_endpoint_member(
        "standard_with_headers", "log_line_separator"
    ),
    # DATASOURCE
    "invalid-data-source-accepted": status_of_create(example("kafka", data_source="ftp")),
    "data-source-not-defaulted": _create_member("kafka", "data_source"),
    # ERROR
    "bad-request-as-detail": lambda api: keys(api.create({"active": True})),
    "not-found-as-field-map": lambda api: keys(api.call("GET", f"{STREAMINGS}/987654")),
    "unauthorized-without-detail": lambda api: keys(api.call("GET", STREAMINGS, token=None)),
    "not-acceptable-as-field-map": lambda api: keys(
        api.call("GET", STREAMINGS, accept="application/json; version=4")
    ),
    "throttled-without-detail": _throttled,
    "never-throttles": _throttled,
    "not-found-as-html": lambda api: api.call("GET", "/nope").headers["content-type"],
    "active-wrong-type-500": status_of_create(example("kafka", active="yes")),
}

# Probes that need a server configured differently from the default.
PROBE_CONFIG: dict[str, dict[str, Any]] = {
    "throttled-without-detail": {"rate_limit": 1, "rate_window": 60.0},
    "never-throttles": {"rate_limit": 1, "rate_window": 60.0},
}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as shared:
        yield shared


@pytest.fixture(scope="module")
def closer() -> Iterator[ThreadPoolExecutor]:
    """Stops servers in the background: uvicorn takes ~0.15 s to shut down."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        yield pool


def observe(
    client: httpx.Client,
    closer: ThreadPoolExecutor,
    probe: Callable[[Api], object],
    config: ReferenceConfig,
) -> object:
    """Run `probe` against a fresh server of `config` on 127.0.0.1."""
    manager = reference_server("azion", config)
    base = manager.__enter__()
    try:
        return probe(Api(client, base))
    finally:
        closer.submit(manager.__exit__, None, None, None)


@pytest.mark.parametrize("fault", [fault.name for fault in FAULTS])
def test_fault_changes_an_observable_answer(
    fault: str, client: httpx.Client, closer: ThreadPoolExecutor
) -> None:
    probe = PROBES[fault]
    extra = PROBE_CONFIG.get(fault, {})
    baseline = observe(client, closer, probe, ReferenceConfig(**extra))
    broken = observe(client, closer, probe, ReferenceConfig(faults=frozenset({fault}), **extra))
    assert baseline != broken, f"{fault}: both servers answered {baseline!r}"


def _catalogue() -> dict[str, dict[str, Any]]:
    raw = yaml.safe_load(AZION.catalogue_path.read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in raw["requirements"]}


def test_every_fault_has_a_probe_and_cites_an_observable_requirement() -> None:
    catalogue = _catalogue()
    assert set(PROBES) == {fault.name for fault in FAULTS}
    assert set(PROBE_CONFIG) <= set(PROBES)
    for fault in FAULTS:
        assert fault.requirement_id in catalogue, fault
        assert catalogue[fault.requirement_id]["observable"] is True, fault
        assert fault.description


def test_every_observable_requirement_has_a_fault() -> None:
    observable = {rid for rid, entry in _catalogue().items() if entry["observable"]}
    cited = {fault.requirement_id for fault in FAULTS}
    assert observable - cited == set()
