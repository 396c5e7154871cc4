"""Which requirements the suite can observe: every check, scenario and phase citation."""

from __future__ import annotations

from collections import defaultdict


def citations(api: str) -> dict[str, list[str]]:
    """requirement ID -> names of what cites it (checks, scenarios, schemathesis mappings)."""
    from conformance.apis import get_api
    from conformance.checks.registry import CHECKS
    from conformance.scenarios.registry import SCENARIOS

    cited: dict[str, list[str]] = defaultdict(list)
    for check in CHECKS[api]:
        cited[check.requirement_id].append(f"check:{check.name}")
    for scenario in SCENARIOS[api]:
        for requirement_id in scenario.cites:
            cited[requirement_id].append(f"scenario:{scenario.name}")
    definition = get_api(api)
    for requirement_id in set(definition.negative_data_requirements.values()):
        cited[requirement_id].append("schemathesis:negative_data_rejection")
    for name, requirement_id in definition.stateful_requirements.items():
        cited[requirement_id].append(f"schemathesis:{name}")
    return dict(cited)


# Which phase each schemathesis mapping runs in (both need writes: negative data is sent to
# create and edit operations, the stateful phase creates and deletes).
SCHEMATHESIS_PHASES = {
    "negative_data_rejection": "property",
    "use_after_free": "stateful",
    "ensure_resource_availability": "stateful",
}


def citer_in_scope(
    api: str,
    citer: str,
    *,
    phases: tuple[str, ...],
    scenarios: tuple[str, ...] | None,
    read_only: bool,
) -> bool:
    """Whether what `citer` names ran in a run of these phases and scenarios. Checks are
    passive (they judge any exchange), so always in scope."""
    from conformance.scenarios.registry import SCENARIOS

    kind, _, name = citer.partition(":")
    if kind == "scenario":
        if "scenarios" not in phases or (scenarios is not None and name not in scenarios):
            return False
        needs_writes = next((s.needs_writes for s in SCENARIOS[api] if s.name == name), True)
        return not (read_only and needs_writes)
    if kind == "schemathesis":
        return SCHEMATHESIS_PHASES.get(name, "property") in phases and not read_only
    return True


def untested_scope(
    api: str,
    requirement_id: str,
    *,
    phases: tuple[str, ...],
    scenarios: tuple[str, ...] | None,
    read_only: bool,
    narrowed: str,
    cited: dict[str, list[str]] | None = None,
) -> tuple[bool, str]:
    """Why an observable requirement nothing judged is untested: (blocked?, reason).

    In scope (something that judges it ran, or only passive checks judge it and the run was not
    narrowed) means blocked: no exchange of the run could judge it. Otherwise it is out of scope
    by the user's choice `narrowed` (e.g. "--read-only, --phases stateful")."""
    from conformance.core.results import NO_EXCHANGE_JUDGED

    citers = (cited if cited is not None else citations(api)).get(requirement_id, [])
    active = [c for c in citers if not c.startswith("check:")]
    if any(
        citer_in_scope(api, c, phases=phases, scenarios=scenarios, read_only=read_only)
        for c in active
    ):
        return True, NO_EXCHANGE_JUDGED
    if not active and not narrowed:
        return True, NO_EXCHANGE_JUDGED
    judged_by = ", ".join(active) if active else "passive checks only"
    choice = narrowed or "the profile's phases"
    return False, f"out of scope ({choice}): what judges it did not run ({judged_by})"
