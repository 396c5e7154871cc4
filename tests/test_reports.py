"""The readable reports: report.json (schema + coverage), junit.xml, summary.md, report.html,
the `report` command and the progress display."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rich.console import Console

from conformance.apis import APIS, get_api
from conformance.openapi_document import OpenApiDocument
from conformance.reporting.coverage import UNMATCHED, CoverageCollector, documented_codes
from conformance.reporting.html_report import curl_command, render_html
from conformance.reporting.json_report import report_schema, write_report
from conformance.reporting.junit_report import render_junit
from conformance.reporting.markdown_report import render_markdown
from conformance.reporting.model import ExchangeRequest, Report
from conformance.reporting.report_command import add_report_parser
from conformance.reporting.terminal_report import print_summary, render_summary
from conformance.reporting.writers import (
    JUNIT_XML,
    REPORT_HTML,
    REPORT_JSON,
    SUMMARY_MD,
    load_report,
    regenerate,
    write_combined_html,
    write_reports,
)
from conformance.runner.events import PhaseFinished, PhaseStarted, Progress
from conformance.runner.progress import RunProgress
from conformance.runner.run import run_conformance
from conformance.settings import RunSettings

FAULT = "schema-version-2"


def run_with_coverage(
    api: str,
    report_dir: Path,
    faults: tuple[str, ...] = (),
    phases: tuple[str, ...] = ("property", "stateful"),
    max_examples: int = 3,
) -> dict[str, Any]:
    """A quick embedded run (it writes all four files and collects `coverage` itself); its
    report as report.json holds it."""
    settings = RunSettings(
        api=api,
        report_dir=report_dir,
        phases=phases,
        max_examples=max_examples,
        faults=faults,
    )
    return run_conformance(settings).report.to_json()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """An Azion run against the reference server with `schema_version` 2 in every body."""
    report_dir = tmp_path_factory.mktemp("faulty")
    return run_with_coverage("azion", report_dir, (FAULT,)), report_dir


@pytest.fixture(scope="module")
def clean_akamai(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    report_dir = tmp_path_factory.mktemp("akamai")
    return run_with_coverage("akamai", report_dir, phases=("property",), max_examples=1), report_dir


# -- report.json ---------------------------------------------------------------------------------


def test_report_json_matches_its_schema(faulty: tuple[dict[str, Any], Path]) -> None:
    report, report_dir = faulty
    on_disk = json.loads((report_dir / REPORT_JSON).read_text(encoding="utf-8"))
    jsonschema.validate(on_disk, report_schema())
    assert on_disk == report
    assert report["verdict"] == "failed"
    assert report["target"]["faults"] == [FAULT]


def test_coverage_counts_every_request_against_documented_codes(
    faulty: tuple[dict[str, Any], Path],
) -> None:
    report, _ = faulty
    coverage = report["coverage"]
    documented = documented_codes(OpenApiDocument.load(get_api("azion").spec_path))
    for operation, codes in documented.items():
        assert coverage[operation]["documented"] == codes
    assert sum(sum(e["seen"].values()) for e in coverage.values()) == report["requests"]["total"]
    assert coverage["createStreaming"]["seen"].get("201", 0) > 0


def test_coverage_collector_counts_by_operation_and_status() -> None:
    @dataclass
    class Response:
        status: int

    @dataclass
    class Exchange:
        operation_id: str | None
        response: Response

    collector = CoverageCollector(OpenApiDocument.load(get_api("azion").spec_path))
    for operation, status in [
        ("getStreaming", 200),
        ("getStreaming", 404),
        ("getStreaming", 404),
        (None, 404),
        ("getStreaming", 418),
    ]:
        collector(Exchange(operation, Response(status)))
    coverage = collector.as_dict()
    assert coverage["getStreaming"]["seen"] == {"200": 1, "404": 2, "418": 1}
    assert coverage["listTemplates"]["seen"] == {}
    assert coverage[UNMATCHED] == {"documented": [], "seen": {"404": 1}}
    schema = report_schema()["properties"]["coverage"]
    jsonschema.validate(coverage, schema)


def test_schema_rejects_a_malformed_coverage(faulty: tuple[dict[str, Any], Path]) -> None:
    report = json.loads(json.dumps(faulty[0]))
    report["coverage"]["getStreaming"]["seen"] = {"two hundred": 1}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, report_schema())


# -- schema findings ------------------------------------------------------------------------------


def _get_stream_finding(mutate: Any) -> tuple[str, str]:
    """success_body_matches_schema's message for the seed's getStream sample, mutated."""
    from conformance.checks.base import CheckEnv, Violation
    from conformance.checks.operation_contract import success_body_matches_schema
    from conformance.core.exchange import Exchange, RecordedRequest, RecordedResponse

    document = OpenApiDocument.load(get_api("akamai").spec_path)
    media = document.resolve(document.operation("getStream").definition["responses"]["200"])
    body = json.loads(json.dumps(media["content"]["application/json"]["examples"]["seed"]["value"]))
    mutate(body)
    text = json.dumps(body)
    exchange = Exchange(
        RecordedRequest("GET", "http://127.0.0.1:1/x", "/x", {}),
        RecordedResponse(200, {"Content-Type": "application/json"}, text),
        "getStream",
        "property",
    )
    outcome = success_body_matches_schema(exchange, CheckEnv(document))
    assert isinstance(outcome, Violation), outcome
    return outcome.message, text


def test_a_schema_finding_names_the_failing_member_as_json() -> None:
    def string_id(body: dict[str, Any]) -> None:
        body["connectors"][0]["connectorId"] = "8602"

    message, _ = _get_stream_finding(string_id)
    # The member inside the connector's oneOf branch, not "... is not valid under any of".
    assert " at $.connectors[0].connectorId: " in message
    assert '"8602" is not of type' in message
    assert "{'" not in message and "True" not in message  # no Python repr

    def missing_name(body: dict[str, Any]) -> None:
        del body["streamName"]

    message, _ = _get_stream_finding(missing_name)
    assert " at $: " in message and "streamName" in message


def test_json_paths_read_back_as_written() -> None:
    from conformance.openapi_document import JSON_PATH_IN_MESSAGE, json_path, json_path_parts

    for parts in ([], ["streams", 0, "streamName"], [3, "a b", "it's", "back\\slash", 0]):
        path = json_path(parts)
        assert json_path_parts(path) == parts
        found = JSON_PATH_IN_MESSAGE.search(f"GET /x 200 body does not match at {path}: no")
        assert found is not None and found.group(1) == path
    assert json_path(["streams", 0, "streamName"]) == "$.streams[0].streamName"
    assert json_path_parts("streams.0") is None


def test_html_shows_the_part_of_the_body_a_schema_finding_names(
    faulty: tuple[dict[str, Any], Path],
) -> None:
    def string_id(body: dict[str, Any]) -> None:
        body["connectors"][0]["connectorId"] = "8602"

    message, text = _get_stream_finding(string_id)
    report = json.loads(json.dumps(faulty[0]))
    failed = next(r for r in report["requirements"] if r["status"] == "failed")
    failed["findings"][0]["message"] = message
    failed["findings"][0]["response"]["body"] = text
    html = render_html([Report.from_json(report)])
    focus = re.search(r'<pre class="focus">(.*?)</pre>', html, re.S)
    assert focus is not None
    assert "At <code>$.connectors[0].connectorId</code>, in <code>$.connectors[0]</code>" in html
    assert "<mark>  &#34;connectorId&#34;: &#34;8602&#34;,</mark>" in focus.group(1)
    assert "connectorType" in focus.group(1) and "streamName" not in focus.group(1)


# -- junit.xml -----------------------------------------------------------------------------------


def test_junit_has_one_case_per_requirement(faulty: tuple[dict[str, Any], Path]) -> None:
    report, report_dir = faulty
    root = ET.parse(report_dir / JUNIT_XML).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(report["requirements"]) == int(suite.get("tests", "-1"))
    by_id = {case.get("name", ""): case for case in cases}
    for requirement in report["requirements"]:
        case = by_id[requirement["id"]]  # named by the ID alone: stable across catalogue edits
        assert case.get("classname") == f"azion.{requirement['source']['section']}"
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        statement = " ".join(requirement["statement"].split())
        assert properties["statement"] == statement
        assert properties["level"] == requirement["level"]
        failure = case.find("failure")
        skipped = case.find("skipped")
        if requirement["status"] == "failed":
            assert failure is not None and failure.text
            assert requirement["findings"][0]["message"] in failure.text
            first = " ".join(requirement["findings"][0]["message"].split())
            assert failure.get("message") == f"{requirement['level']}: {statement} — {first}"
        else:
            assert failure is None
        assert (skipped is not None) == (requirement["status"] == "untested")
    assert int(suite.get("failures", "-1")) == report["counts"]["failed"] > 0
    assert int(suite.get("skipped", "-1")) == report["counts"]["untested"]


def test_junit_times_are_real(faulty: tuple[dict[str, Any], Path]) -> None:
    """A requirement judged on requests takes their answer time; the suite, the run's."""
    report, report_dir = faulty
    (suite,) = ET.parse(report_dir / JUNIT_XML).getroot().findall("testsuite")
    times = {case.get("name"): float(case.get("time", "-1")) for case in suite.iter("testcase")}
    for requirement in report["requirements"]:
        if requirement["passes"] or requirement["failures"]:
            assert times[requirement["id"]] > 0, requirement["id"]
            assert times[requirement["id"]] == round(requirement["seconds"], 3)
        else:
            assert times[requirement["id"]] == 0, requirement["id"]
    wall = (
        datetime.fromisoformat(report["finished_at"]) - datetime.fromisoformat(report["started_at"])
    ).total_seconds()
    assert float(suite.get("time", "-1")) == pytest.approx(wall, abs=0.001) and wall > 0


def test_junit_survives_bytes_xml_cannot_carry(faulty: tuple[dict[str, Any], Path]) -> None:
    report = json.loads(json.dumps(faulty[0]))
    failed = next(r for r in report["requirements"] if r["status"] == "failed")
    failed["findings"][0]["message"] = "bad \x00\x1b[31m byte & <tag>"
    failed["findings"][0]["response"]["body"] = "\x07" * 10
    root = ET.fromstring(render_junit([Report.from_json(report)]).encode("utf-8"))
    assert any("<tag>" in (f.text or "") for f in root.iter("failure"))


# -- summary.md ----------------------------------------------------------------------------------


def test_summary_md_is_short_and_names_every_failure(faulty: tuple[dict[str, Any], Path]) -> None:
    report, report_dir = faulty
    text = (report_dir / SUMMARY_MD).read_text(encoding="utf-8")
    assert "azion: FAILED" in text.splitlines()[0]
    assert f"| {report['counts']['passed']} | {report['counts']['failed']} |" in text
    for requirement in report["requirements"]:
        assert (f"**{requirement['id']}**" in text) == (requirement["status"] == "failed")
    assert len(text) < 6000  # a pull-request comment, not a report


def test_summary_md_caps_long_failure_lists(faulty: tuple[dict[str, Any], Path]) -> None:
    report = json.loads(json.dumps(faulty[0]))
    for requirement in report["requirements"]:
        requirement["status"] = "failed"
    text = render_markdown([Report.from_json(report)])
    assert f"and {len(report['requirements']) - 20} more" in text
    assert len(text.splitlines()) < 40


# -- report.html ---------------------------------------------------------------------------------


class _Assets(HTMLParser):
    """Collects every reference a page makes to something outside itself."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if (
                name in ("src", "href", "srcset", "action", "data")
                and value
                and not (value.startswith("#"))
            ):
                self.external.append(f"<{tag} {name}={value}>")
        if tag == "link":
            self.external.append("<link>")


def test_html_is_self_contained(faulty: tuple[dict[str, Any], Path]) -> None:
    _, report_dir = faulty
    html = (report_dir / REPORT_HTML).read_text(encoding="utf-8")
    parser = _Assets()
    parser.feed(html)
    assert parser.external == []
    assert "@import" not in html and "url(" not in html
    assert "<script>" in html and "<style>" in html and "<svg" in html


def test_html_shows_matrix_chart_coverage_and_failures(
    faulty: tuple[dict[str, Any], Path],
) -> None:
    report, report_dir = faulty
    html = (report_dir / REPORT_HTML).read_text(encoding="utf-8")
    for requirement in report["requirements"]:
        assert f'id="req-{requirement["id"]}" data-status="{requirement["status"]}"' in html
    for section in {r["source"]["section"] for r in report["requirements"]}:
        assert f"<title>{section}" in html.replace("&#39;", "'")  # one chart bar per section
    assert 'id="coverage-azion"' in html
    failed = [r for r in report["requirements"] if r["status"] == "failed"]
    for requirement in failed:
        assert f'id="fail-{requirement["id"]}"' in html
    assert "curl -sS -i -g -X POST" in html
    assert "Authorization: Token $AZION_TOKEN" in html
    assert "&#34;schema_version&#34;: 2" in html  # the response body, pretty-printed


def test_html_escapes_what_the_target_sent(faulty: tuple[dict[str, Any], Path]) -> None:
    report = json.loads(json.dumps(faulty[0]))
    failed = next(r for r in report["requirements"] if r["status"] == "failed")
    failed["findings"][0]["message"] = "<script>alert(1)</script>"
    failed["findings"][0]["response"]["body"] = "<img src=x onerror=alert(2)>"
    html = render_html([Report.from_json(report)])
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_combined_html_has_both_apis_and_an_api_filter(
    faulty: tuple[dict[str, Any], Path],
    clean_akamai: tuple[dict[str, Any], Path],
    tmp_path: Path,
) -> None:
    reports = [Report.from_json(clean_akamai[0]), Report.from_json(faulty[0])]
    path = write_combined_html(reports, tmp_path / "both.html")
    html = path.read_text(encoding="utf-8")
    assert 'id="api-akamai"' in html and 'id="api-azion"' in html
    assert 'data-filter="api" value="akamai"' in html
    assert 'id="overall-verdict">failed<' in html


def test_curl_command_is_redacted_and_quoted() -> None:
    request = ExchangeRequest(
        method="post",
        url="https://api.example/data_streaming/streamings?token=abc123",
        headers={"Authorization": "Token s3cr3t", "Content-Length": "99", "X-Note": "it's"},
        body=json.dumps({"name": "x", "endpoint": {"secret_key": "hunter2"}}),
    )
    command = curl_command(request, "azion")
    assert "s3cr3t" not in command and "hunter2" not in command and "abc123" not in command
    assert '-H "Authorization: Token $AZION_TOKEN"' in command
    assert "Content-Length" not in command
    argv = __import__("shlex").split(command.replace("\\\n", " "))
    assert argv[:6] == ["curl", "-sS", "-i", "-g", "-X", "POST"]
    assert "X-Note: it's" in argv
    signed = replace(request, headers={"Authorization": "EG1-HMAC-SHA256 x"})
    akamai = curl_command(signed, "akamai")
    assert "Authorization: <redacted>" in akamai


def test_curl_and_its_note_follow_the_api_definition(
    faulty: tuple[dict[str, Any], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """How a report turns a request into curl is the API's definition: the stand-in for a
    redacted Authorization, and the note for a signature curl cannot compute; an API with
    neither keeps the header redacted."""
    report = json.loads(json.dumps(faulty[0]))
    note = get_api("akamai").curl_signature_note
    signed = render_html([Report.from_json({**report, "api": "akamai"})])
    assert note and note in signed
    assert "$AZION_TOKEN" not in signed and "Authorization: &lt;redacted&gt;" in signed
    assert note not in render_html([Report.from_json(report)])
    request = ExchangeRequest(
        method="get", url="https://api.example/x", headers={"Authorization": "k"}, body=""
    )
    toy = replace(get_api("azion"), name="toy", curl_authorization="Bearer $TOY_TOKEN")
    monkeypatch.setitem(APIS, "toy", toy)
    assert '-H "Authorization: Bearer $TOY_TOKEN"' in curl_command(request, "toy")
    monkeypatch.setitem(APIS, "toy", replace(toy, curl_authorization=""))
    assert "-H 'Authorization: <redacted>'" in curl_command(request, "toy")


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl binary")
def test_curl_command_of_a_failure_runs(faulty: tuple[dict[str, Any], Path]) -> None:
    """The curl of a failing createStreaming, replayed against a fresh reference server."""
    from conformance.apis.azion.reference.credentials import Tokens
    from conformance.reference.config import ReferenceConfig
    from conformance.reference.launcher import reference_server

    report, _ = faulty
    finding = next(
        f
        for r in report["requirements"]
        for f in r["findings"]
        if f["operation"] == "createStreaming" and f["request"]
    )
    base = report["target"]["base_url"]
    config = ReferenceConfig(credentials=Tokens("curl-token"), faults=frozenset({FAULT}))
    with reference_server("azion", config) as url:
        request = {**finding["request"], "url": finding["request"]["url"].replace(base, url)}
        result = subprocess.run(
            ["bash", "-c", curl_command(ExchangeRequest(**request), "azion")],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "AZION_TOKEN": "curl-token"},
        )
    assert result.returncode == 0, result.stderr
    assert re.match(r"HTTP/1\.1 201", result.stdout), result.stdout[:300]
    assert re.search(r'"schema_version": ?2', result.stdout), result.stdout[-300:]


# -- writers and the report command -------------------------------------------------------------


def test_write_reports_writes_all_four(faulty: tuple[dict[str, Any], Path], tmp_path: Path) -> None:
    written = write_reports(Report.from_json(faulty[0]), tmp_path / "run")
    assert [p.name for p in written] == [REPORT_HTML, SUMMARY_MD, JUNIT_XML, REPORT_JSON]
    assert all(p.stat().st_size > 0 for p in written)


def test_regenerate_rewrites_the_other_three(
    faulty: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    write_report(faulty[0], tmp_path)
    written = regenerate(tmp_path)
    assert sorted(p.name for p in written) == sorted([REPORT_HTML, SUMMARY_MD, JUNIT_XML])
    before = (tmp_path / REPORT_HTML).read_text(encoding="utf-8")
    (tmp_path / REPORT_HTML).unlink()
    assert [p.name for p in regenerate(tmp_path, html_only=True)] == [REPORT_HTML]
    assert (tmp_path / REPORT_HTML).read_text(encoding="utf-8") == before


def _report_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dsconform")
    add_report_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_report_command_regenerates(
    faulty: tuple[dict[str, Any], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_report(faulty[0], tmp_path)
    assert _report_cli(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in out) == sorted([REPORT_HTML, SUMMARY_MD, JUNIT_XML])


def test_report_command_handles_the_api_all_layout(
    faulty: tuple[dict[str, Any], Path],
    clean_akamai: tuple[dict[str, Any], Path],
    tmp_path: Path,
) -> None:
    write_report(clean_akamai[0], tmp_path / "akamai")
    write_report(faulty[0], tmp_path / "azion")
    combined = tmp_path / "elsewhere" / "both.html"
    assert _report_cli(["report", str(tmp_path), "--combined", str(combined)]) == 0
    for directory in (tmp_path, tmp_path / "akamai", tmp_path / "azion"):
        assert (directory / REPORT_HTML).is_file() and (directory / JUNIT_XML).is_file()
    suites = ET.parse(tmp_path / JUNIT_XML).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["dsconform akamai", "dsconform azion"]
    assert 'id="api-akamai"' in combined.read_text(encoding="utf-8")


# Secrets an older dsconform let through, or a hand edit put in: `report` must not render them.
PLANTED = {
    "member": "planted-apikey-0123456789",
    "header": "planted-bearer-0123456789",
    "odd": "planted-odd-header-0123456789",
    "short": "sh0rt6",
    "password": "planted-password-0123456789",
    "setting": "planted-setting-0123456789",
    "cookie": "planted-cookie-0123456789",
    "lower-case scheme": "planted-lower-0123456789",
}


def _plant_secrets(report: dict[str, Any]) -> dict[str, Any]:
    planted = json.loads(json.dumps(report))
    finding = next(f for r in planted["requirements"] for f in r.get("findings", []))
    finding["request"]["headers"]["Authorization"] = f"Bearer {PLANTED['header']}"
    finding["request"]["headers"]["X-Partner-Secret"] = PLANTED["odd"]
    finding["request"]["url"] += f"?apiKey={PLANTED['member']}"
    finding["response"]["headers"]["Set-Cookie"] = f"session={PLANTED['cookie']}; Path=/"
    finding["response"]["body"] = json.dumps(
        {"results": {"apiKey": PLANTED["member"], "Password": PLANTED["password"]}}
    )
    finding["message"] += f" (sent Authorization: Token {PLANTED['short']}) visible-marker"
    finding["message"] += f" (authorization: token {PLANTED['lower-case scheme']})"
    planted["settings"]["apiKey"] = PLANTED["setting"]
    planted["notes"].append(f'the target echoed {{"privateKey": "{PLANTED["member"]}"}}')
    return planted


def test_report_command_redacts_an_old_or_edited_report(
    faulty: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    """Issue 11: `dsconform report` re-rendered report.json as it found it. Secrets planted in
    a finding's exchange, its message, a note and the settings reach none of the files."""
    write_report(_plant_secrets(faulty[0]), tmp_path)
    assert _report_cli(["report", str(tmp_path)]) == 0
    rendered = {name: (tmp_path / name).read_text("utf-8") for name in (REPORT_HTML, SUMMARY_MD)}
    rendered[JUNIT_XML] = (tmp_path / JUNIT_XML).read_text("utf-8")
    for name, text in rendered.items():
        leaked = [kind for kind, value in PLANTED.items() if value in text]
        assert leaked == [], f"{name} shows the planted {leaked}"
    # Not vacuous: the files show the finding whose exchange held the secrets.
    assert "visible-marker" in rendered[REPORT_HTML] and "visible-marker" in rendered[JUNIT_XML]
    assert load_report(tmp_path).settings["apiKey"] == "<redacted>"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        ('{"format_version": 1}', "not a dsconform report"),
        ("[]", "not a dsconform report"),
    ],
)
def test_report_command_rejects_a_missing_or_corrupt_report(
    content: str | None, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if content is not None:
        (tmp_path / REPORT_JSON).write_text(content, encoding="utf-8")
    assert _report_cli(["report", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("dsconform: error: ")
    assert expected in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert not (tmp_path / REPORT_HTML).exists()


def test_load_report_returns_the_validated_model(faulty: tuple[dict[str, Any], Path]) -> None:
    assert load_report(faulty[1]).to_json() == faulty[0]


# -- progress and the console summary ------------------------------------------------------------


@dataclass
class _FakeResult:
    failures: int


class _FakeCollector:
    def __init__(self, failures: list[int]) -> None:
        self._results = [_FakeResult(n) for n in failures]

    def results(self) -> list[_FakeResult]:
        return self._results


@dataclass
class _FakeExchange:
    operation_id: str | None


def _feed(progress: RunProgress) -> None:
    with progress:
        progress.handle(PhaseStarted("property"))
        progress.handle(Progress("property", "step", "GET /data_streaming/streamings (positive)"))
        progress.on_exchange(_FakeExchange("listStreamings"), _FakeCollector([0, 2, 1]))
        progress(_FakeExchange("getStreaming"))
        progress.handle(Progress("property", "note", "a [bracketed] note"))
        progress.handle(PhaseFinished("property", 0.5, requests=(("property", 2),)))


def test_progress_prints_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = RunProgress("azion", console=Console(file=stream, force_terminal=False))
    _feed(progress)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "azion: property phase started",
        "azion: property: GET /data_streaming/streamings (positive)",
        "azion: property: note: a [bracketed] note",
        lines[3],
    ]
    assert lines[3].startswith("azion: property phase finished: 2 requests,")
    assert lines[3].endswith("2 failed requirement(s) so far")
    assert (progress.requests, progress.failed, progress.operation) == (2, 2, "getStreaming")


def test_progress_is_silent_when_quiet() -> None:
    stream = io.StringIO()
    _feed(RunProgress("azion", quiet=True, console=Console(file=stream, force_terminal=True)))
    assert stream.getvalue() == ""


def test_progress_live_display_on_a_terminal() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=100)
    progress = RunProgress("azion", console=console)
    assert progress.live
    _feed(progress)
    assert "property phase finished" in stream.getvalue()
    rendered = io.StringIO()
    Console(file=rendered, width=100).print(progress._render())
    assert "2 requests" in rendered.getvalue() and "2 failed" in rendered.getvalue()


def test_console_summary(faulty: tuple[dict[str, Any], Path]) -> None:
    report, report_dir = faulty
    stream = io.StringIO()
    files = [report_dir / REPORT_HTML, report_dir / SUMMARY_MD]
    print_summary(Report.from_json(report), files, console=Console(file=stream, width=200))
    text = stream.getvalue()
    counts = report["counts"]
    assert text.startswith(f"azion: FAILED  {counts['passed']} passed, {counts['failed']} failed")
    assert f"report: {report_dir / REPORT_HTML} (also summary.md)" in text
    assert "FAILED AZION-ENVELOPE-002 MUST: schema_version is 2, not 3" in text
    short = render_summary(Report.from_json(report), files, short=True)
    assert "\n" not in short


@pytest.fixture
def examples() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent / "reports" / "examples"


def test_kept_example_is_small_and_valid(examples: Path) -> None:
    if not examples.is_dir():
        pytest.skip("reports/examples/ not generated")
    total = sum(p.stat().st_size for p in examples.rglob("*") if p.is_file())
    # The catalogue alone (77 requirements: statements, quotes, reasons, in four formats) is
    # about 180 KB; the findings of a one-example run add the rest.
    assert total < 300_000
    report = load_report(examples)
    assert report.verdict == "failed" and report.target.faults
    ET.parse(examples / JUNIT_XML)


def test_kept_example_is_what_the_script_writes_today(examples: Path, tmp_path: Path) -> None:
    """reports/examples/ is stale the moment a report format, a check or the catalogue changes:
    regenerate it with `python -m conformance.runner.examples`. Compared byte for byte (the
    script normalises everything that differs between two runs)."""
    from conformance.runner.examples import regenerate_examples

    fresh = {p.name for p in regenerate_examples(tmp_path)}
    assert fresh == {REPORT_HTML, SUMMARY_MD, JUNIT_XML, REPORT_JSON}
    stale = [
        name
        for name in sorted(fresh)
        if (examples / name).read_bytes() != (tmp_path / name).read_bytes()
    ]
    assert stale == [], (
        f"reports/examples/ is stale ({', '.join(stale)}): "
        "run python -m conformance.runner.examples"
    )
