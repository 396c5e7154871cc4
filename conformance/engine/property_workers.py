"""The property phase shared out among worker processes (`--workers N`).

Generation is CPU-bound (FIELD-NOTES: about 62% of the time per request), so processes, not
threads, add throughput. Each worker sends its share of the operations through a client of
its own and returns the exchanges; the parent hands them to its own listeners, so checks,
coverage, counts and progress see them exactly as if it had sent them. Our own rate cap is
split evenly; each worker also honours the budget the target advertises to it.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.engine.context import Event, PhaseContext
from conformance.engine.exchange import Exchange
from conformance.engine.ownership import Ownership
from conformance.engine.results import RequirementResult, ResultsCollector
from conformance.engine.shared_budget import SharedBudget, start_budget_manager
from conformance.engine.target import Target
from conformance.engine.target_client import TargetClient, TargetError
from conformance.settings import RunSettings


@dataclass(frozen=True, slots=True)
class WorkerJob:
    settings: RunSettings
    target: Target
    run_prefix: str
    operations: frozenset[str]
    read_only: bool
    budget: SharedBudget


@dataclass(slots=True)
class WorkerResult:
    exchanges: list[Exchange] = field(default_factory=list)
    results: list[RequirementResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    waited_seconds: float = 0.0
    target_error: str | None = None


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
            WorkerJob(settings, ctx.target, ctx.run_prefix, share, ctx.client.read_only, budget)
            for share in shares
            if share
        ]
        ctx.emit(Event("property", "step", f"{len(jobs)} worker processes"))
        with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
            outcomes = list(pool.map(work, jobs))
    error = None
    for outcome in outcomes:
        for exchange in outcome.exchanges:
            ctx.client.requests_made += 1
            for listener in ctx.client.listeners:
                listener(exchange)
        ctx.collector.merge(outcome.results)
        ctx.notes.extend(outcome.notes)
        ctx.client.waited_seconds += outcome.waited_seconds
        error = error or outcome.target_error
    if error:
        raise TargetError(error)


def work(job: WorkerJob) -> WorkerResult:
    """One worker: explore its operations against the target; return what it saw."""
    from conformance.apis import get_api
    from conformance.catalogue import load_catalogue
    from conformance.engine.determinism import deterministic_generation
    from conformance.engine.property_phase import explore_operations
    from conformance.engine.run import operation_resolver
    from conformance.openapi_document import OpenApiDocument

    api = get_api(job.settings.api)
    catalogue = load_catalogue(api)
    document = OpenApiDocument.load(api.spec_path)
    client = TargetClient(
        job.target.base_url,
        auth=job.target.auth,
        default_headers=job.target.default_headers,
        timeout=job.settings.timeout,
        transport=job.target.transport,
    )
    client.operation_resolver = operation_resolver(document)
    client.read_only = job.read_only
    client.write_guard = Ownership(job.settings.api, job.run_prefix)
    client.rate_cap = job.settings.rate_limit
    client.shared_budget = job.budget
    result = WorkerResult()
    client.listeners.append(result.exchanges.append)
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
    )
    try:
        with deterministic_generation():
            explore_operations(ctx, set(job.operations))
    except TargetError as exc:
        result.target_error = str(exc)
    finally:
        client.close()
    result.results = [r for r in collector.results() if r.passes or r.failures or r.errors]
    result.waited_seconds = client.waited_seconds
    return result
