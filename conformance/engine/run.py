"""A conformance run from settings to report: the engine the CLI and pytest both call."""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance import __version__
from conformance.apis import get_api
from conformance.cassettes.recorder import target_secrets
from conformance.cassettes.session import (
    CassetteReplayer,
    CassetteSession,
    open_cassette_session,
)
from conformance.catalogue import load_catalogue
from conformance.checks.base import CheckEnv
from conformance.checks.registry import CHECKS
from conformance.engine.context import Event, PhaseContext
from conformance.engine.determinism import deterministic_generation
from conformance.engine.exchange import Exchange
from conformance.engine.exchange_checker import ExchangeChecker
from conformance.engine.results import ResultsCollector, Status, Untested
from conformance.engine.target import Target, open_target
from conformance.engine.target_client import TargetClient, TargetError
from conformance.exit_codes import ExitCode
from conformance.gating.baseline import (
    BaselineResult,
    evaluate_baseline,
    load_baseline,
    write_baseline_result,
)
from conformance.openapi_document import OpenApiDocument, Operation
from conformance.redaction import (
    remember_request_secrets,
    remember_secret,
    scrub_strings,
    secret_scope,
)
from conformance.reporting.coverage import CoverageCollector
from conformance.reporting.json_report import build_report
from conformance.reporting.writers import write_reports
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
    baseline: BaselineResult | None = None  # with --baseline: known failures accepted or not


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


def is_loopback(base_url: str) -> bool:
    """Whether a URL names this machine (127.0.0.0/8, ::1 or localhost)."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _apply_safety(
    settings: RunSettings, target: Target, client: TargetClient, notes: list[str]
) -> None:
    """Read-only mode, the write guard for remote targets, our rate cap and the deadline."""
    if settings.read_only:
        client.read_only = True
        notes.append("read-only run: only GET requests were sent")
    elif not target.embedded and not is_loopback(target.base_url) and not settings.allow_writes:
        client.read_only = True
        notes.append(
            f"{target.base_url} is not a loopback address: writes are off without "
            "--allow-writes, so only GET requests were sent"
        )
    client.rate_cap = settings.rate_limit
    if settings.deadline is not None:
        client.deadline = time.monotonic() + settings.deadline


def run_conformance(
    settings: RunSettings,
    *,
    on_event: Callable[[Event], None] | None = None,
    on_exchange: Callable[[Exchange, ResultsCollector], None] | None = None,
) -> RunOutcome:
    """Run the selected phases against the target and write `report.json`.

    Raises ContractFileError or TargetConfigError for unusable input; a target that cannot be
    reached mid-run aborts the run, and the partial report is still written.
    """
    # --- cassettes (issue 5): a recording wraps the run, a replay replaces the target ---
    # --- and gating: a baseline of known failures decides the exit code (a bad file fails early)
    baseline = load_baseline(settings.baseline) if settings.baseline is not None else None
    tape = open_cassette_session(settings)
    if tape is not None:
        settings = tape.adjust_settings(settings)
    with secret_scope():  # secrets the run learns are redacted everywhere, the report included
        outcome = _run_conformance(settings, on_event, tape, on_exchange)
    if baseline is not None:
        outcome.baseline = evaluate_baseline(baseline, outcome.report)
        write_baseline_result(outcome.baseline, outcome.report_dir)
        if outcome.exit_code in (ExitCode.OK, ExitCode.FINDINGS):
            outcome.exit_code = outcome.baseline.exit_code
    return outcome


def _run_conformance(
    settings: RunSettings,
    on_event: Callable[[Event], None] | None,
    tape: CassetteSession | None,
    on_exchange: Callable[[Exchange, ResultsCollector], None] | None = None,
) -> RunOutcome:
    api = get_api(settings.api)
    catalogue = load_catalogue(api)
    document = OpenApiDocument.load(api.spec_path)
    report_dir = settings.report_dir or default_report_dir(api.name)
    collector = ResultsCollector(catalogue)
    coverage = CoverageCollector(document)
    emit = on_event or (lambda event: None)
    started = datetime.now(UTC)
    phase_seconds: dict[str, float] = {}
    requests_by_phase: dict[str, int] = {}
    aborted: str | None = None
    notes: list[str] = []
    target_info: dict[str, Any] = {"base_url": settings.base_url or "", "embedded": True}
    client: TargetClient | None = None
    replay = tape if isinstance(tape, CassetteReplayer) else None
    with (replay.open_target if replay else open_target)(settings) as target:
        target_info = {
            "base_url": target.base_url,
            "embedded": target.embedded,
            "faults": list(target.faults),
        }
        client = (replay.client_class if replay else TargetClient)(
            target.base_url,
            auth=target.auth,
            default_headers=target.default_headers,
            timeout=settings.timeout,
        )
        client.operation_resolver = operation_resolver(document)
        _apply_safety(settings, target, client, notes)
        client.listeners.append(ExchangeChecker(CHECKS[api.name], CheckEnv(document), collector))
        # Secrets the run sends or signs with are scrubbed from the report wherever quoted.
        client.listeners.append(lambda exchange: remember_request_secrets(exchange.request.body))
        for value in target_secrets(target, settings):
            remember_secret(value)

        def count(exchange: Any) -> None:
            requests_by_phase[exchange.phase] = requests_by_phase.get(exchange.phase, 0) + 1

        client.listeners.append(count)
        client.listeners.append(coverage)
        if on_exchange is not None:
            client.listeners.append(lambda exchange: on_exchange(exchange, collector))
        ctx = PhaseContext(
            settings,
            api,
            catalogue,
            document,
            target,
            client,
            collector,
            run_prefix=(tape and tape.run_prefix()) or f"dsconform-{secrets.token_hex(3)}",
            emit=emit,
            notes=notes,
        )
        if tape is not None:
            ctx.cassette = tape.group
        phases = _phases()
        attached = (
            tape.attached(settings, target, ctx.run_prefix) if tape is not None else nullcontext()
        )
        try:
            with attached, deterministic_generation():
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
    if tape is not None:
        problem, tape_notes = tape.finish()
        notes.extend(tape_notes)
        aborted = aborted or problem
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
        coverage=coverage.as_dict(),
    )
    report = scrub_strings(report)  # values the run knows are secret, wherever quoted
    write_reports(report, report_dir)
    if aborted:
        code = ExitCode.INTERRUPTED if aborted == "interrupted" else ExitCode.USAGE
    elif any(r.status is Status.FAILED for r in collector.results()):
        code = ExitCode.FINDINGS
    elif any(
        r.status is Status.UNTESTED and r.untested_kind is Untested.BLOCKED
        for r in collector.results()
    ):
        code = ExitCode.INCOMPLETE  # issue 12: a blocked requirement is no verdict of passed
    elif not any(r.status is Status.PASSED for r in collector.results()):
        code = ExitCode.INCOMPLETE  # issue 12: nothing was tested, so nothing was verified
    else:
        code = ExitCode.OK
    return RunOutcome(report, report_dir, code, phase_seconds)
