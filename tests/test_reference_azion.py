"""The Azion reference server, driven over HTTP on 127.0.0.1 through the seed's workflows."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.apis import AZION
from conformance.openapi_document import OpenApiDocument
from conformance.reference import build_app, known_faults, vacuity_faults
from conformance.reference.config import ReferenceConfig
from conformance.reference.faults import UnknownFaultError
from conformance.reference.launcher import reference_server

EDIT = "dsconform-edit-token"
VIEW = "dsconform-view-token"
V3 = "application/json; version=3"
STREAMINGS = "/data_streaming/streamings"
TEMPLATES = "/data_streaming/templates"
DOCUMENT = OpenApiDocument.load(AZION.spec_path)
SECRETS = tuple(DOCUMENT.raw["x-secret-fields"])
ROOT = Path(__file__).resolve().parents[1]


def request_example(operation_id: str, name: str) -> dict[str, Any]:
    """A request example of the spec (the seed's samples, repaired)."""
    operation = DOCUMENT.operation(operation_id)
    examples = operation.definition["requestBody"]["content"]["application/json"]["examples"]
    value: dict[str, Any] = copy.deepcopy(examples[name]["value"])
    return value


def create_examples() -> dict[str, dict[str, Any]]:
    operation = DOCUMENT.operation("createStreaming")
    examples = operation.definition["requestBody"]["content"]["application/json"]["examples"]
    return {name: copy.deepcopy(example["value"]) for name, example in examples.items()}


def without_secrets(endpoint: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in endpoint.items() if k not in SECRETS}


class Api:
    """A tiny client of one reference server: the seed's headers by default."""

    def __init__(self, client: httpx.Client, base: str) -> None:
        self.client = client
        self.base = base

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = EDIT,
        scheme: str = "Token",
        accept: str | None = V3,
        body: Any = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        sent: dict[str, str] = {}
        if token is not None:
            sent["Authorization"] = f"{scheme} {token}"
        if accept is not None:
            sent["Accept"] = accept
        sent.update(headers or {})
        if body is not None:
            return self.client.request(method, self.base + path, json=body, headers=sent)
        return self.client.request(method, self.base + path, headers=sent, content=content)

    def create(self, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.call("POST", STREAMINGS, body=body, **kwargs)

    def created(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.create(body)
        assert response.status_code == 201, response.text
        results: dict[str, Any] = response.json()["results"]
        return results


def conforms(operation_id: str, response: httpx.Response) -> None:
    """The response body validates against the spec's schema for its status."""
    operation = DOCUMENT.operation(operation_id)
    pointer = DOCUMENT.response_schema_pointer(operation, response.status_code)
    assert pointer is not None, f"{operation_id} documents no body for {response.status_code}"
    errors = list(DOCUMENT.validator(pointer).iter_errors(response.json()))
    assert not errors, [e.message for e in errors]


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as shared:
        yield shared


@pytest.fixture(scope="module")
def api(client: httpx.Client) -> Iterator[Api]:
    with reference_server("azion", ReferenceConfig()) as base:
        yield Api(client, base)


@pytest.fixture
def fresh(client: httpx.Client) -> Iterator[Api]:
    with reference_server("azion", ReferenceConfig()) as base:
        yield Api(client, base)


KAFKA = request_example("createStreaming", "kafka")


# ------------------------------------------------------------------ the seed's workflows


def test_list_starts_empty_in_the_envelope(fresh: Api) -> None:
    response = fresh.call("GET", STREAMINGS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"results": [], "schema_version": 3}


@pytest.mark.parametrize("name", sorted(create_examples()))
def test_every_create_example_is_created_and_echoed(api: Api, name: str) -> None:
    body = create_examples()[name]
    response = api.create(body)
    assert response.status_code == 201, response.text
    conforms("createStreaming", response)
    envelope = response.json()
    assert envelope["schema_version"] == 3
    results = envelope["results"]
    assert isinstance(results["id"], int)
    assert results["name"] == body["name"]
    assert results["domain_ids"] == body["domain_ids"]
    assert results["data_source"] == body.get("data_source", "http")
    assert results["active"] is True
    assert results["endpoint"] == without_secrets(body["endpoint"])
    if "template_id" in body:
        assert results["template_id"] == body["template_id"]
    else:
        assert results["template_model"] == body["template_model"]
        assert "template_id" not in results


def test_create_answers_the_seed_sample(api: Api) -> None:
    results = api.created(KAFKA)
    expected = {
        "name": "Kafka Connector",
        "template_id": 2,
        "data_source": "http",
        "active": True,
        "domain_ids": [1616535973],
        "endpoint": KAFKA["endpoint"],
    }
    assert {k: v for k, v in results.items() if k != "id"} == expected


def test_create_list_get_patch_put_delete(fresh: Api) -> None:
    created = fresh.created(KAFKA)
    sid = created["id"]
    listed = fresh.call("GET", STREAMINGS)
    conforms("listStreamings", listed)
    assert listed.json()["results"] == [created]
    got = fresh.call("GET", f"{STREAMINGS}/{sid}")
    conforms("getStreaming", got)
    assert got.json() == {"results": created, "schema_version": 3}

    patched = fresh.call(
        "PATCH", f"{STREAMINGS}/{sid}", body={"name": "Temp Name", "active": False}
    )
    assert patched.status_code == 200
    conforms("updateStreaming", patched)
    assert patched.json()["results"] == {**created, "name": "Temp Name", "active": False}
    assert fresh.call("GET", f"{STREAMINGS}/{sid}").json()["results"] == patched.json()["results"]
    # Inactive streamings are still listed.
    assert fresh.call("GET", STREAMINGS).json()["results"] == [patched.json()["results"]]

    full = request_example("replaceStreaming", "full")
    replaced = fresh.call("PUT", f"{STREAMINGS}/{sid}", body=full)
    assert replaced.status_code == 200
    conforms("replaceStreaming", replaced)
    assert replaced.json()["results"] == {"id": sid, **full}
    assert fresh.call("GET", f"{STREAMINGS}/{sid}").json()["results"] == {"id": sid, **full}

    deleted = fresh.call("DELETE", f"{STREAMINGS}/{sid}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = fresh.call("GET", f"{STREAMINGS}/{sid}")
    assert gone.status_code == 404
    assert gone.json() == {"detail": "Not found."}
    assert fresh.call("GET", STREAMINGS).json()["results"] == []
    again = fresh.call("DELETE", f"{STREAMINGS}/{sid}")
    assert again.status_code == 404
    assert again.json() == {"detail": "Not found."}
    # Ids are never reused.
    assert fresh.created(KAFKA)["id"] != sid


def test_patch_changes_only_named_members(api: Api) -> None:
    body = {**KAFKA, "data_source": "waf", "active": False}
    created = api.created(body)
    patched = api.call("PATCH", f"{STREAMINGS}/{created['id']}", body={"name": "Renamed"})
    assert patched.json()["results"] == {**created, "name": "Renamed"}


def test_patch_replaces_the_endpoint_whole_and_checks_it(api: Api) -> None:
    created = api.created(request_example("createStreaming", "standard_with_headers"))
    path = f"{STREAMINGS}/{created['id']}"
    bad = api.call("PATCH", path, body={"endpoint": {"endpoint_type": "kafka", "kafka_topic": "t"}})
    assert bad.status_code == 400
    assert bad.json() == {"endpoint": ["bootstrap_servers: This field is required."]}
    kafka = {"endpoint_type": "kafka", "kafka_topic": "t", "bootstrap_servers": "k:9092"}
    good = api.call("PATCH", path, body={"endpoint": kafka})
    assert good.status_code == 200
    assert good.json()["results"]["endpoint"] == kafka


def test_patch_switches_between_global_and_custom_template(api: Api) -> None:
    created = api.created(KAFKA)
    path = f"{STREAMINGS}/{created['id']}"
    custom = api.call("PATCH", path, body={"template_model": '{"a": "$b"}'})
    assert custom.status_code == 200
    assert "template_id" not in custom.json()["results"]
    assert custom.json()["results"]["template_model"] == '{"a": "$b"}'
    back = api.call("PATCH", path, body={"template_id": 3})
    assert back.json()["results"]["template_id"] == 3
    assert "template_model" not in back.json()["results"]


def test_put_is_a_full_replacement(api: Api) -> None:
    created = api.created({**KAFKA, "data_source": "waf", "active": False})
    path = f"{STREAMINGS}/{created['id']}"
    partial = api.call("PUT", path, body={"name": "only a name"})
    assert partial.status_code == 400
    assert partial.json()["domain_ids"] == ["This field is required."]
    assert partial.json()["endpoint"] == ["This field is required."]
    assert api.call("GET", path).json()["results"] == created
    # Optional members left out take their defaults.
    replaced = api.call("PUT", path, body=KAFKA)
    assert replaced.json()["results"]["data_source"] == "http"
    assert replaced.json()["results"]["active"] is True


def test_edits_of_unknown_ids_are_404(api: Api) -> None:
    for method, body in (("PUT", KAFKA), ("PATCH", {"name": "x"}), ("DELETE", None)):
        response = api.call(method, f"{STREAMINGS}/987654", body=body)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_empty_patch_is_400(api: Api) -> None:
    created = api.created(KAFKA)
    response = api.call("PATCH", f"{STREAMINGS}/{created['id']}", body={})
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


# ------------------------------------------------------------------ templates


def test_templates_are_the_seeded_global_ones(api: Api) -> None:
    listed = api.call("GET", TEMPLATES)
    assert listed.status_code == 200
    conforms("listTemplates", listed)
    results = listed.json()["results"]
    assert [(t["id"], t["name"]) for t in results] == [
        (2, "Edge Applications EC"),
        (3, "Test Applications EC"),
        (86, "Edge Functions Event Collector"),
        # the global templates Azion's own software names (ERRATUM-AZION-022)
        (4, "WAF Event Collector"),
        (184, "Edge Applications + WAF Event Collector"),
        (251, "Activity History Collector"),
    ]
    assert results[0]["template_model"].startswith('{ "version": "$version"')
    for template in results:
        one = api.call("GET", f"{TEMPLATES}/{template['id']}")
        conforms("getTemplate", one)
        assert one.json() == {"results": template, "schema_version": 3}


def test_unknown_template_is_404(api: Api) -> None:
    response = api.call("GET", f"{TEMPLATES}/15")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_custom_templates_are_not_listed(api: Api) -> None:
    before = api.call("GET", TEMPLATES).json()["results"]
    api.created(request_example("createStreaming", "custom_template"))
    assert api.call("GET", TEMPLATES).json()["results"] == before


def test_template_id_must_exist(api: Api) -> None:
    response = api.create({**KAFKA, "template_id": 99})
    assert response.status_code == 400
    assert list(response.json()) == ["template_id"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"template_model": "x"}, "template_model"),  # both
        ({"template_id": None}, "template_id"),  # neither (None drops the key below)
        ({"template_id": None, "template_model": 5}, "template_model"),  # not a string
    ],
)
def test_template_rules(api: Api, change: dict[str, Any], key: str) -> None:
    body = {**KAFKA, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = api.create(body)
    assert response.status_code == 400
    assert key in response.json()


# ------------------------------------------------------------------ endpoints and headers


def _required_variables() -> list[tuple[str, str]]:
    found = []
    for name, body in create_examples().items():
        for variable in body["endpoint"]:
            if variable not in ("endpoint_type", "headers") and name != "custom_template":
                found.append((name, variable))
    return found


@pytest.mark.parametrize(("example", "variable"), _required_variables())
def test_each_endpoint_variable_is_required(api: Api, example: str, variable: str) -> None:
    body = create_examples()[example]
    del body["endpoint"][variable]
    response = api.create(body)
    assert response.status_code == 400
    assert response.json() == {"endpoint": [f"{variable}: This field is required."]}


def test_unknown_or_missing_endpoint_type_is_400(api: Api) -> None:
    splunk = request_example("createStreaming", "elasticsearch_from_table")
    splunk["endpoint"]["endpoint_type"] = "syslog"  # splunk is a real type (ERRATUM-AZION-019)
    assert api.create(splunk).status_code == 400
    del splunk["endpoint"]["endpoint_type"]
    response = api.create(splunk)
    assert response.status_code == 400
    assert response.json() == {"endpoint": ["endpoint_type: This field is required."]}


def test_up_to_five_headers_on_standard_only(api: Api) -> None:
    body = request_example("createStreaming", "standard_with_headers")
    results = api.created(body)
    assert results["endpoint"]["headers"] == body["endpoint"]["headers"]
    assert results["endpoint"]["log_line_separator"] == "\n"
    assert results["endpoint"]["payload_format"] == "$dataset"
    six = copy.deepcopy(body)
    six["endpoint"]["headers"]["header-name-6"] = "v"
    assert api.create(six).json() == {"endpoint": ["headers: At most 5 headers are allowed."]}
    not_string = copy.deepcopy(body)
    not_string["endpoint"]["headers"]["header-name-1"] = 1
    assert api.create(not_string).status_code == 400
    on_kafka = copy.deepcopy(KAFKA)
    on_kafka["endpoint"]["headers"] = {"a": "b"}
    response = api.create(on_kafka)
    assert response.status_code == 400
    assert list(response.json()) == ["endpoint"]


@pytest.mark.parametrize("operation", ["create", "get", "list", "put", "patch"])
def test_secrets_are_never_echoed(api: Api, operation: str) -> None:
    body = request_example("createStreaming", "s3_from_table")
    created = api.create(body)
    sid = created.json()["results"]["id"]
    path = f"{STREAMINGS}/{sid}"
    response = {
        "create": lambda: created,
        "get": lambda: api.call("GET", path),
        "list": lambda: api.call("GET", STREAMINGS),
        "put": lambda: api.call("PUT", path, body=body),
        "patch": lambda: api.call("PATCH", path, body={"endpoint": body["endpoint"]}),
    }[operation]()
    assert response.status_code in (200, 201)
    for secret in ("MYACCESSKEY", "MYSECRETKEY"):
        assert secret not in response.text


def test_unknown_members_are_ignored(api: Api) -> None:
    body = copy.deepcopy(KAFKA)
    body["colour"] = "blue"
    body["endpoint"]["extra"] = 1
    results = api.created(body)
    assert "colour" not in results
    assert "extra" not in results["endpoint"]


# ------------------------------------------------------------------ data source and defaults


@pytest.mark.parametrize("source", ["http", "waf", "cells_console"])
def test_data_sources_are_echoed(api: Api, source: str) -> None:
    assert api.created({**KAFKA, "data_source": source})["data_source"] == source


def test_invalid_data_source_is_400(api: Api) -> None:
    response = api.create({**KAFKA, "data_source": "ftp"})
    assert response.status_code == 400
    assert list(response.json()) == ["data_source"]


def test_defaults(api: Api) -> None:
    results = api.created(KAFKA)
    assert results["data_source"] == "http"
    assert results["active"] is True
    assert api.created({**KAFKA, "active": False})["active"] is False


@pytest.mark.parametrize(
    ("drop", "change"),
    [
        ("name", {}),
        ("domain_ids", {}),
        ("endpoint", {}),
        (None, {"name": 5}),
        (None, {"domain_ids": ["a"]}),
        (None, {"domain_ids": 7}),
    ],
)
def test_create_field_rules(api: Api, drop: str | None, change: dict[str, Any]) -> None:
    body = {**KAFKA, **change}
    if drop:
        del body[drop]
    response = api.create(body)
    assert response.status_code == 400
    conforms("createStreaming", response)
    key = drop or next(iter(change))
    assert key in response.json()
    if drop:
        assert response.json()[key] == ["This field is required."]


# ------------------------------------------------------------------ auth


def test_auth_is_required_everywhere(api: Api) -> None:
    sid = api.created(KAFKA)["id"]
    cases = [
        ("GET", STREAMINGS, None),
        ("POST", STREAMINGS, KAFKA),
        ("GET", f"{STREAMINGS}/{sid}", None),
        ("PUT", f"{STREAMINGS}/{sid}", KAFKA),
        ("PATCH", f"{STREAMINGS}/{sid}", {"name": "x"}),
        ("DELETE", f"{STREAMINGS}/{sid}", None),
        ("GET", TEMPLATES, None),
        ("GET", f"{TEMPLATES}/2", None),
    ]
    for method, path, body in cases:
        for token in (None, "not-a-token"):
            response = api.call(method, path, token=token, body=body)
            assert response.status_code == 401, (method, path, token)
            assert isinstance(response.json()["detail"], str)
        other_scheme = api.call(method, path, scheme="Bearer", body=body)
        assert other_scheme.status_code == 401
    assert api.call("GET", f"{STREAMINGS}/{sid}").status_code == 200


def test_scheme_word_is_case_insensitive(api: Api) -> None:
    for scheme in ("Token", "token", "TOKEN"):
        assert api.call("GET", STREAMINGS, scheme=scheme).status_code == 200


def test_view_token_reads_but_cannot_write(api: Api) -> None:
    sid = api.created(KAFKA)["id"]
    path = f"{STREAMINGS}/{sid}"
    for read in (STREAMINGS, path, TEMPLATES, f"{TEMPLATES}/86"):
        assert api.call("GET", read, token=VIEW).status_code == 200
    count = len(api.call("GET", STREAMINGS).json()["results"])
    writes = [
        ("POST", STREAMINGS, KAFKA),
        ("PUT", path, {**KAFKA, "name": "changed"}),
        ("PATCH", path, {"name": "changed"}),
        ("DELETE", path, None),
    ]
    for method, target, body in writes:
        response = api.call(method, target, token=VIEW, body=body)
        assert response.status_code == 403, method
        assert isinstance(response.json()["detail"], str)
    assert len(api.call("GET", STREAMINGS).json()["results"]) == count
    assert api.call("GET", path).json()["results"]["name"] == "Kafka Connector"


# ------------------------------------------------------------------ accept and content type


@pytest.mark.parametrize(
    "accept",
    [
        "application/json; version=3",
        "application/json;version=3",
        "Application/JSON; Version=3",
        "application/json",
        "*/*",
        "text/html, application/json; version=3",
        None,
    ],
)
def test_served_accept_values(api: Api, accept: str | None) -> None:
    response = api.call("GET", STREAMINGS, accept=accept)
    assert response.status_code == 200
    assert response.json()["schema_version"] == 3


@pytest.mark.parametrize(
    "accept", ["application/json; version=4", "application/json;version=99", "text/html"]
)
def test_other_accept_values_are_406(api: Api, accept: str) -> None:
    for method, path in (("GET", STREAMINGS), ("GET", TEMPLATES), ("DELETE", f"{STREAMINGS}/1")):
        response = api.call(method, path, accept=accept)
        assert response.status_code == 406
        assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_no_body_at_all_is_a_400_map(api: Api, method: str) -> None:
    sid = api.created(KAFKA)["id"]
    path = STREAMINGS if method == "POST" else f"{STREAMINGS}/{sid}"
    response = api.call(method, path)
    assert response.status_code == 400
    assert response.json()
    assert all(isinstance(v, list) for v in response.json().values())


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/xml"])
def test_body_needs_json_content_type(api: Api, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.call("POST", STREAMINGS, content=b'{"name": "x"}', headers=headers)
    assert response.status_code == 415
    assert response.json()["detail"].startswith("Unsupported media type")


def test_json_with_charset_is_accepted(api: Api) -> None:
    import json

    response = api.call(
        "POST",
        STREAMINGS,
        content=json.dumps(KAFKA).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize("content", [b"{bad", b"", b"[1, 2]", b'"text"', b"NaN", b"\xff"])
def test_malformed_bodies_are_400_maps(api: Api, content: bytes) -> None:
    response = api.call(
        "POST", STREAMINGS, content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["non_field_errors"]
    assert all(isinstance(m, str) for m in body["non_field_errors"])


def test_oversized_body_is_refused_without_reading_it(client: httpx.Client) -> None:
    with reference_server("azion", ReferenceConfig(max_body_bytes=100)) as base:
        api = Api(client, base)
        big = {**KAFKA, "name": "x" * 200}
        response = api.create(big)
        assert response.status_code == 400
        assert "non_field_errors" in response.json()

        # A chunked body (no Content-Length) is cut off once over the cap.
        def chunks() -> Iterator[bytes]:
            yield b'{"name": "'
            for _ in range(50):
                yield b"x" * 10

        streamed = client.post(
            base + STREAMINGS,
            content=chunks(),
            headers={"Authorization": f"Token {EDIT}", "Content-Type": "application/json"},
        )
        assert streamed.status_code == 400


# ------------------------------------------------------------------ routing errors


def test_unknown_paths_and_ids(api: Api) -> None:
    for path in ("/nope", "/data_streaming", f"{STREAMINGS}/", f"{STREAMINGS}/1/extra"):
        response = api.call("GET", path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    for bad_id in ("abc", "1.5", "-1", "0x10"):
        for base in (STREAMINGS, TEMPLATES):
            response = api.call("GET", f"{base}/{bad_id}")
            assert response.status_code == 404, (base, bad_id)
            assert response.json() == {"detail": "Not found."}
    assert api.call("GET", f"{STREAMINGS}/0").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", STREAMINGS, "GET, HEAD, POST"),
        ("DELETE", STREAMINGS, "GET, HEAD, POST"),
        ("POST", f"{STREAMINGS}/1", "GET, HEAD, PUT, PATCH, DELETE"),
        ("POST", TEMPLATES, "GET, HEAD"),
        ("DELETE", f"{TEMPLATES}/2", "GET, HEAD"),
        ("OPTIONS", TEMPLATES, "GET, HEAD"),
    ],
)
def test_wrong_method_is_405_with_allow(api: Api, method: str, path: str, allow: str) -> None:
    response = api.call(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["detail"] == f'Method "{method}" not allowed.'


def test_error_bodies_are_json(api: Api) -> None:
    responses = [
        api.call("GET", "/nope"),
        api.call("GET", STREAMINGS, token=None),
        api.call("POST", STREAMINGS, body={}),
        api.call("GET", STREAMINGS, accept="application/json; version=4"),
    ]
    for response in responses:
        assert response.headers["content-type"] == "application/json"


# ------------------------------------------------------------------ rate limit


def test_rate_limit_answers_429_per_token(client: httpx.Client) -> None:
    with reference_server("azion", ReferenceConfig(rate_limit=2, rate_window=60)) as base:
        api = Api(client, base)
        assert api.call("GET", STREAMINGS).status_code == 200
        assert api.call("GET", TEMPLATES).status_code == 200
        throttled = api.call("GET", STREAMINGS)
        assert throttled.status_code == 429
        assert throttled.headers["retry-after"] == "30"
        assert throttled.json() == {
            "detail": "Request was throttled. Expected available in 30 seconds."
        }
        # Another token has its own budget.
        assert api.call("GET", STREAMINGS, token=VIEW).status_code == 200


def test_rate_limit_refills(client: httpx.Client) -> None:
    with reference_server("azion", ReferenceConfig(rate_limit=1, rate_window=0.2)) as base:
        api = Api(client, base)
        assert api.call("GET", STREAMINGS).status_code == 200
        throttled = api.call("GET", STREAMINGS)
        assert throttled.status_code == 429
        assert throttled.headers["retry-after"] == "1"
        assert throttled.json()["detail"].endswith("in 1 second.")
        time.sleep(0.25)
        assert api.call("GET", STREAMINGS).status_code == 200


def test_no_rate_limit_by_default(api: Api) -> None:
    statuses = {api.call("GET", TEMPLATES).status_code for _ in range(60)}
    assert statuses == {200}


# ------------------------------------------------------------------ faults and the CLI


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(UnknownFaultError):
        build_app("azion", ReferenceConfig(faults=frozenset({"no-such-fault"})))


def test_fault_names_are_kebab_case_and_unique() -> None:
    names = [fault.name for fault in known_faults("azion")]
    assert len(names) == len(set(names))
    assert len(names) >= 25
    for name in names:
        assert name == name.lower()
        assert " " not in name
        assert "_" not in name


def _dsconform() -> list[str]:
    return [sys.executable, "-m", "conformance.cli"]


def test_cli_lists_the_faults() -> None:
    done = subprocess.run(
        [*_dsconform(), "serve", "--api", "azion", "--list-faults"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    expected = [*known_faults("azion"), *vacuity_faults("azion")]
    assert [line.split("\t")[0] for line in lines] == [f.name for f in expected]


def test_cli_serves_and_stops_on_sigint(client: httpx.Client) -> None:
    process = subprocess.Popen(
        [*_dsconform(), "serve", "--api", "azion", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("LISTENING http://127.0.0.1:"), line
        base = line.removeprefix("LISTENING ")
        response = client.get(
            base + TEMPLATES, headers={"Authorization": f"token {EDIT}", "Accept": V3}
        )
        assert response.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
