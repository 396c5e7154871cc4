"""A conformance run from settings to report: the engine the CLI and pytest both call."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from conformance.core.determinism import deterministic_generation
from conformance.core.exchange import Exchange
from conformance.core.request_tally import RequestTally
from conformance.core.results import ResultsCollector
from conformance.core.stopping import RunHalted, RunInterrupted, StopControl, stop_signals
from conformance.core.stopping import exit_code_for as signal_exit_code
from conformance.core.target_client import TargetClient, TargetError
from conformance.engine.context import Event, PhaseContext
from conformance.engine.exchange_checker import ExchangeChecker
from conformance.engine.filters import RunScope, settings_scope
from conformance.engine.ownership import Ownership
from conformance.engine.target import Target, open_target
from conformance.exit_codes import ExitCode
from conformance.gating.baseline import (
    BaselineResult,
    evaluate_baseline,
    load_baseline,
    write_baseline_result,
)
from conformance.openapi_document import OpenApiDocument
from conformance.redaction import (
    remember_credential,
    remember_request_secrets,
    scrub_strings,
    secret_scope,
)
from conformance.reporting.coverage import CoverageCollector
from conformance.reporting.json_report import build_report
from conformance.reporting.writers import write_reports
from conformance.settings import RunSettings
from conformance.target_url import is_loopback_url

Phase = Callable[[PhaseContext], None]
REFUSALS = frozenset({401, 403})


def refused_credentials(statuses: dict[int, int]) -> str | None:
    """The diagnosis when every request of a run was answered 401 or 403 (429s aside: a rate
    limiter answers before authentication), else None."""
    throttled = statuses.get(429, 0)
    total = sum(statuses.values()) - throttled
    refused = sum(n for code, n in statuses.items() if code in REFUSALS)
    if not total or refused != total:
        return None
    codes = "/".join(str(c) for c in sorted(statuses) if c in REFUSALS)
    more = f" (and {throttled} answered 429)" if throttled else ""
    return f"the target refused our credentials: {codes} on {refused} of {total} requests{more}"


def explain_untested(
    settings: RunSettings,
    collector: ResultsCollector,
    read_only: bool,
    aborted: str | None = None,
    scope: RunScope | None = None,
    halted: str | None = None,
) -> None:
    """Give every observable requirement nothing judged and nothing explained its reason: out
    of scope by the user's choice (--read-only, --phases, --scenarios, --include/--exclude,
    --max-failures when the run stopped itself) or blocked (in an aborted run: the run stopped
    before judging it)."""
    from conformance.citations import citations, untested_scope
    from conformance.scenarios.registry import SCENARIOS
    from conformance.settings import PROFILES

    scope = scope or RunScope()
    choices = []
    if read_only:
        choices.append("read-only run")
    if set(settings.phases) != set(PROFILES.get(settings.profile, settings.phases)):
        choices.append(f"--phases {','.join(settings.phases)}")
    if settings.scenarios is not None:
        choices.append(f"--scenarios {','.join(settings.scenarios)}")
    phases, scenarios = settings.phases, settings.scenarios
    if scope.active:  # what the filter kept from running is out of scope like --phases
        if scope.operations != scope.all_operations:  # (an ID filter narrows no phase)
            choices.append(scope.label)
        if scope.stateful_reason(settings.api):
            phases = tuple(p for p in phases if p != "stateful")
        scenarios = tuple(
            s.name
            for s in SCENARIOS[settings.api]
            if (scenarios is None or s.name in scenarios)
            and not scope.scenario_reason(settings.api, s.name, s.cites)
        )
    cited = citations(settings.api)
    for result in collector.results():
        requirement = result.requirement
        if not requirement.observable or result.reason or not collector.unjudged(requirement.id):
            continue
        blocked, reason = untested_scope(
            settings.api,
            requirement.id,
            phases=phases,
            scenarios=scenarios,
            read_only=read_only,
            narrowed=", ".join(choices),
            cited=cited,
        )
        if halted:  # the user's limit stopped the run before it judged this
            blocked, reason = False, f"out of scope: the run {halted} before judging it"
        elif blocked and aborted:
            reason = f"the run stopped before judging it ({aborted})"
        (collector.blocked if blocked else collector.skipped)(requirement.id, reason)


_SIGNAL_EXITS = {
    "SIGINT": ExitCode.INTERRUPTED,
    "SIGTERM": ExitCode.SIGTERM,
    "SIGHUP": ExitCode.SIGHUP,
}


def exit_code_for(report: dict[str, Any]) -> ExitCode:
    """The exit status a report's verdict stands for (aborted runs: 130 or 2)."""
    aborted = report.get("aborted")
    if aborted:
        if str(aborted).startswith("interrupted"):  # "interrupted", "interrupted by SIGTERM"
            name = str(aborted).removeprefix("interrupted").removeprefix(" by ") or "SIGINT"
            return _SIGNAL_EXITS.get(name, ExitCode.INTERRUPTED)
        return ExitCode.USAGE
    verdict = report.get("verdict")
    if verdict == "failed":
        return ExitCode.FINDINGS
    if verdict == "incomplete":
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def _phases() -> dict[str, Phase]:
    from conformance.engine.property_phase import run_property_phase
    from conformance.engine.property_workers import run_in_workers
    from conformance.engine.scenario_phase import run_scenario_phase
    from conformance.engine.stateful_phase import run_stateful_phase

    def property_phase(ctx: PhaseContext) -> None:
        """With `--workers` > 1 the operations are shared out among that many processes."""
        (run_in_workers if ctx.settings.workers > 1 else run_property_phase)(ctx)

    return {
        "scenarios": run_scenario_phase,
        "property": property_phase,
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


def is_loopback(base_url: str) -> bool:
    """Whether a URL names this machine (127.0.0.0/8, ::1 or localhost), as decided by the
    one parser that also builds the client's base URL; a URL it refuses never is."""
    return is_loopback_url(base_url)


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
    stop = StopControl()  # SIGINT, SIGTERM, SIGHUP: stop sending, clean up, write the report
    with secret_scope(), stop_signals(stop):  # secrets the run learns are redacted everywhere
        outcome = _run_conformance(settings, on_event, tape, on_exchange, stop)
    if baseline is not None:
        outcome.baseline = evaluate_baseline(baseline, outcome.report)
        write_baseline_result(outcome.baseline, outcome.report_dir)
        if outcome.exit_code in (ExitCode.OK, ExitCode.FINDINGS):
            # Deviations (failures the failure policy does not cover) never fail the run.
            deviations = set(outcome.report.get("deviations") or [])
            new = [f for f in outcome.baseline.new if f.requirement not in deviations]
            if new:
                outcome.exit_code = ExitCode.FINDINGS
            elif outcome.report.get("incomplete"):
                outcome.exit_code = ExitCode.INCOMPLETE
            else:
                outcome.exit_code = ExitCode.OK
    return outcome


def _run_conformance(
    settings: RunSettings,
    on_event: Callable[[Event], None] | None,
    tape: CassetteSession | None,
    on_exchange: Callable[[Exchange, ResultsCollector], None] | None = None,
    stop: StopControl | None = None,
) -> RunOutcome:
    stop = stop or StopControl()
    api = get_api(settings.api)
    catalogue = load_catalogue(api)
    document = OpenApiDocument.load(api.spec_path)
    report_dir = settings.report_dir or default_report_dir(api.name)
    collector = ResultsCollector(catalogue)
    coverage = CoverageCollector(document)
    emit = on_event or (lambda event: None)
    started = datetime.now(UTC)
    phase_seconds: dict[str, float] = {}
    tally = RequestTally()  # the one request count: the report's and the terminal's
    scope = settings_scope(settings, catalogue, document)
    for requirement_id, reason in scope.out.items():
        collector.leave_out(requirement_id, reason)
    aborted: str | None = None
    halted: str | None = None  # the run stopped itself (--max-failures) before its end
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
        client = target.client(settings.timeout, replay.client_class if replay else TargetClient)
        client.operation_resolver = document.operation_id_at
        client.stop = stop
        if scope.active:
            client.operation_guard = scope.guard
        if settings.max_failures is not None:
            collector.stop_after(
                settings.max_failures,
                settings.fail_on,
                lambda n: stop.halt(
                    f"stopped after {n} failed requirement(s) (--max-failures {n})"
                ),
            )
        _apply_safety(settings, target, client, notes)
        client.listeners.append(ExchangeChecker(CHECKS[api.name], CheckEnv(document), collector))
        # Secrets the run sends or signs with are scrubbed from the report wherever quoted.
        client.listeners.append(lambda exchange: remember_request_secrets(exchange.request.body))
        for value in target_secrets(target, settings):
            remember_credential(value)  # whatever its length (redaction.py: how short ones go)

        client.listeners.append(tally)
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
            scope=scope,
        )
        # Every write of every phase passes this guard: only resources the run created.
        client.write_guard = Ownership(api.name, ctx.run_prefix)
        if tape is not None:
            ctx.cassette = tape.group
        phases = _phases()
        attached = (
            tape.attached(settings, target, ctx.run_prefix) if tape is not None else nullcontext()
        )
        try:
            with attached, deterministic_generation(), stop.phases():
                if not target.embedded and tape is None:
                    _probe_credentials(client, api.credential_probe, tally)
                for name in settings.phases:
                    emit(Event(name, "phase-started"))
                    began, before = time.monotonic(), tally.by_phase()
                    try:
                        phases[name](ctx)
                    finally:
                        phase_seconds[name] = round(time.monotonic() - began, 3)
                        emit(Event(name, "phase-finished", requests=tally.since(before)))
        except RunHalted as exc:  # --max-failures: sending stopped, cleanup ran; report stands
            halted = str(exc)
        except _CredentialsRefused as exc:
            aborted = str(exc)
        except TargetError as exc:
            aborted = f"target unusable: {exc}"
        except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM or SIGHUP (stopping.RunInterrupted)
            stop.signum = stop.signum or getattr(exc, "signum", None) or RunInterrupted().signum
        finally:
            client.close()
    if stop.signum is not None:  # also a signal that came after the last phase
        aborted = _interrupted(stop.signum)
        notes.extend(_left_after_interrupt(notes))
    if tape is not None:
        problem, tape_notes = tape.finish()
        notes.extend(tape_notes)
        aborted = aborted or problem
    if not target_info["embedded"] and not (aborted or "").startswith("interrupted"):
        # Every request answered 401/403: the user's credentials, not the target's behaviour
        # (issue 12). The embedded server's credentials are ours and right: there a refusal of
        # everything is the server's fault (the kill matrix's host-port-ignored), judged as such.
        aborted = refused_credentials(tally.statuses()) or aborted
    if halted:
        notes.append(f"{halted}: what it had not judged is untested (out of scope)")
    explain_untested(
        settings,
        collector,
        read_only=bool(client and client.read_only),
        aborted=aborted,
        scope=scope,
        halted=halted,
    )
    report = build_report(
        settings=settings,
        api=api,
        target=target_info,
        collector=collector,
        started=started,
        finished=datetime.now(UTC),
        aborted=aborted,
        requests={
            "total": sum(tally.by_phase().values()),
            "by_phase": tally.by_phase(),
            "waited_seconds": round(client.waited_seconds if client else 0.0, 3),
        },
        phases=[{"name": n, "seconds": s} for n, s in phase_seconds.items()],
        notes=notes,
        tool=f"dsconform {__version__}",
        coverage=coverage.as_dict(),
    )
    report = scrub_strings(report)  # values the run knows are secret, wherever quoted
    write_reports(report, report_dir)
    code = signal_exit_code(stop.signum) if stop.signum is not None else exit_code_for(report)
    return RunOutcome(report, report_dir, code, phase_seconds)


def _probe_credentials(client: TargetClient, path: str, tally: RequestTally) -> None:
    """Raise _CredentialsRefused when the API's credential probe (`path`, a cheap
    authenticated read; none when empty) is answered 401 or 403. A target
    that does not answer is left to the phases, which meet it (and say so) themselves."""
    if not path:
        return
    try:
        with client.unfiltered():  # a check of the user's input, not a test of an operation
            probe = client.send("GET", path, phase="preflight")
    except TargetError:
        return
    if probe.response.status in REFUSALS:
        raise _CredentialsRefused(refused_credentials(tally.statuses()) or "")


class _CredentialsRefused(Exception):
    """The credentials probe was answered 401 or 403; the message is the diagnosis."""


def _interrupted(signum: int) -> str:
    """The report's `aborted` text for a stop signal ("interrupted" for Ctrl-C, as before)."""
    import signal

    return (
        "interrupted"
        if signum == signal.SIGINT
        else f"interrupted by {signal.Signals(signum).name}"
    )


def _left_after_interrupt(notes: list[str]) -> list[str]:
    """One summary line on what an interrupted run's cleanup could not delete."""
    left = [n for n in notes if "could not delete" in n or "cleanup of" in n]
    if not left:
        return ["interrupted: cleanup finished, nothing the run created was left"]
    return [f"interrupted: cleanup left {len(left)} item(s) behind (see the notes above)"]
