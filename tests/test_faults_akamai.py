"""Every fault of the Akamai reference server changes an answer a black-box client can see.

`PROBES` maps each fault to a short request sequence returning a comparable observation; the
test runs it against a faultless server and against a server with only that fault (same
configuration, `PROBE_CONFIG` where a probe needs one), and the observations must differ.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
import requests
import yaml
from akamai.edgegrid.edgegrid import EdgeGridAuthHeaders

from conformance.apis import AKAMAI
from conformance.reference.akamai.faults import FAULTS
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from tests.support.akamai_client import (
    CREDENTIALS,
    Api,
    connector,
    fast_config,
)

Probe = Callable[[Api], object]
UNKNOWN = 424242
CONFIG = {"delimiter": "SPACE", "frequency": {"timeInSec": 30}}


# ---------------------------------------------------------------------- probe building blocks
def status(method: str, path: str, **kwargs: Any) -> Probe:
    return lambda api: api.call(method, path, **kwargs).status_code


def header(name: str, method: str = "GET", path: str = "/groups") -> Probe:
    return lambda api: api.call(method, path).headers.get(name)


def content_type(path: str) -> Probe:
    return lambda api: api.call("GET", path).headers.get("content-type")


def body_of(method: str, path: str) -> Probe:
    return lambda api: api.call(method, path).json()


def create_status(**changes: Any) -> Probe:
    return lambda api: api.create(**changes).status_code


def with_stream(observe: Callable[[Api, int], object], **changes: Any) -> Probe:
    """Create a stream (changes to the seed sample), then observe it."""
    return lambda api: observe(api, api.created(**changes))


def edited(api: Api, **changes: Any) -> tuple[int, requests.Response]:
    """Create a stream from `changes`, edit it with the same body; (id, edit response)."""
    activate = changes.pop("edit_activate_now", None)
    body = api.body(**changes)
    sid = api.created(body)
    edit = api.edit_body(body, streamName="edited")
    if activate is not None:
        edit["activateNow"] = activate
    return sid, api.call("PUT", f"/streams/{sid}", json=edit)


def after_edit(observe: Callable[[Api, int, requests.Response], object], **changes: Any) -> Probe:
    def probe(api: Api) -> object:
        sid, response = edited(api, **changes)
        return observe(api, sid, response)

    return probe


def stream_member(member: str, **changes: Any) -> Probe:
    return with_stream(lambda api, sid: api.stream(sid).get(member), **changes)


def connector_of(kind: str, **changes: Any) -> Probe:
    """The saved connector of a stream created with the seed's `kind` connector sample."""
    return with_stream(
        lambda api, sid: api.stream(sid)["connectors"][0], connectors=[connector(kind, **changes)]
    )


def problem(observe: Callable[[Any], object], path: str = f"/streams/{UNKNOWN}") -> Probe:
    def probe(api: Api) -> object:
        response = api.call("GET", path)
        return observe(response.json())

    return probe


def invalid_create(observe: Callable[[Any], object]) -> Probe:
    """A 400 with two field problems: no streamName, timeInSec 45."""

    def probe(api: Api) -> object:
        body = api.body(streamName=None, config={**CONFIG, "frequency": {"timeInSec": 45}})
        return observe(api.create(body).json())

    return probe


def rate(observe: Callable[[list[requests.Response]], object], count: int) -> Probe:
    return lambda api: observe([api.call("GET", "/streamTypes") for _ in range(count)])


def is_iso8601(value: str | None) -> bool:
    if value is None:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def next_is_honest(api: Api) -> object:
    exhausted = api.call("GET", "/groups")
    moment = datetime.fromisoformat(exhausted.headers["X-RateLimit-Next"].replace("Z", "+00:00"))
    time.sleep(max(0.0, moment.timestamp() - time.time()) + 0.05)
    return api.call("GET", "/groups").status_code


def refills(api: Api) -> object:
    for _ in range(3):
        api.call("GET", "/groups")
    time.sleep(0.4)
    return int(api.call("GET", "/groups").headers["X-RateLimit-Remaining"]) >= 2


def raw_get(api: Api, path: str, authorization: str | None) -> int:
    headers = {"Authorization": authorization} if authorization else {}
    return requests.get(api.url(path), headers=headers, timeout=5).status_code


def signed_header(api: Api, *, secret: str, age: float = 0.0, path: str = "/groups") -> str:
    signer = EdgeGridAuthHeaders(CREDENTIALS.client_token, secret, CREDENTIALS.access_token)
    prepared = requests.Request("GET", api.url(path)).prepare()
    stamp = time.strftime("%Y%m%dT%H:%M:%S+0000", time.gmtime(time.time() - age))
    value: str = signer.make_auth_header(prepared, stamp, "nonce")
    return value


def two_streams_sharing(api: Api) -> object:
    shared = api.properties(1)
    api.created(propertyIds=shared)
    return api.create(propertyIds=shared).status_code


def edit_onto_taken_property(api: Api) -> object:
    taken = api.properties(1)
    api.created(propertyIds=taken)
    body = api.body()
    sid = api.created(body)
    return api.call(
        "PUT", f"/streams/{sid}", json=api.edit_body(body, propertyIds=taken)
    ).status_code


def reuse_after_delete(api: Api) -> object:
    shared = api.properties(1)
    sid = api.created(propertyIds=shared)
    api.call("DELETE", f"/streams/{sid}")
    return api.create(propertyIds=shared).status_code


def activation_history(api: Api, sid: int) -> list[tuple[int, Any]]:
    entries = api.json("GET", f"/streams/{sid}/activationHistory")
    return [(e["streamVersionId"], e["isActive"]) for e in entries]


def versions_in_history(api: Api, sid: int, response: requests.Response) -> object:
    return [v["streamVersionId"] for v in api.json("GET", f"/streams/{sid}/history")]


def dataset_orders(api: Api, sid: int) -> object:
    datasets = api.stream(sid)["datasets"]
    return sorted((f["datasetFieldId"], f["order"]) for g in datasets for f in g["datasetFields"])


def listed(observe: Callable[[dict[str, Any]], object], **changes: Any) -> Probe:
    return with_stream(lambda api, sid: observe(api.json("GET", "/streams")[0]), **changes)


def lookup(path: str, observe: Callable[[Any], object]) -> Probe:
    return lambda api: observe(api.json("GET", path))


def put(path: str) -> Callable[[Api, int], requests.Response]:
    return lambda api, sid: api.call("PUT", f"/streams/{sid}{path}")


def activate_then(
    observe: Callable[[Api, int, requests.Response], object], **changes: Any
) -> Probe:
    def probe(api: Api) -> object:
        sid = api.created(**changes)
        return observe(api, sid, api.call("PUT", f"/streams/{sid}/activate"))

    return probe


def deactivate_then(observe: Callable[[Api, int, requests.Response], object]) -> Probe:
    def probe(api: Api) -> object:
        sid = api.created(activateNow=True)
        return observe(api, sid, api.call("PUT", f"/streams/{sid}/deactivate"))

    return probe


def key_after_edit(action: str) -> Probe:
    def probe(api: Api) -> object:
        sid, _ = edited(api, activateNow=action == "deactivate")
        return api.json("PUT", f"/streams/{sid}/{action}")

    return probe


def reactivate(api: Api) -> object:
    sid = api.created(activateNow=True)
    api.call("PUT", f"/streams/{sid}/deactivate")
    return api.call("PUT", f"/streams/{sid}/activate").status_code


DATASET_IDS = [1100, 1000, 1012, 1002]
LONG = "p" * 201

PROBES: dict[str, Probe] = {
    # rate limiting (see PROBE_CONFIG for the budgets)
    "throttles-early": rate(lambda rs: [r.status_code for r in rs], 4),
    "never-throttles": rate(lambda rs: rs[-1].status_code, 3),
    "limit-header-missing": header("X-RateLimit-Limit"),
    "limit-header-missing-on-errors": header("X-RateLimit-Limit", path="/nowhere"),
    "remaining-header-missing": header("X-RateLimit-Remaining"),
    "remaining-header-missing-on-errors": header("X-RateLimit-Remaining", path="/nowhere"),
    "next-header-missing": lambda api: "X-RateLimit-Next" in api.call("GET", "/groups").headers,
    "limit-header-wrong": header("X-RateLimit-Limit"),
    "remaining-not-counting-down": rate(
        lambda rs: [r.headers["X-RateLimit-Remaining"] for r in rs], 2
    ),
    "remaining-never-refills": refills,
    "remaining-exceeds-limit": rate(
        lambda rs: (
            int(rs[0].headers["X-RateLimit-Remaining"]) <= int(rs[0].headers["X-RateLimit-Limit"])
        ),
        1,
    ),
    "next-not-iso8601": lambda api: is_iso8601(
        api.call("GET", "/groups").headers.get("X-RateLimit-Next")
    ),
    "next-too-early": next_is_honest,
    # status codes
    "unknown-stream-500": status("GET", f"/streams/{UNKNOWN}"),
    "non-integer-stream-id-500": status("GET", "/streams/abc"),
    "malformed-json-415": status(
        "POST", "/streams", data=b"{", headers={"Content-Type": "application/json"}
    ),
    "non-integer-version-ignored": with_stream(
        lambda api, sid: api.call("GET", f"/streams/{sid}?version=abc").status_code
    ),
    "non-integer-group-id-ignored": status("GET", "/streams?groupId=abc"),
    "stream-name-type-not-checked": create_status(streamName=123),
    "missing-auth-accepted": lambda api: raw_get(api, "/groups", None),
    "bad-signature-accepted": lambda api: raw_get(
        api, "/groups", signed_header(api, secret="wrong")
    ),
    "expired-timestamp-accepted": lambda api: raw_get(
        api, "/groups", signed_header(api, secret=CREDENTIALS.client_secret, age=86400)
    ),
    "unknown-group-properties-allowed": status(
        "GET", "/properties/product/Download_Delivery/group/12345"
    ),
    "unknown-group-streams-allowed": status("GET", "/streams?groupId=12345"),
    "get-unknown-stream-400": status("GET", f"/streams/{UNKNOWN}"),
    "delete-unknown-stream-200": status("DELETE", f"/streams/{UNKNOWN}"),
    "activate-unknown-stream-202": status("PUT", f"/streams/{UNKNOWN}/activate"),
    "history-unknown-stream-empty": status("GET", f"/streams/{UNKNOWN}/history"),
    "activation-history-unknown-stream-empty": status(
        "GET", f"/streams/{UNKNOWN}/activationHistory"
    ),
    "deleted-stream-still-readable": with_stream(
        lambda api, sid: (
            (api.call("DELETE", f"/streams/{sid}"), api.call("GET", f"/streams/{sid}"))[
                1
            ].status_code
        )
    ),
    "wrong-method-404": status("DELETE", "/connectors"),
    "activate-post-accepted": with_stream(
        lambda api, sid: api.call("POST", f"/streams/{sid}/activate").status_code
    ),
    "non-json-content-type-accepted": lambda api: (
        api.call(
            "POST", "/streams", data=_dumps(api.body()), headers={"Content-Type": "text/plain"}
        ).status_code
    ),
    "429-remaining-nonzero": rate(lambda rs: rs[-1].headers["X-RateLimit-Remaining"], 2),
    # problem details
    "problem-wrapped-in-array": problem(lambda b: type(b).__name__),
    "problem-as-application-json": lambda api: api.call("GET", f"/streams/{UNKNOWN}").headers[
        "content-type"
    ],
    "problem-without-type": problem(lambda b: "type" in b),
    "problem-without-title": problem(lambda b: "title" in b),
    "problem-without-instance": problem(lambda b: "instance" in b),
    "problem-status-always-400": problem(lambda b: b.get("status")),
    "problem-status-as-string": problem(lambda b: type(b.get("status")).__name__),
    "problem-status-code-member": problem(lambda b: sorted(b)),
    "problem-errors-missing-detail": invalid_create(lambda b: [sorted(e) for e in b["errors"]]),
    "problem-errors-not-array": invalid_create(lambda b: type(b["errors"]).__name__),
    "stream-error-bad-type": stream_member("errors"),
    # authentication and scope
    "put-body-hashed": after_edit(lambda api, sid, r: r.status_code),
    "host-port-ignored": status("GET", "/groups"),
    "products-list-foreign-group": lookup(
        "/products", lambda ps: sorted({g["groupId"] for p in ps for g in p["groups"]})
    ),
    # lookups
    "properties-as-text": content_type("/properties/product/Download_Delivery/group/21484"),
    "property-id-as-string": lookup(
        "/properties/product/Download_Delivery/group/21484",
        lambda ps: type(ps[0]["propertyId"]).__name__,
    ),
    "connector-types-as-text": content_type("/connectors"),
    "connector-type-name-missing": lookup("/connectors", lambda ts: sorted(ts[0])),
    "splunk-missing-from-connector-types": lookup(
        "/connectors", lambda ts: sorted(t["connectorType"] for t in ts)
    ),
    "dataset-fields-as-text": content_type("/datasets/template/EDGE_LOGS"),
    "dataset-field-id-as-string": lookup(
        "/datasets/template/EDGE_LOGS",
        lambda gs: type(gs[0]["datasetFields"][0]["datasetFieldId"]).__name__,
    ),
    "any-template-accepted": status("GET", "/datasets/template/FOO"),
    "dataset-field-1068-twice": lookup(
        "/datasets/template/EDGE_LOGS",
        lambda gs: [f["datasetFieldId"] for g in gs for f in g["datasetFields"]].count(1068),
    ),
    "dataset-fields-carry-order": lookup(
        "/datasets/template/EDGE_LOGS",
        lambda gs: any("order" in f for g in gs for f in g["datasetFields"]),
    ),
    "dataset-fields-sample-only": lookup(
        "/datasets/template/EDGE_LOGS",
        lambda gs: 2001 in [f["datasetFieldId"] for g in gs for f in g["datasetFields"]],
    ),
    "groups-answer-202": status("GET", "/groups"),
    "group-enabled-missing": lookup("/groups", lambda gs: all("enabled" in g for g in gs)),
    "products-as-text": content_type("/products"),
    "product-templates-missing": lookup("/products", lambda ps: [p.get("templates") for p in ps]),
    "product-group-contract-ids-missing": lookup(
        "/products", lambda ps: sorted(ps[0]["groups"][0])
    ),
    "product-template-raw-logs": lookup("/products", lambda ps: ps[0]["templates"]),
    "child-group-properties-forbidden": status(
        "GET", "/properties/product/Download_Delivery/group/21484"
    ),
    "stream-types-as-text": content_type("/streamTypes"),
    "stream-type-is-raw-missing": lookup("/streamTypes", lambda ts: sorted(ts[0])),
    "stream-types-list-extra": lookup("/streamTypes", lambda ts: [t["streamType"] for t in ts]),
    # listStreams
    "list-streams-as-text": content_type("/streams"),
    "list-properties-as-string": listed(lambda item: type(item["properties"]).__name__),
    "list-shows-first-version": after_edit(
        lambda api, sid, r: api.json("GET", "/streams")[0]["streamVersionId"]
    ),
    "current-version-id-off-by-one": listed(
        lambda item: item["currentVersionId"] == item["streamVersionId"]
    ),
    "list-omits-newest-stream": with_stream(
        lambda api, sid: [s["streamId"] for s in api.json("GET", "/streams")]
    ),
    "group-filter-ignored": with_stream(lambda api, sid: api.json("GET", "/streams?groupId=21483")),
    "stream-type-name-raw-logs": listed(lambda item: item["streamTypeName"]),
    # createStream
    "create-answers-201": create_status(),
    "create-key-unwrapped": lambda api: sorted(api.create().json()),
    "create-key-wrong-id": lambda api: (
        api.call(
            "GET", f"/streams/{api.create().json()['streamVersionKey']['streamId']}"
        ).status_code
    ),
    "create-drops-email-ids": stream_member("emailIds"),
    "create-stores-first-property-only": lambda api: len(
        api.stream(api.created(propertyIds=api.properties(2)))["properties"]
    ),
    "activate-now-ignored": stream_member("activationStatus", activateNow=True),
    "create-always-activates": stream_member("activationStatus", activateNow=False),
    "create-contract-id-optional": create_status(contractId=None),
    "email-ids-required": create_status(emailIds=None),
    "fourth-property-accepted": lambda api: api.create(propertyIds=api.properties(4)).status_code,
    "property-in-two-streams-accepted": two_streams_sharing,
    "edit-property-in-other-stream-accepted": edit_onto_taken_property,
    "deleted-stream-keeps-properties": reuse_after_delete,
    "unknown-property-accepted": create_status(propertyIds=[1]),
    # getStream
    "get-stream-as-text": with_stream(
        lambda api, sid: api.call("GET", f"/streams/{sid}").headers["content-type"]
    ),
    "get-stream-missing-product-name": stream_member("productName"),
    "get-returns-first-version": after_edit(lambda api, sid, r: api.stream(sid)["streamVersionId"]),
    "version-query-ignored": after_edit(
        lambda api, sid, r: api.stream(sid, version=1)["streamName"]
    ),
    "unknown-version-returns-latest": with_stream(
        lambda api, sid: api.call("GET", f"/streams/{sid}?version=99").status_code
    ),
    "dataset-order-by-id": with_stream(dataset_orders, datasetFieldIds=DATASET_IDS),
    "dataset-order-from-1": with_stream(dataset_orders, datasetFieldIds=DATASET_IDS),
    "datasets-drop-last-field": with_stream(dataset_orders, datasetFieldIds=DATASET_IDS),
    "stream-type-wrong-in-get": stream_member("streamType"),
    "template-name-raw-logs": stream_member("templateName"),
    # editStream, deleteStream
    "edit-answers-200": after_edit(lambda api, sid, r: r.status_code),
    "edit-key-old-version": after_edit(lambda api, sid, r: r.json()),
    "edit-not-persisted": after_edit(lambda api, sid, r: api.stream(sid)["streamName"]),
    "delete-answers-204": with_stream(
        lambda api, sid: api.call("DELETE", f"/streams/{sid}").status_code
    ),
    "delete-message-deleted": with_stream(
        lambda api, sid: api.call("DELETE", f"/streams/{sid}").content
    ),
    "deleted-stream-activatable": with_stream(
        lambda api, sid: (
            (api.call("DELETE", f"/streams/{sid}"), put("/activate")(api, sid))[1].status_code
        )
    ),
    # activation
    "activate-answers-200": activate_then(lambda api, sid, r: r.status_code),
    "activate-answers-message": activate_then(lambda api, sid, r: sorted(r.json())),
    "activate-key-first-version": key_after_edit("activate"),
    "activate-not-applied": activate_then(lambda api, sid, r: api.stream(sid)["activationStatus"]),
    "reactivation-refused": reactivate,
    "deactivate-answers-200": deactivate_then(lambda api, sid, r: r.status_code),
    "deactivate-answers-message": deactivate_then(lambda api, sid, r: sorted(r.json())),
    "deactivate-key-first-version": key_after_edit("deactivate"),
    "deactivate-not-applied": deactivate_then(
        lambda api, sid, r: api.stream(sid)["activationStatus"]
    ),
    "activation-history-as-text": with_stream(
        lambda api, sid: api.call("GET", f"/streams/{sid}/activationHistory").headers[
            "content-type"
        ]
    ),
    "activation-history-is-active-string": with_stream(activation_history, activateNow=True),
    "activation-not-recorded": activate_then(lambda api, sid, r: activation_history(api, sid)),
    "activate-now-not-recorded": with_stream(activation_history, activateNow=True),
    "deactivation-not-recorded": deactivate_then(lambda api, sid, r: activation_history(api, sid)),
    "activation-history-reset-on-edit": after_edit(
        lambda api, sid, r: activation_history(api, sid), activateNow=True
    ),
    # history and versions
    "history-as-text": with_stream(
        lambda api, sid: api.call("GET", f"/streams/{sid}/history").headers["content-type"]
    ),
    "history-entries-summaries": with_stream(
        lambda api, sid: sorted(api.json("GET", f"/streams/{sid}/history")[0])
    ),
    "history-missing-first-version": after_edit(versions_in_history),
    "history-duplicates-latest": after_edit(versions_in_history),
    "history-activation-status-frozen": activate_then(
        lambda api, sid, r: api.json("GET", f"/streams/{sid}/history")[0]["activationStatus"]
    ),
    "edit-does-not-bump-version": after_edit(
        lambda api, sid, r: r.json()["streamVersionKey"]["streamVersionId"]
    ),
    "versions-step-by-two": after_edit(
        lambda api, sid, r: r.json()["streamVersionKey"]["streamVersionId"]
    ),
    "edit-deactivates-active-stream": after_edit(
        lambda api, sid, r: api.stream(sid)["activationStatus"], activateNow=True
    ),
    "edit-activates-inactive-stream": after_edit(
        lambda api, sid, r: api.stream(sid)["activationStatus"]
    ),
    "edit-honours-activate-now": after_edit(
        lambda api, sid, r: api.stream(sid)["activationStatus"], edit_activate_now=True
    ),
    "old-versions-discarded": after_edit(
        lambda api, sid, r: api.call("GET", f"/streams/{sid}?version=1").status_code
    ),
    "activation-status-active": stream_member("activationStatus", activateNow=True),
    "dates-iso8601": with_stream(
        lambda api, sid: bool(re.match(r"\d\d-\d\d-\d{4} ", api.stream(sid)["createdDate"]))
    ),
    # stream configuration
    "frequency-not-checked": create_status(config={**CONFIG, "frequency": {"timeInSec": 45}}),
    "delimiter-not-checked": create_status(config={**CONFIG, "delimiter": "COMMA"}),
    "prefix-length-not-checked": create_status(config={**CONFIG, "uploadFilePrefix": LONG}),
    "prefix-dot-accepted": create_status(config={**CONFIG, "uploadFilePrefix": "logs.v1"}),
    "prefix-default-wrong": with_stream(
        lambda api, sid: api.stream(sid)["config"]["uploadFilePrefix"], config=CONFIG
    ),
    "suffix-length-not-checked": create_status(config={**CONFIG, "uploadFileSuffix": "s" * 11}),
    "suffix-chars-accepted": create_status(config={**CONFIG, "uploadFileSuffix": "ds?"}),
    "suffix-default-wrong": with_stream(
        lambda api, sid: api.stream(sid)["config"]["uploadFileSuffix"], config=CONFIG
    ),
    "prefix-dynamic-variables-refused": create_status(
        config={**CONFIG, "uploadFilePrefix": "{ %Y }-{ %m }-{ %d }"}
    ),
    "path-spaced-variables-refused": create_status(
        connectors=[connector("S3", path="logs/{ %Y / %m / %d }")]
    ),
    "path-length-not-checked": create_status(connectors=[connector("S3", path="p" * 256)]),
    "stream-type-not-checked": create_status(streamType="STRUCTURED_LOGS"),
    "template-name-not-checked": create_status(templateName="FOO"),
    "unknown-dataset-field-accepted": create_status(datasetFieldIds=[9999]),
    "frequency-not-stored": with_stream(
        lambda api, sid: api.stream(sid)["config"]["frequency"],
        config={**CONFIG, "frequency": {"timeInSec": 60}},
    ),
    # connectors
    "unknown-connector-type-accepted": create_status(
        connectors=[connector("S3", connectorType="FOO")]
    ),
    "s3-secret-optional": create_status(connectors=[connector("S3", secretAccessKey=None)]),
    "azure-access-key-optional": create_status(connectors=[connector("AZURE", accessKey=None)]),
    "datadog-auth-token-optional": create_status(connectors=[connector("DATADOG", authToken=None)]),
    "splunk-token-optional": create_status(
        connectors=[connector("SPLUNK", eventCollectorToken=None)]
    ),
    "splunk-url-not-checked": create_status(
        connectors=[connector("SPLUNK", url="https://s.example.com/collector")]
    ),
    "s3-compress-logs-false": connector_of("S3"),
    "azure-compress-logs-false": connector_of("AZURE"),
    "datadog-compress-default-true": connector_of("DATADOG", compressLogs=None),
    "splunk-compress-default-false": connector_of("SPLUNK", compressLogs=None),
    "s3-secret-access-key-echoed": connector_of("S3"),
    "s3-access-key-echoed": connector_of("S3"),
    "azure-access-key-echoed": connector_of("AZURE"),
    "datadog-auth-token-echoed": connector_of("DATADOG"),
    "splunk-token-echoed": connector_of("SPLUNK"),
    "connector-id-as-string": with_stream(
        lambda api, sid: type(api.stream(sid)["connectors"][0]["connectorId"]).__name__
    ),
    "datadog-tags-dropped": connector_of("DATADOG"),
}

# Probes that need a server configured differently from `fast_config()`.
PROBE_CONFIG: dict[str, dict[str, Any]] = {
    "throttles-early": {"rate_limit": 4},
    "never-throttles": {"rate_limit": 2},
    "next-header-missing": {"rate_limit": 1},
    "remaining-not-counting-down": {"rate_limit": 10},
    "remaining-never-refills": {"rate_limit": 4, "rate_window": 0.4},
    "remaining-exceeds-limit": {"rate_limit": 10},
    "next-not-iso8601": {"rate_limit": 1},
    "next-too-early": {"rate_limit": 1, "rate_window": 1.0},
    "429-remaining-nonzero": {"rate_limit": 1},
}


def _dumps(body: Any) -> bytes:
    return json.dumps(body).encode()


@pytest.fixture(scope="module")
def closer() -> Iterator[ThreadPoolExecutor]:
    """Stops servers in the background: uvicorn takes a moment to shut down."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        yield pool


def observe(
    closer: ThreadPoolExecutor, probe: Probe, config: ReferenceConfig, *, check: bool = False
) -> object:
    """Run `probe` against a fresh server of `config` on 127.0.0.1."""
    manager = reference_server("akamai", config)
    base = manager.__enter__()
    try:
        return probe(Api(base, check_schemas=check))
    finally:
        closer.submit(manager.__exit__, None, None, None)


@pytest.mark.parametrize("fault", [fault.name for fault in FAULTS])
def test_fault_changes_an_observable_answer(fault: str, closer: ThreadPoolExecutor) -> None:
    probe = PROBES[fault]
    extra = PROBE_CONFIG.get(fault, {})
    baseline = observe(closer, probe, fast_config(**extra))
    broken = observe(closer, probe, fast_config(faults=frozenset({fault}), **extra))
    assert baseline != broken, f"{fault}: both servers answered {baseline!r}"


def test_faultless_probes_keep_the_contract(closer: ThreadPoolExecutor) -> None:
    """Against the faultless server every probe's answers match the spec's schemas."""
    for fault, probe in PROBES.items():
        observe(closer, probe, fast_config(**PROBE_CONFIG.get(fault, {})), check=True)


def _catalogue() -> dict[str, dict[str, Any]]:
    raw = yaml.safe_load(AKAMAI.catalogue_path.read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in raw["requirements"]}


def test_every_fault_has_a_probe_and_cites_an_observable_requirement() -> None:
    catalogue = _catalogue()
    names = [fault.name for fault in FAULTS]
    assert len(names) == len(set(names))
    assert set(PROBES) == set(names)
    assert set(PROBE_CONFIG) <= set(PROBES)
    for fault in FAULTS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", fault.name), fault
        assert fault.requirement_id in catalogue, fault
        assert catalogue[fault.requirement_id]["observable"] is True, fault
        assert fault.description


def test_every_observable_requirement_has_a_fault() -> None:
    observable = {rid for rid, entry in _catalogue().items() if entry["observable"]}
    cited = {fault.requirement_id for fault in FAULTS}
    assert observable - cited == set()


def test_unknown_fault_names_are_refused() -> None:
    from conformance.reference import build_app
    from conformance.reference.faults import UnknownFaultError

    with pytest.raises(UnknownFaultError):
        build_app("akamai", ReferenceConfig(faults=frozenset({"no-such-fault"})))
