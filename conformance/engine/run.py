"""A conformance run from settings to report: the engine the CLI and pytest both call."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.apis import get_api
from conformance.catalogue import load_catalogue
from conformance.checks.base import CheckEnv
from conformance.checks.registry import CHECKS
from conformance.engine.context import Event, PhaseContext
from conformance.engine.exchange_checker import ExchangeChecker
from conformance.engine.results import ResultsCollector, Status
from conformance.engine.target import open_target
from conformance.engine.target_client import TargetClient, TargetError
from conformance.exit_codes import ExitCode
from conformance.openapi_document import OpenApiDocument, Operation
from conformance.reporting.json_report import build_report, write_report
from conformance.settings import RunSettings

Phase = Callable[[PhaseContext], None]


def _phases() -> dict[str, Phase]:
    from conformance.engine.property_phase import run_property_phase
    from conformance.engine.scenario_phase import run_scenario_phase
    from conformance.engine.stateful_phase import run_stateful_phase

    return {
        "scenarios": run_scenario_phase,
        "property": run_property_phase,
        "stateful": run_stateful_phase,
    }


@dataclass(slots=True)
class RunOutcome:
    """What a run produced: the report (as data), where it was written, and the exit code."""

    report: dict[str, Any]
    report_dir: Path
    exit_code: ExitCode
    phase_seconds: dict[str, float] = field(default_factory=dict)


def default_report_dir(api: str, now: datetime | None = None) -> Path:
    moment = now or datetime.now(UTC)
    return Path("reports") / f"{api}-{moment.strftime('%Y%m%dT%H%M%SZ')}"


def operation_resolver(document: OpenApiDocument) -> Callable[[str, str], str | None]:
    """Map (method, path) of a request to the operationId whose path template matches."""
    import re

    compiled: list[tuple[str, re.Pattern[str], Operation]] = []
    for op in document.operations:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path))
        compiled.append((op.method.upper(), re.compile(f"^{pattern}/?$"), op))

    def resolve(method: str, path: str) -> str | None:
        for op_method, pattern, op in compiled:
            if op_method == method.upper() and pattern.match(path):
                return op.operation_id
        return None

    return resolve


def run_conformance(
    settings: RunSettings, *, on_event: Callable[[Event], None] | None = None
) -> RunOutcome:
    """Run the selected phases against the target and write `report.json`.

    Raises ContractFileError or TargetConfigError for unusable input; a target that cannot be
    reached mid-run aborts the run, and the partial report is still written.
    """
    api = get_api(settings.api)
    catalogue = load_catalogue(api)
    document = OpenApiDocument.load(api.spec_path)
    report_dir = settings.report_dir or default_report_dir(api.name)
    collector = ResultsCollector(catalogue)
    emit = on_event or (lambda event: None)
    started = datetime.now(UTC)
    phase_seconds: dict[str, float] = {}
    requests_by_phase: dict[str, int] = {}
    aborted: str | None = None
    notes: list[str] = []
    target_info: dict[str, Any] = {"base_url": settings.base_url or "", "embedded": True}
    client: TargetClient | None = None
    with open_target(settings) as target:
        target_info = {
            "base_url": target.base_url,
            "embedded": target.embedded,
            "faults": list(target.faults),
        }
        client = TargetClient(
            target.base_url,
            auth=target.auth,
            default_headers=target.default_headers,
            timeout=settings.timeout,
        )
        client.operation_resolver = operation_resolver(document)
        client.listeners.append(ExchangeChecker(CHECKS[api.name], CheckEnv(document), collector))

        def count(exchange: Any) -> None:
            requests_by_phase[exchange.phase] = requests_by_phase.get(exchange.phase, 0) + 1

        client.listeners.append(count)
        ctx = PhaseContext(
            settings,
            api,
            catalogue,
            document,
            target,
            client,
            collector,
            run_prefix=f"dsconform-{secrets.token_hex(3)}",
            emit=emit,
            notes=notes,
        )
        phases = _phases()
        try:
            for name in settings.phases:
                emit(Event(name, "phase-started"))
                began = time.monotonic()
                try:
                    phases[name](ctx)
                finally:
                    phase_seconds[name] = round(time.monotonic() - began, 3)
                    emit(Event(name, "phase-finished"))
        except TargetError as exc:
            aborted = f"target unusable: {exc}"
        except KeyboardInterrupt:
            aborted = "interrupted"
        finally:
            client.close()
    report = build_report(
        settings=settings,
        api=api,
        target=target_info,
        collector=collector,
        started=started,
        finished=datetime.now(UTC),
        aborted=aborted,
        requests={
            "total": sum(requests_by_phase.values()),
            "by_phase": requests_by_phase,
            "waited_seconds": round(client.waited_seconds if client else 0.0, 3),
        },
        phases=[{"name": n, "seconds": s} for n, s in phase_seconds.items()],
        notes=notes,
        tool=f"dsconform {__version__}",
    )
    write_report(report, report_dir)
    if aborted:
        code = ExitCode.INTERRUPTED if aborted == "interrupted" else ExitCode.USAGE
    elif any(r.status is Status.FAILED for r in collector.results()):
        code = ExitCode.FINDINGS
    else:
        code = ExitCode.OK
    return RunOutcome(report, report_dir, code, phase_seconds)
