"""The Akamai reference server, driven over HTTP on 127.0.0.1 through the seed's workflows.

Every answer is also checked against the response schema the spec documents for it (see
`Api.call`), so these tests double as a check that the server keeps its own contract.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from akamai.edgegrid import EdgeGridAuth
from akamai.edgegrid.edgegrid import EdgeGridAuthHeaders

from conformance.apis.akamai.reference import seed_data as seed
from conformance.apis.akamai.reference.faults import FAULTS
from conformance.reference import vacuity_faults
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from tests.support.akamai_client import (
    CREDENTIALS,
    PAIR,
    Api,
    connector,
    fast_config,
)

AKAMAI_DATE = re.compile(r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2} GMT$")
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining")


@pytest.fixture
def api() -> Iterator[Api]:
    with reference_server("akamai", fast_config()) as base:
        yield Api(base)


# ---------------------------------------------------------------------- get stream details
def test_lookups_answer_the_seed_samples(api: Api) -> None:
    groups = api.json("GET", "/groups")
    assert [g["groupId"] for g in groups] == [67377, 143553, 21483, 21484, 143215, 21485]
    products = api.json("GET", "/products")
    assert [p["productId"] for p in products] == ["Adaptive_Media_Delivery", "Download_Delivery"]
    group_ids = {g["groupId"] for g in groups}
    for product in products:
        assert product["templates"] == [{"templateName": "EDGE_LOGS"}]
        assert {g["groupId"] for g in product["groups"]} <= group_ids
        for group in product["groups"]:
            response = api.call(
                "GET", f"/properties/product/{product['productId']}/group/{group['groupId']}"
            )
            assert response.status_code == 200
            assert len(response.json()) >= seed.SYNTHETIC_PROPERTIES_PER_PAIR
    types = api.json("GET", "/connectors")
    assert {t["connectorType"] for t in types} == {"AZURE", "S3", "DATADOG", "SPLUNK"}
    assert api.json("GET", "/streamTypes") == [
        {"streamTypeName": "Logs - Raw", "streamType": "RAW_LOGS", "isRaw": True}
    ]
    assert api.json("GET", "/streams") == []


def test_dataset_fields_list_the_whole_table_once_without_order(api: Api) -> None:
    groups = api.json("GET", "/datasets/template/EDGE_LOGS")
    names = [g["datasetGroupName"] for g in groups]
    assert names == [
        "Log information",
        "Message exchange data",
        "Request header data",
        "Network performance data",
        "Other",
    ]
    ids = [f["datasetFieldId"] for g in groups for f in g["datasetFields"]]
    assert len(ids) == len(set(ids))
    table = {1000, 1002, 1100, 1005, 1006, 1008, 1009, 1011, 1012, 1013, 1014, 1015, 1016, 1017}
    table |= {1019, 1023, 1031, 1032, 1037, 1033, 1068, 1101, 1102, 1103, 1066, 1082}
    table |= {2001, 2002, 2003, 2004, 2005, 2006, 2007, 2009, 2010}
    assert set(ids) == table
    assert all("order" not in f for g in groups for f in g["datasetFields"])
    assert api.call("GET", "/datasets/template/RAW_LOGS").status_code == 404


def test_properties_need_a_group_of_the_account_and_a_known_product(api: Api) -> None:
    seed_sample = api.json("GET", "/properties/product/Download_Delivery/group/21484")
    assert {"propertyId": 382631, "propertyName": "customp.akamai.com"} in seed_sample
    assert api.call("GET", "/properties/product/Download_Delivery/group/12345").status_code == 403
    assert api.call("GET", "/properties/product/Nope/group/21484").status_code == 404
    assert api.json("GET", "/properties/product/Download_Delivery/group/143553") == []
    assert api.call("GET", "/properties/product/Download_Delivery/group/x").status_code == 404


# ---------------------------------------------------------------------- create and save
def test_create_and_save_then_activate_later(api: Api) -> None:
    body = api.body(activateNow=False)
    response = api.create(body)
    assert response.status_code == 202
    assert response.headers["content-type"] == "application/json"
    key = response.json()["streamVersionKey"]
    assert key["streamVersionId"] == 1
    sid = key["streamId"]
    stream = api.stream(sid, version=1)
    assert stream["streamId"] == sid and stream["streamVersionId"] == 1
    for member in ("streamName", "productId", "groupId", "contractId", "streamType"):
        assert stream[member] == body[member]
    assert stream["templateName"] == "EDGE_LOGS"
    assert stream["emailIds"] == body["emailIds"]
    assert [p["propertyId"] for p in stream["properties"]] == body["propertyIds"]
    assert stream["activationStatus"] == "DEACTIVATED"
    assert stream["config"] == body["config"]
    for member in ("createdDate", "modifiedDate"):
        assert AKAMAI_DATE.match(stream[member])
    assert api.json("GET", f"/streams/{sid}/activationHistory") == []

    activated = api.call("PUT", f"/streams/{sid}/activate")
    assert activated.status_code == 202
    assert activated.json() == {"streamVersionKey": {"streamId": sid, "streamVersionId": 1}}
    assert api.stream(sid)["activationStatus"] == "ACTIVATED"
    history = api.json("GET", f"/streams/{sid}/activationHistory")
    assert [(h["streamVersionId"], h["isActive"]) for h in history] == [(1, True)]
    assert AKAMAI_DATE.match(history[0]["createdDate"])
    assert api.call("PUT", f"/streams/{sid}/activate").status_code == 400


def test_create_and_activate_passes_through_activating() -> None:
    with reference_server("akamai", fast_config(activation_delay=0.3)) as base:
        api = Api(base)
        sid = api.created(activateNow=True)
        assert api.stream(sid)["activationStatus"] == "ACTIVATING"
        history = api.json("GET", f"/streams/{sid}/activationHistory")
        assert [(h["streamVersionId"], h["isActive"]) for h in history] == [(1, True)]
        time.sleep(0.35)
        assert api.stream(sid)["activationStatus"] == "ACTIVATED"
        assert api.call("PUT", f"/streams/{sid}/deactivate").status_code == 202
        assert api.stream(sid)["activationStatus"] == "DEACTIVATING"
        time.sleep(0.35)
        assert api.stream(sid)["activationStatus"] == "DEACTIVATED"
        again = api.call("PUT", f"/streams/{sid}/activate")
        assert again.status_code == 202
        history = api.json("GET", f"/streams/{sid}/activationHistory")
        assert [h["isActive"] for h in history] == [True, False, True]


def test_every_create_example_of_the_spec_is_accepted(api: Api) -> None:
    for name in ("seed", "azure", "datadog", "splunk"):
        sid = api.created(api.body(connectors=[connector(_KINDS[name])]))
        shown = api.stream(sid)["connectors"][0]
        assert isinstance(shown["connectorId"], int)
        assert shown["connectorType"] == _KINDS[name]


_KINDS = {"seed": "S3", "azure": "AZURE", "datadog": "DATADOG", "splunk": "SPLUNK"}


def test_the_seed_samples_work_verbatim(api: Api) -> None:
    from tests.support.akamai_client import CREATE_EXAMPLES

    created = api.call("POST", "/streams", json=CREATE_EXAMPLES["seed"])
    assert created.status_code == 202
    sid = created.json()["streamVersionKey"]["streamId"]
    edit_sample = {
        "streamName": "Stream1",
        "streamType": "RAW_LOGS",
        "templateName": "EDGE_LOGS",
        "contractId": "1-ABCDE",
        "emailIds": "useremail@akamai.com",
        "propertyIds": [349772],
        "datasetFieldIds": [1002, 1100],
        "config": {
            "delimiter": "SPACE",
            "uploadFilePrefix": "ak",
            "uploadFileSuffix": "ds",
            "frequency": {"timeInSec": 30},
        },
    }
    edited = api.call("PUT", f"/streams/{sid}", json=edit_sample)
    assert edited.json() == {"streamVersionKey": {"streamId": sid, "streamVersionId": 2}}
    # the edit kept the connector: same connectorId, no secret
    before = api.stream(sid, version=1)["connectors"]
    after = api.stream(sid)["connectors"]
    assert before == after and "secretAccessKey" not in after[0]


# ---------------------------------------------------------------------- versions
def test_edits_make_versions_that_inherit_activation(api: Api) -> None:
    body = api.body(activateNow=True, datasetFieldIds=[1000, 1002, 1100])
    sid = api.created(body)
    edited = api.call(
        "PUT", f"/streams/{sid}", json=api.edit_body(body, streamName="v2", activateNow=False)
    )
    assert edited.status_code == 202
    assert edited.json()["streamVersionKey"] == {"streamId": sid, "streamVersionId": 2}
    latest = api.stream(sid)
    assert latest["streamVersionId"] == 2 and latest["streamName"] == "v2"
    assert latest["activationStatus"] in ("ACTIVATING", "ACTIVATED")
    assert api.stream(sid, version=1)["streamName"] == body["streamName"]
    assert api.call("GET", f"/streams/{sid}?version=3").status_code == 404

    deactivated = api.call("PUT", f"/streams/{sid}/deactivate")
    assert deactivated.json()["streamVersionKey"] == {"streamId": sid, "streamVersionId": 2}
    third = api.call("PUT", f"/streams/{sid}", json=api.edit_body(body, activateNow=True))
    assert third.json()["streamVersionKey"]["streamVersionId"] == 3
    assert api.stream(sid)["activationStatus"] == "DEACTIVATED"

    history = api.json("GET", f"/streams/{sid}/history")
    assert [v["streamVersionId"] for v in history] == [3, 2, 1]
    for entry in history:
        assert entry == api.stream(sid, version=entry["streamVersionId"])
    activations = api.json("GET", f"/streams/{sid}/activationHistory")
    assert [(a["streamVersionId"], a["isActive"]) for a in activations] == [
        (2, False),
        (2, True),
        (1, True),
    ]
    listed = api.json("GET", "/streams")
    assert [(s["streamId"], s["streamVersionId"], s["currentVersionId"]) for s in listed] == [
        (sid, 3, 3)
    ]


def test_datasets_follow_the_order_of_datasetFieldIds(api: Api) -> None:
    ids = [1012, 1000, 1006, 1002, 1100, 1013, 1082]
    sid = api.created(datasetFieldIds=ids)
    datasets = api.stream(sid)["datasets"]
    order = {f["datasetFieldId"]: f["order"] for g in datasets for f in g["datasetFields"]}
    assert order == {fid: n for n, fid in enumerate(ids)}
    assert [g["datasetGroupName"] for g in datasets] == [
        "Log information",
        "Message exchange data",
        "Other",
    ]


def test_defaults_and_connectors(api: Api) -> None:
    config = {"delimiter": "SPACE", "frequency": {"timeInSec": 60}}
    sid = api.created(config=config)
    assert api.stream(sid)["config"] == {
        **config,
        "uploadFilePrefix": "ak",
        "uploadFileSuffix": "ds",
    }
    expected = {"S3": True, "AZURE": True, "DATADOG": False, "SPLUNK": True}
    secrets = {
        "S3": ("accessKey", "secretAccessKey"),
        "AZURE": ("accessKey",),
        "DATADOG": ("authToken",),
        "SPLUNK": ("eventCollectorToken",),
    }
    for kind, compress in expected.items():
        sent = connector(kind, compressLogs=None)
        sid = api.created(connectors=[sent])
        for shown in (
            api.stream(sid)["connectors"][0],
            api.json("GET", f"/streams/{sid}/history")[0]["connectors"][0],
        ):
            assert shown["compressLogs"] is compress
            assert not set(secrets[kind]) & set(shown)
            public = {k: v for k, v in sent.items() if k not in secrets[kind]}
            assert public.items() <= shown.items()


@pytest.mark.parametrize(
    ("prefix", "suffix"),
    [
        ("{ %Y }-{ %m }-{ %d }", "akam"),
        ("diagnostics{ %Y-%m-%d }", "logs"),
        ("{ %m }-diagnostics", "delivery"),
        ("upload-{ %m_%d_%H }-file", "data"),
    ],
)
def test_seed_prefix_and_suffix_examples_are_accepted(api: Api, prefix: str, suffix: str) -> None:
    config = {"delimiter": "SPACE", "frequency": {"timeInSec": 30}}
    config |= {"uploadFilePrefix": prefix, "uploadFileSuffix": suffix}
    assert api.create(config=config).status_code == 202


@pytest.mark.parametrize(
    "path",
    ["logs/{ %Y / %m / %d }", "{ %m }-logs/diagnostics", "diagnostics/{ %Y }/{ %m }/{ %d }{ %H }/"],
)
@pytest.mark.parametrize("kind", ["S3", "AZURE"])
def test_seed_path_examples_are_accepted(api: Api, path: str, kind: str) -> None:
    assert api.create(connectors=[connector(kind, path=path)]).status_code == 202


# ---------------------------------------------------------------------- rules
def test_property_rules(api: Api) -> None:
    first, second, third, fourth = api.properties(4)
    assert api.create(propertyIds=[first, second, third, fourth]).status_code == 400
    sid = api.created(propertyIds=[first, second, third])
    taken = api.create(propertyIds=[third])
    assert taken.status_code == 400
    assert "already part of stream" in taken.json()["errors"][0]["detail"]
    assert api.create(propertyIds=[1]).status_code == 400
    other_pair = api.properties(1, pair=("Adaptive_Media_Delivery", 21483))
    assert api.create(propertyIds=other_pair).status_code == 400
    other = api.body(propertyIds=[fourth])
    other_id = api.created(other)
    assert (
        api.call(
            "PUT", f"/streams/{other_id}", json=api.edit_body(other, propertyIds=[first])
        ).status_code
        == 400
    )
    deleted = api.call("DELETE", f"/streams/{sid}")
    assert deleted.status_code == 200 and deleted.json() == {"message": "Success"}
    assert api.create(propertyIds=[first]).status_code == 202


@pytest.mark.parametrize(
    "change",
    [
        {"streamType": "STRUCTURED_LOGS"},
        {"templateName": "FOO"},
        {"datasetFieldIds": [9999]},
        {"datasetFieldIds": [1000, 1000]},
        {"config": {"delimiter": "COMMA", "frequency": {"timeInSec": 30}}},
        {"config": {"delimiter": "SPACE", "frequency": {"timeInSec": 45}}},
        {
            "config": {
                "delimiter": "SPACE",
                "frequency": {"timeInSec": 30},
                "uploadFilePrefix": "a" * 201,
            }
        },
        {
            "config": {
                "delimiter": "SPACE",
                "frequency": {"timeInSec": 30},
                "uploadFilePrefix": "a.b",
            }
        },
        {
            "config": {
                "delimiter": "SPACE",
                "frequency": {"timeInSec": 30},
                "uploadFileSuffix": "a" * 11,
            }
        },
        {
            "config": {
                "delimiter": "SPACE",
                "frequency": {"timeInSec": 30},
                "uploadFileSuffix": "a?",
            }
        },
        {"connectors": [connector("S3", path="p" * 256)]},
        {"connectors": [connector("S3", connectorType="FOO")]},
        {"connectors": [connector("SPLUNK", url="https://splunk.example.com/services/collector")]},
        {"connectors": [connector("DATADOG", url="")]},
        {"productId": "Nope"},
        {"groupId": 21485},
        {"streamName": 123},
        {"contractId": None},
    ],
)
def test_invalid_configurations_are_400(api: Api, change: dict[str, Any]) -> None:
    response = api.create(**change)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["status"] == 400 and problem["errors"]
    for item in problem["errors"]:
        assert {"type", "title", "detail"} <= set(item)


@pytest.mark.parametrize(
    ("kind", "member"),
    [
        ("S3", m)
        for m in ("connectorName", "path", "bucket", "region", "accessKey", "secretAccessKey")
    ]
    + [("AZURE", m) for m in ("connectorName", "accountName", "accessKey", "containerName", "path")]
    + [("DATADOG", m) for m in ("connectorName", "url", "authToken")]
    + [("SPLUNK", m) for m in ("connectorName", "url", "eventCollectorToken")],
)
def test_connector_members_are_required(api: Api, kind: str, member: str) -> None:
    response = api.create(connectors=[connector(kind, **{member: None})])
    assert response.status_code == 400
    assert [e["title"] for e in response.json()["errors"]] == [f"Invalid {member}"]


def test_group_outside_the_account_is_403_and_edits_cannot_move_streams(api: Api) -> None:
    assert api.create(groupId=12345).status_code == 403
    body = api.body()
    sid = api.created(body)
    moved = api.call("PUT", f"/streams/{sid}", json=api.edit_body(body, groupId=21483))
    assert moved.status_code == 400


def test_list_streams_filters_by_group(api: Api) -> None:
    first = api.created()
    second = api.created(
        groupId=21483, propertyIds=api.properties(1, pair=("Download_Delivery", 21483))
    )
    assert [s["streamId"] for s in api.json("GET", "/streams")] == [second, first]
    assert [s["streamId"] for s in api.json("GET", "/streams?groupId=21484")] == [first]
    assert [s["streamId"] for s in api.json("GET", "/streams?groupId=21483")] == [second]
    assert api.json("GET", "/streams?groupId=143553") == []
    assert api.call("GET", "/streams?groupId=12345").status_code == 403
    item = api.json("GET", "/streams?groupId=21484")[0]
    assert item["streamTypeName"] == "Logs - Raw"
    assert item["connectors"] == "S3-S3Destination"
    assert AKAMAI_DATE.match(item["createdDate"])


def test_a_deleted_stream_is_gone(api: Api) -> None:
    sid = api.created(activateNow=True)
    assert api.call("DELETE", f"/streams/{sid}").status_code == 200
    for method, path in [
        ("GET", f"/streams/{sid}"),
        ("GET", f"/streams/{sid}/history"),
        ("GET", f"/streams/{sid}/activationHistory"),
        ("PUT", f"/streams/{sid}/activate"),
        ("PUT", f"/streams/{sid}/deactivate"),
        ("DELETE", f"/streams/{sid}"),
    ]:
        assert api.call(method, path).status_code == 404, (method, path)
    assert api.json("GET", "/streams") == []


# ---------------------------------------------------------------------- bad input
def test_bad_input_gets_documented_problems(api: Api) -> None:
    sid = api.created()
    cases: list[tuple[requests.Response, int]] = [
        (
            api.call("POST", "/streams", data=b"{", headers={"Content-Type": "application/json"}),
            400,
        ),
        (api.call("POST", "/streams", data=b"{}", headers={"Content-Type": "text/plain"}), 415),
        (api.call("POST", "/streams", data=b"{}"), 415),
        (
            api.call(
                "PUT", f"/streams/{sid}", data=b"[1,", headers={"Content-Type": "application/json"}
            ),
            400,
        ),
        (api.call("GET", "/nowhere"), 404),
        (api.call("GET", "/datastream-config-api/v2/log/streams"), 404),
        (api.call("GET", "/streams/abc"), 404),
        (api.call("GET", "/streams/424242"), 404),
        (api.call("PUT", "/streams/424242", json=api.body()), 404),
        (api.call("GET", f"/streams/{sid}?version=abc"), 400),
        (api.call("GET", f"/streams/{sid}?version=0"), 400),
        (api.call("GET", "/streams?groupId=abc"), 400),
        (api.call("GET", "/properties/product/a%0Ab/group/1"), 403),
        (api.call("GET", "/streams/1%0A2"), 404),
        (api.call("GET", "%0A"), 404),
    ]
    for response, status in cases:
        assert response.status_code == status, response.request.url
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == status
        assert all(isinstance(problem[k], str) for k in ("type", "title", "instance", "detail"))
        assert all(h in response.headers for h in RATE_HEADERS)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/connectors", "GET"),
        ("POST", "/streams/1/activate", "PUT"),
        ("PATCH", "/streams/1", "GET, PUT, DELETE"),
        ("PUT", "/streams", "GET, POST"),
    ],
)
def test_wrong_methods_are_405_with_allow(api: Api, method: str, path: str, allow: str) -> None:
    response = api.call(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["status"] == 405


def test_bodies_over_the_cap_are_400_without_reading_them_whole() -> None:
    with reference_server("akamai", fast_config(max_body_bytes=1000)) as base:
        api = Api(base)
        big = b'{"streamName": "' + b"x" * 5000 + b'"}'
        json_type = {"Content-Type": "application/json"}
        assert api.call("POST", "/streams", data=big, headers=json_type).status_code == 400
        assert api.call("GET", "/groups").status_code == 200
    # chunked (no Content-Length): the cap applies while reading; the header form is enough here
    with reference_server("akamai", fast_config(credentials=None, max_body_bytes=1000)) as base:
        form = (
            "EG1-HMAC-SHA256 client_token=a;access_token=b;"
            "timestamp=20200101T00:00:00+0000;nonce=n;signature=s"
        )

        def chunks() -> Iterator[bytes]:
            yield b'{"streamName": "'
            for _ in range(50):
                yield b"x" * 100

        chunked = requests.post(
            f"{base}/datastream-config-api/v1/log/streams",
            data=chunks(),
            headers={"Content-Type": "application/json", "Authorization": form},
            timeout=10,
        )
        assert chunked.status_code == 400
        assert "larger than 1000 bytes" in chunked.json()["detail"]


# ---------------------------------------------------------------------- authentication
def _header(secret: str, timestamp: str | None = None, url: str = "") -> str:
    signer = EdgeGridAuthHeaders(CREDENTIALS.client_token, secret, CREDENTIALS.access_token)
    prepared = requests.Request("GET", url).prepare()
    stamp = timestamp or time.strftime("%Y%m%dT%H:%M:%S+0000", time.gmtime())
    header: str = signer.make_auth_header(prepared, stamp, "nonce-1")
    return header


def test_edgegrid_is_required_and_verified(api: Api) -> None:
    url = api.url("/groups")
    assert api.call("GET", "/groups", signed=False).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer x"}, timeout=5).status_code == 401
    good = _header(CREDENTIALS.client_secret, url=url)
    assert requests.get(url, headers={"Authorization": good}, timeout=5).status_code == 200
    forged = _header("wrong-secret", url=url)
    assert requests.get(url, headers={"Authorization": forged}, timeout=5).status_code == 401
    old = time.strftime("%Y%m%dT%H:%M:%S+0000", time.gmtime(time.time() - 3600))
    stale = _header(CREDENTIALS.client_secret, timestamp=old, url=url)
    assert requests.get(url, headers={"Authorization": stale}, timeout=5).status_code == 401
    other = requests.Session()
    other.auth = EdgeGridAuth("akab-other", CREDENTIALS.client_secret, CREDENTIALS.access_token)
    assert other.get(url, timeout=5).status_code == 401
    # signed writes with bodies (POST body hash, PUT without one) verify too
    body = api.body()
    sid = api.created(body)
    assert api.call("PUT", f"/streams/{sid}", json=api.edit_body(body)).status_code == 202


def test_without_credentials_the_header_form_is_enough() -> None:
    with reference_server("akamai", ReferenceConfig(rate_limit=100)) as base:
        url = f"{base}/datastream-config-api/v1/log/groups"
        header = (
            "EG1-HMAC-SHA256 client_token=a;access_token=b;"
            "timestamp=20200101T00:00:00+0000;nonce=n;signature=s"
        )
        assert requests.get(url, headers={"Authorization": header}, timeout=5).status_code == 200
        assert requests.get(url, timeout=5).status_code == 401


# ---------------------------------------------------------------------- rate limiting
def test_the_budget_is_20_a_minute_by_default() -> None:
    with reference_server("akamai", ReferenceConfig(credentials=CREDENTIALS)) as base:
        api = Api(base)
        responses = [api.call("GET", "/streamTypes") for _ in range(21)]
        assert [r.status_code for r in responses] == [200] * 20 + [429]
        assert [int(r.headers["X-RateLimit-Remaining"]) for r in responses[:3]] == [19, 18, 17]
        assert {r.headers["X-RateLimit-Limit"] for r in responses} == {"20"}
        last = responses[-1]
        assert last.headers["X-RateLimit-Remaining"] == "0"
        assert last.headers["content-type"] == "application/problem+json"
        assert last.json()["status"] == 429
        assert "X-RateLimit-Next" in responses[19].headers
        assert "X-RateLimit-Next" not in responses[0].headers
        # every kind of answer carries the headers; the budget is per client token
        for response in (api.call("GET", "/nowhere"), api.call("DELETE", "/groups")):
            assert response.status_code == 429
            assert all(h in response.headers for h in (*RATE_HEADERS, "X-RateLimit-Next"))
        unsigned = api.call("GET", "/groups", signed=False)  # keyed by address: a fresh budget
        assert unsigned.status_code == 401
        assert unsigned.headers["X-RateLimit-Remaining"] == "19"


def test_next_is_iso8601_and_honest_and_the_budget_refills() -> None:
    with reference_server("akamai", fast_config(rate_limit=2, rate_window=1.0)) as base:
        api = Api(base)
        api.call("GET", "/groups")
        exhausted = api.call("GET", "/groups")
        assert exhausted.headers["X-RateLimit-Remaining"] == "0"
        moment = datetime.fromisoformat(
            exhausted.headers["X-RateLimit-Next"].replace("Z", "+00:00")
        )
        assert api.call("GET", "/groups").status_code == 429
        time.sleep(max(0.0, moment.timestamp() - time.time()) + 0.05)
        assert api.call("GET", "/groups").status_code == 200
        time.sleep(1.1)
        refilled = api.call("GET", "/groups")
        assert int(refilled.headers["X-RateLimit-Remaining"]) == 1


# ---------------------------------------------------------------------- the command line
def test_serve_lists_faults_and_serves_until_interrupted() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "serve", "--api", "akamai", "--list-faults"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    names = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert names == [fault.name for fault in (*FAULTS, *vacuity_faults("akamai"))]
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "serve", "--api", "akamai", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.match(r"LISTENING (http://127\.0\.0\.1:\d+)", line)
        assert match, line
        base = match.group(1)
        response = requests.get(f"{base}/datastream-config-api/v1/log/groups", timeout=5)
        assert response.status_code == 401
        assert response.headers["X-RateLimit-Limit"] == "20"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_properties_outlast_many_streams(api: Api) -> None:
    pair_count = len(seed.properties_by_pair())
    assert pair_count == 6
    assert sum(len(v) for v in seed.properties_by_pair().values()) >= 60
    assert PAIR in seed.properties_by_pair()
