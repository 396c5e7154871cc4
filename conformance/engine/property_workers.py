"""The property phase shared out among worker processes (`--workers N`).

Generation is CPU-bound (FIELD-NOTES: about 62% of the time per request), so processes, not
threads, add throughput. Each worker sends its share of the operations through a client of
its own and returns the exchanges; the parent hands them to its own listeners, so checks,
coverage, counts and progress see them exactly as if it had sent them. Our own rate cap is
split evenly; each worker also honours the budget the target advertises to it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from types import FrameType
from typing import Any

from conformance.checks.base import ExchangeCheck
from conformance.checks.operation_contract import documented_success_status
from conformance.core.exchange import Exchange
from conformance.core.results import RequirementResult, ResultsCollector
from conformance.core.send_rules import OperationResolver, SendRules
from conformance.core.shared_budget import SharedBudget, start_budget_manager
from conformance.core.stopping import CLEANUP_GRACE, INFLIGHT_GRACE, STOP_SIGNALS, StopControl
from conformance.core.target_client import TargetError
from conformance.engine.context import Event, PhaseContext
from conformance.engine.filters import RunScope
from conformance.engine.ownership import Ownership
from conformance.engine.target import Target
from conformance.settings import RunSettings

# After a stop, how long past its own grace periods a worker may take to report back.
WORKER_EXIT_SLACK = 5.0


@dataclass(frozen=True, slots=True)
class WorkerJob:
    settings: RunSettings
    target: Target
    run_prefix: str
    operations: frozenset[str]
    read_only: bool
    budget: SharedBudget
    # What a worker's phase reads of the API's checks (which requirement an operation's
    # success stands for); the parent runs every check on every exchange, and not every
    # check pickles (some are closures).
    checks: tuple[ExchangeCheck, ...] = ()
    # The run's --deadline, a time.monotonic() of the parent: the clock is the machine's, the
    # same in every process of it.
    deadline: float | None = None
    # The run's --include/--exclude: a worker refuses what they leave out, as the parent does
    # (it is handed only in-scope operations; this is the second line).
    scope: RunScope = field(default_factory=RunScope)


@dataclass(slots=True)
class WorkerResult:
    exchanges: list[Exchange] = field(default_factory=list)
    results: list[RequirementResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    waited_seconds: float = 0.0
    target_error: str | None = None
    unanswered_writes: list[Exchange] = field(default_factory=list)


def run_in_workers(ctx: PhaseContext) -> None:
    """Split the operations round-robin over `workers` processes and merge what they saw."""
    if ctx.settings.record_dir or ctx.settings.replay_dir:
        raise ValueError("--workers cannot be combined with --record or --replay")
    workers = ctx.settings.workers
    operation_ids = [
        op.operation_id
        for op in ctx.document.operations
        if ctx.scope.explores(ctx.catalogue, op.operation_id)
    ]
    shares = [frozenset(operation_ids[i::workers]) for i in range(workers)]
    settings = ctx.settings
    if settings.rate_limit is not None:
        count, period = settings.rate_limit
        settings = replace(settings, rate_limit=(max(1, count // workers), period))
    context = multiprocessing.get_context("spawn")
    with start_budget_manager(context) as manager:
        budget = SharedBudget(manager)
        jobs = [
            WorkerJob(
                settings,
                ctx.target,
                ctx.run_prefix,
                share,
                ctx.client.read_only,
                budget,
                tuple(c for c in ctx.checks if c.function is documented_success_status),
                ctx.client.rules.deadline,
                ctx.scope,
            )
            for share in shares
            if share
        ]
        ctx.emit(Event("property", "step", f"{len(jobs)} worker processes"))
        outcomes, interrupted = _run_jobs(ctx, jobs, context)
    error = None
    for outcome in outcomes:
        for exchange in outcome.exchanges:
            ctx.client.adopt(exchange)
        ctx.collector.merge(outcome.results)
        ctx.notes.extend(outcome.notes)
        ctx.client.waited_seconds += outcome.waited_seconds
        ctx.client.unanswered_writes.extend(outcome.unanswered_writes)
        error = error or outcome.target_error
    if interrupted is not None:
        raise interrupted
    if error:
        raise TargetError(error)


def _run_jobs(
    ctx: PhaseContext, jobs: list[WorkerJob], context: Any
) -> tuple[list[WorkerResult], KeyboardInterrupt | None]:
    """Run the jobs; on a stop signal pass it on to the workers (they stop sending and clean
    up what they created, as a run does) and collect what they saw until then."""
    stop = ctx.client.stop
    pool = ProcessPoolExecutor(
        max_workers=len(jobs), mp_context=context, initializer=_install_worker_stop
    )
    futures: list[Future[WorkerResult]] = []
    interrupted: KeyboardInterrupt | None = None
    try:
        futures += [pool.submit(work, job) for job in jobs]
        wait(futures)
    except KeyboardInterrupt as exc:  # the handler raised it here (stopping.StopControl)
        interrupted = exc
        stop.signum = stop.signum or getattr(exc, "signum", signal.SIGINT)
        with stop.cleanup():  # from here on a signal only shortens the workers' cleanup
            _stop_workers(pool, futures, stop)
    finally:
        stragglers = [f for f in futures if not f.done()]
        if stragglers:  # past every grace period: end them, and say what may be left
            _signal_workers(pool, signal.SIGKILL)
            ctx.notes.append(
                f"{len(stragglers)} worker process(es) did not finish their cleanup in time; "
                "what they created may be left (`dsconform sweep` removes it)"
            )
        pool.shutdown(wait=not stragglers, cancel_futures=True)
    outcomes: list[WorkerResult] = []
    for future in futures:
        if not future.done() or future.cancelled():
            continue
        failure = future.exception()
        if failure is None:
            outcomes.append(future.result())
        elif interrupted is None:
            raise failure
        else:
            ctx.notes.append(f"a worker process ended without reporting what it saw: {failure}")
    return outcomes, interrupted


def _stop_workers(
    pool: ProcessPoolExecutor, futures: list[Future[WorkerResult]], stop: StopControl
) -> None:
    """Pass the stop on and wait for the workers within their grace periods; a second signal
    is passed on too (it ends their cleanup at once)."""
    signum = stop.signum or signal.SIGINT
    _signal_workers(pool, signum)
    ends = time.monotonic() + INFLIGHT_GRACE + CLEANUP_GRACE + WORKER_EXIT_SLACK
    second_passed_on = False
    while time.monotonic() < ends and not all(f.done() for f in futures):
        if stop.second_signal and not second_passed_on:
            _signal_workers(pool, signum)
            second_passed_on = True
        wait(futures, timeout=0.1)


def _signal_workers(pool: ProcessPoolExecutor, signum: int) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.pid is not None and process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signum)


# A worker's own stop control: signals reach it from the parent (or from the terminal's
# process group), and its client stops sending and cleans up exactly as a run's does.
_WORKER_STOP = StopControl()


def _install_worker_stop() -> None:
    """Pool initializer: the worker's stop signals go to `_WORKER_STOP` for its whole life."""

    def handle(signum: int, frame: FrameType | None) -> None:
        _WORKER_STOP.request(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, handle)


def worker_rules(job: WorkerJob, resolver: OperationResolver) -> SendRules:
    """A worker client's rules: the parent's safety, pace, deadline and filter guard, with the
    budget shared by the workers and this process's stop."""
    return SendRules(
        read_only=job.read_only,
        write_guard=Ownership(job.settings.api, job.run_prefix),
        operation_guard=job.scope.guard if job.scope.active else None,
        operation_resolver=resolver,
        rate_cap=job.settings.rate_limit,
        shared_budget=job.budget,
        deadline=job.deadline,
        stop=_WORKER_STOP,
    )


def work(job: WorkerJob) -> WorkerResult:
    """One worker: explore its operations against the target; return what it saw."""
    from conformance.apis import get_api
    from conformance.catalogue import load_catalogue
    from conformance.core.determinism import deterministic_generation
    from conformance.engine.property_phase import explore_operations
    from conformance.openapi_document import OpenApiDocument

    api = get_api(job.settings.api)
    catalogue = load_catalogue(api)
    document = OpenApiDocument.load(api.spec_path)
    client = job.target.client(job.settings.timeout, worker_rules(job, document.operation_id_at))
    result = WorkerResult()
    client.listen(result.exchanges.append)
    collector = ResultsCollector(catalogue)
    ctx: Any = PhaseContext(
        job.settings,
        api,
        catalogue,
        document,
        job.target,
        client,
        collector,
        job.run_prefix,
        notes=result.notes,
        scope=job.scope,
        checks=job.checks,
    )
    try:
        with deterministic_generation(), client.stop.phases():
            client.stop.raise_if_requested()  # stopped before this job began: send nothing
            explore_operations(ctx, set(job.operations))
    except TargetError as exc:
        result.target_error = str(exc)
    except KeyboardInterrupt:  # the parent passed a stop on: what was seen so far goes back
        result.notes.append("worker stopped by a signal")
    finally:
        client.close()
    result.results = [r for r in collector.results() if r.passes or r.failures or r.errors]
    result.waited_seconds = client.waited_seconds
    result.unanswered_writes = client.unanswered_writes
    return result
