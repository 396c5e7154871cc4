"""The run engine: reports, exit codes, bad targets, reproducibility."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from conformance.apis import APIS
from conformance.catalogue import load_catalogue
from conformance.checks.registry import CHECKS
from conformance.cli import main
from conformance.core.exchange import Exchange
from conformance.core.results import ResultsCollector
from conformance.exit_codes import ExitCode
from conformance.reporting.json_report import report_schema
from conformance.runner.run import run_conformance
from conformance.settings import RunSettings
from tests.support.misbehaving import free_port, html_500, misbehaving_server

QUICK = ("property", "stateful")


def test_every_check_cites_a_known_observable_requirement() -> None:
    for api, checks in CHECKS.items():
        catalogue = load_catalogue(APIS[api])
        for check in checks:
            assert check.requirement_id in catalogue, (check.name, check.requirement_id)
            assert catalogue.get(check.requirement_id).observable, check.requirement_id
            assert check.api == api


def test_embedded_azion_run_writes_a_valid_report(tmp_path: Path) -> None:
    outcome = run_conformance(
        RunSettings(api="azion", report_dir=tmp_path, phases=QUICK, max_examples=3)
    )
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, report_schema())
    assert report == outcome.report.to_json()
    assert report["target"]["embedded"] is True
    assert report["requests"]["total"] > 0
    assert report["settings"]["token"] is None
    statuses = {r["id"]: r["status"] for r in report["requirements"]}
    assert statuses["AZION-ENVELOPE-002"] == "passed"
    assert statuses["AZION-AUTH-008"] == "untested"  # not observable


def test_same_seed_same_verdict(tmp_path: Path) -> None:
    verdicts = []
    for run in ("a", "b"):
        outcome = run_conformance(
            RunSettings(
                api="azion", report_dir=tmp_path / run, phases=("property",), max_examples=3, seed=7
            )
        )
        verdicts.append({r.id: r.status for r in outcome.report.requirements})
    assert verdicts[0] == verdicts[1]


def _stateful_requests(tmp_path: Path, seed: int) -> list[str]:
    sent: list[str] = []

    def note(exchange: Exchange, collector: ResultsCollector) -> None:
        if exchange.phase == "stateful":
            line = f"{exchange.request.method} {exchange.request.path} {exchange.request.body}"
            sent.append(re.sub(r"dsconform-[0-9a-f]+-", "<run prefix>-", line))

    run_conformance(
        RunSettings(
            api="azion",
            report_dir=tmp_path / str(seed) / str(len(list(tmp_path.iterdir()))),
            phases=("stateful",),
            max_examples=3,
            seed=seed,
        ),
        on_exchange=note,
    )
    return sent


def test_stateful_sequences_follow_the_seed(tmp_path: Path) -> None:
    """--seed alone decides the state machine's requests (not a digest of our own code, which
    would change them, and stale every recording, at each edit)."""
    first, again, other = (_stateful_requests(tmp_path, seed) for seed in (3, 3, 4))
    assert first == again
    assert first != other


@pytest.mark.parametrize("api", ["akamai", "azion"])
def test_unreachable_target_is_exit_2_with_a_report(
    api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code = main(
        [
            "run",
            "--api",
            api,
            "--base-url",
            url,
            "--report-dir",
            str(tmp_path),
            "--phases",
            "property",
            "--max-examples",
            "2",
        ]
    )
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert "connection refused" in err
    assert "Traceback" not in err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, report_schema())
    assert report["verdict"] == "error"
    assert "connection refused" in report["aborted"]


def test_html_500_target_fails_requirements_not_the_suite(tmp_path: Path) -> None:
    with misbehaving_server(html_500) as url:
        code = main(
            [
                "run",
                "--api",
                "akamai",
                "--base-url",
                url,
                "--report-dir",
                str(tmp_path),
                "--phases",
                "property",
                "--max-examples",
                "1",
            ]
        )
    assert code == ExitCode.FINDINGS
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    failed = {r["id"] for r in report["requirements"] if r["status"] == "failed"}
    assert {"AKAMAI-STATUS-001", "AKAMAI-RATE-003"} <= failed
    assert not [r for r in report["requirements"] if r["status"] == "error"]


def test_target_answering_only_5xx_is_stopped_with_its_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--api", "akamai", "--phases", "property", "--max-examples", "5"]
    with misbehaving_server(html_500) as url:
        code = main([*argv, "--base-url", url, "--report-dir", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert code == ExitCode.USAGE
    assert "50 requests in a row with a 5xx" in report["aborted"]
    assert "Traceback" not in err
    assert report["requests"]["total"] == 50
    failed = {r["id"] for r in report["requirements"] if r["status"] == "failed"}
    assert "AKAMAI-STATUS-001" in failed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--api", "azion", "--phases", "fuzz"], "unknown phase(s) fuzz"),
        (["run", "--api", "azion", "--max-examples", "0"], "must be at least 1"),
        (["run", "--api", "gcp"], "invalid choice: 'gcp'"),
        (["run", "--api", "azion", "--settle-timeout", "0"], "must be greater than 0"),
        (["run", "--api", "azion", "--fault", "no-such-fault"], "unknown fault(s): no-such-fault"),
        (["run", "--api", "akamai", "--edgerc", "/nonexistent/.edgerc"], ".edgerc file not found"),
    ],
)
def test_bad_flags_are_one_line_errors(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        code = main([*argv, "--report-dir", str(tmp_path)])
        raise SystemExit(code)
    err = capsys.readouterr().err
    assert raised.value.code == ExitCode.USAGE
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_settle_timeout_flag_reaches_the_run(tmp_path: Path) -> None:
    args = ["run", "--api", "azion", "--phases", "property", "--max-examples", "1", "--quiet"]
    code = main([*args, "--settle-timeout", "7.5", "--report-dir", str(tmp_path)])
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert code == ExitCode.OK
    assert report["settings"]["settle_timeout"] == 7.5
