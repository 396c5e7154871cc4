"""A conformance run from settings to report: the runner the CLI and pytest both call.

It opens the target (or the replay that stands for it), builds the client and hangs the
listeners on it, hands the phases what they need (the API's checks and scenarios), runs them,
and builds the report; what happens is told to the run's listeners (runner/events.py), which
write the reports, record cassettes, gate on a baseline and print progress.
"""

from __future__ import annotations

import dataclasses
import secrets
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from conformance import __version__
from conformance.apis import ApiDefinition, get_api
from conformance.cassettes.recorder import target_secrets
from conformance.cassettes.replay import CassetteReplayer
from conformance.cassettes.session import open_replay
from conformance.catalogue import Catalogue, load_catalogue
from conformance.checks.base import CheckEnv
from conformance.checks.registry import CHECKS
from conformance.core.determinism import deterministic_generation
from conformance.core.exchange import Exchange
from conformance.core.request_tally import RequestTally
from conformance.core.results import ResultsCollector
from conformance.core.send_rules import SendRules
from conformance.core.stopping import RunHalted, RunInterrupted, StopControl, stop_signals
from conformance.core.stopping import exit_code_for as signal_exit_code
from conformance.core.target_client import TargetClient, TargetError
from conformance.engine.context import PhaseContext
from conformance.engine.exchange_checker import ExchangeChecker
from conformance.engine.filters import RunScope, settings_scope
from conformance.engine.ownership import Ownership
from conformance.engine.prefix_sweep import remove_unanswered_creates
from conformance.engine.target import Target, open_target
from conformance.exit_codes import ExitCode
from conformance.openapi_document import OpenApiDocument
from conformance.redaction import (
    remember_credential,
    remember_request_secrets,
    scrub_strings,
    secret_scope,
)
from conformance.reporting import model
from conformance.reporting.coverage import CoverageCollector
from conformance.reporting.json_report import build_report
from conformance.reporting.model import Report
from conformance.runner.events import (
    GroupFinished,
    GroupStarted,
    Listener,
    Listeners,
    PhaseFinished,
    PhasesFinished,
    PhaseStarted,
    RunFinished,
    RunFinishing,
    RunOutcome,
    RunStarted,
)
from conformance.runner.outputs import default_outputs
from conformance.runner.untested import explain_untested
from conformance.scenarios.registry import SCENARIOS
from conformance.settings import RunSettings
from conformance.target_url import is_loopback_url

__all__ = ["RunOutcome", "default_report_dir", "exit_code_for", "run_conformance"]

Phase = Callable[[PhaseContext], None]
REFUSALS = frozenset({401, 403})
ExchangeHook = Callable[[Exchange, ResultsCollector], None]


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


def throttled_throughout(statuses: dict[int, int]) -> str | None:
    """The diagnosis when every request of a run was answered 429: nothing could be judged
    (a budget spent by another client, or a target that throttles everything), else None."""
    total = sum(statuses.values())
    if not total or statuses.get(429, 0) != total:
        return None
    return f"the target answered 429 to every request ({total}): its budget never let one through"


_SIGNAL_EXITS = {
    "SIGINT": ExitCode.INTERRUPTED,
    "SIGTERM": ExitCode.SIGTERM,
    "SIGHUP": ExitCode.SIGHUP,
}


def exit_code_for(report: Report) -> ExitCode:
    """The exit status a report's verdict stands for (aborted runs: 130 or 2)."""
    aborted = report.aborted
    if aborted:
        if aborted.startswith("interrupted"):  # "interrupted", "interrupted by SIGTERM"
            name = aborted.removeprefix("interrupted").removeprefix(" by ") or "SIGINT"
            return _SIGNAL_EXITS.get(name, ExitCode.INTERRUPTED)
        return ExitCode.USAGE
    if report.verdict == "failed":
        return ExitCode.FINDINGS
    if report.verdict == "incomplete":
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


def default_report_dir(api: str, now: datetime | None = None) -> Path:
    moment = now or datetime.now(UTC)
    return Path("reports") / f"{api}-{moment.strftime('%Y%m%dT%H%M%SZ')}"


def is_loopback(base_url: str) -> bool:
    """Whether a URL names this machine (127.0.0.0/8, ::1 or localhost), as decided by the
    one parser that also builds the client's base URL; a URL it refuses never is."""
    return is_loopback_url(base_url)


def safety_rules(settings: RunSettings, target: Target, notes: list[str]) -> SendRules:
    """Read-only mode (asked for, or a remote target without --allow-writes), our rate cap
    and the deadline; each choice that limits the run is explained in `notes`."""
    read_only = settings.read_only
    if read_only:
        notes.append("read-only run: only GET requests were sent")
    elif not target.embedded and not is_loopback(target.base_url) and not settings.allow_writes:
        read_only = True
        notes.append(
            f"{target.base_url} is not a loopback address: writes are off without "
            "--allow-writes, so only GET requests were sent"
        )
    deadline = None if settings.deadline is None else time.monotonic() + settings.deadline
    return SendRules(read_only=read_only, rate_cap=settings.rate_limit, deadline=deadline)


def run_conformance(
    settings: RunSettings,
    *,
    listeners: Iterable[Listener] = (),
    outputs: Sequence[Listener] | None = None,
    on_exchange: ExchangeHook | None = None,
) -> RunOutcome:
    """Run the selected phases against the target; its `outputs` (by default
    `default_outputs(settings)`: the report files, --record, --baseline), then `listeners`
    (a progress printer, say), hear the run's events. `on_exchange` sees every exchange.

    Raises ContractFileError or TargetConfigError for unusable input; a target that cannot be
    reached mid-run aborts the run, and the partial report is still written.
    """
    chosen = default_outputs(settings) if outputs is None else outputs
    hear = Listeners([*chosen, *listeners])
    replay = open_replay(settings)  # a replay replaces the target: an input, not an output
    if replay is not None:
        settings = replay.adjust_settings(settings)
    stop = StopControl()  # SIGINT, SIGTERM, SIGHUP: stop sending, clean up, write the report
    with secret_scope(), stop_signals(stop):  # secrets the run learns are redacted everywhere
        outcome = _run_conformance(settings, hear, replay, on_exchange, stop)
    hear.emit(RunFinished(outcome))
    return outcome


@dataclass(slots=True)
class _Run:
    """One run while it goes: what the phases share and what its report is built from."""

    settings: RunSettings
    api: ApiDefinition
    catalogue: Catalogue
    document: OpenApiDocument
    collector: ResultsCollector
    scope: RunScope
    listeners: Listeners
    stop: StopControl
    coverage: CoverageCollector
    report_dir: Path
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    tally: RequestTally = field(default_factory=RequestTally)  # the report's and terminal's
    notes: list[str] = field(default_factory=list)
    phase_seconds: dict[str, float] = field(default_factory=dict)
    aborted: str | None = None
    halted: str | None = None  # the run stopped itself (--max-failures) before its end
    target: model.Target | None = None
    client: TargetClient | None = None

    @classmethod
    def begin(cls, settings: RunSettings, listeners: Listeners, stop: StopControl) -> _Run:
        api = get_api(settings.api)
        catalogue = load_catalogue(api)
        document = OpenApiDocument.load(api.spec_path)
        collector = ResultsCollector(catalogue)
        scope = settings_scope(settings, catalogue, document)
        for requirement_id, reason in scope.out.items():
            collector.leave_out(requirement_id, reason)
        coverage = CoverageCollector(document)
        report_dir = settings.report_dir or default_report_dir(api.name)
        return cls(
            settings,
            api,
            catalogue,
            document,
            collector,
            scope,
            listeners,
            stop,
            coverage,
            report_dir,
        )


def _run_conformance(
    settings: RunSettings,
    listeners: Listeners,
    replay: CassetteReplayer | None,
    on_exchange: ExchangeHook | None = None,
    stop: StopControl | None = None,
) -> RunOutcome:
    run = _Run.begin(settings, listeners, stop or StopControl())
    with (replay.open_target if replay else open_target)(settings) as target:
        run.target = model.Target(
            base_url=target.base_url, embedded=target.embedded, faults=tuple(target.faults)
        )
        run_prefix = (replay and replay.run_prefix()) or f"dsconform-{secrets.token_hex(3)}"
        client = run.client = _client(run, target, replay, run_prefix)
        _listen(run, target, client, on_exchange)
        ctx = _phase_context(run, target, client, replay, run_prefix)
        try:
            _run_phases(run, ctx, replay)
            if replay is None:  # a replay's target is its cassettes: nothing was made
                run.notes.extend(
                    remove_unanswered_creates(
                        client, run.api.name, run_prefix, settle_timeout=settings.settle_timeout
                    )
                )
        finally:
            client.close()
    _after_phases(run, replay)
    report = _report(run)
    signum = run.stop.signum
    code = signal_exit_code(signum) if signum is not None else exit_code_for(report)
    return RunOutcome(report, run.report_dir, code, run.phase_seconds)


def _client(
    run: _Run, target: Target, replay: CassetteReplayer | None, run_prefix: str
) -> TargetClient:
    """The run's client: its operation names, stop, scope guard, ownership and safety; and
    the run's failure limit."""
    settings, stop = run.settings, run.stop
    rules = dataclasses.replace(
        safety_rules(settings, target, run.notes),
        operation_resolver=run.document.operation_id_at,
        stop=stop,
        operation_guard=run.scope.guard if run.scope.active else None,
        # Every write of every phase passes this guard: only resources the run created.
        write_guard=Ownership(run.api.name, run_prefix),
    )
    if settings.max_failures is not None:
        run.collector.stop_after(
            settings.max_failures,
            settings.fail_on,
            lambda n: stop.halt(f"stopped after {n} failed requirement(s) (--max-failures {n})"),
        )
    return target.client(settings.timeout, rules, replay.client_class if replay else TargetClient)


def _listen(
    run: _Run, target: Target, client: TargetClient, on_exchange: ExchangeHook | None
) -> None:
    """Hang the exchange listeners on the client: the API's checks, the memory of secrets
    the run sends, the request tally, coverage and the caller's hook."""
    checks = CHECKS[run.api.name]
    client.listen(ExchangeChecker(checks, CheckEnv(run.document), run.collector))
    # Secrets the run sends or signs with are scrubbed from the report wherever quoted.
    client.listen(lambda exchange: remember_request_secrets(exchange.request.body))
    for value in target_secrets(target, run.settings):
        remember_credential(value)  # whatever its length (redaction.py: how short ones go)
    client.listen(run.tally)
    client.listen(run.coverage)
    if on_exchange is not None:
        collector = run.collector
        client.listen(lambda exchange: on_exchange(exchange, collector))


def _phase_context(
    run: _Run,
    target: Target,
    client: TargetClient,
    replay: CassetteReplayer | None,
    run_prefix: str,
) -> PhaseContext:
    """What every phase works with; each cassette group is a GroupStarted/GroupFinished
    pair for the listeners, or the replay's own group."""
    listeners = run.listeners

    def group(name: str) -> AbstractContextManager[None]:
        return listeners.pair(GroupStarted(name), lambda error: GroupFinished(name, error))

    ctx = PhaseContext(
        run.settings,
        run.api,
        run.catalogue,
        run.document,
        target,
        client,
        run.collector,
        run_prefix=run_prefix,
        emit=listeners.emit,
        notes=run.notes,
        scope=run.scope,
        cassette=replay.group if replay else group,
        checks=CHECKS[run.api.name],
        scenarios=SCENARIOS[run.api.name],
    )
    return ctx


def _run_phases(run: _Run, ctx: PhaseContext, replay: CassetteReplayer | None) -> None:
    """The chosen phases in order, between RunStarted and PhasesFinished; how the run
    stopped early, if it did, goes to `run.halted` or `run.aborted`."""
    settings, target, client, stop = ctx.settings, ctx.target, ctx.client, run.stop
    started = RunStarted(settings, target, ctx.run_prefix)
    window = run.listeners.pair(started, PhasesFinished)
    attached = replay.attached(settings, target, ctx.run_prefix) if replay else nullcontext()
    phases = _phases()
    try:
        with window, attached, deterministic_generation(), stop.phases():
            # Not under --record or --replay: a recording holds only what its replay sends.
            if not target.embedded and replay is None and settings.record_dir is None:
                _probe_credentials(client, run.api.credential_probe, run.tally)
            for name in settings.phases:
                run.listeners.emit(PhaseStarted(name))
                began, before = time.monotonic(), run.tally.by_phase()
                try:
                    phases[name](ctx)
                finally:
                    seconds = run.phase_seconds[name] = round(time.monotonic() - began, 3)
                    requests = run.tally.since(before)
                    run.listeners.emit(PhaseFinished(name, seconds, requests))
    except RunHalted as exc:  # --max-failures: sending stopped, cleanup ran; report stands
        run.halted = str(exc)
    except _CredentialsRefused as exc:
        run.aborted = str(exc)
    except TargetError as exc:
        run.aborted = f"target unusable: {exc}"
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM or SIGHUP (stopping.RunInterrupted)
        stop.signum = stop.signum or getattr(exc, "signum", None) or RunInterrupted().signum


def _after_phases(run: _Run, replay: CassetteReplayer | None) -> None:
    """What the run's end adds to its notes and abort reason, then the reason of each
    requirement it did not judge."""
    notes, stop = run.notes, run.stop
    if stop.signum is not None:  # also a signal that came after the last phase
        run.aborted = _interrupted(stop.signum)
        notes.extend(_left_after_interrupt(notes))
    if replay is not None:
        problem, replay_notes = replay.finish()
        notes.extend(replay_notes)
        run.aborted = run.aborted or problem
    run.listeners.emit(RunFinishing(notes))
    embedded = run.target is None or run.target.embedded
    if not embedded and not (run.aborted or "").startswith("interrupted"):
        # Every request answered 401/403: the user's credentials, not the target's behaviour
        # (issue 12); every one answered 429: no answer to judge at all. The embedded server's
        # credentials and budget are ours: there a refusal of everything is the server's fault
        # (the kill matrix's host-port-ignored), judged as such.
        statuses = run.tally.statuses()
        diagnosis = refused_credentials(statuses) or throttled_throughout(statuses)
        if diagnosis:
            # A target that refuses or throttles everything answers constantly: what those
            # answers "passed" (a 429 is not a 401, a 401 is a problem document) judged nothing.
            run.collector.withhold_passes(f"the run stopped before judging it ({diagnosis})")
        run.aborted = diagnosis or run.aborted
    if run.halted:
        notes.append(f"{run.halted}: what it had not judged is untested (out of scope)")
    explain_untested(
        run.settings,
        run.collector,
        read_only=bool(run.client and run.client.read_only),
        aborted=run.aborted,
        scope=run.scope,
        halted=run.halted,
    )


def _report(run: _Run) -> Report:
    """The run's report, with every value the run knows is secret scrubbed wherever quoted."""
    waited = run.client.waited_seconds if run.client else 0.0
    report = build_report(
        settings=run.settings,
        api=run.api,
        target=run.target or model.Target(base_url=run.settings.base_url or "", embedded=True),
        collector=run.collector,
        started=run.started,
        finished=datetime.now(UTC),
        aborted=run.aborted,
        requests=model.Requests(
            total=sum(run.tally.by_phase().values()),
            by_phase=run.tally.by_phase(),
            waited_seconds=round(waited, 3),
        ),
        phases=[{"name": n, "seconds": s} for n, s in run.phase_seconds.items()],
        notes=run.notes,
        tool=f"dsconform {__version__}",
        coverage=run.coverage.as_model(),
    )
    return Report.from_json(scrub_strings(report.to_json()))


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
