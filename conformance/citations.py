"""Which requirements the suite can observe: every check, scenario and phase citation."""

from __future__ import annotations

from collections import defaultdict


def citations(api: str) -> dict[str, list[str]]:
    """requirement ID -> names of what cites it (checks, scenarios, schemathesis mappings)."""
    from conformance.checks.registry import CHECKS
    from conformance.engine.property_phase import NEGATIVE_DATA_REQUIREMENTS
    from conformance.engine.stateful_phase import STATEFUL_REQUIREMENTS
    from conformance.scenarios.registry import SCENARIOS

    cited: dict[str, list[str]] = defaultdict(list)
    for check in CHECKS[api]:
        cited[check.requirement_id].append(f"check:{check.name}")
    for scenario in SCENARIOS[api]:
        for requirement_id in scenario.cites:
            cited[requirement_id].append(f"scenario:{scenario.name}")
    for requirement_id in set(NEGATIVE_DATA_REQUIREMENTS[api].values()):
        cited[requirement_id].append("schemathesis:negative_data_rejection")
    for name, requirement_id in STATEFUL_REQUIREMENTS[api].items():
        cited[requirement_id].append(f"schemathesis:{name}")
    return dict(cited)
