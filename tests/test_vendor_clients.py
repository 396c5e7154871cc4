"""The reference servers accept what the vendors' own clients send, and read it back as those
clients expect (issue 13).

The bodies are the vendored request shapes of `specs/vendor-fixtures/` (Akamai's Go client v6,
Terraform v4.1, Azion's console), with only the ids our reference knows put in place of the
vendor tests' placeholders. Akamai answers are checked against the spec by `Api.call`; Azion's
here. Both servers run on loopback through the launcher.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conformance.apis import AKAMAI, AZION
from conformance.apis.azion.reference.credentials import accepted
from conformance.cassettes.vendor_samples import VendorFixture, load_fixtures
from conformance.openapi_document import OpenApiDocument
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from tests.support.akamai_client import PAIR, Api, fast_config

AKAMAI_FIXTURES = {f.name: f for f in load_fixtures(AKAMAI)}
AZION_FIXTURES = {f.name: f for f in load_fixtures(AZION)}
AZION_DOCUMENT = OpenApiDocument.load(AZION.spec_path)
AZION_SECRETS = frozenset(AZION_DOCUMENT.raw["x-secret-fields"])
# Data set fields of EDGE_LOGS our reference knows, in place of the Go tests' 1, 2, 3.
KNOWN_FIELDS = [1002, 1005, 1006]


def request_of(fixture: VendorFixture) -> dict[str, Any]:
    body = fixture.request_body()
    assert isinstance(body, dict), fixture.name
    return copy.deepcopy(body)


# ---------------------------------------------------------------------------------- Akamai


@pytest.fixture
def akamai() -> Iterator[Api]:
    with reference_server("akamai", fast_config()) as base:
        yield Api(base)


def test_go_v6_create_and_edit_bodies_are_accepted_and_read_back(akamai: Api) -> None:
    created = request_of(AKAMAI_FIXTURES["createStream-202"])
    assert "productId" not in created  # the Go client has no such member (ERRATUM-AKAMAI-129)
    (prop,) = akamai.properties(1)
    created["groupId"] = PAIR[1]
    created["propertyIds"] = [prop, prop]  # the Go test repeats its id (ERRATUM-AKAMAI-133)
    response = akamai.call("POST", "/streams", json=created)
    assert response.status_code == 202, response.text
    stream_id = response.json()["streamVersionKey"]["streamId"]

    detail = akamai.stream(stream_id)  # what GetStream decodes into DetailedStreamVersion
    assert detail["productId"] == PAIR[0]  # the product of the property's group
    assert detail["groupId"] == PAIR[1]
    assert [p["propertyId"] for p in detail["properties"]] == [prop]
    assert detail["config"]["format"] == "STRUCTURED"
    assert detail["config"]["delimiter"] == "SPACE"
    assert detail["activationStatus"] in ("ACTIVATING", "ACTIVATED")  # activateNow true
    (connector,) = detail["connectors"]
    assert connector["connectorType"] == "S3" and connector["compressLogs"] is True
    assert "secretAccessKey" not in connector and "accessKey" not in connector
    fields = [f["datasetFieldId"] for g in detail["datasets"] for f in g["datasetFields"]]
    assert sorted(fields) == sorted(created["datasetFieldIds"])

    edited = request_of(AKAMAI_FIXTURES["editStream-202"])
    assert edited["groupId"] is None and "connectors" not in edited  # as the Go client sends
    edited["propertyIds"] = [prop, prop]
    edited["datasetFieldIds"] = KNOWN_FIELDS
    response = akamai.call("PUT", f"/streams/{stream_id}", json=edited)
    assert response.status_code == 202, response.text
    assert response.json()["streamVersionKey"] == {"streamId": stream_id, "streamVersionId": 2}
    after = akamai.stream(stream_id)
    assert after["streamVersionId"] == 2
    assert after["groupId"] == PAIR[1]  # null kept the group
    assert after["streamName"] == edited["streamName"]
    assert after["contractId"] == edited["contractId"]
    assert [c["connectorType"] for c in after["connectors"]] == ["S3"]  # kept
    listed = akamai.json("GET", "/streams")
    assert [s["streamId"] for s in listed] == [stream_id]


def test_terraform_json_format_stream_is_accepted_and_read_back(akamai: Api) -> None:
    body = request_of(AKAMAI_FIXTURES["terraform-createStream-json-format"])
    assert body["config"]["format"] == "JSON" and "delimiter" not in body["config"]
    (prop,) = akamai.properties(1)
    body.update(groupId=PAIR[1], propertyIds=[prop], contractId="2-FGHIJ")
    body["datasetFieldIds"] = KNOWN_FIELDS[:2]
    # The seed accepts only Splunk URLs ending with collector/raw (Terraform's test uses a
    # placeholder): a real one.
    body["connectors"][0]["url"] = "https://splunk.example.com/services/collector/raw"
    response = akamai.call("POST", "/streams", json=body)
    assert response.status_code == 202, response.text
    stream_id = response.json()["streamVersionKey"]["streamId"]
    detail = akamai.stream(stream_id)
    assert detail["activationStatus"] == "DEACTIVATED"  # activateNow false (never INACTIVE)
    assert detail["config"] == {
        "format": "JSON",
        "frequency": {"timeInSec": 30},
        "uploadFilePrefix": "ak",
        "uploadFileSuffix": "ds",
    }
    (connector,) = detail["connectors"]
    assert connector["connectorType"] == "SPLUNK" and connector["compressLogs"] is False
    assert "eventCollectorToken" not in connector

    # Terraform's update: the Go client's edit, activateNow false, groupId null.
    edit = {k: v for k, v in body.items() if k != "groupId"} | {"groupId": None}
    edit["streamName"] = "test_stream_renamed"
    response = akamai.call("PUT", f"/streams/{stream_id}", json=edit)
    assert response.status_code == 202, response.text
    after = akamai.stream(stream_id)
    assert after["streamName"] == "test_stream_renamed"
    assert after["config"]["format"] == "JSON" and "delimiter" not in after["config"]


def test_json_format_with_a_delimiter_is_still_refused(akamai: Api) -> None:
    """What the Go client itself refuses (stream.go Validate) stays refused."""
    body = request_of(AKAMAI_FIXTURES["terraform-createStream-json-format"])
    body.update(groupId=PAIR[1], propertyIds=akamai.properties(1), datasetFieldIds=[1002])
    body["connectors"][0]["url"] = "https://splunk.example.com/services/collector/raw"
    body["config"]["delimiter"] = "SPACE"
    assert akamai.call("POST", "/streams", json=body).status_code == 400
    del body["config"]["delimiter"]
    body["config"]["format"] = "STRUCTURED"
    assert akamai.call("POST", "/streams", json=body).status_code == 400


# ---------------------------------------------------------------------------------- Azion

CONSOLE_CREATES = sorted(name for name in AZION_FIXTURES if name.startswith("console-create-"))


@pytest.fixture(scope="module")
def azion() -> Iterator[httpx.Client]:
    config = ReferenceConfig()
    headers = {
        "Authorization": f"token {accepted(config).token}",
        "Accept": "application/json; version=3",
    }
    with (
        reference_server("azion", config) as base,
        httpx.Client(base_url=base, headers=headers, timeout=10) as client,
    ):
        yield client


def conforms(operation_id: str, response: httpx.Response) -> None:
    operation = AZION_DOCUMENT.operation(operation_id)
    pointer = AZION_DOCUMENT.response_schema_pointer(operation, response.status_code)
    assert pointer is not None
    errors = [e.message for e in AZION_DOCUMENT.validator(pointer).iter_errors(response.json())]
    assert errors == [], errors[:3]


def test_every_endpoint_type_of_the_console_is_fed() -> None:
    types = {
        AZION_FIXTURES[name].request_body()["endpoint"]["endpoint_type"] for name in CONSOLE_CREATES
    }
    assert len(types) == 11
    sources = {AZION_FIXTURES[name].request_body().get("data_source") for name in CONSOLE_CREATES}
    assert "rtm_activity" in sources


@pytest.mark.parametrize("name", CONSOLE_CREATES)
def test_console_create_body_is_accepted_and_read_back(azion: httpx.Client, name: str) -> None:
    sent = request_of(AZION_FIXTURES[name])
    response = azion.post("/data_streaming/streamings", json=sent)
    assert response.status_code == 201, response.text
    conforms("createStreaming", response)
    streaming_id = response.json()["results"]["id"]

    got = azion.get(f"/data_streaming/streamings/{streaming_id}")
    assert got.status_code == 200
    conforms("getStreaming", got)
    shown = got.json()["results"]
    # What the console's load-data-stream-service.js reads back.
    assert shown["id"] == streaming_id and shown["name"] == sent["name"]
    if "template_model" in sent:
        assert shown["template_model"] == sent["template_model"]
        assert shown.get("template_id") is None  # the console shows CUSTOM_TEMPLATE
    else:
        assert shown["template_id"] == sent["template_id"]
    assert shown["data_source"] == sent.get("data_source", "http")
    assert shown["all_domains"] is sent["all_domains"]
    assert shown["active"] is sent.get("active", True)
    if "sampling_percentage" in sent:
        assert shown["sampling_percentage"] == sent["sampling_percentage"]
    else:
        assert "sampling_percentage" not in shown  # hasSampling false
    expected_endpoint = {k: v for k, v in sent["endpoint"].items() if k not in AZION_SECRETS}
    assert shown["endpoint"] == expected_endpoint  # use_tls, max_size, headers included

    listed = azion.get("/data_streaming/streamings")
    conforms("listStreamings", listed)
    (item,) = [s for s in listed.json()["results"] if s["id"] == streaming_id]
    assert item["endpoint"]["endpoint_type"] == sent["endpoint"]["endpoint_type"]
    assert azion.delete(f"/data_streaming/streamings/{streaming_id}").status_code == 204


def test_console_edit_with_sampling_is_accepted(azion: httpx.Client) -> None:
    """editDataStreamService: PUT with the create body's members (its test's expected body)."""
    created = azion.post(
        "/data_streaming/streamings", json=request_of(AZION_FIXTURES["console-create-endpoint-s3"])
    )
    assert created.status_code == 201, created.text
    streaming_id = created.json()["results"]["id"]
    edit = request_of(AZION_FIXTURES["console-create-with-sampling"])  # the PUT's body, too
    edit["sampling_percentage"] = 25
    response = azion.put(f"/data_streaming/streamings/{streaming_id}", json=edit)
    assert response.status_code == 200, response.text
    conforms("replaceStreaming", response)
    shown = azion.get(f"/data_streaming/streamings/{streaming_id}").json()["results"]
    assert shown["sampling_percentage"] == 25
    assert shown["endpoint"] == edit["endpoint"]
    assert shown["template_id"] == 4


def test_templates_the_console_names_are_served(azion: httpx.Client) -> None:
    listed = {t["id"]: t for t in azion.get("/data_streaming/templates").json()["results"]}
    fixture = AZION_FIXTURES["listTemplates-200"].response_body()["results"]
    assert {t["id"] for t in fixture} <= set(listed)  # 2, 4, 86, 184, 251
    for template in fixture:
        if template["id"] in (2, 86):  # the seed's own samples keep their names and models
            continue
        assert listed[template["id"]]["name"] == template["name"]
        assert listed[template["id"]]["template_model"] == template["template_model"]


@pytest.mark.parametrize(
    ("member", "value"),
    [("sampling_percentage", 101), ("data_source", "ftp"), ("max_size", 999)],
)
def test_what_no_vendor_sends_is_still_refused(
    azion: httpx.Client, member: str, value: Any
) -> None:
    body = request_of(AZION_FIXTURES["console-create-endpoint-standard"])
    if member == "max_size":
        body["endpoint"][member] = value
    else:
        body[member] = value
    response = azion.post("/data_streaming/streamings", json=body)
    assert response.status_code == 400, response.text
