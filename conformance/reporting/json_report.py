"""`report.json`: the results model as data, validated by `report.schema.json`."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from conformance.apis import ApiDefinition
from conformance.core.results import ResultsCollector, Status, Untested, fails_the_run
from conformance.settings import RunSettings

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
_ERRATUM = re.compile(r"ERRATUM-(?:AKAMAI|AZION)-\d{3}")


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
    policy = settings.fail_on
    deviations: list[str] = []
    failing: list[str] = []
    blocked: Counter[str] = Counter()  # reason -> blocked requirements the policy covers
    blocked_total = 0
    for result in results:
        status = result.status
        counts[status.value] += 1
        requirement = result.requirement
        deviation = status is Status.FAILED and not fails_the_run(
            requirement.level, requirement.basis, policy
        )
        if deviation:
            deviations.append(requirement.id)
        elif status is Status.FAILED:
            failing.append(requirement.id)
        kind = result.untested_kind if status is Status.UNTESTED else None
        if kind is Untested.BLOCKED:
            blocked_total += 1
            # Only what could fail the run under the policy makes it incomplete.
            if fails_the_run(requirement.level, requirement.basis, policy):
                blocked[result.reason] += 1
        requirements.append(
            {
                "id": requirement.id,
                "level": requirement.level,
                "basis": requirement.basis,
                "statement": requirement.statement,
                "status": status.value,
                "deviation": deviation,
                "observable": requirement.observable,
                "reason": result.reason,
                "untested": kind.value if kind else None,
                "errata": sorted(set(_ERRATUM.findall(requirement.note))),
                "source": {
                    "file": requirement.source.file,
                    "section": requirement.source.section,
                    "quote": requirement.source.quote,
                },
                "operations": list(requirement.operations),
                "checks": sorted(result.checks),
                "passes": result.passes,
                "failures": result.failures,
                "seconds": round(result.seconds, 6),
                "findings": [finding.as_dict() for finding in result.findings],
            }
        )
    incomplete = incomplete_reason(blocked, counts, len(results))
    if aborted:
        verdict = "error"
    elif failing:
        verdict = "failed"
    elif counts[Status.ERROR.value]:
        verdict = "error"
    elif incomplete:
        verdict = "incomplete"
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
        "fail_on": policy,
        "deviations": deviations,
        "blocked": blocked_total,
        "incomplete": incomplete,
        "requests": requests,
        "phases": phases,
        "notes": notes,
        "requirements": requirements,
    }
    if coverage is not None:
        report["coverage"] = coverage
    return report


def incomplete_reason(blocked: Counter[str], counts: dict[str, int], total: int) -> str | None:
    """The one line saying why a run is incomplete (requirements the failure policy covers
    were blocked, or nothing was tested); None when it is not."""
    if blocked:
        reason, count = blocked.most_common(1)[0]
        others = sum(blocked.values()) - count
        more = f"; {others} blocked for other reasons" if others else ""
        return (
            f"{sum(blocked.values())} requirement(s) blocked, most often ({count}): {reason}{more}"
        )
    if not counts.get(Status.PASSED.value):
        # Deviations alone verify nothing: a run that passed nothing has not passed.
        untested = counts.get(Status.UNTESTED.value, 0)
        failed = counts.get(Status.FAILED.value, 0)
        if failed:
            return f"no requirement passed ({failed} deviation(s), {untested} of {total} untested)"
        return f"no requirement was tested ({untested} of {total} untested)"
    return None


def write_report(report: dict[str, Any], report_dir: Path) -> Path:
    """Write `report.json` atomically (a crash never leaves half a report)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    target = report_dir / "report.json"
    handle, temporary = tempfile.mkstemp(dir=report_dir, prefix=".report-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(report, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    os.chmod(temporary, 0o644)  # mkstemp's 0600 is for the half-written file, not the report
    os.replace(temporary, target)
    return target
