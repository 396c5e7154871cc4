"""`report.json`: the results model as data, validated by `report.schema.json`."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from conformance.apis import ApiDefinition
from conformance.engine.results import ResultsCollector, Status
from conformance.settings import RunSettings

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


@cache
def report_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def build_report(
    *,
    settings: RunSettings,
    api: ApiDefinition,
    target: dict[str, Any],
    collector: ResultsCollector,
    started: datetime,
    finished: datetime,
    aborted: str | None,
    requests: dict[str, Any],
    phases: list[dict[str, Any]],
    notes: list[str],
    tool: str,
    coverage: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report of one run, secrets already redacted.

    `coverage` is `CoverageCollector.as_dict()` (conformance/reporting/coverage.py); when given,
    the report carries it as its top-level `coverage`.
    """
    results = collector.results()
    counts = {status.value: 0 for status in Status}
    requirements = []
    for result in results:
        status = result.status
        counts[status.value] += 1
        requirement = result.requirement
        requirements.append(
            {
                "id": requirement.id,
                "level": requirement.level,
                "statement": requirement.statement,
                "status": status.value,
                "observable": requirement.observable,
                "reason": result.reason,
                "source": {
                    "file": requirement.source.file,
                    "section": requirement.source.section,
                    "quote": requirement.source.quote,
                },
                "operations": list(requirement.operations),
                "checks": sorted(result.checks),
                "passes": result.passes,
                "failures": result.failures,
                "findings": [finding.as_dict() for finding in result.findings],
            }
        )
    if aborted:
        verdict = "error"
    elif counts[Status.FAILED.value]:
        verdict = "failed"
    elif counts[Status.ERROR.value]:
        verdict = "error"
    else:
        verdict = "passed"
    report: dict[str, Any] = {
        "format_version": 1,
        "tool": tool,
        "verdict": verdict,
        "api": api.name,
        "target": target,
        "settings": settings.redacted(),
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "aborted": aborted,
        "counts": counts,
        "requests": requests,
        "phases": phases,
        "notes": notes,
        "requirements": requirements,
    }
    if coverage is not None:
        report["coverage"] = coverage
    return report


def write_report(report: dict[str, Any], report_dir: Path) -> Path:
    """Write `report.json` atomically (a crash never leaves half a report)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    target = report_dir / "report.json"
    handle, temporary = tempfile.mkstemp(dir=report_dir, prefix=".report-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(report, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    os.replace(temporary, target)
    return target
