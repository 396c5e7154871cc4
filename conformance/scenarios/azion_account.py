"""What an Azion target offers to build streamings from, discovered through its own API."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from conformance.engine.target_client import TargetClient
from conformance.scenarios.base import ScenarioAborted

BASE = "/data_streaming"
# The seed's endpoint table, one valid example per endpoint_type (the seed's Elasticsearch row
# says "splunk" and its QRadar row lacks url: ERRATUM-AZION; fixed here).
ENDPOINT_SAMPLES: dict[str, dict[str, Any]] = {
    "standard": {
        "endpoint_type": "standard",
        "url": "http://example.com",
        "log_line_separator": "\n",
        "payload_format": "$dataset",
    },
    "kafka": {
        "endpoint_type": "kafka",
        "kafka_topic": "example_topic",
        "bootstrap_servers": "kafka-server.com:9092,kafka-server-2.com:9092",
    },
    "s3": {
        "endpoint_type": "s3",
        "access_key": "MYACCESSKEY",
        "region": "us-east-1",
        "object_key_prefix": "my_prefix_",
        "bucket_name": "bucket_example",
        "content_type": "plain/text",
        "host_url": "http://aws-host.com",
        "secret_key": "MYSECRETKEY",
    },
    "big_query": {
        "endpoint_type": "big_query",
        "dataset_id": "my_dataset",
        "project_id": "my_project",
        "table_id": "my_table",
        "service_account_key": '{ "service_account_key": "key_content" }',
    },
    "elasticsearch": {
        "endpoint_type": "elasticsearch",
        "url": "https://elastic.example.com:9243/index/_doc",
        "api_key": "MYAPIKEY",
    },
    "aws_kinesis_firehose": {
        "endpoint_type": "aws_kinesis_firehose",
        "access_key": "MYACCESSKEY",
        "stream_name": "my_stream_name",
        "region": "us-east-1",
        "secret_key": "MYSECRETKEY",
    },
    "datadog": {
        "endpoint_type": "datadog",
        "url": "https://http-intake.logs.datadoghq.com/v1/input",
        "api_key": "MYAPIKEY",
    },
    "qradar": {"endpoint_type": "qradar", "url": "https://qradar.example.com"},
}
SEED_DOMAIN_ID = 1616535973


@dataclass(slots=True)
class AzionAccount:
    """A template and domain a streaming can use on this target."""

    template_id: int
    domain_ids: list[int]

    def streaming_body(
        self, name: str, *, endpoint_type: str = "standard", **changes: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": name,
            "template_id": self.template_id,
            "domain_ids": list(self.domain_ids),
            "data_source": "http",
            "endpoint": copy.deepcopy(ENDPOINT_SAMPLES[endpoint_type]),
        }
        body.update(changes)
        return body


def discover_azion_account(client: TargetClient, *, phase: str) -> AzionAccount:
    exchange = client.send("GET", f"{BASE}/templates", phase=phase)
    try:
        results = exchange.response.json().get("results")
    except (ValueError, AttributeError):
        results = None
    ids = [t["id"] for t in results or [] if isinstance(t, dict) and isinstance(t.get("id"), int)]
    if not ids:
        raise ScenarioAborted("the target lists no template to build a streaming from")
    return AzionAccount(ids[0], [SEED_DOMAIN_ID])
