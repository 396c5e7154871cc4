"""No vacuous judgement (issue 12): refusals need their valid twin, identity is checked, and the
static mock the reference servers can play answers what a real static mock (Prism's) answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest

from conformance.apis import APIS
from conformance.apis.akamai.scenarios.connectors import _check_connector
from conformance.apis.azion.scenarios.support import ids_seen_before, listed_before, path_id
from conformance.catalogue import load_catalogue
from conformance.core.exchange import Exchange, RecordedRequest, RecordedResponse
from conformance.core.results import ResultsCollector, Status, Untested
from conformance.core.target_client import TargetClient
from conformance.openapi_document import OpenApiDocument
from conformance.reference.static_mock import StaticMock
from conformance.runner.run import run_conformance
from conformance.scenarios.base import (
    Scenario,
    ScenarioContext,
    Sent,
    SharedByScenarios,
    Twin,
)
from conformance.settings import RunSettings

RULE = "AZION-ENDPOINT-001"
CREATE = Twin("POST", "createStreaming", "a valid create accepted")


def _exchange(
    method: str,
    path: str,
    status: int,
    operation_id: str | None,
    body: Any = None,
    answer: Any = None,
) -> Exchange:
    request = RecordedRequest(
        method, f"http://127.0.0.1{path}", path, {}, json.dumps(body) if body else ""
    )
    response = RecordedResponse(status, {}, json.dumps(answer) if answer is not None else "")
    return Exchange(request, response, operation_id, "scenarios")


def _context(history: list[Sent], shared: SharedByScenarios | None = None) -> ScenarioContext:
    scenario = Scenario("test", "azion", lambda ctx: None, (RULE, "AZION-CREATE-001"))
    collector = ResultsCollector(load_catalogue(APIS["azion"]))
    client = cast(TargetClient, None)
    return ScenarioContext(scenario, client, collector, "run", history=history, shared=shared)


def _status(ctx: ScenarioContext, requirement_id: str = RULE) -> tuple[Status, Untested | None]:
    result = next(r for r in ctx.collector.results() if r.requirement.id == requirement_id)
    return result.status, result.untested_kind


def _settle(ctx: ScenarioContext) -> None:
    for action in reversed(ctx.cleanups):
        action()


def test_a_refusal_counts_only_with_its_valid_twin_accepted() -> None:
    invalid = _exchange("POST", "/data_streaming/streamings", 400, "createStreaming", {"x": 1})
    valid = _exchange("POST", "/data_streaming/streamings", 201, "createStreaming", {"y": 1})
    history: list[Sent] = [Sent(0, 0, invalid)]
    ctx = _context(history)
    ctx.expect_refused(RULE, invalid, "refused", CREATE)
    history.append(Sent(0, 0, valid))  # the twin may come after the refusal
    _settle(ctx)
    assert _status(ctx) == (Status.PASSED, None)


def test_a_refusal_without_its_twin_is_blocked_not_passed() -> None:
    invalid = _exchange("POST", "/data_streaming/streamings", 400, "createStreaming", {"x": 1})
    also_refused = _exchange("POST", "/data_streaming/streamings", 400, "createStreaming", {"y": 1})
    ctx = _context([Sent(0, 0, invalid), Sent(0, 0, also_refused)])
    ctx.expect_refused(RULE, invalid, "refused", CREATE)
    _settle(ctx)
    assert _status(ctx) == (Status.UNTESTED, Untested.BLOCKED)


def test_an_accepted_invalid_request_fails_at_once_and_a_wrong_code_fails_with_a_twin() -> None:
    accepted = _exchange("POST", "/data_streaming/streamings", 201, "createStreaming", {"x": 1})
    ctx = _context([Sent(0, 0, accepted)])
    ctx.expect_refused(RULE, accepted, "accepted an invalid body", CREATE)
    assert _status(ctx)[0] is Status.FAILED
    unauthorized = _exchange("POST", "/data_streaming/streamings", 401, "createStreaming", {"x": 1})
    valid = _exchange("POST", "/data_streaming/streamings", 201, "createStreaming", {"y": 1})
    other = _context([Sent(0, 0, unauthorized)])
    other.expect_refused(RULE, unauthorized, "401, not 400", CREATE)
    _settle(other)
    assert _status(other) == (Status.UNTESTED, Untested.BLOCKED)  # 401 everywhere: no verdict
    third = _context([Sent(0, 0, valid), Sent(0, 0, unauthorized)])
    third.expect_refused(RULE, unauthorized, "401, not 400", CREATE)
    _settle(third)
    assert _status(third)[0] is Status.FAILED  # the valid twin was served: 401 is wrong


def test_refusals_of_a_phase_are_settled_when_the_phase_ends() -> None:
    invalid = _exchange("PUT", "/data_streaming/streamings/3", 400, "replaceStreaming", {"x": 1})
    history: list[Sent] = [Sent(0, 0, invalid)]
    shared = SharedByScenarios()
    ctx = _context(history, shared)
    twin = Twin("PUT", "replaceStreaming", "a valid PUT accepted")
    ctx.expect_refused(RULE, invalid, "refused", twin)
    assert ctx.cleanups == []  # nothing settled at the scenario's end
    history.append(
        Sent(0, 0, _exchange("PUT", "/data_streaming/streamings/3", 200, "replaceStreaming", {}))
    )
    shared.settle_refusals()
    assert _status(ctx) == (Status.PASSED, None)


def test_twin_bodies_can_be_required_to_match() -> None:
    kafka = Twin("POST", "createStreaming", "kafka", lambda b: b.get("endpoint") == "kafka")
    assert kafka.accepted_by(_exchange("POST", "/s", 201, "createStreaming", {"endpoint": "kafka"}))
    assert not kafka.accepted_by(
        _exchange("POST", "/s", 201, "createStreaming", {"endpoint": "s3"})
    )
    assert not kafka.accepted_by(
        _exchange("POST", "/s", 400, "createStreaming", {"endpoint": "kafka"})
    )
    assert not kafka.accepted_by(
        _exchange("PUT", "/s", 200, "createStreaming", {"endpoint": "kafka"})
    )


def test_identity_helpers_read_the_run_history() -> None:
    listing = _exchange(
        "GET", "/data_streaming/streamings", 200, "listStreamings", answer={"results": [{"id": 7}]}
    )
    created = _exchange(
        "POST", "/data_streaming/streamings", 201, "createStreaming", {}, {"results": {"id": 9}}
    )
    again = _exchange(
        "POST", "/data_streaming/streamings", 201, "createStreaming", {}, {"results": {"id": 9}}
    )
    ctx = _context([Sent(0, 0, listing), Sent(0, 0, created), Sent(0, 0, again)])
    assert ids_seen_before(ctx, created) == {7}
    assert ids_seen_before(ctx, again) == {7, 9}  # a second create answering 9: not a new id
    assert listed_before(ctx, 7, again) and not listed_before(ctx, 9, again)
    assert path_id(_exchange("GET", "/data_streaming/streamings/49?x=1", 200, "getStreaming")) == 49
    assert path_id(_exchange("GET", "/data_streaming/streamings/abc", 404, "getStreaming")) is None


@pytest.mark.parametrize(
    ("api", "method", "path", "status", "member", "value"),
    [
        ("azion", "POST", "/data_streaming/streamings", 201, "results", {"id": 49}),
        ("azion", "GET", "/data_streaming/streamings/5", 200, "results", {"id": 15}),
        ("azion", "DELETE", "/data_streaming/streamings/5", 204, None, None),
        ("akamai", "GET", "/datastream-config-api/v1/log/streams/1", 200, "streamId", 7050),
    ],
)
def test_the_static_mock_answers_the_first_documented_example(
    api: str, method: str, path: str, status: int, member: str | None, value: Any
) -> None:
    """What Prism 5.16 answered in static mode (measured: id 49 for every Azion create, 15 for
    every read, whatever was sent)."""
    answer = StaticMock(OpenApiDocument.load(APIS[api].spec_path)).answer(method, path)
    assert answer is not None and answer.status == status
    if member is None:
        assert answer.body is None
    else:
        shown = answer.body[member]
        assert (shown.get("id") if isinstance(value, dict) else shown) == (
            value["id"] if isinstance(value, dict) else value
        )


@pytest.mark.parametrize(("api", "fault"), [("akamai", "unauthorized"), ("azion", "refuse-writes")])
def test_generated_refusals_need_the_named_code_and_an_accepted_valid_case(
    api: str, fault: str, tmp_path: Path
) -> None:
    """The property phase's negative cases, against a server that answers 401 everywhere (or
    refuses every write): "invalid input is answered 400" is not passed."""
    settings = RunSettings(
        api=api, report_dir=tmp_path, max_examples=1, faults=(fault,), phases=("property",)
    )
    outcome = run_conformance(settings)
    statuses = {r.id: r.status for r in outcome.report.requirements}
    negative = {"akamai": ("AKAMAI-STATUS-003", "AKAMAI-STATUS-004"), "azion": ("AZION-ERROR-006",)}
    assert {rid: statuses[rid] for rid in negative[api] if statuses[rid] == "passed"} == {}


def test_a_splunk_default_is_not_judged_on_another_connector_type() -> None:
    """AKAMAI-CONNECTOR-010 (Splunk's compressLogs default) once passed on an Azure connector."""
    scenario = Scenario(
        "connectors", "akamai", lambda ctx: None, ("AKAMAI-CONNECTOR-010", "AKAMAI-CONNECTOR-017")
    )
    collector = ResultsCollector(load_catalogue(APIS["akamai"]))
    ctx = ScenarioContext(scenario, cast(TargetClient, None), collector, "run")
    sent = {"connectorType": "SPLUNK", "connectorName": "splunk", "url": "https://x/collector/raw"}
    shown = {"connectors": [{"connectorType": "AZURE", "connectorName": "a", "compressLogs": True}]}
    read = _exchange(
        "GET", "/datastream-config-api/v1/log/streams/1", 200, "getStream", None, shown
    )
    _check_connector(ctx, sent, read)
    results = {r.requirement.id: r.status for r in collector.results()}
    assert results["AKAMAI-CONNECTOR-010"] is Status.UNTESTED
    assert results["AKAMAI-CONNECTOR-017"] is Status.FAILED
