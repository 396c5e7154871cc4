"""`report.json`: a run's results read into the report model (`reporting/model.py`), written
as the data `report.schema.json` validates."""

from __future__ import annotations

import json
import os
import tempfile
import typing
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from conformance.apis import ApiDefinition
from conformance.catalogue import ERRATUM
from conformance.core import results
from conformance.core.results import (
    RequirementResult,
    ResultsCollector,
    Status,
    Untested,
    fails_the_run,
)
from conformance.reporting import model
from conformance.reporting.model import Report
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
    target: model.Target,
    collector: ResultsCollector,
    started: datetime,
    finished: datetime,
    aborted: str | None,
    requests: model.Requests,
    phases: Sequence[Mapping[str, Any]],
    notes: Sequence[str],
    tool: str,
    coverage: Mapping[str, model.OperationCoverage] | None = None,
) -> Report:
    """The report of one run (`coverage`: `CoverageCollector.as_model()`, the report's
    top-level `coverage` when given). Secrets the run learnt are the caller's to scrub."""
    results = collector.results()
    judged = _Judged(settings.fail_on)
    requirements = tuple(judged.entry(result) for result in results)
    incomplete = incomplete_reason(judged.blocked, judged.counts, len(results))
    return Report(
        format_version=1,
        tool=tool,
        verdict=_verdict(aborted, judged, incomplete),
        api=api.name,
        target=target,
        settings=settings.redacted(),
        started_at=started.isoformat(),
        finished_at=finished.isoformat(),
        aborted=aborted,
        counts=model.Counts(**judged.counts),
        fail_on=typing.cast(model.FailOn, settings.fail_on),
        deviations=tuple(judged.deviations),
        blocked=judged.blocked_total,
        incomplete=incomplete,
        requests=requests,
        phases=tuple(phases),
        notes=tuple(notes),
        requirements=requirements,
        coverage=coverage,
    )


def _verdict(aborted: str | None, judged: _Judged, incomplete: str | None) -> model.Verdict:
    if aborted:
        return "error"
    if judged.failing:
        return "failed"
    if judged.counts[Status.ERROR.value]:
        return "error"
    return "incomplete" if incomplete else "passed"


class _Judged:
    """Requirement results read into report entries, tallied as the verdict needs them."""

    def __init__(self, policy: str) -> None:
        self.policy = policy
        self.counts = {status.value: 0 for status in Status}
        self.deviations: list[str] = []  # failed, but the failure policy does not count it
        self.failing: list[str] = []
        self.blocked: Counter[str] = Counter()  # reason -> blocked requirements the policy covers
        self.blocked_total = 0

    def entry(self, result: RequirementResult) -> model.RequirementEntry:
        status = result.status
        self.counts[status.value] += 1
        requirement = result.requirement
        counted = fails_the_run(requirement.level, requirement.basis, self.policy)
        deviation = status is Status.FAILED and not counted
        if deviation:
            self.deviations.append(requirement.id)
        elif status is Status.FAILED:
            self.failing.append(requirement.id)
        kind = result.untested_kind if status is Status.UNTESTED else None
        if kind is Untested.BLOCKED:
            self.blocked_total += 1
            if counted:  # only what could fail the run under the policy makes it incomplete
                self.blocked[result.reason] += 1
        return _entry(result, deviation, kind)


def _entry(
    result: RequirementResult, deviation: bool, kind: Untested | None
) -> model.RequirementEntry:
    requirement = result.requirement
    source = requirement.source
    return model.RequirementEntry(
        id=requirement.id,
        level=typing.cast(model.Level, requirement.level),
        basis=typing.cast(model.Basis, requirement.basis),
        statement=requirement.statement,
        status=result.status.value,
        deviation=deviation,
        observable=requirement.observable,
        reason=result.reason,
        untested=kind.value if kind else None,
        errata=tuple(sorted(set(ERRATUM.findall(requirement.note)))),
        source=model.Source(file=source.file, section=source.section, quote=source.quote),
        operations=tuple(requirement.operations),
        checks=tuple(sorted(result.checks)),
        passes=result.passes,
        failures=result.failures,
        seconds=round(result.seconds, 6),
        findings=tuple(_finding(finding) for finding in result.findings),
    )


def _finding(finding: results.Finding) -> model.Finding:
    """A finding as the report holds it, its exchange redacted."""
    exchange = finding.exchange.redacted() if finding.exchange else None
    return model.Finding(
        fingerprint=finding.fingerprint,
        check=finding.check,
        kind=finding.kind,
        message=finding.message,
        phase=finding.phase,
        operation=finding.operation,
        request=model.ExchangeRequest(**exchange.request.as_dict()) if exchange else None,
        response=model.ExchangeResponse(**exchange.response.as_dict()) if exchange else None,
    )


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
