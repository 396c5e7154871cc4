"""The scenario phase: scripted workflows, each cleaned up even when a step fails."""

from __future__ import annotations

from typing import Any

from conformance.engine.context import Event, PhaseContext
from conformance.engine.leftovers import LeftoverTracker
from conformance.engine.results import Finding
from conformance.engine.target_client import TargetError, WriteRefused
from conformance.scenarios.base import (
    ExchangeHistory,
    ScenarioAborted,
    ScenarioContext,
    settle_refusals,
)
from conformance.scenarios.registry import SCENARIOS


def run_scenario_phase(ctx: PhaseContext) -> None:
    """Run every scenario of the API in registration order."""
    history = ExchangeHistory()
    ctx.client.listeners.append(history)
    per_run: dict[str, Any] = {}
    try:
        _run_all(ctx, history, per_run)
        settle_refusals(per_run)  # refusals count only where the run saw their valid twin
    finally:
        ctx.client.listeners.remove(history)


def _run_all(ctx: PhaseContext, history: ExchangeHistory, per_run: dict[str, Any]) -> None:
    chosen = ctx.settings.scenarios
    for scenario in SCENARIOS[ctx.api.name]:
        if chosen is not None and scenario.name not in chosen:
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
            options={
                "view_auth": ctx.target.view_auth,
                "embedded": ctx.target.embedded,
                "domain_ids": ctx.settings.domain_ids,
                "minimal": ctx.settings.profile == "minimal",
                "history": history,
                "per_run": per_run,
            },
        )
        tracker = LeftoverTracker(ctx.api.name)
        # First in line, so it has seen a create before anything else can interrupt.
        ctx.client.listeners.insert(0, tracker)
        try:
            with ctx.cassette(scenario.name):
                _run_one(ctx, sctx, tracker)
        finally:
            ctx.client.listeners.remove(tracker)


def _run_one(ctx: PhaseContext, sctx: ScenarioContext, tracker: LeftoverTracker) -> None:
    """Run one scenario; its cleanups run whatever happens."""
    scenario = sctx.scenario
    try:
        scenario.function(sctx)
    except WriteRefused as exc:
        ctx.notes.append(f"scenario {scenario.name} stopped: {exc}")
    except ScenarioAborted as exc:
        ctx.notes.append(f"scenario {scenario.name} stopped early: {exc}")
        for requirement_id in scenario.cites:  # what it never judged, the target kept it from
            ctx.collector.blocked(requirement_id, f"scenario {scenario.name} stopped: {exc}")
        ctx.emit(Event("scenarios", "note", f"{scenario.name} stopped early: {exc}"))
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
    finally:
        for action in reversed(sctx.cleanups):
            try:
                action()
            except (TargetError, WriteRefused) as exc:
                ctx.notes.append(f"cleanup of {scenario.name} failed: {exc}")
        for path in tracker.remove_all(ctx.client, settle_timeout=ctx.settings.settle_timeout):
            ctx.notes.append(f"cleanup of {scenario.name}: could not delete {path}")
