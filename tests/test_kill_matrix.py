"""The suite's own proof: no false positives, and every injected fault is caught.

Against the faultless reference server every observable requirement passes; against a server
with one fault switched on, the run fails and names the requirement that fault breaks. Against a
server that goes wrong as a whole, the way real mocks and gateways do (a vacuity fault: a static
mock, one constant id, every write refused, 401 everywhere, a wrong id), the verdict is not
`passed` and no requirement the fault breaks is reported passed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.apis import APIS
from conformance.catalogue import load_catalogue
from conformance.checks.registry import CHECKS
from conformance.citations import citations
from conformance.exit_codes import ExitCode
from conformance.reference import known_faults, vacuity_faults
from conformance.runner.run import run_conformance
from conformance.scenarios.registry import SCENARIOS
from conformance.settings import RunSettings

SCHEMATHESIS_PHASES = {
    "schemathesis:negative_data_rejection": "property",
    "schemathesis:use_after_free": "stateful",
    "schemathesis:ensure_resource_availability": "stateful",
}


def phases_for(api: str, requirement_id: str) -> tuple[str, ...]:
    """Scenarios always; the generated phases only where only they observe the requirement."""
    citers = citations(api).get(requirement_id, [])
    extra = {SCHEMATHESIS_PHASES[c] for c in citers if c in SCHEMATHESIS_PHASES}
    if any(not c.startswith("schemathesis:") for c in citers):
        extra = set()
    return ("scenarios", *sorted(extra))


def scenarios_for(api: str, requirement_id: str) -> tuple[str, ...] | None:
    """The scenarios that cite the requirement; None (all of them) when only passive checks do,
    since any exchange may show it."""
    citers = citations(api).get(requirement_id, [])
    if any(c.startswith("check:") for c in citers):
        return None
    named = tuple(c.removeprefix("scenario:") for c in citers if c.startswith("scenario:"))
    return named or None


def _settings(api: str, tmp_path: Path, **changes: object) -> RunSettings:
    return RunSettings(
        api=api,
        report_dir=tmp_path,
        max_examples=3,
        activation_delay=0.05,
        settle_timeout=10.0,
        fail_on="all",  # a fault of an inferred or external requirement fails the run too
        **changes,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("api", sorted(APIS))
def test_faultless_reference_passes_every_observable_requirement(api: str, tmp_path: Path) -> None:
    outcome = run_conformance(_settings(api, tmp_path))
    statuses = {r.id: r for r in outcome.report.requirements}
    not_passed = {
        rid: (r.status, [f.message for f in r.findings][:1])
        for rid, r in statuses.items()
        if r.observable and r.status != "passed"
    }
    assert not_passed == {}
    assert outcome.exit_code == ExitCode.OK


def _fault_params() -> list[object]:
    params = []
    for api in sorted(APIS):
        for fault in known_faults(api):
            params.append(
                pytest.param(api, fault.name, fault.requirement_id, id=f"{api}:{fault.name}")
            )
    return params


@pytest.mark.parametrize(("api", "fault", "requirement_id"), _fault_params())
def test_fault_is_caught(api: str, fault: str, requirement_id: str, tmp_path: Path) -> None:
    settings = _settings(api, tmp_path, faults=(fault,), **vacuity_scope(api, (requirement_id,)))
    outcome = run_conformance(settings)
    failed = {r.id for r in outcome.report.requirements if r.status == "failed"}
    assert outcome.exit_code == ExitCode.FINDINGS
    assert requirement_id in failed, f"{fault} survived: {sorted(failed)}"


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_fault_cites_an_observable_requirement_the_suite_checks(api: str) -> None:
    catalogue = load_catalogue(APIS[api])
    cited = citations(api)
    for fault in known_faults(api):
        assert catalogue.get(fault.requirement_id).observable, fault.name
        assert fault.requirement_id in cited, f"{fault.name}: nothing checks {fault.requirement_id}"


def vacuity_scope(api: str, requirement_ids: tuple[str, ...]) -> dict[str, object]:
    """The phases and scenarios that observe any of the requirements: all scenarios when a
    passive check observes one of them, less the rate-limit burst unless it cites one (it
    waits for the budget to refill, and a server that never throttles keeps it busy for its
    whole time bound)."""
    phases = sorted({phase for rid in requirement_ids for phase in phases_for(api, rid)})
    named = [scenarios_for(api, rid) for rid in requirement_ids]
    # Checks of the rate-limit headers judge 429 and exhausted-budget answers too, which only
    # the burst draws from the embedded server.
    throttled = {
        check.requirement_id
        for check in CHECKS[api]
        if check.function.__module__.endswith(".rate_limit_headers")
    }
    if any(n is None for n in named):
        wanted = set(requirement_ids)
        scenarios = [
            s.name
            for s in SCENARIOS[api]
            if s.name != "rate-limit" or set(s.cites) & wanted or throttled & wanted
        ]
    else:
        scenarios = sorted({s for n in named for s in n or ()})
    return {"phases": tuple(phases), "scenarios": tuple(scenarios)}


def _vacuity_params() -> list[object]:
    return [
        pytest.param(api, fault.name, fault.requirement_ids, id=f"{api}:{fault.name}")
        for api in sorted(APIS)
        for fault in vacuity_faults(api)
    ]


@pytest.mark.parametrize(("api", "fault", "requirement_ids"), _vacuity_params())
def test_vacuity_fault_is_not_passed(
    api: str, fault: str, requirement_ids: tuple[str, ...], tmp_path: Path
) -> None:
    settings = _settings(api, tmp_path, faults=(fault,), **vacuity_scope(api, requirement_ids))
    outcome = run_conformance(settings)
    passed = {r.id for r in outcome.report.requirements if r.status == "passed"}
    assert outcome.exit_code != ExitCode.OK, f"{fault}: the run passed"
    assert sorted(passed & set(requirement_ids)) == [], f"{fault} passed what it breaks"


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_vacuity_fault_cites_observable_requirements_the_suite_checks(api: str) -> None:
    catalogue = load_catalogue(APIS[api])
    cited = citations(api)
    names = {fault.name for fault in known_faults(api)}
    for fault in vacuity_faults(api):
        assert fault.vacuity and fault.name not in names, fault.name
        for requirement_id in fault.requirement_ids:
            assert catalogue.get(requirement_id).observable, (fault.name, requirement_id)
            assert requirement_id in cited, f"{fault.name}: nothing checks {requirement_id}"
