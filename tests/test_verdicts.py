"""Verdicts users can trust (issue 12): the failure policy and its deviations, coverage honesty
(why each untested requirement is untested, `incomplete` with exit 3) and credentials refused
across the board diagnosed as such (exit 2)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.apis import APIS
from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.apis.azion.reference.credentials import DEFAULT_TOKEN
from conformance.catalogue import load_catalogue
from conformance.cli import main
from conformance.core.results import (
    FAIL_ON_POLICIES,
    Finding,
    ResultsCollector,
    Status,
    Untested,
    fails_the_run,
)
from conformance.exit_codes import ExitCode
from conformance.reference import build_app
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server, serve_in_thread
from conformance.reporting import model
from conformance.reporting.html_report import render_html
from conformance.reporting.json_report import build_report, report_schema
from conformance.reporting.junit_report import render_junit
from conformance.reporting.markdown_report import render_markdown
from conformance.reporting.model import Report
from conformance.reporting.terminal_report import render_summary
from conformance.reporting.writers import REPORT_HTML, SUMMARY_MD, regenerate
from conformance.runner.run import (
    exit_code_for,
    refused_credentials,
    run_conformance,
    throttled_throughout,
)
from conformance.settings import RunSettings
from tests.support.misbehaving import serving, throttled

CREDS = EdgeGridCredentials("akab-client-token", "secret-of-the-test", "akab-access-token")
# A reference-server fault that breaks one inferred MUST only (AZION-EDIT-004, our reading of
# PUT as a full replacement, ERRATUM-AZION-014), and the scenario that judges it.
DEVIATION_FAULT = ("put-acts-as-patch", "AZION-EDIT-004", "streaming-lifecycle")


# -- the policy table ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "basis", "expected"),
    [
        ("MUST", "explicit", {"explicit": True, "must": True, "all": True}),
        ("MUST", "inferred", {"explicit": False, "must": True, "all": True}),
        ("MUST", "external", {"explicit": False, "must": True, "all": True}),
        ("SHOULD", "explicit", {"explicit": False, "must": False, "all": True}),
        ("SHOULD", "inferred", {"explicit": False, "must": False, "all": True}),
        ("MAY", "external", {"explicit": False, "must": False, "all": True}),
    ],
)
def test_policy_table(level: str, basis: str, expected: dict[str, bool]) -> None:
    assert {p: fails_the_run(level, basis, p) for p in FAIL_ON_POLICIES} == expected


def test_catalogues_carry_a_basis_everywhere_and_keep_most_musts_explicit() -> None:
    for api in APIS.values():
        catalogue = load_catalogue(api)
        musts = Counter(r.basis for r in catalogue if r.level == "MUST")
        assert set(musts) <= {"explicit", "inferred", "external"}
        assert musts["explicit"] > 3 * (musts["inferred"] + musts["external"]), musts
    akamai = load_catalogue(APIS["akamai"])
    assert akamai.get("AKAMAI-VERSION-004").basis == "explicit"
    assert akamai.get("AKAMAI-VERSION-010").basis == "inferred"
    assert "ERRATUM-AKAMAI-124" in akamai.get("AKAMAI-VERSION-010").note
    azion = load_catalogue(APIS["azion"])
    assert azion.get("AZION-ERROR-001").basis == "external"
    assert azion.get("AZION-CREATE-004").basis == "inferred"


def _deviation_run(tmp_path: Path, policy: str) -> tuple[int, dict[str, Any]]:
    fault, _, scenario = DEVIATION_FAULT
    code = main(
        [
            "run",
            "--api",
            "azion",
            "--fault",
            fault,
            "--phases",
            "scenarios",
            "--scenarios",
            scenario,
            "--fail-on",
            policy,
            "--report-dir",
            str(tmp_path),
            "--quiet",
        ]
    )
    return code, json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def deviation_only(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], Path]:
    report_dir = tmp_path_factory.mktemp("deviation")
    code, report = _deviation_run(report_dir, "explicit")
    return code, report, report_dir


def test_a_deviation_only_run_passes_under_explicit(
    deviation_only: tuple[int, dict[str, Any], Path],
) -> None:
    code, report, _ = deviation_only
    _, requirement_id, _ = DEVIATION_FAULT
    assert code == ExitCode.OK
    assert report["verdict"] == "passed"
    assert report["fail_on"] == "explicit"
    assert report["deviations"] == [requirement_id]
    entry = next(r for r in report["requirements"] if r["id"] == requirement_id)
    assert entry["status"] == "failed" and entry["deviation"] is True
    assert entry["basis"] == "inferred" and entry["errata"] == ["ERRATUM-AZION-014"]


@pytest.mark.parametrize("policy", ["must", "all"])
def test_the_same_run_fails_under_a_stricter_policy(policy: str, tmp_path: Path) -> None:
    code, report = _deviation_run(tmp_path, policy)
    _, requirement_id, _ = DEVIATION_FAULT
    assert code == ExitCode.FINDINGS
    assert report["verdict"] == "failed" and report["deviations"] == []
    assert requirement_id in {r["id"] for r in report["requirements"] if r["status"] == "failed"}


def test_reports_list_deviations_first_with_their_basis(
    deviation_only: tuple[int, dict[str, Any], Path],
) -> None:
    _, report, report_dir = deviation_only
    _, requirement_id, _ = DEVIATION_FAULT
    jsonschema.validate(report, report_schema())
    summary = (report_dir / SUMMARY_MD).read_text(encoding="utf-8")
    assert "Deviations (1; they do not fail the run under `--fail-on explicit`)" in summary
    assert f"**{requirement_id}** MUST inferred (ERRATUM-AZION-014)" in summary
    assert "Failing requirements" not in summary
    html = (report_dir / REPORT_HTML).read_text(encoding="utf-8")
    assert html.index('id="deviations-azion"') < html.index("Requirement matrix")
    assert "deviation (inferred)" in html
    junit = render_junit([Report.from_json(report)])
    assert 'failures="0"' in junit
    assert "deviation (inferred MUST; not counted under --fail-on explicit)" in junit
    terminal = render_summary(Report.from_json(report))
    assert "1 deviation(s)" in terminal.splitlines()[0]
    assert f"DEVIATION[/] {requirement_id} MUST inferred" in terminal
    strict = json.loads(json.dumps(report))
    strict["fail_on"], strict["deviations"] = "all", []
    for entry in strict["requirements"]:
        entry["deviation"] = False
    assert 'failures="1"' in render_junit([Report.from_json(strict)])


def test_old_reports_without_the_new_fields_still_render(
    deviation_only: tuple[int, dict[str, Any], Path], tmp_path: Path
) -> None:
    _, report, _ = deviation_only
    old = json.loads(json.dumps(report))
    for key in ("fail_on", "deviations", "blocked", "incomplete"):
        del old[key]
    for entry in old["requirements"]:
        for key in ("basis", "deviation", "untested", "errata"):
            del entry[key]
    (tmp_path / "report.json").write_text(json.dumps(old), encoding="utf-8")
    regenerate(tmp_path)
    assert "Failing requirements (1)" in (tmp_path / SUMMARY_MD).read_text(encoding="utf-8")
    assert main(["report", str(tmp_path)]) == ExitCode.OK


# -- coverage honesty ----------------------------------------------------------------------------


def _report_with_blocked(blocked: str, policy: str = "explicit") -> Report:
    """Every observable Azion requirement passed but `blocked`."""
    catalogue = load_catalogue(APIS["azion"])
    collector = ResultsCollector(catalogue)
    for requirement in catalogue.observable():
        if requirement.id == blocked:
            collector.blocked(requirement.id, "no 429 within the budget")
        else:
            collector.passed(requirement.id, check="test")
    now = datetime.now(UTC)
    return build_report(
        settings=RunSettings(api="azion", fail_on=policy),
        api=APIS["azion"],
        target=model.Target(base_url="http://127.0.0.1:1", embedded=False),
        collector=collector,
        started=now,
        finished=now,
        aborted=None,
        requests=model.Requests(total=1),
        phases=[],
        notes=[],
        tool="dsconform test",
    )


def test_only_blocked_requirements_the_policy_covers_make_a_run_incomplete() -> None:
    external = _report_with_blocked("AZION-ERROR-004")  # external: FIELD-NOTES' 429
    assert external.verdict == "passed" and external.blocked == 1
    assert external.incomplete is None
    assert _report_with_blocked("AZION-ERROR-004", "must").verdict == "incomplete"
    explicit = _report_with_blocked("AZION-DELETE-003")
    assert explicit.verdict == "incomplete"
    assert explicit.incomplete == (
        "1 requirement(s) blocked, most often (1): no 429 within the budget"
    )
    assert exit_code_for(explicit) == ExitCode.INCOMPLETE
    jsonschema.validate(explicit.to_json(), report_schema())


def test_read_only_stateful_run_tests_nothing_and_is_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--api", "azion", "--read-only", "--phases", "stateful", "--quiet"]
    code = main([*argv, "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert code == ExitCode.INCOMPLETE
    assert report["verdict"] == "incomplete" and report["requests"]["total"] == 0
    assert err.count("\n") == 1 and "dsconform: incomplete: no requirement was tested" in err
    kinds = Counter(r["untested"] for r in report["requirements"])
    assert kinds == {"out-of-scope": 69, "not-observable": 8}
    entry = next(r for r in report["requirements"] if r["id"] == "AZION-CREATE-001")
    assert entry["reason"].startswith("out of scope (read-only run, --phases stateful)")
    jsonschema.validate(report, report_schema())


def test_without_credentials_azion_is_diagnosed_up_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with reference_server("azion") as base_url:
        code = main(
            ["run", "--api", "azion", "--base-url", base_url, "--report-dir", str(tmp_path)]
        )
    err = capsys.readouterr().err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert code == ExitCode.USAGE
    assert "the target refused our credentials: 401 on 1 of 1 requests" in err
    assert report["requests"]["total"] == 1 and report["verdict"] != "passed"
    entry = next(r for r in report["requirements"] if r["id"] == "AZION-CREATE-001")
    assert entry["untested"] == "blocked"
    assert entry["reason"].startswith("the run stopped before judging it (the target refused")


def test_unsigned_akamai_against_edgegrid_is_diagnosed_up_front(tmp_path: Path) -> None:
    with reference_server("akamai", ReferenceConfig(credentials=CREDS)) as base_url:
        outcome = run_conformance(
            RunSettings(api="akamai", base_url=base_url, report_dir=tmp_path, max_examples=2)
        )
    assert outcome.exit_code == ExitCode.USAGE
    assert outcome.report.aborted == ("the target refused our credentials: 401 on 1 of 1 requests")
    assert [r.id for r in outcome.report.requirements if r.status == "passed"] == []


def test_every_request_refused_is_the_same_diagnosis() -> None:
    assert refused_credentials({401: 12, 403: 3}) == (
        "the target refused our credentials: 401/403 on 15 of 15 requests"
    )
    assert refused_credentials({401: 12, 429: 2}) == (
        "the target refused our credentials: 401 on 12 of 12 requests (and 2 answered 429)"
    )
    assert refused_credentials({401: 12, 200: 1}) is None
    assert refused_credentials({429: 3}) is None
    assert refused_credentials({}) is None


def test_a_target_that_throttles_everything_gets_no_verdict(tmp_path: Path) -> None:
    """Every request answered 429: the run is aborted with that diagnosis (exit 2), it does
    not pass or fail the target on answers that judged nothing."""
    with serving(throttled) as served:
        outcome = run_conformance(
            RunSettings(
                api="akamai",
                base_url=served.url,
                phases=("property",),
                max_examples=1,
                report_dir=tmp_path,
            )
        )
    assert outcome.exit_code == ExitCode.USAGE
    assert outcome.report.verdict == "error"
    assert (outcome.report.aborted or "").startswith("the target answered 429 to every request")
    _nothing_passed_on_answers_that_judge_nothing(outcome.report)


def _nothing_passed_on_answers_that_judge_nothing(report: Report) -> None:
    """A target answering 429 (or 401) to everything is a constant answer: the rows its answers
    'passed' (a 429 is not a 401; its body is a problem document) are withheld, not passed."""
    assert [r.id for r in report.requirements if r.status == "passed"] == []
    withheld = [r for r in report.requirements if "withheld" in (r.reason or "")]
    assert withheld, "the run's passing observations were not turned into withheld ones"
    assert all(r.untested == "blocked" and r.passes == 0 for r in withheld)


def test_withheld_passes_become_blocked_and_failures_stay() -> None:
    collector = ResultsCollector(load_catalogue(APIS["azion"]))
    collector.passed("AZION-ERROR-004", check="test")
    collector.passed("AZION-ERROR-004", check="test")
    collector.passed("AZION-AUTH-001", check="test")
    collector.failed(Finding("AZION-AUTH-001", "test", "kind", "answered 200", "scenarios"))
    assert collector.withhold_passes("the run stopped (all 429)") == 1
    by_id = {r.requirement.id: r for r in collector.results()}
    error = by_id["AZION-ERROR-004"]
    assert (error.status, error.untested_kind, error.passes) == (
        Status.UNTESTED,
        Untested.BLOCKED,
        0,
    )
    assert error.reason == "the run stopped (all 429); 2 passing observations withheld"
    assert by_id["AZION-AUTH-001"].status == Status.FAILED


def test_every_request_throttled_is_a_diagnosis_not_a_verdict() -> None:
    assert throttled_throughout({429: 345}) == (
        "the target answered 429 to every request (345): its budget never let one through"
    )
    assert throttled_throughout({429: 345, 200: 1}) is None
    assert throttled_throughout({401: 3}) is None
    assert throttled_throughout({}) is None


def _refusing_writes(app: Any) -> Any:
    """The reference app behind a gateway that answers every write 400 (a field-keyed map)."""

    async def gateway(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            body = b'{"name": ["refused by the gateway"]}'
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return gateway


def test_a_refused_create_blocks_what_its_scenario_had_not_judged(tmp_path: Path) -> None:
    """Every create refused: the scenario stops on its refused precondition and what it cites
    is blocked (with the reason), never passed; the run is not `passed`."""
    with serve_in_thread(_refusing_writes(build_app("azion"))) as base_url:
        outcome = run_conformance(
            RunSettings(
                api="azion",
                base_url=base_url,
                token=DEFAULT_TOKEN,
                report_dir=tmp_path,
                phases=("scenarios",),
                scenarios=("streaming-lifecycle",),
            )
        )
    report = outcome.report.to_json()
    blocked = [r for r in report["requirements"] if r["untested"] == "blocked"]
    assert blocked and all("streaming-lifecycle stopped early" in r["reason"] for r in blocked)
    assert "AZION-DELETE-003" in {r["id"] for r in blocked}
    assert report["verdict"] != "passed" and outcome.exit_code != ExitCode.OK
    summary = render_markdown([Report.from_json(report)])
    assert f"Blocked ({len(blocked)}; the target did not let the run judge)" in summary
    assert "blocked: scenario streaming-lifecycle stopped early" in render_html(
        [Report.from_json(report)]
    )
    assert 'message="untested (blocked): scenario streaming-lifecycle' in render_junit(
        [Report.from_json(report)]
    )


def test_api_all_keeps_the_worst_exit_code() -> None:
    from conformance.cli import _severity

    def worst(*codes: int) -> int:
        return int(max(codes, key=_severity))

    assert worst(ExitCode.OK, ExitCode.INCOMPLETE) == ExitCode.INCOMPLETE
    assert worst(ExitCode.INCOMPLETE, ExitCode.FINDINGS) == ExitCode.FINDINGS
    assert worst(ExitCode.FINDINGS, ExitCode.USAGE) == ExitCode.USAGE
    assert worst(ExitCode.INTERRUPTED, ExitCode.FINDINGS) == ExitCode.INTERRUPTED


@pytest.mark.parametrize("api", sorted(APIS))
def test_the_cli_takes_every_fault_serve_lists_vacuity_faults_included(api: str) -> None:
    """`--fault` is checked before the first request against what the server can inject: the
    vacuity faults too (they were refused as unknown although `serve --list-faults` shows
    them)."""
    from conformance.preflight import PreflightError, check_inputs
    from conformance.reference import known_faults, vacuity_faults

    every = tuple(f.name for f in (*known_faults(api), *vacuity_faults(api)))
    check_inputs(RunSettings(api=api, faults=every))
    with pytest.raises(PreflightError, match="unknown fault"):
        check_inputs(RunSettings(api=api, faults=("no-such-fault",)))
