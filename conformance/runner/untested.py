"""Why a requirement the run did not judge was not judged: out of scope by the user's choice,
or blocked."""

from __future__ import annotations

from conformance.citations import citations, untested_scope
from conformance.core.results import ResultsCollector
from conformance.engine.filters import RunScope
from conformance.scenarios.registry import SCENARIOS
from conformance.settings import PROFILES, RunSettings


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
