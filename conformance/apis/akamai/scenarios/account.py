"""What an Akamai target offers to build streams from, discovered through its own API."""

from __future__ import annotations

import copy
import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from conformance.core.exchange import Exchange
from conformance.core.target_client import TargetClient
from conformance.scenarios.base import ScenarioAborted

if TYPE_CHECKING:
    from conformance.engine.context import PhaseContext

# How discovery sends a GET (a path below BASE); scenarios pass one that records observations.
Sender = Callable[[str], Exchange]

BASE = "/datastream-config-api/v1/log"
# Requests answered 429 (another client on the account spending the budget: a second run, the
# customer's own tooling) are repeated, with growing pauses, for up to this many seconds in all
# per phase, the client first waiting for the moment each 429 names: within a minute a vendor
# budget refills, and a target answering nothing but 429 costs a phase no more than this.
THROTTLE_PATIENCE = 45.0

# The seed's connector samples (secrets are dummies; they are redacted before anything is saved).
CONNECTOR_SAMPLES: dict[str, dict[str, Any]] = {
    "S3": {
        "connectorType": "S3",
        "connectorName": "S3Destination",
        "path": "log/edgelogs",
        "bucket": "datastream.akamai.com",
        "region": "ap-south-1",
        "accessKey": "AKIA6DK7TDQLVGZ3TYP1",
        "secretAccessKey": "1T2ll1H4dXWx5itGhpc7FlSbvvOvky1098nTtEMg",
    },
    "AZURE": {
        "connectorType": "AZURE",
        "connectorName": "azure_connector",
        "accountName": "ccdnsaccount",
        "containerName": "rawslogscontainer",
        "path": "logs/edgelogs/{ %Y/%m/%d }",
        "accessKey": "X17x2f2+2MxT1Eh/KaBApKrAEUnetiD0LBbQybczlOwpJVJHPYlDwV99nFSvhDd6"
        "z0YTdhHGYz6inRHjQPLlsA==",
    },
    "DATADOG": {
        "connectorType": "DATADOG",
        "connectorName": "Datadog_connector",
        "url": "https://http-intake.logs.datadoghq.com/v1/input/",
        "service": "datastream",
        "source": "java",
        "tags": "env:sqa,user:insomnia",
        "authToken": "6fe69pp3788877bd7b3bv18oo2c68fe",
    },
    "SPLUNK": {
        "connectorType": "SPLUNK",
        "connectorName": "Splunk_connector",
        "url": "https://http-inputs-customer.splunkcloud.com/services/collector/raw",
        "eventCollectorToken": "894-51c5-4b2e-888y-54fb-hh62",
    },
}


@dataclass(slots=True)
class AkamaiAccount:
    """Products, groups, properties and data set fields a stream can use on this target."""

    product_id: str
    group_id: int
    contract_id: str
    dataset_field_ids: list[int]
    free_properties: list[int]
    all_properties: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    # What discovery saw, for scenarios that judge the lookups themselves.
    group_ids: list[int] = field(default_factory=list)
    product_group_ids: list[int] = field(default_factory=list)
    stream_group_ids: list[int] = field(default_factory=list)
    property_lists: dict[tuple[str, int], Exchange] = field(default_factory=dict)
    # Listed properties of the chosen product and group that a stream already monitors.
    monitored_properties: list[int] = field(default_factory=list)
    # Connector types a create with this account's stock body was accepted for (this run).
    accepted_connectors: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_properties(
        self, count: int, *, avoid: frozenset[int] = frozenset(), rng: random.Random | None = None
    ) -> list[int]:
        """Reserve `count` properties that no stream monitors (none of `avoid`, which another
        client's streams took since discovery: those leave the pool); abort when there are too
        few. With `rng` they are picked at random, so two runs drawing from the same pool after
        a collision do not collide again in step."""
        with self._lock:
            self.free_properties = [p for p in self.free_properties if p not in avoid]
            if len(self.free_properties) < count:
                free = len(self.free_properties)
                raise ScenarioAborted(f"the target offers too few unmonitored properties ({free})")
            taken = (
                rng.sample(self.free_properties, count)
                if rng is not None
                else self.free_properties[:count]
            )
            self.free_properties = [p for p in self.free_properties if p not in taken]
            return taken

    def release(self, property_ids: list[int]) -> None:
        with self._lock:
            self.free_properties.extend(p for p in property_ids if p not in self.free_properties)

    def stream_body(
        self,
        name: str,
        property_ids: list[int],
        *,
        connector: str = "S3",
        activate_now: bool = False,
    ) -> dict[str, Any]:
        """A valid createStream body after the seed's sample."""
        return {
            "streamName": name,
            "activateNow": activate_now,
            "streamType": "RAW_LOGS",
            "productId": self.product_id,
            "templateName": "EDGE_LOGS",
            "groupId": self.group_id,
            "contractId": self.contract_id,
            "emailIds": "useremail@akamai.com",
            "propertyIds": list(property_ids),
            "datasetFieldIds": list(self.dataset_field_ids[:5]),
            "config": {
                "uploadFilePrefix": "logs",
                "uploadFileSuffix": "ak",
                "delimiter": "SPACE",
                "frequency": {"timeInSec": 30},
            },
            "connectors": [copy.deepcopy(CONNECTOR_SAMPLES[connector])],
        }

    @staticmethod
    def edit_body(created: dict[str, Any], **changes: Any) -> dict[str, Any]:
        """A valid editStream body from a create body (the seed's edit sample has no group,
        product, connectors or activateNow)."""
        body = {
            k: copy.deepcopy(v)
            for k, v in created.items()
            if k not in ("groupId", "productId", "activateNow")
        }
        body.update(changes)
        return body

    def unlisted_property_id(self) -> int:
        """A property ID that no listProperties answer of this account names."""
        listed = {i for ids in self.all_properties.values() for i in ids}
        return max(listed, default=0) + 1

    def unlisted_group_id(self) -> int:
        """A group ID that neither listGroups nor listProducts names."""
        return max([*self.group_ids, *self.product_group_ids], default=0) + 1


class _Choice(NamedTuple):
    """The product and group with the most free properties, as discovery found them."""

    product_id: str
    group_id: int
    contract_id: str
    free: list[int]
    monitored: list[int]


@dataclass(slots=True)
class _PropertySurvey:
    """What listProperties answered for each product and group, and the best choice."""

    best: _Choice | None = None
    inventory: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    lists: dict[tuple[str, int], Exchange] = field(default_factory=dict)


def discover_account(
    client: TargetClient, *, phase: str, send: Sender | None = None, enough: int | None = None
) -> AkamaiAccount:
    """Ask the target for a product, a group, its properties and the data set fields; with
    `enough`, stop listing properties at the first product and group offering that many free."""
    asked: list[tuple[str, Exchange]] = []
    base = send or patient(_plain_get(client, phase), Patience())

    def get(path: str) -> Exchange:
        exchange = base(path)
        asked.append((path, exchange))
        return exchange

    products = _json_list(get("/products").response)
    group_list = [g for g in _json_list(get("/groups").response) if isinstance(g, dict)]
    groups = {g.get("groupId"): g for g in group_list}
    streams = _json_list(get("/streams").response)
    monitored = {
        p.get("propertyId")
        for s in streams
        if isinstance(s, dict)
        for p in (s.get("properties") or [])
        if isinstance(p, dict)
    }
    field_ids = _dataset_field_ids(_json_list(get("/datasets/template/EDGE_LOGS").response))
    pairs = [
        (str(product.get("productId")), group)
        for product in products
        if isinstance(product, dict)
        for group in product.get("groups") or []
        if isinstance(group, dict) and isinstance(group.get("groupId"), int)
    ]
    product_group_ids = [group["groupId"] for _, group in pairs]
    if enough is not None:
        # A child group first: its properties are the likeliest to be wrongly refused.
        pairs.sort(key=lambda pair: groups.get(pair[1]["groupId"], {}).get("parentGroupId") is None)
    survey = _survey_properties(get, pairs, groups, monitored, enough)
    best = survey.best
    if best is None or not field_ids:
        raise ScenarioAborted(_why_no_account(asked))
    return AkamaiAccount(
        best.product_id,
        best.group_id,
        best.contract_id,
        field_ids,
        best.free,
        survey.inventory,
        group_ids=[g for g in groups if isinstance(g, int)],
        product_group_ids=product_group_ids,
        stream_group_ids=[
            s["groupId"]
            for s in streams
            if isinstance(s, dict) and isinstance(s.get("groupId"), int)
        ],
        property_lists=survey.lists,
        monitored_properties=best.monitored,
    )


def _why_no_account(asked: list[tuple[str, Exchange]]) -> str:
    """Why discovery found nothing to build a stream from: an account it could not ask (its
    lookups still answered 429), or one that offers nothing."""
    throttled = [path for path, exchange in asked if exchange.response.status == 429]
    if throttled:
        return (
            f"discovery's lookups were still answered 429 ({', '.join(throttled)}) once the "
            f"phase's {THROTTLE_PATIENCE:g} s of repeating 429s were spent: the account's "
            "budget is spent (by another client, or the target throttles everything)"
        )
    return "the target lists no product, group or data set field to build a stream from"


def _plain_get(client: TargetClient, phase: str) -> Sender:
    def get(path: str) -> Exchange:
        return client.send("GET", f"{BASE}{path}", phase=phase)

    return get


class Patience:
    """What is left of a phase's THROTTLE_PATIENCE: the seconds it may still spend repeating
    requests answered 429, shared by all of them."""

    def __init__(self, seconds: float | None = None) -> None:
        self.left = THROTTLE_PATIENCE if seconds is None else seconds

    def repeat(self, exchange: Exchange, send: Callable[[], Exchange]) -> Exchange:
        """`exchange`, or while it is a 429 and patience is left, `send()`'s answer after a
        pause (doubling from 0.05 s to 2 s)."""
        pause = 0.05
        while exchange.response.status == 429 and self.left > 0:
            began = time.monotonic()
            time.sleep(min(pause, self.left))
            pause = min(pause * 2, 2.0)
            exchange = send()
            self.left -= time.monotonic() - began
        return exchange


def patient(send: Sender, patience: Patience) -> Sender:
    """`send`, its 429 answers repeated while `patience` lasts."""
    return lambda path: patience.repeat(send(path), lambda: send(path))


def _dataset_field_ids(groups: list[Any]) -> list[int]:
    """The datasetFieldIds of a listDatasetFields answer, in its order."""
    return [
        f["datasetFieldId"]
        for g in groups
        if isinstance(g, dict)
        for f in g.get("datasetFields") or []
        if isinstance(f, dict) and isinstance(f.get("datasetFieldId"), int)
    ]


def _survey_properties(
    get: Sender,
    pairs: list[tuple[str, dict[str, Any]]],
    groups: dict[Any, dict[str, Any]],
    monitored: set[Any],
    enough: int | None,
) -> _PropertySurvey:
    """listProperties of each product and group in turn, keeping the one with the most free
    properties; with `enough`, stop at the first that offers that many."""
    survey = _PropertySurvey()
    for product_id, group in pairs:
        group_id = group["groupId"]
        exchange = get(f"/properties/product/{product_id}/group/{group_id}")
        survey.lists[(product_id, group_id)] = exchange
        if exchange.response.status != 200:
            continue
        ids = [
            p["propertyId"]
            for p in _json_list(exchange.response)
            if isinstance(p, dict) and isinstance(p.get("propertyId"), int)
        ]
        survey.inventory[(product_id, group_id)] = ids
        free = [i for i in ids if i not in monitored]
        contracts = group.get("contractIds") or groups.get(group_id, {}).get("contractIds") or [""]
        if survey.best is None or len(free) > len(survey.best.free):
            taken = [i for i in ids if i in monitored]
            survey.best = _Choice(product_id, group_id, str(contracts[0]), free, taken)
        if enough is not None and len(survey.best.free) >= enough:
            break
    return survey


def _json_list(response: Any) -> list[Any]:
    try:
        body = response.json()
    except ValueError:
        return []
    return body if isinstance(body, list) else []


def stateful_bodies(ctx: PhaseContext) -> Callable[[], dict[str, Any]]:
    """A function returning a fresh valid create body each call (named with the run prefix),
    for the state machine."""
    counter = itertools.count(1)
    account = discover_account(ctx.client, phase="stateful")
    # Only properties no stream monitors: other runs' and the customer's streams keep theirs.
    properties = account.take_properties(max(1, min(len(account.free_properties), 12)))

    def body() -> dict[str, Any]:
        n = next(counter)
        chosen = properties[n % len(properties)]
        return account.stream_body(f"{ctx.run_prefix}-stateful-{n}", [chosen])

    return body


# The lookups that tell what an account offers (groups, products, properties, data set fields).
ACCOUNT_LOOKUPS = ("listGroups", "listProducts", "listProperties", "listDatasetFields")
# What the stateful phase cannot do without: its create, and the reads `stateful_bodies` builds
# valid create bodies from.
STATEFUL_OPERATIONS = frozenset({*ACCOUNT_LOOKUPS, "listStreams", "createStream"})
