"""Unit tests of the Akamai scenarios' helpers, and one faultless run of the scenarios."""

from __future__ import annotations

import copy
import dataclasses
import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from conformance.apis import APIS
from conformance.apis.akamai.scenarios import account as account_module
from conformance.apis.akamai.scenarios import rate_limit
from conformance.apis.akamai.scenarios.account import Patience, discover_account, patient
from conformance.apis.akamai.scenarios.constraints import CONSTRAINT_CITES, constraint_cases
from conformance.apis.akamai.scenarios.lifecycle_versions import dataset_findings, differences
from conformance.apis.akamai.scenarios.rate_limit import Burst, Sent
from conformance.apis.akamai.scenarios.steps import AkamaiSteps, canonical, version_key
from conformance.apis.akamai.scenarios.workflows import SCENARIOS
from conformance.catalogue import load_catalogue
from conformance.core.exchange import Exchange, RecordedRequest, RecordedResponse
from conformance.core.results import ResultsCollector
from conformance.core.target_client import TargetClient
from conformance.scenarios.base import (
    Scenario,
    ScenarioAborted,
    ScenarioContext,
    SharedByScenarios,
)

# The requirements no passive check observes; the scenarios must (the brief's list).
SCENARIO_ONLY = (
    "RATE-001",
    "RATE-002",
    "RATE-007",
    "RATE-008",
    "RATE-011",
    "STATUS-002",
    "STATUS-006",
    "STATUS-008",
    "STATUS-010",
    "STATUS-011",
    "AUTH-001",
    "AUTH-002",
    "DATASET-003",
    "PRODUCT-005",
    "STREAM-LIST-003",
    "STREAM-LIST-005",
    "STREAM-LIST-006",
    "STREAM-CREATE-004",
    "STREAM-CREATE-005",
    "STREAM-CREATE-006",
    "STREAM-CREATE-007",
    "STREAM-CREATE-008",
    "STREAM-CREATE-009",
    "STREAM-CREATE-010",
    "STREAM-CREATE-011",
    "STREAM-GET-003",
    "STREAM-GET-004",
    "STREAM-GET-005",
    "STREAM-GET-006",
    "STREAM-GET-007",
    "STREAM-EDIT-003",
    "STREAM-DELETE-003",
    "ACTIVATE-003",
    "ACTIVATE-004",
    "ACTIVATE-005",
    "DEACTIVATE-003",
    "DEACTIVATE-004",
    "ACTHIST-003",
    "ACTHIST-004",
    "ACTHIST-005",
    "HISTORY-003",
    "HISTORY-004",
    "VERSION-001",
    "VERSION-002",
    "VERSION-003",
    "VERSION-004",
    "VERSION-005",
    "CONFIG-001",
    "CONFIG-002",
    "CONFIG-003",
    "CONFIG-004",
    "CONFIG-005",
    "CONFIG-006",
    "CONFIG-007",
    "CONFIG-009",
    "CONFIG-010",
    "CONFIG-011",
    "CONFIG-012",
    "CONFIG-016",
    "CONFIG-017",
    "CONFIG-018",
    "CONFIG-019",
    "CONNECTOR-001",
    "CONNECTOR-002",
    "CONNECTOR-003",
    "CONNECTOR-004",
    "CONNECTOR-005",
    "CONNECTOR-006",
    "CONNECTOR-009",
    "CONNECTOR-010",
    "CONNECTOR-017",
)


def _exchange(status: int, body: str = "", headers: dict[str, str] | None = None) -> Exchange:
    return Exchange(
        RecordedRequest("GET", "http://t/x", "/x", {}),
        RecordedResponse(status, headers or {}, body),
        None,
        "scenarios",
    )


def _sent(at: float, status: int, remaining: int) -> Sent:
    headers = {"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": str(remaining)}
    return Sent(at, at + 0.001, _exchange(status, "[]", headers))


def test_scenarios_cite_every_scenario_only_requirement_of_the_catalogue() -> None:
    catalogue = load_catalogue(APIS["akamai"])
    cited = Counter(rid for s in SCENARIOS for rid in s.cites)
    for short in SCENARIO_ONLY:
        assert f"AKAMAI-{short}" in cited, short
    for rid in cited:
        assert catalogue.get(rid).observable, rid
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)


def test_each_constraint_case_breaks_a_valid_body() -> None:
    base: dict[str, Any] = {
        "streamName": "n",
        "streamType": "RAW_LOGS",
        "templateName": "EDGE_LOGS",
        "productId": "p",
        "groupId": 1,
        "contractId": "c",
        "propertyIds": [1],
        "datasetFieldIds": [1000],
        "config": {"delimiter": "SPACE", "frequency": {"timeInSec": 30}},
        "connectors": [
            {
                "connectorType": "S3",
                "connectorName": "s",
                "path": "p",
                "bucket": "b",
                "region": "r",
                "accessKey": "a",
                "secretAccessKey": "s",
                "url": "u",
                "authToken": "t",
                "eventCollectorToken": "e",
                "accountName": "a",
                "containerName": "c",
            }
        ],
    }
    cases = constraint_cases(9999)
    for case in cases:
        body = canonical(base)
        changed = copy.deepcopy(base)
        case.mutate(changed)
        assert canonical(changed) != body, case.what
        assert case.requirement in CONSTRAINT_CITES
    # nine required members: productId is optional (ERRATUM-AKAMAI-129)
    assert Counter(c.requirement for c in cases)["AKAMAI-STREAM-CREATE-007"] == 9


def test_dataset_findings_judge_order_and_ids() -> None:
    detail = {
        "datasets": [
            {"datasetFields": [{"datasetFieldId": 1002, "order": 1}]},
            {"datasetFields": [{"datasetFieldId": 1000, "order": 0}]},
        ]
    }
    assert dataset_findings(detail, [1000, 1002]) == ("", "")
    order, ids = dataset_findings(detail, [1002, 1000])
    assert order and not ids
    order, ids = dataset_findings(detail, [1000, 1002, 1005])
    assert ids


def test_differences_and_version_key() -> None:
    assert differences({"a": 1, "b": 2}, {"a": 1, "b": 3}, ("a", "b")) == ["b: sent 2, got 3"]
    key = _exchange(202, '{"streamVersionKey": {"streamId": 7, "streamVersionId": 2}}')
    assert version_key(key) == (7, 2)
    assert version_key(_exchange(202, '{"streamId": 7}')) == (None, None)
    assert canonical([{"a": 1}, {"b": 2}]) == canonical([{"b": 2}, {"a": 1}])


def test_burst_verdicts() -> None:
    throttled = Burst(20)
    for n in range(20):
        assert throttled.add(_sent(n * 0.01, 200, 19 - n))
    assert not throttled.add(_sent(0.2, 429, 0))
    assert throttled.verdict == "throttled" and len(throttled.served) == 20

    over = Burst(20)
    keep_going = True
    n = 0
    while keep_going and n < 100:
        keep_going = over.add(_sent(n * 0.01, 200, max(0, 19 - n)))
        n += 1
    assert over.verdict == "over-served"

    slow = Burst(20)
    for n in range(30):
        assert slow.add(_sent(n * 0.1, 200, 15))
    assert slow.verdict == "slow" and slow.throttled is None


@pytest.mark.parametrize("api", ["akamai"])
def test_faultless_scenarios_observe_what_they_cite(api: str, tmp_path: Path) -> None:
    from conformance.runner.run import run_conformance
    from conformance.settings import RunSettings

    outcome = run_conformance(
        RunSettings(
            api=api,
            report_dir=tmp_path,
            phases=("scenarios",),
            activation_delay=0.05,
            settle_timeout=10.0,
        )
    )
    statuses = {r.id: r.status for r in outcome.report.requirements}
    for scenario in SCENARIOS:
        for rid in scenario.cites:
            assert statuses[rid] == "passed", (scenario.name, rid, statuses[rid])
    assert outcome.report.notes == ()


_ACCOUNT_ANSWERS: dict[str, Any] = {
    "/products": [{"productId": "Download_Delivery", "groups": [{"groupId": 7}]}],
    "/groups": [{"groupId": 7, "contractIds": ["C-1"]}],
    "/streams": [],
    "/datasets/template/EDGE_LOGS": [{"datasetFields": [{"datasetFieldId": 1000}]}],
    "/properties/product/Download_Delivery/group/7": [{"propertyId": 5}, {"propertyId": 6}],
}


class _BusyAccount:
    """An account whose budget another client spends: the first `busy` GETs answer 429."""

    def __init__(self, busy: int) -> None:
        self.busy = busy
        self.sent: list[str] = []

    def __call__(self, path: str) -> Exchange:
        self.sent.append(path)
        throttled = len(self.sent) <= self.busy
        status, body = (429, "") if throttled else (200, json.dumps(_ACCOUNT_ANSWERS[path]))
        request = RecordedRequest("GET", f"http://127.0.0.1{path}", path, {}, "")
        return Exchange(request, RecordedResponse(status, {}, body), None, "scenarios")


def test_discovery_waits_out_another_client_spending_the_budget() -> None:
    """Issue 11 item 9's two runs on one account: a run of 429s (more than a few repeats)
    delays discovery, it does not turn the account into an empty one."""
    account = _BusyAccount(busy=6)
    send = patient(account, Patience())
    found = discover_account(cast(TargetClient, None), phase="scenarios", send=send)
    assert (found.product_id, found.group_id, found.contract_id) == ("Download_Delivery", 7, "C-1")
    assert found.free_properties == [5, 6]
    assert account.sent[:7] == ["/products"] * 7


def test_discovery_of_an_account_it_cannot_ask_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(account_module, "THROTTLE_PATIENCE", 0.3)
    account = _BusyAccount(busy=10_000)
    send = patient(account, Patience())
    with pytest.raises(ScenarioAborted, match=r"still answered 429 .* phase's 0\.3 s") as aborted:
        discover_account(cast(TargetClient, None), phase="scenarios", send=send)
    assert "/products" in str(aborted.value) and "lists no product" not in str(aborted.value)
    assert len(account.sent) < 40  # the patience is spent once, not per lookup


class _ThrottlingClient:
    """A client stand-in whose every answer is 429; it counts what was sent."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, method: str, path: str, **kwargs: Any) -> Exchange:
        self.sent += 1
        request = RecordedRequest(method, f"http://127.0.0.1{path}", path, {}, "")
        return Exchange(request, RecordedResponse(429, {}, ""), None, "scenarios")


def test_a_failed_discovery_is_not_waited_out_again_by_each_scenario(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Against a target that throttles everything, the first scenario spends the discovery's
    patience; the next ones get its reason at once (a run took 383 s, then 125 s)."""
    monkeypatch.setattr(account_module, "THROTTLE_PATIENCE", 0.2)
    client, shared = _ThrottlingClient(), SharedByScenarios()
    collector = ResultsCollector(load_catalogue(APIS["akamai"]))
    sent = []
    for name in ("first", "second"):
        scenario = Scenario(name, "akamai", lambda ctx: None, ())
        ctx = ScenarioContext(scenario, cast(TargetClient, client), collector, "run", shared=shared)
        with pytest.raises(ScenarioAborted, match="still answered 429"):
            AkamaiSteps(ctx).account()
        sent.append(client.sent)
    assert sent[0] > 4 and sent[1] == sent[0]  # the second discovery sent nothing


class _BusyThenAnswering(_ThrottlingClient):
    """429 to the first `busy` sends (another run's burst), then `status` to every send."""

    def __init__(self, status: int, busy: int = 0) -> None:
        super().__init__()
        self.status = status
        self.busy = busy

    def send(self, method: str, path: str, **kwargs: Any) -> Exchange:
        exchange = super().send(method, path, **kwargs)
        if self.sent <= self.busy:
            return exchange
        return dataclasses.replace(exchange, response=RecordedResponse(self.status, {}, ""))


def test_a_step_waits_out_another_clients_burst_instead_of_judging_its_429() -> None:
    """Two runs on one account: a step's request answered 429 six times in a row was judged
    as its answer (AKAMAI-STATUS-010 failed: "answered 429, not 405") after 4 repeats."""
    client = _BusyThenAnswering(405, busy=6)
    collector = ResultsCollector(load_catalogue(APIS["akamai"]))
    scenario = Scenario("methods", "akamai", lambda ctx: None, ())
    ctx = ScenarioContext(scenario, cast(TargetClient, client), collector, "run")
    answer = AkamaiSteps(ctx).send("POST", "/streams/1008/activate")
    assert answer.response.status == 405
    assert client.sent == 7


@pytest.mark.parametrize(
    ("status", "judged"), [(200, True), (401, True), (429, False), (503, False)]
)
def test_auth_001_is_judged_only_on_answers_that_say_something_of_credentials(
    monkeypatch: pytest.MonkeyPatch, status: int, judged: bool
) -> None:
    """A signed request answered 429 (after the phase's patience) or 5xx was passed as "not
    rejected with 401": a target throttling everything passed AKAMAI-AUTH-001."""
    monkeypatch.setattr(account_module, "THROTTLE_PATIENCE", 0.1)
    collector = ResultsCollector(load_catalogue(APIS["akamai"]))
    scenario = Scenario("signed", "akamai", lambda ctx: None, ("AKAMAI-AUTH-001",))
    ctx = ScenarioContext(
        scenario, cast(TargetClient, _BusyThenAnswering(status)), collector, "run"
    )
    AkamaiSteps(ctx).send("GET", "/groups")
    assert (not collector.unjudged("AKAMAI-AUTH-001")) is judged


def _at_next(status: int, next_in: float, remaining: int = 0) -> Sent:
    """An answer sent now whose X-RateLimit-Next is `next_in` seconds from now."""
    now = time.time()
    moment = datetime.fromtimestamp(now + next_in, UTC).isoformat(timespec="milliseconds")
    headers = {
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Next": moment.replace("+00:00", "Z"),
    }
    return Sent(now, now + 0.001, _exchange(status, "", headers))


@pytest.mark.parametrize(
    ("answers", "holds"),
    [
        ([200], True),
        ([429, 200], True),  # another client took the token at Next; its next one was ours
        ([429, 429, 429], False),  # early every time: the target's Next
        ([429, 429, 429, 200], False),  # the third try is the last
    ],
)
def test_rate_011_waits_for_the_next_a_429_at_next_names_before_failing(
    monkeypatch: pytest.MonkeyPatch, answers: list[int], holds: bool
) -> None:
    """Two runs on one account: the other run's request took the token at X-RateLimit-Next
    and ours, sent there, was answered 429 (AKAMAI-RATE-011 failed in 1 of 3 loaded runs)."""
    script = iter(answers)
    sent: list[int] = []

    def send_now(ctx: ScenarioContext, *, polite: bool = False) -> Sent:
        status = next(script)
        sent.append(status)
        return _at_next(status, 0.05)

    monkeypatch.setattr(rate_limit, "send_now", send_now)
    collector = ResultsCollector(load_catalogue(APIS["akamai"]))
    scenario = Scenario("rate-limit", "akamai", lambda ctx: None, rate_limit.RATE_CITES)
    ctx = ScenarioContext(scenario, cast(TargetClient, None), collector, "run")
    rate_limit._observe_next(ctx, _at_next(429, 0.05))
    result = next(r for r in collector.results() if r.requirement.id == "AKAMAI-RATE-011")
    assert (result.failures == 0) is holds and len(sent) == min(len(answers), 3)


def test_rate_011_fails_at_once_when_the_429_at_next_names_no_later_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[Sent] = []
    monkeypatch.setattr(
        rate_limit, "send_now", lambda ctx, **kw: sent.append(_at_next(429, -0.5)) or sent[-1]
    )
    collector = ResultsCollector(load_catalogue(APIS["akamai"]))
    scenario = Scenario("rate-limit", "akamai", lambda ctx: None, rate_limit.RATE_CITES)
    ctx = ScenarioContext(scenario, cast(TargetClient, None), collector, "run")
    rate_limit._observe_next(ctx, _at_next(429, 0.05))
    result = next(r for r in collector.results() if r.requirement.id == "AKAMAI-RATE-011")
    assert result.failures == 1 and len(sent) == 1


# A scripted answer: (status, X-RateLimit-Remaining, X-RateLimit-Next): MOVING (just ahead of
# each answer), seconds from the scenario's start, or None (no Next).
Scripted = tuple[int, int, float | str | None]
MOVING = "moving"
NEXT_SOON = 0.02


@pytest.mark.parametrize(
    ("answers", "verdict", "sends"),
    [
        # Each pause's 429 is another client's spending (a request at its Next is served); then
        # the budget is seen grown. The old loop failed after the third 429.
        ([(429, 0, MOVING), (200, 0, MOVING)] * 3 + [(200, 2, MOVING)], "passed", 7),
        # ... or the 429 at its Next names a later Next: the token went to the other client.
        ([(429, 0, 1.0), (429, 0, 2.0), (200, 2, MOVING)], "passed", 3),
        # Never refills: no Next to wait for, or the 429 at Next names the same Next again.
        ([(429, 0, None)] * 3, "failed", 3),
        ([(429, 0, 0.5)] * 6, "failed", 6),
        # Served, and Remaining never grows: the header lies (the kill matrix's fault).
        ([(200, 0, MOVING)] * 3, "failed", 3),
        # Contended until the patience ends: no verdict.
        ([(429, 0, MOVING), (200, 0, MOVING)] * 40, "untested", None),
    ],
)
def test_rate_008_does_not_count_a_pause_another_client_spent(
    monkeypatch: pytest.MonkeyPatch, answers: list[Scripted], verdict: str, sends: int | None
) -> None:
    """Two runs on one account: the other run spent each refill during our pauses and RATE-008
    failed ("after pausing, X-RateLimit-Remaining is 0 (status 429)") on a faultless target."""
    script = iter(answers)
    sent: list[int] = []
    began = time.time()

    def send_now(ctx: ScenarioContext, *, polite: bool = False) -> Sent:
        status, remaining, next_at = next(script)
        sent.append(status)
        if next_at is None:
            answer = _at_next(status, 0.0, remaining)
            headers = dict(answer.exchange.response.headers)
            del headers["X-RateLimit-Next"]
            return Sent(answer.at, answer.answered, _exchange(status, "", headers))
        if next_at == MOVING:
            return _at_next(status, NEXT_SOON, remaining)
        return _at_next(status, began + float(next_at) - time.time(), remaining)

    monkeypatch.setattr(rate_limit, "send_now", send_now)
    collector = ResultsCollector(load_catalogue(APIS["akamai"]))
    scenario = Scenario("rate-limit", "akamai", lambda ctx: None, rate_limit.RATE_CITES)
    ctx = ScenarioContext(scenario, cast(TargetClient, None), collector, "run")
    ctx.settle_timeout = 1.0
    burst = rate_limit.Burst(limit=20)
    rate_limit._observe_refill(ctx, burst, _at_next(429, NEXT_SOON), per_token=0.001)
    result = next(r for r in collector.results() if r.requirement.id == "AKAMAI-RATE-008")
    assert result.status == verdict
    assert sends is None or len(sent) == sends
    if verdict == "untested":
        assert "another client spent the budget" in result.reason, result.reason


def test_a_next_a_day_ahead_is_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile target's 429 naming X-RateLimit-Next a day ahead: the rate-limit scenario
    slept until then (a hang); now neither RATE-011 nor RATE-008 waits past NEXT_WAIT_LIMIT."""
    sent: list[int] = []

    def send_now(ctx: ScenarioContext, *, polite: bool = False) -> Sent:
        sent.append(429)
        return _at_next(429, 86400.0)

    monkeypatch.setattr(rate_limit, "send_now", send_now)
    collector = ResultsCollector(load_catalogue(APIS["akamai"]))
    scenario = Scenario("rate-limit", "akamai", lambda ctx: None, rate_limit.RATE_CITES)
    ctx = ScenarioContext(scenario, cast(TargetClient, None), collector, "run")
    began = time.monotonic()
    assert rate_limit._observe_next(ctx, _at_next(429, 86400.0)) is None
    rate_limit._observe_refill(
        ctx, rate_limit.Burst(limit=20), _at_next(429, 86400.0), per_token=0.001
    )
    assert time.monotonic() - began < 5
    assert len(sent) == rate_limit.REFILL_TRIES  # one after each pause, none at the Next
    result = next(r for r in collector.results() if r.requirement.id == "AKAMAI-RATE-008")
    assert result.status == "failed"  # 429 after every pause, and no refill seen
