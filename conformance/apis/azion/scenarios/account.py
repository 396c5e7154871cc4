"""What an Azion target offers to build streamings from, discovered through its own API."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from conformance.apis import AZION
from conformance.core.target_client import TargetClient
from conformance.openapi_document import OpenApiDocument
from conformance.scenarios.base import ScenarioAborted

if TYPE_CHECKING:
    from conformance.engine.context import PhaseContext

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
# The catalogue requirement that each endpoint type's variables are required and accepted.
ENDPOINT_REQUIREMENTS: dict[str, str] = {
    "standard": "AZION-ENDPOINT-002",
    "kafka": "AZION-ENDPOINT-003",
    "s3": "AZION-ENDPOINT-004",
    "big_query": "AZION-ENDPOINT-005",
    "elasticsearch": "AZION-ENDPOINT-006",
    "aws_kinesis_firehose": "AZION-ENDPOINT-007",
    "datadog": "AZION-ENDPOINT-008",
    "qradar": "AZION-ENDPOINT-009",
}
DISCOVERY_ATTEMPTS = 5


def required_variables(endpoint_type: str) -> tuple[str, ...]:
    """The variables the seed's endpoint table lists for a type (endpoint_type itself aside)."""
    return tuple(k for k in ENDPOINT_SAMPLES[endpoint_type] if k != "endpoint_type")


@lru_cache(maxsize=1)
def secret_fields() -> frozenset[str]:
    """Endpoint variables the contract marks secret (`x-secret-fields`): never compared."""
    raw = OpenApiDocument.load(AZION.spec_path).raw.get("x-secret-fields") or ()
    return frozenset(str(name) for name in raw)


@dataclass(slots=True)
class AzionAccount:
    """A template and domain a streaming can use on this target."""

    template_id: int
    domain_ids: list[int]
    template_ids: tuple[int, ...] = field(default=())  # every listed global template
    templates: tuple[dict[str, Any], ...] = field(default=())  # the listed templates, as answered

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

    def other_template_id(self) -> int:
        """A listed template other than `template_id` (the same one when it is alone)."""
        return next((t for t in self.template_ids if t != self.template_id), self.template_id)


def discover_azion_account(
    client: TargetClient,
    *,
    phase: str,
    labels: tuple[str, ...] = (),
    domain_ids: tuple[int, ...] = (),
) -> AzionAccount:
    """The target's templates (a 429 is waited out and retried a few times); the seed's domain
    unless the user named the account's own (`--domain-id`): the seed's API cannot list them."""
    exchange = client.send("GET", f"{BASE}/templates", phase=phase, labels=labels)
    for _ in range(DISCOVERY_ATTEMPTS):
        if exchange.response.status != 429:
            break
        exchange = client.send("GET", f"{BASE}/templates", phase=phase, labels=labels)
    try:
        results = exchange.response.json().get("results")
    except (ValueError, AttributeError):
        results = None
    listed = tuple(t for t in results or [] if isinstance(t, dict))
    ids = [t["id"] for t in listed if isinstance(t.get("id"), int)]
    if not ids:
        raise ScenarioAborted("the target lists no template to build a streaming from")
    return AzionAccount(ids[0], list(domain_ids) or [SEED_DOMAIN_ID], tuple(ids), listed)


def stateful_bodies(ctx: PhaseContext) -> Callable[[], dict[str, Any]]:
    """A function returning a fresh valid create body each call (named with the run prefix),
    for the state machine."""
    counter = itertools.count(1)
    azion = discover_azion_account(ctx.client, phase="stateful", domain_ids=ctx.settings.domain_ids)

    def body() -> dict[str, Any]:
        return azion.streaming_body(f"{ctx.run_prefix}-stateful-{next(counter)}")

    return body


# What the stateful phase cannot do without: its create, and the reads `stateful_bodies` builds
# valid create bodies from.
STATEFUL_OPERATIONS = frozenset({"createStreaming", "listTemplates"})
