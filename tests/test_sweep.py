"""`dsconform sweep` removes a crashed run's leftovers, and only those."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import requests
from akamai.edgegrid import EdgeGridAuth

from conformance.apis.azion.auth import AzionTokenAuth
from conformance.cli import main
from conformance.core.exchange import Exchange
from conformance.core.send_rules import SendRules
from conformance.core.target_client import TargetClient
from conformance.engine.ownership import Ownership
from conformance.engine.prefix_sweep import sweep_resources
from conformance.exit_codes import ExitCode
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from tests.support.akamai_client import CREDENTIALS, Api, fast_config

TOKEN = {"Authorization": "Token dsconform-edit-token", "Accept": "application/json; version=3"}


def _create(base_url: str, name: str) -> int:
    templates = requests.get(f"{base_url}/data_streaming/templates", headers=TOKEN, timeout=5)
    body = {
        "name": name,
        "template_id": templates.json()["results"][0]["id"],
        "domain_ids": [1],
        "endpoint": {"endpoint_type": "kafka", "kafka_topic": "t", "bootstrap_servers": "k:9092"},
    }
    response = requests.post(
        f"{base_url}/data_streaming/streamings", json=body, headers=TOKEN, timeout=5
    )
    assert response.status_code == 201
    return int(response.json()["results"]["id"])


def _names(base_url: str) -> set[str]:
    response = requests.get(f"{base_url}/data_streaming/streamings", headers=TOKEN, timeout=5)
    return {item["name"] for item in response.json()["results"]}


def test_sweep_deletes_only_prefixed_streamings(capsys: pytest.CaptureFixture[str]) -> None:
    with reference_server("azion", ReferenceConfig()) as base_url:
        _create(base_url, "dsconform-abc123-lifecycle-kafka")
        _create(base_url, "dsconform-abc123-endpoint-s3")
        _create(base_url, "production-stream")
        code = main(
            [
                "sweep",
                "--api",
                "azion",
                "--base-url",
                base_url,
                "--token",
                "dsconform-edit-token",
                "--prefix",
                "dsconform-abc123",
                "--dry-run",
            ]
        )
        assert code == ExitCode.OK
        assert len(_names(base_url)) == 3
        assert "sweep: 2 found, 0 deleted" in capsys.readouterr().out
        code = main(
            [
                "sweep",
                "--api",
                "azion",
                "--base-url",
                base_url,
                "--token",
                "dsconform-edit-token",
                "--prefix",
                "dsconform-abc123",
            ]
        )
        assert code == ExitCode.OK
        assert _names(base_url) == {"production-stream"}


def test_sweep_refuses_a_short_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "--api", "azion", "--base-url", "http://127.0.0.1:9", "--prefix", "d"])
    assert code == ExitCode.USAGE
    assert "at least 4 characters" in capsys.readouterr().err


class _StaleListClient(TargetClient):
    """A client whose listStreamings answer is stale: it names a customer's streaming with a
    prefixed name (a gateway cache, or a rename since), as a hostile or slow target might."""

    def __init__(self, base_url: str, stale: dict[int, str]) -> None:
        super().__init__(
            base_url,
            auth=AzionTokenAuth("dsconform-edit-token"),
            default_headers={"Accept": TOKEN["Accept"]},
            rules=SendRules(write_guard=Ownership("azion")),
        )
        self.stale = stale

    def send(self, method: str, path: str, **kwargs: Any) -> Exchange:
        exchange = super().send(method, path, **kwargs)
        if method == "GET" and path == "/data_streaming/streamings":
            body = exchange.response.json()
            for item in body["results"]:
                item["name"] = self.stale.get(item["id"], item["name"])
            response = dataclasses.replace(exchange.response, body=json.dumps(body))
            return dataclasses.replace(exchange, response=response)
        return exchange


def test_sweep_deletes_nothing_whose_own_answer_lacks_the_prefix() -> None:
    with reference_server("azion", ReferenceConfig()) as base_url:
        customer = _create(base_url, "production-stream")
        leftover = _create(base_url, "dsconform-abc123-leftover")
        client = _StaleListClient(base_url, {customer: "dsconform-abc123-renamed"})
        result = sweep_resources(client, "azion", "dsconform-", dry_run=False)
        assert _names(base_url) == {"production-stream"}
        assert result.deleted == [f"streaming {leftover} (dsconform-abc123-leftover)"]
        assert len(result.failed) == 1 and str(customer) in result.failed[0]


def test_sweep_deactivates_an_active_prefixed_stream_before_deleting_it() -> None:
    """An API that will not delete an active resource (its `ResourceShape.deactivation`):
    the sweep deactivates the stream, waits, then deletes it; the customer's stays active."""
    with reference_server("akamai", fast_config()) as base_url:
        api = Api(base_url)
        ours = api.created(streamName="dsconform-abc123-leftover", activateNow=True)
        customers = api.created(streamName="production-stream", activateNow=True)
        assert api.stream(ours)["activationStatus"] == "ACTIVATED"
        auth = EdgeGridAuth(
            client_token=CREDENTIALS.client_token,
            client_secret=CREDENTIALS.client_secret,
            access_token=CREDENTIALS.access_token,
        )
        client = TargetClient(base_url, auth=auth, rules=SendRules(write_guard=Ownership("akamai")))
        sent: list[Exchange] = []
        client.listen(sent.append)
        result = sweep_resources(client, "akamai", "dsconform-", dry_run=False, settle_timeout=10)
        client.close()
        assert result.deleted == [f"stream {ours} (dsconform-abc123-leftover)"]
        assert result.failed == []
        asked = [(e.request.method, e.request.path, e.response.status) for e in sent]
        streams = "/datastream-config-api/v1/log/streams"
        assert ("PUT", f"{streams}/{ours}/deactivate", 202) in asked
        assert asked[-1] == ("DELETE", f"{streams}/{ours}", 200)
        assert api.call("GET", f"/streams/{ours}").status_code == 404
        assert api.stream(customers)["activationStatus"] == "ACTIVATED"
