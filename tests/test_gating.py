"""Gating: run-to-run diffs and baselines of known failures, keyed by finding fingerprint."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.exit_codes import ExitCode
from conformance.gating.baseline import evaluate_baseline, load_baseline
from conformance.gating.diff import diff_reports
from conformance.gating.findings import GatingInputError, failing_findings, fingerprint


def requirement(rid: str, status: str, *findings: tuple[str | None, str]) -> dict[str, Any]:
    return {
        "id": rid,
        "status": status,
        "findings": [
            {
                "fingerprint": fingerprint(rid, op, kind),
                "operation": op,
                "kind": kind,
                "message": f"{rid} broke ({kind})",
            }
            for op, kind in findings
        ],
    }


def report(*requirements: dict[str, Any], api: str = "akamai") -> dict[str, Any]:
    return {"api": api, "verdict": "failed", "requirements": list(requirements)}


OLD = report(
    requirement("AKAMAI-RATE-001", "failed", ("listGroups", "missing-header")),
    requirement("AKAMAI-ERROR-002", "failed", ("createStream", "not-problem-json")),
    requirement("AKAMAI-STREAM-GET-001", "passed"),
)
NEW = report(
    requirement("AKAMAI-RATE-001", "failed", ("listGroups", "missing-header")),
    requirement("AKAMAI-ERROR-002", "passed"),
    requirement("AKAMAI-STREAM-GET-001", "failed", ("getStream", "schema-mismatch")),
)


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_fingerprints_match_the_engine() -> None:
    from conformance.core.results import Finding

    finding = Finding("AKAMAI-RATE-001", "check", "missing-header", "m", "property", "listGroups")
    assert finding.fingerprint == fingerprint("AKAMAI-RATE-001", "listGroups", "missing-header")


def test_diff_sorts_findings_into_new_fixed_and_still_failing() -> None:
    result = diff_reports(OLD, NEW)
    assert [f.requirement for f in result.new] == ["AKAMAI-STREAM-GET-001"]
    assert [f.requirement for f in result.fixed] == ["AKAMAI-ERROR-002"]
    assert [f.requirement for f in result.still_failing] == ["AKAMAI-RATE-001"]
    assert result.exit_code == ExitCode.FINDINGS
    assert diff_reports(NEW, NEW).exit_code == ExitCode.OK


def test_diff_command_prints_the_three_lists_and_exits_1_on_new_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(tmp_path / "old" / "report.json", OLD)
    new = write(tmp_path / "new" / "report.json", NEW)
    assert main(["diff", str(old), str(new)]) == ExitCode.FINDINGS
    out = capsys.readouterr().out
    assert "new failures: 1" in out and "fixed: 1" in out and "still failing: 1" in out
    assert fingerprint("AKAMAI-STREAM-GET-001", "getStream", "schema-mismatch") in out
    # fixed only: nothing new fails
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "old")]) == ExitCode.OK
    capsys.readouterr()
    assert main(["diff", str(new), str(old), "--json"]) == ExitCode.FINDINGS
    data = json.loads(capsys.readouterr().out)
    assert [f["requirement"] for f in data["new"]] == ["AKAMAI-ERROR-002"]


def test_diff_of_an_unreadable_report_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "report.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["diff", str(bad), str(bad)]) == ExitCode.USAGE
    assert main(["diff", str(tmp_path / "missing.json"), str(bad)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err and "dsconform: error:" in err


def test_a_failed_requirement_without_findings_still_has_a_key() -> None:
    found = failing_findings(report(requirement("AKAMAI-RATE-002", "failed")))
    assert [f.requirement for f in found.values()] == ["AKAMAI-RATE-002"]


BASELINE = """
known_failures:
  - requirement: AKAMAI-RATE-001
    operation: listGroups
    reason: the reference throttles differently (tracked upstream)
    expires: 2999-12-31
  - requirement: AKAMAI-ERROR-002
    reason: the seed's own error sample is not problem+json (ERRATUM-AKAMAI-001)
  - fingerprint: {old_fp}
    reason: an accepted failure that has since expired
    expires: 2020-01-01
"""


def baseline_file(tmp_path: Path) -> Path:
    path = tmp_path / "baseline.yaml"
    old_fp = fingerprint("AKAMAI-STREAM-GET-001", "getStream", "schema-mismatch")
    path.write_text(BASELINE.format(old_fp=old_fp), encoding="utf-8")
    return path


def test_baseline_accepts_known_failures_and_flags_stale_entries(tmp_path: Path) -> None:
    baseline = load_baseline(baseline_file(tmp_path))
    result = evaluate_baseline(baseline, NEW, today=dt.date(2026, 1, 1))
    assert [f.requirement for f, _ in result.accepted] == ["AKAMAI-RATE-001"]
    # the expired entry accepts nothing: its failure counts as new
    assert [f.requirement for f in result.new] == ["AKAMAI-STREAM-GET-001"]
    assert result.exit_code == ExitCode.FINDINGS
    stale = {entry.line: why for entry, why in result.stale}
    assert "now passes" in stale[2]  # AKAMAI-ERROR-002 passes in NEW
    assert "expired on 2020-01-01" in stale[3]
    text = result.render()
    assert "STALE entry 2" in text and "STALE entry 3" in text and "NEW" in text


def test_baseline_exit_0_when_only_listed_failures_fail(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(
        "known_failures:\n"
        "  - requirement: AKAMAI-RATE-001\n    reason: known\n"
        "  - requirement: AKAMAI-STREAM-GET-001\n    kind: schema-mismatch\n    reason: known\n",
        encoding="utf-8",
    )
    result = evaluate_baseline(load_baseline(path), NEW)
    assert result.new == [] and result.exit_code == ExitCode.OK and result.stale == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("known_failures: [{requirement: AKAMAI-RATE-001}]", "reason"),
        ("known_failures: [{reason: x}]", "requirement"),
        ("known_failures: [{requirement: A, reason: x, expires: someday}]", "date"),
        ("known_failures: [{requirement: A, reason: x, colour: red}]", "unknown key"),
        ("[1, 2", "readable"),
        ("just text", "known_failures"),
    ],
)
def test_an_unusable_baseline_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GatingInputError, match=message):
        load_baseline(path)


def _findings_of(report_dir: Path) -> list[dict[str, Any]]:
    data = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return [
        {"requirement": r["id"], "operation": f["operation"], "kind": f["kind"]}
        for r in data["requirements"]
        if r["status"] == "failed"
        for f in r["findings"]
    ]


def test_run_with_a_baseline_gates_on_new_failures_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "run",
        "--api",
        "azion",
        "--phases",
        "property",
        "--max-examples",
        "2",
        "--fault",
        "schema-version-2",
    ]
    first = main([*args, "--report-dir", str(tmp_path / "first")])
    failing = _findings_of(tmp_path / "first")
    if first != ExitCode.FINDINGS or not failing:
        pytest.skip("the fault produced no finding in this configuration")
    lines = ["known_failures:"]
    for item in failing:
        lines += [
            f"  - requirement: {item['requirement']}",
            f"    operation: {item['operation'] or ''}",
            f"    kind: {item['kind']}",
            "    reason: injected fault, accepted for this test",
        ]
    lines += [
        "  - requirement: AZION-ENVELOPE-001",
        "    operation: getTemplate",
        "    kind: never-happens",
        "    reason: a stale entry",
    ]
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    code = main([*args, "--report-dir", str(tmp_path / "second"), "--baseline", str(baseline)])
    out = capsys.readouterr().out
    assert code == ExitCode.OK, out
    assert "STALE entry" in out and "now passes" in out
    result = json.loads((tmp_path / "second" / "baseline.json").read_text(encoding="utf-8"))
    assert result["new"] == [] and len(result["stale"]) == 1
    # without the fault nothing listed fails: every entry is stale, and nothing is new
    code = main(
        [
            "run",
            "--api",
            "azion",
            "--phases",
            "property",
            "--max-examples",
            "2",
            "--report-dir",
            str(tmp_path / "third"),
            "--baseline",
            str(baseline),
        ]
    )
    assert code == ExitCode.OK
    assert "STALE" in capsys.readouterr().out


def test_run_with_an_unusable_baseline_is_exit_2_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "run",
            "--api",
            "azion",
            "--phases",
            "property",
            "--max-examples",
            "1",
            "--report-dir",
            str(tmp_path / "r"),
            "--baseline",
            str(tmp_path / "none.yaml"),
        ]
    )
    assert code == ExitCode.USAGE
    assert "baseline file not found" in capsys.readouterr().err
    assert not (tmp_path / "r" / "report.json").exists()
