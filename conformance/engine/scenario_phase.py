"""The scenario phase: scripted workflows, each cleaned up even when a step fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.core.results import Finding
from conformance.core.target_client import ExchangeFailed, TargetError, WriteRefused
from conformance.engine.context import Event, PhaseContext
from conformance.engine.leftovers import LeftoverTracker
from conformance.engine.property_phase import record_bad_exchange, success_requirement
from conformance.scenarios.base import (
    ExchangeHistory,
    ScenarioAborted,
    ScenarioContext,
    SharedByScenarios,
)


def run_scenario_phase(ctx: PhaseContext) -> None:
    """Run every scenario of the API in registration order."""
    history = ExchangeHistory()
    shared = SharedByScenarios()
    with ctx.client.listening(history):
        _run_all(ctx, history, shared)
        shared.settle_refusals()  # refusals count only where the run saw their valid twin


def _run_all(ctx: PhaseContext, history: ExchangeHistory, shared: SharedByScenarios) -> None:
    chosen = ctx.settings.scenarios
    for scenario in ctx.scenarios:
        if chosen is not None and scenario.name not in chosen:
            continue
        filtered = ctx.scope.scenario_reason(ctx.api.name, scenario.name, scenario.cites)
        if filtered:  # what only it judges is explained as out of scope at the run's end
            ctx.notes.append(f"scenario {scenario.name} skipped: {filtered}")
            continue
        if ctx.client.read_only and scenario.needs_writes:
            for requirement_id in scenario.cites:
                ctx.collector.skipped(
                    requirement_id, f"read-only run: scenario {scenario.name} needs writes"
                )
            continue
        ctx.emit(Event("scenarios", "step", scenario.name))
        sctx = ScenarioContext(
            scenario=scenario,
            client=ctx.client,
            collector=ctx.collector,
            run_prefix=ctx.run_prefix,
            settle_timeout=ctx.settings.settle_timeout,
            minimal=ctx.settings.profile == "minimal",
            embedded=ctx.target.embedded,
            view_auth=ctx.target.view_auth,
            domain_ids=ctx.settings.domain_ids,
            history=history,
            shared=shared,
        )
        tracker = LeftoverTracker(ctx.api.name)
        # First in line, so it has seen a create before anything else can interrupt.
        with ctx.client.listening(tracker, first=True), ctx.cassette(scenario.name):
            _run_one(ctx, sctx, tracker)


def _run_one(ctx: PhaseContext, sctx: ScenarioContext, tracker: LeftoverTracker) -> None:
    """Run one scenario; its cleanups run whatever happens."""
    scenario = sctx.scenario
    try:
        scenario.function(sctx)
    except WriteRefused as exc:
        ctx.notes.append(f"scenario {scenario.name} stopped: {exc}")
        _unjudged(ctx, sctx, ctx.collector.skipped, f"scenario {scenario.name} stopped: {exc}")
    except ScenarioAborted as exc:
        ctx.notes.append(f"scenario {scenario.name} stopped early: {exc}")
        ctx.emit(Event("scenarios", "note", f"{scenario.name} stopped early: {exc}"))
        # A refused precondition (a create refused, nothing to read): the target did not let
        # the scenario judge what it had not judged yet (issue 12: blocked, not passed).
        _unjudged(
            ctx, sctx, ctx.collector.blocked, f"scenario {scenario.name} stopped early: {exc}"
        )
    except ExchangeFailed as exc:  # one bad exchange: a finding, the next scenario runs
        record_bad_exchange(
            ctx, exc, _step_requirement(ctx, scenario, exc), "scenarios", exc.exchange.operation_id
        )
        _unjudged(ctx, sctx, ctx.collector.blocked, f"scenario {scenario.name} stopped: {exc}")
    except TargetError:
        raise
    except Exception as exc:  # our own bug: `error`, never a failure of the target
        for requirement_id in scenario.cites:
            ctx.collector.errored(
                Finding(
                    requirement_id,
                    f"scenario:{scenario.name}",
                    "scenario-crashed",
                    f"scenario {scenario.name} crashed: {type(exc).__name__}: {exc}",
                    "scenarios",
                )
            )
    finally:  # also after Ctrl-C or SIGTERM, within the cleanup grace period
        with ctx.client.cleanup_window():
            for action in reversed(sctx.cleanups):
                try:
                    action()
                except (TargetError, WriteRefused) as exc:
                    ctx.notes.append(f"cleanup of {scenario.name} failed: {exc}")
            settle = ctx.settings.settle_timeout
            for path in tracker.remove_all(ctx.client, settle_timeout=settle):
                ctx.notes.append(f"cleanup of {scenario.name}: could not delete {path}")


def _unjudged(
    ctx: PhaseContext, sctx: ScenarioContext, mark: Callable[[str, str], None], reason: str
) -> None:
    """Give `reason` to every requirement the scenario cites and nothing has judged yet."""
    for requirement_id in sctx.scenario.cites:
        if ctx.collector.unjudged(requirement_id):
            mark(requirement_id, reason)


def _step_requirement(ctx: PhaseContext, scenario: Any, failure: ExchangeFailed) -> str:
    """The requirement a scenario step without an answer was exercising: the operation's
    success requirement when the scenario cites it, else the first cited requirement about
    that operation, else the operation's success requirement, else the scenario's first."""
    operation_id = failure.exchange.operation_id
    success = success_requirement(ctx.checks, operation_id)
    if success in scenario.cites:
        return str(success)
    for requirement_id in scenario.cites:
        operations = ctx.catalogue.get(requirement_id).operations if operation_id else ()
        if operation_id in operations:
            return str(requirement_id)
    return str(success or scenario.cites[0])
